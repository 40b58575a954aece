"""The dbt project builds on Snowflake as emulated by fakesnow: every `snowflake__` macro body really runs.

A fakesnow server is started on 127.0.0.1 as a child process, the raw tables of the session's built DuckDB
warehouse are copied into it (database CAMPUS, schemas RAW_ORACLE_SIS, ... as dlt names them on Snowflake) and
`dbt build --target snowflake_emulated` runs against it. fakesnow accepts more than Snowflake does: this
proves the Snowflake SQL paths run, not that real Snowflake accepts every statement.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.destination import connect_working
from tests.dbt.snowflake_governance import (
    PII_CLASSES,
    emulator_skipped,
    grant_problems,
    masking_problems,
    policy_roles,
    project_vars,
)
from tests.warehouse import BuiltWarehouse, run_dbt, source_freshness

snowflake_connector = pytest.importorskip("snowflake.connector", reason="snowflake-connector-python missing")
try:
    import fakesnow  # noqa: F401
except ImportError:  # pragma: no cover - only when the dev extra is not installed
    pytest.skip(
        "fakesnow[server]==0.12.1 is not installed (dev extra): cannot emulate Snowflake",
        allow_module_level=True,
    )

FAKESNOW = str(Path(sys.executable).with_name("fakesnow"))
DATABASE = "CAMPUS"
RAW_SCHEMAS = ("raw_oracle_sis", "raw_workday", "raw_tableau", "raw_files", "raw_meta")
# A build on fakesnow at scale 0.01 takes far less; this only stops a hung client (docs/platform-facts.md).
DBT_TIMEOUT_SECONDS = 420
# Nodes that cannot run on fakesnow, excluded by name so the README can list them. Keep this list short.
EMULATOR_EXCLUDE: tuple[str, ...] = ()

DUCKDB_TO_SNOWFLAKE = {
    "BIGINT": "NUMBER(38,0)",
    "INTEGER": "NUMBER(38,0)",
    "HUGEINT": "NUMBER(38,0)",
    "DOUBLE": "FLOAT",
    "FLOAT": "FLOAT",
    "VARCHAR": "VARCHAR",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP_TZ",
    "JSON": "VARIANT",
}


def snowflake_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "NUMBER")
    try:
        return DUCKDB_TO_SNOWFLAKE[duckdb_type]
    except KeyError:
        raise AssertionError(
            f"no Snowflake type mapped for DuckDB type {duckdb_type}; add it above"
        ) from None


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def fakesnow_server(log: Path) -> Iterator[dict[str, Any]]:
    """A fakesnow server in its own process group, killed (SIGKILL) however the test ends."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [FAKESNOW, "-s", "-p", str(port), "--host", "127.0.0.1"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"fakesnow exited early: {log.read_text()[-2000:]}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert time.monotonic() < deadline, f"fakesnow did not listen on {port} in 30 s"
            time.sleep(0.2)
        yield {
            "user": "fake",
            "password": "snow",
            "account": "fakesnow",
            "host": "127.0.0.1",
            "port": port,
            "protocol": "http",
            "network_timeout": 60,
            "login_timeout": 10,
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
        }
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The raw tables dbt reads: every table of the raw schemas except dlt's own bookkeeping."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and table_schema in (select unnest(?)) "
        "and table_name not like '\\_dlt\\_%' escape '\\' order by 1, 2",
        [list(RAW_SCHEMAS)],
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def copy_raw_tables(warehouse: Path, connect_kwargs: dict[str, Any], scratch: Path) -> dict[str, int]:
    """Create CAMPUS.RAW_* tables in fakesnow with Snowflake types and copy every row; returns rows per table.

    The tables are declared with the types dlt gives them on Snowflake. The rows go in through one
    `insert ... select ... from read_parquet(...)` per table: fakesnow hands that function to DuckDB as is. It
    is an emulator shortcut (binding 20,000 rows takes a minute; this takes milliseconds), not Snowflake SQL.
    """
    copied: dict[str, int] = {}
    scratch.mkdir(parents=True, exist_ok=True)
    with (
        connect_working(warehouse, read_only=True) as src,
        snowflake_connector.connect(**connect_kwargs) as sf,
        contextlib.closing(sf.cursor()) as cur,
    ):
        cur.execute(f"create database if not exists {DATABASE}")
        cur.execute(f"use database {DATABASE}")
        for schema in RAW_SCHEMAS:
            cur.execute(f"create schema if not exists {DATABASE}.{schema}")
        for schema, table in raw_tables(src):
            columns = src.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            qualified = f"{DATABASE}.{schema}.{table}"
            parquet = scratch / f"{schema}.{table}.parquet"
            src.execute(f'copy (select * from "{schema}"."{table}") to \'{parquet}\' (format parquet)')
            (expected,) = src.execute(f'select count(*) from "{schema}"."{table}"').fetchone() or (0,)
            column_ddl = ", ".join(f"{name} {snowflake_type(dtype)}" for name, dtype in columns)
            column_list = ", ".join(name for name, _ in columns)
            cur.execute(f"create or replace table {qualified} ({column_ddl})")
            cur.execute(
                f"insert into {qualified} ({column_list}) select {column_list} from read_parquet('{parquet}')"
            )
            (count,) = cur.execute(f"select count(*) from {qualified}").fetchone()
            assert count == expected, f"{qualified}: copied {count} of {expected} rows"
            copied[f"{schema}.{table}"] = count
    return copied


def not_passed(dbt_dir: Path) -> dict[str, tuple[str, str]]:
    """Nodes of the last invocation that did not pass. Warn tests pass here: they warn on DuckDB too."""
    results = json.loads((dbt_dir / "target" / "run_results.json").read_text())["results"]
    return {
        r["unique_id"]: (r["status"], (r.get("message") or "")[:300])
        for r in results
        if r["status"] not in ("success", "pass", "warn", "no-op")
    }


@pytest.mark.slow
@pytest.mark.timeout(3 * DBT_TIMEOUT_SECONDS + 120)
def test_dbt_build_passes_on_emulated_snowflake(
    built_warehouse: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-3000:]
    with fakesnow_server(tmp_path / "fakesnow.log") as kwargs:
        copied = copy_raw_tables(built_warehouse.path, kwargs, tmp_path / "parquet")
        assert copied["raw_oracle_sis.students"] > 0
        monkeypatch.setenv("FAKESNOW_PORT", str(kwargs["port"]))
        exclude = ["--exclude", *EMULATOR_EXCLUDE] if EMULATOR_EXCLUDE else []

        build = run_dbt(
            built_warehouse.path,
            tmp_path / "build",
            "build",
            *exclude,
            target="snowflake_emulated",
            timeout=DBT_TIMEOUT_SECONDS,
        )
        assert build.returncode == 0 and not not_passed(tmp_path / "build"), (
            not_passed(tmp_path / "build"),
            build.stdout[-4000:],
        )
        # Masking policies and grants (decision 012): fakesnow parses neither, so on this target the hooks
        # render them into dbt.log instead of running them. Each model's hook rendered its columns' policies.
        skipped = [s for _, s in emulator_skipped((tmp_path / "build" / "logs" / "dbt.log").read_text())]
        manifest = json.loads((tmp_path / "build" / "target" / "manifest.json").read_text())
        config = project_vars()
        masking = [s for s in skipped if s.lower().startswith(("alter table", "alter view"))]
        grants = [s for s in skipped if s.lower().startswith("grant ")]
        assert masking_problems(manifest, masking) == []
        clear = [*config["campus:privacy:clear_roles"], "FAKESNOW"]  # the emulated profile's role builds
        assert policy_roles(skipped) == {pii_class: clear for pii_class in PII_CLASSES}
        bi_role, engineers = config["campus:grants:bi_reader_role"], config["campus:grants:engineer_roles"]
        assert grant_problems(manifest, grants, bi_role, engineers) == []
        # Everything the DuckDB build ran (minus documented exclusions) ran on the emulator too.
        built = json.loads((tmp_path / "build" / "target" / "run_results.json").read_text())
        emulated_nodes = {r["unique_id"] for r in built["results"]}
        duckdb_nodes = {r["unique_id"] for r in built_warehouse.run_results["results"]}
        assert duckdb_nodes <= emulated_nodes, duckdb_nodes - emulated_nodes

        # A second run of the incremental models takes the merge / delete+insert paths (and the workarounds).
        rerun = run_dbt(
            built_warehouse.path,
            tmp_path / "rerun",
            "build",
            "--select",
            "config.materialized:incremental",
            target="snowflake_emulated",
            timeout=DBT_TIMEOUT_SECONDS,
        )
        assert rerun.returncode == 0 and not not_passed(tmp_path / "rerun"), (
            not_passed(tmp_path / "rerun"),
            rerun.stdout[-4000:],
        )

        # The on-run-end hook wrote both invocations' results into Snowflake's quality.dbt_test_results.
        invocation = built["metadata"]["invocation_id"]
        with (
            snowflake_connector.connect(**kwargs, database=DATABASE) as sf,
            contextlib.closing(sf.cursor()) as cur,
        ):
            (stored,) = cur.execute(
                "select count(*) from quality.dbt_test_results where invocation_id = %s", (invocation,)
            ).fetchone()
            (invocations,) = cur.execute(
                "select count(distinct invocation_id) from quality.dbt_test_results"
            ).fetchone()
            coverage = dict(
                cur.execute(
                    "select defect_kind, rows_caught from quality.dq_planted_defect_coverage"
                ).fetchall()
            )

        # Source freshness takes the Snowflake path too: the load-id expression, and the child tables' query
        statuses = source_freshness(
            built_warehouse.path,
            tmp_path / "freshness",
            target="snowflake_emulated",
            timeout=DBT_TIMEOUT_SECONDS,
        )
        sources = json.loads((tmp_path / "build" / "target" / "manifest.json").read_text())["sources"]
        assert statuses == {  # every source with a freshness criterion: dbt skips the others
            unique_id: "pass"
            for unique_id, source in sources.items()
            if source["freshness"]["warn_after"]["count"] or source["freshness"]["error_after"]["count"]
        }, statuses
    assert stored == sum(1 for r in built["results"] if not r["unique_id"].startswith("operation."))
    assert invocations == 2
    # The Snowflake SQL paths catch the same planted defects as DuckDB.
    duckdb_coverage = dict(
        built_warehouse.query("select defect_kind, rows_caught from quality.dq_planted_defect_coverage")
    )
    assert coverage == duckdb_coverage
