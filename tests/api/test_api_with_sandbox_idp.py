"""The API trusts what the sandbox identity provider issues: a system's client-credentials token (decision
014) opens the endpoints its group's role allows, masked or clear as for a person, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from api.snapshot import SnapshotWatcher
from sandbox.identity import IdentityServer
from tests.api.conftest import AUDIENCE, audit_rows, published_dir, wait_ready
from tests.warehouse import BuiltWarehouse


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        yield server


@pytest.fixture(scope="module")
def sandbox_client(built_warehouse: BuiltWarehouse, provider: IdentityServer) -> Iterator[TestClient]:
    settings = ApiSettings(issuer=provider.url, audience=AUDIENCE, rate_per_second=1000, rate_burst=1000)
    watcher = SnapshotWatcher(published_dir(built_warehouse) / "campus.duckdb", check_seconds=0.2)
    with TestClient(create_app(settings, watcher), raise_server_exceptions=False) as client:
        wait_ready(client)
        yield client


def test_system_tokens_from_the_sandbox_provider_get_their_roles_access(
    sandbox_client: TestClient, provider: IdentityServer, built_warehouse: BuiltWarehouse, api_env: Path
) -> None:
    ((key, email),) = built_warehouse.query(
        "select student_key, email from marts.dim_student where email is not null"
        " order by student_key limit 1"
    )

    def profile(client_id: str) -> tuple[int, dict]:
        answer = sandbox_client.get(
            f"/v1/students/{key}", headers={"Authorization": f"Bearer {provider.client_token(client_id)}"}
        )
        return answer.status_code, answer.json()

    status, body = profile("advising-crm")  # campus-advisers: an adviser, personal fields in clear
    assert status == 200, body
    assert body["student"]["email"] == email
    status, body = profile("careers-portal")  # campus-career-services: the profile, masked
    assert status == 200, body
    assert body["student"]["email"] != email
    status, body = profile("no-role-system")  # a group the access map does not know: no role, no data
    assert status == 403, body
    assert "student" not in body
    assert [(r["actor"], r["action"], r["outcome"]) for r in audit_rows(api_env)] == [
        ("advising-crm", "api_student_profile", "allowed"),
        ("careers-portal", "api_student_profile", "allowed"),
        ("no-role-system", "api_request", "denied"),
    ]
