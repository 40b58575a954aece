"""The sandbox institution: deterministic, counted truthfully, with the defects and truths it claims."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sandbox.advance import advance
from sandbox.generate import generate, volumes
from sandbox.sis_store import PRIMARY_KEYS, SIS_TABLES


def sis_digest(path: Path) -> str:
    """Content hash of every SIS table in key order (the file bytes may differ, the data may not)."""
    digest = hashlib.sha256()
    with sqlite3.connect(path) as con:
        for table, key in PRIMARY_KEYS.items():
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"'):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(repr((pq.read_table(p).schema, pq.read_table(p).to_pylist())).encode()).hexdigest()
            if p.suffix == ".parquet"
            else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".sqlite"
    }


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_same_seed_gives_identical_data_and_another_seed_does_not(
    tmp_path: Path, pristine_sandbox: Path
) -> None:
    again = tmp_path / "again"
    generate(again, scale=0.01, seed=7)
    assert sis_digest(again / "sis.sqlite") == sis_digest(pristine_sandbox / "sis.sqlite")
    assert folder_digest(again) == folder_digest(pristine_sandbox)

    other = tmp_path / "other"
    generate(other, scale=0.01, seed=8)
    assert sis_digest(other / "sis.sqlite") != sis_digest(pristine_sandbox / "sis.sqlite")


def test_manifest_counts_match_the_data(pristine_sandbox: Path) -> None:
    m = manifest(pristine_sandbox)
    with sqlite3.connect(pristine_sandbox / "sis.sqlite") as con:
        for table in SIS_TABLES:
            rows = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            assert m["sources"]["oracle_sis"]["tables"][table] == rows, table
    for resource, rows in m["sources"]["workday"]["resources"].items():
        assert pq.read_metadata(pristine_sandbox / "workday" / f"{resource}.parquet").num_rows == rows
    tableau = pristine_sandbox / "tableau"
    views = {v["name"]: v["file"] for v in json.loads((tableau / "views.json").read_text())}
    for view, rows in m["sources"]["tableau"]["views"].items():
        with open(tableau / views[view], encoding="utf-8-sig", newline="") as fh:
            assert sum(1 for _ in csv.DictReader(fh)) == rows, view
    for truth in m["truth"].values():
        assert pq.read_metadata(pristine_sandbox / truth["file"]).num_rows == truth["rows"]


def test_volumes_scale_linearly_with_floors() -> None:
    assert volumes(1.0)["students"] == 100_000
    assert volumes(1.0)["job_postings"] == 50_000
    assert volumes(0.1)["students"] == 10_000
    assert volumes(0.0001)["students"] == 300
    with pytest.raises(ValueError):
        volumes(0)


def test_planted_defects_are_really_in_the_data(pristine_sandbox: Path) -> None:
    defects = manifest(pristine_sandbox)["planted_defects"]
    with sqlite3.connect(pristine_sandbox / "sis.sqlite") as con:

        def ids(sql: str) -> set[int]:
            return {row[0] for row in con.execute(sql)}

        assert ids('SELECT "STUDENT_ID" FROM "STUDENTS" WHERE "EMAIL" IS NULL') == set(
            defects["null_emails"]["ids"]
        )
        malformed = ids("""SELECT "STUDENT_ID" FROM "STUDENTS"
                           WHERE "EMAIL" NOT LIKE '%_@_%._%' OR "EMAIL" LIKE '%@%@%' OR "EMAIL" LIKE '% %'""")
        assert malformed == set(defects["malformed_emails"]["ids"])
        assert ids('SELECT "STUDENT_ID" FROM "STUDENTS" WHERE "GPA" < 0 OR "GPA" > 4') == set(
            defects["gpa_out_of_range"]["ids"]
        )
        assert ids("""SELECT "ENROLLMENT_ID" FROM "ENROLLMENTS"
                      WHERE "COURSE_ID" NOT IN (SELECT "COURSE_ID" FROM "COURSES")""") == set(
            defects["enrollments_unknown_course"]["ids"]
        )
        assert ids("""SELECT "ATTENDANCE_ID" FROM "ATTENDANCE" WHERE "CLASS_DATE" > '2026-10-15'""") == set(
            defects["future_dated_attendance"]["ids"]
        )
        # A duplicate is the same person (name and birth date) as the student it copies, under a new id.
        dup = defects["duplicate_students"]
        for copy_id, original_id in zip(dup["ids"], dup["duplicate_of"], strict=True):
            a, b = (
                con.execute(
                    'SELECT "FIRST_NAME", "LAST_NAME", "DATE_OF_BIRTH" FROM "STUDENTS" '
                    'WHERE "STUDENT_ID" = ?',
                    [i],
                ).fetchone()
                for i in (copy_id, original_id)
            )
            assert a == b
    postings = pq.read_table(pristine_sandbox / "workday" / "jobPostings.parquet").to_pylist()
    untitled = {row["id"] for row in postings if row["title"] is None}
    assert untitled == set(defects["workday_job_postings_missing_required_fields"]["ids"])
    assert (pristine_sandbox / "landing" / defects["malformed_file_drop"]["ids"][0]).exists()
    raw = (pristine_sandbox / "tableau" / "student_analytics.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")


def test_identity_truth_links_the_same_people(pristine_sandbox: Path) -> None:
    identity = pq.read_table(pristine_sandbox / "truth" / "identity_map.parquet").to_pylist()
    workday = {
        r["id"]: r for r in pq.read_table(pristine_sandbox / "workday" / "students.parquet").to_pylist()
    }
    with sqlite3.connect(pristine_sandbox / "sis.sqlite") as con:
        sis = {
            r[0]: r[1:]
            for r in con.execute(
                'SELECT "STUDENT_ID", "FIRST_NAME", "LAST_NAME", "DATE_OF_BIRTH" FROM "STUDENTS"'
            )
        }
    kinds = {r["variation"] for r in identity}
    assert kinds == {"exact", "case", "whitespace", "nickname", "changed_email"}
    for pair in identity:
        wd, (first, last, dob) = workday[pair["workday_student_id"]], sis[pair["sis_student_id"]]
        assert str(wd["dateOfBirth"]) == dob
        if pair["variation"] in ("exact", "case", "whitespace") and wd.get("lastName") is not None:
            assert wd["lastName"].strip().lower() == last.lower()
            assert wd["firstName"].strip().lower() == first.lower()


def test_holdout_placements_are_not_served(pristine_sandbox: Path) -> None:
    served = {
        r["id"] for r in pq.read_table(pristine_sandbox / "workday" / "jobPlacements.parquet").to_pylist()
    }
    held = pq.read_table(pristine_sandbox / "truth" / "holdout_placements.parquet").to_pylist()
    assert held, "some placements must be held out"
    assert not served & {r["id"] for r in held}


def test_advance_changes_every_source_and_keeps_counts_true(sandbox_dir: Path) -> None:
    before = manifest(sandbox_dir)
    after = advance(sandbox_dir, days=2)
    assert after["as_of"] == "2026-10-17T06:00:00Z"
    changes = after["advances"][-1]["changes"]
    with sqlite3.connect(sandbox_dir / "sis.sqlite") as con:
        for table in SIS_TABLES:
            rows, deleted, recent = con.execute(
                f"""SELECT COUNT(*), SUM("IS_DELETED"), SUM("UPDATED_AT" > '2026-10-15 06:00:00')
                    FROM "{table}" """
            ).fetchone()
            change = changes["oracle_sis"][table]
            assert rows == before["sources"]["oracle_sis"]["tables"][table] + change["inserted"]
            assert rows == after["sources"]["oracle_sis"]["tables"][table]
            assert deleted == change["deleted"] >= 1
            assert recent == change["updated"] + change["deleted"] + change["inserted"]
    for resource, change in changes["workday"].items():
        table = pq.read_table(sandbox_dir / "workday" / f"{resource}.parquet").to_pylist()
        assert len(table) == before["sources"]["workday"]["resources"][resource] + change["inserted"]
        assert sum(r["inactive"] for r in table) == change["deleted"]
    assert set(changes["files"]["inserted"]) <= {p.name for p in (sandbox_dir / "landing").iterdir()}
    # Planted defects survive an advance untouched.
    with sqlite3.connect(sandbox_dir / "sis.sqlite") as con:
        nulls = {r[0] for r in con.execute('SELECT "STUDENT_ID" FROM "STUDENTS" WHERE "EMAIL" IS NULL')}
    assert set(before["planted_defects"]["null_emails"]["ids"]) <= nulls
    assert after["planted_defects"] == before["planted_defects"]
