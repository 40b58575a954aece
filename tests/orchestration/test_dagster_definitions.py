"""The Dagster definitions load, carry the daily schedule, and wire lineage from raw tables to marts."""

from __future__ import annotations

import importlib
import json

import pytest
from dagster import AssetKey, DefaultScheduleStatus, DefaultSensorStatus

from ingestion.registry import REGISTRY, SOURCES
from orchestration.dagster import definitions
from orchestration.dagster.assets import DBT_TRANSLATOR, raw_table_key
from orchestration.dagster.project import MANIFEST_PATH


def test_definitions_resolve_jobs_schedule_sensors_and_assets() -> None:
    repo = definitions.defs.get_repository_def()
    assert {"campus_daily", "campus_erasure", "__ASSET_JOB"} <= {job.name for job in repo.get_all_jobs()}
    schedule = repo.get_schedule_def("campus_daily_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "campus_daily"
    sensors = {s.name: s for s in repo.sensor_defs}
    assert set(sensors) == {
        "campus_failure_alert",
        "campus_run_history_success",
        "campus_run_history_failure",
    }
    assert all(s.default_status == DefaultSensorStatus.RUNNING for s in sensors.values())
    # Every raw table of every source is an asset of that source's dlt step.
    keys = repo.asset_graph.get_all_asset_keys()
    for source in SOURCES:
        for table in source.raw_tables:
            assert raw_table_key(source.name, table) in keys, (source.name, table)


def test_registry_declares_the_raw_tables_dbt_reads() -> None:
    manifest = json.loads(MANIFEST_PATH.read_text())
    for source in SOURCES:
        read = {
            (table.get("identifier") or table["name"]).lower()
            for table in manifest["sources"].values()
            if table["source_name"] == source.name
        }
        assert read == set(source.raw_tables), source.name
        assert {
            table["schema"] for table in manifest["sources"].values() if table["source_name"] == source.name
        } == {source.dataset}


def test_schedule_runs_by_default_only_when_deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert definitions.campus_daily_schedule.default_status == DefaultScheduleStatus.STOPPED
    monkeypatch.setenv("CAMPUS_DEPLOYED", "1")
    try:
        deployed = importlib.reload(definitions)
        assert deployed.campus_daily_schedule.default_status == DefaultScheduleStatus.RUNNING
    finally:
        monkeypatch.delenv("CAMPUS_DEPLOYED")
        importlib.reload(definitions)


def test_dbt_sources_map_onto_dlt_assets_and_lineage_reaches_marts() -> None:
    manifest = json.loads(MANIFEST_PATH.read_text())
    graph = definitions.defs.get_repository_def().asset_graph
    dlt_keys = {spec.key for assets in definitions.source_assets for spec in assets.specs}
    # Each dbt source table of an ingested system resolves to a dlt asset (child tables to their parent).
    for source in manifest["sources"].values():
        if source["source_name"] in REGISTRY:
            key = raw_table_key(source["source_name"], source.get("identifier") or source["name"])
            assert key in dlt_keys, (
                f"dbt source {source['unique_id']} has no dlt asset ({key.to_user_string()})"
            )
    assert raw_table_key("workday", "job_postings__skills") == AssetKey(["raw_workday", "job_postings"])

    def downstream(key: AssetKey) -> set[AssetKey]:
        seen, todo = set(), [key]
        while todo:
            for child in graph.get(todo.pop()).child_keys:
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    marts = {
        DBT_TRANSLATOR.get_asset_key(n)
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] in ("marts", "recommendations")
    }
    assert marts, "no marts in the dbt manifest yet"
    # Every source feeds at least one model, and the SIS student table reaches dim_student.
    for registered in SOURCES:
        reached = set().union(*(downstream(k) for k in dlt_keys if k.path[0] == registered.dataset))
        assert reached, f"nothing in dbt reads {registered.dataset}"
    dim_student = AssetKey(["marts", "dim_student"])
    if dim_student in marts:
        assert dim_student in downstream(AssetKey(["raw_oracle_sis", "students"]))
    # The app (a dbt exposure, when declared) sits downstream of the raw tables it ultimately reads.
    from_raw = set().union(*(downstream(k) for k in dlt_keys))
    for exposure in definitions.exposures:
        assert exposure.key in from_raw, (
            f"exposure {exposure.key.to_user_string()} is not fed by any raw table"
        )
