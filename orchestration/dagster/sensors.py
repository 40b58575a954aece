"""Sensors on finished runs: the failure alert, and a `raw_meta.pipeline_runs` row for every Dagster run (a
successful run with stale sources alerts on those).

Both run in the Dagster daemon (`dagster dev` starts one) and are RUNNING by default: they only act when a run
ends. Alert channels are configured as in `orchestration.alerts` (`CAMPUS_ALERT_WEBHOOK_URL`,
`CAMPUS_ALERT_SMTP_*`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
)

from ingestion.destination import destination_name
from ingestion.registry import SOURCES
from ingestion.runner import redact
from orchestration.alerts import AlertConfig, send_alert, stale_sources_alert
from orchestration.dagster.project import dbt_target
from orchestration.run_history import RunRecord, record_run


def step_failures(context: RunFailureSensorContext) -> dict[str, str]:
    """step key -> redacted error message of every step that failed for good."""
    failures = {}
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        message = data.error.message.strip() if data and data.error else event.message or "failed"
        failures[event.step_key or "?"] = redact(message)
    return failures


def failure_payload(context: RunFailureSensorContext) -> dict[str, Any]:
    run = context.dagster_run
    return {
        "event": "campus_pipeline_failed",
        "trigger": "dagster",
        "run_id": run.run_id,
        "job_name": run.job_name,
        "schedule": run.tags.get("dagster/schedule_name"),
        "failed_steps": step_failures(context),
        "error": redact(context.failure_event.message or "run failed"),
    }


@run_failure_sensor(
    name="campus_failure_alert",
    description="POSTs / mails a redacted summary of every failed run to the configured alert channels.",
    default_status=DefaultSensorStatus.RUNNING,
)
def campus_failure_alert(context: RunFailureSensorContext) -> SkipReason | None:
    config = AlertConfig.from_env()
    if not config.channels:
        return SkipReason("no alert channel configured (CAMPUS_ALERT_WEBHOOK_URL / CAMPUS_ALERT_SMTP_*)")
    run = context.dagster_run
    sent = send_alert(f"Campus pipeline run failed: {run.job_name}", failure_payload(context), config)
    context.log.info(f"failure alert for run {run.run_id} sent via {', '.join(sent)}")
    return None


def dagster_run_record(instance: DagsterInstance, run: DagsterRun, error: str | None = None) -> RunRecord:
    """The run-history row of a finished Dagster run, from its step stats and asset events."""
    from orchestration.pipeline import quality_headline

    record = instance.get_run_record_by_id(run.run_id)
    now = datetime.now(UTC).timestamp()
    start = (record.start_time if record else None) or (
        record.create_timestamp.timestamp() if record else now
    )
    end = (record.end_time if record else None) or now
    stages: dict[str, float] = {}
    sources: dict[str, dict[str, Any]] = {}
    # Each source's dlt step is named after its pipeline, and its assets sit under its raw dataset.
    source_of_step = {source.pipeline_name: source.name for source in SOURCES}
    source_of_dataset = {source.dataset: source.name for source in SOURCES}
    for stat in instance.get_run_step_stats(run.run_id):
        if stat.start_time and stat.end_time:
            stages[stat.step_key] = stat.end_time - stat.start_time
        if stat.step_key in source_of_step:
            status = "success" if stat.status and stat.status.value == "SUCCESS" else "failed"
            sources[source_of_step[stat.step_key]] = {"status": status, "rows": 0}
    models = passed = warned = failed = 0
    stale: dict[str, dict[str, Any]] | None = None
    for entry in instance.all_logs(run.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.ASSET_OBSERVATION:
            verdict = observed_freshness(event.asset_observation_data.asset_observation.metadata)
            if verdict is not None:
                stale = stale or {}
                if verdict[1]["status"] != "pass":
                    stale[verdict[0]] = verdict[1]
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            loaded_by = source_of_dataset.get(materialization.asset_key.path[0])
            if loaded_by is not None and loaded_by in sources:
                rows = materialization.metadata.get("rows_loaded")
                count = rows.value if rows is not None else 0
                sources[loaded_by]["rows"] += int(count) if isinstance(count, int | float) else 0
            else:
                models += 1
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if evaluation.passed:
                passed += 1
            elif evaluation.severity.value == "WARN":
                warned += 1
            else:
                failed += 1
    succeeded = run.status == DagsterRunStatus.SUCCESS
    quality = quality_headline(destination_name()) if succeeded else None
    return RunRecord(
        run_id=run.run_id,
        trigger="dagster",
        job_name=run.job_name,
        target=dbt_target(),
        started_at=datetime.fromtimestamp(start, UTC),
        finished_at=datetime.fromtimestamp(end, UTC),
        status="success" if succeeded else "failed",
        stage_seconds=stages,
        sources=sources,
        stale_sources=stale,
        models_built=models,
        tests_passed=passed,
        tests_warned=warned,
        tests_failed=failed,
        quality_score=quality[1] if quality else None,
        error=error,
    )


def observed_freshness(metadata: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(`<source>.<table>`, verdict) from a raw-table asset's freshness observation; None for any other."""
    from orchestration.dagster.assets import FRESHNESS_KEY

    if FRESHNESS_KEY not in metadata:
        return None

    def value(key: str) -> Any:
        entry = metadata.get(key)
        return getattr(entry, "value", entry)

    verdict = {"status": value(FRESHNESS_KEY), "age_hours": value("age_hours"), "message": value("message")}
    return str(value("dbt_source")), verdict


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    name="campus_run_history_success",
    description="Records every successful run in raw_meta.pipeline_runs.",
    default_status=DefaultSensorStatus.RUNNING,
)
def campus_run_history_success(context: RunStatusSensorContext) -> None:
    record = dagster_run_record(context.instance, context.dagster_run)
    record_run(record, destination_name())
    # A failed run is alerted on by campus_failure_alert; a successful one still alerts on stale sources.
    if record.stale_sources and AlertConfig.from_env().channels:
        alert = stale_sources_alert(
            record.run_id, "dagster", record.job_name, record.target, record.stale_sources
        )
        sent = send_alert(*alert)
        context.log.info(f"stale-sources alert for run {record.run_id} sent via {', '.join(sent)}")


@run_failure_sensor(
    name="campus_run_history_failure",
    description="Records every failed run, with its redacted error, in raw_meta.pipeline_runs.",
    default_status=DefaultSensorStatus.RUNNING,
)
def campus_run_history_failure(context: RunFailureSensorContext) -> None:
    failures = step_failures(context)
    error = (
        "\n".join(f"{step}: {message}" for step, message in failures.items()) or context.failure_event.message
    )
    record_run(dagster_run_record(context.instance, context.dagster_run, error), destination_name())
