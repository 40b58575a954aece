"""Staging layer on a real build (sandbox -> ingestion over HTTP -> `dbt build`): every raw row is staged or
quarantined, and the quarantine and the warn-level data tests catch exactly the sandbox's planted defects.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from ingestion.destination import connect_working
from tests.dbt.planted_defects import rules_caught_by
from tests.warehouse import BuiltWarehouse, copy_working, source_freshness

# Every raw table and the staging model it feeds (decision 003).
STAGING_TABLES: list[tuple[str, str, str]] = [
    ("oracle_sis", "students", "stg_oracle_sis__students"),
    ("oracle_sis", "courses", "stg_oracle_sis__courses"),
    ("oracle_sis", "course_skills", "stg_oracle_sis__course_skills"),
    ("oracle_sis", "enrollments", "stg_oracle_sis__enrollments"),
    ("oracle_sis", "academic_records", "stg_oracle_sis__academic_records"),
    ("oracle_sis", "attendance", "stg_oracle_sis__attendance"),
    ("oracle_sis", "assessments", "stg_oracle_sis__assessments"),
    ("workday", "students", "stg_workday__students"),
    ("workday", "students__career_interests", "stg_workday__students__career_interests"),
    ("workday", "academic_programs", "stg_workday__academic_programs"),
    ("workday", "job_postings", "stg_workday__job_postings"),
    ("workday", "job_postings__skills", "stg_workday__job_postings__skills"),
    ("workday", "job_placements", "stg_workday__job_placements"),
    ("tableau", "student_analytics", "stg_tableau__student_analytics"),
    ("tableau", "job_market_trends", "stg_tableau__job_market_trends"),
    ("files", "students_partner", "stg_files__students_partner"),
    ("files", "attendance_lab", "stg_files__attendance_lab"),
    ("files", "assessments_online", "stg_files__assessments_online"),
    ("files", "course_evaluations", "stg_files__course_evaluations"),
]

# Planted defect kind -> the warn test whose stored failures must list exactly its ids (as student_id).
WARN_TESTS: dict[str, str] = {kind: rule["rule_name"] for kind, rule in rules_caught_by("warn_test").items()}

# Planted defect kind -> where quarantine_records must hold exactly its ids.
QUARANTINED: dict[str, tuple[str, str, str]] = {
    kind: (rule["source_name"], rule["table_name"], rule["rule_name"])
    for kind, rule in rules_caught_by("quarantine").items()
}

# (model, column) -> the DuckDB type staging must deliver.
COLUMN_TYPES: dict[tuple[str, str], str] = {
    ("stg_oracle_sis__students", "student_id"): "BIGINT",
    ("stg_oracle_sis__students", "date_of_birth"): "DATE",
    ("stg_oracle_sis__students", "is_deleted"): "BOOLEAN",
    ("stg_oracle_sis__students", "is_email_valid"): "BOOLEAN",
    ("stg_oracle_sis__students", "updated_at"): "TIMESTAMP",
    ("stg_oracle_sis__enrollments", "enrollment_id"): "BIGINT",
    ("stg_oracle_sis__enrollments", "course_id"): "BIGINT",
    ("stg_oracle_sis__enrollments", "enrolled_on"): "DATE",
    ("stg_oracle_sis__attendance", "class_date"): "DATE",
    ("stg_oracle_sis__attendance", "is_present"): "BOOLEAN",
    ("stg_workday__students", "date_of_birth"): "DATE",
    ("stg_workday__students", "updated_at"): "TIMESTAMP",
    ("stg_workday__students", "is_deleted"): "BOOLEAN",
    ("stg_workday__job_postings", "posted_date"): "DATE",
    ("stg_workday__job_placements", "placed_date"): "DATE",
    ("stg_tableau__student_analytics", "student_id"): "BIGINT",
    ("stg_tableau__student_analytics", "snapshot_date"): "DATE",
    ("stg_files__attendance_lab", "source_row"): "BIGINT",
    ("stg_files__attendance_lab", "ingested_at"): "TIMESTAMP",
}


def _results(built: BuiltWarehouse) -> list[dict[str, Any]]:
    return list(built.run_results["results"])


def _count(built: BuiltWarehouse, sql: str, params: list[Any] | None = None) -> int:
    return int(built.query(sql, params)[0][0])


def test_dbt_build_succeeds_with_every_staging_node(built_warehouse: BuiltWarehouse) -> None:
    build = built_warehouse.build
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    results = _results(built_warehouse)
    broken = [(r["unique_id"], r["status"]) for r in results if r["status"] in ("error", "fail", "skipped")]
    assert not broken, broken
    ran = {r["unique_id"].split(".")[-1] for r in results}
    expected = {model for _, _, model in STAGING_TABLES} | {"quarantine_records", *WARN_TESTS.values()}
    assert expected <= ran, sorted(expected - ran)
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.campus_pathways.base_")]
    assert unit_tests, "the quarantine-rule unit tests did not run"
    assert all(r["status"] == "pass" for r in unit_tests), unit_tests


@pytest.mark.parametrize(("source_name", "table_name", "model"), STAGING_TABLES)
def test_every_raw_row_is_staged_or_quarantined(
    built_warehouse: BuiltWarehouse, source_name: str, table_name: str, model: str
) -> None:
    raw = _count(built_warehouse, f"select count(*) from raw_{source_name}.{table_name}")
    staged = _count(built_warehouse, f"select count(*) from staging.{model}")
    quarantined = _count(
        built_warehouse,
        "select count(*) from staging.quarantine_records where source_name = ? and table_name = ?",
        [source_name, table_name],
    )
    assert raw > 0, f"raw_{source_name}.{table_name} is empty: the sandbox or ingestion changed"
    assert raw == staged + quarantined, (
        f"{table_name}: raw {raw} != staged {staged} + quarantined {quarantined}"
    )


def test_reconciliation_dbt_test_ran_and_passed(built_warehouse: BuiltWarehouse) -> None:
    [result] = [
        r for r in _results(built_warehouse) if r["unique_id"].endswith(".assert_staging_reconciles_with_raw")
    ]
    assert result["status"] == "pass", result


@pytest.mark.parametrize("kind", sorted(WARN_TESTS))
def test_warn_test_flags_exactly_the_planted_students(built_warehouse: BuiltWarehouse, kind: str) -> None:
    test_name = WARN_TESTS[kind]
    planted = {int(i) for i in built_warehouse.manifest["planted_defects"][kind]["ids"]}
    flagged = [row[0] for row in built_warehouse.query(f"select student_id from test_failures.{test_name}")]
    assert len(flagged) == len(set(flagged)), f"{test_name} lists a student twice: {sorted(flagged)}"
    assert set(flagged) == planted
    [result] = [r for r in _results(built_warehouse) if r["unique_id"].endswith(f".{test_name}")]
    assert result["status"] == "warn", result


def test_duplicate_students_point_at_their_first_record(built_warehouse: BuiltWarehouse) -> None:
    defect = built_warehouse.manifest["planted_defects"]["duplicate_students"]
    expected = dict(zip(defect["ids"], defect["duplicate_of"], strict=True))
    rows = built_warehouse.query(
        "select student_id, duplicate_of_student_id from test_failures.dq_sis_students_duplicate_person"
    )
    assert dict(rows) == expected


@pytest.mark.parametrize("kind", sorted(QUARANTINED))
def test_quarantine_holds_exactly_the_planted_records(built_warehouse: BuiltWarehouse, kind: str) -> None:
    source_name, table_name, reason = QUARANTINED[kind]
    planted = {str(i) for i in built_warehouse.manifest["planted_defects"][kind]["ids"]}
    rows = built_warehouse.query(
        "select record_key, quarantine_reason from staging.quarantine_records"
        " where source_name = ? and table_name = ?",
        [source_name, table_name],
    )
    assert {key for key, _ in rows} == planted
    assert {r for _, r in rows} == {reason}


@pytest.mark.parametrize(
    ("table_name", "parent_table", "child_model", "child_key"),
    [
        (
            "students__career_interests",
            "students",
            "stg_workday__students__career_interests",
            "career_interest_id",
        ),
        ("job_postings__skills", "job_postings", "stg_workday__job_postings__skills", "job_posting_skill_id"),
    ],
)
def test_children_of_quarantined_parents_are_quarantined(
    built_warehouse: BuiltWarehouse,
    table_name: str,
    parent_table: str,
    child_model: str,
    child_key: str,
) -> None:
    # Children counted straight from raw, through dlt's parent link, independently of the staging SQL.
    expected = _count(
        built_warehouse,
        f"select count(*) from raw_workday.{table_name} as c"
        f" join raw_workday.{parent_table} as p on c._dlt_parent_id = p._dlt_id"
        " where p.id in (select record_key from staging.quarantine_records"
        "  where source_name = 'workday' and table_name = ?)",
        [parent_table],
    )
    quarantined = built_warehouse.query(
        "select record_key, quarantine_reason from staging.quarantine_records"
        " where source_name = 'workday' and table_name = ?",
        [table_name],
    )
    assert expected > 0, "the planted parents have no children: the test would prove nothing"
    assert len(quarantined) == expected
    assert {reason for _, reason in quarantined} == {"parent_quarantined"}
    leaked = _count(
        built_warehouse,
        f"select count(*) from staging.{child_model} where {child_key} in"
        " (select record_key from staging.quarantine_records where table_name = ?)",
        [table_name],
    )
    assert leaked == 0


@pytest.mark.parametrize(("model", "column"), sorted(COLUMN_TYPES))
def test_staging_column_types(built_warehouse: BuiltWarehouse, model: str, column: str) -> None:
    rows = built_warehouse.query(
        "select data_type from information_schema.columns"
        " where table_schema = 'staging' and table_name = ? and column_name = ?",
        [model, column],
    )
    assert rows == [(COLUMN_TYPES[(model, column)],)], f"{model}.{column}: {rows}"


def test_soft_deletes_and_clean_text(built_warehouse: BuiltWarehouse) -> None:
    """Padded Workday names arrive trimmed, e-mails lower-cased; every staged student has is_deleted."""
    padded = _count(
        built_warehouse,
        "select count(*) from raw_workday.students where first_name != trim(first_name)"
        " or last_name != trim(last_name)",
    )
    assert padded > 0, "the sandbox no longer pads names: this test would prove nothing"
    untrimmed = _count(
        built_warehouse,
        "select count(*) from staging.stg_workday__students where first_name != trim(first_name)"
        " or last_name != trim(last_name) or email != lower(trim(email))",
    )
    assert untrimmed == 0
    null_flags = _count(
        built_warehouse, "select count(*) from staging.stg_oracle_sis__students where is_deleted is null"
    )
    assert null_flags == 0


def test_source_freshness_checks_every_source_and_finds_a_child_table_that_stopped_loading(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """`dbt source freshness` checks every declared source: right after a load, all pass. A table whose rows
    were loaded three days ago warns, and so does a dlt child table (no load id of its own, judged by its
    parents' load ids) when postings keep arriving without skills, while its parent still passes."""
    warehouse = tmp_path / "campus.duckdb"
    copy_working(built_warehouse.path, warehouse)

    def freshness() -> dict[str, str]:
        statuses = source_freshness(warehouse, tmp_path / "dbt")
        return {unique_id.split(".", 2)[2]: status for unique_id, status in statuses.items()}

    manifest = json.loads((built_warehouse.dbt_dir / "target" / "manifest.json").read_text())
    # every source with a freshness criterion: dbt skips the others (meta.pipeline_runs, written after a run)
    declared = {
        unique_id.split(".", 2)[2]
        for unique_id, source in manifest["sources"].items()
        if source["freshness"]["warn_after"]["count"] or source["freshness"]["error_after"]["count"]
    }
    stale = {"oracle_sis.students", "workday.job_postings__skills"}
    assert stale | {"workday.students__career_interests"} <= declared
    assert freshness() == dict.fromkeys(declared, "pass")

    three_days_ago = str(time.time() - 3 * 86400)
    with connect_working(warehouse) as con:
        con.execute("update raw_oracle_sis.students set _dlt_load_id = ?", [three_days_ago])
        con.execute(
            "update raw_workday.job_postings set _dlt_load_id = ?"
            " where _dlt_id in (select _dlt_parent_id from raw_workday.job_postings__skills)",
            [three_days_ago],
        )
        # today's load brings a posting without skills: the parent is fresh, its child table is not
        con.execute(
            "insert into raw_workday.job_postings"
            " select * replace ('no-skills' as _dlt_id, ? as _dlt_load_id)"
            " from raw_workday.job_postings limit 1",
            [str(time.time())],
        )
    assert freshness() == {name: "warn" if name in stale else "pass" for name in declared}
    # The hook keeps each verdict in quality.dbt_test_results, saying how old the newest load was; an empty
    # table (here dbt's own results, emptied) says it has no rows instead of dating them to the year 1.
    with connect_working(warehouse) as con:
        con.execute("delete from quality.dbt_test_results")
    assert freshness()["quality.dbt_test_results"] == "warn"
    with connect_working(warehouse) as con:
        kept = dict(
            con.execute(
                "select replace(unique_id, 'source.campus_pathways.', ''), message"
                " from quality.dbt_test_results"
            ).fetchall()
        )
    assert kept["quality.dbt_test_results"] == "no rows loaded"
    assert re.fullmatch(r"newest load \S+ \S+, 72\.\d h before the check", kept["oracle_sis.students"])
    assert re.fullmatch(r"newest load \S+ \S+, 0\.\d h before the check", kept["workday.job_postings"])
