"""The Data quality and Pipeline runs pages' queries: quality scores, failing tests and their stored rows,
quarantine, source status and freshness, loads, pipeline runs and dbt's timings.

Reads the `quality` and `operations` schemas, where dbt decides what is latest, fresh or failing; the one
identifier that varies (a test's stored failing rows) comes from dbt's list of them. Settings as
`app.data.warehouse`.
"""

from __future__ import annotations

import pandas as pd

from app.connection import WarehouseUnavailable
from app.data.warehouse import IDENTIFIER, SHORT_TTL, fetch, has_relation

# --------------------------------------------------------------------------------------------- quality


def table_quality_scores() -> pd.DataFrame:
    return fetch(
        """
        select source_name, table_name, record_count, completeness_score, validity_score, uniqueness_score,
               referential_integrity_score, timeliness_score, quality_score, last_loaded_at
        from quality.dq_table_quality_scores
        order by quality_score, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def load_quality_scores() -> pd.DataFrame:
    """Scores per source table and load, the history behind the plot."""
    return fetch(
        """
        select source_name, table_name, load_id, loaded_at, quality_score
        from quality.dq_load_quality_scores
        order by loaded_at, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def quarantine_by_reason() -> pd.DataFrame:
    return fetch(
        """
        select source_name, table_name, quarantine_reason, record_count as records, last_quarantined_at
        from quality.dq_quarantine_counts
        order by record_count desc, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def planted_defect_coverage() -> pd.DataFrame | None:
    """Which rule catches each defect the sandbox plants; None when the model is not built here."""
    if not has_relation("quality", "dq_planted_defect_coverage"):
        return None
    return fetch("select * from quality.dq_planted_defect_coverage", (), SHORT_TTL)


# --------------------------------------------------------------------------------------------- dbt results


def failing_tests() -> pd.DataFrame:
    """Tests of the latest dbt invocation that ran tests and did not pass, errors first, with where their
    failing rows are stored (`failures_schema`, `failures_relation`; null when not stored)."""
    return fetch(
        """
        select node_name, status, failures, message, run_started_at, failures_schema, failures_relation
        from operations.ops_dbt_failing_tests
        order by case status when 'error' then 0 when 'fail' then 1 else 2 end, failures desc, node_name
        """,
        (),
        SHORT_TTL,
    )


def _stored_failures() -> pd.DataFrame:
    return fetch(
        "select failures_schema, failures_relation from operations.ops_dbt_stored_test_failures",
        (),
        SHORT_TTL,
    )


def test_failure_sample(schema: object, relation: object, limit: int = 20) -> pd.DataFrame | None:
    """Stored failing rows of one test (a `failing_tests` row's `failures_schema` and `failures_relation`), or
    None when dbt stored none. Only a relation dbt lists in ops_dbt_stored_test_failures is read."""
    if not (isinstance(schema, str) and isinstance(relation, str)):
        return None
    if not (IDENTIFIER.match(schema) and IDENTIFIER.match(relation)):
        return None
    stored = _stored_failures()
    if not ((stored["failures_schema"] == schema) & (stored["failures_relation"] == relation)).any():
        return None
    try:
        return fetch(f"select * from {schema}.{relation} limit ?", (int(limit),), SHORT_TTL)
    except WarehouseUnavailable:  # listed, but its test has not run on this warehouse since
        return None


def dbt_durations() -> pd.DataFrame:
    """Models and tests of the latest dbt build by wall time."""
    return fetch(
        """
        select node_name, resource_type, status, execution_seconds, run_started_at
        from operations.ops_dbt_latest_build_nodes
        order by execution_seconds desc, node_name
        """,
        (),
        SHORT_TTL,
    )


# ----------------------------------------------------------------------------------------- sources and runs


def source_status() -> pd.DataFrame:
    """Per source: the last successful load, and the last attempt with its status."""
    return fetch(
        """
        select source_name, last_attempt_status, last_attempt_at, last_success_at
        from operations.ops_source_status
        order by source_name
        """,
        (),
        SHORT_TTL,
    )


def source_freshness() -> pd.DataFrame:
    """dbt's latest freshness verdict per source table, not-passing ones first."""
    return fetch(
        """
        select source_name, table_name, status, message, checked_at
        from operations.ops_source_freshness
        order by case status when 'pass' then 1 else 0 end, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def source_loads(limit: int = 5000) -> pd.DataFrame:
    """Loads per run, source and table, newest first."""
    return fetch(
        """
        select run_id, source_name, table_name, load_status, rows_loaded, started_at, finished_at,
               duration_seconds, error_message
        from operations.ops_source_loads
        order by started_at desc, source_name, table_name
        limit ?
        """,
        (int(limit),),
        SHORT_TTL,
    )


def pipeline_runs(limit: int = 200) -> pd.DataFrame:
    """Pipeline runs (`campus run` and Dagster), newest first."""
    return fetch(
        """
        select started_at, triggered_by, job_name, run_status, duration_seconds, rows_loaded, models_built,
               tests_passed, tests_warned, tests_failed, quality_score, error_message, run_id
        from operations.ops_pipeline_runs
        order by started_at desc, run_id
        limit ?
        """,
        (int(limit),),
        SHORT_TTL,
    )


# --------------------------------------------------------------------------------------------- data as of


def data_as_of() -> tuple[str, str] | None:
    """The run the app's data comes from and when it was published, from the snapshot's own `publication`
    table (written by the publish step, not by dbt); None where there is none (Snowflake, a chosen file)."""
    try:
        frame = fetch("select run_id, cast(published_at as varchar) as published_at from publication", ())
    except WarehouseUnavailable:
        return None
    if frame.empty:
        return None
    return str(frame["run_id"].iloc[0]), str(frame["published_at"].iloc[0])
