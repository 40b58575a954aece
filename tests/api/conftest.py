"""The API's tests: the session's built and published sandbox warehouse (tests/conftest.py), an identity
provider stand-in on 127.0.0.1 that publishes a discovery document and the JWKS of a key the test holds, and
tokens signed with that key (or with one the provider does not publish)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from api.main import create_app
from api.settings import ApiSettings
from api.snapshot import SnapshotWatcher
from tests.app.conftest import NO_ROLE, group_of
from tests.warehouse import BuiltWarehouse

AUDIENCE = "campus-api"


class _Provider(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # keep-alive on loopback stalls ~40 ms a request otherwise
    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.documents.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Issuer:
    """The identity provider as the API sees it: its URL, and the keys tokens are signed with."""

    url: str
    key: RSAKey
    untrusted: RSAKey

    def token(
        self,
        role: str | None = "adviser",
        *,
        subject: str | None = None,
        client_id: str | None = None,
        audience: str = AUDIENCE,
        expires_in: int = 600,
        key: RSAKey | None = None,
        groups: list[str] | None = None,
    ) -> str:
        """An RFC 9068-style access token, as the provider's client-credentials grant issues them."""
        now = int(time.time())
        subject = subject or f"system-{role}"
        claims = {
            "iss": self.url,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            "client_id": client_id or subject,
            "groups": groups if groups is not None else ([] if role in (None, NO_ROLE) else [group_of(role)]),
        }
        signing = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signing.kid}, claims, signing)

    def headers(self, role: str | None = "adviser", **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **kwargs)}"}


@pytest.fixture(scope="session")
def issuer() -> Iterator[Issuer]:
    key = RSAKey.generate_key(2048, parameters={"kid": "campus-test-key"})
    untrusted = RSAKey.generate_key(2048, parameters={"kid": "someone-elses-key"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    _Provider.documents = {
        "/.well-known/openid-configuration": json.dumps(
            {"issuer": url, "jwks_uri": f"{url}/jwks", "token_endpoint": f"{url}/token"}
        ).encode(),
        "/jwks": json.dumps({"keys": [key.as_dict(private=False)]}).encode(),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Issuer(url, key, untrusted)
    server.shutdown()
    server.server_close()


def published_dir(built: BuiltWarehouse) -> Path:
    """Where `build_warehouse` published the session's build (`published/` beside the warehouse)."""
    return built.path.parent / "published"


@pytest.fixture
def api_env(built_warehouse: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The app's settings the API shares: the build's manifest (personal columns) and an audit store of the
    test's own; returns the audit store's path."""
    audit = tmp_path / "audit" / "access.sqlite"
    monkeypatch.setenv("CAMPUS_DBT_MANIFEST", str(built_warehouse.dbt_dir / "target" / "manifest.json"))
    monkeypatch.setenv("CAMPUS_AUDIT_DB", str(audit))
    monkeypatch.delenv("CAMPUS_ACCESS_CONFIG", raising=False)
    return audit


def audit_rows(path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("select * from access_events order by event_id")]


def wait_ready(client: TestClient, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get("/health")
        if answer.status_code == 200:
            return answer.json()
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.05)


def api_client(
    publish_dir: Path, issuer: Issuer, rate: float = 100_000, burst: float = 100_000
) -> TestClient:
    settings = ApiSettings(issuer=issuer.url, audience=AUDIENCE, rate_per_second=rate, rate_burst=burst)
    watcher = SnapshotWatcher(publish_dir / "campus.duckdb", check_seconds=0.2)
    return TestClient(create_app(settings, watcher), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(built_warehouse: BuiltWarehouse, issuer: Issuer) -> Iterator[TestClient]:
    """The API over the session's published build, started once per module (the snapshot loads once)."""
    with api_client(published_dir(built_warehouse), issuer) as client:
        wait_ready(client)
        yield client
