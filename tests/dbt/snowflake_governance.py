"""Checks of the masking and grant statements dbt issues on Snowflake (docs/decisions/012) against the
manifest: shared by the rendered plan (tests/dbt/test_snowflake_masking.py) and the emulated build's log."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import yaml

from tests.warehouse import ROOT

PROJECT = "campus_pathways"
PII_CLASSES = {"name", "email", "contact", "birth_date", "financial", "identifier"}
READER_SCHEMAS = {"marts", "recommendations", "search", "quality"}
MASKING_HOOK = "{{ apply_pii_masking() }}"
MASKING = re.compile(
    r"^alter (table|view) (\S+) modify column (\w+) set masking policy \S+\.pii_(\w+) force$", re.IGNORECASE
)
POLICY_BODY = re.compile(
    r"^alter masking policy \S+\.pii_(\w+) set body -> "
    r"case when current_role\(\) in \(([^)]*)\) then val else",
    re.IGNORECASE,
)
GRANT = re.compile(r"^grant select on (\S+) to (.+)$", re.IGNORECASE)
# Lines the emulated build writes to dbt.log for each statement fakesnow cannot parse (macros/governance/).
EMULATOR_SKIPPED = re.compile(r"campus:emulator-skipped (\S+) \| (.+)$")


def project_vars() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"])


def relation_name(qualified: str) -> str:
    """`schema.relation` of a rendered `database.schema.relation`, lower-cased."""
    return ".".join(qualified.replace('"', "").lower().split(".")[-2:])


def snowflake_built(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`schema.relation` -> node, for every model and snapshot that is a relation on Snowflake."""
    return {
        f"{node['schema']}.{node.get('alias') or node['name']}".lower(): node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "snapshot")
        and node["package_name"] == PROJECT
        and node["config"]["materialized"] != "ephemeral"
    }


def pii_class(column: dict[str, Any]) -> str | None:
    meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
    value = meta.get("pii")
    return value if isinstance(value, str) else None


def masking_problems(manifest: dict[str, Any], statements: list[str]) -> list[str]:
    """Each tagged column without exactly one `set masking policy` of its class, each policy on an untagged
    column, each Snowflake relation whose config lacks the masking post-hook."""
    nodes = snowflake_built(manifest)
    attached: Counter[tuple[str, str, str, str]] = Counter()
    for statement in statements:
        match = MASKING.match(statement.strip())
        assert match, f"not a masking statement: {statement}"
        kind, relation, column, policy = match.groups()
        attached[(relation_name(relation), column.lower(), policy.lower(), kind.lower())] += 1
    problems = []
    expected = set()
    for relation, node in sorted(nodes.items()):
        hooks = [hook["sql"] for hook in node["config"].get("post-hook") or []]
        if MASKING_HOOK not in hooks:
            problems.append(f"{relation}: no {MASKING_HOOK} post-hook")
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        for name, column in node["columns"].items():
            tagged = pii_class(column)
            if tagged:
                key = (relation, name.lower(), tagged, kind)
                expected.add(key)
                if attached[key] != 1:
                    problems.append(
                        f"{relation}.{name} ({tagged}): {attached[key]} `set masking policy pii_{tagged}`"
                    )
    problems += [
        f"{relation}.{column}: policy pii_{policy} on a column not tagged with it ({kind})"
        for (relation, column, policy, kind) in sorted(set(attached) - expected)
    ]
    return problems


def policy_roles(statements: list[str]) -> dict[str, list[str]]:
    """pii class -> the roles its policy body returns clear values to, as listed."""
    roles = {}
    for statement in statements:
        match = POLICY_BODY.match(statement.strip())
        if match:
            roles[match[1]] = [role.strip().strip("'") for role in match[2].split(",")]
    return roles


def granted_roles(statements: list[str]) -> dict[str, set[str]]:
    """`schema.relation` -> the roles granted select on it."""
    granted: dict[str, set[str]] = {}
    for statement in statements:
        match = GRANT.match(statement.strip())
        assert match, f"not a select grant: {statement}"
        granted.setdefault(relation_name(match[1]), set()).update(
            role.strip().upper() for role in match[2].split(",")
        )
    return granted


def grant_problems(
    manifest: dict[str, Any], statements: list[str], bi_role: str, engineer_roles: list[str]
) -> list[str]:
    """Each Snowflake relation whose select grantees are not the engineer roles, plus the BI role exactly when
    it is in a reader-facing schema."""
    granted = granted_roles(statements)
    problems = []
    for relation, node in sorted(snowflake_built(manifest).items()):
        expected = {role.upper() for role in engineer_roles}
        if node["schema"].lower() in READER_SCHEMAS:
            expected.add(bi_role.upper())
        if granted.get(relation, set()) != expected:
            problems.append(f"{relation}: select granted to {sorted(granted.get(relation, set()))}")
    return problems


def emulator_skipped(dbt_log: str) -> list[tuple[str, str]]:
    """(origin, statement) of every statement the emulated build logged instead of running."""
    return [(m[1], m[2].strip()) for m in map(EMULATOR_SKIPPED.search, dbt_log.splitlines()) if m]
