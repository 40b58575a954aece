"""The API as `campus api` serves it: a real uvicorn process on 127.0.0.1, a new publish picked up without a
restart, and a schemathesis run from the OpenAPI document that finds no 5xx and no answer off the schema."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from ingestion.destination import connect_working
from orchestration.publish import PublishSettings, publish, reader_relations
from tests.api.conftest import Issuer, audit_rows
from tests.warehouse import BuiltWarehouse, copy_working

BIN = Path(sys.executable).parent


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    working: Path  # the warehouse copy this test publishes from
    settings: PublishSettings
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_run(
    url: str, run_id: str, timeout: float = 60, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert process is None or process.poll() is None, "the API process exited"
        try:
            health = requests.get(f"{url}/health", timeout=2)
            if health.status_code == 200 and health.json()["data_as_of"]["run_id"] == run_id:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"the API did not serve run {run_id} within {timeout} s"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def served(
    built_warehouse: BuiltWarehouse, issuer: Issuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """`campus api` over a publish folder of the module's own, first publish `run-1`."""
    root = tmp_path_factory.mktemp("api-http")
    working = root / "warehouse" / "campus.duckdb"
    working.parent.mkdir()
    copy_working(built_warehouse.path, working)
    settings = PublishSettings(root=root / "published")
    publish(reader_relations(working), "run-1", settings, working)
    port = free_port()
    env = {
        **os.environ,
        "CAMPUS_PUBLISH_DIR": str(settings.root),
        "CAMPUS_API_ISSUER": issuer.url,
        "CAMPUS_AUDIT_DB": str(root / "audit" / "access.sqlite"),
        "CAMPUS_DBT_MANIFEST": str(built_warehouse.dbt_dir / "target" / "manifest.json"),
        "CAMPUS_API_RATE_PER_SECOND": "100000",
        "CAMPUS_API_RATE_BURST": "100000",
    }
    log = root / "api.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "campus"), "api", "--port", str(port)], env=env, stdout=output, stderr=output
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_run(url, "run-1", process=process)
        yield Served(url, process, working, settings, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_new_publish_is_served_without_a_restart(served: Served, issuer: Issuer) -> None:
    with connect_working(served.working, read_only=True) as con:
        ((key, city),) = con.execute(
            "select student_key, city from marts.dim_student order by student_key limit 1"
        ).fetchall()
    headers = issuer.headers("adviser")
    before = requests.get(f"{served.url}/v1/students/{key}", headers=headers, timeout=10)
    assert before.status_code == 200 and before.json()["student"]["city"] == city
    assert before.json()["data_as_of"]["run_id"] == "run-1"

    with connect_working(served.working) as con:
        con.execute("update marts.dim_student set city = 'Republished City' where student_key = ?", [key])
    publish(reader_relations(served.working), "run-2", served.settings, served.working)
    wait_for_run(served.url, "run-2", timeout=30, process=served.process)

    after = requests.get(f"{served.url}/v1/students/{key}", headers=headers, timeout=10)
    assert after.status_code == 200, after.text
    assert after.json()["student"]["city"] == "Republished City"
    assert after.json()["data_as_of"]["run_id"] == "run-2"
    assert served.process.poll() is None  # the same process, never restarted


def test_a_schemathesis_run_finds_no_server_error_and_no_answer_off_the_schema(
    served: Served, issuer: Issuer
) -> None:
    token = issuer.token("admin", expires_in=900)
    # negative_data_rejection is left out: a query string cannot tell `program=true` (a string, valid) from
    # the boolean schemathesis meant as invalid.
    checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
    with connect_working(served.working, read_only=True) as con:
        students = [
            key for (key,) in con.execute("select student_key from marts.dim_student limit 20").fetchall()
        ]
        jobs = [
            key
            for (key,) in con.execute(
                "select distinct job_posting_id from recommendations.rec_student_jobs limit 20"
            ).fetchall()
        ]
    # Real ids some of the time, so the fuzzing reaches the answers as well as the 404s.
    config = served.log.parent / "schemathesis.toml"
    config.write_text(
        f"""
[dictionaries.students]
values = {json.dumps(students)}

[dictionaries.jobs]
values = {json.dumps(jobs)}

[parameters]
"path.student_key" = {{ dictionary = "students", probability = 0.5 }}
"path.job_posting_id" = {{ dictionary = "jobs", probability = 0.5 }}
"""
    )
    run = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "--config-file",
            str(config),
            "run",
            f"{served.url}/openapi.json",
            "--checks",
            checks,
            "--header",
            f"Authorization: Bearer {token}",
            "--max-time",
            "40",
            "--max-examples",
            "40",
            "--seed",
            "21",
            "--generation-database",
            "none",
            "--workers",
            "2",
            "--no-color",
        ],
        cwd=served.log.parent,  # its caches and reports land there, not in the repository
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, output
    # The fuzzing reached real students' answers, not only 404s: their reads are in the audit.
    reads = {row["action"] for row in audit_rows(served.log.parent / "audit" / "access.sqlite")}
    assert {"api_student_profile", "api_job_recommendations", "api_best_fit_list"} <= reads, reads
    assert "unexpected" not in served.log.read_text(errors="replace")
