"""What a warehouse holds, as JSON, to prove a refactor left its content unchanged.

`python -m bench.fingerprint WAREHOUSE OUT.json` records the row count of every table and view the build
made, an order-independent hash of every recommendation row and the first page of search results for a
fixed query set; `python -m bench.fingerprint --compare A.json B.json` lists what differs (exit 1 if any).
Run-specific relations (dbt's invocation log, run bookkeeping, timestamps) are left out: they differ
by design.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from app.data.search import SearchEngine
from ingestion.destination import connect_working

# Differ between two runs of the same data by design: when the run happened, not what it built (`operations`
# holds views over the run bookkeeping and dbt's results).
RUN_SPECIFIC_SCHEMAS = {"raw_meta", "dbt_test_results", "main_dbt_test_results", "operations"}
RUN_SPECIFIC_COLUMNS = (
    "_dlt_load_id",
    "_dlt_id",
    "loaded_at",
    "built_at",
    "computed_at",
    "dbt_updated_at",
    "dbt_valid_from",
    "dbt_valid_to",
    "dbt_scd_id",
    "updated_at_build",
)
QUERIES = ("python", "data analysis", "machine learning", "nursing", "pyhton", "accounting finance", "sql",
           "biology research", "marketing", "engineer")  # fmt: skip
REC_TABLES = ("rec_student_jobs", "rec_student_courses")


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
    ).fetchall()
    counts = {}
    for schema, table in rows:
        if schema in RUN_SPECIFIC_SCHEMAS or table.startswith("_dlt"):
            continue
        counts[f"{schema}.{table}"] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
    return counts


def _table_hash(con: duckdb.DuckDBPyConnection, qualified: str) -> str:
    schema, table = qualified.split(".")
    columns = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
        if name not in RUN_SPECIFIC_COLUMNS
    ]
    listed = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f'select {listed} from "{schema}"."{table}" order by all').fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _search_results(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The first page of the app's own search (as advisers see it) for each fixed query."""

    def query(sql: str, params: Sequence[Any]) -> pd.DataFrame:
        return con.execute(sql, list(params)).df()

    engine = SearchEngine.load(query)
    results = {}
    for text in QUERIES:
        page = engine.search(text)
        results[text] = {
            "total": page.total,
            "top": [[row["doc_id"], round(float(row["score"]), 6)] for row in page.rows],
        }
    return results


def fingerprint(warehouse: Path) -> dict[str, Any]:
    with connect_working(warehouse, read_only=True) as con:
        counts = _row_counts(con)
        recs = {name: _table_hash(con, name) for name in counts if name.split(".")[1] in REC_TABLES}
        found = _search_results(con)
    return {"row_counts": counts, "recommendations": recs, "search": found}


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems = []
    for section in ("row_counts", "recommendations", "search"):
        old, new = before[section], after[section]
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                problems.append(f"{section}: {key}: {old.get(key)!r} -> {new.get(key)!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs=2, type=Path)
    parser.add_argument("--compare", action="store_true", help="compare two fingerprint files")
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.paths)
        problems = compare(before, after)
        for line in problems:
            print(line)
        print(f"{len(before['row_counts'])} relations, {len(problems)} difference(s)")
        return 1 if problems else 0
    args.paths[1].write_text(json.dumps(fingerprint(args.paths[0]), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
