"""Latency of the app's query module on a built warehouse: search and the student-profile queries, uncached.

A fixed, mixed query set drawn from the warehouse itself (last names, full names, skills, partial words,
typos, job and course title words), each timed through the app's `app.data` modules with Streamlit's cache
cleared first, so the figures are what a user waits for on a cache miss. Search goes through the engine as the
Search page gets it (`warehouse.search_engine()`, loaded once per publish): its load time and the memory it
adds to the process are reported beside the search latencies. Each search and profile is timed
twice, back to back: as before, and as a signed-in adviser (the person from ID-token claims, the audit rows
the page writes, the masking), so their difference is what sign-in and the audit add (decision 011).
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingestion.destination import connect_working

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
    with connect_working(warehouse, read_only=True) as con:
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


def resident_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return round(kb / 1024, 1)


def timed(call: Callable[[], Any], clear: Callable[[], None]) -> float:
    clear()
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def measure(warehouse: Path) -> dict[str, Any]:
    os.environ["CAMPUS_WAREHOUSE"] = str(warehouse)
    os.environ.setdefault("CAMPUS_DESTINATION", "duckdb")
    os.environ["CAMPUS_AUDIT_DB"] = str(Path(tempfile.mkdtemp(prefix="bench-audit-")) / "access.sqlite")
    from app import access, actions, audit, privacy
    from app.data import students
    from app.data import warehouse as data

    config = access.load_config()
    group = next(name for name, role in config.role_map.items() if role == "adviser")
    claims = {"sub": "bench.adviser", "email": "bench.adviser@staff.campus.example", "groups": [group]}

    def signed_search(text: str) -> None:
        person = access.person_from_claims({**claims, "iat": int(time.time())}, config)
        assert person is not None
        result = data.search_engine().search(text)
        listed = result.results[result.results["doc_type"] == "student"]
        actions.record_student_views(person, "search_result", [str(k) for k in listed["entity_id"]], "search")
        privacy.mask_frame(result.results, person)

    def signed_profile(key: str) -> None:
        person = access.person_from_claims({**claims, "iat": int(time.time())}, config)
        assert person is not None
        actions.record_student_views(person, "profile_view", [key], "student")
        privacy.mask_frame(students.student(key).to_frame().T, person)
        for name in PROFILE_QUERIES[1:]:
            getattr(students, name)(key)

    texts, keys = query_set(warehouse)
    # The engine's memory without DuckDB's: the app lets go of the file (and its buffers) when idle.
    data.warehouse().backend.release()
    gc.collect()
    before_mb = resident_mb()
    start = time.perf_counter()
    data.search_engine()  # what the first search after a publish waits for
    engine_load_s = round(time.perf_counter() - start, 2)
    data.warehouse().backend.release()
    gc.collect()
    engine_mb = round(resident_mb() - before_mb, 1)
    students.student(keys[0])  # open the connection once: start-up is not query latency
    audit.record([])  # and create the audit store once
    # Plain and signed-in are timed back to back for the same request, three rounds over the query set: the
    # per-request difference is what sign-in and the audit add, free of the spread between requests.
    search_ms: list[float] = []
    signed_search_ms: list[float] = []
    search_added: list[float] = []
    page_ms: list[float] = []
    signed_page_ms: list[float] = []
    page_added: list[float] = []
    for _ in range(3):
        for text in texts:
            plain = timed(lambda t=text: data.search_engine().search(t).results, data.clear_cache)
            signed = timed(lambda t=text: signed_search(t), data.clear_cache)
            search_ms.append(plain)
            signed_search_ms.append(signed)
            search_added.append(signed - plain)
        for key in keys:
            plain = timed(
                lambda k=key: [getattr(students, name)(k) for name in PROFILE_QUERIES], data.clear_cache
            )
            signed = timed(lambda k=key: signed_profile(k), data.clear_cache)
            page_ms.append(plain)
            signed_page_ms.append(signed)
            page_added.append(signed - plain)
    profile_ms = [
        timed(lambda name=name, k=key: getattr(students, name)(k), data.clear_cache)
        for key in keys
        for name in PROFILE_QUERIES
    ]
    audit_ms = [
        timed(lambda: audit.record([audit.Event("bench", ["adviser"], "profile_view")]), lambda: None)
        for _ in range(200)
    ]
    search_p, signed_search_p = percentiles(search_ms), percentiles(signed_search_ms)
    page_p, signed_page_p = percentiles(page_ms), percentiles(signed_page_ms)
    return {
        "search_ms": search_p,
        "search_engine": {"load_seconds": engine_load_s, "rss_added_mb": engine_mb},
        "profile_query_ms": percentiles(profile_ms),
        "profile_page_ms": page_p,
        "search_signed_in_ms": signed_search_p,
        "profile_page_signed_in_ms": signed_page_p,
        "audit_write_ms": percentiles(audit_ms),
        # p95 with sign-in and audit minus p95 without; and the mean of the paired per-request differences
        # (the tail of those differences is the requests' own spread, not sign-in's cost)
        "sign_in_and_audit_add_ms": {
            "search": {
                "p95": round(signed_search_p["p95"] - search_p["p95"], 2),
                "mean": round(statistics.fmean(search_added), 2),
            },
            "profile_page": {
                "p95": round(signed_page_p["p95"] - page_p["p95"], 2),
                "mean": round(statistics.fmean(page_added), 2),
            },
        },
    }


if __name__ == "__main__":
    print(measure(Path(sys.argv[1])))
