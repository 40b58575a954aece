"""Generate the sandbox institution: SIS database, Workday and Tableau data, file drops, truth and manifest.

Content depends only on (scale, seed). Every large table is built with numpy column operations.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sandbox import sis_store
from sandbox import vocabulary as vocab
from sandbox.frames import (
    Rng,
    oracle_date_text,
    oracle_timestamp_text,
    pick,
    timestamps_between,
    top_k_by_weight,
    wids,
    zipf_weights,
)
from sandbox.people import (
    DOMAINS,
    SKILL_DOMAIN,
    SKILL_POPULARITY,
    SKILLS,
    TOP_SKILL_STRENGTH,
    People,
    interests_from_affinity,
    make_people,
)

SANDBOX_VERSION = 1
SANDBOX_START = np.datetime64("2026-10-15T06:00:00", "us")
FIRST_TERM_YEAR = 2019
TERM_DAYS = 105
UNIVERSITY_EMAIL = "student.campus.edu"
PERSONAL_EMAIL = "mailbox.example"

# Volumes at scale 1.0 (the seed volumes); every count scales linearly with a small floor.
BASE_VOLUMES: dict[str, tuple[int, int]] = {
    # name: (rows at scale 1.0, minimum)
    "students": (100_000, 300),
    "courses": (1_000, 48),
    "programs": (500, 24),
    "job_postings": (50_000, 300),
    "workday_students": (60_000, 180),
    "partner_students": (500, 10),
    "lab_attendance": (2_000, 20),
    "online_assessments": (2_000, 20),
}

# Planted defect rates (share of the table's rows).
DEFECT_RATES: dict[str, float] = {
    "duplicate_students": 0.005,
    "null_emails": 0.004,
    "malformed_emails": 0.004,
    "gpa_out_of_range": 0.003,
    "enrollments_unknown_course": 0.002,
    "future_dated_attendance": 0.001,
    "future_dated_assessments": 0.001,
    "workday_students_missing_required_fields": 0.005,
    "workday_job_postings_missing_required_fields": 0.005,
}

# Openings a placed student is considered for; the best-fitting one is the placement.
PLACEMENT_CANDIDATES = 40
GRADE_POINTS = np.array([4.0, 3.7, 3.3, 3.0, 2.7, 2.3, 2.0, 1.7, 1.3, 1.0, 0.0])
GRADE_LETTERS = np.array(["A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "F"])
PROGRAM_YEARS = {"BSC": 4, "BA": 4, "MSC": 2, "MA": 2, "CERT": 1, "PHD": 5}


def volumes(scale: float) -> dict[str, int]:
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return {name: max(minimum, round(base * scale)) for name, (base, minimum) in BASE_VOLUMES.items()}


@dataclass
class Terms:
    codes: np.ndarray  # e.g. 202609
    starts: np.ndarray  # datetime64[D]
    current: int  # index of the term running on as_of

    @property
    def ends(self) -> np.ndarray:
        return self.starts + np.timedelta64(TERM_DAYS, "D")


def academic_terms(as_of: np.datetime64) -> Terms:
    codes, starts = [], []
    today = as_of.astype("datetime64[D]")
    for year in range(FIRST_TERM_YEAR, int(str(today)[:4]) + 1):
        for month, day in ((1, 12), (5, 18), (8, 31)):
            start = np.datetime64(f"{year}-{month:02d}-{day:02d}")
            if np.datetime64(f"{FIRST_TERM_YEAR}-08-31") <= start <= today:
                codes.append(year * 100 + (9 if month == 8 else month))
                starts.append(start)
    return Terms(np.array(codes), np.array(starts, dtype="datetime64[D]"), len(codes) - 1)


def csr(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Members of each group: (members sorted by group, offsets) so group g is members[off[g]:off[g+1]]."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    return order, np.concatenate([[0], np.cumsum(counts)])


def pick_in_group(
    rng: Rng, members: np.ndarray, offsets: np.ndarray, groups: np.ndarray, fallback: int
) -> np.ndarray:
    """One uniformly chosen member of each requested group (the fallback member where a group is empty)."""
    sizes = offsets[groups + 1] - offsets[groups]
    position = offsets[groups] + (rng.random(len(groups)) * np.maximum(sizes, 1)).astype(np.int64)
    chosen = members[np.minimum(position, len(members) - 1)]
    return np.where(sizes > 0, chosen, fallback)


def updated_at(rng: Rng, n: int, as_of: np.datetime64) -> np.ndarray:
    return timestamps_between(rng, as_of - np.timedelta64(365, "D"), as_of - np.timedelta64(1, "h"), n)


# ---------------------------------------------------------------------------------------------- catalogue


@dataclass
class Catalogue:
    program_domain: np.ndarray
    program_code: np.ndarray
    program_name: np.ndarray
    program_degree: np.ndarray
    program_wid: np.ndarray
    course_id: np.ndarray
    course_code: np.ndarray
    course_domain: np.ndarray
    course_credits: np.ndarray
    course_level: np.ndarray
    course_skill_weight: np.ndarray  # courses x skills, 0 where the course does not teach the skill


def build_catalogue(rng: Rng, vol: dict[str, int]) -> Catalogue:
    combos = [
        (d, field, code)
        for d, domain in enumerate(DOMAINS)
        for field in vocab.PROGRAM_FIELDS[domain]
        for code, _ in vocab.DEGREES
    ]
    n_programs = min(vol["programs"], len(combos))
    chosen = np.sort(rng.choice(len(combos), size=n_programs, replace=False))
    degree_names = dict(vocab.DEGREES)
    program_domain = np.array([combos[i][0] for i in chosen])
    program_degree = np.array([combos[i][2] for i in chosen])
    program_name = np.array([f"{degree_names[combos[i][2]]} in {combos[i][1]}" for i in chosen])
    prefixes = np.array([vocab.DOMAIN_CODES[DOMAINS[d]] for d in program_domain])
    program_code = np.char.add(
        np.char.add(np.char.add(prefixes, "-"), program_degree),
        np.char.mod("-%03d", np.arange(1, n_programs + 1)),
    )

    n_courses = vol["courses"]
    # Round-robin domains first so every domain has courses even at the smallest scale.
    course_domain = np.concatenate([np.arange(len(DOMAINS)), rng.integers(0, len(DOMAINS), n_courses)])[
        :n_courses
    ]
    weights = (SKILL_DOMAIN[None, :] == course_domain[:, None]) * SKILL_POPULARITY[None, :]
    taught = top_k_by_weight(rng, weights, 4)
    how_many = rng.integers(2, 5, size=n_courses)
    skill_weight = np.zeros((n_courses, len(SKILLS)), dtype=np.float32)
    for k in range(4):
        rows = np.nonzero(how_many > k)[0]
        skill_weight[rows, taught[rows, k]] = 1.0 if k == 0 else 0.5
    skill_weight[np.arange(n_courses), taught[:, 1]] = np.round(rng.uniform(0.4, 0.9, n_courses), 2)
    code_prefix = np.array([vocab.DOMAIN_CODES[DOMAINS[d]] for d in course_domain])
    level = rng.choice([100, 200, 300, 400], size=n_courses, p=[0.35, 0.3, 0.2, 0.15])
    serial = np.zeros(n_courses, dtype=np.int64)
    for d in range(len(DOMAINS)):
        idx = np.nonzero(course_domain == d)[0]
        serial[idx] = np.arange(len(idx))
    course_code = np.char.add(code_prefix, np.char.mod("%03d", level + serial % 100))
    course_code = np.char.add(course_code, np.where(serial >= 100, np.char.mod("-%d", serial // 100), ""))
    return Catalogue(
        program_domain=program_domain,
        program_code=program_code,
        program_name=program_name,
        program_degree=program_degree,
        program_wid=wids(rng, n_programs),
        course_id=np.arange(10_001, 10_001 + n_courses),
        course_code=course_code,
        course_domain=course_domain,
        course_credits=rng.choice([2, 3, 4], size=n_courses, p=[0.15, 0.6, 0.25]),
        course_level=level,
        course_skill_weight=skill_weight,
    )


def course_titles(rng: Rng, cat: Catalogue) -> list[str]:
    main_skill = np.argmax(cat.course_skill_weight, axis=1)
    prefix = rng.integers(0, len(vocab.COURSE_PREFIXES), size=len(main_skill))
    return [f"{vocab.COURSE_PREFIXES[p]} {SKILLS[s]}" for p, s in zip(prefix, main_skill, strict=True)]


# ---------------------------------------------------------------------------------------------- SIS


@dataclass
class Enrollments:
    student: np.ndarray  # index into the SIS students
    course: np.ndarray  # index into the catalogue
    term: np.ndarray  # index into Terms
    status: np.ndarray
    expected_points: np.ndarray


def skill_match(cat: Catalogue, people: People, person: np.ndarray, course: np.ndarray) -> np.ndarray:
    """How well a course fits a person's hidden strengths, about 0..1."""
    per_skill = cat.course_skill_weight[course[:, None], people.top_skills[person]]
    match = (per_skill * TOP_SKILL_STRENGTH[None, :]).sum(axis=1) * 2.5
    return match + 0.15 * (cat.course_domain[course] == people.primary_domain[person])


def choose_courses(rng: Rng, cat: Catalogue, people: People, person: np.ndarray) -> np.ndarray:
    roll = rng.random(len(person))
    domain = np.where(
        roll < 0.55,
        people.primary_domain[person],
        np.where(roll < 0.8, people.secondary_domain[person], rng.integers(0, len(DOMAINS), len(person))),
    )
    members, offsets = csr(cat.course_domain, len(DOMAINS))
    return pick_in_group(rng, members, offsets, domain, fallback=0)


def build_enrollments(
    rng: Rng, cat: Catalogue, people: People, first_term: np.ndarray, last_term: np.ndarray, terms: Terms
) -> Enrollments:
    active_terms = last_term - first_term + 1
    per_student = np.clip(rng.poisson(0.5 * active_terms) + 1, 1, 30)
    person = np.repeat(np.arange(len(people)), per_student)
    course = choose_courses(rng, cat, people, person)
    # A student takes a course once: keep the first draw of each (student, course) pair.
    _, first = np.unique(person * 1_000_000 + course, return_index=True)
    keep = np.sort(first)
    person, course = person[keep], course[keep]
    term = first_term[person] + (rng.random(len(person)) * active_terms[person]).astype(np.int64)
    past = term < terms.current
    status = np.where(past, np.where(rng.random(len(person)) < 0.9, "COMPLETED", "DROPPED"), "ENROLLED")
    points = 2.1 + 2.0 * skill_match(cat, people, person, course) + people.ability[person]
    points = np.clip(points + rng.normal(0, 0.45, len(person)), 0.0, 4.0)
    return Enrollments(person, course, term, status, points)


def snap_grades(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nearest = np.abs(points[:, None] - GRADE_POINTS[None, :]).argmin(axis=1)
    return GRADE_POINTS[nearest], GRADE_LETTERS[nearest]


@dataclass
class SisResult:
    counts: dict[str, int]
    defects: dict[str, dict[str, Any]]
    student_ids: np.ndarray
    program_of_student: np.ndarray
    emails: np.ndarray
    analytics: pa.Table


def write_sis(
    path: Path,
    rng: Rng,
    cat: Catalogue,
    people: People,
    terms: Terms,
    as_of: np.datetime64,
    student_program: np.ndarray,
) -> SisResult:
    n = len(people)
    today = as_of.astype("datetime64[D]")
    con = sis_store.connect(path)
    sis_store.create_schema(con)
    defects: dict[str, dict[str, Any]] = {}

    # -- courses and their skills
    sis_store.insert_rows(
        con,
        "COURSES",
        {
            "COURSE_ID": cat.course_id.tolist(),
            "COURSE_CODE": cat.course_code.tolist(),
            "TITLE": course_titles(rng, cat),
            "DEPARTMENT": [DOMAINS[d] for d in cat.course_domain],
            "CREDITS": cat.course_credits.tolist(),
            "COURSE_LEVEL": cat.course_level.tolist(),
            "IS_DELETED": [0] * len(cat.course_id),
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, len(cat.course_id), as_of)),
        },
    )
    c_idx, s_idx = np.nonzero(cat.course_skill_weight)
    sis_store.insert_rows(
        con,
        "COURSE_SKILLS",
        {
            "COURSE_SKILL_ID": np.arange(1, len(c_idx) + 1).tolist(),
            "COURSE_ID": cat.course_id[c_idx].tolist(),
            "SKILL_NAME": [SKILLS[s] for s in s_idx],
            "SKILL_WEIGHT": np.round(cat.course_skill_weight[c_idx, s_idx].astype(float), 2).tolist(),
            "IS_DELETED": [0] * len(c_idx),
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, len(c_idx), as_of)),
        },
    )

    # -- students: when they started, how long their programme runs, where they stand today
    years = np.array([PROGRAM_YEARS[d] for d in cat.program_degree])[student_program]
    recent = np.linspace(0.5, 1.5, terms.current + 1)
    first_term = rng.choice(terms.current + 1, size=n, p=recent / recent.sum())
    last_term = np.minimum(first_term + years * 3 - 1, terms.current)
    finished = first_term + years * 3 - 1 < terms.current
    leaver = rng.random(n) < np.where(finished, 0.08, 0.05)
    status = np.where(leaver, "WITHDRAWN", np.where(finished, "GRADUATED", "ACTIVE"))
    enrolled = terms.starts[first_term] - rng.integers(7, 60, n).astype("timedelta64[D]")
    student_ids = np.arange(100_001, 100_001 + n)

    enr = build_enrollments(rng, cat, people, first_term, last_term, terms)
    n_enr = len(enr.student)
    enrollment_ids = np.arange(1, n_enr + 1)
    term_start = terms.starts[enr.term]
    completed = enr.status == "COMPLETED"
    points, letters = snap_grades(enr.expected_points)
    credits = cat.course_credits[enr.course]
    earned = np.where(points >= 1.0, credits, 0)

    # GPA is credit-weighted over completed courses; students with none have no GPA yet.
    gp_sum = np.bincount(enr.student[completed], weights=(points * credits)[completed], minlength=n)
    cr_sum = np.bincount(enr.student[completed], weights=credits[completed], minlength=n)
    gpa = np.where(cr_sum > 0, np.round(gp_sum / np.maximum(cr_sum, 1), 2), np.nan)

    emails = people.emails(student_ids, UNIVERSITY_EMAIL)
    sis_emails = emails.astype(object)
    taken = np.array([], dtype=np.int64)
    dup_src = pick(rng, n, DEFECT_RATES["duplicate_students"])
    taken = np.concatenate([taken, dup_src])
    null_email = pick(rng, n, DEFECT_RATES["null_emails"], exclude=taken)
    taken = np.concatenate([taken, null_email])
    bad_email = pick(rng, n, DEFECT_RATES["malformed_emails"], exclude=taken)
    taken = np.concatenate([taken, bad_email])
    bad_gpa = pick(rng, n, DEFECT_RATES["gpa_out_of_range"], exclude=taken)
    sis_emails[null_email] = None
    sis_emails[bad_email] = np.char.replace(emails[bad_email], "@", rng.choice(["", "@@", " at "]))
    gpa = gpa.astype(object)
    gpa[np.isnan(gpa.astype(float))] = None
    gpa[bad_gpa] = np.round(rng.choice([-1.0, 4.5, 5.0, 7.3], size=len(bad_gpa)), 2)

    # Duplicates: the same person keyed in again under a new id, as happens at a second admission.
    dup_ids = np.arange(student_ids[-1] + 1, student_ids[-1] + 1 + len(dup_src))
    rows = np.concatenate([np.arange(n), dup_src])
    all_ids = np.concatenate([student_ids, dup_ids])
    # The second admission typed the e-mail again, sometimes in capitals: valid, but not byte-equal.
    dup_emails = sis_emails[dup_src].copy()
    shout = rng.random(len(dup_src)) < 0.5
    dup_emails[shout] = np.char.upper(dup_emails[shout].astype(str))
    phone = np.char.add("+1-555-", np.char.mod("%07d", rng.integers(0, 10_000_000, len(rows))))
    sis_store.insert_rows(
        con,
        "STUDENTS",
        {
            "STUDENT_ID": all_ids.tolist(),
            "FIRST_NAME": people.first_names[rows].tolist(),
            "LAST_NAME": people.last_names[rows].tolist(),
            "EMAIL": np.concatenate([sis_emails, dup_emails]).tolist(),
            "PHONE": phone.tolist(),
            "DATE_OF_BIRTH": oracle_date_text(people.birth_date[rows]),
            "PROGRAM_CODE": cat.program_code[student_program[rows]].tolist(),
            "ENROLLMENT_DATE": oracle_date_text(np.concatenate([enrolled, enrolled[dup_src] + 30])),
            "EXPECTED_GRADUATION_DATE": oracle_date_text(
                (enrolled + (years * 365).astype("timedelta64[D]"))[rows]
            ),
            "STATUS_CODE": status[rows].tolist(),
            "GPA": np.concatenate([gpa, gpa[dup_src]]).tolist(),
            "CITY": [vocab.LOCATIONS[c][0] for c in people.city_idx[rows]],
            "IS_DELETED": [0] * len(rows),
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, len(rows), as_of)),
        },
    )
    defects["duplicate_students"] = _defect(
        "oracle_sis", "STUDENTS", "STUDENT_ID", dup_ids, duplicate_of=student_ids[dup_src].tolist()
    )
    defects["null_emails"] = _defect("oracle_sis", "STUDENTS", "STUDENT_ID", student_ids[null_email])
    defects["malformed_emails"] = _defect("oracle_sis", "STUDENTS", "STUDENT_ID", student_ids[bad_email])
    defects["gpa_out_of_range"] = _defect("oracle_sis", "STUDENTS", "STUDENT_ID", student_ids[bad_gpa])

    # -- enrollments (a few reference courses the catalogue does not have)
    course_ids = cat.course_id[enr.course].copy()
    unknown = pick(rng, n_enr, DEFECT_RATES["enrollments_unknown_course"])
    course_ids[unknown] = 990_001 + np.arange(len(unknown))
    sis_store.insert_rows(
        con,
        "ENROLLMENTS",
        {
            "ENROLLMENT_ID": enrollment_ids.tolist(),
            "STUDENT_ID": student_ids[enr.student].tolist(),
            "COURSE_ID": course_ids.tolist(),
            "TERM_CODE": terms.codes[enr.term].tolist(),
            "ENROLLED_ON": oracle_date_text(term_start - rng.integers(1, 30, n_enr).astype("timedelta64[D]")),
            "STATUS_CODE": enr.status.tolist(),
            "IS_DELETED": [0] * n_enr,
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, n_enr, as_of)),
        },
    )
    defects["enrollments_unknown_course"] = _defect(
        "oracle_sis", "ENROLLMENTS", "ENROLLMENT_ID", enrollment_ids[unknown]
    )

    # -- academic records for completed courses
    rec = np.nonzero(completed)[0]
    sis_store.insert_rows(
        con,
        "ACADEMIC_RECORDS",
        {
            "RECORD_ID": np.arange(1, len(rec) + 1).tolist(),
            "STUDENT_ID": student_ids[enr.student[rec]].tolist(),
            "COURSE_ID": cat.course_id[enr.course[rec]].tolist(),
            "TERM_CODE": terms.codes[enr.term[rec]].tolist(),
            "GRADE_LETTER": letters[rec].tolist(),
            "GRADE_POINTS": points[rec].tolist(),
            "CREDITS_EARNED": earned[rec].tolist(),
            "COMPLETED_ON": oracle_date_text(terms.ends[enr.term[rec]]),
            "IS_DELETED": [0] * len(rec),
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, len(rec), as_of)),
        },
    )

    # -- attendance: classes meet weekly on shared dates, so a class has many students per date
    attending = np.nonzero(enr.status != "DROPPED")[0]
    weeks_open = np.where(
        enr.term[attending] == terms.current, ((today - term_start[attending]).astype(np.int64) - 1) // 7, 15
    )
    per = np.where(weeks_open > 0, rng.poisson(1.2, len(attending)), 0)
    att = np.repeat(attending, per)
    week = (rng.random(len(att)) * np.repeat(np.maximum(weeks_open, 1), per)).astype(np.int64)
    weekday = cat.course_id[enr.course[att]] % 5
    class_date = term_start[att] + (week * 7 + weekday).astype("timedelta64[D]")
    _, first = np.unique(att.astype(np.int64) * 1000 + week, return_index=True)
    att, class_date = att[np.sort(first)], class_date[np.sort(first)]
    n_att = len(att)
    present_p = np.clip(0.86 + 0.2 * people.ability[enr.student[att]], 0.5, 0.99)
    roll = rng.random(n_att)
    other = rng.choice(["ABSENT", "LATE", "EXCUSED"], size=n_att, p=[0.6, 0.25, 0.15])
    att_status = np.where(roll < present_p, "PRESENT", other)
    attendance_ids = np.arange(1, n_att + 1)
    future_att = pick(rng, n_att, DEFECT_RATES["future_dated_attendance"])
    class_date[future_att] = today + rng.integers(30, 400, len(future_att)).astype("timedelta64[D]")
    sis_store.insert_rows(
        con,
        "ATTENDANCE",
        {
            "ATTENDANCE_ID": attendance_ids.tolist(),
            "STUDENT_ID": student_ids[enr.student[att]].tolist(),
            "COURSE_ID": course_ids[att].tolist(),
            "CLASS_DATE": oracle_date_text(class_date),
            "ATTENDANCE_STATUS": att_status.tolist(),
            "IS_DELETED": [0] * n_att,
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, n_att, as_of)),
        },
    )
    defects["future_dated_attendance"] = _defect(
        "oracle_sis", "ATTENDANCE", "ATTENDANCE_ID", attendance_ids[future_att]
    )

    # -- assessments: scores follow the same hidden fit as grades
    per = np.where(weeks_open > 0, rng.poisson(0.8, len(attending)), 0)
    ass = np.repeat(attending, per)
    n_ass = len(ass)
    span = np.repeat(np.maximum(weeks_open, 1) * 7, per)
    assessed_on = term_start[ass] + (rng.random(n_ass) * span).astype(np.int64).astype("timedelta64[D]")
    score = np.clip(38 + 14.5 * enr.expected_points[ass] + rng.normal(0, 7, n_ass), 0, 100)
    assessment_ids = np.arange(1, n_ass + 1)
    future_ass = pick(rng, n_ass, DEFECT_RATES["future_dated_assessments"])
    assessed_on[future_ass] = today + rng.integers(30, 400, len(future_ass)).astype("timedelta64[D]")
    sis_store.insert_rows(
        con,
        "ASSESSMENTS",
        {
            "ASSESSMENT_ID": assessment_ids.tolist(),
            "STUDENT_ID": student_ids[enr.student[ass]].tolist(),
            "COURSE_ID": course_ids[ass].tolist(),
            "ASSESSMENT_TYPE": rng.choice(
                ["QUIZ", "MIDTERM", "FINAL", "PROJECT"], n_ass, p=[0.4, 0.2, 0.2, 0.2]
            ).tolist(),
            "ASSESSED_ON": oracle_date_text(assessed_on),
            "SCORE": np.round(score, 2).tolist(),
            "MAX_SCORE": [100.0] * n_ass,
            "IS_DELETED": [0] * n_ass,
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, n_ass, as_of)),
        },
    )
    defects["future_dated_assessments"] = _defect(
        "oracle_sis", "ASSESSMENTS", "ASSESSMENT_ID", assessment_ids[future_ass]
    )
    con.commit()
    counts = sis_store.row_counts(con)
    con.close()

    # Per-student figures the Tableau "Student Analytics" view reports.
    present = np.bincount(enr.student[att], weights=(att_status == "PRESENT"), minlength=n)
    sessions = np.bincount(enr.student[att], minlength=n)
    attempted = np.bincount(enr.student, weights=credits * (enr.status != "DROPPED"), minlength=n)
    earned_by_student = np.bincount(enr.student[completed], weights=earned[completed], minlength=n)
    analytics = pa.table(
        {
            "student": np.arange(n),
            "term": terms.codes[last_term],
            "credits_attempted": attempted.astype(np.int64),
            "credits_earned": earned_by_student.astype(np.int64),
            "gpa": np.where(cr_sum > 0, gp_sum / np.maximum(cr_sum, 1), np.nan),
            "attendance_rate": np.where(sessions > 0, present / np.maximum(sessions, 1) * 100, np.nan),
        }
    )
    return SisResult(counts, defects, student_ids, student_program, emails, analytics)


def _defect(source: str, table: str, key: str, ids: np.ndarray, **extra: Any) -> dict[str, Any]:
    values = [v if isinstance(v, str) else int(v) for v in np.asarray(ids).tolist()]
    return {"source": source, "table": table, "key": key, "count": len(values), "ids": values, **extra}


# ---------------------------------------------------------------------------------------------- Workday

IDENTITY_VARIATIONS = np.array(["exact", "case", "whitespace", "nickname", "changed_email"])


def vary_names(rng: Rng, first: np.ndarray, last: np.ndarray, variation: np.ndarray) -> tuple[list, list]:
    """Apply the realistic drift between how the SIS and Workday spell the same person."""
    first_out, last_out = [], []
    for f, s, kind, r in zip(first, last, variation, rng.random(len(first)), strict=True):
        if kind == "case":
            f, s = (f.upper(), s.upper()) if r < 0.5 else (f.lower(), s.lower())
        elif kind == "whitespace":
            f, s = (f" {f}", f"{s}  ") if r < 0.5 else (f"{f} ", f" {s}")
        elif kind == "nickname":
            f = vocab.NICKNAMES.get(f, f)
        first_out.append(f)
        last_out.append(s)
    return first_out, last_out


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write atomically (temp file + rename), so a running stand-in never reads half a file."""
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def utc(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[us]"), type=pa.timestamp("us", tz="UTC"))


@dataclass
class WorkdayResult:
    counts: dict[str, int]
    defects: dict[str, dict[str, Any]]
    identity: pa.Table
    affinities: pa.Table
    holdout: pa.Table
    job_skills: list[list[str]]
    job_region: np.ndarray


def write_workday(
    out: Path,
    rng: Rng,
    cat: Catalogue,
    people: People,
    sis: SisResult,
    vol: dict[str, int],
    as_of: np.datetime64,
) -> WorkdayResult:
    out.mkdir(parents=True, exist_ok=True)
    n_sis = len(people)
    today = as_of.astype("datetime64[D]")
    defects: dict[str, dict[str, Any]] = {}

    write_parquet(
        pa.table(
            {
                "id": cat.program_wid,
                "programCode": cat.program_code,
                "name": cat.program_name,
                "degree": [dict(vocab.DEGREES)[d] for d in cat.program_degree],
                "department": [DOMAINS[d] for d in cat.program_domain],
                "durationYears": [PROGRAM_YEARS[d] for d in cat.program_degree],
                "updatedAt": utc(updated_at(rng, len(cat.program_wid), as_of)),
                "inactive": np.zeros(len(cat.program_wid), dtype=bool),
            }
        ).sort_by("id"),
        out / "academicPrograms.parquet",
    )

    # -- students: most are SIS students under another id and spelling; the rest apply through Workday only
    n_wd = vol["workday_students"]
    n_overlap = min(round(n_wd * 0.75), n_sis)
    overlap = np.sort(rng.choice(n_sis, size=n_overlap, replace=False))
    only_domain = rng.integers(0, len(DOMAINS), n_wd - n_overlap)
    newcomers = make_people(rng, n_wd - n_overlap, only_domain, "1985-01-01", "2008-01-01")
    variation = rng.choice(IDENTITY_VARIATIONS, size=n_overlap, p=[0.35, 0.15, 0.15, 0.15, 0.2])
    first_o, last_o = vary_names(rng, people.first_names[overlap], people.last_names[overlap], variation)
    personal_email = people.emails(rng.integers(10, 99, n_sis), PERSONAL_EMAIL)
    overlap_email = np.where(variation == "changed_email", personal_email[overlap], sis.emails[overlap])
    wd_ids = wids(rng, n_wd)
    program_of = np.concatenate(
        [sis.program_of_student[overlap], rng.integers(0, len(cat.program_wid), n_wd - n_overlap)]
    )
    first = np.concatenate([np.asarray(first_o, dtype=object), newcomers.first_names])
    last = np.concatenate([np.asarray(last_o, dtype=object), newcomers.last_names])
    email = np.concatenate(
        [overlap_email, newcomers.emails(rng.integers(10, 99, n_wd - n_overlap), PERSONAL_EMAIL)]
    )
    email = email.astype(object)
    # Required fields left empty on a few records (the sandbox's "missing required fields" defect).
    missing = pick(rng, n_wd, DEFECT_RATES["workday_students_missing_required_fields"])
    email[missing[::2]] = None
    last[missing[1::2]] = None
    wd_people = _concat_people(people, overlap, newcomers)
    birth = np.concatenate([people.birth_date[overlap], newcomers.birth_date])
    city = np.concatenate([people.city_idx[overlap], newcomers.city_idx])
    students = pa.table(
        {
            "id": wd_ids,
            "firstName": pa.array(first.tolist(), pa.string()),
            "lastName": pa.array(last.tolist(), pa.string()),
            "email": pa.array(email.tolist(), pa.string()),
            "dateOfBirth": pa.array(birth.astype("datetime64[D]"), pa.date32()),
            "academicProgramId": cat.program_wid[program_of],
            "careerInterests": pa.array(interests_from_affinity(rng, wd_people), pa.list_(pa.string())),
            "location": [vocab.LOCATIONS[c][0] for c in city],
            "updatedAt": utc(updated_at(rng, n_wd, as_of)),
            "inactive": np.zeros(n_wd, dtype=bool),
        }
    )
    write_parquet(students.sort_by("id"), out / "students.parquet")
    defects["workday_students_missing_required_fields"] = _defect(
        "workday", "students", "id", wd_ids[missing]
    )

    # -- job postings: skills follow the same domains and popularity as courses
    n_jobs = vol["job_postings"]
    domain_share = rng.dirichlet(np.full(len(DOMAINS), 4.0))
    job_domain = rng.choice(len(DOMAINS), size=n_jobs, p=domain_share)
    weights = (SKILL_DOMAIN[None, :] == job_domain[:, None]) * SKILL_POPULARITY[None, :]
    top = top_k_by_weight(rng, weights, 8)
    n_skills = rng.integers(3, 9, n_jobs)
    cross = rng.random(n_jobs) < 0.2
    top[cross, 0] = rng.integers(0, len(SKILLS), cross.sum())
    skill_names = np.asarray(SKILLS, dtype=object)[top]
    job_skills = [sorted(set(row[:k])) for row, k in zip(skill_names, n_skills, strict=True)]
    level = rng.choice(vocab.JOB_LEVELS, size=n_jobs)
    role = np.array(
        [vocab.JOB_ROLES[DOMAINS[d]][i] for d, i in zip(job_domain, rng.integers(0, 5, n_jobs), strict=True)]
    )
    title = np.char.strip(np.char.add(np.char.add(level, " "), role)).astype(object)
    missing_title = pick(rng, n_jobs, DEFECT_RATES["workday_job_postings_missing_required_fields"])
    title[missing_title] = None
    employer = np.char.add(
        np.char.add(rng.choice(vocab.EMPLOYER_WORDS, n_jobs), " "),
        rng.choice(vocab.EMPLOYER_SUFFIXES, n_jobs),
    )
    loc = rng.integers(0, len(vocab.LOCATIONS), n_jobs)
    posted = today - rng.integers(0, 540, n_jobs).astype("timedelta64[D]")
    age = (today - posted).astype(np.int64)
    status = np.where(
        age > 120,
        rng.choice(["CLOSED", "FILLED"], n_jobs),
        np.where(rng.random(n_jobs) < 0.85, "OPEN", "CLOSED"),
    )
    salary_min = (rng.integers(38, 120, n_jobs) * 1000).astype(np.int64)
    job_ids = wids(rng, n_jobs)
    postings = pa.table(
        {
            "id": job_ids,
            "requisitionId": np.char.mod("R-%06d", np.arange(100_001, 100_001 + n_jobs)),
            "title": pa.array(title.tolist(), pa.string()),
            "employer": employer,
            "location": [vocab.LOCATIONS[i][0] for i in loc],
            "region": [vocab.LOCATIONS[i][1] for i in loc],
            "postedDate": pa.array(posted, pa.date32()),
            "status": status,
            "salaryMin": salary_min,
            "salaryMax": salary_min + rng.integers(10, 40, n_jobs) * 1000,
            "skills": pa.array(job_skills, pa.list_(pa.string())),
            "updatedAt": utc(np.maximum(updated_at(rng, n_jobs, as_of), posted.astype("datetime64[us]"))),
            "inactive": np.zeros(n_jobs, dtype=bool),
        }
    )
    write_parquet(postings.sort_by("id"), out / "jobPostings.parquet")
    defects["workday_job_postings_missing_required_fields"] = _defect(
        "workday", "jobPostings", "id", job_ids[missing_title]
    )

    # -- placements: among a few dozen openings needing one of their strongest skills, a student lands the
    # one that fits their hidden strengths best: skill overlap drives who gets hired, as it would in life.
    placed = np.sort(rng.choice(n_wd, size=round(n_wd * 0.45), replace=False))
    placed = np.repeat(placed, 1 + (rng.random(len(placed)) < 0.3))
    strongest = top_k_by_weight(rng, np.tile(TOP_SKILL_STRENGTH, (len(placed), 1)), 1)[:, 0]
    skill = wd_people.top_skills[placed, strongest]
    job_row = np.repeat(np.arange(n_jobs), [len(s) for s in job_skills])
    job_skill = np.array([SKILLS.index(s) for row in job_skills for s in row])
    members, offsets = csr(job_skill, len(SKILLS))
    candidates = np.stack(
        [
            pick_in_group(rng, job_row[members], offsets, skill, fallback=0)
            for _ in range(PLACEMENT_CANDIDATES)
        ],
        axis=1,
    )
    requires = np.zeros((n_jobs, len(SKILLS)), dtype=bool)
    requires[job_row, job_skill] = True
    fit = (
        requires[candidates[:, :, None], wd_people.top_skills[placed][:, None, :]]
        * TOP_SKILL_STRENGTH[None, None, :]
    ).sum(axis=2)
    fit += rng.random(fit.shape) * 0.01  # ties broken at random
    job = candidates[np.arange(len(placed)), fit.argmax(axis=1)]
    _, first_pick = np.unique(placed.astype(np.int64) * 10_000_000 + job, return_index=True)
    keep = np.sort(first_pick)
    placed, job = placed[keep], job[keep]
    n_pl = len(placed)
    placed_on = np.minimum(
        posted[job] + rng.integers(14, 90, n_pl).astype("timedelta64[D]"), today - np.timedelta64(1, "D")
    )
    placement_ids = wids(rng, n_pl)
    held_out = rng.random(n_pl) < 0.25
    placements = pa.table(
        {
            "id": placement_ids,
            "studentId": wd_ids[placed],
            "jobPostingId": job_ids[job],
            "placementType": rng.choice(["Full-time", "Internship"], n_pl, p=[0.6, 0.4]),
            "placedDate": pa.array(placed_on, pa.date32()),
            "status": np.full(n_pl, "ACCEPTED"),
            "updatedAt": utc(np.maximum(updated_at(rng, n_pl, as_of), placed_on.astype("datetime64[us]"))),
            "inactive": np.zeros(n_pl, dtype=bool),
        }
    )
    write_parquet(placements.filter(pa.array(~held_out)).sort_by("id"), out / "jobPlacements.parquet")

    sis_of_wd = np.concatenate([sis.student_ids[overlap], np.full(n_wd - n_overlap, -1)])
    sis_col = pa.array(sis_of_wd, mask=sis_of_wd < 0)
    holdout = placements.filter(pa.array(held_out)).select(["id", "studentId", "jobPostingId", "placedDate"])
    holdout = holdout.append_column("sisStudentId", sis_col.take(pa.array(placed[held_out])))
    identity = pa.table(
        {
            "workday_student_id": wd_ids[:n_overlap],
            "sis_student_id": sis.student_ids[overlap],
            "variation": variation,
        }
    )
    all_sis = np.concatenate([sis.student_ids, np.full(n_wd - n_overlap, -1)])
    all_wd = np.full(n_sis, "", dtype=object)
    all_wd[overlap] = wd_ids[:n_overlap]
    every = _concat_people(people, np.arange(n_sis), newcomers)
    skill_names_arr = np.asarray(SKILLS, dtype=object)
    affinities = pa.table(
        {
            "sis_student_id": pa.array(all_sis, mask=all_sis < 0),
            "workday_student_id": pa.array(
                np.concatenate([all_wd, wd_ids[n_overlap:]]).tolist(), pa.string()
            ).cast(pa.string()),
            "primary_domain": np.asarray(DOMAINS, dtype=object)[every.primary_domain],
            "secondary_domain": np.asarray(DOMAINS, dtype=object)[every.secondary_domain],
            "top_skills": pa.array(skill_names_arr[every.top_skills].tolist(), pa.list_(pa.string())),
        }
    )
    counts = {
        name: pq.read_metadata(out / f"{name}.parquet").num_rows
        for name in ("students", "academicPrograms", "jobPostings", "jobPlacements")
    }
    return WorkdayResult(
        counts,
        defects,
        identity,
        affinities,
        holdout,
        job_skills,
        np.array([vocab.LOCATIONS[i][1] for i in loc]),
    )


def _concat_people(base: People, rows: np.ndarray, extra: People) -> People:
    return People(
        *(
            np.concatenate([getattr(base, f)[rows], getattr(extra, f)])
            for f in (
                "first_idx",
                "last_idx",
                "birth_date",
                "city_idx",
                "primary_domain",
                "secondary_domain",
                "top_skills",
                "ability",
            )
        )
    )


# ---------------------------------------------------------------------------------------------- Tableau

BOM = b"\xef\xbb\xbf"
DISTRACTOR_VIEWS = [
    "Enrollment Funnel",
    "Retention Cohorts",
    "Course Demand",
    "Faculty Load",
    "Financial Aid Overview",
    "Graduation Rates",
    "Housing Occupancy",
    "Library Usage",
    "Alumni Giving",
    "Admissions Pipeline",
    "Class Size Distribution",
    "Research Grants",
    "Student Satisfaction",
    "Diversity Dashboard",
    "Scholarship Awards",
    "Campus Events",
    "IT Tickets",
    "Dining Services",
    "Parking Permits",
    "Advising Appointments",
    "Transfer Credits",
    "Exam Schedule",
    "Lab Utilization",
    "Tuition Revenue",
]


def thousands(values: np.ndarray, decimals: int = 0) -> list[str]:
    return [f"{v:,.{decimals}f}" for v in values]


def csv_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()


def term_label(codes: np.ndarray) -> list[str]:
    season = {1: "Spring", 5: "Summer", 9: "Fall"}
    return [f"{season[int(c) % 100]} {int(c) // 100}" for c in codes]


def write_tableau(
    out: Path,
    rng: Rng,
    cat: Catalogue,
    people: People,
    sis: SisResult,
    wd: WorkdayResult,
    vol: dict[str, int],
    as_of: np.datetime64,
) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    a = sis.analytics
    n = a.num_rows
    student = a["student"].to_numpy()
    gpa = a["gpa"].to_numpy(zero_copy_only=False)
    rate = a["attendance_rate"].to_numpy(zero_copy_only=False)
    balance = np.round(np.where(rng.random(n) < 0.6, 0.0, rng.gamma(2.0, 1800.0, n)), 2)
    analytics = pa.table(
        {
            "Student ID": sis.student_ids[student],
            "Student Name": np.char.add(
                np.char.add(people.first_names[student].astype(str), " "),
                people.last_names[student].astype(str),
            ),
            "Program": cat.program_name[sis.program_of_student[student]],
            "Term": term_label(a["term"].to_numpy()),
            "Credits Attempted": a["credits_attempted"],
            "Credits Earned": a["credits_earned"],
            "GPA": [("" if np.isnan(g) else f"{g:.2f}") for g in gpa],
            "Attendance Rate": [("" if np.isnan(r) else f"{r:.1f}%") for r in rate],
            "Engagement Score": np.round(
                np.clip(70 + 40 * people.ability[student] + rng.normal(0, 8, n), 0, 100), 1
            ),
            "Tuition Balance": thousands(balance, 2),
        }
    )

    months = np.arange(np.datetime64(str(as_of)[:7], "M") - 11, np.datetime64(str(as_of)[:7], "M") + 1)
    regions = sorted({region for _, region in vocab.LOCATIONS})
    demand = np.zeros((len(SKILLS), len(regions)))
    region_idx = np.array([regions.index(r) for r in wd.job_region])
    for row, reg in zip(wd.job_skills, region_idx, strict=True):
        for s in row:
            demand[SKILLS.index(s), reg] += 1
    demand = demand / (vol["job_postings"] / BASE_VOLUMES["job_postings"][0])  # market figures do not scale
    growth = rng.normal(0.04, 0.12, len(SKILLS))
    skill_i, region_i, month_i = (
        grid.ravel()
        for grid in np.meshgrid(
            np.arange(len(SKILLS)), np.arange(len(regions)), np.arange(len(months)), indexing="ij"
        )
    )
    trend = 1 + growth[skill_i] * (month_i - 11) / 12
    postings = np.maximum(0, demand[skill_i, region_i] * 3.2 * trend + rng.normal(0, 3, len(skill_i)))
    salary = 52_000 + 9_000 * SKILL_DOMAIN[skill_i] % 40_000 + rng.normal(0, 2_500, len(skill_i))
    trends = pa.table(
        {
            "Skill": np.asarray(SKILLS)[skill_i],
            "Region": np.asarray(regions)[region_i],
            "Month": np.datetime_as_string(months[month_i], unit="M"),
            "Job Postings": thousands(np.round(postings)),
            "Median Salary": thousands(np.round(salary, -2)),
            "YoY Growth %": np.round(growth[skill_i] * 100, 1),
        }
    )

    (out / "student_analytics.csv").write_bytes(BOM + csv_bytes(analytics))
    (out / "job_market_trends.csv").write_bytes(BOM + csv_bytes(trends))
    (out / "other_view.csv").write_bytes(BOM + b'Metric,Value\nRows,"1,024"\n')
    view_ids = [str(v) for v in _uuids(rng, 2 + len(DISTRACTOR_VIEWS))]
    views = [
        {
            "id": view_ids[0],
            "name": "Student Analytics",
            "contentUrl": "StudentSuccess/sheets/StudentAnalytics",
            "workbook": "Student Success",
            "file": "student_analytics.csv",
        },
        {
            "id": view_ids[1],
            "name": "Job Market Trends",
            "contentUrl": "CareerOutcomes/sheets/JobMarketTrends",
            "workbook": "Career Outcomes",
            "file": "job_market_trends.csv",
        },
    ] + [
        {
            "id": vid,
            "name": name,
            "contentUrl": f"Operations/sheets/{name.replace(' ', '')}",
            "workbook": "Operations",
            "file": "other_view.csv",
        }
        for vid, name in zip(view_ids[2:], DISTRACTOR_VIEWS, strict=True)
    ]
    # The two views that matter sit on later pages of the catalogue, so connectors must page to find them.
    views = views[2:14] + views[:1] + views[14:] + views[1:2]
    (out / "views.json").write_text(json.dumps(views, indent=2) + "\n")
    return {"Student Analytics": analytics.num_rows, "Job Market Trends": trends.num_rows}


def _uuids(rng: Rng, n: int) -> list[str]:
    raw = wids(rng, n)
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" for h in raw]


# ---------------------------------------------------------------------------------------------- file drops


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
    """One day's drops: partner students (CSV), lab attendance (CSV), online assessments (JSON), course
    evaluations (Parquet), and on the first day one malformed file."""
    out.mkdir(parents=True, exist_ok=True)
    today = as_of.astype("datetime64[D]")
    counts: dict[str, int] = {}
    n_p = vol["partner_students"]
    partner = make_people(rng, n_p, rng.integers(0, len(DOMAINS), n_p), "1995-01-01", "2007-01-01")
    refs = np.char.mod(f"PX-{tag}-%05d", np.arange(1, n_p + 1))
    partners = pa.table(
        {
            "student_ref": refs,
            "first_name": partner.first_names.astype(str),
            "last_name": partner.last_names.astype(str),
            "email": partner.emails(np.arange(1, n_p + 1), "partner-university.example"),
            "home_institution": rng.choice(
                [
                    "Universidad de Sevilla",
                    "Universität Wien",
                    "Kyoto University",
                    "University of Lagos",
                    "McGill University",
                ],
                n_p,
            ),
            "program_code": rng.choice(program_codes, n_p),
            "arrival_date": np.datetime_as_string(today - rng.integers(0, 90, n_p).astype("timedelta64[D]")),
        }
    )
    name = f"students_partner_{tag}.csv"
    (out / name).write_bytes(csv_bytes(partners))
    counts[name] = n_p

    n_lab = vol["lab_attendance"]
    lab = pa.table(
        {
            "student_id": rng.choice(student_ids, n_lab),
            "course_code": rng.choice(course_codes, n_lab),
            "lab_date": np.datetime_as_string(today - rng.integers(1, 30, n_lab).astype("timedelta64[D]")),
            "status": rng.choice(["PRESENT", "ABSENT", "LATE"], n_lab, p=[0.85, 0.1, 0.05]),
            "minutes_present": rng.integers(0, 120, n_lab),
        }
    )
    name = f"attendance_lab_{tag}.csv"
    (out / name).write_bytes(csv_bytes(lab))
    counts[name] = n_lab

    n_on = vol["online_assessments"]
    submitted = timestamps_between(rng, as_of - np.timedelta64(7, "D"), as_of, n_on)
    online = [
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
    name = f"assessments_online_{tag}.json"
    (out / name).write_text(json.dumps(online, ensure_ascii=False, indent=1) + "\n")
    counts[name] = n_on

    n_ev = len(course_codes)
    evaluations = pa.table(
        {
            "course_code": course_codes,
            "term_code": np.full(n_ev, int(str(today)[:4]) * 100 + 5),
            "respondents": rng.integers(3, 120, n_ev),
            "avg_rating": np.round(rng.uniform(2.5, 5.0, n_ev), 2),
        }
    )
    name = f"course_evaluations_{tag}.parquet"
    pq.write_table(evaluations, out / name)
    counts[name] = n_ev

    defects: dict[str, dict[str, Any]] = {}
    if tag == str(SANDBOX_START)[:10].replace("-", ""):
        name = f"attendance_lab_{tag}_late.csv"
        good = csv_bytes(lab.slice(0, 5)).decode()
        # A ragged row and a non-numeric count: the whole file must be rejected, not half-loaded.
        (out / name).write_text(
            good + "100001,XX101,2026-10-01,PRESENT,45,unexpected\n100002,XX102,2026-10-02,PRESENT,forty\n"
        )
        counts[name] = 7
        defects["malformed_file_drop"] = {
            "source": "files",
            "table": "landing",
            "key": "file",
            "count": 1,
            "ids": [name],
        }
    return counts, defects


# ---------------------------------------------------------------------------------------------- entry point


def generate(out: Path, scale: float = 0.01, seed: int = 42) -> dict[str, Any]:
    """Build the institution into `out` (replacing what was there) and return its manifest."""
    vol = volumes(scale)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for sub in ("workday", "tableau", "landing", "truth"):
        (out / sub).mkdir()
    rng = np.random.default_rng(seed)
    as_of = SANDBOX_START
    terms = academic_terms(as_of)
    cat = build_catalogue(rng, vol)
    program_weights = zipf_weights(len(cat.program_code), 0.6)[rng.permutation(len(cat.program_code))]
    student_program = rng.choice(len(cat.program_code), size=vol["students"], p=program_weights)
    people = make_people(
        rng, vol["students"], cat.program_domain[student_program], "1984-01-01", "2008-09-01"
    )

    sis = write_sis(out / "sis.sqlite", rng, cat, people, terms, as_of, student_program)
    wd = write_workday(out / "workday", rng, cat, people, sis, vol, as_of)
    tableau = write_tableau(out / "tableau", rng, cat, people, sis, wd, vol, as_of)
    tag = str(as_of)[:10].replace("-", "")
    files, file_defects = write_landing(
        out / "landing", rng, sis.student_ids, cat.course_code, cat.program_code, vol, as_of, tag
    )

    pq.write_table(wd.identity, out / "truth" / "identity_map.parquet")
    pq.write_table(wd.affinities, out / "truth" / "student_affinities.parquet")
    pq.write_table(wd.holdout, out / "truth" / "holdout_placements.parquet")

    manifest: dict[str, Any] = {
        "sandbox_version": SANDBOX_VERSION,
        "scale": scale,
        "seed": seed,
        "as_of": f"{str(as_of)[:19]}Z",
        "volumes": vol,
        "sources": {
            "oracle_sis": {"database": "sis.sqlite", "tables": sis.counts},
            "workday": {"folder": "workday", "resources": wd.counts},
            "tableau": {"folder": "tableau", "views": tableau},
            "files": {"folder": "landing", "files": files},
        },
        "planted_defects": {
            **sis.defects,
            **wd.defects,
            **file_defects,
            "tableau_csv_format": {
                "source": "tableau",
                "table": "views",
                "key": "view",
                "count": 2,
                "ids": ["Student Analytics", "Job Market Trends"],
                "features": ["utf8_bom", "quoted_commas", "thousands_separators"],
            },
        },
        "truth": {
            "identity_map": {"file": "truth/identity_map.parquet", "rows": wd.identity.num_rows},
            "student_affinities": {
                "file": "truth/student_affinities.parquet",
                "rows": wd.affinities.num_rows,
            },
            "holdout_placements": {"file": "truth/holdout_placements.parquet", "rows": wd.holdout.num_rows},
        },
        "advances": [],
    }
    write_manifest(out, manifest)
    return manifest


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    tmp.replace(out / "manifest.json")
