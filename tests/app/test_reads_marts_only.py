"""The app reads only the reader-facing schemas dbt builds (marts, recommendations, search, quality,
operations): never a raw, staging, intermediate or snapshot relation, nor the catalogue; the relations it
names at run time come from dbt's own lists; and its search runs without Streamlit, for other front ends."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app.conftest import ROOT
from tests.warehouse import BuiltWarehouse

READER_SCHEMAS = {"marts", "recommendations", "search", "quality", "operations"}
# A schema-qualified name in any of the schemas the app must not read, wherever it appears in the code.
FORBIDDEN = re.compile(
    r"\b(raw_[a-z0-9_]*|staging|intermediate|snapshots|information_schema|test_failures)\s*\.\s*[a-z_]",
    re.IGNORECASE,
)
# Every relation a statement reads: `from` / `join` followed by schema.name (not a Python `from x.y import`).
READS = re.compile(
    r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b(?![\w.]*\s+import\b)", re.IGNORECASE
)


def app_modules() -> dict[str, str]:
    return {str(path.relative_to(ROOT)): path.read_text() for path in sorted((ROOT / "app").rglob("*.py"))}


def test_no_app_module_names_a_raw_staging_intermediate_snapshot_or_catalogue_relation() -> None:
    found = {
        (name, match.group(0)) for name, code in app_modules().items() for match in FORBIDDEN.finditer(code)
    }
    assert not found, f"the app reads outside the reader-facing schemas: {sorted(found)}"


def test_every_statement_of_the_app_reads_a_reader_facing_schema() -> None:
    reads = {
        (name, schema.lower()) for name, code in app_modules().items() for schema, _ in READS.findall(code)
    }
    assert {schema for _, schema in reads} >= {"marts", "recommendations", "search", "quality", "operations"}
    outside = {(name, schema) for name, schema in reads if schema not in READER_SCHEMAS}
    assert not outside, f"statements reading other schemas: {sorted(outside)}"


def test_relations_named_at_run_time_are_the_ones_dbt_lists(app_env: BuiltWarehouse) -> None:
    """The Files page downloads only what ops_reader_relations lists (reader-facing schemas, every mart); the
    Data quality page samples only relations ops_dbt_stored_test_failures lists (schema test_failures)."""
    listed = set(app_env.query("select schema_name, relation_name from operations.ops_reader_relations"))
    assert {schema for schema, _ in listed} == READER_SCHEMAS
    assert ("marts", "dim_student") in listed and ("marts", "student_skills") in listed
    built = set(
        app_env.query(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('marts', 'recommendations', 'search', 'quality', 'operations')"
        )
    )
    # every listed relation exists; a built one left out is a source table dbt's hooks write
    assert listed <= built and built - listed == {("quality", "dbt_test_results")}
    assert {
        schema
        for (schema,) in app_env.query(
            "select distinct failures_schema from operations.ops_dbt_stored_test_failures"
        )
    } == {"test_failures"}

    from app.data import warehouse
    from app.data.errors import BadInput

    assert len(warehouse.relation_rows("marts", "dim_program")) > 0
    with pytest.raises(BadInput, match="There is no table"):
        warehouse.relation_rows("staging", "stg_oracle_sis__students")
    with pytest.raises(BadInput, match="There is no table"):
        warehouse.relation_rows("marts", "dim_student; drop table marts.dim_student")


SEARCH_WITHOUT_STREAMLIT = """
import json, sys
import duckdb
from app.data import search

with duckdb.connect(sys.argv[1], read_only=True) as con:
    query = lambda sql, params: con.execute(sql, list(params)).df()
    page = search.search(query, sys.argv[2], search.SearchFilters(doc_types=("student",)))
    misspelt = search.search(query, sys.argv[3])
print(json.dumps({
    "streamlit_loaded": "streamlit" in sys.modules,
    "students": list(page.results["entity_id"]),
    "kinds": sorted(set(page.results["doc_type"])),
    "misspelt": list(misspelt.results["entity_id"]),
    "notes": misspelt.notes,
}))
"""


def test_search_runs_without_streamlit_on_a_plain_connection(built_warehouse: BuiltWarehouse) -> None:
    """Another front end (a script, an HTTP API) calls the search with its own connection: same ranking,
    filters and typo tolerance as the Search page, and Streamlit is never imported."""
    ((key, last),) = built_warehouse.query(
        "select student_key, last_name from marts.dim_student where length(last_name) >= 6"
        " and student_key in (select entity_id from search.search_documents) order by student_key limit 1"
    )
    typo = last[:2] + last[3:]
    result = subprocess.run(
        [sys.executable, "-c", SEARCH_WITHOUT_STREAMLIT, str(built_warehouse.snapshot), last, typo],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["streamlit_loaded"] is False
    assert key in found["students"] and found["kinds"] == ["student"]
    assert key in found["misspelt"] and any("approximately" in note for note in found["notes"])


def test_the_app_package_has_no_query_module_left() -> None:
    assert not Path(ROOT / "app" / "queries.py").exists()
