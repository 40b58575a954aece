"""The semantic layer as analysts query it: MetricFlow's `mf` validates the semantic models against the built
warehouse, and its headline metrics equal the same figures computed from the marts directly."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.warehouse import DBT, ROOT, BuiltWarehouse

MF = str(Path(sys.executable).with_name("mf"))


@pytest.fixture(scope="module")
def mf_project(built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the dbt project, parsed: `mf` reads `<project>/target/semantic_manifest.json` and nothing
    else, so the developer's own dbt_project/target stays untouched. Returns how to run `mf` in it."""
    project = tmp_path_factory.mktemp("mf") / "dbt_project"
    shutil.copytree(
        ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    env |= {
        "DBT_PROJECT_DIR": str(project),  # `make test` exports the real project's; mf would read that one
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET": "ci",
        "CAMPUS_WAREHOUSE": str(built_warehouse.path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    where = {"cwd": project, "env": env}
    run([DBT, "parse", "--project-dir", str(project)], where)
    return where


def run(command: list[str], where: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **where)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def mf(mf_project: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    return run([MF, *args], mf_project)


def query(mf_project: dict[str, Any], tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / "query.csv"
    mf(mf_project, "query", *args, "--csv", str(out))
    with out.open() as handle:
        return list(csv.DictReader(handle))


def test_mf_validates_the_semantic_models_against_the_warehouse(mf_project: dict[str, Any]) -> None:
    result = mf(mf_project, "validate-configs")
    assert "Successfully validated metrics against data warehouse" in result.stdout, result.stdout[-2000:]


def test_headline_metrics_equal_the_marts(
    built_warehouse: BuiltWarehouse, mf_project: dict[str, Any], tmp_path: Path
) -> None:
    (row,) = query(mf_project, tmp_path, "--metrics", "enrollments,attendance_rate,placement_rate")
    ((enrollments, attendance_rate, placement_rate),) = built_warehouse.query(
        """
        select
            (select count(*) from marts.fct_enrollment),
            (select avg(case when is_present then 1.0 else 0.0 end) from marts.fct_attendance),
            (select count(distinct student_key) from marts.fct_job_placement)
            / (select count(distinct student_key) from marts.dim_student)
        """
    )
    assert int(row["enrollments"]) == enrollments > 0
    assert float(row["attendance_rate"]) == pytest.approx(float(attendance_rate), abs=1e-9)
    assert float(row["placement_rate"]) == pytest.approx(float(placement_rate), abs=1e-9)
    assert 0 < float(row["placement_rate"]) < 1


def test_attendance_rate_per_student_equals_student_performance_summary(
    built_warehouse: BuiltWarehouse, mf_project: dict[str, Any], tmp_path: Path
) -> None:
    """The metric and the mart define the rate once each; they must agree for every student."""
    rows = query(
        mf_project,
        tmp_path,
        "--metrics",
        "attendance_rate,present_records,attendance_records",
        "--group-by",
        "student",
    )
    from_metric = {
        row["student"]: (
            int(row["present_records"]),
            int(row["attendance_records"]),
            float(row["attendance_rate"]),
        )
        for row in rows
    }
    from_mart = {
        key: (present, days, rate)
        for key, present, days, rate in built_warehouse.query(
            "select student_key, present_days, attendance_days, attendance_rate"
            " from marts.student_performance_summary where attendance_days > 0"
        )
    }
    assert from_metric.keys() == from_mart.keys() and from_mart
    for key, (present, days, rate) in from_metric.items():
        assert (present, days) == from_mart[key][:2], key
        assert rate == pytest.approx(from_mart[key][2], abs=1e-4), key  # the mart rounds to 4 places
