"""The app's tests read the warehouse the dbt tests build (sandbox scale 0.01, seed 7, `dbt build`)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app import access

# `built_warehouse` (tests/conftest.py): the app is tested against exactly what dbt builds.
from tests.warehouse import BuiltWarehouse

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "streamlit_app.py"
# Roles as tests name them, plus a signed-in person whose groups map to no role.
NO_ROLE = "no_role"


def group_of(role: str) -> str:
    """The identity provider's group that app/access.toml maps to `role`."""
    groups = [group for group, mapped in access.load_config().role_map.items() if mapped == role]
    assert groups, f"app/access.toml maps no group to {role}"
    return groups[0]


def signed_in(role: str, subject: str | None = None, **claims: Any) -> dict[str, Any]:
    """The ID-token claims `st.user` holds for a person with `role` (AppTest's `at.user`)."""
    subject = subject or f"test.{role}"
    return {
        "is_logged_in": True,
        "sub": subject,
        "email": f"{subject}@staff.campus.example",
        "groups": [] if role == NO_ROLE else [group_of(role)],
        "iat": int(time.time()),
        **claims,
    }


def open_page(page: str, role: str | dict[str, Any] = "admin", **query: str) -> AppTest:
    """Run the app on `page` as a signed-in person (an admin unless told: every page, fields masked)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = signed_in(role) if isinstance(role, str) else role
    # The entry script must run once so `st.navigation` registers the pages the switch goes to.
    at.run()
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page(page)
    return at.run()


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
    """Point the app at the built warehouse, that build's manifest, and an audit store of the test's own."""
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(built_warehouse.path))
    monkeypatch.setenv("CAMPUS_DESTINATION", "duckdb")
    monkeypatch.setenv("CAMPUS_DBT_MANIFEST", str(built_warehouse.dbt_dir / "target" / "manifest.json"))
    monkeypatch.setenv("CAMPUS_AUDIT_DB", str(tmp_path / "audit" / "access.sqlite"))
    monkeypatch.delenv("CAMPUS_ACCESS_CONFIG", raising=False)
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("SOURCES__FILES__LANDING_DIR", str(landing))
    return built_warehouse
