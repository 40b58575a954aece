"""The app's tests read the warehouse the dbt tests build (sandbox scale 0.01, seed 7, `dbt build`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# `built_warehouse` (tests/conftest.py): the app is tested against exactly what dbt builds.
from tests.warehouse import BuiltWarehouse

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "streamlit_app.py"


@pytest.fixture(autouse=True)
def main_module_restored() -> Iterator[None]:
    """AppTest leaves the app script installed as `__main__`; a later test that starts a process with
    multiprocessing's spawn (`campus run`'s dbt process) would then run the app script in that child."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture
def app_env(
    built_warehouse: BuiltWarehouse,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> BuiltWarehouse:
    """Point the app at the built warehouse with the default (masked) role and that build's manifest."""
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(built_warehouse.path))
    monkeypatch.setenv("CAMPUS_DESTINATION", "duckdb")
    monkeypatch.setenv("CAMPUS_DBT_MANIFEST", str(built_warehouse.dbt_dir / "target" / "manifest.json"))
    monkeypatch.delenv("CAMPUS_APP_ROLE", raising=False)
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("SOURCES__FILES__LANDING_DIR", str(landing))
    return built_warehouse
