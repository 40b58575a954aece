"""The Oracle Student Information System (SIS) into `raw_oracle_sis`: incremental on `UPDATED_AT`, merged.

Config and secrets read (dlt providers: env vars, then `.dlt/secrets.toml` / `.dlt/config.toml`):

| name | kind | what |
|---|---|---|
| `SOURCES__ORACLE_SIS__CREDENTIALS` | secret | SQLAlchemy URL (below) |
| `SOURCES__ORACLE_SIS__SCHEMA` | config, optional | Oracle owner of the SIS tables (none for SQLite) |
| `SOURCES__ORACLE_SIS__TABLE_NAMES` | config, optional | subset of `SIS_TABLES` to load (default: all) |
| `SOURCES__ORACLE_SIS__CHUNK_SIZE` | config, optional | rows per extracted batch (default 50,000) |
| `SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS` | config, optional | lag window, seconds (default 3600; below) |

The URL is `oracle+oracledb://user:pass@host:1521/?service_name=SIS` in production and
`sqlite:////abs/path/sis.sqlite` in the sandbox. The same code talks to both; nothing branches on the
system. Table and column names are matched case-insensitively, because SQLAlchemy's Oracle dialect
reflects `STUDENTS` as `students` while SQLite keeps `STUDENTS`; dlt normalises both to snake_case in raw.

Incremental loading and the lag window
    Every table is read with `UPDATED_AT >= :last_value - lag` (dlt's `lag` on a closed range start), where
    `last_value` is the highest `UPDATED_AT` loaded so far and `lag` is `CURSOR_LAG_SECONDS` seconds
    (default an hour). Oracle stamps `UPDATED_AT` when a statement runs, but the row becomes visible only
    at commit: a transaction still open while a run reads would otherwise land below the cursor and never
    be read. The window re-reads every row stamped up to `lag` seconds below the last value, so a
    transaction that commits within the window of its `UPDATED_AT` is loaded by the next run; one open
    longer than the window is still missed. dlt turns off its boundary deduplication when a lag is set;
    `write_disposition="merge"` on the primary key makes every re-read row an upsert instead, so raw holds
    exactly one row per key and a re-run changes no raw content. The cost: each run re-extracts and
    re-merges the rows of the last window (they get the new `_dlt_load_id`). Lag 0 restores the old
    cursor (`UPDATED_AT >= :last_value`, boundary rows deduplicated by key).

Soft deletes
    The SIS never hard-deletes: it sets `IS_DELETED = 1` and bumps `UPDATED_AT`. Raw keeps such rows with
    `is_deleted = 1` (merge overwrites the earlier version); staging filters them. Raw therefore mirrors
    the source table row for row, which is what reconciliation tests and audits compare against.

Type mapping (Oracle -> dlt -> DuckDB / Snowflake), applied by `adapt_sis_types` before dlt derives hints:

| Oracle | dlt | DuckDB | Snowflake |
|---|---|---|---|
| `NUMBER(p,0)`, p <= 18 (ids, codes, flags) | bigint | BIGINT | NUMBER(19,0) |
| `NUMBER(p,0)`, p >= 19 | decimal(p,0) | DECIMAL(p,0) | NUMBER(p,0) |
| `NUMBER(p,s)`, s > 0 (GPA, SCORE) | decimal(p,s) | DECIMAL(p,s) | NUMBER(p,s) |
| `NUMBER` (no precision) | decimal | DECIMAL(38,9) | NUMBER(38,9) |
| `VARCHAR2(n)` | text(n) | VARCHAR | VARCHAR(n) |
| `TIMESTAMP` | timestamp, no time zone | TIMESTAMP | TIMESTAMP_NTZ |
| `DATE` on Oracle (carries a time) | timestamp | TIMESTAMP | TIMESTAMP_NTZ |
| `DATE` in the SQLite stand-in | date | DATE | DATE |

Staging casts `DATE` columns with `cast(... as date)`, which is right for both.

Schema contract (`settings.SCHEMA_CONTRACT`)
    New tables and new columns evolve (a column added in the SIS appears in raw on the next run). A
    column whose data type changes (say `COURSE_ID` from `NUMBER(10,0)` to `VARCHAR2`) fails the run in
    the extract step with dlt's `DataValidationError` naming the table and column (`data_type` is frozen):
    nothing is loaded, the raw table is not silently widened or given a variant column, and a person
    decides how to migrate it. (Without the contract dlt fails later, in the load step, leaving a pending
    package behind.)

The package is laid out like a dlt verified source: this module holds the `@dlt.source`, `settings.py` the
fixed facts and defaults, `helpers.py` reflection, the type adapter, the cursor and the compiled query.
"""

from __future__ import annotations

from collections.abc import Iterator

import dlt
import sqlalchemy as sa
from dlt.common.configuration import known_sections, with_config
from dlt.common.configuration.resolve import inject_section
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.extract import DltResource

from ingestion.destination import pipeline_name
from ingestion.oracle_sis.helpers import (
    SisSourceError,
    adapt_sis_types,
    column_named,
    compile_incremental_query,
    cursor_lag_problem,
    reflect_tables,
    table_resource,
)
from ingestion.oracle_sis.settings import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CURSOR_LAG_SECONDS,
    SCHEMA_CONTRACT,
    SIS_PRIMARY_KEYS,
    SIS_TABLES,
    SOFT_DELETE_COLUMN,
)

__all__ = [
    "DEFAULT_CURSOR_LAG_SECONDS",
    "SIS_PRIMARY_KEYS",
    "SIS_TABLES",
    "SisSourceError",
    "adapt_sis_types",
    "compile_incremental_query",
    "configured_cursor_lag_seconds",
    "cursor_lag_problem",
    "oracle_sis",
]


@dlt.source(name="oracle_sis", section="oracle_sis", schema_contract=SCHEMA_CONTRACT)
def oracle_sis(
    credentials: ConnectionStringCredentials = dlt.secrets.value,
    schema: str | None = None,
    table_names: list[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    cursor_lag_seconds: int = DEFAULT_CURSOR_LAG_SECONDS,
) -> Iterator[DltResource]:
    """One merged, incremental resource per SIS table (see the module docstring)."""
    engine = sa.create_engine(credentials.to_native_representation())
    try:
        tables = reflect_tables(engine, schema, list(table_names or SIS_TABLES))
    finally:
        engine.dispose()
    for table in tables.values():
        column_named(table, SOFT_DELETE_COLUMN)
        yield table_resource(credentials, table, schema, chunk_size, cursor_lag_seconds)


def configured_cursor_lag_seconds() -> int:
    """The lag window a run of this source will use, resolved as dlt resolves the source's own argument:
    `cursor_lag_seconds` in the source's sections, inside its pipeline's scope. So every key a run would
    honour is seen, for example `SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS`, `CURSOR_LAG_SECONDS`,
    `CAMPUS_ORACLE_SIS__SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS` or `[sources.oracle_sis]` in
    `.dlt/config.toml`. Nothing else is resolved: the credentials are not read."""

    @with_config(sections=(known_sections.SOURCES, oracle_sis.section, oracle_sis.name))
    def resolved(cursor_lag_seconds: int = DEFAULT_CURSOR_LAG_SECONDS) -> int:
        return cursor_lag_seconds

    with inject_section(ConfigSectionContext(pipeline_name=pipeline_name(oracle_sis.name))):
        return int(resolved())
