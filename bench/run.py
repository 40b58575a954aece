"""`make bench`: speed and memory of each stage at scale 0.1 and 1.0 against the targets in the issues.

Each stage runs in its own process (peak memory is per stage); results print as a table and are written to
bench/results/<time>.json. Nothing here is asserted in tests: targets live in this report.

A fixed reference workload (bench/reference.py) is timed before the first scale and after each one; every
stage's seconds are also given as a multiple of the mean of the two readings around its scale ("x ref",
`x_ref` in the JSON), which compares across days on a host whose speed moves. Settings: `BENCH_SCALES`
(default `0.1,1.0`). At scale 1.0 the API is also put under load (bench/api_load.py, which says how; needs
`wrk`, which `make bench` installs).
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

from bench.api_load import report_lines as api_report_lines
from bench.reference import multiple, with_multiples

ROOT = Path(__file__).resolve().parent.parent
SCALES = [float(s) for s in os.environ.get("BENCH_SCALES", "0.1,1.0").split(",")]
API_SCALE = 1.0  # the API under load (bench/api_load.py) at this scale only


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
    """Generate, ingest, build, score; then advance one day and run the incremental path."""
    from orchestration.dbt_invocation import scheduled_build_args
    from sandbox.serve import running_sandbox

    data, warehouse = work / f"sandbox_{scale}", work / f"warehouse_{scale}"
    report: dict[str, Any] = {"scale": scale}
    gen = stage("generate", str(data), str(scale), "42")
    report["generate"] = {
        "seconds": round(gen["seconds"], 2),
        "peak_rss_mb": round(gen["peak_rss_mb"]),
        "rows": gen["rows"],
        "total_rows": sum(gen["rows"].values()),
    }
    env = {
        "CAMPUS_WAREHOUSE": str(warehouse / "campus.duckdb"),
        "CAMPUS_PIPELINES_DIR": str(warehouse / "pipelines"),
        "RUNTIME__LOG_LEVEL": "WARNING",
        # kept between the two builds, as a project keeps its target folder (dbt's partial parsing)
        "DBT_TARGET_PATH": str(work / f"dbt_target_{scale}"),
    }
    with running_sandbox(data) as sandbox:
        env.update(sandbox.environment())
        full = stage("ingest", env=env)
        build = stage("dbt", "build", env=env)
        report["publish"] = publish_summary(stage("publish", env=env))
        report["scores"] = scores(warehouse / "campus.duckdb", data)
        report["app"] = stage("app", str(warehouse / "campus.duckdb"), env=env)
        report["erase"] = stage("erase", env=env)
        stage("advance", str(data), "1")
        incremental = stage("ingest", env=env)
        # the scheduled form, as `campus run` invokes it: unit tests are left to CI (docs/decisions/005)
        rebuild = stage("dbt", "build", *scheduled_build_args(), env=env)
    if scale == API_SCALE:
        # the snapshot published from the first build (the rebuild is not published), the servers stopped
        report["api"] = stage("api_load", str(warehouse / "published"), env=env)["api"]
    report["ingest"] = {"full": ingest_summary(full), "incremental_after_1_day": ingest_summary(incremental)}
    report["dbt"] = {"full": dbt_summary(build), "incremental_after_1_day": dbt_summary(rebuild)}
    report["campus_run"] = bench_campus_run(scale, work)
    return report


def bench_campus_run(scale: float, work: Path) -> dict[str, Any]:
    """End to end as a user runs it: `campus run` on a fresh sandbox and warehouse, then again after a day."""
    data, warehouse = work / f"e2e_sandbox_{scale}", work / f"e2e_warehouse_{scale}"
    stage("generate", str(data), str(scale), "42")
    env = {
        "CAMPUS_WAREHOUSE": str(warehouse / "campus.duckdb"),
        "CAMPUS_PIPELINES_DIR": str(warehouse / "pipelines"),
        "RUNTIME__LOG_LEVEL": "WARNING",
    }
    first = stage("campus_run", str(data), str(scale), env=env)
    stage("advance", str(data), "1")
    daily = stage("campus_run", str(data), str(scale), env=env)
    return {
        name: {
            "seconds": round(r["seconds"], 1),
            "returncode": r["returncode"],
            "stages": r["stages"],
            # what publishing adds to the run, against the run without it (same run, so host speed cancels)
            "publish_share": round(
                r["stages"].get("publish", 0.0) / max(1e-9, r["seconds"] - r["stages"].get("publish", 0.0)), 3
            ),
            "tail": r["tail"],
        }
        for name, r in (("full", first), ("incremental_after_1_day", daily))
    }


def publish_summary(result: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "snapshot_seconds",
        "lake_seconds",
        "snapshot_mb",
        "lake_mb",
        "working_mb",
        "relations",
        "rows",
        "pseudonymised_tables",
        "pseudonymisation_seconds",
    )
    summary = {key: result[key] for key in keep}
    summary["seconds"] = round(result["snapshot_seconds"] + result["lake_seconds"], 2)
    return summary


def scores(warehouse: Path, data: Path) -> dict[str, Any]:
    """Quality of identity resolution and recommendations against the sandbox's truth."""
    from sandbox.truth import identity_scores

    out: dict[str, Any] = {}
    try:
        out["identity"] = identity_scores(warehouse, data)
    except Exception as exc:  # a layer not built yet is reported, not fatal to the other figures
        out["identity"] = {"error": str(exc).splitlines()[0]}
    try:
        from bench.recommendations import evaluate

        out["recommendations"] = evaluate(warehouse, data)
    except Exception as exc:
        out["recommendations"] = {"error": str(exc).splitlines()[0]}
    return out


def ingest_summary(result: dict[str, Any]) -> dict[str, Any]:
    rows = sum(s["rows"] for s in result["sources"].values())
    return {
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


def dbt_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "seconds": round(result["seconds"], 2),
        "returncode": result["returncode"],
        "statuses": result["statuses"],
        "peak_rss_mb": round(result["dbt_peak_rss_mb"]),
        "node_seconds_by_folder": {k: round(v, 2) for k, v in result["node_seconds_by_folder"].items()},
        "tail": result["tail"],
    }


def reference_reading() -> dict[str, Any]:
    return dict(stage("reference")["reference"])


def with_reference(report: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The scale's report with the reference readings around it, and every figure as a multiple of them."""
    reference_seconds = (before["seconds"] + after["seconds"]) / 2
    report = {**report, "reference": {"seconds": round(reference_seconds, 4), "readings": [before, after]}}
    annotated: dict[str, Any] = with_multiples(report, reference_seconds)
    annotated["app_x_ref"] = {
        name: {q: round(multiple(ms / 1000, reference_seconds), 5) for q, ms in figures.items() if q != "n"}
        for name, figures in report["app"].items()
        # the stage's own seconds and peak memory sit beside the latencies; the added times are differences
        if isinstance(figures, dict) and name not in ("sign_in_and_audit_add_ms", "search_engine")
    }
    return annotated


def xr(figures: dict[str, Any]) -> str:
    return f" = {figures['x_ref']:.2f} x ref"


def print_report(reports: list[dict[str, Any]]) -> None:
    for r in reports:
        g = r["generate"]
        ref = r["reference"]
        print(f"\n=== scale {r['scale']} ===")
        print(
            f"reference workload: {ref['seconds']:.2f} s (before the scale "
            f"{ref['readings'][0]['seconds']:.2f} s, after {ref['readings'][1]['seconds']:.2f} s; "
            f"DuckDB {ref['readings'][0]['duckdb_seconds']:.2f} s + Python "
            f"{ref['readings'][0]['python_seconds']:.2f} s before): every figure below is also given as a "
            f"multiple of it"
        )
        print(
            f"generate: {g['seconds']:.1f} s{xr(g)}, peak {g['peak_rss_mb']} MB, {g['total_rows']:,} rows "
            f"(target at 1.0: < 60 s, < 4096 MB)"
        )
        for table, rows in g["rows"].items():
            print(f"    {table:<48} {rows:>10,}")
        for name, i in r["ingest"].items():
            target = "< 45 s" if name == "full" else "< 10 s"
            print(
                f"ingest {name}: {i['seconds']:.1f} s{xr(i)}, {i['rows']:,} rows, "
                f"{i['rows_per_second']:,} rows/s, peak {i['peak_rss_mb']} MB (target at 1.0: {target})"
            )
            for source, s in i["per_source"].items():
                print(
                    f"    {source:<12} {s['status']:<8} {s['rows']:>10,} rows {s['seconds']:>7.2f} s "
                    f"{s['x_ref']:>6.2f} x ref {s['rows_per_second']:>10,} rows/s"
                )
        for name, d in r["dbt"].items():
            target = "< 60 s, recommendations < 20 s" if name == "full" else "< 15 s"
            print(
                f"dbt build {name}: {d['seconds']:.1f} s{xr(d)}, exit {d['returncode']}, {d['statuses']}, "
                f"peak {d['peak_rss_mb']} MB (target at 1.0: {target})"
            )
            folders = ", ".join(f"{k} {v:.1f}" for k, v in sorted(d["node_seconds_by_folder"].items()))
            print(f"    node seconds by folder: {folders}")
            if d["tail"]:
                print("    " + d["tail"].replace("\n", "\n    "))
        p = r["publish"]
        print(
            f"publish: {p['seconds']:.2f} s{xr(p)} (snapshot {p['snapshot_seconds']:.2f} s, lake "
            f"{p['lake_seconds']:.2f} s; target at 1.0: <= 5 s), {p['relations']} relations, "
            f"{p['rows']:,} rows; snapshot {p['snapshot_mb']} MB, lake {p['lake_mb']} MB "
            f"(working warehouse {p['working_mb']} MB); pseudonymising {p['pseudonymised_tables']} lake "
            f"tables adds {p['pseudonymisation_seconds']:.2f} s"
        )
        if "erase" in r:  # reports written before erasure existed have none
            e = r["erase"]
            print(
                f"erase one student (campus privacy erase --apply, verification included): "
                f"{e['erase_seconds']:.2f} s ({e['seconds']:.1f} s with the process){xr(e)}, "
                f"{e['rows']:,} rows in {e['places']} tables and files, verification {e['verification']} "
                "(target at 1.0: < 10 s)"
            )
        print(f"scores: {json.dumps(r['scores'])}")
        app, app_x = r["app"], r["app_x_ref"]
        engine = app.get("search_engine", {})
        print(
            f"app search ms: {app['search_ms']} (target at 1.0: p95 < 10); search engine load "
            f"{engine.get('load_seconds', '?')} s, adds {engine.get('rss_added_mb', '?')} MB resident"
        )
        print(
            f"app profile query ms: {app['profile_query_ms']} (target at 1.0: p95 < 100); "
            f"whole profile page ms: {app['profile_page_ms']}"
        )
        print(
            f"with sign-in and audit: search ms {app['search_signed_in_ms']}, profile page ms "
            f"{app['profile_page_signed_in_ms']}; one audit write ms {app['audit_write_ms']}; "
            f"added per request ms {app['sign_in_and_audit_add_ms']} (target: audit adds <= 5 ms at p95)"
        )
        print(f"app latencies as x ref: {app_x}")
        if "api" in r:
            print("\n".join(api_report_lines(r["api"])))
        for name, e in r["campus_run"].items():
            target = "< 120 s" if name == "full" else "< 30 s"
            print(
                f"campus run {name}: {e['seconds']:.1f} s{xr(e)}, exit {e['returncode']} "
                f"(target at 1.0: {target}); publish stage {e['stages'].get('publish', 0):.1f} s adds "
                f"{e['publish_share']:.1%} (target for the daily run: <= 10%)"
            )
            if e["tail"]:
                print("    " + e["tail"].replace("\n", "\n    "))


def main() -> None:
    reports = []
    with tempfile.TemporaryDirectory(prefix="campus-bench-") as tmp:
        before = reference_reading()
        for scale in SCALES:
            report = bench_scale(scale, Path(tmp))
            after = reference_reading()
            reports.append(with_reference(report, before, after))
            before = after
    print_report(reports)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / time.strftime("%Y%m%dT%H%M%S.json")
    path.write_text(json.dumps(reports, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
