"""Identity resolution and marts, scored against the sandbox's truth and recomputed from staging."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ingestion.destination import connect_working
from ingestion.oracle_sis import DEFAULT_CURSOR_LAG_SECONDS
from sandbox.advance import advance
from tests.warehouse import BuiltWarehouse, Ingested, ingest_into, run_dbt

MARTS = [
    "dim_student",
    "dim_program",
    "dim_course",
    "dim_job_posting",
    "fct_enrollment",
    "fct_academic_record",
    "fct_attendance",
    "fct_assessment",
    "fct_job_placement",
    "student_performance_summary",
    "class_daily_performance",
    "job_market_trends",
]
INCREMENTAL_FACTS = {
    "fct_attendance": ("attendance_id", "stg_oracle_sis__attendance"),
    "fct_assessment": ("assessment_id", "stg_oracle_sis__assessments"),
    "fct_enrollment": ("enrollment_id", "stg_oracle_sis__enrollments"),
    "fct_academic_record": ("record_id", "stg_oracle_sis__academic_records"),
}


def scalar(wh: BuiltWarehouse, sql: str, params: list[Any] | None = None) -> Any:
    return wh.query(sql, params)[0][0]


def test_dbt_build_succeeds_and_every_mart_has_rows(built_warehouse: BuiltWarehouse) -> None:
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-4000:]
    failed = [
        (r["unique_id"], r["message"])
        for r in built_warehouse.run_results["results"]
        if r["status"] in ("error", "fail", "runtime error")
    ]
    assert not failed, failed
    for mart in MARTS:
        assert scalar(built_warehouse, f"select count(*) from marts.{mart}") > 0, mart


def test_every_declared_key_has_an_error_test(built_warehouse: BuiltWarehouse) -> None:
    """Contracts declare the marts' primary and foreign keys. DuckDB enforces them as it writes; Snowflake
    only records them, so on `--target prod` each one is enforced by its error-severity data test alone."""
    manifest = json.loads((built_warehouse.dbt_dir / "target" / "manifest.json").read_text())
    guards = set()
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if not meta or node["config"]["severity"].lower() != "error":
            continue
        kwargs = meta.get("kwargs", {})
        columns = kwargs.get("combination_of_columns") or [kwargs.get("column_name")]
        target = kwargs.get("to", "").replace(" ", "")
        guards.add((node.get("attached_node"), meta["name"], tuple(columns), target))

    declared, unguarded = 0, []
    for unique_id, node in manifest["nodes"].items():
        for constraint in node.get("constraints", []) if node["resource_type"] == "model" else []:
            columns = tuple(constraint["columns"])
            if constraint["type"] == "foreign_key":
                parent = constraint["to"].split(".")[-1].strip('"')
                expected = {(unique_id, "relationships", columns, f"ref('{parent}')")}
            else:
                expected = {(unique_id, kind, columns, "") for kind in ("unique", "unique_combination")}
            if not guards & expected:
                unguarded.append(f"{unique_id}: {constraint['type']} {columns}")
            declared += 1
    assert declared >= len(MARTS)
    assert not unguarded, "declared keys without an error-severity data test"


def test_identity_precision_and_recall_against_truth(built_warehouse: BuiltWarehouse) -> None:
    truth_file = built_warehouse.sandbox_dir / built_warehouse.manifest["truth"]["identity_map"]["file"]
    truth = set(
        built_warehouse.query(f"select workday_student_id, sis_student_id from read_parquet('{truth_file}')")
    )
    predicted = set(
        built_warehouse.query(
            "select workday_student_id, surviving_sis_student_id"
            " from intermediate.int_students__identity_matched"
            " where source_system = 'workday' and surviving_sis_student_id is not null"
        )
    )
    hits = len(predicted & truth)
    precision, recall = hits / len(predicted), hits / len(truth)
    print(
        f"identity: predicted={len(predicted)} truth={len(truth)}"
        f" precision={precision:.4f} recall={recall:.4f}"
    )
    assert precision >= 0.99
    assert recall >= 0.95


def test_planted_duplicates_share_one_student_key(built_warehouse: BuiltWarehouse) -> None:
    planted = built_warehouse.manifest["planted_defects"]["duplicate_students"]
    pairs = list(zip(planted["ids"], planted["duplicate_of"], strict=True))
    assert pairs
    for duplicate, original in pairs:
        keys = built_warehouse.query(
            "select distinct student_key from intermediate.int_students__identity_matched"
            " where source_system = 'sis' and sis_student_id in (?, ?)",
            [duplicate, original],
        )
        assert len(keys) == 1, (duplicate, original, keys)
        rows = built_warehouse.query(
            "select sis_student_id from marts.dim_student where student_key = ?", [keys[0][0]]
        )
        assert rows == [(original,)], (duplicate, original, rows)
    assert not built_warehouse.query(
        "select 1 from marts.dim_student where sis_student_id in (select unnest(?))", [planted["ids"]]
    )


def test_dim_student_has_one_row_per_person(built_warehouse: BuiltWarehouse) -> None:
    """People = active SIS students - planted duplicates + staged Workday students - true links."""
    truth_file = built_warehouse.sandbox_dir / built_warehouse.manifest["truth"]["identity_map"]["file"]
    sis = scalar(
        built_warehouse, "select count(*) from staging.stg_oracle_sis__students where not is_deleted"
    )
    duplicates = len(built_warehouse.manifest["planted_defects"]["duplicate_students"]["ids"])
    workday = scalar(
        built_warehouse, "select count(*) from staging.stg_workday__students where not is_deleted"
    )
    linked = scalar(
        built_warehouse,
        f"select count(*) from read_parquet('{truth_file}') where workday_student_id in"
        " (select workday_student_id from staging.stg_workday__students where not is_deleted)",
    )
    assert (
        scalar(built_warehouse, "select count(*) from marts.dim_student")
        == sis - duplicates + workday - linked
    )
    assert scalar(built_warehouse, "select count(distinct student_key) from marts.dim_student") == scalar(
        built_warehouse, "select count(*) from marts.dim_student"
    )


def sis_ids_of(wh: BuiltWarehouse, sis_student_id: int) -> list[int]:
    """The SIS ids of one person, from the planted-duplicate list (not from identity resolution)."""
    planted = wh.manifest["planted_defects"]["duplicate_students"]
    return [sis_student_id] + [
        d for d, o in zip(planted["ids"], planted["duplicate_of"], strict=True) if o == sis_student_id
    ]


def test_student_performance_summary_matches_staging(built_warehouse: BuiltWarehouse) -> None:
    planted = built_warehouse.manifest["planted_defects"]["duplicate_students"]["duplicate_of"]
    others = [
        r[0]
        for r in built_warehouse.query(
            "select student_id from staging.stg_oracle_sis__attendance where not is_deleted"
            " group by student_id order by count(*) desc, student_id limit 3"
        )
    ]
    checked = 0
    for sis_id in list(planted[:2]) + others:
        ids = sis_ids_of(built_warehouse, sis_id)
        active_courses = "(select course_id from staging.stg_oracle_sis__courses where not is_deleted)"
        days, present = built_warehouse.query(
            "select count(*), count(*) filter (where attendance_status = 'PRESENT')"
            " from staging.stg_oracle_sis__attendance"
            f" where not is_deleted and student_id in (select unnest(?)) and course_id in {active_courses}",
            [ids],
        )[0]
        n, avg_pct, min_pct, max_pct = built_warehouse.query(
            "select count(*), avg(100.0 * score / max_score), min(100.0 * score / max_score),"
            " max(100.0 * score / max_score) from staging.stg_oracle_sis__assessments"
            f" where not is_deleted and student_id in (select unnest(?)) and course_id in {active_courses}",
            [ids],
        )[0]
        summary = built_warehouse.query(
            "select s.attendance_days, s.present_days, s.attendance_rate, s.assessment_count,"
            " s.avg_score_pct,"
            " s.min_score_pct, s.max_score_pct from marts.student_performance_summary as s"
            " inner join marts.dim_student as d using (student_key) where d.sis_student_id = ?",
            [sis_id],
        )
        assert len(summary) == 1, sis_id
        got = summary[0]
        assert got[:2] == (days, present), sis_id
        assert got[2] == pytest.approx(present / days, abs=1e-4) if days else got[2] is None
        assert got[3] == n, sis_id
        if n:
            assert got[4] == pytest.approx(float(avg_pct), abs=0.01)
            assert got[5] == pytest.approx(float(min_pct)) and got[6] == pytest.approx(float(max_pct))
        checked += days
    assert checked > 0


def test_class_daily_performance_matches_staging(built_warehouse: BuiltWarehouse) -> None:
    class_days = built_warehouse.query(
        "select course_id, class_date from staging.stg_oracle_sis__attendance where not is_deleted"
        " and course_id in (select course_id from staging.stg_oracle_sis__courses where not is_deleted)"
        " group by all order by count(*) desc, course_id, class_date limit 4"
    )
    assert class_days
    for course_id, class_date in class_days:
        # Students of the class who are active people (soft-deleted students leave the marts).
        students, present, absent = built_warehouse.query(
            "select count(distinct coalesce(i.surviving_sis_student_id, a.student_id)),"
            " count(*) filter (where a.attendance_status = 'PRESENT'),"
            " count(*) filter (where a.attendance_status <> 'PRESENT')"
            " from staging.stg_oracle_sis__attendance as a"
            " inner join staging.stg_oracle_sis__students as s"
            "   on a.student_id = s.student_id and not s.is_deleted"
            " left join intermediate.int_students__identity_matched as i"
            "   on i.source_system = 'sis' and i.sis_student_id = a.student_id"
            " where not a.is_deleted and a.course_id = ? and a.class_date = ?",
            [course_id, class_date],
        )[0]
        n, avg_pct = built_warehouse.query(
            "select count(*), avg(100.0 * score / max_score) from staging.stg_oracle_sis__assessments as a"
            " inner join staging.stg_oracle_sis__students as s"
            "   on a.student_id = s.student_id and not s.is_deleted"
            " where not a.is_deleted and a.course_id = ? and a.assessed_on = ?",
            [course_id, class_date],
        )[0]
        got = built_warehouse.query(
            "select student_count, present_count, absent_count, attendance_rate,"
            " assessment_count, avg_score_pct"
            " from marts.class_daily_performance where course_id = ? and class_date = ?",
            [course_id, class_date],
        )
        assert len(got) == 1
        row = got[0]
        assert row[:3] == (students, present, absent), (course_id, class_date)
        assert row[3] == pytest.approx(present / (present + absent), abs=1e-4)
        assert row[4] == n
        if n:
            assert row[5] == pytest.approx(float(avg_pct), abs=0.01)


def test_mart_contracts_match_the_warehouse(built_warehouse: BuiltWarehouse) -> None:
    manifest = json.loads((built_warehouse.dbt_dir / "target" / "manifest.json").read_text())
    for mart in MARTS:
        node = manifest["nodes"][f"model.campus_pathways.{mart}"]
        assert node["contract"]["enforced"], mart
        declared = {name: col["data_type"].replace(" ", "").upper() for name, col in node["columns"].items()}
        actual = dict(
            built_warehouse.query(
                "select column_name, replace(upper(data_type), ' ', '') from information_schema.columns"
                " where table_schema = 'marts' and table_name = ?",
                [mart],
            )
        )
        assert declared == actual, mart
    pii = {
        name
        for name, col in manifest["nodes"]["model.campus_pathways.dim_student"]["columns"].items()
        if col["meta"].get("pii") and "pii" in col["tags"]
    }
    assert pii == {"first_name", "last_name", "email", "phone", "date_of_birth"}


def test_rerunning_incremental_facts_adds_no_rows(built_warehouse: BuiltWarehouse) -> None:
    def counts() -> dict[str, tuple[int, int]]:
        return {
            fact: built_warehouse.query(f"select count(*), count(distinct {key}) from marts.{fact}")[0]
            for fact, (key, _) in INCREMENTAL_FACTS.items()
        }

    before = counts()
    rerun = built_warehouse.dbt("build", "--select", *INCREMENTAL_FACTS)
    assert rerun.returncode == 0, rerun.stdout[-4000:]
    assert counts() == before
    assert all(total == distinct for total, distinct in before.values())


def facts_built_once(ingested: Ingested, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A private sandbox, ingested, and the incremental facts built from it: sandbox, warehouse, selection."""
    sandbox, warehouse = ingested.copy_to(tmp_path)
    select = ["--select", *(f"+{fact}" for fact in INCREMENTAL_FACTS)]
    first = run_dbt(warehouse, tmp_path / "dbt", "run", *select)
    assert first.returncode == 0, first.stdout[-4000:]
    return sandbox, warehouse, select


def test_incremental_facts_drop_rows_soft_deleted_after_loading(ingested: Ingested, tmp_path: Path) -> None:
    """Build, advance the sandbox (rows soft-deleted), ingest and build incrementally: facts = active rows."""
    sandbox, warehouse, select = facts_built_once(ingested, tmp_path)
    with connect_working(warehouse, read_only=True) as con:
        loaded = {
            fact: {r[0] for r in con.execute(f"select {key} from marts.{fact}").fetchall()}
            for fact, (key, _) in INCREMENTAL_FACTS.items()
        }

    advance(sandbox, days=3)
    ingest_into(sandbox, warehouse)
    second = run_dbt(warehouse, tmp_path / "dbt", "run", *select)
    assert second.returncode == 0, second.stdout[-4000:]

    removed = 0
    with connect_working(warehouse, read_only=True) as con:
        for fact, (key, staging) in INCREMENTAL_FACTS.items():
            expected = {
                r[0]
                for r in con.execute(
                    f"select {key} from staging.{staging} where not is_deleted"
                    " and course_id in (select course_id from marts.dim_course)"
                    " and student_id in (select sis_student_id"
                    "   from intermediate.int_students__identity_matched where source_system = 'sis'"
                    "   and student_key in (select student_key from marts.dim_student))"
                ).fetchall()
            }
            deleted = {
                r[0] for r in con.execute(f"select {key} from staging.{staging} where is_deleted").fetchall()
            }
            actual = [r[0] for r in con.execute(f"select {key} from marts.{fact}").fetchall()]
            assert len(actual) == len(set(actual)), fact
            assert set(actual) == expected, fact
            removed += len(deleted & loaded[fact])
    # The scenario must exercise the purge: some rows loaded by the first run were soft-deleted since.
    assert removed > 0


def test_incremental_facts_pick_up_a_row_committed_late_below_their_latest_updated_at(
    ingested: Ingested, tmp_path: Path
) -> None:
    """Build the facts; then a SIS transaction commits rows stamped ten minutes below each fact's latest
    updated_at (stamped before, committed after, the rows already built). Ingest and build incrementally:
    every such row lands in its fact, once."""
    sandbox, warehouse, select = facts_built_once(ingested, tmp_path)

    late: dict[str, int] = {}
    with (
        connect_working(warehouse, read_only=True) as con,
        sqlite3.connect(sandbox / "sis.sqlite") as sis,
    ):
        for fact, (key, staging) in INCREMENTAL_FACTS.items():
            table = staging.removeprefix("stg_oracle_sis__").upper()
            newest_key, newest = con.execute(
                f"select {key}, updated_at from marts.{fact} order by updated_at desc, {key} limit 1"
            ).fetchone()
            stamp = newest - timedelta(minutes=10)
            (raw_newest,) = con.execute(
                f"select max(updated_at) from raw_oracle_sis.{table.lower()}"
            ).fetchone()
            # Within the SIS cursor's lag window too, or ingestion (not the fact) would be what misses it.
            assert stamp >= raw_newest - timedelta(seconds=DEFAULT_CURSOR_LAG_SECONDS), fact
            (new_key,) = sis.execute(f'SELECT MAX("{key.upper()}") + 1 FROM "{table}"').fetchone()
            columns = [r[1] for r in sis.execute(f'PRAGMA table_info("{table}")')]
            copied = ", ".join(f'"{c}"' for c in columns if c not in (key.upper(), "UPDATED_AT"))
            sis.execute(
                f'INSERT INTO "{table}" ("{key.upper()}", {copied}, "UPDATED_AT") '
                f'SELECT ?, {copied}, ? FROM "{table}" WHERE "{key.upper()}" = ?',
                [new_key, stamp.strftime("%Y-%m-%d %H:%M:%S.%f"), newest_key],
            )
            late[fact] = new_key
        before = {fact: con.execute(f"select count(*) from marts.{fact}").fetchone()[0] for fact in late}

    ingest_into(sandbox, warehouse)
    second = run_dbt(warehouse, tmp_path / "dbt", "run", *select)
    assert second.returncode == 0, second.stdout[-4000:]

    with connect_working(warehouse, read_only=True) as con:
        for fact, new_key in late.items():
            key = INCREMENTAL_FACTS[fact][0]
            keys = [r[0] for r in con.execute(f"select {key} from marts.{fact}").fetchall()]
            assert new_key in keys, f"{fact}: the late-committed row is missing"
            assert len(keys) == len(set(keys)) == before[fact] + 1, fact


# snapshot: its staging model, key, and the columns a sandbox day changes (sandbox/advance/)
SNAPSHOTS = {
    "snp_oracle_sis__students": ("stg_oracle_sis__students", "student_id", "city, is_deleted, updated_at"),
    "snp_workday__job_postings": (
        "stg_workday__job_postings",
        "job_posting_id",
        "posting_status, is_deleted, updated_at",
    ),
}


def test_snapshots_keep_the_old_version_of_every_changed_student_and_posting(
    ingested: Ingested, tmp_path: Path
) -> None:
    """SCD2 history: a second build without new data adds no version. After an `advance` day, each student
    and posting that changed has its old version, with the old values, closed where the new one starts, and
    the new one open. Every other record keeps one open version with its current values."""
    sandbox, warehouse = ingested.copy_to(tmp_path)  # the sandbox, ingested
    build = ["build", "--resource-type", "model", "--resource-type", "snapshot", "--select"]
    build += [f"+{snapshot}" for snapshot in SNAPSHOTS]

    def query(sql: str) -> list[tuple[Any, ...]]:
        with connect_working(warehouse, read_only=True) as con:
            return con.execute(sql).fetchall()

    def current(snapshot: str) -> dict[Any, tuple[Any, ...]]:
        model, key, columns = SNAPSHOTS[snapshot]
        return {row[0]: row[1:] for row in query(f"select {key}, {columns} from staging.{model}")}

    def versions(snapshot: str) -> dict[Any, list[tuple[Any, ...]]]:
        _, key, columns = SNAPSHOTS[snapshot]
        out: dict[Any, list[tuple[Any, ...]]] = {}
        rows = query(
            f"select {key}, {columns}, dbt_valid_from, dbt_valid_to from snapshots.{snapshot}"
            f" order by {key}, dbt_valid_from"
        )
        for row in rows:
            out.setdefault(row[0], []).append(row[1:])
        return out

    def built() -> None:
        result = run_dbt(warehouse, tmp_path / "dbt", *build)
        assert result.returncode == 0, result.stdout[-4000:]

    built()
    before = {snapshot: current(snapshot) for snapshot in SNAPSHOTS}
    first = {snapshot: versions(snapshot) for snapshot in SNAPSHOTS}
    built()
    assert {snapshot: versions(snapshot) for snapshot in SNAPSHOTS} == first, "no new data, no new version"

    advance(sandbox, days=1)
    ingest_into(sandbox, warehouse)
    built()
    for snapshot in SNAPSHOTS:
        old, new, history = before[snapshot], current(snapshot), versions(snapshot)
        assert set(history) == set(old) | set(new), snapshot
        changed = {key for key in old if key in new and new[key][-1] != old[key][-1]}
        assert changed, f"{snapshot}: the day must change some records"
        for key, values in new.items():
            if key in changed:
                assert len(history[key]) == 2, (snapshot, key, history[key])
                (*old_values, old_from, old_to), (*new_values, new_from, new_to) = history[key]
                assert (tuple(old_values), tuple(new_values)) == (old[key], values), (snapshot, key)
                assert old_from == old[key][-1], (snapshot, key, history[key])
                assert old_to == new_from == values[-1] and new_to is None, (snapshot, key, history[key])
            else:
                assert [version[:-2] for version in history[key]] == [values], (snapshot, key)
                assert history[key][0][-1] is None, (snapshot, key)
