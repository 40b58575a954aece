"""How the SIS source reads one table: reflection, the Oracle type adapter, keys, the lagged `UPDATED_AT`
cursor, and the SELECT it compiles (for a reader to check what Oracle will be sent)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.common.configuration.specs import ConnectionStringCredentials
from dlt.extract import DltResource
from dlt.sources.sql_database import sql_table
from dlt.sources.sql_database.helpers import TableLoader, default_engine_adapter_callback

from ingestion.oracle_sis.settings import (
    CURSOR_COLUMN,
    CURSOR_LAG_KEY,
    DEFAULT_CURSOR_LAG_SECONDS,
    ENV_SCHEMA,
    MAX_BIGINT_PRECISION,
    SIS_PRIMARY_KEYS,
    SOFT_DELETE_COLUMN,
)


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


def column_named(table: sa.Table, wanted: str) -> str:
    """The table's own spelling of column `wanted` (Oracle reflects `updated_at`, SQLite `UPDATED_AT`)."""
    for column in table.columns:
        if column.name.lower() == wanted.lower():
            return str(column.name)
    raise SisSourceError(
        f"oracle_sis: table {table.name} has no column {wanted}; every SIS table must carry "
        f"{CURSOR_COLUMN} and {SOFT_DELETE_COLUMN}. Check {ENV_SCHEMA} names the SIS owner."
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
    return [column_named(table, documented)]


def cursor_lag_problem(lag_seconds: int) -> str | None:
    """Why `lag_seconds` cannot be the cursor's lag window, or None. The source refuses such a lag, and so do
    `campus run` and the Dagster dbt step before any source loads (orchestration/dbt_invocation.py)."""
    if lag_seconds < 0:
        return f"the SIS cursor lag ({CURSOR_LAG_KEY}) is {lag_seconds} s: set it to 0 or more seconds."
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


def reflect_tables(engine: sa.Engine, schema: str | None, table_names: Sequence[str]) -> dict[str, sa.Table]:
    """Reflect only the wanted tables, matching names case-insensitively; fail if one is missing."""
    metadata = sa.MetaData(schema=schema)
    # dlt's own Oracle adaptation: NUMBER reflects as Decimal-returning, never as float.
    default_engine_adapter_callback(engine, metadata)
    present = {name.upper(): name for name in sa.inspect(engine).get_table_names(schema=schema)}
    missing = [name for name in table_names if name.upper() not in present]
    if missing:
        raise SisSourceError(
            f"oracle_sis: tables {missing} not found in schema {schema or '(default)'}; check "
            f"{ENV_SCHEMA} and that the login may read them."
        )
    actual = [present[name.upper()] for name in table_names]
    metadata.reflect(bind=engine, only=actual)
    prefix = f"{schema}." if schema else ""
    return {name: metadata.tables[f"{prefix}{present[name.upper()]}"] for name in table_names}


def table_resource(
    credentials: ConnectionStringCredentials,
    table: sa.Table,
    schema: str | None,
    chunk_size: int,
    cursor_lag_seconds: int,
) -> DltResource:
    """One reflected SIS table as a merged, incremental dlt resource (pyarrow backend)."""
    return sql_table(
        credentials=credentials,
        table=table.name,
        schema=schema,
        metadata=table.metadata,
        incremental=updated_at_incremental(column_named(table, CURSOR_COLUMN), cursor_lag_seconds),
        chunk_size=chunk_size,
        backend="pyarrow",
        reflection_level="full_with_precision",
        table_adapter_callback=adapt_sis_types,
        write_disposition="merge",
        primary_key=primary_key_of(table),
    )


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
            column_named(table, CURSOR_COLUMN),
            cursor_lag_seconds,
            initial_value=None if last_value is None else last_value - timedelta(seconds=cursor_lag_seconds),
        ),
    )
    compiled = loader.make_query().compile(dialect=dialect)
    return str(compiled), dict(compiled.params)
