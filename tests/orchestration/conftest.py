"""Fixtures for the orchestration tests: a private sandbox + warehouse with the stand-ins running on
127.0.0.1, dbt writing its artefacts to the test's own folder, a local HTTP receiver for alerts, and one
first `campus run` per session that tests needing a warehouse a run has already built start from."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ingestion.destination import connect_working
from orchestration.cli import main
from sandbox.serve import Sandbox, running_sandbox
from tests.conftest import TEST_SCALE, TEST_SEED, warehouse_environment


@dataclass
class Env:
    sandbox: Sandbox
    warehouse: Path

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with connect_working(self.warehouse, read_only=True) as con:
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


def campus_run(sandbox_dir: Path, *options: str) -> int:
    """`campus run --target ci` on the test's sandbox (scale and seed as generated, so it is reused)."""
    data = ["--data", str(sandbox_dir), "--scale", str(TEST_SCALE), "--seed", str(TEST_SEED)]
    return main(["run", *data, "--target", "ci", *options])


def dbt_environment(dbt_dir: Path) -> dict[str, str]:
    """dbt's artefacts (target, logs) in `dbt_dir`, and no usage stats sent."""
    return {
        "DBT_TARGET_PATH": str(dbt_dir / "target"),
        "DBT_LOG_PATH": str(dbt_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@dataclass
class Receiver:
    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)


@contextlib.contextmanager
def receiving_alerts() -> Iterator[Receiver]:
    """A webhook on 127.0.0.1 keeping every JSON body POSTed to it while the block runs."""
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
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def alert_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A webhook on 127.0.0.1 keeping every JSON body POSTed; CAMPUS_ALERT_WEBHOOK_URL points at it."""
    with receiving_alerts() as received:
        monkeypatch.setenv("CAMPUS_ALERT_WEBHOOK_URL", received.url)
        yield received


@dataclass(frozen=True)
class RecordedRun:
    """A `campus run` done once for several tests, as a test would start it: its exit code, what it printed,
    the alerts it sent, and the sandbox, warehouse folder (DuckDB file, dlt state, published snapshot) and dbt
    artefacts it left under `root`. Nothing may change those files: tests copy them (`copy_to`)."""

    root: Path
    exit_code: int
    out: str
    alerts: list[dict[str, Any]]

    @property
    def sandbox_dir(self) -> Path:
        return self.root / "sandbox"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "campus.duckdb"

    @property
    def dbt_dir(self) -> Path:
        return self.root / "dbt"

    def copy_to(self, sandbox_dir: Path, warehouse: Path) -> None:
        """Make a test's own sandbox and warehouse what this run left: later runs there continue from it."""
        shutil.rmtree(sandbox_dir, ignore_errors=True)
        shutil.copytree(self.sandbox_dir, sandbox_dir, symlinks=True)
        assert not warehouse.parent.exists(), f"{warehouse.parent} is not fresh"
        shutil.copytree(self.warehouse.parent, warehouse.parent, symlinks=True)


def recorded_campus_run(root: Path, *options: str) -> RecordedRun:
    """`campus run` on `root/sandbox` into `root/warehouse/campus.duckdb`, dbt's artefacts in `root/dbt`,
    alerts to a webhook on 127.0.0.1, in an environment of its own (the calling test's is left as it was)."""
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, receiving_alerts() as receiver:
        for name, value in {**warehouse_environment(root), **dbt_environment(root / "dbt")}.items():
            patch.setenv(name, value)
        patch.setenv("CAMPUS_ALERT_WEBHOOK_URL", receiver.url)
        patch.delenv("CAMPUS_ALERT_SMTP_HOST", raising=False)
        with contextlib.redirect_stdout(printed):
            exit_code = campus_run(root / "sandbox", *options)
    run = RecordedRun(root, exit_code, printed.getvalue(), receiver.bodies)
    if run.warehouse.exists():  # all of it in the file, none in a write-ahead log, before tests copy it
        with connect_working(run.warehouse) as con:
            con.execute("checkpoint")
    return run


@pytest.fixture(scope="session")
def first_run(pristine_sandbox: Path, tmp_path_factory: pytest.TempPathFactory) -> RecordedRun:
    """One `campus run` into a fresh warehouse for the whole session (the most expensive run: every source
    loads in full and every model builds). Tests assert on it and continue from a copy of what it left,
    instead of each doing the same first run."""
    root = tmp_path_factory.mktemp("first_run")
    shutil.copytree(pristine_sandbox, root / "sandbox")
    return recorded_campus_run(root)
