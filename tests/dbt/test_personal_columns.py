"""One source of truth for personal columns: every reader-facing column that looks personal, by its name or
by its content, carries a `meta.pii` class in dbt or an explicit `meta.pii_exempt` reason."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb

from ingestion.destination import connect_working
from tests.warehouse import BuiltWarehouse, copy_working

PII_CLASSES = {"name", "email", "contact", "birth_date", "financial", "identifier"}
PERSONAL_NAME = re.compile(
    r"^(first|last|middle|preferred|full|student|given|family|maiden)_name$"
    r"|e_?mail|phone|mobile|birth|(^|_)dob$|address|street|postal|zip_code|ssn|national_id|tuition"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
SAMPLE = 200
SHARE = 0.2  # a column is personal by content when this share of a sample looks personal


def column_meta(manifest: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(schema, relation, column) -> the column's meta, for every model, snapshot and seed."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "snapshot", "seed"):
            continue
        relation = (node.get("alias") or node["name"]).lower()
        for name, column in (node.get("columns") or {}).items():
            meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
            found[(node["schema"].lower(), relation, name.lower())] = meta
    return found


def personal_column_problems(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], relations: list[tuple[str, str]]
) -> list[str]:
    """Each reader-facing column that looks personal and is neither tagged with a known class nor exempted."""
    metas = column_meta(manifest)
    last_names = {
        str(value).lower()
        for (value,) in con.execute(
            "select last_name from marts.dim_student where last_name is not null"
        ).fetchall()
    }
    problems = []
    for schema, relation in relations:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, relation],
        ).fetchall()
        for column, data_type in columns:
            meta = metas.get((schema, relation, column.lower()), {})
            tagged = meta.get("pii")
            if tagged is not None and tagged not in PII_CLASSES:
                problems.append(
                    f"{schema}.{relation}.{column}: pii class {tagged!r} is not one of {sorted(PII_CLASSES)}"
                )
                continue
            if tagged or meta.get("pii_exempt"):
                continue
            why = []
            if PERSONAL_NAME.search(column.lower()):
                why.append("its name")
            if data_type.upper().startswith("VARCHAR"):
                values = [
                    str(value)
                    for (value,) in con.execute(
                        f'select "{column}" from {schema}.{relation} where "{column}" is not null'
                        f" using sample {SAMPLE} rows (reservoir, 7)"
                    ).fetchall()
                ]
                if values and sum(bool(EMAIL.match(v)) for v in values) > SHARE * len(values):
                    why.append("e-mail addresses in it")
                named = sum(any(word.lower() in last_names for word in v.split()) for v in values)
                if values and named > SHARE * len(values):
                    why.append("students' names in it")
            if why:
                problems.append(f"{schema}.{relation}.{column}: looks personal by {' and '.join(why)}")
    return problems


def reader_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        (schema, relation)
        for schema, relation in con.execute(
            "select schema_name, relation_name from operations.ops_reader_relations order by 1, 2"
        ).fetchall()
    ]


def manifest_of(warehouse: BuiltWarehouse) -> dict[str, Any]:
    return json.loads((warehouse.dbt_dir / "target" / "manifest.json").read_text())


def test_every_reader_facing_personal_column_is_tagged_or_exempted(built_warehouse: BuiltWarehouse) -> None:
    with connect_working(built_warehouse.path, read_only=True) as con:
        relations = reader_relations(con)
        assert ("marts", "dim_student") in relations
        assert personal_column_problems(con, manifest_of(built_warehouse), relations) == []


def test_an_untagged_email_column_added_to_a_mart_fails_the_check(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    copy = tmp_path / "campus.duckdb"
    copy_working(built_warehouse.path, copy)
    with connect_working(copy) as con:
        # One column found by its name (holding no e-mail), one by its content (named innocently).
        con.execute(
            "create table marts.dim_student_contact as"
            " select student_key, 'n/a' as personal_email, email as reach_at from marts.dim_student"
        )
        relations = [*reader_relations(con), ("marts", "dim_student_contact")]
        problems = personal_column_problems(con, manifest_of(built_warehouse), relations)
    assert problems == [
        "marts.dim_student_contact.personal_email: looks personal by its name",
        "marts.dim_student_contact.reach_at: looks personal by e-mail addresses in it",
    ]


def test_a_tag_dbt_stops_carrying_is_found(built_warehouse: BuiltWarehouse) -> None:
    manifest = manifest_of(built_warehouse)
    (dim_student,) = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == "dim_student"
    ]
    for place in (dim_student["columns"]["email"], dim_student["columns"]["email"].get("config") or {}):
        place.get("meta", {}).pop("pii", None)
    with connect_working(built_warehouse.path, read_only=True) as con:
        problems = personal_column_problems(con, manifest, [("marts", "dim_student")])
    assert problems == ["marts.dim_student.email: looks personal by its name and e-mail addresses in it"]
