"""A sandbox day at the Oracle SIS stand-in: about 1% of each table's rows change and a few are soft-deleted
(`IS_DELETED`), new students enrol in the current term, and the classes held since the last day add
attendance and assessments, every change stamped in `UPDATED_AT` between the old and new `as_of`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import numpy as np

from sandbox import sis_store
from sandbox import vocabulary as vocab
from sandbox.advance.common import DELETE_RATE, INSERT_RATE, UPDATE_RATE, choose
from sandbox.frames import Rng, oracle_date_text, oracle_timestamp_text, timestamps_between
from sandbox.generate.common import UNIVERSITY_EMAIL
from sandbox.people import DOMAINS, make_people

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


def advance_sis(
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
        chosen = choose(rng, keys, UPDATE_RATE + DELETE_RATE, protected.get(table, set()))
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
    for table, inserted in insert_sis(con, rng, old, new).items():
        changes[table]["inserted"] = inserted
    return changes


class _Inserts:
    """Next ids and change stamps for rows inserted between `old` and `new`."""

    def __init__(self, con: sqlite3.Connection, rng: Rng, old: np.datetime64, new: np.datetime64) -> None:
        self.con, self.rng, self.old, self.new = con, rng, old, new
        self.today = new.astype("datetime64[D]")

    def max_id(self, table: str) -> int:
        key = sis_store.PRIMARY_KEYS[table]
        return self.con.execute(f'SELECT MAX("{key}") FROM "{table}"').fetchone()[0]

    def stamps(self, n: int) -> list[str]:
        return oracle_timestamp_text(timestamps_between(self.rng, self.old, self.new, n))


def insert_sis(con: sqlite3.Connection, rng: Rng, old: np.datetime64, new: np.datetime64) -> dict[str, int]:
    """New students with current-term enrollments, and new attendance and assessments dated after `old`."""
    at = _Inserts(con, rng, old, new)
    ids, inserted = insert_students(at)
    term = con.execute('SELECT MAX("TERM_CODE") FROM "ENROLLMENTS"').fetchone()[0]
    inserted["ENROLLMENTS"] = insert_enrollments(at, ids, term)
    inserted.update(insert_classes(at, term))
    return inserted


def insert_students(at: _Inserts) -> tuple[np.ndarray, dict[str, int]]:
    """Newly admitted students (about INSERT_RATE of the table); their ids and the rows inserted."""
    con, rng, today = at.con, at.rng, at.today
    n_students = con.execute('SELECT COUNT(*) FROM "STUDENTS"').fetchone()[0]
    n_new = max(1, round(n_students * INSERT_RATE))
    people = make_people(rng, n_new, rng.integers(0, len(DOMAINS), n_new), "1995-01-01", "2008-09-01")
    ids = np.arange(at.max_id("STUDENTS") + 1, at.max_id("STUDENTS") + 1 + n_new)
    programs = [r[0] for r in con.execute('SELECT DISTINCT "PROGRAM_CODE" FROM "STUDENTS" ORDER BY 1')]
    inserted = sis_store.insert_rows(
        con,
        "STUDENTS",
        {
            "STUDENT_ID": ids.tolist(),
            "FIRST_NAME": people.first_names.tolist(),
            "LAST_NAME": people.last_names.tolist(),
            "EMAIL": people.emails(ids, UNIVERSITY_EMAIL).tolist(),
            "PHONE": np.char.add("+1-555-", np.char.mod("%07d", rng.integers(0, 10_000_000, n_new))).tolist(),
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
            "UPDATED_AT": at.stamps(n_new),
        },
    )
    return ids, {"STUDENTS": inserted}


def insert_enrollments(at: _Inserts, student_ids: np.ndarray, term: int) -> int:
    """2-4 current-term courses for each new student."""
    con, rng = at.con, at.rng
    courses = np.array(
        [r[0] for r in con.execute('SELECT "COURSE_ID" FROM "COURSES" WHERE "IS_DELETED" = 0 ORDER BY 1')]
    )
    per = rng.integers(2, 5, len(student_ids))
    student = np.repeat(student_ids, per)
    pairs = np.unique(student * 1_000_000 + rng.choice(courses, len(student)))
    e_ids = np.arange(at.max_id("ENROLLMENTS") + 1, at.max_id("ENROLLMENTS") + 1 + len(pairs))
    return sis_store.insert_rows(
        con,
        "ENROLLMENTS",
        {
            "ENROLLMENT_ID": e_ids.tolist(),
            "STUDENT_ID": (pairs // 1_000_000).tolist(),
            "COURSE_ID": (pairs % 1_000_000).tolist(),
            "TERM_CODE": [term] * len(pairs),
            "ENROLLED_ON": oracle_date_text(np.full(len(pairs), at.today)),
            "STATUS_CODE": ["ENROLLED"] * len(pairs),
            "IS_DELETED": [0] * len(pairs),
            "UPDATED_AT": at.stamps(len(pairs)),
        },
    )


def insert_classes(at: _Inserts, term: int) -> dict[str, int]:
    """Classes held since the last advance: a sample of current enrollments gets attendance, assessments."""
    con, rng = at.con, at.rng
    current = np.array(
        con.execute(
            'SELECT "STUDENT_ID", "COURSE_ID" FROM "ENROLLMENTS" WHERE "TERM_CODE" = ? AND "STATUS_CODE" = '
            '\'ENROLLED\' AND "IS_DELETED" = 0 ORDER BY "ENROLLMENT_ID"',
            [term],
        ).fetchall()
    )
    per_table: tuple[tuple[str, str, Callable[[int], dict[str, list[Any]]]], ...] = (
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
    )
    inserted: dict[str, int] = {}
    for table, date_col, extra in per_table:
        total = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        n = min(len(current), max(1, round(total * INSERT_RATE * 2)))
        rows = current[np.sort(rng.choice(len(current), n, replace=False))]
        dates = timestamps_between(rng, at.old, at.new, n).astype("datetime64[D]")
        new_ids = np.arange(at.max_id(table) + 1, at.max_id(table) + 1 + n)
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
                "UPDATED_AT": at.stamps(n),
            },
        )
    return inserted
