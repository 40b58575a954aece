"""Dagster runs for real, in-process: every asset materialised at scale 0.01 into a fresh DuckDB warehouse
with dbt invoked; a source forced to fail is retried, alerts a webhook on 127.0.0.1 and leaves the others
landed. Both runs reach raw_meta.pipeline_runs through the run-history sensors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb
import pytest
import requests
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    instance_for_test,
    materialize,
)

from ingestion.registry import SOURCE_NAMES
from orchestration.dagster import definitions
from orchestration.dagster.sensors import (
    campus_failure_alert,
    campus_run_history_failure,
    campus_run_history_success,
)
from tests.orchestration.conftest import Env, Receiver
from tests.warehouse import age_loads

WRONG_SECRET = "not-the-client-secret-7f3a9"


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as inst:
        yield inst


def pipeline_runs(env: Env) -> list[dict[str, object]]:
    with_names = env.query(
        "select run_id, trigger, status, stage_seconds, sources, models_built, tests_passed, tests_failed,"
        " error from raw_meta.pipeline_runs"
    )
    names = ("run_id", "trigger", "status", "stage_seconds", "sources", "models_built", "tests_passed")
    return [dict(zip((*names, "tests_failed", "error"), row, strict=True)) for row in with_names]


def test_materialise_everything_builds_queryable_marts(
    pipeline_env: Env, instance: DagsterInstance, alert_receiver: Receiver
) -> None:
    assets = [
        *definitions.source_assets,
        definitions.dbt_models,
        definitions.published,
        *definitions.mart_checks,
    ]
    result = materialize(assets, resources=definitions.resources(), instance=instance, raise_on_error=False)
    failures = [e.message for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert result.success, failures
    # The job ends with the publish: readers' snapshot holds this Dagster run.
    snapshot = pipeline_env.warehouse.parent / "published" / "campus.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("select run_id from publication").fetchone() == (result.run_id,)

    marts = pipeline_env.tables("marts")
    assert {"dim_student", "dim_course"} <= marts, marts
    assert pipeline_env.query("select count(*) from marts.dim_student")[0][0] > 0
    if "rec_student_jobs" in pipeline_env.tables("recommendations"):
        assert pipeline_env.query("select count(*) from recommendations.rec_student_jobs")[0][0] > 0
    checks = {
        e.asset_check_evaluation_data.check_name
        for e in result.all_events
        if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION and e.asset_check_evaluation_data.passed
    }
    assert "has_rows" in checks
    # Load history written per source, under the Dagster run id.
    loaded = pipeline_env.query(
        "select distinct source from raw_meta.load_history"
        f" where status = 'success' and run_id like '{result.run_id}:%'"
    )
    assert {r[0] for r in loaded} == {"oracle_sis", "workday", "tableau", "files"}

    event = result.get_run_success_event()
    context = build_run_status_sensor_context(
        sensor_name="campus_run_history_success",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    )
    campus_run_history_success(context)
    (run,) = [r for r in pipeline_runs(pipeline_env) if r["run_id"] == result.run_id]
    assert (run["trigger"], run["status"]) == ("dagster", "success")
    assert int(run["models_built"]) > 10 and int(run["tests_passed"]) > 10  # type: ignore[call-overload]
    assert "campus_dbt_models" in json.loads(str(run["stage_seconds"]))
    assert json.loads(str(run["sources"]))["oracle_sis"]["rows"] > 0
    # The dbt step checked every raw table's freshness first: all fresh, so nothing stale and no alert.
    verdicts = freshness_observations(result.all_events)
    declared = {
        f"{p['source_name']}.{p['name']}"
        for p in definitions.manifest["sources"].values()
        if p["source_name"] in SOURCE_NAMES
    }
    assert set(verdicts) == declared and set(verdicts.values()) == {"pass"}
    assert stale_sources(pipeline_env, result.run_id) == {} and alert_receiver.bodies == []

    # The file drops are loaded once: moved three days back, their tables are stale at the next dbt step.
    # The step checks every source's freshness before it builds anything, whatever it is asked to build:
    # here only the staging models that read those tables, rather than every model a second time.
    files = age_loads(pipeline_env.warehouse, "raw_files", days=3)
    files_staging = [key for key in definitions.dbt_models.keys if key.path[-1].startswith("stg_files__")]
    assert files_staging
    again = materialize(
        [definitions.dbt_models],
        resources=definitions.resources(),
        instance=instance,
        selection=files_staging,
    )
    assert {e.asset_key for e in again.get_asset_materialization_events()} == set(files_staging)
    stale = {f"files.{table}" for table in files}
    verdicts = freshness_observations(again.all_events)
    assert {table for table, status in verdicts.items() if status != "pass"} == stale
    assert {verdicts[table] for table in stale} == {"warn"}  # a warning: the run still succeeds
    campus_run_history_success(
        build_run_status_sensor_context(
            sensor_name="campus_run_history_success",
            dagster_event=again.get_run_success_event(),
            dagster_instance=instance,
            dagster_run=again.dagster_run,
        )
    )
    recorded = stale_sources(pipeline_env, again.run_id)
    assert set(recorded) == stale and all(72 <= v["age_hours"] < 73 for v in recorded.values())
    ((body,),) = [alert_receiver.bodies]
    assert (body["event"], body["trigger"]) == ("campus_sources_stale", "dagster")
    assert body["run_id"] == again.run_id
    assert set(body["stale_sources"]) == stale


def freshness_observations(events: list[DagsterEvent]) -> dict[str, str]:
    """`<source>.<table>` -> dbt's freshness verdict, from the run's raw-table asset observations."""
    verdicts = {}
    for event in events:
        if event.event_type == DagsterEventType.ASSET_OBSERVATION:
            metadata = event.asset_observation_data.asset_observation.metadata
            if "dbt_freshness" in metadata:
                verdicts[str(metadata["dbt_source"].value)] = str(metadata["dbt_freshness"].value)
    return verdicts


def stale_sources(env: Env, run_id: str) -> dict[str, dict[str, object]]:
    ((value,),) = env.query(f"select stale_sources from raw_meta.pipeline_runs where run_id = '{run_id}'")
    stale: dict[str, dict[str, object]] = json.loads(str(value))
    return stale


def test_failing_source_is_retried_then_alerts_while_others_land(
    pipeline_env: Env, instance: DagsterInstance, alert_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__WORKDAY__CLIENT_SECRET", WRONG_SECRET)
    result = materialize(
        definitions.source_assets, resources=definitions.resources(), instance=instance, raise_on_error=False
    )
    assert not result.success

    # Retried: 1 attempt + CAMPUS_RETRY_MAX (3) retries, each asking Workday for a token and being refused.
    retries = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
    assert [e.step_key for e in retries] == ["campus_workday"] * 3
    stats = requests.get(f"{pipeline_env.sandbox.workday.url}/_sandbox/stats", timeout=10).json()
    assert stats["token_requests"] >= 4 and stats["data_requests"] == 0, stats
    failed_steps = {e.step_key for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE}
    assert failed_steps == {"campus_workday"}

    # The independent sources landed.
    for schema, table in [
        ("raw_oracle_sis", "students"),
        ("raw_tableau", "student_analytics"),
        ("raw_files", "attendance_lab"),
    ]:
        assert pipeline_env.query(f"select count(*) from {schema}.{table}")[0][0] > 0, (schema, table)
    assert "students" not in pipeline_env.tables("raw_workday")
    attempts = pipeline_env.query(
        "select count(*) from raw_meta.load_history where source = 'workday' and status = 'failed'"
    )[0][0]
    assert attempts == 4

    # The alert reaches the receiver, names the failed step, and carries no secret.
    context = build_run_status_sensor_context(
        sensor_name="campus_failure_alert",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    campus_failure_alert(context)
    assert len(alert_receiver.bodies) == 1
    alert = alert_receiver.bodies[0]
    assert alert["run_id"] == result.run_id and "campus_workday" in alert["failed_steps"]
    assert "workday" in alert["failed_steps"]["campus_workday"]
    assert WRONG_SECRET.encode() not in alert_receiver.raw[0]

    campus_run_history_failure(context)
    (run,) = [r for r in pipeline_runs(pipeline_env) if r["run_id"] == result.run_id]
    assert (run["trigger"], run["status"]) == ("dagster", "failed")
    assert "campus_workday" in str(run["error"]) and WRONG_SECRET not in str(run["error"])
    assert json.loads(str(run["sources"]))["workday"]["status"] == "failed"
    assert json.loads(str(run["sources"]))["oracle_sis"]["status"] == "success"


def test_dbt_asset_refuses_a_sis_lag_beyond_the_facts_window(
    pipeline_env: Env, instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `campus run` does: the dbt step fails, naming the var to raise, before dbt builds anything."""
    from orchestration.dbt_invocation import LAG_VAR

    monkeypatch.setenv("SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS", "86400")
    result = materialize(
        [definitions.dbt_models], resources=definitions.resources(), instance=instance, raise_on_error=False
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert LAG_VAR in str(failure.step_failure_data.error), failure.step_failure_data.error
    assert not pipeline_env.warehouse.exists() or not pipeline_env.tables("marts")
