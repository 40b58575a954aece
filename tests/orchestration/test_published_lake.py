"""The lake of a real build, read as a BI tool or notebook would: a plain Python process, importing nothing
from this project, gets the snapshot's row count for every table in the lake with DuckDB and with pyarrow; the
lake holds the relations dbt declares for it, the snapshot all of them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from ingestion.destination import connect_working
from orchestration.publish import PublishSettings, publish, reader_relations
from tests.warehouse import BuiltWarehouse

READER = textwrap.dedent(
    """
    import json, sys, pathlib, duckdb, pyarrow.dataset as ds
    lake = pathlib.Path(sys.argv[1])
    con = duckdb.connect()
    seen = {}
    for folder in sorted(p for p in lake.glob("*/*") if p.is_dir()):
        files = f"{folder}/**/*.parquet"
        query = f"select count(*) from read_parquet('{files}', hive_partitioning = true)"
        rows = con.execute(query).fetchone()[0]
        dataset = ds.dataset(str(folder), format="parquet", partitioning="hive")
        partitions = sorted({p.name.split("=")[0] for p in folder.iterdir() if "=" in p.name})
        seen[f"{folder.parent.name}.{folder.name}"] = [rows, dataset.count_rows(), partitions]
    print(json.dumps(seen))
    """
)


def test_every_lake_table_reads_the_same_from_the_lake(built_warehouse: BuiltWarehouse) -> None:
    published = built_warehouse.path.parent / "published"
    with duckdb.connect(str(published / "campus.duckdb"), read_only=True) as con:
        listed = con.execute(
            "select table_schema, table_name, row_count, is_in_lake from published_tables"
        ).fetchall()
    snapshot = {f"{schema}.{name}": rows for schema, name, rows, _ in listed}
    expected = {f"{schema}.{name}": rows for schema, name, rows, in_lake in listed if in_lake}
    result = subprocess.run(
        [sys.executable, "-c", READER, str(published / "lake")],
        capture_output=True,
        text=True,
        check=True,
        cwd=published,
    )
    seen = json.loads(result.stdout)
    assert set(seen) == set(expected)
    assert {table: found[:2] for table, found in seen.items()} == {t: [n, n] for t, n in expected.items()}
    # The large facts are split by their natural key, visible to any reader as a column.
    assert seen["marts.fct_enrollment"][2] == ["term_code"]
    assert seen["marts.fct_attendance"][2] == ["class_month"]
    assert seen["marts.job_market_trends"][2] == ["trend_month"]
    assert {
        "marts.dim_student",
        "recommendations.rec_student_jobs",
        "quality.dq_table_quality_scores",
    } <= set(seen)
    # The search index and the per-record quality checks are the app's: in the snapshot, not in the lake.
    assert {"search.search_terms", "quality.dq_record_checks"} <= set(snapshot) - set(seen)
    assert not any(table.startswith("search.") for table in seen)
    manifest = json.loads((published / "current.json").read_text())
    assert {t: info["rows"] for t, info in manifest["tables"].items()} == snapshot
    assert {t for t, info in manifest["tables"].items() if info["in_lake"]} == set(expected)


def test_the_lake_holds_no_clear_personal_value_and_its_pseudonyms_count_like_them(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """BI tools read the lake: every column dbt tags as personal is a keyed hash there, the same value giving
    the same pseudonym (so joins and counts still work), while the app's snapshot keeps the clear values."""
    published = built_warehouse.path.parent / "published"
    lake = published / "lake"
    with duckdb.connect(str(published / "campus.duckdb"), read_only=True) as con:
        con.execute(
            "create temp table personal as select distinct value from (select unnest([first_name, last_name,"
            " email, phone, first_name || ' ' || last_name, cast(date_of_birth as varchar)]) as value"
            " from marts.dim_student) where value is not null"
        )
        clear_groups = con.execute(
            "select count(*) from marts.dim_student group by last_name order by 1"
        ).fetchall()
        leaks = {}
        for folder in sorted(p for p in lake.glob("*/*") if p.is_dir()):
            table = f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
            columns = con.execute(f"describe select * from {table}").fetchall()
            for name, data_type, *_ in columns:
                if data_type != "VARCHAR":
                    continue
                found = con.execute(
                    f'select count(*) from {table} where "{name}" in (select value from personal)'
                ).fetchone()[0]
                if found:
                    leaks[f"{folder.parent.name}.{folder.name}.{name}"] = found
        assert leaks == {}
        dim_student = f"read_parquet('{lake}/marts/dim_student/**/*.parquet')"
        pseudonym_groups = con.execute(
            f"select count(*) from {dim_student} group by last_name order by 1"
        ).fetchall()
        assert pseudonym_groups == clear_groups  # equal names, equal pseudonyms: the same group sizes
        emails = con.execute(f"select count(distinct email), count(email) from {dim_student}").fetchone()
        assert (
            emails
            == con.execute("select count(distinct email), count(email) from marts.dim_student").fetchone()
        )
        first = con.execute(f"select student_key, email from {dim_student} order by 1").fetchall()
    # Republished (another run of the same data): the same pseudonyms, the key is kept.
    again = PublishSettings(root=tmp_path / "published")
    publish(reader_relations(built_warehouse.path), "again", again, built_warehouse.path)
    with duckdb.connect() as con:
        lake_again = f"read_parquet('{again.lake}/marts/dim_student/**/*.parquet')"
        second = con.execute(f"select student_key, email from {lake_again} order by 1").fetchall()
    assert second == first
    assert (built_warehouse.path.parent / ".secrets" / "pseudonym.key").stat().st_mode & 0o077 == 0


def test_the_builds_bookkeeping_columns_are_left_out_of_the_snapshot_and_the_lake(
    built_warehouse: BuiltWarehouse,
) -> None:
    """Change fingerprints (`meta.publish: false` in dbt) are the build's: readers get every other column."""
    published = built_warehouse.path.parent / "published"

    def columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
        return {row[0] for row in con.execute(f"describe {relation}").fetchall()}

    with connect_working(built_warehouse.path, read_only=True) as working:
        built_terms = columns(working, "search.search_terms")
        built_recs = columns(working, "recommendations.rec_student_jobs")
    with duckdb.connect(str(published / "campus.duckdb"), read_only=True) as snapshot:
        assert columns(snapshot, "search.search_terms") == built_terms - {"doc_hash"}
        assert columns(snapshot, "search.search_documents") >= {"doc_id", "title"}
        assert "doc_hash" not in columns(snapshot, "search.search_documents")
        assert columns(snapshot, "recommendations.rec_student_jobs") == built_recs - {"inputs_fingerprint"}
        lake_recs = f"read_parquet('{published}/lake/recommendations/rec_student_jobs/**/*.parquet')"
        assert columns(snapshot, f"select * from {lake_recs}") == built_recs - {"inputs_fingerprint"}
    manifest = json.loads((published / "current.json").read_text())
    assert "doc_hash" not in {c["name"] for c in manifest["tables"]["search.search_terms"]["columns"]}
