"""`campus sandbox ...` as a user runs it: generate, advance, and serve until SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from sandbox import credentials as cred

ROOT = Path(__file__).resolve().parents[2]


def campus(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def test_generate_and_advance_report_what_they_did(tmp_path: Path) -> None:
    out = tmp_path / "sb"
    done = subprocess.run(
        campus("sandbox", "generate", "--scale", "0.005", "--seed", "3", "--out", str(out)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "STUDENTS" in done.stdout and "jobPostings" in done.stdout
    advanced = subprocess.run(
        campus("sandbox", "advance", "--data", str(out), "--days", "3"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "2026-10-18" in advanced.stdout
    assert json.loads((out / "manifest.json").read_text())["as_of"] == "2026-10-18T06:00:00Z"


def test_serve_prints_how_to_connect_and_stops_cleanly_on_sigterm(pristine_sandbox: Path) -> None:
    proc = subprocess.Popen(
        campus(
            "sandbox", "serve", "--data", str(pristine_sandbox), "--workday-port", "0", "--tableau-port", "0"
        ),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "stops the servers" in line:
                break
        banner = "".join(lines)
        workday = re.search(r"SOURCES__WORKDAY__BASE_URL='([^']+)'", banner)
        tableau = re.search(r"SOURCES__TABLEAU__SERVER_URL='([^']+)'", banner)
        assert workday and tableau, banner
        token = requests.post(
            f"{workday.group(1)}/ccx/oauth2/{cred.WORKDAY_TENANT}/token",
            data={"grant_type": "refresh_token", "refresh_token": cred.WORKDAY_REFRESH_TOKEN},
            auth=(cred.WORKDAY_CLIENT_ID, cred.WORKDAY_CLIENT_SECRET),
            timeout=10,
        )
        assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
        signin = requests.post(
            f"{tableau.group(1)}/api/{cred.TABLEAU_API_VERSION}/auth/signin",
            json={
                "credentials": {
                    "personalAccessTokenName": cred.TABLEAU_PAT_NAME,
                    "personalAccessTokenSecret": cred.TABLEAU_PAT_SECRET,
                    "site": {"contentUrl": cred.TABLEAU_SITE_CONTENT_URL},
                }
            },
            headers={"Accept": "application/json"},
            timeout=10,
        )
        assert signin.status_code == 200
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0
        assert "sandbox servers stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
