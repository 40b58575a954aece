"""Move the sandbox institution forward in time: about 1% of records change, new ones arrive, a few
are soft-deleted, in every source, so incremental loads have real work to do. Planted defects stay put.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sandbox import sis_store
from sandbox import vocabulary as vocab
from sandbox.frames import (
    Rng,
    oracle_date_text,
    oracle_timestamp_text,
    timestamps_between,
    wids,
)
from sandbox.generate import write_manifest
from sandbox.generate.common import UNIVERSITY_EMAIL, csv_bytes
from sandbox.generate.files import write_landing
from sandbox.generate.tableau import BOM
from sandbox.generate.workday import utc, write_parquet
from sandbox.people import DOMAINS, interests_from_affinity, make_people

UPDATE_RATE = 0.01
INSERT_RATE = 0.002
DELETE_RATE = 0.0005

# How an update changes each SIS table: SET clause and a function drawing one parameter row per update.
SIS_UPDATES: dict[str, tuple[str, Any]] = {
    "STUDENTS": ('"CITY" = ?', lambda rng, n: [[vocab.LOCATIONS[i][0]] for i in rng.integers(0, 20, n)]),
    "COURSES": ('"CREDITS" = ?', lambda rng, n: [[int(c)] for c in rng.choice([2, 3, 4], n)]),
    "COURSE_SKILLS": (
        '"SKILL_WEIGHT" = ?',
        lambda rng, n: [[round(float(w), 2)] for w in rng.uniform(0.4, 0.9, n)],
    ),
    "ENROLLMENTS": (
        '"STATUS_CODE" = CASE WHEN "STATUS_CODE" = \'ENROLLED\' THEN \'DROPPED\' ELSE "STATUS_CODE" END',
        lambda rng, n: [[] for _ in range(n)],
    ),
    "ACADEMIC_RECORDS": (
        '"GRADE_POINTS" = MIN(4.0, "GRADE_POINTS" + 0.3)',
        lambda rng, n: [[] for _ in range(n)],
    ),
    "ATTENDANCE": (
        '"ATTENDANCE_STATUS" = ?',
        lambda rng, n: [[s] for s in rng.choice(["EXCUSED", "LATE"], n)],
    ),
    "ASSESSMENTS": ('"SCORE" = ?', lambda rng, n: [[round(float(s), 2)] for s in rng.uniform(40, 100, n)]),
}


def advance(data_dir: Path, days: int = 1) -> dict[str, Any]:
    """Advance the sandbox in `data_dir` by `days` and return the updated manifest."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    manifest = json.loads((data_dir / "manifest.json").read_text())
    number = len(manifest["advances"]) + 1
    rng = np.random.default_rng([manifest["seed"], number])
    old = np.datetime64(manifest["as_of"].rstrip("Z"), "us")
    new = old + np.timedelta64(days, "D")
    protected = _protected_ids(manifest)

    changes: dict[str, Any] = {}
    con = sis_store.connect(data_dir / "sis.sqlite")
    changes["oracle_sis"] = _advance_sis(con, rng, old, new, protected)
    con.commit()
    counts = sis_store.row_counts(con)
    student_ids = np.array([r[0] for r in con.execute('SELECT "STUDENT_ID" FROM "STUDENTS"')])
    course_codes = np.array([r[0] for r in con.execute('SELECT "COURSE_CODE" FROM "COURSES"')])
    con.close()
    changes["workday"] = _advance_workday(data_dir / "workday", rng, old, new, protected)
    changes["tableau"] = _advance_tableau(data_dir / "tableau", rng)
    programs = pq.read_table(data_dir / "workday" / "academicPrograms.parquet", columns=["programCode"])
    tag = str(new)[:10].replace("-", "")
    files, _ = write_landing(
        data_dir / "landing",
        rng,
        student_ids,
        course_codes,
        programs["programCode"].to_numpy(zero_copy_only=False),
        manifest["volumes"],
        new,
        tag,
    )
    changes["files"] = {"inserted": files}

    sources = manifest["sources"]
    sources["oracle_sis"]["tables"] = counts
    sources["workday"]["resources"] = {
        name: pq.read_metadata(data_dir / "workday" / f"{name}.parquet").num_rows
        for name in sources["workday"]["resources"]
    }
    sources["files"]["files"].update(files)
    manifest["as_of"] = f"{str(new)[:19]}Z"
    manifest["advances"].append(
        {"number": number, "days": days, "as_of": manifest["as_of"], "changes": changes}
    )
    write_manifest(data_dir, manifest)
    return manifest


def _protected_ids(manifest: dict[str, Any]) -> dict[str, set[Any]]:
    """Planted defect rows per table: advance never edits or deletes them, so the defect list stays true."""
    out: dict[str, set[Any]] = {}
    for defect in manifest["planted_defects"].values():
        out.setdefault(defect["table"], set()).update(defect["ids"])
        out[defect["table"]].update(defect.get("duplicate_of", []))
    return out


def _choose(rng: Rng, keys: np.ndarray, rate: float, protected: set[Any]) -> np.ndarray:
    pool = keys[~np.isin(keys, np.array(sorted(protected), dtype=keys.dtype))] if protected else keys
    count = min(len(pool), max(1, round(len(keys) * rate)))
    return np.sort(rng.choice(pool, size=count, replace=False)) if count else pool[:0]


def _advance_sis(
    con: sqlite3.Connection, rng: Rng, old: np.datetime64, new: np.datetime64, protected: dict[str, set[Any]]
) -> dict[str, dict[str, int]]:
    changes: dict[str, dict[str, int]] = {}
    for table, (set_clause, params) in SIS_UPDATES.items():
        key = sis_store.PRIMARY_KEYS[table]
        keys = np.array(
            [
                r[0]
                for r in con.execute(f'SELECT "{key}" FROM "{table}" WHERE "IS_DELETED" = 0 ORDER BY "{key}"')
            ]
        )
        chosen = _choose(rng, keys, UPDATE_RATE + DELETE_RATE, protected.get(table, set()))
        deleted, updated = (
            chosen[: max(1, round(len(keys) * DELETE_RATE))],
            chosen[max(1, round(len(keys) * DELETE_RATE)) :],
        )
        stamps = oracle_timestamp_text(timestamps_between(rng, old, new, len(chosen)))
        rows = [
            [*p, stamp, int(k)]
            for p, stamp, k in zip(params(rng, len(updated)), stamps, updated, strict=False)
        ]
        con.executemany(f'UPDATE "{table}" SET {set_clause}, "UPDATED_AT" = ? WHERE "{key}" = ?', rows)
        con.executemany(
            f'UPDATE "{table}" SET "IS_DELETED" = 1, "UPDATED_AT" = ? WHERE "{key}" = ?',
            [[stamp, int(k)] for stamp, k in zip(stamps[len(updated) :], deleted, strict=True)],
        )
        changes[table] = {"updated": len(updated), "deleted": len(deleted), "inserted": 0}
    for table, inserted in _insert_sis(con, rng, old, new).items():
        changes[table]["inserted"] = inserted
    return changes


def _insert_sis(con: sqlite3.Connection, rng: Rng, old: np.datetime64, new: np.datetime64) -> dict[str, int]:
    """New students with current-term enrollments, and new attendance and assessments dated after `old`."""

    def max_id(table: str) -> int:
        return con.execute(f'SELECT MAX("{sis_store.PRIMARY_KEYS[table]}") FROM "{table}"').fetchone()[0]

    def stamps(n: int) -> list[str]:
        return oracle_timestamp_text(timestamps_between(rng, old, new, n))

    n_students = con.execute('SELECT COUNT(*) FROM "STUDENTS"').fetchone()[0]
    n_new = max(1, round(n_students * INSERT_RATE))
    people = make_people(rng, n_new, rng.integers(0, len(DOMAINS), n_new), "1995-01-01", "2008-09-01")
    ids = np.arange(max_id("STUDENTS") + 1, max_id("STUDENTS") + 1 + n_new)
    programs = [r[0] for r in con.execute('SELECT DISTINCT "PROGRAM_CODE" FROM "STUDENTS" ORDER BY 1')]
    today = new.astype("datetime64[D]")
    inserted = {
        "STUDENTS": sis_store.insert_rows(
            con,
            "STUDENTS",
            {
                "STUDENT_ID": ids.tolist(),
                "FIRST_NAME": people.first_names.tolist(),
                "LAST_NAME": people.last_names.tolist(),
                "EMAIL": people.emails(ids, UNIVERSITY_EMAIL).tolist(),
                "PHONE": np.char.add(
                    "+1-555-", np.char.mod("%07d", rng.integers(0, 10_000_000, n_new))
                ).tolist(),
                "DATE_OF_BIRTH": oracle_date_text(people.birth_date),
                "PROGRAM_CODE": rng.choice(programs, n_new).tolist(),
                "ENROLLMENT_DATE": oracle_date_text(np.full(n_new, today)),
                "EXPECTED_GRADUATION_DATE": oracle_date_text(
                    np.full(n_new, today + np.timedelta64(4 * 365, "D"))
                ),
                "STATUS_CODE": ["ACTIVE"] * n_new,
                "GPA": [None] * n_new,
                "CITY": [vocab.LOCATIONS[c][0] for c in people.city_idx],
                "IS_DELETED": [0] * n_new,
                "UPDATED_AT": stamps(n_new),
            },
        )
    }

    term = con.execute('SELECT MAX("TERM_CODE") FROM "ENROLLMENTS"').fetchone()[0]
    courses = np.array(
        [r[0] for r in con.execute('SELECT "COURSE_ID" FROM "COURSES" WHERE "IS_DELETED" = 0 ORDER BY 1')]
    )
    per = rng.integers(2, 5, n_new)
    student = np.repeat(ids, per)
    pairs = np.unique(student * 1_000_000 + rng.choice(courses, len(student)))
    e_ids = np.arange(max_id("ENROLLMENTS") + 1, max_id("ENROLLMENTS") + 1 + len(pairs))
    inserted["ENROLLMENTS"] = sis_store.insert_rows(
        con,
        "ENROLLMENTS",
        {
            "ENROLLMENT_ID": e_ids.tolist(),
            "STUDENT_ID": (pairs // 1_000_000).tolist(),
            "COURSE_ID": (pairs % 1_000_000).tolist(),
            "TERM_CODE": [term] * len(pairs),
            "ENROLLED_ON": oracle_date_text(np.full(len(pairs), today)),
            "STATUS_CODE": ["ENROLLED"] * len(pairs),
            "IS_DELETED": [0] * len(pairs),
            "UPDATED_AT": stamps(len(pairs)),
        },
    )

    # Classes held since the last advance: a sample of current enrollments gets attendance and assessments.
    current = np.array(
        con.execute(
            'SELECT "STUDENT_ID", "COURSE_ID" FROM "ENROLLMENTS" WHERE "TERM_CODE" = ? AND "STATUS_CODE" = '
            '\'ENROLLED\' AND "IS_DELETED" = 0 ORDER BY "ENROLLMENT_ID"',
            [term],
        ).fetchall()
    )
    for table, date_col, extra in (
        (
            "ATTENDANCE",
            "CLASS_DATE",
            lambda n: {
                "ATTENDANCE_STATUS": rng.choice(
                    ["PRESENT", "ABSENT", "LATE"], n, p=[0.85, 0.1, 0.05]
                ).tolist()
            },
        ),
        (
            "ASSESSMENTS",
            "ASSESSED_ON",
            lambda n: {
                "ASSESSMENT_TYPE": rng.choice(["QUIZ", "PROJECT"], n).tolist(),
                "SCORE": np.round(np.clip(rng.normal(72, 14, n), 0, 100), 2).tolist(),
                "MAX_SCORE": [100.0] * n,
            },
        ),
    ):
        total = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        n = min(len(current), max(1, round(total * INSERT_RATE * 2)))
        rows = current[np.sort(rng.choice(len(current), n, replace=False))]
        dates = timestamps_between(rng, old, new, n).astype("datetime64[D]")
        new_ids = np.arange(max_id(table) + 1, max_id(table) + 1 + n)
        inserted[table] = sis_store.insert_rows(
            con,
            table,
            {
                sis_store.PRIMARY_KEYS[table]: new_ids.tolist(),
                "STUDENT_ID": rows[:, 0].tolist(),
                "COURSE_ID": rows[:, 1].tolist(),
                date_col: oracle_date_text(dates),
                **extra(n),
                "IS_DELETED": [0] * n,
                "UPDATED_AT": stamps(n),
            },
        )
    return inserted


def _advance_workday(
    folder: Path, rng: Rng, old: np.datetime64, new: np.datetime64, protected: dict[str, set[Any]]
) -> dict[str, dict[str, int]]:
    changes: dict[str, dict[str, int]] = {}
    for resource in ("academicPrograms", "students", "jobPostings", "jobPlacements"):
        table = pq.read_table(folder / f"{resource}.parquet")
        ids = table["id"].to_numpy(zero_copy_only=False)
        active = ids[~table["inactive"].to_numpy(zero_copy_only=False)]
        chosen = _choose(rng, active, UPDATE_RATE + DELETE_RATE, protected.get(resource, set()))
        n_del = max(1, round(len(ids) * DELETE_RATE)) if resource != "academicPrograms" else 0
        deleted, updated = chosen[:n_del], chosen[n_del:]
        touched = np.isin(ids, chosen)
        stamps = timestamps_between(rng, old, new, len(ids))
        updated_at = pc.if_else(pa.array(touched), utc(stamps), table["updatedAt"])
        inactive = pc.or_(table["inactive"], pa.array(np.isin(ids, deleted)))
        table = table.set_column(table.schema.get_field_index("updatedAt"), "updatedAt", updated_at)
        table = table.set_column(table.schema.get_field_index("inactive"), "inactive", inactive)
        table = _change_fields(table, resource, np.isin(ids, updated), rng)
        additions = _new_workday_rows(table, resource, rng, old, new)
        if additions is not None:
            table = pa.concat_tables([table, additions.cast(table.schema)])
        write_parquet(table.sort_by("id"), folder / f"{resource}.parquet")
        changes[resource] = {
            "updated": len(updated),
            "deleted": len(deleted),
            "inserted": 0 if additions is None else additions.num_rows,
        }
    return changes


def _change_fields(table: pa.Table, resource: str, mask: np.ndarray, rng: Rng) -> pa.Table:
    """The business change behind an update: a student moves, a posting closes, a programme is renamed."""
    column, values = {
        "students": ("location", lambda n: [vocab.LOCATIONS[i][0] for i in rng.integers(0, 20, (n,))]),
        "jobPostings": ("status", lambda n: ["CLOSED"] * n),
        "jobPlacements": ("placementType", lambda n: ["Full-time"] * n),
        "academicPrograms": ("durationYears", lambda n: rng.integers(1, 6, n).tolist()),
    }[resource]
    field = table.schema.field(column)
    replacement = pa.array(values(table.num_rows), field.type)
    return table.set_column(
        table.schema.get_field_index(column), field, pc.if_else(pa.array(mask), replacement, table[column])
    )


def _new_workday_rows(
    table: pa.Table, resource: str, rng: Rng, old: np.datetime64, new: np.datetime64
) -> pa.Table | None:
    """New records: copies of existing rows under new ids, with the person fields of new people."""
    if resource == "academicPrograms":
        return None
    n = max(1, round(table.num_rows * INSERT_RATE))
    sample = table.take(pa.array(np.sort(rng.choice(table.num_rows, n, replace=False))))
    sample = sample.set_column(0, "id", pa.array(wids(rng, n)))
    sample = sample.set_column(
        sample.schema.get_field_index("updatedAt"), "updatedAt", utc(timestamps_between(rng, old, new, n))
    )
    sample = sample.set_column(
        sample.schema.get_field_index("inactive"), "inactive", pa.array(np.zeros(n, dtype=bool))
    )
    if resource == "students":
        people = make_people(rng, n, rng.integers(0, len(DOMAINS), n), "1995-01-01", "2008-09-01")
        for column, values in (
            ("firstName", people.first_names.tolist()),
            ("lastName", people.last_names.tolist()),
            ("email", people.emails(rng.integers(10, 99, n), "mailbox.example").tolist()),
            ("dateOfBirth", pa.array(people.birth_date, pa.date32())),
            ("careerInterests", interests_from_affinity(rng, people)),
        ):
            index = sample.schema.get_field_index(column)
            sample = sample.set_column(
                index, sample.schema.field(index), pa.array(values, sample.schema.field(index).type)
            )
    if resource == "jobPostings":
        posted = pa.array(np.full(n, new.astype("datetime64[D]")), pa.date32())
        sample = sample.set_column(sample.schema.get_field_index("postedDate"), "postedDate", posted)
        sample = sample.set_column(sample.schema.get_field_index("status"), "status", pa.array(["OPEN"] * n))
        reqs = np.char.mod("R-%06d", rng.integers(900_000, 999_999, n))
        sample = sample.set_column(
            sample.schema.get_field_index("requisitionId"), "requisitionId", pa.array(reqs)
        )
    return sample


def _advance_tableau(folder: Path, rng: Rng) -> dict[str, int]:
    """The Student Analytics extract refreshes: engagement scores move for about 1% of students."""
    path = folder / "student_analytics.csv"
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in ("GPA", "Attendance Rate", "Tuition Balance")},
            strings_can_be_null=False,
        ),
    )
    mask = rng.random(table.num_rows) < UPDATE_RATE
    scores = pa.array(np.round(rng.uniform(20, 100, table.num_rows), 1))
    index = table.schema.get_field_index("Engagement Score")
    table = table.set_column(index, "Engagement Score", pc.if_else(pa.array(mask), scores, table[index]))
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_bytes(BOM + csv_bytes(table))
    tmp.replace(path)
    return {"Student Analytics": int(mask.sum())}
