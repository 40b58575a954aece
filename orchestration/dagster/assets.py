"""The assets: one dagster-dlt multi-asset per source of `ingestion.registry` (one asset per raw table, built
from the registry's declarations), the dbt project through
dagster-dbt with its sources mapped onto those raw-table assets (its step checks their freshness first and
records each verdict as an observation of the raw-table asset), the dbt exposures (the app) and row-count
checks on the key marts.

Config read (environment variables):
- `CAMPUS_RETRY_MAX` (default 3) and `CAMPUS_RETRY_DELAY_SECONDS` (default 30): a failed source is retried
  with exponential backoff (delay, 2 x delay, 4 x delay, ...), independently of the other sources.
"""

# No `from __future__ import annotations`: Dagster inspects the real annotations of asset functions.

import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import dlt
from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    RetryRequested,
    asset,
    asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.common.schema import Schema
from dlt.extract import DltSource

from ingestion.destination import dataset_name, destination_name, make_pipeline, warehouse_sql
from ingestion.registry import REGISTRY, Source
from ingestion.runner import SourceResult, loaded_tables, record_history, redact
from orchestration.dagster.project import pin_warehouse_path
from orchestration.dbt_invocation import (
    FreshnessOutcome,
    freshness_from_artifact,
    freshness_selection,
    incremental_window_problem,
)
from orchestration.publish import PublishError, publish_warehouse

# Marts that must never be empty after a build (checked only when the manifest has them).
NON_EMPTY_MODELS = ("dim_student", "rec_student_jobs", "search_documents")


def retry_settings() -> tuple[int, float]:
    return int(os.environ.get("CAMPUS_RETRY_MAX", "3")), float(
        os.environ.get("CAMPUS_RETRY_DELAY_SECONDS", "30")
    )


# ---------------------------------------------------------------------------------------------------- dlt


def source_shape(source: Source) -> DltSource:
    """A stand-in with the real source's name and resources, for asset specs at load time.

    The real source resolves credentials and (SIS) reflects the database when built, which must not happen
    every time a code location loads; it is built at run time instead. Its resources must match this shape
    (the registry's declarations): an undeclared one fails the run naming the asset key.
    """
    resources = [dlt.resource([], name=res, table_name=table) for res, table in source.resources.items()]
    return DltSource(Schema(source.name), source.name, resources)


def raw_table_key(source: str, table: str) -> AssetKey:
    """`raw_<source>/<table>`; a dlt child table (`job_postings__skills`) maps to its parent's asset."""
    registered = REGISTRY.get(source)
    if registered is None:  # a dbt source no connector lands (the pipeline's own `meta`)
        return AssetKey([dataset_name(source), table.lower()])
    return AssetKey([registered.dataset, registered.parent_table(table)])


class CampusDltTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        source = REGISTRY[data.resource.source_name]
        return spec.replace_attributes(
            key=raw_table_key(source.name, str(data.resource.table_name)),
            deps=[],  # the source system is outside Dagster: no placeholder upstream assets
            group_name=source.dataset,
            description=f"Raw table landed by ingestion/{source.name} (dlt pipeline {source.pipeline_name}).",
        )


def _record_load(run_id: str, name: str, started: datetime, pipeline: Any, error: str | None) -> None:
    tables = loaded_tables(pipeline) if error is None else []
    status = "success" if error is None else "failed"
    result = SourceResult(name, status, started, datetime.now(UTC), tables, error)
    record_history(run_id, destination_name(), [result])


def build_source_assets(source: Source) -> AssetsDefinition:
    name = source.name

    # The step is named after the pipeline (`campus_<name>`): the run-history sensor reads the source back
    # from it.
    @dlt_assets(
        dlt_source=source_shape(source),
        dlt_pipeline=make_pipeline(name),
        name=source.pipeline_name,
        dagster_dlt_translator=CampusDltTranslator(),
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        max_retries, delay = retry_settings()
        attempt = context.retry_number
        # One load-history run id per attempt: each attempt is a load of its own.
        load_run_id = f"{context.run_id}:{attempt}"
        started = datetime.now(UTC)
        pipeline = make_pipeline(name)
        try:
            yield from dlt.run(
                context=context,
                dlt_source=source.source(),
                dlt_pipeline=pipeline,
                loader_file_format=source.loader_file_format,
            )
        except Exception as exc:
            # Only the redacted text reaches Dagster's event log (`from None`: no traceback with secrets).
            error = redact(f"{type(exc).__name__}: {exc}")
            _record_load(load_run_id, name, started, pipeline, error)
            if attempt < max_retries:
                wait = delay * 2**attempt
                context.log.warning(
                    f"source {name} failed (attempt {attempt + 1} of {max_retries + 1}); "
                    f"retrying in {wait:.1f} s: {error}"
                )
                raise RetryRequested(max_retries=max_retries, seconds_to_wait=wait) from None
            raise Failure(
                description=f"source {name} failed after {attempt + 1} attempts: {error}",
                metadata={"source": name, "attempts": attempt + 1},
            ) from None
        _record_load(load_run_id, name, started, pipeline, None)

    return _assets


# ---------------------------------------------------------------------------------------------------- dbt


class CampusDbtTranslator(DagsterDbtTranslator):
    """dbt sources onto the dlt assets (`source:workday.job_postings` -> `raw_workday/job_postings`); models
    grouped by layer (`staging`, `marts`, ...)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return raw_table_key(dbt_resource_props["source_name"], table)
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        return str(fqn[1]) if len(fqn) > 2 else "dbt"


# Child tables share their parent's asset: several dbt sources may carry one key.
DBT_TRANSLATOR = CampusDbtTranslator(DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


def build_dbt_assets(manifest: Mapping[str, Any]) -> AssetsDefinition:
    @dbt_assets(manifest=manifest, dagster_dbt_translator=DBT_TRANSLATOR, name="campus_dbt_models")
    def _models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        # An error-severity test failing ends the step (and the run) as failed; warn-severity ones are
        # reported as failed checks with WARN severity and leave the run green.
        pin_warehouse_path()  # dbt resolves a relative DuckDB path from dbt_project/, dlt from here
        problem = incremental_window_problem()
        if problem:
            raise Failure(description=problem)
        # As `campus run` does: the raw tables' freshness first, one observation per source table on its
        # raw-table asset; a table that could not be checked fails the step once the build has run.
        freshness = check_source_freshness(dbt)
        yield from freshness_observations(freshness)
        yield from dbt.cli(["build"], context=context).stream()
        if freshness.errored:
            raise Failure(description="dbt source freshness: " + "; ".join(freshness.failures))

    return _models


# Metadata key of a source table's freshness verdict on its raw-table asset's observations.
FRESHNESS_KEY = "dbt_freshness"


def check_source_freshness(dbt: DbtCliResource) -> FreshnessOutcome:
    """`dbt source freshness` on every ingestion source's tables, read from the `sources.json` it leaves."""
    # one --select value: dagster-dbt takes only the first word after the flag as the selection
    selection = " ".join(freshness_selection())
    invocation = dbt.cli(["source", "freshness", "--select", selection], raise_on_error=False)
    invocation.wait()
    try:
        return freshness_from_artifact(invocation.get_artifact("sources.json"))
    except FileNotFoundError:
        exit_code = invocation.process.returncode
        return FreshnessOutcome(error=f"dbt wrote no sources.json (exit code {exit_code})")


def freshness_observations(freshness: FreshnessOutcome) -> Iterator[AssetObservation]:
    for table in freshness.checked:
        source, name = table.table.split(".", 1)
        yield AssetObservation(
            asset_key=raw_table_key(source, name),
            metadata={
                "dbt_source": table.table,
                FRESHNESS_KEY: table.status,
                **{k: v for k, v in table.row().items() if k != "status" and v is not None},
            },
        )


def build_exposures(manifest: Mapping[str, Any]) -> list[AssetSpec]:
    """Each dbt exposure (the app, BI dashboards) as an asset downstream of the models it reads."""
    specs = []
    for exposure in manifest.get("exposures", {}).values():
        deps = []
        for unique_id in exposure.get("depends_on", {}).get("nodes", []):
            props = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
            if props is not None:
                deps.append(DBT_TRANSLATOR.get_asset_key(props))
        specs.append(
            AssetSpec(
                key=AssetKey(["exposures", exposure["name"]]),
                deps=deps,
                description=exposure.get("description") or f"dbt exposure {exposure['name']}",
                group_name="exposures",
                kinds={str(exposure.get("type") or "exposure")},
                owners=[o["email"] for o in [exposure.get("owner") or {}] if o.get("email")],
                metadata={"url": exposure["url"]} if exposure.get("url") else None,
            )
        )
    return specs


PUBLISHED_KEY = AssetKey(["published", "snapshot"])


def build_publish_asset(upstream: AssetsDefinition) -> AssetsDefinition:
    """The snapshot and lake readers use, published after the dbt step (docs/decisions/010). A dbt step that
    fails skips it, so a failed build publishes nothing and the previous snapshot stays current."""

    @asset(
        key=PUBLISHED_KEY,
        deps=list(upstream.keys),
        group_name="published",
        kinds={"duckdb", "parquet"},
        description="Read-only DuckDB snapshot and Parquet lake of the reader-facing relations.",
    )
    def _published(context: AssetExecutionContext) -> MaterializeResult:
        if destination_name() != "duckdb":
            # Snowflake readers already have isolation; its clone-per-run is documented in decision 010.
            return MaterializeResult(metadata={"published": False, "reason": "not DuckDB"})
        pin_warehouse_path()
        try:
            publication = publish_warehouse(context.run_id)
        except PublishError as exc:
            raise Failure(description=redact(str(exc))) from exc
        return MaterializeResult(
            metadata={
                "published": True,
                "publish_id": publication.publish_id,
                "rows": publication.rows,
                "relations": len(publication.tables),
                "snapshot_seconds": publication.snapshot_seconds,
                "lake_seconds": publication.lake_seconds,
            }
        )

    return _published


def count_rows(relation: str) -> int:
    """Rows in `schema.table` of the warehouse: on DuckDB with the readers' file attached (the marts are
    there), elsewhere through dlt's client for the configured destination."""
    with warehouse_sql() as execute:
        answer = execute(f"select count(*) from {relation}")
    if not answer:
        raise RuntimeError(f"select count(*) from {relation} returned no row")
    return int(answer[0][0])


def build_mart_checks(manifest: Mapping[str, Any]) -> list[AssetChecksDefinition]:
    checks = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["name"] not in NON_EMPTY_MODELS:
            continue
        if not node.get("config", {}).get("enabled", True):
            continue
        relation = f"{node['schema']}.{node.get('alias') or node['name']}"
        checks.append(_non_empty_check(DBT_TRANSLATOR.get_asset_key(node), relation))
    return checks


def _non_empty_check(key: AssetKey, relation: str) -> AssetChecksDefinition:
    @asset_check(
        asset=key,
        name="has_rows",
        description=f"{relation} is not empty after a build (an empty mart means the app shows nothing).",
    )
    def _check() -> AssetCheckResult:
        rows = count_rows(relation)
        return AssetCheckResult(passed=rows > 0, severity=AssetCheckSeverity.ERROR, metadata={"rows": rows})

    return _check
