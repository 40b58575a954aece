"""Who may ask: bearer tokens from the identity provider, roles from the app's claim mapping, and each
client's rate limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey

from tests.api.conftest import Issuer, api_client, audit_rows, published_dir, wait_ready
from tests.warehouse import BuiltWarehouse

PROFILE = "/v1/students/any-student"


def assert_unauthorized(client: TestClient, headers: dict[str, str], says: str) -> None:
    answer = client.get("/v1/search", params={"q": "data"}, headers=headers)
    assert answer.status_code == 401, answer.text
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.headers["content-type"] == "application/problem+json"
    assert says in answer.json()["detail"]


def test_a_missing_token_is_401(client: TestClient) -> None:
    assert_unauthorized(client, {}, "Authorization: Bearer")
    assert_unauthorized(client, {"Authorization": "Basic dXNlcjpwYXNz"}, "Authorization: Bearer")


def test_an_expired_token_is_401(client: TestClient, issuer: Issuer) -> None:
    assert_unauthorized(client, issuer.headers("adviser", expires_in=-60), "expired")


def test_a_token_signed_with_a_key_the_issuer_does_not_publish_is_401(
    client: TestClient, issuer: Issuer
) -> None:
    assert_unauthorized(client, issuer.headers("adviser", key=issuer.untrusted), "key")
    # Another key's signature under the trusted key's id.
    forged = issuer.untrusted.as_dict(private=True)
    forged["kid"] = issuer.key.kid
    assert_unauthorized(
        client, issuer.headers("adviser", key=RSAKey.import_key(forged)), "signature does not verify"
    )


def test_a_token_for_another_audience_is_401(client: TestClient, issuer: Issuer) -> None:
    assert_unauthorized(client, issuer.headers("adviser", audience="another-api"), "aud")


def test_garbage_is_401(client: TestClient) -> None:
    assert_unauthorized(client, {"Authorization": "Bearer not.a.token"}, "malformed")


def test_groups_that_map_to_no_role_are_403_and_the_refusal_is_audited(
    client: TestClient, issuer: Issuer, api_env: Path
) -> None:
    for headers in (issuer.headers(None), issuer.headers(None, groups=["campus-library"])):
        answer = client.get("/v1/search", params={"q": "data"}, headers=headers)
        assert answer.status_code == 403 and "no role" in answer.json()["detail"]
    # The path only: the search text never reaches the audit.
    assert [(r["action"], r["outcome"], r["target"]) for r in audit_rows(api_env)] == [
        ("api_request", "denied", "/v1/search")
    ] * 2


def test_a_role_without_the_profile_capability_is_403_and_the_refusal_is_audited(
    client: TestClient, issuer: Issuer, api_env: Path
) -> None:
    for path in (PROFILE, f"{PROFILE}/job-recommendations", f"{PROFILE}/course-recommendations"):
        answer = client.get(path, headers=issuer.headers("leadership", subject="dashboards"))
        assert answer.status_code == 403, path
        assert "student profile" in answer.json()["detail"]
    rows = audit_rows(api_env)
    assert [(r["actor"], r["outcome"], r["student_key"]) for r in rows] == [
        ("dashboards", "denied", None)
    ] * 3
    # data stewards may search, without any student's profile
    search = client.get("/v1/search", params={"q": "data"}, headers=issuer.headers("data_steward"))
    assert search.status_code == 200


def test_each_client_has_a_token_bucket_answered_with_429_and_retry_after(
    built_warehouse: BuiltWarehouse, issuer: Issuer, api_env: Path
) -> None:
    with api_client(published_dir(built_warehouse), issuer, rate=1, burst=3) as client:
        wait_ready(client)
        busy = issuer.headers("career_services", client_id="careers-portal")
        other = issuer.headers("career_services", client_id="another-portal")
        answers = [client.get("/v1/data-as-of", headers=busy).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = client.get("/v1/data-as-of", headers=busy)
        assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 2
        assert client.get("/v1/data-as-of", headers=other).status_code == 200  # per client
        time.sleep(1.1)
        assert client.get("/v1/data-as-of", headers=busy).status_code == 200


def test_before_the_first_publish_every_answer_is_503_saying_how_to_publish(
    issuer: Issuer, tmp_path: Path, api_env: Path
) -> None:
    with api_client(tmp_path / "published", issuer) as client:
        time.sleep(0.3)
        health = client.get("/health")
        assert health.status_code == 503 and "make run" in health.json()["detail"]
        answer = client.get("/v1/search", params={"q": "data"}, headers=issuer.headers("adviser"))
        assert answer.status_code == 503 and "make run" in answer.json()["detail"]


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
def test_the_openapi_document_and_docs_need_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
