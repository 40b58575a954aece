"""Where raw data lands: DuckDB locally (the default) or Snowflake, picked by configuration.

Config read (env var, then `.dlt/secrets.toml` / `.dlt/config.toml`):
- `CAMPUS_DESTINATION`: `duckdb` (default) or `snowflake`.
- `CAMPUS_WAREHOUSE`: the DuckDB file (default `warehouse/campus.duckdb`).
- `CAMPUS_PIPELINES_DIR`: dlt's working folder for pipeline state (default `warehouse/.dlt_pipelines`).
- Snowflake: dlt's own names, `DESTINATION__SNOWFLAKE__CREDENTIALS__DATABASE`, `__USERNAME`, `__PASSWORD`,
  `__HOST` (the account), `__WAREHOUSE`, `__ROLE`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import dlt

DESTINATIONS = ("duckdb", "snowflake")


def destination_name(name: str | None = None) -> str:
    chosen = (name or os.environ.get("CAMPUS_DESTINATION") or "duckdb").lower()
    if chosen not in DESTINATIONS:
        raise ValueError(f"unknown destination {chosen!r}: choose one of {', '.join(DESTINATIONS)}")
    return chosen


def warehouse_path() -> Path:
    return Path(os.environ.get("CAMPUS_WAREHOUSE", "warehouse/campus.duckdb"))


# The snapshot's file name inside the publish folder (and inside each publish), where readers open it.
SNAPSHOT_FILE = "campus.duckdb"


def published_dir() -> Path:
    """Where readers' snapshots and lake are published (`CAMPUS_PUBLISH_DIR`, default `published/` beside the
    working warehouse): the pipeline writes there, the app and BI tools read there (docs/decisions/010)."""
    configured = os.environ.get("CAMPUS_PUBLISH_DIR")
    return Path(configured) if configured else warehouse_path().parent / "published"


def pipelines_dir() -> Path:
    return Path(os.environ.get("CAMPUS_PIPELINES_DIR", "warehouse/.dlt_pipelines"))


def make_destination(name: str | None = None) -> Any:
    if destination_name(name) == "snowflake":
        # Credentials resolve from dlt's providers (env vars or secrets.toml), never from code.
        return dlt.destinations.snowflake()
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return dlt.destinations.duckdb(credentials=str(path))


def pipeline_name(source: str) -> str:
    """The dlt pipeline name of one source system; it also scopes config keys (`<NAME>__SOURCES__...`)."""
    return f"campus_{source}"


def dataset_name(source: str) -> str:
    """The raw dataset (schema) one source system lands in; dbt's sources read it under the same name."""
    return f"raw_{source}"


def make_pipeline(source: str, destination: str | None = None) -> dlt.Pipeline:
    """The pipeline for one source system: its own state, dataset `raw_<source>`."""
    folder = pipelines_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Arrow-backed sources (SIS, files) get `_dlt_load_id` like every other table: dbt's freshness and the
    # quality layer read load time from it on every source alike.
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    # A successful load keeps no copy of what it loaded: dlt deletes the job files and empties the merge
    # staging dataset (`raw_<source>_staging`); a failed package keeps its files for the retry.
    os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
    os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")
    return dlt.pipeline(
        pipeline_name=pipeline_name(source),
        destination=make_destination(destination),
        dataset_name=dataset_name(source),
        pipelines_dir=str(folder),
        # A live bar on a terminal; plain periodic log lines in CI and when output is piped.
        progress="tqdm" if sys.stderr.isatty() and importlib.util.find_spec("tqdm") else "log",
    )
