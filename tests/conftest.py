"""Shared fixtures: one small sandbox institution per test session, and isolated warehouses per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.generate import generate
from tests.warehouse import BuiltWarehouse, Ingested, build_warehouse, ingest_fresh

TEST_SCALE = 0.01
TEST_SEED = 7


@pytest.fixture(scope="session")
def pristine_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sandbox that no test may modify (copy it with `sandbox_dir` to change it)."""
    out = tmp_path_factory.mktemp("pristine") / "sandbox"
    generate(out, scale=TEST_SCALE, seed=TEST_SEED)
    return out


@pytest.fixture
def sandbox_dir(pristine_sandbox: Path, tmp_path: Path) -> Path:
    """A private copy of the sandbox, free to advance or break."""
    target = tmp_path / "sandbox"
    shutil.copytree(pristine_sandbox, target)
    return target


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty DuckDB warehouse and dlt state folder for one test."""
    for name, value in warehouse_environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    yield tmp_path / "warehouse" / "campus.duckdb"


def warehouse_environment(root: Path) -> dict[str, str]:
    """The settings that point the pipeline at `root/warehouse/campus.duckdb` and its dlt state folder."""
    return {
        "CAMPUS_WAREHOUSE": str(root / "warehouse" / "campus.duckdb"),
        "CAMPUS_PIPELINES_DIR": str(root / "warehouse" / ".dlt_pipelines"),
        "CAMPUS_DESTINATION": "duckdb",
        # Keep dlt from reading a developer's own ~/.dlt or the project's .dlt/secrets.toml in tests.
        "DLT_DATA_DIR": str(root / "dlt_data"),
        "RUNTIME__LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="session")
def ingested(pristine_sandbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """The sandbox's first ingestion, done once for the session: tests copy it (`Ingested.copy_to`) rather
    than each loading every source again."""
    return ingest_fresh(pristine_sandbox, tmp_path_factory.mktemp("ingested"))


@pytest.fixture(scope="session")
def built_warehouse(ingested: Ingested, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """Sandbox (scale 0.01) ingested and `dbt build` run once for the whole session; tests read it only."""
    return build_warehouse(ingested, tmp_path_factory.mktemp("built"))
