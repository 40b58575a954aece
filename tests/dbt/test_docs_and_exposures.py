"""dbt docs and exposures: `make docs` documents the warehouse with lineage from the sources to the exposures,
with or without a warehouse to read, and the app's exposure names exactly the relations the app queries."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from tests.warehouse import ROOT, BuiltWarehouse, copy_working

APP_EXPOSURE = "exposure.campus_pathways.campus_pathways_app"
# The reader-facing schemas dbt builds, the only ones the app's SQL may read.
READER_SCHEMAS = ("marts", "recommendations", "quality", "search", "operations")
# Written when a `campus run` ends; the session's warehouse was built by ingestion and `dbt build` alone.
NOT_YET_WRITTEN = {"source.campus_pathways.meta.pipeline_runs"}


def make_docs(warehouse: Path, dbt_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`make docs` as a user runs it, with this warehouse and its own target folder: (result, catalog)."""
    env = {
        **os.environ,
        "CAMPUS_WAREHOUSE": str(warehouse),
        "DBT_TARGET_PATH": str(dbt_dir / "target"),
        "DBT_LOG_PATH": str(dbt_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        ["make", "docs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (dbt_dir / "target" / "index.html").stat().st_size > 0
    return result, json.loads((dbt_dir / "target" / "catalog.json").read_text())


def ancestors(manifest: dict[str, Any], node: str) -> set[str]:
    found: set[str] = set()
    todo = [node]
    while todo:
        for parent in manifest["parent_map"].get(todo.pop(), []):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def test_make_docs_catalogues_the_warehouse_and_traces_every_source_to_an_exposure(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    warehouse = tmp_path / "campus.duckdb"
    copy_working(built_warehouse.path, warehouse)
    _, catalog = make_docs(warehouse, tmp_path / "docs")
    manifest = json.loads((tmp_path / "docs" / "target" / "manifest.json").read_text())

    marts = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")
    }
    assert marts and marts <= set(catalog["nodes"]), marts - set(catalog["nodes"])
    for unique_id in marts:  # column types come from the warehouse
        assert catalog["nodes"][unique_id]["columns"], unique_id
    assert set(catalog["sources"]) == set(manifest["sources"]) - NOT_YET_WRITTEN

    # lineage: every source reaches an exposure (all but the results table dbt itself writes)
    reached = set().union(*(ancestors(manifest, exposure) for exposure in manifest["exposures"]))
    unused = {
        unique_id
        for unique_id in manifest["sources"]
        if unique_id not in reached and not unique_id.startswith("source.campus_pathways.quality.")
    }
    assert not unused, f"sources no exposure reads, even indirectly: {sorted(unused)}"


def test_make_docs_works_before_any_warehouse_exists(tmp_path: Path) -> None:
    result, catalog = make_docs(tmp_path / "no-warehouse-yet.duckdb", tmp_path / "docs")
    assert "without a catalog" in result.stdout
    assert catalog["nodes"] == {}


def relations_queried_in(code: str) -> set[tuple[str, str]]:
    """(schema, name) of every warehouse relation the app's SQL reads (`from` / `join`) or checks for."""
    schemas = "|".join(READER_SCHEMAS)
    named = set(re.findall(rf"\b(?:from|join)\s+({schemas})\.([a-z][a-z0-9_]*)\b", code, re.IGNORECASE))
    named |= set(re.findall(r'has_relation\("(\w+)", "(\w+)"\)', code))
    return named


def test_the_app_exposure_names_exactly_what_the_app_queries(built_warehouse: BuiltWarehouse) -> None:
    """Lineage to the app is only as good as its exposure: a page that starts reading another table, or stops
    reading one, must change `depends_on` too (dbt_project/models/marts/_exposures.yml)."""
    manifest = json.loads((built_warehouse.dbt_dir / "target" / "manifest.json").read_text())
    relations = {
        (node["schema"], node["name"]): unique_id
        for unique_id, node in [*manifest["nodes"].items(), *manifest["sources"].items()]
        if node["resource_type"] in ("model", "snapshot", "source")
    }
    code = "\n".join(path.read_text() for path in sorted((ROOT / "app").rglob("*.py")))
    queried = relations_queried_in(code)
    assert ("marts", "dim_student") in queried and ("operations", "ops_source_loads") in queried
    assert queried <= set(relations), f"the app reads relations dbt does not know: {queried - set(relations)}"
    exposure = manifest["exposures"][APP_EXPOSURE]
    assert set(exposure["depends_on"]["nodes"]) == {relations[relation] for relation in queried}
