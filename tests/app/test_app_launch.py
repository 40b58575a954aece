"""`campus app` (`make app`): starts the sandbox identity provider when none is running, points the app at it
with a sign-in configuration of its own, and keeps that configuration's cookie secret across restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from sandbox.identity import IdentityServer
from tests.app.conftest import ROOT
from tests.app.test_browser import free_port, wait_until_serving


@contextmanager
def campus_app(data: Path, port: int, identity_port: int) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "app",
            "--data",
            str(data),
            "--port",
            str(port),
            "--identity-port",
            str(identity_port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until_serving(
            f"http://127.0.0.1:{port}", process, lambda: process.stdout.read() if process.stdout else ""
        )
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_campus_app_starts_the_provider_and_keeps_its_cookie_secret(tmp_path: Path) -> None:
    port, identity_port = free_port(), free_port()
    secrets = tmp_path / "identity" / "app_secrets.toml"
    with campus_app(tmp_path, port, identity_port) as process:
        discovery = requests.get(
            f"http://127.0.0.1:{identity_port}/.well-known/openid-configuration", timeout=5
        ).json()
        assert discovery["issuer"] == f"http://127.0.0.1:{identity_port}"
        auth = tomllib.loads(secrets.read_text())["auth"]
        assert auth["redirect_uri"] == f"http://127.0.0.1:{port}/oauth2callback"
        assert auth["server_metadata_url"].startswith(f"http://127.0.0.1:{identity_port}/")
        assert secrets.stat().st_mode & 0o077 == 0, "the sign-in secrets are readable by others"
    output = process.stdout.read() if process.stdout else ""
    assert "ada.adviser" in output and "campus-advisers" in output
    assert auth["cookie_secret"] not in output and auth["client_secret"] not in output

    # Restarted while `campus sandbox serve` (here: a provider of the test's own) holds the port: reused.
    with IdentityServer(port=identity_port), campus_app(tmp_path, port, identity_port) as process:
        pass
    output = process.stdout.read() if process.stdout else ""
    assert "already running" in output
    assert tomllib.loads(secrets.read_text())["auth"]["cookie_secret"] == auth["cookie_secret"]
