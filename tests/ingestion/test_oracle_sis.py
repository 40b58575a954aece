"""The SIS source against the SQLite stand-in, loaded by dlt into DuckDB; compiled for Oracle."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dlt.common.schema.exceptions import DataValidationError
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.destination import make_pipeline
from ingestion.oracle_sis import (
    DEFAULT_CURSOR_LAG_SECONDS,
    SIS_PRIMARY_KEYS,
    SIS_TABLES,
    compile_incremental_query,
    configured_cursor_lag_seconds,
    oracle_sis,
)
from sandbox.advance import advance

RAW = "raw_oracle_sis"


@pytest.fixture
def sis(sandbox_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private sandbox whose SIS the source reads through its config name, as in production."""
    monkeypatch.setenv(
        "SOURCES__ORACLE_SIS__CREDENTIALS", f"sqlite:///{(sandbox_dir / 'sis.sqlite').resolve()}"
    )
    return sandbox_dir


def run_sis() -> dict[str, int]:
    """The runner's exact call; returns the rows dlt extracted per SIS table in this run."""
    pipeline = make_pipeline("oracle_sis")
    pipeline.run(oracle_sis(), loader_file_format="parquet")
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return {table: rows for table, rows in counts.items() if not table.startswith("_dlt")}


def manifest(sandbox: Path) -> dict[str, Any]:
    return json.loads((sandbox / "manifest.json").read_text())


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def raw_count(warehouse: Path, table: str) -> int:
    return query(warehouse, f"SELECT count(*) FROM {RAW}.{table.lower()}")[0][0]


def raw_checksum(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every full row (dlt's own columns included) per table."""
    return {
        table: query(warehouse, f"SELECT count(*), bit_xor(hash(t)) FROM {RAW}.{table.lower()} AS t")[0]
        for table in SIS_TABLES
    }


def raw_content_checksum(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every row's source columns (not dlt's load and row ids)."""
    return {
        table: query(
            warehouse,
            f"SELECT count(*), bit_xor(hash(t)) FROM "
            "(SELECT COLUMNS(lambda c: c NOT IN ('_dlt_load_id', '_dlt_id')) "
            f"FROM {RAW}.{table.lower()}) AS t",
        )[0]
        for table in SIS_TABLES
    }


def lag_window_counts(sandbox: Path, since: dict[str, str]) -> dict[str, int]:
    """Source rows per table stamped at or after `since[table]` minus the default lag: what a run reads."""
    counts: dict[str, int] = {}
    with sqlite3.connect(sandbox / "sis.sqlite") as con:
        for table, last in since.items():
            start = datetime.fromisoformat(last) - timedelta(seconds=DEFAULT_CURSOR_LAG_SECONDS)
            (rows,) = con.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE "UPDATED_AT" >= ?',
                [start.strftime("%Y-%m-%d %H:%M:%S.%f")],
            ).fetchone()
            if rows:
                counts[table.lower()] = rows
    return counts


def source_max_updated_at(sandbox: Path) -> dict[str, str]:
    with sqlite3.connect(sandbox / "sis.sqlite") as con:
        return {
            table: con.execute(f'SELECT MAX("UPDATED_AT") FROM "{table}"').fetchone()[0]
            for table in SIS_TABLES
        }


def source_keys(sandbox: Path, table: str) -> list[tuple[int, str, int]]:
    key = SIS_PRIMARY_KEYS[table]
    with sqlite3.connect(sandbox / "sis.sqlite") as con:
        return con.execute(
            f'SELECT "{key}", "UPDATED_AT", "IS_DELETED" FROM "{table}" ORDER BY "{key}"'
        ).fetchall()


def raw_keys(warehouse: Path, table: str) -> list[tuple[int, str, int]]:
    key = SIS_PRIMARY_KEYS[table].lower()
    return query(
        warehouse,
        f"SELECT {key}, strftime(updated_at, '%Y-%m-%d %H:%M:%S.%f'), is_deleted "
        f"FROM {RAW}.{table.lower()} ORDER BY {key}",
    )


def assert_raw_mirrors_source(sandbox: Path, warehouse: Path) -> None:
    for table in SIS_TABLES:
        expected, actual = source_keys(sandbox, table), raw_keys(warehouse, table)
        assert len(actual) == len({row[0] for row in actual}), f"{table}: duplicate keys in raw"
        assert actual == expected, f"{table}: raw differs from the SIS on key, UPDATED_AT or IS_DELETED"


def test_full_load_matches_manifest_row_counts(sis: Path, warehouse: Path) -> None:
    extracted = run_sis()

    expected = manifest(sis)["sources"]["oracle_sis"]["tables"]
    assert set(expected) == set(SIS_TABLES)
    assert {table: raw_count(warehouse, table) for table in SIS_TABLES} == expected
    assert extracted == {table.lower(): rows for table, rows in expected.items()}
    assert_raw_mirrors_source(sis, warehouse)


def test_ids_land_as_bigint_and_measures_as_exact_decimals(sis: Path, warehouse: Path) -> None:
    run_sis()

    types = {
        (table, column): data_type
        for table, column, data_type in query(
            warehouse,
            f"SELECT table_name, column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{RAW}'",
        )
    }
    sis_tables = {table.lower() for table in SIS_TABLES}
    id_columns = {
        key
        for key in types
        if key[0] in sis_tables and key[1].endswith("_id") and not key[1].startswith("_dlt_")
    }
    assert len(id_columns) >= 15
    assert {types[key] for key in id_columns} == {"BIGINT"}
    assert types["students", "gpa"] == "DECIMAL(4,2)"
    assert types["assessments", "score"] == "DECIMAL(5,2)"
    assert types["assessments", "max_score"] == "DECIMAL(5,2)"
    assert types["academic_records", "grade_points"] == "DECIMAL(3,2)"
    assert types["course_skills", "skill_weight"] == "DECIMAL(3,2)"
    assert types["enrollments", "term_code"] == "BIGINT"
    assert types["students", "is_deleted"] == "BIGINT"
    assert types["students", "updated_at"] == "TIMESTAMP"
    # Exact values, not binary floats: a GPA of 3.07 stays 3.07.
    with sqlite3.connect(sis / "sis.sqlite") as con:
        source_gpa = con.execute('SELECT SUM(CAST("GPA" AS TEXT) * 100) FROM "STUDENTS"').fetchone()[0]
    assert query(warehouse, f"SELECT sum(gpa * 100) FROM {RAW}.students")[0][0] == round(source_gpa)


def test_rerun_rereads_only_the_lag_window_and_changes_nothing(sis: Path, warehouse: Path) -> None:
    run_sis()
    before = raw_content_checksum(warehouse)
    window = lag_window_counts(sis, source_max_updated_at(sis))
    assert window, "the sandbox should have rows within the lag window of the last UPDATED_AT"

    # The re-run reads exactly the rows stamped within the lag window, and merges them onto themselves.
    assert run_sis() == window
    assert raw_content_checksum(warehouse) == before
    assert_raw_mirrors_source(sis, warehouse)


def test_cursor_lag_comes_from_config_and_zero_reads_nothing_again(
    sis: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS", "0")
    run_sis()
    before = raw_checksum(warehouse)

    assert run_sis() == {}
    assert raw_checksum(warehouse) == before


@pytest.mark.parametrize(
    "key",
    [
        "SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS",
        "SOURCES__ORACLE_SIS__ORACLE_SIS__CURSOR_LAG_SECONDS",
        "SOURCES__CURSOR_LAG_SECONDS",
        "CURSOR_LAG_SECONDS",
        "CAMPUS_ORACLE_SIS__SOURCES__ORACLE_SIS__CURSOR_LAG_SECONDS",
    ],
)
def test_the_lag_check_sees_the_lag_a_run_uses_wherever_it_is_configured(
    sis: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """`campus run` refuses a lag longer than the facts' window (orchestration/dbt_invocation.py); that
    guard is only as good as its reading of the lag, for every key dlt gives the source."""
    monkeypatch.setenv(key, "7777")
    checked = configured_cursor_lag_seconds()

    make_pipeline("oracle_sis")  # the runner's order: the pipeline, then the source inside its scope
    used = {resource.explicit_args["incremental"].lag for resource in oracle_sis().resources.values()}

    assert used == {7777}
    assert checked == 7777


def test_incremental_run_after_advance_loads_changes_and_the_lag_window(sis: Path, warehouse: Path) -> None:
    run_sis()
    loaded_up_to = source_max_updated_at(sis)
    changes = advance(sis, days=1)["advances"][-1]["changes"]["oracle_sis"]

    extracted = run_sis()

    # Every change is stamped after the last run, so it is inside what the run reads: the rows from the lag
    # window below the last loaded UPDATED_AT onwards, and nothing older.
    assert extracted == lag_window_counts(sis, loaded_up_to)
    for table, change in changes.items():
        assert extracted.get(table.lower(), 0) >= change["updated"] + change["deleted"] + change["inserted"]
    assert_raw_mirrors_source(sis, warehouse)
    counts = manifest(sis)["sources"]["oracle_sis"]["tables"]
    assert {table: raw_count(warehouse, table) for table in SIS_TABLES} == counts
    deleted = query(warehouse, f"SELECT count(*) FROM {RAW}.students WHERE is_deleted = 1")[0][0]
    assert deleted >= changes["STUDENTS"]["deleted"] >= 1


def copy_student_stamped(sandbox: Path, stamp: str) -> int:
    """A new student, copied from the latest one and stamped `stamp`, committed now; returns its id."""
    with sqlite3.connect(sandbox / "sis.sqlite") as con:
        (new_id,) = con.execute('SELECT MAX("STUDENT_ID") + 1 FROM "STUDENTS"').fetchone()
        columns = [row[1] for row in con.execute('PRAGMA table_info("STUDENTS")')][1:]
        names = ", ".join(f'"{name}"' for name in columns if name != "UPDATED_AT")
        con.execute(
            f'INSERT INTO "STUDENTS" ("STUDENT_ID", {names}, "UPDATED_AT") '
            f'SELECT ?, {names}, ? FROM "STUDENTS" ORDER BY "UPDATED_AT" DESC LIMIT 1',
            [new_id, stamp],
        )
    return int(new_id)


def test_rows_sharing_the_last_updated_at_are_neither_lost_nor_duplicated(sis: Path, warehouse: Path) -> None:
    run_sis()
    # Committed after the first run, stamped with the very timestamp that run ended on.
    new_id = copy_student_stamped(sis, source_max_updated_at(sis)["STUDENTS"])

    run_sis()
    assert new_id in {row[0] for row in raw_keys(warehouse, "STUDENTS")}
    assert_raw_mirrors_source(sis, warehouse)


def test_late_committed_row_below_the_last_updated_at_is_loaded_once(sis: Path, warehouse: Path) -> None:
    run_sis()
    loaded_up_to = datetime.fromisoformat(source_max_updated_at(sis)["STUDENTS"])
    # A transaction stamped UPDATED_AT ten minutes before the latest row the first run loaded, but committed
    # only after that run had read the table: the cursor is already past its UPDATED_AT.
    late = (loaded_up_to - timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S.%f")
    new_id = copy_student_stamped(sis, late)

    run_sis()
    assert new_id in {row[0] for row in raw_keys(warehouse, "STUDENTS")}
    assert_raw_mirrors_source(sis, warehouse)
    run_sis()
    assert_raw_mirrors_source(sis, warehouse)


def test_new_source_column_evolves_into_raw(sis: Path, warehouse: Path) -> None:
    run_sis()
    loaded_up_to = source_max_updated_at(sis)
    with sqlite3.connect(sis / "sis.sqlite") as con:
        con.execute('ALTER TABLE "STUDENTS" ADD COLUMN "PREFERRED_NAME" VARCHAR2(100)')
        con.execute(
            'UPDATE "STUDENTS" SET "PREFERRED_NAME" = \'Sam\', "UPDATED_AT" = \'2030-01-01 00:00:00.000000\' '
            'WHERE "STUDENT_ID" IN (SELECT "STUDENT_ID" FROM "STUDENTS" ORDER BY 1 LIMIT 3)'
        )

    # The three changed students, plus the rows of the lag window re-read as every run does.
    assert run_sis() == lag_window_counts(sis, loaded_up_to)
    assert query(warehouse, f"SELECT count(preferred_name) FROM {RAW}.students")[0][0] == 3


def test_key_column_type_change_fails_the_run_and_leaves_raw_alone(sis: Path, warehouse: Path) -> None:
    run_sis()
    before = raw_checksum(warehouse)
    with sqlite3.connect(sis / "sis.sqlite") as con:
        (ddl,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'COURSES'").fetchone()
        con.execute('ALTER TABLE "COURSES" RENAME TO "COURSES_OLD"')
        con.execute(ddl.replace('"COURSE_ID" NUMBER(10,0)', '"COURSE_ID" VARCHAR2(12)'))
        con.execute(
            'INSERT INTO "COURSES" SELECT \'C-\' || "COURSE_ID", "COURSE_CODE", "TITLE", "DEPARTMENT", '
            '"CREDITS", "COURSE_LEVEL", "IS_DELETED", \'2030-01-01 00:00:00.000000\' FROM "COURSES_OLD"'
        )
        con.execute('DROP TABLE "COURSES_OLD"')

    with pytest.raises(PipelineStepFailed) as failure:
        run_sis()

    assert isinstance(failure.value.exception, DataValidationError)
    message = str(failure.value.exception)
    assert "courses" in message and "course_id" in message and "frozen" in message
    assert raw_checksum(warehouse) == before
    types = query(
        warehouse,
        "SELECT data_type FROM information_schema.columns "
        f"WHERE table_schema = '{RAW}' AND table_name = 'courses' AND column_name = 'course_id'",
    )
    assert types == [("BIGINT",)]


@pytest.mark.parametrize("table", SIS_TABLES)
def test_extraction_select_compiles_for_oracle(table: str) -> None:
    last = datetime(2026, 10, 15, 6, 0, 0, 123456)

    sql, params = compile_incremental_query("oracle+oracledb://", table, schema="SIS_OWNER", last_value=last)

    key = SIS_PRIMARY_KEYS[table].lower()
    name = table.lower()
    flat = " ".join(sql.split())
    # The owner as configured (quoted upper-case matches Oracle's stored name); table and column names as
    # Oracle reflection reports them: lower-case and unquoted, which Oracle resolves to upper-case names.
    assert flat.startswith(f'SELECT "SIS_OWNER".{name}.{key}, ')
    assert f'FROM "SIS_OWNER".{name} WHERE "SIS_OWNER".{name}.updated_at >= :updated_at_1' in flat
    # The lag window: the start is the last loaded value minus the configured lag.
    assert params == {"updated_at_1": last - timedelta(seconds=DEFAULT_CURSOR_LAG_SECONDS)}
    # oracledb takes named binds only; a qmark or a quoted lower-case name would fail on Oracle.
    assert "?" not in sql and "%s" not in sql
    assert not re.search(r'"[a-z_]+"', sql)


def test_first_oracle_extraction_has_no_filter_and_sqlite_keeps_upper_case_names() -> None:
    oracle_sql, oracle_params = compile_incremental_query("oracle+oracledb://", "STUDENTS")
    assert "WHERE" not in oracle_sql and oracle_params == {}

    sqlite_sql, _ = compile_incremental_query("sqlite://", "STUDENTS", last_value=datetime(2026, 1, 1))
    assert 'WHERE "STUDENTS"."UPDATED_AT" >= ?' in " ".join(sqlite_sql.split())
