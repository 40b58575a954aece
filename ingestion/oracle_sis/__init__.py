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

Schema contract (`SCHEMA_CONTRACT`)
    New tables and new columns evolve (a column added in the SIS appears in raw on the next run). A
    column whose data type changes (say `COURSE_ID` from `NUMBER(10,0)` to `VARCHAR2`) fails the run in
    the extract step with dlt's `DataValidationError` naming the table and column (`data_type` is frozen):
    nothing is loaded, the raw table is not silently widened or given a variant column, and a person
    decides how to migrate it. (Without the contract dlt fails later, in the load step, leaving a pending
    package behind.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.common.configuration import known_sections, with_config
from dlt.common.configuration.resolve import inject_section
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.common.schema.typing import TSchemaContractDict
from dlt.extract import DltResource, DltSource
from dlt.sources.sql_database import sql_table
from dlt.sources.sql_database.helpers import TableLoader, default_engine_adapter_callback

from ingestion.destination import pipeline_name

# The SIS tables this source loads and their primary keys. Keys come from reflection when the database reports
# them (SQLite always does; Oracle does when the login may read the constraints); this mapping is the fallback
# and the documentation of what staging may rely on.
SIS_PRIMARY_KEYS: dict[str, str] = {
    "STUDENTS": "STUDENT_ID",
    "COURSES": "COURSE_ID",
    "COURSE_SKILLS": "COURSE_SKILL_ID",
    "ENROLLMENTS": "ENROLLMENT_ID",
    "ACADEMIC_RECORDS": "RECORD_ID",
    "ATTENDANCE": "ATTENDANCE_ID",
    "ASSESSMENTS": "ASSESSMENT_ID",
}
SIS_TABLES: tuple[str, ...] = tuple(SIS_PRIMARY_KEYS)
CURSOR_COLUMN = "UPDATED_AT"
SOFT_DELETE_COLUMN = "IS_DELETED"

# Largest NUMBER(p,0) that always fits a signed 64-bit integer.
MAX_BIGINT_PRECISION = 18

# Seconds below the last loaded UPDATED_AT that every run reads again (the lag window): an hour, longer than
# any SIS transaction should run.
DEFAULT_CURSOR_LAG_SECONDS = 3600

SCHEMA_CONTRACT: TSchemaContractDict = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


class SisSourceError(RuntimeError):
    """The SIS does not look like the source this module was written for."""


def adapt_sis_types(table: sa.Table) -> None:
    """Table adapter: Oracle `NUMBER(p,0)` columns become BIGINT instead of DECIMAL(p,0).

    It changes the reflected column type itself, so both the dlt column hints and the values the driver
    returns (int, not Decimal) follow it.
    """
    for column in table.columns:
        kind = column.type
        if (
            isinstance(kind, sa.Numeric)
            and not isinstance(kind, sa.Float)
            and kind.scale == 0
            and kind.precision is not None
            and kind.precision <= MAX_BIGINT_PRECISION
        ):
            column.type = sa.BigInteger()


def _column_named(table: sa.Table, wanted: str) -> str:
    """The table's own spelling of column `wanted` (Oracle reflects `updated_at`, SQLite `UPDATED_AT`)."""
    for column in table.columns:
        if column.name.lower() == wanted.lower():
            return str(column.name)
    raise SisSourceError(
        f"oracle_sis: table {table.name} has no column {wanted}; every SIS table must carry "
        f"{CURSOR_COLUMN} and {SOFT_DELETE_COLUMN}. Check SOURCES__ORACLE_SIS__SCHEMA names the SIS owner."
    )


def primary_key_of(table: sa.Table) -> list[str]:
    """Reflected primary key, else the documented key from `SIS_PRIMARY_KEYS`, in the table's own spelling."""
    reflected = [str(column.name) for column in table.primary_key.columns]
    if reflected:
        return reflected
    documented = SIS_PRIMARY_KEYS.get(table.name.upper())
    if documented is None:
        raise SisSourceError(
            f"oracle_sis: table {table.name} reports no primary key and none is documented in "
            "SIS_PRIMARY_KEYS; add it there before loading the table."
        )
    return [_column_named(table, documented)]


def cursor_lag_problem(lag_seconds: int) -> str | None:
    """Why `lag_seconds` cannot be the cursor's lag window, or None. The source refuses such a lag, and so do
    `campus run` and the Dagster dbt step before any source loads (orchestration/dbt_invocation.py)."""
    if lag_seconds < 0:
        return (
            f"the SIS cursor lag (sources.oracle_sis.cursor_lag_seconds) is {lag_seconds} s: "
            "set it to 0 or more seconds."
        )
    return None


def updated_at_incremental(
    cursor_column: str, lag_seconds: int = DEFAULT_CURSOR_LAG_SECONDS, initial_value: datetime | None = None
) -> Any:
    """The cursor every SIS table uses: closed range start, `lag_seconds` below the last value re-read."""
    problem = cursor_lag_problem(lag_seconds)
    if problem:
        raise SisSourceError(f"oracle_sis: {problem}")
    return dlt.sources.incremental(
        cursor_column, initial_value=initial_value, range_start="closed", lag=lag_seconds or None
    )


def _reflect(engine: sa.Engine, schema: str | None, table_names: Sequence[str]) -> dict[str, sa.Table]:
    """Reflect only the wanted tables, matching names case-insensitively; fail if one is missing."""
    metadata = sa.MetaData(schema=schema)
    # dlt's own Oracle adaptation: NUMBER reflects as Decimal-returning, never as float.
    default_engine_adapter_callback(engine, metadata)
    present = {name.upper(): name for name in sa.inspect(engine).get_table_names(schema=schema)}
    missing = [name for name in table_names if name.upper() not in present]
    if missing:
        raise SisSourceError(
            f"oracle_sis: tables {missing} not found in schema {schema or '(default)'}; check "
            "SOURCES__ORACLE_SIS__SCHEMA and that the login may read them."
        )
    actual = [present[name.upper()] for name in table_names]
    metadata.reflect(bind=engine, only=actual)
    prefix = f"{schema}." if schema else ""
    return {name: metadata.tables[f"{prefix}{present[name.upper()]}"] for name in table_names}


def _table_resource(
    credentials: ConnectionStringCredentials,
    table: sa.Table,
    schema: str | None,
    chunk_size: int,
    cursor_lag_seconds: int,
) -> DltResource:
    return sql_table(
        credentials=credentials,
        table=table.name,
        schema=schema,
        metadata=table.metadata,
        incremental=updated_at_incremental(_column_named(table, CURSOR_COLUMN), cursor_lag_seconds),
        chunk_size=chunk_size,
        backend="pyarrow",
        reflection_level="full_with_precision",
        table_adapter_callback=adapt_sis_types,
        write_disposition="merge",
        primary_key=primary_key_of(table),
    )


@dlt.source(name="oracle_sis", section="oracle_sis", schema_contract=SCHEMA_CONTRACT)
def oracle_sis(
    credentials: ConnectionStringCredentials = dlt.secrets.value,
    schema: str | None = None,
    table_names: list[str] | None = None,
    chunk_size: int = 50_000,
    cursor_lag_seconds: int = DEFAULT_CURSOR_LAG_SECONDS,
) -> Iterator[DltResource]:
    """One merged, incremental resource per SIS table (see the module docstring)."""
    engine = sa.create_engine(credentials.to_native_representation())
    try:
        tables = _reflect(engine, schema, list(table_names or SIS_TABLES))
    finally:
        engine.dispose()
    for table in tables.values():
        _column_named(table, SOFT_DELETE_COLUMN)
        yield _table_resource(credentials, table, schema, chunk_size, cursor_lag_seconds)


def configured_cursor_lag_seconds() -> int:
    """The lag window a run of this source will use, resolved as dlt resolves the source's own argument:
    `cursor_lag_seconds` in the source's sections, inside its pipeline's scope. So every key a run would
    honour is seen, for example `SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS`, `CURSOR_LAG_SECONDS`,
    `CAMPUS_ORACLE_SIS__SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS` or `[sources.oracle_sis]` in
    `.dlt/config.toml`. Nothing else is resolved: the credentials are not read."""

    @with_config(sections=(known_sections.SOURCES, oracle_sis.section, oracle_sis.name))
    def resolved(cursor_lag_seconds: int = DEFAULT_CURSOR_LAG_SECONDS) -> int:
        return cursor_lag_seconds

    with inject_section(ConfigSectionContext(pipeline_name=pipeline_name("oracle_sis"))):
        return int(resolved())


def source(**kwargs: Any) -> DltSource:
    """The SIS source with its configuration resolved by dlt (what the runner calls)."""
    return oracle_sis(**kwargs)


def compile_incremental_query(
    dialect_url: str,
    table_name: str = "STUDENTS",
    schema: str | None = None,
    last_value: datetime | None = None,
    cursor_lag_seconds: int = DEFAULT_CURSOR_LAG_SECONDS,
) -> tuple[str, dict[str, Any]]:
    """Compile, without connecting, the SELECT this source runs for `table_name` on the dialect of
    `dialect_url` (e.g. `oracle+oracledb://`), as of an incremental state whose last `UPDATED_AT` is
    `last_value` and whose lag is `cursor_lag_seconds`.

    The table is declared with the names the dialect's reflection reports for the SIS's upper-case names
    (Oracle: lower-case, rendered unquoted, which Oracle resolves case-insensitively to the upper-case
    names; `schema` is used as configured), then goes through the same type adapter and dlt's own query
    builder as a real run. Returns the SQL text and its bind parameters.

    Without a pipeline the incremental is unbound and dlt applies no lag (there is no state to step back
    from), so the lag is applied here as dlt applies it to a bound state: the start is `last_value` minus
    `cursor_lag_seconds`.
    """
    engine = sa.create_engine(dialect_url)
    dialect = engine.dialect

    def reflected(name: str) -> str:
        return str(dialect.normalize_name(name)) if dialect.requires_name_normalize else name

    key = SIS_PRIMARY_KEYS[table_name.upper()]
    table = sa.Table(
        reflected(table_name.upper()),
        sa.MetaData(schema=schema),
        sa.Column(reflected(key), sa.Numeric(10, 0), primary_key=True),
        sa.Column(reflected(SOFT_DELETE_COLUMN), sa.Numeric(1, 0), nullable=False),
        sa.Column(reflected(CURSOR_COLUMN), sa.TIMESTAMP(), nullable=False),
    )
    adapt_sis_types(table)
    loader = TableLoader(
        engine,
        "pyarrow",
        table,
        columns={},
        incremental=updated_at_incremental(
            _column_named(table, CURSOR_COLUMN),
            cursor_lag_seconds,
            initial_value=None if last_value is None else last_value - timedelta(seconds=cursor_lag_seconds),
        ),
    )
    compiled = loader.make_query().compile(dialect=dialect)
    return str(compiled), dict(compiled.params)
