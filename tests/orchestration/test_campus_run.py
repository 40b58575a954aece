"""`campus run` against a private sandbox and warehouse: zero exit when only warn-severity tests fire,
non-zero when an error-severity test fails, a summary on stdout, and a `raw_meta.pipeline_runs` row per
run. Each run goes through the command line, which starts the sandbox's stand-ins for the pipeline."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.destination import connect_working
from tests.orchestration.conftest import (
    Receiver,
    RecordedRun,
    campus_run,
    dbt_environment,
    recorded_campus_run,
)
from tests.warehouse import age_loads


def runs(warehouse: Path) -> list[tuple[object, ...]]:
    # Not read_only: dbt ran in this process and its DuckDB instance (default config) is still cached here.
    with connect_working(warehouse) as con:
        return con.execute(
            "select trigger, status, tests_warned, tests_failed, models_built, sources, stage_seconds, error"
            " from raw_meta.pipeline_runs order by started_at"
        ).fetchall()


def runs_ids(warehouse: Path) -> list[str]:
    with connect_working(warehouse) as con:
        return [
            r[0]
            for r in con.execute("select run_id from raw_meta.pipeline_runs order by started_at").fetchall()
        ]


def published_run(warehouse: Path) -> str:
    """The run the published snapshot holds."""
    with duckdb.connect(str(warehouse.parent / "published" / "campus.duckdb"), read_only=True) as con:
        (run_id,) = con.execute("select run_id from publication").fetchone() or ("",)
    return str(run_id)


@pytest.fixture
def dbt_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dbt's artefacts in the test's own folder, and no alert channel configured."""
    for name, value in dbt_environment(tmp_path / "dbt").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CAMPUS_ALERT_WEBHOOK_URL", raising=False)
    return tmp_path / "dbt"


def test_exit_code_follows_test_severity_and_every_run_is_recorded(
    first_run: RecordedRun,
    sandbox_dir: Path,
    warehouse: Path,
    dbt_in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:

    # The sandbox carries planted defects that warn-severity tests catch: warnings, yet exit 0.
    assert first_run.exit_code == 0
    out = first_run.out
    assert "models built:" in out and "wall time" in out and "oracle_sis" in out
    # the command line started the sandbox it found (same scale and seed) and timed it as the first stage
    assert f"sandbox: reusing {first_run.sandbox_dir}" in out
    assert re.search(r"== wall time ==\n  sandbox +\d+\.\d s\n  ingest ", out)
    first_run.copy_to(sandbox_dir, warehouse)  # the test goes on from what that run left
    ((trigger, status, warned, failed, built, sources, stages, error),) = runs(warehouse)
    assert (trigger, status, failed, error) == ("cli", "success", 0, None)
    assert int(warned) > 0 and int(built) > 0  # type: ignore[call-overload]
    assert json.loads(str(sources))["workday"]["rows"] > 0
    assert {"sandbox", "ingest", "freshness", "dbt build"} <= set(json.loads(str(stages)))
    # The scheduled run leaves dbt's unit tests to CI; the data tests all ran.
    kinds = {
        r["unique_id"].split(".")[0]
        for r in json.loads((first_run.dbt_dir / "target" / "run_results.json").read_text())["results"]
    }
    assert "unit_test" not in kinds and {"model", "test"} <= kinds
    # A successful build is published: readers see this run.
    published_first = published_run(warehouse)
    assert published_first == runs_ids(warehouse)[0]
    assert "== publish ==" in out and f"run {published_first} is now current" in out
    assert "publish" in json.loads(str(stages))

    # A duplicated primary key in raw SIS courses fails staging's error-severity unique test.
    with connect_working(warehouse) as con:
        con.execute("insert into raw_oracle_sis.courses select * from raw_oracle_sis.courses limit 1")
    assert campus_run(sandbox_dir, "--source", "oracle_sis") == 1
    out = capsys.readouterr().out
    assert "FAILED test.campus_pathways." in out and "FAILED dbt build" in out
    recorded = runs(warehouse)
    assert [r[:2] for r in recorded] == [("cli", "success"), ("cli", "failed")]
    last = recorded[-1]
    assert int(last[3]) >= 1 and "dbt test.campus_pathways." in str(last[7])  # type: ignore[call-overload]
    assert set(json.loads(str(last[5]))) == {"oracle_sis"}
    # The failed build published nothing: readers still see the first run.
    assert "nothing published, the previous snapshot stays current" in out
    assert published_run(warehouse) == published_first


def fact_rows(warehouse: Path) -> int:
    with connect_working(warehouse) as con:
        (count,) = con.execute("select count(*) from marts.fct_enrollment").fetchone() or (0,)
    return int(count)


@dataclass(frozen=True)
class SecondRun:
    """An ordinary `campus run` after the first, on a warehouse changed in two ways in between: fact rows lost
    (`facts_built` - 5 left) and the file drops' loads made three days old (`aged`, as `files.<table>`)."""

    run: RecordedRun
    facts_built: int
    aged: set[str]


@pytest.fixture(scope="module")
def second_run(first_run: RecordedRun, tmp_path_factory: pytest.TempPathFactory) -> SecondRun:
    """The ordinary run two tests assert on, done once: the from-date test (the lost rows stay lost) and the
    stale-sources test (the aged tables are reported, recorded and alerted). Neither change touches what the
    other test reads: the facts come from the SIS, the aged loads are the file drops'."""
    assert first_run.exit_code == 0, first_run.out
    root = tmp_path_factory.mktemp("second_run")
    first_run.copy_to(root / "sandbox", root / "warehouse" / "campus.duckdb")
    warehouse = root / "warehouse" / "campus.duckdb"
    built = fact_rows(warehouse)
    # Rows lost from the fact (say, by a bad manual fix): the oldest, so no incremental window covers them.
    with connect_working(warehouse) as con:
        con.execute(
            "delete from marts.fct_enrollment where enrollment_id in"
            " (select enrollment_id from marts.fct_enrollment order by updated_at, enrollment_id limit 5)"
        )
    # Each file drop is loaded once and no new file arrives, so the next run loads nothing into raw_files:
    # its tables keep their last load. Move those loads three days back, past the 36 h warn_after.
    aged = {f"files.{table}" for table in age_loads(warehouse, "raw_files", days=3)}
    return SecondRun(recorded_campus_run(root), built, aged)


def test_from_date_rebuilds_fact_rows_an_ordinary_run_leaves_alone(
    second_run: SecondRun, sandbox_dir: Path, warehouse: Path, dbt_in_tmp: Path
) -> None:
    # An ordinary run only looks at rows changed since the last one: the gap stays.
    assert second_run.run.exit_code == 0, second_run.run.out
    second_run.run.copy_to(sandbox_dir, warehouse)
    assert fact_rows(warehouse) == second_run.facts_built - 5
    # `campus run --from-date` reprocesses every row changed since the date (parse and build share the var).
    assert campus_run(sandbox_dir, "--from-date", "2000-01-01") == 0
    assert fact_rows(warehouse) == second_run.facts_built


def test_a_sis_lag_beyond_the_facts_window_or_below_zero_stops_the_run_before_anything_loads(
    sandbox_dir: Path, warehouse: Path, dbt_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SIS cursor re-reads rows committed up to its lag late; the incremental facts re-select only their
    own window. A SIS lag longer than that would load such rows and never build them: the run refuses."""
    from orchestration.dbt_invocation import LAG_VAR, incremental_lag_minutes, incremental_window_problem

    window = incremental_lag_minutes()
    monkeypatch.setenv("SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS", str(window * 60 + 1))
    with pytest.raises(SystemExit, match=f"{LAG_VAR}.*at least {window + 1}"):
        campus_run(sandbox_dir)
    assert not warehouse.exists()  # refused before any source loaded
    # a window widened to cover the lag (as dbt --vars would) is accepted; so is the lag equal to the window
    assert incremental_window_problem({LAG_VAR: window + 1}) is None
    monkeypatch.setenv("SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS", str(window * 60))
    assert incremental_window_problem() is None
    # a negative lag is refused as early, not left to the SIS source once the other sources have loaded
    monkeypatch.setenv("SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS", "-1")
    with pytest.raises(SystemExit, match=r"cursor_lag_seconds\) is -1 s: set it to 0 or more"):
        campus_run(sandbox_dir)
    assert not warehouse.exists()


def stale_sources(warehouse: Path) -> list[object]:
    with connect_working(warehouse) as con:
        rows = con.execute("select stale_sources from raw_meta.pipeline_runs order by started_at").fetchall()
    return [r[0] for r in rows]


def test_stale_sources_are_reported_recorded_and_alerted_without_failing_the_run(
    first_run: RecordedRun,
    second_run: SecondRun,
    sandbox_dir: Path,
    warehouse: Path,
    dbt_in_tmp: Path,
    alert_receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`campus run` checks every source's freshness after the load; a table past `warn_after` is listed in
    the summary and the run's record, and alerted on, while the run still succeeds. A table that cannot be
    checked fails the run."""
    # The first run, on fresh loads: nothing stale, so nothing listed, recorded or alerted.
    assert first_run.exit_code == 0
    assert "== source freshness ==" in first_run.out and first_run.alerts == []

    # The next run, after the file drops' loads were moved three days back (past the 36 h warn_after).
    expected = second_run.aged
    assert len(expected) >= 3
    assert second_run.run.exit_code == 0
    out = second_run.run.out
    for table in expected:
        assert f"WARN {table}: newest load 7" in out  # 72.0 h old, give or take the run's own minutes
    second_run.run.copy_to(sandbox_dir, warehouse)
    first_recorded, recorded_json = stale_sources(warehouse)
    assert first_recorded == "{}"
    recorded = json.loads(str(recorded_json))
    assert set(recorded) == expected
    assert {v["status"] for v in recorded.values()} == {"warn"}
    assert all(72 <= v["age_hours"] < 73 for v in recorded.values())
    ((body,),) = [second_run.run.alerts]
    assert body["event"] == "campus_sources_stale" and set(body["stale_sources"]) == expected
    # dbt's own record of the check, which the app's quality page reads
    with connect_working(warehouse) as con:
        warned = con.execute(
            "select unique_id, message from quality.dbt_test_results where resource_type = 'source'"
            " and status = 'warn' and run_started_at = (select max(run_started_at) from"
            " quality.dbt_test_results where resource_type = 'source')"
        ).fetchall()
    assert {uid.removeprefix("source.campus_pathways.") for uid, _ in warned} == expected
    assert all(" h before the check" in message for _, message in warned)

    # A raw table that cannot be checked at all (dropped here) fails the run, naming the table, and the
    # failure alert says so; the build still ran (and fails on the same table).
    with connect_working(warehouse) as con:
        con.execute("drop table raw_files.course_evaluations")
    assert campus_run(sandbox_dir, "--source", "files") == 1
    out = capsys.readouterr().out
    assert "RUNTIME ERROR files.course_evaluations" in out and "FAILED dbt source freshness" in out
    with connect_working(warehouse) as con:
        (error,) = con.execute(
            "select error from raw_meta.pipeline_runs order by started_at desc limit 1"
        ).fetchone() or (None,)
    assert "freshness files.course_evaluations: runtime error" in str(error)
    (failure,) = alert_receiver.bodies
    assert "freshness files.course_evaluations: runtime error" in failure["error"]
    assert failure["stale_sources"]["files.course_evaluations"]["status"] == "runtime error"
