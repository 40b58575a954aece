"""Fixtures for the orchestration tests: a private sandbox + warehouse with the stand-ins running on
127.0.0.1, dbt writing its artefacts to the test's own folder, and a local HTTP receiver for alerts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.serve import Sandbox, running_sandbox


@dataclass
class Env:
    sandbox: Sandbox
    warehouse: Path

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    def tables(self, schema: str) -> set[str]:
        rows = self.query(f"select table_name from information_schema.tables where table_schema = '{schema}'")
        return {r[0] for r in rows}


@pytest.fixture
def pipeline_env(
    sandbox_dir: Path, warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Env]:
    """The stand-ins running for a private sandbox copy, the connectors pointed at them, a fresh warehouse."""
    monkeypatch.setenv("DBT_TARGET", "ci")
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt" / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt" / "logs"))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    monkeypatch.setenv("CAMPUS_RETRY_DELAY_SECONDS", "0.05")
    for name in ("CAMPUS_ALERT_WEBHOOK_URL", "CAMPUS_ALERT_SMTP_HOST", "CAMPUS_DEPLOYED"):
        monkeypatch.delenv(name, raising=False)
    with running_sandbox(sandbox_dir) as sandbox:
        for name, value in sandbox.environment().items():
            monkeypatch.setenv(name, value)
        yield Env(sandbox, warehouse)


@dataclass
class Receiver:
    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)


@pytest.fixture
def alert_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A webhook on 127.0.0.1 keeping every JSON body POSTed; CAMPUS_ALERT_WEBHOOK_URL points at it."""
    received = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.raw.append(body)
            received.bodies.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/campus"
    monkeypatch.setenv("CAMPUS_ALERT_WEBHOOK_URL", received.url)
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
