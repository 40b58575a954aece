"""The lake of a real build, read as a BI tool or notebook would: a plain Python process, importing nothing
from this project, gets the snapshot's row count for every table in the lake with DuckDB and with pyarrow; the
lake holds the relations dbt declares for it, the snapshot all of them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import duckdb

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
