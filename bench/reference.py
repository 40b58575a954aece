"""A fixed workload `make bench` times in the same run as the stages, so that its figures compare across days.

This host's speed moves a lot from day to day (the same release took 48-56 s for the full `campus run` one day
and 74-119 s another). Each stage is therefore also reported as a multiple of this workload's time measured in
the same run ("x ref"): a slower host slows both and leaves the multiple about where it was, while a slower
stage raises it.

The work is data-independent and seeded: the same rows, queries and Python operations every run, whatever the
sandbox or warehouse. Two parts, after where the pipeline spends its time:
- DuckDB (in memory, DuckDB's default threads, as dbt's and dlt's queries use them): generate rows from a
  multiplicative hash of their number, then a group-by, a join back to it, a window ranking and a sort;
- pure Python under one interpreter lock (as dbt's, dlt's and the sandbox's Python run): seeded records
  through string formatting, dicts, sorting, a JSON round trip and a regular expression.
Each part runs `repeats` times; the reference is the sum of the two parts' medians. At size 1.0 it takes a few
seconds. Every part returns a checksum of its results, so a run can show it did the same work as another.

Run alone: `python -m bench.reference [SIZE]` prints the measurement as JSON. Reads no settings.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import duckdb

SEED = 42
# Rows of the DuckDB part and records of the Python part at size 1.0: each part about half a second on the
# bench machine (2 cores), so three repeats of both stay a few seconds.
DUCKDB_ROWS = 600_000
PYTHON_RECORDS = 40_000
REPEATS = 3
WORDS = (
    *("data", "analytics", "student", "course", "skill", "job", "posting", "campus", "workday", "tableau"),
    *("oracle", "record", "attendance", "assessment", "programme", "credit", "grade", "term", "enrollment"),
    *("placement", "market", "region", "salary", "trend", "quality"),
)
TEMPLATE = "select {id} as id, '{name}' as name, {score:.6f} as score -- tags: {tags}"
WORD_PATTERN = re.compile(r"'([a-z]+)_(\d+)'")


def duckdb_part(rows: int) -> str:
    """Group, join, rank and sort `rows` generated rows; returns a checksum of the integer results."""
    with duckdb.connect(":memory:") as con:
        con.execute(
            f"""
            create table ref_rows as
            select
                i as id,
                (i * 7919) % 1009 as grp,
                (i * 2654435761 + {SEED}) % 1000003 as val,
                'k' || ((i * 104729 + {SEED}) % 5003) as label
            from range({rows}) as t (i)
            """
        )
        con.execute(
            """
            create table ref_groups as
            select grp, count(*) as n, sum(val) as total, max(label) as top_label
            from ref_rows group by grp
            """
        )
        (joined,) = con.execute(
            """
            select sum((r.val * g.n) % 997)
            from ref_rows as r inner join ref_groups as g on r.grp = g.grp
            where r.label <> g.top_label
            """
        ).fetchone() or (0,)
        (ranked,) = con.execute(
            """
            select sum(id % 1000) from (
                select id, row_number() over (partition by grp order by val desc, id) as rn from ref_rows
            ) where rn <= 5
            """
        ).fetchone() or (0,)
        top = con.execute(
            """
            select label, count(distinct grp) as groups, sum(val) as total
            from ref_rows group by label order by total desc, label limit 20
            """
        ).fetchall()
    return hashlib.sha256(repr((joined, ranked, top)).encode()).hexdigest()[:16]


def python_part(records: int) -> str:
    """Format, group, sort, serialise and parse `records` seeded records; returns a checksum of the result."""
    rng = random.Random(SEED)
    rows: list[dict[str, Any]] = [
        {
            "id": i,
            "name": f"{rng.choice(WORDS)}_{rng.randrange(1_000_000)}",
            "score": rng.random(),
            "tags": [rng.choice(WORDS) for _ in range(3)],
        }
        for i in range(records)
    ]
    rendered = [TEMPLATE.format(**row) for row in rows]
    by_tag: dict[str, list[float]] = {}
    for row in rows:
        for tag in row["tags"]:
            by_tag.setdefault(tag, []).append(row["score"])
    ranked = sorted(rows, key=lambda row: (-row["score"], row["name"]))[:100]
    parsed = json.loads(json.dumps(rows))
    names = [match.group(1) for text in rendered for match in WORD_PATTERN.finditer(text)]
    summary = (
        len(parsed),
        sorted((tag, len(scores), round(sum(scores), 6)) for tag, scores in by_tag.items()),
        [row["id"] for row in ranked],
        sorted(set(names)),
        hashlib.sha256("\n".join(rendered).encode()).hexdigest(),
    )
    return hashlib.sha256(repr(summary).encode()).hexdigest()[:16]


def timed_median(part: Callable[[int], str], amount: int, repeats: int) -> tuple[float, str]:
    """Median seconds of `repeats` runs of one part, and its checksum (the same every run, or an error)."""
    seconds: list[float] = []
    checksums: set[str] = set()
    for _ in range(repeats):
        start = time.perf_counter()
        checksums.add(part(amount))
        seconds.append(time.perf_counter() - start)
    if len(checksums) != 1:
        raise RuntimeError(f"{part.__name__} did different work across repeats: {sorted(checksums)}")
    return statistics.median(seconds), checksums.pop()


def measure(size: float = 1.0, repeats: int = REPEATS) -> dict[str, Any]:
    """Time both parts at `size` (1.0 in `make bench`; tests use a tiny one). `seconds` is the reference."""
    rows, records = max(1, round(DUCKDB_ROWS * size)), max(1, round(PYTHON_RECORDS * size))
    duckdb_seconds, duckdb_checksum = timed_median(duckdb_part, rows, repeats)
    python_seconds, python_checksum = timed_median(python_part, records, repeats)
    with duckdb.connect(":memory:") as con:
        (threads,) = con.execute("select current_setting('threads')").fetchone() or (None,)
    return {
        "size": size,
        "repeats": repeats,
        "duckdb_rows": rows,
        "python_records": records,
        "duckdb_threads": threads,
        "duckdb_seconds": round(duckdb_seconds, 4),
        "python_seconds": round(python_seconds, 4),
        "seconds": round(duckdb_seconds + python_seconds, 4),
        "checksum": {"duckdb": duckdb_checksum, "python": python_checksum},
    }


def multiple(seconds: float, reference_seconds: float) -> float:
    """A stage's time as a multiple of the reference measured in the same run ("x ref")."""
    if reference_seconds <= 0:
        raise ValueError(f"the reference took {reference_seconds} s: no multiple can be taken of it")
    return seconds / reference_seconds


def with_multiples(report: Any, reference_seconds: float) -> Any:
    """A copy of a bench report in which every `seconds` figure has an `x_ref` beside it, at any depth."""
    if isinstance(report, dict):
        out = {key: with_multiples(value, reference_seconds) for key, value in report.items()}
        seconds = report.get("seconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool):
            out["x_ref"] = round(multiple(seconds, reference_seconds), 3)
        return out
    if isinstance(report, list):
        return [with_multiples(item, reference_seconds) for item in report]
    return report


if __name__ == "__main__":
    print(json.dumps(measure(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)))
