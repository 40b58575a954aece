"""End to end in a real browser: `streamlit run` on 127.0.0.1 signing in through the sandbox's OpenID Connect
provider (a real HTTP server), Debian's chromium driven by Playwright.

An adviser signs in, searches for a sandbox student by name, opens the profile and sees that student's
recommended jobs with personal fields shown; an admin sees the same student masked and the Files page's
actions the adviser does not get; both sign out. ID tokens signed with a key the provider does not publish, or
already expired, leave the browser signed out. A screenshot of every page goes to `test-artifacts/`
(git-ignored).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.identity import CLIENT_ID, CLIENT_SECRET, IdentityServer
from tests.app.conftest import APP, ROOT
from tests.app.test_pages import a_recommended_student
from tests.warehouse import BuiltWarehouse

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "search": "",
    "student": "student",
    "jobs": "jobs",
    "quality": "quality",
    "pipeline": "pipeline",
    "files": "files",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[Any], output: Callable[[], str]) -> None:
    """Until Streamlit at `url` answers its health check (60 s at most); `output` says why a process died."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, output()
        try:
            if requests.get(f"{url}/_stcore/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer /_stcore/health within 60 s"
        time.sleep(0.3)


@contextmanager
def running_app(
    warehouse: BuiltWarehouse, tmp_path: Path, metadata_url: str, audit_db: Path | None = None
) -> Iterator[str]:
    """The app under `streamlit run`, signing in through the provider whose discovery document is at
    `metadata_url` (its `[auth]` in a secrets file of the test's own, as an operator would write it)."""
    port = free_port()
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    secrets = tmp_path / f"secrets-{port}.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-the-browser-test"\n'
        f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{metadata_url}"\n'
    )
    env = {
        **os.environ,
        "CAMPUS_WAREHOUSE": str(warehouse.path),
        "CAMPUS_DESTINATION": "duckdb",
        "CAMPUS_DBT_MANIFEST": str(warehouse.dbt_dir / "target" / "manifest.json"),
        "CAMPUS_AUDIT_DB": str(audit_db or tmp_path / "audit.sqlite"),
        "SOURCES__FILES__LANDING_DIR": str(landing),
    }
    log_path = tmp_path / f"streamlit-{port}.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--secrets.files",
            str(secrets),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, server, log_path.read_text)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def identity() -> Iterator[IdentityServer]:
    with IdentityServer(port=0) as server:
        yield server


@contextmanager
def chromium() -> Iterator[Any]:
    assert CHROMIUM.exists(), (
        "browser test needs Debian's chromium: `make test` installs it (apt-get install chromium)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, app_url: str, subject: str) -> None:
    """Open the app, press its Sign in button, pick the account on the provider's page, come back."""
    from playwright.sync_api import expect

    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=30_000)
    page.locator(f'button[name="sub"][value="{subject}"]').click(timeout=30_000)
    page.wait_for_url(f"{app_url}/**", timeout=30_000)
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=30_000)


def sign_out(page: Any, app_url: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=30_000)  # the provider's own page
    page.goto(app_url, wait_until="domcontentloaded")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_two_people_sign_in_and_see_what_their_roles_allow(
    identity: IdentityServer, built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    key, first, last = a_recommended_student(built_warehouse)
    titles = [
        title
        for (title,) in built_warehouse.query(
            """
            select j.job_title
            from recommendations.rec_student_jobs as r
            inner join marts.dim_job_posting as j on j.job_posting_id = r.job_posting_id
            where r.student_key = ?
            order by r.rank
            """,
            [key],
        )
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    with running_app(built_warehouse, tmp_path, identity.discovery_url) as app_url, chromium() as browser:
        # An adviser: personal fields shown, no Files page.
        page = browser.new_context(viewport={"width": 1400, "height": 2200}).new_page()
        page.goto(app_url, wait_until="domcontentloaded")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
        assert page.locator('input[aria-label="Search"]').count() == 0, "data shown before sign-in"
        sign_in(page, app_url, "ada.adviser")
        box = page.locator('input[aria-label="Search"]')
        expect(box).to_be_visible(timeout=30_000)
        box.fill(last)
        box.press("Enter")
        link = page.get_by_role("link", name=f"{first} {last}").first
        expect(link).to_be_visible(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
        link.click()
        expect(page.get_by_role("heading", name="Recommended jobs")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name=f"{first} {last}")).to_be_visible()
        table = page.locator('[data-testid="stTable"]', has_text=titles[0]).first
        expect(table).to_be_visible(timeout=30_000)
        for title in titles:
            expect(table).to_contain_text(title)
        assert key in page.url
        page.wait_for_timeout(1000)  # charts draw after the tables
        page.screenshot(path=str(ARTIFACTS / "student.png"), full_page=True)
        expect(page.get_by_role("link", name="Files")).to_have_count(0)
        sign_out(page, app_url)

        # An admin, in a browser of their own: the same student masked, and the Files page's actions.
        page = browser.new_context(viewport={"width": 1400, "height": 2200}).new_page()
        sign_in(page, app_url, "ali.admin")
        page.goto(f"{app_url}/student?student={key}", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Recommended jobs")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name=f"{last[0]}•••", exact=False).first).to_be_visible()
        assert page.get_by_text(last, exact=False).count() == 0, "the admin sees the student's name"
        for name, path in PAGES.items():
            if name in ("search", "student"):
                continue
            page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
            expect(page.locator("h1").first).to_be_visible(timeout=30_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)
            assert page.locator('[data-testid="stException"]').count() == 0, name
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            if name == "files":
                expect(page.get_by_role("button", name="Start the files load")).to_be_visible()
                expect(page.locator('[data-testid="stFileUploader"]')).to_be_visible()
        sign_out(page, app_url)


class RogueDiscovery(ThreadingHTTPServer):
    """A discovery document for the real provider whose JWKS holds another key under the provider's key id:
    the provider's ID tokens then carry a signature the app cannot verify, as a forged token would."""

    def __init__(self, provider: IdentityServer) -> None:
        from joserfc.jwk import RSAKey

        document = requests.get(provider.discovery_url, timeout=10).json()
        (published,) = requests.get(document["jwks_uri"], timeout=10).json()["keys"]
        rogue = RSAKey.generate_key(2048, parameters={"kid": published["kid"], "use": "sig", "alg": "RS256"})
        super().__init__(("127.0.0.1", 0), self.Handler)
        url = f"http://127.0.0.1:{self.server_port}"
        self.url = f"{url}/.well-known/openid-configuration"
        self.bodies = {
            "/.well-known/openid-configuration": {**document, "jwks_uri": f"{url}/jwks"},
            "/jwks": {"keys": [rogue.as_dict(private=False)]},
        }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = self.server.bodies.get(self.path)  # type: ignore[attr-defined]
            payload = json.dumps(body).encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: object) -> None:
            pass


@pytest.mark.parametrize("fault", ["wrong signing key", "expired"])
def test_an_id_token_that_does_not_verify_leaves_the_browser_signed_out(
    fault: str, built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    lifetime = timedelta(hours=-2) if fault == "expired" else timedelta(hours=1)
    with (
        IdentityServer(port=0, token_max_age=lifetime) as provider,
        contextmanager(_discovery)(provider, fault) as metadata_url,
        running_app(built_warehouse, tmp_path, metadata_url) as app_url,
        chromium() as browser,
    ):
        page = browser.new_page()
        page.goto(app_url, wait_until="domcontentloaded")
        page.get_by_role("button", name="Sign in").click(timeout=30_000)
        page.locator('button[name="sub"][value="ada.adviser"]').click(timeout=30_000)
        page.wait_for_url(f"{app_url}/**", timeout=30_000)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        assert page.locator('input[aria-label="Search"]').count() == 0
    log = "".join(path.read_text() for path in tmp_path.glob("streamlit-*.log"))
    assert "token exchange failed" in log, log[-3000:]


def _discovery(provider: IdentityServer, fault: str) -> Iterator[str]:
    if fault != "wrong signing key":
        yield provider.discovery_url
        return
    rogue = RogueDiscovery(provider)
    thread = threading.Thread(target=rogue.serve_forever, daemon=True)
    thread.start()
    try:
        yield rogue.url
    finally:
        rogue.shutdown()
        rogue.server_close()
