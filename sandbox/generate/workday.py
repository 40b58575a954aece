"""The Workday stand-in's data (`workday/<resource>.parquet`): academic programmes, students (most of them the
SIS's students under another id and spelling), job postings and placements, with Workday's planted defects;
and the truth tables that say who is who and which placements are held out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sandbox import vocabulary as vocab
from sandbox.frames import Rng, csr, pick, pick_in_group, top_k_by_weight, wids
from sandbox.generate.catalogue import PROGRAM_YEARS, Catalogue
from sandbox.generate.common import DEFECT_RATES, PERSONAL_EMAIL, defect, updated_at
from sandbox.generate.oracle_sis import SisResult
from sandbox.people import (
    DOMAINS,
    SKILL_DOMAIN,
    SKILL_POPULARITY,
    SKILLS,
    TOP_SKILL_STRENGTH,
    People,
    concat_people,
    interests_from_affinity,
    make_people,
)

RESOURCES = ("students", "academicPrograms", "jobPostings", "jobPlacements")
IDENTITY_VARIATIONS = np.array(["exact", "case", "whitespace", "nickname", "changed_email"])
# Openings a placed student is considered for; the best-fitting one is the placement.
PLACEMENT_CANDIDATES = 40


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write atomically (temp file + rename), so a running stand-in never reads half a file."""
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def utc(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[us]"), type=pa.timestamp("us", tz="UTC"))


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


@dataclass
class WorkdayResult:
    counts: dict[str, int]
    defects: dict[str, dict[str, Any]]
    identity: pa.Table
    affinities: pa.Table
    holdout: pa.Table
    job_skills: list[list[str]]
    job_region: np.ndarray


@dataclass
class WorkdayStudents:
    ids: np.ndarray
    overlap: np.ndarray  # the SIS students (indices) that are also Workday's first len(overlap) students
    variation: np.ndarray  # how each overlapping student's record drifts from the SIS's
    newcomers: People  # students Workday has and the SIS does not
    people: People  # every Workday student, in Workday's order


@dataclass
class JobPostings:
    ids: np.ndarray
    skills: list[list[str]]
    posted: np.ndarray  # datetime64[D]
    region: np.ndarray


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
    defects: dict[str, dict[str, Any]] = {}
    write_programs(out, rng, cat, as_of)
    students, defects["workday_students_missing_required_fields"] = write_students(
        out, rng, cat, people, sis, vol["workday_students"], as_of
    )
    jobs, defects["workday_job_postings_missing_required_fields"] = write_job_postings(
        out, rng, vol["job_postings"], as_of
    )
    placements, placed, held_out = write_placements(out, rng, students, jobs, as_of)
    identity, affinities, holdout = truth_tables(people, sis, students, placements, placed, held_out)
    counts = {name: pq.read_metadata(out / f"{name}.parquet").num_rows for name in RESOURCES}
    return WorkdayResult(counts, defects, identity, affinities, holdout, jobs.skills, jobs.region)


def write_programs(out: Path, rng: Rng, cat: Catalogue, as_of: np.datetime64) -> None:
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


def write_students(
    out: Path,
    rng: Rng,
    cat: Catalogue,
    people: People,
    sis: SisResult,
    n_wd: int,
    as_of: np.datetime64,
) -> tuple[WorkdayStudents, dict[str, Any]]:
    """Most are SIS students under another id and spelling; the rest apply through Workday only. A few
    records leave a required field empty (a defect)."""
    n_sis = len(people)
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
    missing = pick(rng, n_wd, DEFECT_RATES["workday_students_missing_required_fields"])
    email[missing[::2]] = None
    last[missing[1::2]] = None
    wd_people = concat_people(people, overlap, newcomers)
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
    planted = defect("workday", "students", "id", wd_ids[missing])
    return WorkdayStudents(wd_ids, overlap, variation, newcomers, wd_people), planted


def write_job_postings(
    out: Path, rng: Rng, n_jobs: int, as_of: np.datetime64
) -> tuple[JobPostings, dict[str, Any]]:
    """Skills follow the same domains and popularity as courses; a few postings have no title (a defect)."""
    today = as_of.astype("datetime64[D]")
    job_domain, job_skills = draw_job_skills(rng, n_jobs)
    title = job_titles(rng, job_domain)
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
    jobs = JobPostings(job_ids, job_skills, posted, np.array([vocab.LOCATIONS[i][1] for i in loc]))
    return jobs, defect("workday", "jobPostings", "id", job_ids[missing_title])


def draw_job_skills(rng: Rng, n_jobs: int) -> tuple[np.ndarray, list[list[str]]]:
    """Each posting's domain, and 3-8 skills mostly from it (a fifth lead with a skill from anywhere)."""
    domain_share = rng.dirichlet(np.full(len(DOMAINS), 4.0))
    job_domain = rng.choice(len(DOMAINS), size=n_jobs, p=domain_share)
    weights = (SKILL_DOMAIN[None, :] == job_domain[:, None]) * SKILL_POPULARITY[None, :]
    top = top_k_by_weight(rng, weights, 8)
    n_skills = rng.integers(3, 9, n_jobs)
    cross = rng.random(n_jobs) < 0.2
    top[cross, 0] = rng.integers(0, len(SKILLS), cross.sum())
    skill_names = np.asarray(SKILLS, dtype=object)[top]
    return job_domain, [sorted(set(row[:k])) for row, k in zip(skill_names, n_skills, strict=True)]


def job_titles(rng: Rng, job_domain: np.ndarray) -> np.ndarray:
    """'Senior Data Engineer'-style titles: a level and one of the domain's roles."""
    n_jobs = len(job_domain)
    level = rng.choice(vocab.JOB_LEVELS, size=n_jobs)
    role = np.array(
        [vocab.JOB_ROLES[DOMAINS[d]][i] for d, i in zip(job_domain, rng.integers(0, 5, n_jobs), strict=True)]
    )
    return np.char.strip(np.char.add(np.char.add(level, " "), role)).astype(object)


def write_placements(
    out: Path, rng: Rng, students: WorkdayStudents, jobs: JobPostings, as_of: np.datetime64
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Placements, a quarter of them held out of the served file (the truth recommendations are scored on);
    every placement, the placed student of each (index into the Workday students), and the held-out mask."""
    today = as_of.astype("datetime64[D]")
    placed, job = place_students(rng, students.people, jobs.skills)
    n_pl = len(placed)
    placed_on = np.minimum(
        jobs.posted[job] + rng.integers(14, 90, n_pl).astype("timedelta64[D]"), today - np.timedelta64(1, "D")
    )
    placement_ids = wids(rng, n_pl)
    held_out = rng.random(n_pl) < 0.25
    placements = pa.table(
        {
            "id": placement_ids,
            "studentId": students.ids[placed],
            "jobPostingId": jobs.ids[job],
            "placementType": rng.choice(["Full-time", "Internship"], n_pl, p=[0.6, 0.4]),
            "placedDate": pa.array(placed_on, pa.date32()),
            "status": np.full(n_pl, "ACCEPTED"),
            "updatedAt": utc(np.maximum(updated_at(rng, n_pl, as_of), placed_on.astype("datetime64[us]"))),
            "inactive": np.zeros(n_pl, dtype=bool),
        }
    )
    write_parquet(placements.filter(pa.array(~held_out)).sort_by("id"), out / "jobPlacements.parquet")
    return placements, placed, held_out


def place_students(rng: Rng, wd_people: People, job_skills: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Who is placed where: among a few dozen openings needing one of their strongest skills, a student
    lands the one that fits their hidden strengths best, so skill overlap drives who gets hired, as it would
    in life. (student, job) index pairs, a student at most once per job."""
    n_wd, n_jobs = len(wd_people), len(job_skills)
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
    return placed[keep], job[keep]


def truth_tables(
    people: People,
    sis: SisResult,
    students: WorkdayStudents,
    placements: pa.Table,
    placed: np.ndarray,
    held_out: np.ndarray,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """What no source serves: the SIS id behind each Workday student, everyone's hidden affinities, and the
    held-out placements (with the student's SIS id where there is one)."""
    n_sis, n_wd = len(people), len(students.ids)
    overlap, wd_ids = students.overlap, students.ids
    n_overlap = len(overlap)
    sis_of_wd = np.concatenate([sis.student_ids[overlap], np.full(n_wd - n_overlap, -1)])
    sis_col = pa.array(sis_of_wd, mask=sis_of_wd < 0)
    holdout = placements.filter(pa.array(held_out)).select(["id", "studentId", "jobPostingId", "placedDate"])
    holdout = holdout.append_column("sisStudentId", sis_col.take(pa.array(placed[held_out])))
    identity = pa.table(
        {
            "workday_student_id": wd_ids[:n_overlap],
            "sis_student_id": sis.student_ids[overlap],
            "variation": students.variation,
        }
    )
    all_sis = np.concatenate([sis.student_ids, np.full(n_wd - n_overlap, -1)])
    all_wd = np.full(n_sis, "", dtype=object)
    all_wd[overlap] = wd_ids[:n_overlap]
    every = concat_people(people, np.arange(n_sis), students.newcomers)
    skill_names = np.asarray(SKILLS, dtype=object)
    affinities = pa.table(
        {
            "sis_student_id": pa.array(all_sis, mask=all_sis < 0),
            "workday_student_id": pa.array(
                np.concatenate([all_wd, wd_ids[n_overlap:]]).tolist(), pa.string()
            ).cast(pa.string()),
            "primary_domain": np.asarray(DOMAINS, dtype=object)[every.primary_domain],
            "secondary_domain": np.asarray(DOMAINS, dtype=object)[every.secondary_domain],
            "top_skills": pa.array(skill_names[every.top_skills].tolist(), pa.list_(pa.string())),
        }
    )
    return identity, affinities, holdout
