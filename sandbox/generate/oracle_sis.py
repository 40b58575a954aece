"""The Oracle SIS stand-in's data (`sis.sqlite`): courses and their skills, students, enrollments, academic
records, attendance and assessments, with the SIS's planted defects; and the per-student figures the Tableau
"Student Analytics" view reports from it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sandbox import sis_store
from sandbox import vocabulary as vocab
from sandbox.frames import (
    Rng,
    csr,
    oracle_date_text,
    oracle_timestamp_text,
    pick,
    pick_in_group,
    zipf_weights,
)
from sandbox.generate.catalogue import PROGRAM_YEARS, Catalogue, course_titles
from sandbox.generate.common import DEFECT_RATES, UNIVERSITY_EMAIL, defect, updated_at
from sandbox.people import DOMAINS, SKILLS, TOP_SKILL_STRENGTH, People, make_people

FIRST_TERM_YEAR = 2019
TERM_DAYS = 105
# Three terms a year: a programme of N years runs 3 * N terms.
TERMS_PER_YEAR = 3
GRADE_POINTS = np.array([4.0, 3.7, 3.3, 3.0, 2.7, 2.3, 2.0, 1.7, 1.3, 1.0, 0.0])
GRADE_LETTERS = np.array(["A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "F"])
# Classes meet weekly: a past term has 15 teaching weeks.
TERM_WEEKS = 15


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


def draw_students(rng: Rng, cat: Catalogue, n: int) -> tuple[np.ndarray, People]:
    """The institution's students: a programme each (a few programmes are popular), and who they are.

    Workday and the file drops reuse these people, so this runs before any source is written."""
    program_weights = zipf_weights(len(cat.program_code), 0.6)[rng.permutation(len(cat.program_code))]
    student_program = rng.choice(len(cat.program_code), size=n, p=program_weights)
    people = make_people(rng, n, cat.program_domain[student_program], "1984-01-01", "2008-09-01")
    return student_program, people


@dataclass
class Cohort:
    """Each student's SIS id, programme, first and last term, and standing on as_of."""

    ids: np.ndarray
    program: np.ndarray  # index into the catalogue's programmes
    years: np.ndarray  # programme length
    first_term: np.ndarray  # index into Terms
    last_term: np.ndarray
    status: np.ndarray
    enrolled: np.ndarray  # datetime64[D], shortly before the first term


def admit(rng: Rng, cat: Catalogue, terms: Terms, student_program: np.ndarray) -> Cohort:
    """When students started (recent terms more often), how long their programme runs, where they stand."""
    n = len(student_program)
    years = np.array([PROGRAM_YEARS[d] for d in cat.program_degree])[student_program]
    recent = np.linspace(0.5, 1.5, terms.current + 1)
    first_term = rng.choice(terms.current + 1, size=n, p=recent / recent.sum())
    last_term = np.minimum(first_term + years * TERMS_PER_YEAR - 1, terms.current)
    finished = first_term + years * TERMS_PER_YEAR - 1 < terms.current
    leaver = rng.random(n) < np.where(finished, 0.08, 0.05)
    status = np.where(leaver, "WITHDRAWN", np.where(finished, "GRADUATED", "ACTIVE"))
    enrolled = terms.starts[first_term] - rng.integers(7, 60, n).astype("timedelta64[D]")
    ids = np.arange(100_001, 100_001 + n)
    return Cohort(ids, student_program, years, first_term, last_term, status, enrolled)


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
class Grades:
    """Grades of the completed enrollments, and each student's credit-weighted sums over them."""

    completed: np.ndarray  # per enrollment
    points: np.ndarray
    letters: np.ndarray
    credits: np.ndarray
    earned: np.ndarray
    points_sum: np.ndarray  # per student: grade points x credits
    credits_sum: np.ndarray  # per student: credits of completed courses

    @property
    def gpa(self) -> np.ndarray:
        """Credit-weighted over completed courses; NaN for students with none yet."""
        return np.where(self.credits_sum > 0, self.points_sum / np.maximum(self.credits_sum, 1), np.nan)


def grade(cat: Catalogue, enr: Enrollments, n_students: int) -> Grades:
    completed = enr.status == "COMPLETED"
    points, letters = snap_grades(enr.expected_points)
    credits = cat.course_credits[enr.course]
    earned = np.where(points >= 1.0, credits, 0)
    gp_sum = np.bincount(enr.student[completed], weights=(points * credits)[completed], minlength=n_students)
    cr_sum = np.bincount(enr.student[completed], weights=credits[completed], minlength=n_students)
    return Grades(completed, points, letters, credits, earned, gp_sum, cr_sum)


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
    as_of: np.datetime64,
    student_program: np.ndarray,
) -> SisResult:
    terms = academic_terms(as_of)
    con = sis_store.connect(path)
    sis_store.create_schema(con)
    write_courses(con, rng, cat, as_of)
    cohort = admit(rng, cat, terms, student_program)
    enr = build_enrollments(rng, cat, people, cohort.first_term, cohort.last_term, terms)
    grades = grade(cat, enr, len(people))
    emails, defects = write_students(con, rng, cat, people, cohort, grades, as_of)
    course_ids, defects["enrollments_unknown_course"] = write_enrollments(
        con, rng, cat, cohort, enr, terms, as_of
    )
    write_academic_records(con, rng, cat, cohort, enr, grades, terms, as_of)
    classes = ClassWeeks.of(enr, terms, as_of)
    attendance, defects["future_dated_attendance"] = write_attendance(
        con, rng, cat, people, cohort, enr, classes, course_ids, as_of
    )
    defects["future_dated_assessments"] = write_assessments(con, rng, cohort, enr, classes, course_ids, as_of)
    con.commit()
    counts = sis_store.row_counts(con)
    con.close()
    analytics = student_analytics(cohort, enr, grades, attendance, terms)
    return SisResult(counts, defects, cohort.ids, student_program, emails, analytics)


def write_courses(con: sqlite3.Connection, rng: Rng, cat: Catalogue, as_of: np.datetime64) -> None:
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


@dataclass
class StudentDefects:
    """Rows (indices into the students) that carry each planted student defect; no row carries two."""

    duplicated: np.ndarray
    null_email: np.ndarray
    bad_email: np.ndarray
    bad_gpa: np.ndarray


def plant_student_defects(
    rng: Rng, emails: np.ndarray, gpa: np.ndarray
) -> tuple[np.ndarray, np.ndarray, StudentDefects]:
    """The SIS e-mail and GPA columns as stored (None for missing), with null and malformed e-mails and
    out-of-range GPAs planted, and the rows to key in twice."""
    n = len(emails)
    taken = np.array([], dtype=np.int64)
    dup_src = pick(rng, n, DEFECT_RATES["duplicate_students"])
    taken = np.concatenate([taken, dup_src])
    null_email = pick(rng, n, DEFECT_RATES["null_emails"], exclude=taken)
    taken = np.concatenate([taken, null_email])
    bad_email = pick(rng, n, DEFECT_RATES["malformed_emails"], exclude=taken)
    taken = np.concatenate([taken, bad_email])
    bad_gpa = pick(rng, n, DEFECT_RATES["gpa_out_of_range"], exclude=taken)
    sis_emails = emails.astype(object)
    sis_emails[null_email] = None
    sis_emails[bad_email] = np.char.replace(emails[bad_email], "@", rng.choice(["", "@@", " at "]))
    stored_gpa = gpa.astype(object)
    stored_gpa[np.isnan(stored_gpa.astype(float))] = None
    stored_gpa[bad_gpa] = np.round(rng.choice([-1.0, 4.5, 5.0, 7.3], size=len(bad_gpa)), 2)
    return sis_emails, stored_gpa, StudentDefects(dup_src, null_email, bad_email, bad_gpa)


def write_students(
    con: sqlite3.Connection,
    rng: Rng,
    cat: Catalogue,
    people: People,
    cohort: Cohort,
    grades: Grades,
    as_of: np.datetime64,
) -> tuple[np.ndarray, dict[str, dict[str, Any]]]:
    """STUDENTS, duplicates included; the university e-mails (before defects) and the planted defects."""
    n = len(people)
    student_ids = cohort.ids
    emails = people.emails(student_ids, UNIVERSITY_EMAIL)
    sis_emails, gpa, planted = plant_student_defects(rng, emails, np.round(grades.gpa, 2))
    dup_src = planted.duplicated

    # Duplicates: the same person keyed in again under a new id, as happens at a second admission.
    dup_ids = np.arange(student_ids[-1] + 1, student_ids[-1] + 1 + len(dup_src))
    rows = np.concatenate([np.arange(n), dup_src])
    all_ids = np.concatenate([student_ids, dup_ids])
    # The second admission typed the e-mail again, sometimes in capitals: valid, but not byte-equal.
    dup_emails = sis_emails[dup_src].copy()
    shout = rng.random(len(dup_src)) < 0.5
    dup_emails[shout] = np.char.upper(dup_emails[shout].astype(str))
    phone = np.char.add("+1-555-", np.char.mod("%07d", rng.integers(0, 10_000_000, len(rows))))
    enrolled = cohort.enrolled
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
            "PROGRAM_CODE": cat.program_code[cohort.program[rows]].tolist(),
            "ENROLLMENT_DATE": oracle_date_text(np.concatenate([enrolled, enrolled[dup_src] + 30])),
            "EXPECTED_GRADUATION_DATE": oracle_date_text(
                (enrolled + (cohort.years * 365).astype("timedelta64[D]"))[rows]
            ),
            "STATUS_CODE": cohort.status[rows].tolist(),
            "GPA": np.concatenate([gpa, gpa[dup_src]]).tolist(),
            "CITY": [vocab.LOCATIONS[c][0] for c in people.city_idx[rows]],
            "IS_DELETED": [0] * len(rows),
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, len(rows), as_of)),
        },
    )
    defects = {
        "duplicate_students": defect(
            "oracle_sis", "STUDENTS", "STUDENT_ID", dup_ids, duplicate_of=student_ids[dup_src].tolist()
        ),
        "null_emails": defect("oracle_sis", "STUDENTS", "STUDENT_ID", student_ids[planted.null_email]),
        "malformed_emails": defect("oracle_sis", "STUDENTS", "STUDENT_ID", student_ids[planted.bad_email]),
        "gpa_out_of_range": defect("oracle_sis", "STUDENTS", "STUDENT_ID", student_ids[planted.bad_gpa]),
    }
    return emails, defects


def write_enrollments(
    con: sqlite3.Connection,
    rng: Rng,
    cat: Catalogue,
    cohort: Cohort,
    enr: Enrollments,
    terms: Terms,
    as_of: np.datetime64,
) -> tuple[np.ndarray, dict[str, Any]]:
    """ENROLLMENTS, a few of them referencing courses the catalogue does not have; the course id of each
    enrollment as stored, and that defect."""
    n_enr = len(enr.student)
    enrollment_ids = np.arange(1, n_enr + 1)
    course_ids = cat.course_id[enr.course].copy()
    unknown = pick(rng, n_enr, DEFECT_RATES["enrollments_unknown_course"])
    course_ids[unknown] = 990_001 + np.arange(len(unknown))
    term_start = terms.starts[enr.term]
    sis_store.insert_rows(
        con,
        "ENROLLMENTS",
        {
            "ENROLLMENT_ID": enrollment_ids.tolist(),
            "STUDENT_ID": cohort.ids[enr.student].tolist(),
            "COURSE_ID": course_ids.tolist(),
            "TERM_CODE": terms.codes[enr.term].tolist(),
            "ENROLLED_ON": oracle_date_text(term_start - rng.integers(1, 30, n_enr).astype("timedelta64[D]")),
            "STATUS_CODE": enr.status.tolist(),
            "IS_DELETED": [0] * n_enr,
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, n_enr, as_of)),
        },
    )
    return course_ids, defect("oracle_sis", "ENROLLMENTS", "ENROLLMENT_ID", enrollment_ids[unknown])


def write_academic_records(
    con: sqlite3.Connection,
    rng: Rng,
    cat: Catalogue,
    cohort: Cohort,
    enr: Enrollments,
    grades: Grades,
    terms: Terms,
    as_of: np.datetime64,
) -> None:
    """ACADEMIC_RECORDS: one per completed course."""
    rec = np.nonzero(grades.completed)[0]
    sis_store.insert_rows(
        con,
        "ACADEMIC_RECORDS",
        {
            "RECORD_ID": np.arange(1, len(rec) + 1).tolist(),
            "STUDENT_ID": cohort.ids[enr.student[rec]].tolist(),
            "COURSE_ID": cat.course_id[enr.course[rec]].tolist(),
            "TERM_CODE": terms.codes[enr.term[rec]].tolist(),
            "GRADE_LETTER": grades.letters[rec].tolist(),
            "GRADE_POINTS": grades.points[rec].tolist(),
            "CREDITS_EARNED": grades.earned[rec].tolist(),
            "COMPLETED_ON": oracle_date_text(terms.ends[enr.term[rec]]),
            "IS_DELETED": [0] * len(rec),
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, len(rec), as_of)),
        },
    )


@dataclass
class ClassWeeks:
    """The enrollments that meet in class (not dropped), their term's start, and the weeks taught so far."""

    attending: np.ndarray  # indices into the enrollments
    term_start: np.ndarray  # per enrollment, datetime64[D]
    weeks_open: np.ndarray  # per attending enrollment

    @classmethod
    def of(cls, enr: Enrollments, terms: Terms, as_of: np.datetime64) -> ClassWeeks:
        today = as_of.astype("datetime64[D]")
        attending = np.nonzero(enr.status != "DROPPED")[0]
        term_start = terms.starts[enr.term]
        weeks_open = np.where(
            enr.term[attending] == terms.current,
            ((today - term_start[attending]).astype(np.int64) - 1) // 7,
            TERM_WEEKS,
        )
        return cls(attending, term_start, weeks_open)


def plant_future_dates(rng: Rng, dates: np.ndarray, rate: float, today: np.datetime64) -> np.ndarray:
    """Move about `rate` of `dates` (in place) 30-400 days past today, a defect; the positions moved."""
    future = pick(rng, len(dates), rate)
    dates[future] = today + rng.integers(30, 400, len(future)).astype("timedelta64[D]")
    return future


@dataclass
class Attendance:
    enrollment: np.ndarray  # index into the enrollments, one per class attended
    status: np.ndarray


def write_attendance(
    con: sqlite3.Connection,
    rng: Rng,
    cat: Catalogue,
    people: People,
    cohort: Cohort,
    enr: Enrollments,
    classes: ClassWeeks,
    course_ids: np.ndarray,
    as_of: np.datetime64,
) -> tuple[Attendance, dict[str, Any]]:
    """ATTENDANCE: classes meet weekly on shared dates, so a class has many students per date; a few
    records are dated in the future (a defect)."""
    today = as_of.astype("datetime64[D]")
    attending, weeks_open = classes.attending, classes.weeks_open
    per = np.where(weeks_open > 0, rng.poisson(1.2, len(attending)), 0)
    att = np.repeat(attending, per)
    week = (rng.random(len(att)) * np.repeat(np.maximum(weeks_open, 1), per)).astype(np.int64)
    weekday = cat.course_id[enr.course[att]] % 5
    class_date = classes.term_start[att] + (week * 7 + weekday).astype("timedelta64[D]")
    _, first = np.unique(att.astype(np.int64) * 1000 + week, return_index=True)
    att, class_date = att[np.sort(first)], class_date[np.sort(first)]
    n_att = len(att)
    present_p = np.clip(0.86 + 0.2 * people.ability[enr.student[att]], 0.5, 0.99)
    roll = rng.random(n_att)
    other = rng.choice(["ABSENT", "LATE", "EXCUSED"], size=n_att, p=[0.6, 0.25, 0.15])
    att_status = np.where(roll < present_p, "PRESENT", other)
    attendance_ids = np.arange(1, n_att + 1)
    future_att = plant_future_dates(rng, class_date, DEFECT_RATES["future_dated_attendance"], today)
    sis_store.insert_rows(
        con,
        "ATTENDANCE",
        {
            "ATTENDANCE_ID": attendance_ids.tolist(),
            "STUDENT_ID": cohort.ids[enr.student[att]].tolist(),
            "COURSE_ID": course_ids[att].tolist(),
            "CLASS_DATE": oracle_date_text(class_date),
            "ATTENDANCE_STATUS": att_status.tolist(),
            "IS_DELETED": [0] * n_att,
            "UPDATED_AT": oracle_timestamp_text(updated_at(rng, n_att, as_of)),
        },
    )
    planted = defect("oracle_sis", "ATTENDANCE", "ATTENDANCE_ID", attendance_ids[future_att])
    return Attendance(att, att_status), planted


def write_assessments(
    con: sqlite3.Connection,
    rng: Rng,
    cohort: Cohort,
    enr: Enrollments,
    classes: ClassWeeks,
    course_ids: np.ndarray,
    as_of: np.datetime64,
) -> dict[str, Any]:
    """ASSESSMENTS: scores follow the same hidden fit as grades; a few are dated in the future (a defect)."""
    today = as_of.astype("datetime64[D]")
    attending, weeks_open = classes.attending, classes.weeks_open
    per = np.where(weeks_open > 0, rng.poisson(0.8, len(attending)), 0)
    ass = np.repeat(attending, per)
    n_ass = len(ass)
    span = np.repeat(np.maximum(weeks_open, 1) * 7, per)
    assessed_on = classes.term_start[ass] + (rng.random(n_ass) * span).astype(np.int64).astype(
        "timedelta64[D]"
    )
    score = np.clip(38 + 14.5 * enr.expected_points[ass] + rng.normal(0, 7, n_ass), 0, 100)
    assessment_ids = np.arange(1, n_ass + 1)
    future_ass = plant_future_dates(rng, assessed_on, DEFECT_RATES["future_dated_assessments"], today)
    sis_store.insert_rows(
        con,
        "ASSESSMENTS",
        {
            "ASSESSMENT_ID": assessment_ids.tolist(),
            "STUDENT_ID": cohort.ids[enr.student[ass]].tolist(),
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
    return defect("oracle_sis", "ASSESSMENTS", "ASSESSMENT_ID", assessment_ids[future_ass])


def student_analytics(
    cohort: Cohort, enr: Enrollments, grades: Grades, attendance: Attendance, terms: Terms
) -> pa.Table:
    """Per-student figures the Tableau "Student Analytics" view reports (index, not id, per student)."""
    n = len(cohort.ids)
    attended = enr.student[attendance.enrollment]
    present = np.bincount(attended, weights=(attendance.status == "PRESENT"), minlength=n)
    sessions = np.bincount(attended, minlength=n)
    attempted = np.bincount(enr.student, weights=grades.credits * (enr.status != "DROPPED"), minlength=n)
    completed = grades.completed
    earned_by_student = np.bincount(enr.student[completed], weights=grades.earned[completed], minlength=n)
    return pa.table(
        {
            "student": np.arange(n),
            "term": terms.codes[cohort.last_term],
            "credits_attempted": attempted.astype(np.int64),
            "credits_earned": earned_by_student.astype(np.int64),
            "gpa": grades.gpa,
            "attendance_rate": np.where(sessions > 0, present / np.maximum(sessions, 1) * 100, np.nan),
        }
    )
