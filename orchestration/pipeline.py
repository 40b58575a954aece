"""`campus run`: the whole pipeline: the sources ingested, `dbt source freshness`, `dbt build`, the publish
readers use (`orchestration.publish`, DuckDB only), a summary, and a row in `raw_meta.pipeline_runs` (see
`orchestration.run_history`). It never starts the sandbox: run
locally, the command line (`orchestration.cli`) starts it and hands over the environment that points the
connectors at its stand-ins, with the seconds that took.

Exit status: non-zero when a source failed, a source's freshness could not be checked (or passed an
`error_after`), dbt reported an error (a model error or an error-severity test failing), the publish
failed, or another process held the working warehouse past `CAMPUS_LOCK_WAIT_SECONDS`; warn-severity tests
and stale sources (`warn_after`) alone leave it at zero. Stale sources are alerted on either way. A failed run
publishes nothing: the previous snapshot stays current.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from ingestion.destination import warehouse_path, warehouse_sql
from ingestion.registry import source_named
from ingestion.runner import SourceResult, redact, run_sources
from orchestration.dbt_invocation import (
    BuildRequest,
    DbtOutcome,
    FreshnessOutcome,
    FreshnessRequest,
    freshness_selection,
    incremental_window_problem,
    prepared_dbt_build,
)
from orchestration.ingest import print_summary
from orchestration.publish import Publication, PublishError, publish_warehouse
from orchestration.run_history import RunRecord, keep_pending, record_pending, record_run
from orchestration.warehouse_lock import WarehouseLocked, wait_for_warehouse

log = logging.getLogger(__name__)

# The dbt var the incremental facts read to rebuild from a date (`campus run --from-date`).
FROM_DATE_VAR = "campus:backfill:from_date"
QUALITY_HEADLINE = ("dq_table_quality_scores", "quality_score")


@contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def quality_headline(destination: str) -> tuple[str, float] | None:
    """The quality layer's headline score (`<table>.<column>`, value), or None without quality models.

    The mean of `quality.dq_table_quality_scores.quality_score` (one 0-100 score per raw table); failing that,
    any score column (`quality_score`, `overall_score`, `score`) in the `quality` schema, so the summary keeps
    working if the quality models are renamed, and is skipped when there are none.
    """
    try:
        with warehouse_sql(destination) as execute:
            return _headline(execute)
    except Exception as exc:  # optional headline: say why it is missing, never fail the run over it
        log.warning("quality score not read: %s", redact(str(exc)))
        return None


def _headline(execute: Callable[[str], Sequence[Sequence[Any]]]) -> tuple[str, float] | None:
    columns = execute(
        "select lower(table_name), lower(column_name) from information_schema.columns"
        " where lower(table_schema) = 'quality'"
        " and lower(column_name) in ('quality_score', 'overall_score', 'score')"
    )
    if not columns:
        return None
    ranked = sorted(
        columns,
        key=lambda tc: (
            tuple(tc) != QUALITY_HEADLINE,
            "summary" not in tc[0] and "score" not in tc[0],
            ("quality_score", "overall_score", "score").index(tc[1]),
            tc[0],
        ),
    )
    table, column = ranked[0]
    value = (execute(f"select avg({column}) from quality.{table}") or [(None,)])[0][0]
    return (f"{table}.{column}", float(value)) if value is not None else None


def dbt_selection(sources: Sequence[str] | None) -> list[str] | None:
    """`source:<name>+` per chosen source: the source's staging models and everything downstream."""
    return [f"source:{name}+" for name in sources] if sources else None


def stale_sources(freshness: FreshnessOutcome | None) -> dict[str, dict[str, object]] | None:
    """Table -> verdict for every source table that did not pass its freshness check; None when unchecked."""
    if freshness is None:
        return None
    return {table.table: table.row() for table in freshness.stale}


def print_freshness(freshness: FreshnessOutcome | None) -> None:
    print("\n== source freshness ==")
    if freshness is None:
        print("  not checked")
        return
    counts: dict[str, int] = {}
    for table in freshness.checked:
        counts[table.status] = counts.get(table.status, 0) + 1
    print(f"  {len(freshness.checked)} tables: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    for table in freshness.stale:
        age = f"newest load {table.age_hours:.1f} h old" if table.age_hours is not None else table.message
        print(f"  {table.status.upper()} {table.table}: {age}")
    if freshness.error:
        print(f"  error: {freshness.error}")


def print_report(
    results: Sequence[SourceResult],
    freshness: FreshnessOutcome | None,
    build: DbtOutcome | None,
    quality: tuple[str, float] | None,
    timings: dict[str, float],
    publish_note: str,
) -> None:
    print("\n== ingestion ==")
    print_summary(results)
    print_freshness(freshness)
    print("\n== dbt build ==")
    if build is None:
        print("  not run")
    else:
        print(
            f"  models built: {build.models_built}, model errors: {build.models_failed}, tests passed: "
            f"{build.tests_passed}, warned: {build.tests_warned}, failed: {build.tests_failed}"
        )
        for failure in build.failures:
            print(f"  FAILED {failure}")
        if build.error:
            print(f"  error: {build.error}")
    print("\n== quality ==")
    print(f"  {quality[0]}: {quality[1]:.3f}" if quality else "  no quality score (no quality models built)")
    print("\n== publish ==")
    print(f"  {publish_note}")
    print("\n== wall time ==")
    for stage, seconds in timings.items():
        print(f"  {stage:<10} {seconds:6.1f} s")


def failure_text(
    results: Sequence[SourceResult], freshness: FreshnessOutcome | None, build: DbtOutcome | None
) -> str | None:
    parts = [f"source {r.source}: {r.error}" for r in results if r.status != "success"]
    if freshness is not None:
        parts += [f"freshness {failure}" for failure in freshness.failures]
    if build is not None:
        parts += [f"dbt {f}" for f in build.failures]
        if build.error:
            parts.append(f"dbt: {build.error}")
        elif not build.success and not build.failures:
            parts.append("dbt build did not succeed")
    return "\n".join(parts) or None


def publish_summary(publication: Publication | None, problem: str | None, destination: str) -> str:
    """One line for the run summary: what readers see now."""
    if publication is not None:
        return (
            f"run {publication.run_id} is now current: {publication.rows:,} rows in "
            f"{len(publication.tables)} relations (snapshot {publication.snapshot_seconds:.1f} s, "
            f"lake {publication.lake_seconds:.1f} s); `campus snapshots --current` prints where"
        )
    if destination != "duckdb":
        return "not published here: on Snowflake, readers use the database's isolation (docs/decisions/010)"
    return f"nothing published, the previous snapshot stays current: {problem}"


def run_pipeline(
    target: str = "dev",
    sources: Sequence[str] | None = None,
    full_refresh: bool = False,
    from_date: date | None = None,
    unit_tests: bool = False,
    environment: Mapping[str, str] | None = None,
    stage_seconds: Mapping[str, float] | None = None,
) -> int:
    """Run the pipeline, publish, print the summary, record the run; 0 on success (warnings allowed), 1 on
    failure.

    `environment` is set for the load only (connector settings, e.g. the sandbox's); `stage_seconds` are
    stages timed before the call (the sandbox's start), shown first in the summary and recorded with the run.
    """
    for name in sources or ():
        try:
            source_named(name)
        except ValueError as unknown:
            raise SystemExit(str(unknown)) from None
    destination = "snowflake" if target == "prod" else "duckdb"
    run_id = uuid.uuid4().hex
    started = datetime.now(UTC)
    timings: dict[str, float] = dict(stage_seconds or {})
    results: list[SourceResult] = []
    freshness: FreshnessOutcome | None = None
    build: DbtOutcome | None = None
    quality: tuple[str, float] | None = None
    publication: Publication | None = None
    publish_problem: str | None = "the run failed"
    crash: str | None = None
    # dbt runs from dbt_project/: hand it the same warehouse file as an absolute path.
    os.environ["CAMPUS_WAREHOUSE"] = str(warehouse_path().resolve())
    dbt_vars = {FROM_DATE_VAR: from_date.isoformat()} if from_date else None
    problem = incremental_window_problem(dbt_vars)
    if problem:
        raise SystemExit(problem)
    if destination == "duckdb":
        try:
            wait_for_warehouse(warehouse_path())
        except WarehouseLocked as locked:
            return _locked_out(run_id, started, target, timings, locked)
    try:
        # dbt's process imports dbt and parses the project while the sources load (docs/decisions/006)
        with prepared_dbt_build(target, dbt_vars) as prepared:
            t0 = time.perf_counter()
            with patched_environ(dict(environment or {})):
                results = run_sources(sources, destination=destination)
            timings["ingest"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            freshness = prepared.freshness(FreshnessRequest(freshness_selection(sources)))
            timings["freshness"] = freshness.seconds
            build = prepared.run(BuildRequest(dbt_selection(sources), full_refresh, unit_tests))
            # includes any wait for dbt's process to finish parsing, as before the freshness check
            timings["dbt build"] = time.perf_counter() - t0 - freshness.seconds
        t0 = time.perf_counter()
        quality = quality_headline(destination)
        timings["quality"] = time.perf_counter() - t0
    except BaseException as exc:  # recorded, then re-raised: a crashed run must show in the history too
        crash = redact(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        failed = (
            crash is not None
            or any(r.status != "success" for r in results)
            or freshness is None
            or freshness.errored
            or build is None
            or build.errored
        )
        error = "\n".join(t for t in (crash, failure_text(results, freshness, build)) if t) or None
        record = cli_record(
            run_id,
            target,
            started,
            timings,
            status="failed" if failed else "success",
            sources={r.source: {"status": r.status, "rows": r.rows_loaded} for r in results},
            stale_sources=stale_sources(freshness),
            models_built=build.models_built if build else 0,
            tests_passed=build.tests_passed if build else 0,
            tests_warned=build.tests_warned if build else 0,
            tests_failed=build.tests_failed if build else 0,
            quality_score=quality[1] if quality else None,
            error=error,
        )
        if not failed and destination == "duckdb":
            publication, publish_problem = _publish(record, destination)
            failed = publication is None
        recorded = _record_and_alert(record, destination)
    published = publish_summary(publication, publish_problem, destination)
    print_report(results, freshness, build, quality, timings, published)
    print(f"\nwarehouse: {os.environ['CAMPUS_WAREHOUSE']}")
    if recorded:
        print(f"run: {run_id} ({record.status}, recorded in raw_meta.pipeline_runs)")
    else:
        print(f"FAILED to record run {run_id} in raw_meta.pipeline_runs (see the log above)")
    if failed or not recorded:
        failed_sources = [r.source for r in results if r.status != "success"]
        if failed_sources:
            print(f"FAILED sources: {', '.join(failed_sources)}")
        if freshness is not None and freshness.errored:
            print("FAILED dbt source freshness: see the tables above")
        if build is not None and build.errored:
            print("FAILED dbt build: see the failures above")
        if destination == "duckdb" and publication is None and not (build is None or build.errored):
            print("FAILED publish: see above")
        return 1
    return 0


def _publish(record: RunRecord, destination: str) -> tuple[Publication | None, str | None]:
    """Publish a successful build; `record` gains the publish stage, or the failure when it did not publish.

    The run is recorded once while the publish copies the readers' file, before it reads the working file, so
    the snapshot's run history lists this run too; the record after it (same `run_id`, merged) adds the
    publish stage or its failure."""
    t0 = time.perf_counter()  # the publish stage includes this extra record: it is publishing's cost

    def record_first() -> None:
        try:
            record_run(record, destination)
        except Exception as exc:  # the record after the publish reports a lost record; publishing goes on
            log.warning("run %s not recorded before publishing: %s", record.run_id, redact(str(exc)))

    try:
        publication = publish_warehouse(record.run_id, meanwhile=record_first)
    except PublishError as exc:
        record.stage_seconds["publish"] = time.perf_counter() - t0
        record.status = "failed"
        record.error = redact(f"publish: {exc}")
        record.finished_at = datetime.now(UTC)
        return None, redact(str(exc))
    record.stage_seconds["publish"] = time.perf_counter() - t0
    record.finished_at = datetime.now(UTC)
    return publication, None


def cli_record(
    run_id: str, target: str, started: datetime, timings: dict[str, float], **outcome: Any
) -> RunRecord:
    """A `campus run` row of `raw_meta.pipeline_runs`, finished now."""
    return RunRecord(
        run_id=run_id,
        trigger="cli",
        job_name="campus run",
        target=target,
        started_at=started,
        finished_at=datetime.now(UTC),
        stage_seconds=timings,
        **outcome,
    )


def _locked_out(
    run_id: str, started: datetime, target: str, timings: dict[str, float], locked: WarehouseLocked
) -> int:
    """Another process holds the working warehouse: one clear message, the run kept beside the warehouse
    (folded into `raw_meta.pipeline_runs` by the next run), the failure alerted; no traceback."""
    error = f"warehouse locked: {locked}"
    record = cli_record(run_id, target, started, timings, status="failed", error=error)
    kept = keep_pending(record)
    _alert(record)
    print(f"FAILED: {locked}")
    print(f"run: {run_id} (failed, kept in {kept}; the next run records it in raw_meta.pipeline_runs)")
    return 1


def _record_and_alert(record: RunRecord, destination: str) -> bool:
    """Record the run (and any kept while the warehouse was locked), alert on failure or on stale sources;
    False if the record was lost (the run then exits non-zero)."""
    recorded = True
    try:
        record_run(record, destination)
        record_pending(destination)
    except Exception as exc:  # reported and turned into a non-zero exit, not raised over the run's own error
        recorded = False
        log.error("run %s not recorded in raw_meta.pipeline_runs: %s", record.run_id, redact(str(exc)))
    _alert(record)
    return recorded


def _alert(record: RunRecord) -> None:
    from orchestration.alerts import AlertConfig, send_alert, stale_sources_alert

    alert = None
    if record.status == "failed":
        payload = {"run_id": record.run_id, "trigger": "cli", "error": record.error}
        alert = (f"campus run failed ({record.target})", {**payload, "stale_sources": record.stale_sources})
    elif record.stale_sources:
        alert = stale_sources_alert(
            record.run_id, "cli", record.job_name, record.target, record.stale_sources
        )
    if alert and AlertConfig.from_env().channels:
        try:
            send_alert(*alert)
        except Exception as exc:
            log.error("alert not delivered: %s", redact(str(exc)))
