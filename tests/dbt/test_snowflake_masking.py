"""Masking policies and grants on Snowflake (docs/decisions/012), checked on the SQL dbt renders for the
`prod` target: `dbt run-operation pii_governance_plan` prints, for every model and snapshot, the statements
the masking post-hook and dbt's grants would run, from the same macros. No Snowflake runs here, and fakesnow
parses neither masking policies nor grants: that Snowflake accepts these statements is not proven by any test.
tests/dbt/test_snowflake_emulated.py checks the same statements as rendered by the hooks of a real build."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.snowflake_governance import (
    MASKING_HOOK,
    PII_CLASSES,
    READER_SCHEMAS,
    grant_problems,
    granted_roles,
    masking_problems,
    policy_roles,
    project_vars,
    snowflake_built,
)
from tests.warehouse import run_dbt

# The prod profile reads these; the plan runs no SQL, so dbt never connects with them.
UNUSED_CREDENTIALS = {
    "SNOWFLAKE_ACCOUNT": "unused",
    "SNOWFLAKE_USER": "unused",
    "SNOWFLAKE_PASSWORD": "unused",
}
BUILD_ROLE = "TRANSFORMER"  # profiles.yml's default SNOWFLAKE_ROLE


def rendered_plan(dbt_dir: Path, *args: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `dbt run-operation pii_governance_plan` prints on `prod`, and that invocation's manifest."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in UNUSED_CREDENTIALS.items():
            env.setenv(name, value)
        env.delenv("SNOWFLAKE_ROLE", raising=False)
        command = ("--quiet", "run-operation", "pii_governance_plan", *args)
        result = run_dbt(dbt_dir / "unused.duckdb", dbt_dir, *command, target="prod", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    plan = json.loads(result.stdout.strip().splitlines()[-1])
    return plan, json.loads((dbt_dir / "target" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def plan_and_manifest(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    return rendered_plan(tmp_path_factory.mktemp("governance_plan"))


def masking_statements(plan: dict[str, Any]) -> list[str]:
    return [statement for statements in plan["masking"].values() for statement in statements]


def grant_statements(plan: dict[str, Any]) -> list[str]:
    return [statement for statements in plan["grants"].values() for statement in statements]


def test_every_tagged_column_gets_its_class_policy_once_and_untagged_columns_none(
    plan_and_manifest: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    plan, manifest = plan_and_manifest
    assert set(plan["masking"]) == {node["unique_id"] for node in snowflake_built(manifest).values()}
    assert masking_problems(manifest, masking_statements(plan)) == []
    # The tagged columns of today: five on dim_student, the intermediate student and the student snapshot
    # each, and one on each of the three search tables.
    assert len(masking_statements(plan)) == 18
    assert (
        "alter table CAMPUS.marts.dim_student modify column date_of_birth"
        " set masking policy CAMPUS.governance.pii_birth_date force"
    ) in plan["masking"]["model.campus_pathways.dim_student"]


def test_every_policy_returns_clear_values_to_exactly_the_configured_roles(
    plan_and_manifest: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    plan, _ = plan_and_manifest
    clear = [*project_vars()["campus:privacy:clear_roles"], BUILD_ROLE]
    assert policy_roles(plan["policies"]) == {pii_class: clear for pii_class in PII_CLASSES}
    for pii_class in PII_CLASSES:
        assert any(
            s.startswith(f"create masking policy if not exists CAMPUS.governance.pii_{pii_class} ")
            for s in plan["policies"]
        ), pii_class


def test_the_bi_role_is_granted_exactly_the_reader_facing_schemas(
    plan_and_manifest: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    plan, manifest = plan_and_manifest
    config = project_vars()
    bi_role = config["campus:grants:bi_reader_role"]
    assert (
        grant_problems(manifest, grant_statements(plan), bi_role, config["campus:grants:engineer_roles"])
        == []
    )
    schemas = {relation.split(".")[0] for relation, roles in granted_roles(grant_statements(plan)).items()}
    bi_schemas = {
        relation.split(".")[0]
        for relation, roles in granted_roles(grant_statements(plan)).items()
        if bi_role in roles
    }
    assert bi_schemas == READER_SCHEMAS
    assert {"staging", "intermediate", "snapshots", "operations"} <= schemas - bi_schemas


def test_roles_are_configuration(tmp_path: Path) -> None:
    roles = {
        "campus:privacy:clear_roles": ["DEAN_OF_STUDENTS"],
        "campus:grants:bi_reader_role": "tableau_reader",
        "campus:grants:engineer_roles": ["DATA_PLATFORM", "ANALYTICS_ENGINEER"],
    }
    plan, manifest = rendered_plan(tmp_path, "--vars", json.dumps(roles))
    assert policy_roles(plan["policies"]) == {c: ["DEAN_OF_STUDENTS", BUILD_ROLE] for c in PII_CLASSES}
    engineers = roles["campus:grants:engineer_roles"]
    assert grant_problems(manifest, grant_statements(plan), "TABLEAU_READER", engineers) == []


def test_a_tagged_column_left_without_its_policy_is_caught(
    plan_and_manifest: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    plan, manifest = plan_and_manifest
    statements = masking_statements(plan)
    dim_student = "model.campus_pathways.dim_student"

    # The post-hook dropped from one model's config.
    unhooked = copy.deepcopy(manifest)
    unhooked["nodes"][dim_student]["config"]["post-hook"] = []
    assert masking_problems(unhooked, statements) == [f"marts.dim_student: no {MASKING_HOOK} post-hook"]

    # One column's statement missing from what the macros render.
    without_email = [s for s in statements if not ("dim_student" in s and " email " in s)]
    assert masking_problems(manifest, without_email) == [
        "marts.dim_student.email (email): 0 `set masking policy pii_email`"
    ]

    # A column newly tagged in dbt whose policy the rendered SQL lacks; and a tag dbt stops carrying.
    retagged = copy.deepcopy(manifest)
    retagged["nodes"][dim_student]["columns"]["city"].setdefault("meta", {})["pii"] = "contact"
    column = retagged["nodes"][dim_student]["columns"]["phone"]
    for place in (column, column.get("config") or {}):
        (place.get("meta") or {}).pop("pii", None)
    assert masking_problems(retagged, statements) == [
        "marts.dim_student.city (contact): 0 `set masking policy pii_contact`",
        "marts.dim_student.phone: policy pii_contact on a column not tagged with it (table)",
    ]


def test_duckdb_targets_carry_no_grants(tmp_path: Path) -> None:
    result = run_dbt(tmp_path / "unused.duckdb", tmp_path, "parse", target="ci", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    nodes = snowflake_built(manifest).values()
    assert nodes and all(not node["config"].get("grants") for node in nodes)
    assert all(MASKING_HOOK in [h["sql"] for h in node["config"]["post-hook"]] for node in nodes)
