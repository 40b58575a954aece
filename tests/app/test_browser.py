"""End to end in a real browser: `streamlit run` on 127.0.0.1, Debian's chromium driven by Playwright.

An adviser searches for a sandbox student by name, opens the profile and sees that student's recommended jobs.
A screenshot of every page goes to `test-artifacts/` (git-ignored).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

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


@pytest.fixture
def app_server(built_warehouse: BuiltWarehouse, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    landing = tmp_path / "landing"
    landing.mkdir()
    env = {
        **os.environ,
        "CAMPUS_WAREHOUSE": str(built_warehouse.path),
        "CAMPUS_DESTINATION": "duckdb",
        "CAMPUS_DBT_MANIFEST": str(built_warehouse.dbt_dir / "target" / "manifest.json"),
        "CAMPUS_APP_ROLE": "adviser",
        "SOURCES__FILES__LANDING_DIR": str(landing),
    }
    log = (tmp_path / "streamlit.log").open("w")
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
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "streamlit.log").read_text()
            try:
                if requests.get(f"{url}/_stcore/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "streamlit did not answer /_stcore/health within 60 s"
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        log.close()


def test_adviser_finds_a_student_and_sees_the_recommendations(
    app_server: str, built_warehouse: BuiltWarehouse
) -> None:
    assert CHROMIUM.exists(), (
        "browser test needs Debian's chromium: `make test` installs it (apt-get install chromium)"
    )
    from playwright.sync_api import expect, sync_playwright

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
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            page.goto(app_server, wait_until="domcontentloaded")
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

            for name, path in PAGES.items():
                if name in ("search", "student"):
                    continue
                page.goto(f"{app_server}/{path}", wait_until="domcontentloaded")
                expect(page.locator("h1").first).to_be_visible(timeout=30_000)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1500)
                assert page.locator('[data-testid="stException"]').count() == 0, name
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        finally:
            browser.close()
