"""`campus run`: the whole pipeline. Locally: the sandbox, every source ingested, `dbt build`, a summary."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ingestion.destination import warehouse_path
from ingestion.runner import run_sources
from orchestration.ingest import print_summary

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = ROOT / "dbt_project"


def ensure_sandbox(data_dir: Path, scale: float, seed: int) -> None:
    """Generate the sandbox unless one of this scale and seed is there already (keeps `make run` cheap)."""
    manifest = data_dir / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if found["scale"] == scale and found["seed"] == seed:
            print(f"sandbox: reusing {data_dir} (scale {scale}, seed {seed}, as of {found['as_of']})")
            return
    from orchestration.sandbox.generate import generate

    generate(data_dir, scale=scale, seed=seed)
    print(f"sandbox: generated {data_dir} (scale {scale}, seed {seed})")


@contextmanager
def sandbox_environment(data_dir: Path) -> Iterator[None]:
    """Start the stand-ins and point the connectors at them for the duration of the run."""
    from orchestration.sandbox.serve import running_sandbox

    with running_sandbox(data_dir) as sandbox:
        saved = {name: os.environ.get(name) for name in sandbox.environment()}
        os.environ.update(sandbox.environment())
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def dbt_build(target: str) -> dict[str, Any]:
    """Invoke dbt once, in-process (start-up dominates a small build), and count results by status."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_PROFILES_DIR", str(ROOT))
    result = dbtRunner().invoke(
        ["build", "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(ROOT), "--target", target]
    )
    statuses: dict[str, int] = {}
    for node in getattr(result.result, "results", None) or []:
        statuses[str(node.status)] = statuses.get(str(node.status), 0) + 1
    return {
        "success": bool(result.success),
        "statuses": statuses,
        "error": None if result.exception is None else str(result.exception),
    }


def run_pipeline(data_dir: Path, scale: float, seed: int, target: str = "dev") -> int:
    timings: dict[str, float] = {}
    # dbt runs from dbt_project/: hand it the same warehouse file as an absolute path.
    os.environ["CAMPUS_WAREHOUSE"] = str(warehouse_path().resolve())
    with ExitStack() as stack:
        if target != "prod":
            t0 = time.perf_counter()
            ensure_sandbox(data_dir, scale, seed)
            stack.enter_context(sandbox_environment(data_dir))
            timings["sandbox"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = run_sources(destination="snowflake" if target == "prod" else "duckdb")
        timings["ingest"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    build = dbt_build(target)
    timings["dbt build"] = time.perf_counter() - t0

    print("\n== ingestion ==")
    print_summary(results)
    print("\n== dbt build ==")
    print(
        "  "
        + (
            ", ".join(f"{status}: {count}" for status, count in sorted(build["statuses"].items()))
            or "nothing to build"
        )
    )
    if build["error"]:
        print(f"  error: {build['error']}")
    print("\n== wall time ==")
    for stage, seconds in timings.items():
        print(f"  {stage:<10} {seconds:6.1f} s")
    print(f"\nwarehouse: {os.environ['CAMPUS_WAREHOUSE']}")
    failed = [r.source for r in results if r.status != "success"]
    if failed:
        print(f"FAILED sources: {', '.join(failed)}")
    return 0 if not failed and build["success"] else 1
