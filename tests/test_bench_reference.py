"""`make bench`'s reference workload and the "x ref" multiples it turns every stage's seconds into.

The workload runs for real at a tiny size (DuckDB in memory and pure Python); the multiples are checked on a
report shaped like the one `bench.run` builds, through the same functions and the same printed report.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.reference import measure, multiple
from bench.run import print_report, with_reference

TINY = 0.002


def test_the_reference_workload_takes_positive_time_and_does_the_same_work_every_run() -> None:
    first, second = measure(TINY, repeats=2), measure(TINY, repeats=2)
    for reading in (first, second):
        assert reading["duckdb_seconds"] > 0 and reading["python_seconds"] > 0
        assert reading["seconds"] == pytest.approx(
            reading["duckdb_seconds"] + reading["python_seconds"], abs=1e-3
        )
    # Seeded and data-independent: the same results each run, and different work at another size.
    assert first["checksum"] == second["checksum"]
    other = measure(TINY * 2, repeats=1)
    assert other["checksum"]["duckdb"] != first["checksum"]["duckdb"]
    assert other["checksum"]["python"] != first["checksum"]["python"]


def reading(seconds: float) -> dict[str, Any]:
    return {"seconds": seconds, "duckdb_seconds": seconds / 2, "python_seconds": seconds / 2}


def scale_report() -> dict[str, Any]:
    """What `bench.run.bench_scale` returns, with round figures."""
    ingest = {
        "seconds": 24.0,
        "peak_rss_mb": 700,
        "rows": 1000,
        "rows_per_second": 41,
        "per_source": {"workday": {"rows": 600, "seconds": 6.0, "rows_per_second": 100, "status": "success"}},
    }
    dbt = {
        "seconds": 30.0,
        "returncode": 0,
        "statuses": {"success": 3},
        "peak_rss_mb": 2000,
        "node_seconds_by_folder": {"marts": 4.0},
        "tail": "",
    }
    percentiles = {"n": 64, "p50": 24.0, "p95": 32.0, "p99": 36.0, "mean": 25.0}
    return {
        "scale": 1.0,
        "generate": {"seconds": 12.0, "peak_rss_mb": 1100, "rows": {"sis.students": 10}, "total_rows": 10},
        "scores": {},
        # the stage's own seconds and peak memory sit beside the latencies, as `bench.stage` returns them
        "app": {
            "search_ms": percentiles,
            "profile_query_ms": percentiles,
            "profile_page_ms": percentiles,
            "search_signed_in_ms": percentiles,
            "profile_page_signed_in_ms": percentiles,
            "audit_write_ms": percentiles,
            "search_engine": {"load_seconds": 2.5, "rss_added_mb": 180.0},
            "sign_in_and_audit_add_ms": {
                "search": {"p95": 0.4, "mean": 0.2},
                "profile_page": {"p95": 0.3, "mean": 0.1},
            },
            "seconds": 9.0,
            "peak_rss_mb": 300,
        },
        "publish": {
            "seconds": 2.0,
            "snapshot_seconds": 1.2,
            "lake_seconds": 0.8,
            "snapshot_mb": 150.0,
            "lake_mb": 40.0,
            "working_mb": 900.0,
            "relations": 47,
            "rows": 1000,
            "pseudonymised_tables": 3,
            "pseudonymisation_seconds": 0.05,
        },
        "ingest": {"full": ingest, "incremental_after_1_day": {**ingest, "seconds": 4.0}},
        "dbt": {"full": dbt, "incremental_after_1_day": {**dbt, "seconds": 21.0}},
        "campus_run": {
            "full": {
                "seconds": 50.0,
                "returncode": 0,
                "stages": {"publish": 2.0},
                "publish_share": 0.042,
                "tail": "",
            },
            "incremental_after_1_day": {
                "seconds": 26.0,
                "returncode": 0,
                "stages": {"publish": 2.0},
                "publish_share": 0.083,
                "tail": "",
            },
        },
    }


def test_every_stage_is_also_a_multiple_of_the_reference_measured_around_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Readings of 3.5 s before the scale and 4.5 s after it: the scale's reference is their mean, 4 s.
    report = with_reference(scale_report(), reading(3.5), reading(4.5))
    assert report["reference"]["seconds"] == 4.0
    assert report["generate"]["x_ref"] == 12.0 / 4.0
    assert report["ingest"]["full"]["x_ref"] == 24.0 / 4.0
    assert report["ingest"]["incremental_after_1_day"]["x_ref"] == 4.0 / 4.0
    assert report["ingest"]["full"]["per_source"]["workday"]["x_ref"] == 6.0 / 4.0
    assert report["dbt"]["full"]["x_ref"] == 30.0 / 4.0
    assert report["dbt"]["incremental_after_1_day"]["x_ref"] == 21.0 / 4.0
    assert report["campus_run"]["full"]["x_ref"] == 50.0 / 4.0
    assert report["campus_run"]["incremental_after_1_day"]["x_ref"] == 26.0 / 4.0
    assert report["app_x_ref"]["search_ms"]["p95"] == pytest.approx(0.032 / 4.0)
    # Each reading is also a multiple of the mean: how far the host's speed moved during the scale.
    assert [r["x_ref"] for r in report["reference"]["readings"]] == [3.5 / 4.0, 4.5 / 4.0]

    print_report([report])
    printed = capsys.readouterr().out
    assert "reference workload: 4.00 s" in printed
    assert "generate: 12.0 s = 3.00 x ref" in printed
    assert "dbt build incremental_after_1_day: 21.0 s = 5.25 x ref" in printed
    assert "pseudonymising 3 lake tables adds 0.05 s" in printed
    assert "added per request ms {'search': {'p95': 0.4, 'mean': 0.2}" in printed
    assert "search engine load 2.5 s, adds 180.0 MB resident" in printed
    assert "search_engine" not in report["app_x_ref"]
    assert "campus run incremental_after_1_day: 26.0 s = 6.50 x ref" in printed
    assert "publish: 2.00 s = 0.50 x ref (snapshot 1.20 s, lake 0.80 s" in printed
    assert "publish stage 2.0 s adds 8.3%" in printed


def test_no_multiple_of_a_reference_that_took_no_time() -> None:
    assert multiple(9.0, 3.0) == 3.0
    with pytest.raises(ValueError, match="no multiple"):
        multiple(9.0, 0.0)
