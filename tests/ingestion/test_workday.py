"""The Workday connector over real HTTP against the Workday stand-in: rows reconcile with the sandbox's
parquet source, incremental loads carry only what changed, faults are survived, and credentials fail clearly
and never leak."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.destination import make_pipeline
from ingestion.workday import RESOURCES, workday_source
from sandbox.advance import advance
from sandbox.credentials import (
    WORKDAY_CLIENT_ID,
    WORKDAY_CLIENT_SECRET,
    WORKDAY_REFRESH_TOKEN,
    WORKDAY_TENANT,
)
from sandbox.workday_server import WorkdayServer

TIMEOUT = 10
# Pages of 100 at the test scale: students 600 (6), academicPrograms 24 (1), jobPostings 500 (5),
# jobPlacements 280 (3).
FULL_LOAD_PAGES = 15

StartServer = Callable[..., WorkdayServer]


# -- fixtures and helpers


@pytest.fixture
def start_workday(
    sandbox_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StartServer]:
    """Start a Workday stand-in over the test's sandbox and point the connector's configuration at it."""
    servers: list[WorkdayServer] = []

    def start(**kwargs: Any) -> WorkdayServer:
        server = WorkdayServer(sandbox_dir, **kwargs).start()
        servers.append(server)
        for name, value in {
            "BASE_URL": server.url,
            "TENANT": WORKDAY_TENANT,
            "CLIENT_ID": WORKDAY_CLIENT_ID,
            "CLIENT_SECRET": WORKDAY_CLIENT_SECRET,
            "REFRESH_TOKEN": WORKDAY_REFRESH_TOKEN,
            # Fast retries keep the fault tests short; Retry-After still sets the wait for 429s.
            "REQUEST_BACKOFF_FACTOR": "0.02",
            "REQUEST_TIMEOUT": "10",
        }.items():
            monkeypatch.setenv(f"SOURCES__WORKDAY__{name}", value)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def workday(start_workday: StartServer) -> WorkdayServer:
    return start_workday()


def run(source: Any = None) -> dlt.Pipeline:
    """Exactly the runner's call."""
    pipeline = make_pipeline("workday")
    pipeline.run(source if source is not None else workday_source(), loader_file_format="parquet")
    return pipeline


def loaded_rows(pipeline: dlt.Pipeline) -> dict[str, int]:
    trace = pipeline.last_trace
    assert trace is not None and trace.last_normalize_info is not None
    counts = trace.last_normalize_info.row_counts
    return {table: n for table, n in counts.items() if not table.startswith("_dlt")}


def control(server: WorkdayServer, action: str, body: Any = None) -> dict[str, Any]:
    response = requests.post(f"{server.url}/_sandbox/{action}", json=body, timeout=TIMEOUT)
    response.raise_for_status()
    return dict(response.json())


def stats(server: WorkdayServer) -> dict[str, Any]:
    response = requests.get(f"{server.url}/_sandbox/stats", timeout=TIMEOUT)
    response.raise_for_status()
    return dict(response.json())


def manifest(sandbox: Path) -> dict[str, Any]:
    return dict(json.loads((sandbox / "manifest.json").read_text()))


def source_rows(sandbox: Path, resource: str) -> dict[str, tuple[str, bool]]:
    """id -> (updatedAt to the millisecond, as Workday serves it; inactive) from the sandbox's parquet."""
    table = pq.read_table(
        sandbox / "workday" / f"{resource}.parquet", columns=["id", "updatedAt", "inactive"]
    )
    stamps = pc.strftime(table["updatedAt"], format="%Y-%m-%dT%H:%M:%S.%f").to_pylist()
    return {
        row_id: (stamp[:23], inactive)
        for row_id, stamp, inactive in zip(
            table["id"].to_pylist(), stamps, table["inactive"].to_pylist(), strict=True
        )
    }


def raw_rows(warehouse: Path, table: str) -> list[tuple[str, str, bool]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"SELECT id, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%g'), inactive "
            f"FROM raw_workday.{table}"
        ).fetchall()


def raw_count(warehouse: Path, table: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(f"SELECT count(*) FROM raw_workday.{table}").fetchone()
    assert row is not None
    return int(row[0])


def skills_in_source(sandbox: Path) -> int:
    skills = pq.read_table(sandbox / "workday" / "jobPostings.parquet", columns=["skills"])["skills"]
    return int(pc.sum(pc.list_value_length(skills)).as_py() or 0)


def assert_raw_equals_source(warehouse: Path, sandbox: Path) -> None:
    """Every resource: the same ids once each, with the source's updatedAt and inactive; skills reconcile."""
    for resource, table in RESOURCES.items():
        rows = raw_rows(warehouse, table)
        ids = [row[0] for row in rows]
        assert len(ids) == len(set(ids)), f"duplicate ids in raw_workday.{table}"
        assert {row[0]: (row[1], row[2]) for row in rows} == source_rows(sandbox, resource), table
        assert len(rows) == manifest(sandbox)["sources"]["workday"]["resources"][resource]
    assert raw_count(warehouse, "job_postings__skills") == skills_in_source(sandbox)


# -- loading and reconciling


def test_full_load_reconciles_with_the_manifest_and_a_rerun_is_a_no_op(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path
) -> None:
    pipeline = run()

    expected = manifest(sandbox_dir)["sources"]["workday"]["resources"]
    for resource, table in RESOURCES.items():
        assert raw_count(warehouse, table) == expected[resource], table
    assert raw_count(warehouse, "job_postings__skills") == skills_in_source(sandbox_dir)
    assert_raw_equals_source(warehouse, sandbox_dir)
    assert loaded_rows(pipeline)["students"] == expected["students"]
    assert stats(workday)["data_requests"] == FULL_LOAD_PAGES

    rerun = run()
    assert loaded_rows(rerun) == {}
    assert_raw_equals_source(warehouse, sandbox_dir)


def test_incremental_run_after_advance_loads_only_changed_and_new_rows(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path
) -> None:
    run()
    advanced = advance(sandbox_dir, days=1)
    changes = advanced["advances"][-1]["changes"]["workday"]

    pipeline = run()

    expected = {
        RESOURCES[resource]: change["updated"] + change["deleted"] + change["inserted"]
        for resource, change in changes.items()
    }
    top_level = {table: n for table, n in loaded_rows(pipeline).items() if "__" not in table}
    assert top_level == {table: n for table, n in expected.items() if n}
    assert sum(change["deleted"] for change in changes.values()) > 0, "advance soft-deleted nothing"
    assert_raw_equals_source(warehouse, sandbox_dir)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        inactive = con.execute("SELECT count(*) FROM raw_workday.students WHERE inactive").fetchone()
    assert inactive == (changes["students"]["deleted"],), "soft-deleted students must stay in raw, flagged"


def test_client_credentials_grant_when_no_refresh_token_is_configured(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCES__WORKDAY__REFRESH_TOKEN")
    control(workday, "revoke")  # the refresh-token grant would now fail; client credentials must not use it

    run()

    assert_raw_equals_source(warehouse, sandbox_dir)


# -- faults


def test_rate_limit_and_unavailable_storms_are_survived(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path
) -> None:
    control(workday, "faults", {"rate_limit_every": 5, "retry_after_seconds": 1, "unavailable_every": 3})

    run()

    by_status = stats(workday)["by_status"]
    assert by_status.get("429", 0) >= 2 and by_status.get("503", 0) >= 3, by_status
    assert_raw_equals_source(warehouse, sandbox_dir)


HANG_SECONDS = 90


def test_a_hung_page_times_out_and_is_retried(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__WORKDAY__REQUEST_TIMEOUT", "0.5")
    # A hang far longer than any load of this size: one request waited out instead of timed out shows.
    control(workday, "faults", {"slow_every": 4, "slow_seconds": HANG_SECONDS})

    started = time.monotonic()
    run()

    # Every 4th request hangs past the timeout and is sent again: more requests than pages, none waited out.
    assert stats(workday)["data_requests"] > FULL_LOAD_PAGES
    assert time.monotonic() - started < HANG_SECONDS
    assert_raw_equals_source(warehouse, sandbox_dir)


def test_a_malformed_page_is_retried_and_the_load_completes(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path
) -> None:
    control(workday, "faults", {"malformed": [{"resource": "jobPostings", "offset": 200, "times": 1}]})

    run()

    # One more request than pages: the malformed answer was really served and retried.
    assert stats(workday)["data_requests"] == FULL_LOAD_PAGES + 1
    assert_raw_equals_source(warehouse, sandbox_dir)


def test_a_persistently_malformed_page_fails_naming_it_and_the_next_run_resumes_exactly(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path
) -> None:
    control(workday, "faults", {"malformed": [{"resource": "jobPostings", "offset": 200, "times": -1}]})

    with pytest.raises(PipelineStepFailed) as failure:
        run()

    message = str(failure.value)
    assert "'jobPostings'" in message and "offset 200" in message, message
    # Pages 0 and 100 were read before the failure: had their cursor been committed, the next run would
    # filter out older rows further down the id order and lose them.
    assert make_pipeline("workday").state.get("sources", {}).get("workday") is None

    control(workday, "reset")
    pipeline = run()

    expected = manifest(sandbox_dir)["sources"]["workday"]["resources"]
    assert loaded_rows(pipeline)["job_postings"] == expected["jobPostings"]
    assert_raw_equals_source(warehouse, sandbox_dir)


# -- authentication


def test_a_token_expired_mid_run_is_renewed_once_and_the_request_retried(
    workday: WorkdayServer, sandbox_dir: Path, warehouse: Path
) -> None:
    expired: list[dict[str, Any]] = []

    def expire_tokens_after_first_page(item: dict[str, Any]) -> dict[str, Any]:
        # Runs while the first page's rows are processed: the next request carries a token Workday expired.
        if not expired:
            expired.append(control(workday, "expire-tokens"))
        return item

    source = workday_source()
    source.resources["students"].add_map(expire_tokens_after_first_page)
    run(source)

    counters = stats(workday)
    assert expired == [{"expired": 1}]
    assert counters["by_status"].get("401") == 1, counters
    assert counters["token_requests"] == 2
    assert_raw_equals_source(warehouse, sandbox_dir)


def test_a_short_lived_token_is_renewed_before_it_expires(
    start_workday: StartServer, sandbox_dir: Path, warehouse: Path
) -> None:
    server = start_workday(token_ttl=1)
    control(server, "faults", {"slow_every": 4, "slow_seconds": 1.0})

    run()

    counters = stats(server)
    assert counters["token_requests"] >= 3, counters
    assert "401" not in counters["by_status"], "the token should be renewed before Workday refuses it"
    assert_raw_equals_source(warehouse, sandbox_dir)


def test_a_token_refused_twice_fails_naming_the_api_client(
    start_workday: StartServer, warehouse: Path
) -> None:
    start_workday(token_ttl=0)  # every token is dead on arrival: re-authenticating cannot help

    with pytest.raises(PipelineStepFailed) as failure:
        run()

    message = str(failure.value)
    assert "401 twice" in message and "SOURCES__WORKDAY__CLIENT_ID" in message, message


def test_a_revoked_refresh_token_fails_naming_it_without_showing_it(
    workday: WorkdayServer, warehouse: Path
) -> None:
    control(workday, "revoke")

    with pytest.raises(PipelineStepFailed) as failure:
        run()

    message = str(failure.value)
    assert "Workday rejected the refresh token (SOURCES__WORKDAY__REFRESH_TOKEN)" in message, message
    assert WORKDAY_REFRESH_TOKEN not in message and WORKDAY_CLIENT_SECRET not in message


def test_a_wrong_client_secret_fails_naming_the_client_credentials(
    workday: WorkdayServer, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "not-the-client-secret-4711"
    monkeypatch.setenv("SOURCES__WORKDAY__CLIENT_SECRET", wrong)

    with pytest.raises(PipelineStepFailed) as failure:
        run()

    message = str(failure.value)
    assert "SOURCES__WORKDAY__CLIENT_SECRET" in message and "invalid_client" in message, message
    assert wrong not in message


# -- secrets


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


def test_secrets_never_reach_logs_errors_traces_or_the_warehouse(
    workday: WorkdayServer, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "DEBUG")
    capture = _Capture()
    pipeline = make_pipeline("workday")
    loggers = [logging.getLogger(), logging.getLogger("dlt"), logging.getLogger("urllib3")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        info = pipeline.run(workday_source(), loader_file_format="parquet")
        evidence = [str(info), str(pipeline.last_trace), json.dumps(pipeline.state, default=str)]
        control(workday, "revoke")  # the next run fails while authenticating
        with pytest.raises(PipelineStepFailed) as failure:
            make_pipeline("workday").run(workday_source(), loader_file_format="parquet")
        evidence += [
            "".join(traceback.format_exception(failure.value)),
            str(make_pipeline("workday").last_trace),
        ]
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)

    logs = "\n".join(capture.lines)
    assert "Making GET request" in logs, "DEBUG logging of dlt's REST client was not captured"
    assert "/token" in logs, "the token requests were not logged, so this test proves nothing about them"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in tables:
            values = con.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall()
            evidence.append(" ".join(str(value[0]) for value in values))
    files = [path for path in warehouse.parent.rglob("*") if path.is_file()]
    assert warehouse in files
    # dlt keeps loaded packages gzipped: look inside them too.
    blobs = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files]

    basic = base64.b64encode(f"{WORKDAY_CLIENT_ID}:{WORKDAY_CLIENT_SECRET}".encode()).decode()
    for secret in (WORKDAY_CLIENT_SECRET, WORKDAY_REFRESH_TOKEN, WORKDAY_CLIENT_ID, basic):
        assert secret not in logs, f"a secret reached the logs: {secret[:3]}..."
        assert all(secret not in text for text in evidence), (
            f"a secret reached an error, trace or table: {secret[:3]}..."
        )
        assert all(secret.encode() not in blob for blob in blobs), f"a secret reached a file: {secret[:3]}..."
    assert "Bearer " not in logs, "an access token reached the logs"
