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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dlt
import duckdb

DESTINATIONS = ("duckdb", "snowflake")


def destination_name(name: str | None = None) -> str:
    chosen = (name or os.environ.get("CAMPUS_DESTINATION") or "duckdb").lower()
    if chosen not in DESTINATIONS:
        raise ValueError(f"unknown destination {chosen!r}: choose one of {', '.join(DESTINATIONS)}")
    return chosen


def warehouse_path() -> Path:
    return Path(os.environ.get("CAMPUS_WAREHOUSE", "warehouse/campus.duckdb"))


# The catalog the reader-facing models live in: their own file, attached under this name by dbt (profiles.yml)
# and by `connect_working`, so a publish copies that file whole (docs/decisions/018).
READERS_CATALOG = "readers"
READER_SCHEMAS = ("marts", "search", "recommendations", "quality")


def readers_path(warehouse: Path | None = None) -> Path:
    """The reader-facing models' file beside the working one: `campus.duckdb` -> `campus.readers.duckdb`
    (profiles.yml derives the same name for dbt)."""
    warehouse = warehouse or warehouse_path()
    name = warehouse.name[: -len(".duckdb")] if warehouse.name.endswith(".duckdb") else warehouse.name
    return warehouse.with_name(f"{name}.readers.duckdb")


def connect_working(warehouse: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The working warehouse with the readers' file attached, where two-part names (`marts.dim_student`,
    `staging.stg_x`) resolve as dbt built them: the reader schemas in the readers' file first, then the
    working file. Read-only, a missing readers' file is left unattached (before the first build). A statement
    creating a relation by a two-part name in a reader schema creates it in the readers' file."""
    warehouse = warehouse or warehouse_path()
    con = duckdb.connect(str(warehouse), read_only=read_only)
    readers = readers_path(warehouse)
    if read_only and not readers.is_file():
        return con
    try:
        literal = "'" + str(readers).replace("'", "''") + "'"
        con.execute(f"ATTACH {literal} AS {READERS_CATALOG}{' (READ_ONLY)' if read_only else ''}")
        # DuckDB takes only schemas that exist; the reader schemas are first looked up in the readers' file.
        present = set(con.execute("select database_name, schema_name from duckdb_schemas()").fetchall())
        working = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        path = ["main"] + [
            f"{c}.{s}" for s in READER_SCHEMAS for c in (READERS_CATALOG, working) if (c, s) in present
        ]
        con.execute(f"SET search_path = '{','.join(path)}'")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def warehouse_sql(destination: str | None = None) -> Iterator[Callable[[str], Sequence[Sequence[Any]]]]:
    """A function running one SQL statement on the warehouse and returning its rows: on DuckDB through
    `connect_working` (read-only, the readers' file attached), elsewhere through dlt's client."""
    if destination_name(destination) == "duckdb":
        with connect_working(read_only=True) as con:
            yield lambda sql: con.execute(sql).fetchall()
    else:
        with make_pipeline("meta", destination).sql_client() as client:
            yield lambda sql: client.execute_sql(sql) or []


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
