"""Publishing: the snapshot and the lake readers use, swapped in whole, never half-written, pruned to N."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.destination import connect_working
from orchestration.publish import (
    PARTIAL_PREFIX,
    PublishError,
    PublishSettings,
    Relation,
    current,
    publications,
    publish,
    snowflake_statements,
)

RELATIONS = (
    # A partitioned table first: its schema's folder does not exist yet.
    Relation("marts", "fct_enrollment", partition_by="term_code"),
    Relation("marts", "dim_student"),
    Relation("marts", "fct_attendance", "class_month", "date_trunc('month', class_date)::date"),
    # The app's alone (a search index): in the snapshot, not in the lake.
    Relation("search", "search_terms", in_lake=False),
)


def _working_warehouse(path: Path, students: int) -> Path:
    """A small working warehouse with the shape of the marts (a reader relation per kind of partitioning)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # dbt builds the reader relations into the readers' file and the rest into the working file.
    with connect_working(path) as con:
        con.execute("create schema if not exists readers.marts")
        con.execute("create schema if not exists readers.search")
        con.execute("create schema if not exists staging")
        con.execute(
            "create or replace table readers.marts.dim_student as "
            f"select range as student_key from range({students})"
        )
        con.execute(
            "create or replace table readers.marts.fct_enrollment as select range as enrollment_id, "
            "20250 + range % 3 as term_code from range(30)"
        )
        con.execute(
            "create or replace table readers.marts.fct_attendance as select range as attendance_id, "
            "date '2026-01-01' + (range * 7)::int as class_date from range(20)"
        )
        con.execute(
            "create or replace table readers.search.search_terms as "
            "select 'term' || range as term from range(40)"
        )
        con.execute("create or replace table staging.not_for_readers as select 1 as x")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> PublishSettings:
    return PublishSettings(root=tmp_path / "published", keep=3)


def _snapshot_view(snapshot: Path) -> tuple[str, int, int]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        run_id = con.execute("select run_id from publication").fetchone()[0]
        recorded = con.execute(
            "select row_count from published_tables where table_name = 'dim_student'"
        ).fetchone()[0]
        actual = con.execute("select count(*) from marts.dim_student").fetchone()[0]
    return run_id, recorded, actual


def test_publish_makes_a_snapshot_that_says_which_run_it_holds(
    tmp_path: Path, settings: PublishSettings
) -> None:
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=10)
    publication = publish(RELATIONS, "run-one", settings, warehouse)
    assert current(settings).run_id == "run-one"
    assert _snapshot_view(settings.snapshot) == ("run-one", 10, 10)
    with duckdb.connect(str(settings.snapshot), read_only=True) as con:
        listed = con.execute("select distinct table_schema from information_schema.tables").fetchall()
    schemas = {row[0] for row in listed}
    assert "staging" not in schemas  # only what readers use is published
    manifest = json.loads((Path(publication.folder) / "manifest.json").read_text())
    assert manifest["tables"]["marts.fct_enrollment"]["rows"] == 30
    assert manifest["tables"]["marts.fct_enrollment"]["columns"] == [
        {"name": "enrollment_id", "type": "BIGINT"},
        {"name": "term_code", "type": "BIGINT"},
    ]
    # The snapshot holds every relation; the lake only those declared for it.
    assert manifest["tables"]["search.search_terms"] == {
        "rows": 40,
        "columns": [{"name": "term", "type": "VARCHAR"}],
        "in_lake": False,
        "partition_by": None,
        "pseudonymised_in_lake": [],
    }
    assert sorted(p.name for p in settings.lake.iterdir()) == ["marts"]


def test_a_plain_process_reads_the_lake_with_duckdb_and_pyarrow(
    tmp_path: Path, settings: PublishSettings
) -> None:
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=10)
    publish(RELATIONS, "run-one", settings, warehouse)
    # Imports nothing from this project: what a BI tool or a notebook does with the documented paths.
    reader = textwrap.dedent(
        f"""
        import json, duckdb, pyarrow.dataset as ds
        lake = {str(settings.lake)!r}
        con = duckdb.connect()
        out = {{}}
        for table in ("dim_student", "fct_enrollment", "fct_attendance"):
            path = f"{{lake}}/marts/{{table}}"
            rows = con.execute(
                f"select count(*) from read_parquet('{{path}}/**/*.parquet', hive_partitioning = true)"
            ).fetchone()[0]
            dataset = ds.dataset(path, format="parquet", partitioning="hive")
            out[table] = [rows, dataset.count_rows(), sorted(dataset.schema.names)]
        terms = con.execute(
            f"select distinct term_code from read_parquet('{{lake}}/marts/fct_enrollment/**/*.parquet', "
            "hive_partitioning = true) order by 1"
        ).fetchall()
        out["terms"] = [t[0] for t in terms]
        print(json.dumps(out))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", reader], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    seen = json.loads(result.stdout)
    assert seen["dim_student"][:2] == [10, 10]
    assert seen["fct_enrollment"][:2] == [30, 30]
    assert seen["fct_attendance"][:2] == [20, 20]
    assert "term_code" in seen["fct_enrollment"][2]  # the partition key is visible as a column
    assert "class_month" in seen["fct_attendance"][2]
    assert seen["terms"] == [20250, 20251, 20252]
    assert sorted(p.name for p in (settings.lake / "marts" / "fct_enrollment").iterdir()) == [
        "term_code=20250",
        "term_code=20251",
        "term_code=20252",
    ]


def test_a_reader_keeps_its_run_while_the_next_is_swapped_in(
    tmp_path: Path, settings: PublishSettings
) -> None:
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=10)
    publish(RELATIONS, "run-one", settings, warehouse)
    reader = duckdb.connect(str(settings.snapshot), read_only=True)
    try:
        _working_warehouse(warehouse, students=25)
        publish(RELATIONS, "run-two", settings, warehouse)
        # The open reader still sees run one, whole.
        assert reader.execute("select run_id from publication").fetchone()[0] == "run-one"
        assert reader.execute("select count(*) from marts.dim_student").fetchone()[0] == 10
    finally:
        reader.close()
    assert _snapshot_view(settings.snapshot) == ("run-two", 25, 25)


def test_a_failed_publish_leaves_the_previous_one_current_and_nothing_behind(
    tmp_path: Path, settings: PublishSettings
) -> None:
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=10)
    publish(RELATIONS, "run-one", settings, warehouse)
    with pytest.raises(PublishError, match="previous publish stays current"):
        publish((*RELATIONS, Relation("marts", "missing_table")), "run-two", settings, warehouse)
    assert current(settings).run_id == "run-one"
    assert _snapshot_view(settings.snapshot) == ("run-one", 10, 10)
    assert [p.run_id for p in publications(settings)] == ["run-one"]
    assert not list(settings.publishes.glob(f"{PARTIAL_PREFIX}*"))


def test_a_killed_publish_leaves_no_partial_after_the_next(tmp_path: Path, settings: PublishSettings) -> None:
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=10)
    publish(RELATIONS, "run-one", settings, warehouse)
    leftover = settings.publishes / f"{PARTIAL_PREFIX}20990101T000000000000Z-killed"
    (leftover / "lake").mkdir(parents=True)
    assert [p.run_id for p in publications(settings)] == ["run-one"]  # a partial is never listed
    publish(RELATIONS, "run-two", settings, warehouse)
    assert not leftover.exists()


def test_only_the_newest_publishes_are_kept(tmp_path: Path, settings: PublishSettings) -> None:
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=10)
    for number in range(5):
        publish(RELATIONS, f"run-{number}", settings, warehouse)
    kept = [p.run_id for p in publications(settings)]
    assert kept == ["run-4", "run-3", "run-2"]
    assert current(settings).run_id == "run-4"
    assert len(list(settings.publishes.iterdir())) == 3


def test_before_the_first_publish_there_is_no_current(settings: PublishSettings) -> None:
    assert current(settings) is None
    assert publications(settings) == []


@pytest.mark.parametrize("keep", ["0", "seven"])
def test_a_bad_retention_setting_is_refused(monkeypatch: pytest.MonkeyPatch, keep: str) -> None:
    monkeypatch.setenv("CAMPUS_PUBLISH_KEEP", keep)
    with pytest.raises(PublishError, match="CAMPUS_PUBLISH_KEEP"):
        PublishSettings.from_env()


def test_snowflake_publish_clones_the_run_swaps_readers_and_keeps_n() -> None:
    at = datetime(2026, 12, 6, 6, 0, 5, tzinfo=UTC)
    existing = [f"CAMPUS_RUN_2026120{day}T060000" for day in range(1, 6)]
    statements = snowflake_statements("campus", "abc123", at, existing, keep=3)
    assert statements[:2] == [
        "CREATE DATABASE CAMPUS_RUN_20261206T060005 CLONE CAMPUS COMMENT = 'campus run abc123'",
        "CREATE OR REPLACE DATABASE CAMPUS_PUBLISHED CLONE CAMPUS_RUN_20261206T060005 "
        "COMMENT = 'campus run abc123'",
    ]
    # The new clone and the two newest earlier ones stay: three in all.
    assert statements[2:] == [f"DROP DATABASE IF EXISTS CAMPUS_RUN_2026120{day}T060000" for day in (3, 2, 1)]
    with pytest.raises(PublishError, match="database name"):
        snowflake_statements("campus; drop database x", "abc123", at, [])


def test_the_snapshot_is_the_readers_file_with_only_what_is_published_and_every_view_a_table(
    tmp_path: Path, settings: PublishSettings
) -> None:
    """The readers' file is copied whole: a relation nobody publishes (a private model) is gone from the copy,
    and views (dbt's, over either file) are tables there, so the snapshot needs neither file to be read."""
    warehouse = _working_warehouse(tmp_path / "w" / "campus.duckdb", students=4)
    with connect_working(warehouse) as con:
        con.execute("create table readers.marts.private_model as select 1 as x")
        con.execute("create schema readers.quality")
        con.execute("create schema campus.quality")
        con.execute("create table campus.quality.results as select 7 as n")  # a dbt hook's table
        con.execute("create view readers.quality.dq_results as select n from campus.quality.results")
        con.execute("create schema campus.operations")
        con.execute(
            "create view campus.operations.ops_students as "
            "select count(*) as students from readers.marts.dim_student"
        )
    extra = (Relation("quality", "dq_results"), Relation("operations", "ops_students"))
    publish((*RELATIONS, *extra), "run-views", settings, warehouse)
    with duckdb.connect(str(settings.snapshot), read_only=True) as con:
        listed = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        tables = {f"{s}.{t}" for s, t in listed}
        views = con.execute("select view_name from duckdb_views() where not internal").fetchall()
        assert "marts.private_model" not in tables and views == []
        assert {"quality.dq_results", "operations.ops_students", "marts.dim_student"} <= tables
        assert con.execute("select n from quality.dq_results").fetchall() == [(7,)]
        assert con.execute("select students from operations.ops_students").fetchall() == [(4,)]
