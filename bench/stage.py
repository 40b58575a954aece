"""One benchmark stage in its own process, so its peak memory is its own. Prints one JSON line."""

from __future__ import annotations

import json
import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any


def stage_generate(out: str, scale: str, seed: str) -> dict[str, Any]:
    from sandbox.generate import generate

    manifest = generate(Path(out), scale=float(scale), seed=int(seed))
    rows = {
        f"{source}.{table}": n
        for source, info in manifest["sources"].items()
        for table, n in next(v for v in info.values() if isinstance(v, dict)).items()
    }
    return {"rows": rows}


def stage_advance(out: str, days: str) -> dict[str, Any]:
    from sandbox.advance import advance

    advance(Path(out), days=int(days))
    return {}


def stage_ingest(*sources: str) -> dict[str, Any]:
    from ingestion.runner import run_sources

    results = run_sources(sources or None, "duckdb")
    return {
        "sources": {
            r.source: {
                "status": r.status,
                "rows": r.rows_loaded,
                "seconds": r.duration_seconds,
                "error": r.error,
            }
            for r in results
        }
    }


def stage_dbt(*args: str) -> dict[str, Any]:
    """`dbt <args>` against CAMPUS_WAREHOUSE; time per model folder from run_results.json."""
    import os
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        # The caller may keep the target folder between builds, as a project keeps it (partial parsing).
        target = os.environ.get("DBT_TARGET_PATH") or f"{tmp}/target"
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(root),
            "DBT_TARGET_PATH": target,
            "DBT_LOG_PATH": f"{tmp}/logs",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        proc = subprocess.run(
            [
                str(Path(sys.executable).with_name("dbt")),
                *args,
                "--target",
                "ci",
                "--project-dir",
                str(root / "dbt_project"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        results_file = Path(target) / "run_results.json"
        results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    folders: dict[str, float] = {}
    statuses: dict[str, int] = {}
    for node in results:
        parts = node["unique_id"].split(".")
        kind = parts[0]
        folder = (
            kind
            if kind != "model"
            else next(
                (
                    f
                    for f in ("staging", "intermediate", "marts", "search", "recommendations", "quality")
                    if f in node.get("relation_name", "") or f in parts[-1]
                ),
                "model",
            )
        )
        folders[folder] = folders.get(folder, 0.0) + node["execution_time"]
        statuses[node["status"]] = statuses.get(node["status"], 0) + 1
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "returncode": proc.returncode,
        "statuses": statuses,
        "node_seconds_by_folder": folders,
        "dbt_peak_rss_mb": children_mb,
        "tail": proc.stdout[-1500:] if proc.returncode else "",
    }


def stage_app(warehouse: str) -> dict[str, Any]:
    from bench.app_latency import measure

    return measure(Path(warehouse))


def stage_api_load(publish_dir: str) -> dict[str, Any]:
    from bench.api_load import measure

    return measure(Path(publish_dir))


def stage_campus_run(data: str, scale: str) -> dict[str, Any]:
    """The whole `campus run` (sandbox servers, ingestion, dbt build, publish, bookkeeping), as a user runs
    it; with the run's own wall time per stage from its summary."""
    import subprocess

    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("campus")),
            "run",
            "--data",
            data,
            "--scale",
            scale,
            "--seed",
            "42",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
    )
    # the run's own per-stage wall times, from its summary ("  publish       1.2 s")
    timed = proc.stdout.split("== wall time ==")[-1]
    stages = {m[1]: float(m[2]) for m in re.finditer(r"^  (\S+(?: \S+)?) +(\d+\.\d) s$", timed, re.M)}
    return {
        "returncode": proc.returncode,
        "stages": stages,
        "tail": proc.stdout[-1200:] if proc.returncode else "",
        "peak_rss_mb_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def stage_publish() -> dict[str, Any]:
    """Publish the built warehouse (`CAMPUS_WAREHOUSE`) as a run does: the snapshot and the lake."""
    import dataclasses
    import tempfile
    import time

    from orchestration.publish import pseudonym_key, publish_warehouse, reader_relations, write_lake

    publication = publish_warehouse("bench")
    folder = Path(publication.folder)
    lake = sum(p.stat().st_size for p in (folder / "lake").rglob("*") if p.is_file())
    # What pseudonymisation costs (docs/decisions/013): the lake tables with personal columns, written with
    # and without it, from the same snapshot.
    personal = [r for r in reader_relations(Path(os.environ["CAMPUS_WAREHOUSE"])) if r.personal and r.in_lake]
    timings = {}
    for label, relations in (
        ("with", personal),
        ("without", [dataclasses.replace(r, personal=()) for r in personal]),
    ):
        with tempfile.TemporaryDirectory() as scratch:
            t0 = time.perf_counter()
            write_lake(
                folder / "campus.duckdb",
                Path(scratch) / "lake",
                relations,
                pseudonym_key(Path(os.environ["CAMPUS_WAREHOUSE"])),
            )
            timings[label] = time.perf_counter() - t0
    return {
        "pseudonymised_tables": len(personal),
        "pseudonymisation_seconds": round(timings["with"] - timings["without"], 3),
        "snapshot_seconds": publication.snapshot_seconds,
        "lake_seconds": publication.lake_seconds,
        "snapshot_mb": round((folder / "campus.duckdb").stat().st_size / 1e6, 1),
        "lake_mb": round(lake / 1e6, 1),
        "working_mb": round(Path(os.environ["CAMPUS_WAREHOUSE"]).stat().st_size / 1e6, 1),
        "relations": len(publication.tables),
        "rows": publication.rows,
    }


def stage_erase() -> dict[str, Any]:
    """Erase one student (`campus privacy erase --apply`) from the built and published warehouse: a student
    known to both the SIS and Workday, so every source's tables and every copy are searched and rewritten."""
    import time

    from ingestion.destination import connect_working
    from orchestration.privacy import erase

    with connect_working(read_only=True) as con:
        found = con.execute(
            "select student_key from marts.dim_student where sis_student_id is not null "
            "and workday_student_id is not null order by sis_student_id limit 1"
        ).fetchone()
    assert found, "no student in both the SIS and Workday to erase"
    t0 = time.perf_counter()
    result = erase(found[0], "bench", "bench", apply=True)
    return {
        "erase_seconds": round(time.perf_counter() - t0, 3),
        "rows": result.total,
        "places": len(result.counts),
        "verification": result.verification,
        "step_seconds": result.seconds,
    }


def stage_reference() -> dict[str, Any]:
    """The fixed reference workload (bench/reference.py), in a fresh process like every stage.

    Its figure is `reference.seconds`, the workload's own time; this process's `seconds` adds the imports.
    """
    from bench.reference import measure

    return {"reference": measure()}


STAGES = {
    "reference": stage_reference,
    "generate": stage_generate,
    "advance": stage_advance,
    "ingest": stage_ingest,
    "dbt": stage_dbt,
    "app": stage_app,
    "api_load": stage_api_load,
    "campus_run": stage_campus_run,
    "publish": stage_publish,
    "erase": stage_erase,
}

if __name__ == "__main__":
    t0 = time.perf_counter()
    out = STAGES[sys.argv[1]](*sys.argv[2:])
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH " + json.dumps(out))
