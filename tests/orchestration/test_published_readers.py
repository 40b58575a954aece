"""Readers never block a run and never see a half-built warehouse; a run blocked by a holder of the working
file fails clearly, is recorded and alerted. Real processes: a reader looping over the published snapshot, a
holder of the working warehouse, and `campus run` itself as a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from app import audit
from sandbox.advance import advance
from tests.conftest import TEST_SCALE, TEST_SEED
from tests.orchestration.conftest import Receiver, RecordedRun, dbt_environment
from tests.warehouse import ROOT

# Reads the snapshot in a loop, reopening it each time, and reports what every read saw: the run it holds, and
# whether every table's row count agrees with the count the snapshot recorded for it (a whole, one-run view).
READER = textwrap.dedent(
    """
    import json, sys, time, pathlib, duckdb
    snapshot, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    while True:
        stopping = stop.exists()  # one last read after the test says stop: it sees the newest run
        try:
            with duckdb.connect(snapshot, read_only=True) as con:
                run_id = con.execute("select run_id from publication").fetchone()[0]
                listed = "select table_schema, table_name, row_count from published_tables"
                tables = con.execute(listed).fetchall()
                whole = all(
                    con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] == n for s, t, n in tables
                )
                runs = con.execute("select run_id from operations.ops_pipeline_runs").fetchall()
                history = [r[0] for r in runs]
            print(json.dumps({"run_id": run_id, "whole": whole, "tables": len(tables), "history": history}))
        except Exception as exc:
            print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        sys.stdout.flush()
        if stopping:
            break
        time.sleep(0.05)
    """
)

HOLDER = textwrap.dedent(
    """
    import sys, time, pathlib, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("holding", flush=True)
    while not pathlib.Path(sys.argv[2]).exists():
        time.sleep(0.05)
    con.close()
    """
)


def campus_run(sandbox_dir: Path) -> subprocess.CompletedProcess[str]:
    """`campus run` as its own process, as an operator or a scheduler starts it."""
    data = ["--data", str(sandbox_dir), "--scale", str(TEST_SCALE), "--seed", str(TEST_SEED)]
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", *data, "--target", "ci"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
        timeout=600,
    )


def last_run_id(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select run_id from raw_meta.pipeline_runs order by started_at desc limit 1"
        ).fetchone()
    return str(row[0]) if row else ""


def test_readers_and_runs_never_block_each_other(
    first_run: RecordedRun,
    sandbox_dir: Path,
    warehouse: Path,
    tmp_path: Path,
    alert_receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    snapshot = warehouse.parent / "published" / "campus.duckdb"
    for name, value in dbt_environment(tmp_path / "dbt").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CAMPUS_LOCK_WAIT_SECONDS", "1")
    # Start from the session's first run (sandbox, warehouse and its published snapshot): the runs below,
    # each a `campus run` process, are the ones the reader reads through.
    assert first_run.exit_code == 0, first_run.out
    first_run.copy_to(sandbox_dir, warehouse)
    runs = [last_run_id(warehouse)]
    # The app's access audit lives beside the warehouse (its default place): the runs must leave it alone.
    monkeypatch.delenv("CAMPUS_AUDIT_DB", raising=False)
    audited = audit.record(
        [audit.Event("someone@staff.example", ["adviser"], "profile_view", student_key="s-1")]
    )
    assert audit.audit_path() == warehouse.parent / "audit" / "access.sqlite"

    stop = tmp_path / "stop-reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(snapshot), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        # A process holding the working warehouse (a BI tool pointed at the wrong file) blocks the next run:
        # one clear failure naming it, no traceback, the run kept and alerted.
        release = tmp_path / "release-holder"
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(warehouse), str(release)], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        blocked = campus_run(sandbox_dir)
        release.touch()
        holder.wait(timeout=30)
        assert blocked.returncode == 1
        assert f"held by process {holder.pid}" in blocked.stdout
        assert "Traceback" not in blocked.stdout + blocked.stderr
        assert [a for a in alert_receiver.bodies if "warehouse locked" in json.dumps(a)]
        kept = list((warehouse.parent / "pending_runs").glob("*.json"))
        assert len(kept) == 1
        blocked_id = kept[0].stem

        # The next run records the blocked one; then a sandbox day and another run, with the reader reading.
        second = campus_run(sandbox_dir)
        assert second.returncode == 0, second.stdout + second.stderr
        runs.append(last_run_id(warehouse))
        assert not list((warehouse.parent / "pending_runs").glob("*.json"))
        advance(sandbox_dir, days=1)
        third = campus_run(sandbox_dir)
        assert third.returncode == 0, third.stdout + third.stderr
        runs.append(last_run_id(warehouse))
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = dict(con.execute("select run_id, status from raw_meta.pipeline_runs").fetchall())
    assert statuses[blocked_id] == "failed"
    rows = audit.events()
    assert list(zip(rows["request_id"], rows["student_key"], strict=True)) == [(audited, "s-1")]

    reads = [json.loads(line) for line in out.splitlines()]
    assert reads and not [r for r in reads if "error" in r]  # every read of the snapshot succeeded
    assert all(r["whole"] and r["tables"] > 10 for r in reads)  # and each saw one whole run
    seen = [r["run_id"] for r in reads]
    assert set(seen) <= set(runs) and seen[-1] == runs[-1]  # reopening sees the newest run
    assert seen == sorted(seen, key=runs.index)  # never back to an older run
    # From the second run on, the snapshot's run history includes the run it holds.
    assert all(r["run_id"] in r["history"] for r in reads if r["run_id"] != runs[0])
