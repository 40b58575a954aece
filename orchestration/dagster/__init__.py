"""Dagster definitions for Campus Pathways: dlt assets per source, dbt assets, the daily schedule, retries,
mart checks, failure alerts and run history. Load with `dagster dev -m orchestration.dagster.definitions`
(`make orchestrate` does it with the sandbox running)."""
