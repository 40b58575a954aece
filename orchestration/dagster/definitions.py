"""`defs`: everything Dagster loads for Campus Pathways (`dagster dev -m orchestration.dagster.definitions`).

Config read (environment variables), besides the connectors' own (see `ingestion/`) and `DBT_TARGET`:
- `CAMPUS_DEPLOYED=1`: the daily schedule starts RUNNING (deployed); otherwise it starts STOPPED.
- `CAMPUS_SCHEDULE_TIMEZONE` (default `UTC`): the time zone of `0 6 * * *`.
- `CAMPUS_DESTINATION`: on DuckDB (the default) every step runs in one process, one after another: DuckDB
  admits one writing process per file. On Snowflake the steps run in parallel processes.

The connectors read their configuration from the environment as `campus run` does: locally `make orchestrate`
(`campus orchestrate`) starts the sandbox and exports its variables before starting `dagster dev`; deployed,
the real systems' variables are set on the Dagster processes.
"""

from __future__ import annotations

import json
import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)
from dagster_dbt import DbtCliResource
from dagster_dlt import DagsterDltResource

from ingestion.destination import destination_name
from ingestion.registry import SOURCES
from orchestration.dagster.assets import (
    build_dbt_assets,
    build_exposures,
    build_mart_checks,
    build_publish_asset,
    build_source_assets,
)
from orchestration.dagster.privacy import campus_erasure
from orchestration.dagster.project import dbt_project, prepared_project
from orchestration.dagster.sensors import (
    campus_failure_alert,
    campus_run_history_failure,
    campus_run_history_success,
)

DAILY_CRON = "0 6 * * *"

manifest = json.loads(prepared_project().manifest_path.read_text())

source_assets = [build_source_assets(source) for source in SOURCES]
dbt_models = build_dbt_assets(manifest)
exposures = build_exposures(manifest)
mart_checks = build_mart_checks(manifest)
published = build_publish_asset(dbt_models)

campus_daily = define_asset_job(
    "campus_daily",
    selection=AssetSelection.all(),
    description="Every source, then dbt build of every model and test, the mart checks, then the publish.",
)

campus_daily_schedule = ScheduleDefinition(
    name="campus_daily_schedule",
    job=campus_daily,
    cron_schedule=DAILY_CRON,
    execution_timezone=os.environ.get("CAMPUS_SCHEDULE_TIMEZONE", "UTC"),
    default_status=(
        DefaultScheduleStatus.RUNNING
        if os.environ.get("CAMPUS_DEPLOYED") == "1"
        else DefaultScheduleStatus.STOPPED
    ),
)


def resources() -> dict[str, object]:
    return {
        "dlt": DagsterDltResource(),
        "dbt": DbtCliResource(project_dir=dbt_project()),
    }


defs = Definitions(
    assets=[*source_assets, dbt_models, published, *exposures],
    asset_checks=mart_checks,
    jobs=[campus_daily, campus_erasure],
    schedules=[campus_daily_schedule],
    sensors=[campus_failure_alert, campus_run_history_success, campus_run_history_failure],
    resources=resources(),
    executor=in_process_executor if destination_name() == "duckdb" else multiprocess_executor,
)
