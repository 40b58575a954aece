"""Governance metadata of the dbt project, read from the manifest `dbt parse` writes: every reader-facing
(public) model has an owner group, an access level, an example query and an enforced contract; every project
macro says what it is for; the project's vars are declared once. A model added to a public schema (an
operations mart, say) must pass the same checks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.warehouse import ROOT, run_dbt

PROJECT = "campus_pathways"
# An "Example use" paragraph that shows a query: a select ... from in backticks after the heading.
EXAMPLE_QUERY = re.compile(r"example use.*?`\s*select\b[^`]*\bfrom\b[^`]*`", re.IGNORECASE | re.DOTALL)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    dbt_dir = tmp_path_factory.mktemp("dbt_parse")
    # dbt parse reads no data: the warehouse path is only for the profile.
    result = run_dbt(dbt_dir / "unused.duckdb", dbt_dir, "parse", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return dict(json.loads((dbt_dir / "target" / "manifest.json").read_text()))


def _models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = manifest["nodes"].values()
    return [n for n in nodes if n["resource_type"] == "model" and n["package_name"] == PROJECT]


def test_every_model_has_an_access_level_and_reader_facing_ones_are_public(manifest: dict[str, Any]) -> None:
    models = _models(manifest)
    assert all(m["access"] in ("public", "protected", "private") for m in models)
    reader_facing = {"marts", "recommendations", "search", "quality"}
    not_public = [
        m["name"]
        for m in models
        if m["config"]["schema"] in reader_facing and m["access"] != "public" and m["access"] != "private"
    ]
    assert not not_public, f"reader-facing models must be public (or private internals): {not_public}"
    private_without_group = [m["name"] for m in models if m["access"] == "private" and not m["group"]]
    assert not private_without_group, private_without_group


def test_every_public_model_has_an_owner_an_example_query_and_a_contract(manifest: dict[str, Any]) -> None:
    groups = {g["name"]: g for g in manifest["groups"].values()}
    public = [m for m in _models(manifest) if m["access"] == "public"]
    assert len(public) >= 20, "the marts, recommendations, search and quality models are public"
    problems = []
    for model in public:
        group = groups.get(model["group"] or "")
        if group is None or not (group["owner"].get("name") or group["owner"].get("email")):
            problems.append(f"{model['name']}: no group with an owner")
        if not EXAMPLE_QUERY.search(model["description"]):
            problems.append(f"{model['name']}: no 'Example use' with a `select ... from ...` query")
        if not model["config"]["contract"]["enforced"]:
            problems.append(f"{model['name']}: contract not enforced")
    assert not problems, "\n".join(problems)


def test_every_project_macro_has_a_description(manifest: dict[str, Any]) -> None:
    macros = [m for m in manifest["macros"].values() if m["package_name"] == PROJECT]
    assert macros
    undocumented = sorted(m["name"] for m in macros if not m["description"].strip())
    assert not undocumented, f"describe these in a macro properties yml (_*__macros.yml): {undocumented}"


def test_every_campus_var_used_is_declared_once_in_dbt_project_yml() -> None:
    declared = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    used: dict[str, list[str]] = {}
    sources = [*Path(ROOT / "dbt_project").rglob("*.sql"), *Path(ROOT / "dbt_project").rglob("*.yml")]
    for path in sources:
        if "target" in path.parts or "dbt_packages" in path.parts:
            continue
        for match in re.finditer(r"var\(\s*['\"](campus:[\w:]+)['\"]\s*(,)?", path.read_text()):
            where = str(path.relative_to(ROOT)) + (" (with a default)" if match[2] else "")
            used.setdefault(match[1], []).append(where)
    assert used
    undeclared = sorted(set(used) - set(declared))
    assert not undeclared, f"declare these vars in dbt_project.yml: {undeclared}"
    with_default = sorted(f for files in used.values() for f in files if f.endswith("(with a default)"))
    assert not with_default, f"a var's default belongs in dbt_project.yml only: {with_default}"
