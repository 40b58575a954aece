"""Latency of the app's query module on a built warehouse: search and the student-profile queries, uncached.

A fixed, mixed query set drawn from the warehouse itself (last names, full names, skills, partial words,
typos, job and course title words), each timed through the app's `app.data` modules with Streamlit's cache
cleared first, so the figures are what a user waits for on a cache miss.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

PROFILE_QUERIES = (
    "student",
    "academic_history",
    "attendance",
    "student_skills",
    "job_recommendations",
    "course_recommendations",
)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)

    return {
        "n": len(ordered),
        "p50": at(0.5),
        "p95": at(0.95),
        "p99": at(0.99),
        "mean": round(statistics.fmean(ordered), 2),
    }


def query_set(warehouse: Path) -> tuple[list[str], list[str]]:
    """About 60 search texts and 30 student keys, chosen deterministically from the warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        people = con.execute("""select first_name, last_name, student_key from marts.dim_student
                                where last_name is not null order by student_key limit 30""").fetchall()
        skills = [
            r[0]
            for r in con.execute(
                "select skill_name from staging.stg_workday__job_postings__skills"
                " group by 1 order by 1 limit 12"
            ).fetchall()
        ]
        jobs = [
            r[0]
            for r in con.execute(
                "select job_title from marts.dim_job_posting where job_title is not null order by 1 limit 6"
            ).fetchall()
        ]
        courses = [
            r[0]
            for r in con.execute("select course_title from marts.dim_course order by 1 limit 6").fetchall()
        ]
    texts = [last for _, last, _ in people[:15]]
    texts += [f"{first} {last}" for first, last, _ in people[15:25]]
    texts += skills + [skill[:4] for skill in skills]
    texts += [last[:2] + last[3:] for _, last, _ in people[25:30] if len(last) > 4]  # a letter dropped
    texts += jobs + courses
    return texts, [key for _, _, key in people]


def timed(call: Callable[[], Any], clear: Callable[[], None]) -> float:
    clear()
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def measure(warehouse: Path) -> dict[str, Any]:
    os.environ["CAMPUS_WAREHOUSE"] = str(warehouse)
    os.environ.setdefault("CAMPUS_DESTINATION", "duckdb")
    from app.data import search, students
    from app.data import warehouse as data

    query = data.cached(data.MEDIUM_TTL)  # what the Search page passes
    texts, keys = query_set(warehouse)
    search.search(query, texts[0])  # open the connection once: start-up is not query latency
    search_ms = [timed(lambda t=text: search.search(query, t), data.clear_cache) for text in texts]
    profile_ms: list[float] = []
    page_ms: list[float] = []
    for key in keys:
        per_query = [
            timed(lambda name=name, k=key: getattr(students, name)(k), data.clear_cache)
            for name in PROFILE_QUERIES
        ]
        profile_ms += per_query
        page_ms.append(sum(per_query))
    return {
        "search_ms": percentiles(search_ms),
        "profile_query_ms": percentiles(profile_ms),
        "profile_page_ms": percentiles(page_ms),
    }


if __name__ == "__main__":
    print(measure(Path(sys.argv[1])))
