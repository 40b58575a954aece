"""One benchmark stage in its own process, so its peak memory is its own. Prints one JSON line."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def stage_generate(out: str, scale: str, seed: str) -> dict[str, Any]:
    from orchestration.sandbox.generate import generate

    manifest = generate(Path(out), scale=float(scale), seed=int(seed))
    rows = {
        f"{source}.{table}": n
        for source, info in manifest["sources"].items()
        for table, n in next(v for v in info.values() if isinstance(v, dict)).items()
    }
    return {"rows": rows}


def stage_advance(out: str, days: str) -> dict[str, Any]:
    from orchestration.sandbox.advance import advance

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


STAGES = {"generate": stage_generate, "advance": stage_advance, "ingest": stage_ingest}

if __name__ == "__main__":
    t0 = time.perf_counter()
    out = STAGES[sys.argv[1]](*sys.argv[2:])
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH " + json.dumps(out))
