"""The file drops (`landing/`): one day's partner students (CSV), lab attendance (CSV), online assessments
(JSON) and course evaluations (Parquet), and on the sandbox's first day one malformed file (a planted
defect). `advance` drops another day's files with the same writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.frames import Rng, timestamps_between
from sandbox.generate.common import SANDBOX_START, csv_bytes
from sandbox.people import DOMAINS, make_people

PARTNER_UNIVERSITIES = [
    "Universidad de Sevilla",
    "Universität Wien",
    "Kyoto University",
    "University of Lagos",
    "McGill University",
]


def write_landing(
    out: Path,
    rng: Rng,
    student_ids: np.ndarray,
    course_codes: np.ndarray,
    program_codes: np.ndarray,
    vol: dict[str, int],
    as_of: np.datetime64,
    tag: str,
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """One day's drops, named with `tag` (the day, YYYYMMDD); rows per file and the planted defects."""
    out.mkdir(parents=True, exist_ok=True)
    today = as_of.astype("datetime64[D]")
    counts: dict[str, int] = {}

    partners = partner_students(rng, vol["partner_students"], program_codes, today, tag)
    name = f"students_partner_{tag}.csv"
    (out / name).write_bytes(csv_bytes(partners))
    counts[name] = partners.num_rows

    lab = lab_attendance(rng, vol["lab_attendance"], student_ids, course_codes, today)
    name = f"attendance_lab_{tag}.csv"
    (out / name).write_bytes(csv_bytes(lab))
    counts[name] = lab.num_rows

    online = online_assessments(rng, vol["online_assessments"], student_ids, course_codes, as_of, tag)
    name = f"assessments_online_{tag}.json"
    (out / name).write_text(json.dumps(online, ensure_ascii=False, indent=1) + "\n")
    counts[name] = len(online)

    evaluations = course_evaluations(rng, course_codes, today)
    name = f"course_evaluations_{tag}.parquet"
    pq.write_table(evaluations, out / name)
    counts[name] = evaluations.num_rows

    defects: dict[str, dict[str, Any]] = {}
    if tag == str(SANDBOX_START)[:10].replace("-", ""):
        name, counts[name] = write_malformed_drop(out, lab, tag)
        defects["malformed_file_drop"] = {
            "source": "files",
            "table": "landing",
            "key": "file",
            "count": 1,
            "ids": [name],
        }
    return counts, defects


def partner_students(
    rng: Rng, n_p: int, program_codes: np.ndarray, today: np.datetime64, tag: str
) -> pa.Table:
    """Exchange students arriving from partner universities (not in the SIS)."""
    partner = make_people(rng, n_p, rng.integers(0, len(DOMAINS), n_p), "1995-01-01", "2007-01-01")
    refs = np.char.mod(f"PX-{tag}-%05d", np.arange(1, n_p + 1))
    return pa.table(
        {
            "student_ref": refs,
            "first_name": partner.first_names.astype(str),
            "last_name": partner.last_names.astype(str),
            "email": partner.emails(np.arange(1, n_p + 1), "partner-university.example"),
            "home_institution": rng.choice(PARTNER_UNIVERSITIES, n_p),
            "program_code": rng.choice(program_codes, n_p),
            "arrival_date": np.datetime_as_string(today - rng.integers(0, 90, n_p).astype("timedelta64[D]")),
        }
    )


def lab_attendance(
    rng: Rng, n_lab: int, student_ids: np.ndarray, course_codes: np.ndarray, today: np.datetime64
) -> pa.Table:
    return pa.table(
        {
            "student_id": rng.choice(student_ids, n_lab),
            "course_code": rng.choice(course_codes, n_lab),
            "lab_date": np.datetime_as_string(today - rng.integers(1, 30, n_lab).astype("timedelta64[D]")),
            "status": rng.choice(["PRESENT", "ABSENT", "LATE"], n_lab, p=[0.85, 0.1, 0.05]),
            "minutes_present": rng.integers(0, 120, n_lab),
        }
    )


def online_assessments(
    rng: Rng,
    n_on: int,
    student_ids: np.ndarray,
    course_codes: np.ndarray,
    as_of: np.datetime64,
    tag: str,
) -> list[dict[str, Any]]:
    """Nested JSON records (an `attempt` object each) submitted in the week before `as_of`."""
    submitted = timestamps_between(rng, as_of - np.timedelta64(7, "D"), as_of, n_on)
    return [
        {
            "assessment_ref": f"OA-{tag}-{i + 1:06d}",
            "student_id": int(sid),
            "course_code": str(code),
            "submitted_at": f"{str(ts)[:19]}Z",
            "score": round(float(score), 1),
            "max_score": 100,
            "attempt": {"number": int(att), "proctored": bool(proc)},
        }
        for i, (sid, code, ts, score, att, proc) in enumerate(
            zip(
                rng.choice(student_ids, n_on),
                rng.choice(course_codes, n_on),
                submitted,
                np.clip(rng.normal(72, 15, n_on), 0, 100),
                rng.integers(1, 4, n_on),
                rng.random(n_on) < 0.3,
                strict=True,
            )
        )
    ]


def course_evaluations(rng: Rng, course_codes: np.ndarray, today: np.datetime64) -> pa.Table:
    n_ev = len(course_codes)
    return pa.table(
        {
            "course_code": course_codes,
            "term_code": np.full(n_ev, int(str(today)[:4]) * 100 + 5),
            "respondents": rng.integers(3, 120, n_ev),
            "avg_rating": np.round(rng.uniform(2.5, 5.0, n_ev), 2),
        }
    )


def write_malformed_drop(out: Path, lab: pa.Table, tag: str) -> tuple[str, int]:
    """A late lab-attendance file with a ragged row and a non-numeric count: the whole file must be
    rejected, not half-loaded. Its name and row count."""
    name = f"attendance_lab_{tag}_late.csv"
    good = csv_bytes(lab.slice(0, 5)).decode()
    (out / name).write_text(
        good + "100001,XX101,2026-10-01,PRESENT,45,unexpected\n100002,XX102,2026-10-02,PRESENT,forty\n"
    )
    return name, 7
