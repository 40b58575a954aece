"""Build a warehouse the way `campus run` does (sandbox -> ingestion -> dbt build), for tests to read.

`dbt` runs as a subprocess with its own target and log folders, so tests never share dbt state with a
developer's `dbt_project/target` or with each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingestion.destination import connect_working, readers_path
from ingestion.runner import run_sources
from orchestration.pipeline import patched_environ
from orchestration.publish import PublishSettings, publish, reader_relations
from sandbox.serve import running_sandbox

ROOT = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))


@dataclass
class BuiltWarehouse:
    sandbox_dir: Path
    path: Path
    dbt_dir: Path  # target and log folders of this warehouse's dbt invocations
    build: subprocess.CompletedProcess[str]

    @property
    def snapshot(self) -> Path:
        """Where the build was published for readers (`publish_built`)."""
        return self.path.parent / "published" / "campus.duckdb"

    @property
    def manifest(self) -> dict[str, Any]:
        """The sandbox manifest (row counts, planted defects, truth files)."""
        return json.loads((self.sandbox_dir / "manifest.json").read_text())

    @property
    def run_results(self) -> dict[str, Any]:
        """Results of the session's `dbt build` (kept aside: later dbt calls overwrite run_results.json)."""
        return json.loads((self.dbt_dir / "build_run_results.json").read_text())

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with connect_working(self.path, read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def dbt(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        return run_dbt(self.path, self.dbt_dir, *args, timeout=timeout)


def copy_working(source: Path, target: Path) -> Path:
    """Copy a working warehouse: its file and the readers' file beside it (`connect_working` opens both)."""
    shutil.copyfile(source, target)
    if readers_path(source).is_file():
        shutil.copyfile(readers_path(source), readers_path(target))
    return target


def run_dbt(
    warehouse: Path, dbt_dir: Path, *args: str, target: str = "ci", timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CAMPUS_WAREHOUSE": str(warehouse),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET_PATH": str(dbt_dir / "target"),
        "DBT_LOG_PATH": str(dbt_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [DBT, *args, "--project-dir", str(ROOT / "dbt_project"), "--target", target],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def source_freshness(
    warehouse: Path, dbt_dir: Path, target: str = "ci", timeout: int = 600
) -> dict[str, str]:
    """`dbt source freshness` on `warehouse`, which must succeed: each source's status by unique id."""
    result = run_dbt(warehouse, dbt_dir, "source", "freshness", target=target, timeout=timeout)
    assert result.returncode == 0, result.stdout[-4000:]
    checked = json.loads((dbt_dir / "target" / "sources.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in checked}


def age_loads(warehouse: Path, schema: str, days: float) -> list[str]:
    """Move every load of the dlt root tables in `schema` `days` back (their `_dlt_load_id` is the load's
    epoch time, which freshness reads); the tables moved."""
    with connect_working(warehouse) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables"
                " where table_schema = ? and not starts_with(table_name, '_dlt')",
                [schema],
            ).fetchall()
        ]
        for table in tables:
            con.execute(
                f"update {schema}.{table}"
                f" set _dlt_load_id = cast(cast(_dlt_load_id as double) - {float(days) * 86400} as varchar)"
            )
    return tables


def ingest_into(sandbox_dir: Path, warehouse: Path) -> None:
    with (
        running_sandbox(sandbox_dir) as sandbox,
        patched_environ(
            {
                **sandbox.environment(),
                "CAMPUS_WAREHOUSE": str(warehouse),
                "CAMPUS_PIPELINES_DIR": str(warehouse.parent / ".dlt_pipelines"),
                "CAMPUS_DESTINATION": "duckdb",
                "RUNTIME__LOG_LEVEL": "WARNING",
            }
        ),
    ):
        results = run_sources()
    failed = [f"{r.source}: {r.error}" for r in results if r.status != "success"]
    assert not failed, failed


@dataclass(frozen=True)
class Ingested:
    """A sandbox and the warehouse its first ingestion loaded (raw schemas and dlt state; no dbt yet), under
    `root`; nothing may change them: tests take a private copy (`copy_to`)."""

    root: Path

    def copy_to(self, root: Path) -> tuple[Path, Path]:
        """The sandbox and warehouse folder copied under `root`, free to advance, re-ingest and build:
        (sandbox, warehouse file)."""
        shutil.copytree(self.root / "sandbox", root / "sandbox", symlinks=True)
        shutil.copytree(self.root / "warehouse", root / "warehouse", symlinks=True)
        return root / "sandbox", root / "warehouse" / "campus.duckdb"


def ingest_fresh(pristine_sandbox: Path, root: Path) -> Ingested:
    """Copy the sandbox and ingest it over real HTTP into a fresh DuckDB file."""
    sandbox_dir = root / "sandbox"
    # Ingestion moves the malformed file drop to rejected/: work on a copy of the pristine sandbox.
    shutil.copytree(pristine_sandbox, sandbox_dir)
    warehouse = root / "warehouse" / "campus.duckdb"
    warehouse.parent.mkdir(parents=True)
    ingest_into(sandbox_dir, warehouse)
    return Ingested(root)


def build_warehouse(ingested: Ingested, root: Path) -> BuiltWarehouse:
    """A copy of the freshly ingested sandbox and warehouse, and `dbt build` run on it once."""
    sandbox_dir, warehouse = ingested.copy_to(root)
    build = run_dbt(warehouse, root / "dbt", "build")
    results = root / "dbt" / "target" / "run_results.json"
    if results.exists():
        shutil.copyfile(results, root / "dbt" / "build_run_results.json")
    if build.returncode == 0:
        publish_built(warehouse)
    return BuiltWarehouse(sandbox_dir, warehouse, root / "dbt", build)


def publish_built(warehouse: Path) -> Path:
    """Publish a built warehouse where the app looks by default (`published/` beside it), as a run would."""
    settings = PublishSettings(root=warehouse.parent / "published")
    publish(reader_relations(warehouse), "test-build", settings, warehouse)
    return settings.snapshot
