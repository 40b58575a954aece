"""Every source together through `campus ingest`: reconciliation, re-runs, a failed source, a killed run,
and secrets kept out of logs and load history. Real sandbox servers, real DuckDB, dlt really run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import requests

from ingestion.oracle_sis import DEFAULT_CURSOR_LAG_SECONDS
from ingestion.registry import SOURCES
from ingestion.runner import run_sources
from orchestration.ingest import run_ingest
from sandbox import credentials as cred
from sandbox.serve import Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
SIS_TABLES = [
    "STUDENTS",
    "COURSES",
    "COURSE_SKILLS",
    "ENROLLMENTS",
    "ACADEMIC_RECORDS",
    "ATTENDANCE",
    "ASSESSMENTS",
]
WORKDAY_TABLES = {
    "students": "students",
    "academicPrograms": "academic_programs",
    "jobPostings": "job_postings",
    "jobPlacements": "job_placements",
}
SECRETS = [cred.WORKDAY_CLIENT_SECRET, cred.WORKDAY_REFRESH_TOKEN, cred.TABLEAU_PAT_SECRET]


@pytest.fixture
def sandbox(sandbox_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with running_sandbox(sandbox_dir) as running:
        for name, value in running.environment().items():
            monkeypatch.setenv(name, value)
        yield running


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def raw_counts(warehouse: Path) -> dict[str, int]:
    """Rows per raw table; not dlt's `*_staging` datasets, which hold only the last merge's batch."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("""select table_schema || '.' || table_name from information_schema.tables
                                where table_schema like 'raw_%' and table_schema <> 'raw_meta'
                                and table_schema not like '%\\_staging' escape '\\'
                                and table_name not like '_dlt%'""").fetchall()
        return {t[0]: count(con, t[0]) for t in tables}


def expected_counts(sandbox_dir: Path) -> dict[str, int]:
    manifest = json.loads((sandbox_dir / "manifest.json").read_text())
    sources = manifest["sources"]
    bad = set(manifest["planted_defects"]["malformed_file_drop"]["ids"])
    files: dict[str, int] = {}
    for name, rows in sources["files"]["files"].items():
        if name not in bad:
            kind = "_".join(part for part in Path(name).stem.split("_") if not part.isdigit())
            files[f"raw_files.{kind}"] = files.get(f"raw_files.{kind}", 0) + rows
    return {
        **{f"raw_oracle_sis.{t.lower()}": n for t, n in sources["oracle_sis"]["tables"].items()},
        **{f"raw_workday.{WORKDAY_TABLES[r]}": n for r, n in sources["workday"]["resources"].items()},
        "raw_tableau.student_analytics": sources["tableau"]["views"]["Student Analytics"],
        "raw_tableau.job_market_trends": sources["tableau"]["views"]["Job Market Trends"],
        **files,
    }


def sis_lag_window_rows(sandbox_dir: Path) -> int:
    """SIS rows stamped within the cursor's lag window below each table's latest UPDATED_AT: what a re-run of
    the SIS source reads again (and merges onto themselves)."""
    total = 0
    with sqlite3.connect(sandbox_dir / "sis.sqlite") as con:
        for table in SIS_TABLES:
            (latest,) = con.execute(f'SELECT MAX("UPDATED_AT") FROM "{table}"').fetchone()
            start = datetime.fromisoformat(latest) - timedelta(seconds=DEFAULT_CURSOR_LAG_SECONDS)
            since = start.strftime("%Y-%m-%d %H:%M:%S.%f")
            query = f'SELECT COUNT(*) FROM "{table}" WHERE "UPDATED_AT" >= ?'
            (rows,) = con.execute(query, [since]).fetchone()
            total += rows
    return total


def test_every_source_reconciles_and_a_rerun_adds_nothing(sandbox: Sandbox, warehouse: Path) -> None:
    # Every setting the sandbox hands the connectors lies in a registered source's config section.
    sections = tuple(source.config_section.replace(".", "__").upper() + "__" for source in SOURCES)
    assert [name for name in sandbox.environment() if not name.startswith(sections)] == []
    results = run_sources()
    assert {r.source: r.status for r in results} == dict.fromkeys(
        ("oracle_sis", "workday", "tableau", "files"), "success"
    ), [r.error for r in results]
    expected = expected_counts(sandbox.data_dir)
    landed = raw_counts(warehouse)
    for table, rows in expected.items():
        assert landed.get(table) == rows, table
    # The registry declares exactly the tables each source lands, dlt's child tables included.
    assert set(landed) == {f"{source.dataset}.{table}" for source in SOURCES for table in source.raw_tables}

    again = run_sources()
    assert all(r.status == "success" for r in again)
    # Incremental sources find nothing new; the SIS re-reads its lag window (merged, so raw is unchanged);
    # Tableau replaces today's snapshot with the same rows.
    window = sis_lag_window_rows(sandbox.data_dir)
    assert window > 0
    assert {r.source: r.rows_loaded for r in again if r.source != "tableau"} == {
        "oracle_sis": window,
        "workday": 0,
        "files": 0,
    }
    assert raw_counts(warehouse) == landed

    with duckdb.connect(str(warehouse), read_only=True) as con:
        history = con.execute("""select source, status, count(distinct run_id), sum(rows_loaded)
                                 from raw_meta.load_history group by 1, 2 order by 1""").fetchall()
    assert [(s, st, runs) for s, st, runs, _ in history] == [
        ("files", "success", 2),
        ("oracle_sis", "success", 2),
        ("tableau", "success", 2),
        ("workday", "success", 2),
    ]
    sis_rows = next(rows for s, _, _, rows in history if s == "oracle_sis")
    assert sis_rows == sum(n for t, n in expected.items() if t.startswith("raw_oracle_sis.")) + window

    # The loads kept no copy of the rows: no job files in dlt's completed packages, empty staging tables.
    pipelines = warehouse.parent / ".dlt_pipelines"
    packages = list(pipelines.glob("*/load/loaded/*"))
    assert packages, "no completed load package found where dlt keeps them"
    assert [path for path in pipelines.glob("*/load/loaded/*/completed_jobs/*") if path.is_file()] == []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        staged = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema like '%\\_staging' escape '\\' and table_name not like '\\_dlt%' escape '\\'"
        ).fetchall()
        assert staged, "no merge staging dataset found"
        assert {f"{schema}.{table}": count(con, f"{schema}.{table}") for schema, table in staged} == {
            f"{schema}.{table}": 0 for schema, table in staged
        }


def test_a_failed_source_is_reported_and_the_others_still_land(
    sandbox: Sandbox, warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCES__WORKDAY__CLIENT_SECRET", "wrong-client-secret-value")
    assert run_ingest() == 1
    out = capsys.readouterr().out
    assert "workday" in out and "failed" in out
    landed = raw_counts(warehouse)
    assert not any(t.startswith("raw_workday.") for t in landed)
    assert landed["raw_oracle_sis.students"] > 0 and landed["raw_tableau.student_analytics"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failed = con.execute("""select table_name, error from raw_meta.load_history
                                where source = 'workday' and status = 'failed'""").fetchall()
    assert len(failed) == 1 and failed[0][0] == "*"
    assert "CLIENT_SECRET" in failed[0][1] or "client" in failed[0][1].lower()
    assert "wrong-client-secret-value" not in failed[0][1]


def cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_run_killed_mid_load_recovers_without_loss_or_duplicates(sandbox: Sandbox, warehouse: Path) -> None:
    # Slow Workday pages keep the run busy long enough to be killed in the middle of it.
    requests.post(
        f"{sandbox.workday.url}/_sandbox/faults", json={"slow_every": 1, "slow_seconds": 0.3}, timeout=5
    ).raise_for_status()
    proc = cli(["ingest"], dict(os.environ))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stats = requests.get(f"{sandbox.workday.url}/_sandbox/stats", timeout=5).json()
        if stats["data_requests"] >= 3:
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the ingest process never reached Workday")
    proc.send_signal(signal.SIGKILL)  # dlt handles SIGTERM itself; a kill is what a crash looks like
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    requests.post(f"{sandbox.workday.url}/_sandbox/reset", timeout=5).raise_for_status()
    rerun = cli(["ingest"], dict(os.environ))
    output, _ = rerun.communicate(timeout=240)
    assert rerun.returncode == 0, output
    landed = raw_counts(warehouse)
    for table, rows in expected_counts(sandbox.data_dir).items():
        assert landed.get(table) == rows, table
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, key in (
            ("raw_oracle_sis.enrollments", "enrollment_id"),
            ("raw_workday.students", "id"),
            ("raw_workday.job_postings", "id"),
        ):
            assert con.execute(f"select count(*) - count(distinct {key}) from {table}").fetchone()[0] == 0


def test_secrets_never_reach_logs_errors_or_the_warehouse(sandbox: Sandbox, warehouse: Path) -> None:
    env = dict(os.environ, RUNTIME__LOG_LEVEL="DEBUG")
    proc = cli(["--verbose", "ingest"], env)
    output, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, output
    # A second run with a revoked Workday grant produces an error path too.
    requests.post(f"{sandbox.workday.url}/_sandbox/revoke", timeout=5).raise_for_status()
    failing = cli(["--verbose", "ingest", "--source", "workday"], env)
    failed_output, _ = failing.communicate(timeout=240)
    assert failing.returncode == 1
    assert "REFRESH_TOKEN" in failed_output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        history = json.dumps(con.execute("select * from raw_meta.load_history").fetchall(), default=str)
    warehouse_bytes = warehouse.read_bytes()
    for secret in SECRETS:
        assert secret not in output
        assert secret not in failed_output
        assert secret not in history
        assert secret.encode() not in warehouse_bytes
