"""`make bench`: speed and memory of each stage at scale 0.1 and 1.0 against the targets in the issues.

Each stage runs in its own process (peak memory is per stage); results print as a table and are written to
bench/results/<time>.json. Nothing here is asserted in tests: targets live in this report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCALES = [float(s) for s in os.environ.get("BENCH_SCALES", "0.1,1.0").split(",")]


def stage(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.stage", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"bench stage {args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][6:])


def bench_scale(scale: float, work: Path) -> dict[str, Any]:
    data = work / f"sandbox_{scale}"
    report: dict[str, Any] = {"scale": scale}
    gen = stage("generate", str(data), str(scale), "42")
    report["generate"] = {
        "seconds": round(gen["seconds"], 2),
        "peak_rss_mb": round(gen["peak_rss_mb"]),
        "rows": gen["rows"],
        "total_rows": sum(gen["rows"].values()),
    }
    report["ingest"] = bench_ingest(data, work / f"warehouse_{scale}")
    return report


def bench_ingest(data: Path, warehouse: Path) -> dict[str, Any]:
    from orchestration.sandbox.serve import running_sandbox

    env = {
        "CAMPUS_WAREHOUSE": str(warehouse / "campus.duckdb"),
        "CAMPUS_PIPELINES_DIR": str(warehouse / "pipelines"),
        "RUNTIME__LOG_LEVEL": "WARNING",
    }
    out: dict[str, Any] = {}
    with running_sandbox(data) as sandbox:
        env.update(sandbox.environment())
        full = stage("ingest", env=env)
        stage("advance", str(data), "1")
        incremental = stage("ingest", env=env)
    for name, result in (("full", full), ("incremental_after_1_day", incremental)):
        rows = sum(s["rows"] for s in result["sources"].values())
        out[name] = {
            "seconds": round(result["seconds"], 2),
            "peak_rss_mb": round(result["peak_rss_mb"]),
            "rows": rows,
            "rows_per_second": round(rows / result["seconds"]),
            "per_source": {
                k: {
                    "rows": v["rows"],
                    "seconds": round(v["seconds"], 2),
                    "rows_per_second": round(v["rows"] / max(v["seconds"], 1e-9)),
                    "status": v["status"],
                }
                for k, v in result["sources"].items()
            },
        }
    return out


def print_report(reports: list[dict[str, Any]]) -> None:
    for r in reports:
        g = r["generate"]
        print(f"\n=== scale {r['scale']} ===")
        print(
            f"generate: {g['seconds']:.1f} s, peak {g['peak_rss_mb']} MB, {g['total_rows']:,} rows "
            f"(target at 1.0: < 60 s, < 4096 MB)"
        )
        for table, rows in g["rows"].items():
            print(f"    {table:<48} {rows:>10,}")
        for name, i in r["ingest"].items():
            target = "< 45 s" if name == "full" else "< 10 s"
            print(
                f"ingest {name}: {i['seconds']:.1f} s, {i['rows']:,} rows, {i['rows_per_second']:,} rows/s, "
                f"peak {i['peak_rss_mb']} MB (target at 1.0: {target})"
            )
            for source, s in i["per_source"].items():
                print(
                    f"    {source:<12} {s['status']:<8} {s['rows']:>10,} rows {s['seconds']:>7.2f} s "
                    f"{s['rows_per_second']:>10,} rows/s"
                )


def main() -> None:
    reports = []
    with tempfile.TemporaryDirectory(prefix="campus-bench-") as tmp:
        for scale in SCALES:
            reports.append(bench_scale(scale, Path(tmp)))
    print_report(reports)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / time.strftime("%Y%m%dT%H%M%S.json")
    path.write_text(json.dumps(reports, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
