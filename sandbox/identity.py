"""The sandbox's identity provider: an OpenID Connect provider on 127.0.0.1 with a staff account per app role.

It is `oidc-provider-mock` (Authlib underneath): discovery, authorize, token, userinfo, end-session and a
JWKS with RS256-signed ID tokens. Its sign-in page offers the accounts below as buttons; `--accounts-file` (a
JSON list of objects with `sub` and claims) adds more, and so does its `PUT /users/<sub>` endpoint. It accepts
any client id and secret for people's sign-in, and a typed subject that is not an account signs in with no
`groups` (no role in the app). Decision 011.

Access tokens are RS256 JWTs (RFC 9068) signed with the key in the JWKS, for audience `campus-api`, carrying
`groups`; the systems in `SYSTEM_CLIENTS` get them by the client_credentials grant, their secret checked.
Decision 014.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, cast

import flask
import requests
import werkzeug.serving
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import ClientCredentialsGrant, InvalidClientError
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import KeySet

with warnings.catch_warnings():  # the package imports Authlib modules Authlib itself now calls deprecated
    warnings.simplefilter("ignore")
    from oidc_provider_mock import User, app
    from oidc_provider_mock._storage import Client

# Sandbox credentials, as for Workday and Tableau: they guard nothing real.
CLIENT_ID = "campus-pathways-app"
CLIENT_SECRET = "sandbox-app-client-secret"
DEFAULT_PORT = 8730
# The resource every access token is for: the campus API checks it (docs/decisions/014).
AUDIENCE = "campus-api"

# Systems that call the campus API with their own credentials (client_credentials grant), and their groups,
# mapped to roles by app/access.toml as people's are. `no-role-system`'s group maps to no role.
SYSTEM_CLIENTS: dict[str, dict[str, Any]] = {
    "careers-portal": {"secret": "sandbox-careers-portal-secret", "groups": ["campus-career-services"]},
    "advising-crm": {"secret": "sandbox-advising-crm-secret", "groups": ["campus-advisers"]},
    "no-role-system": {"secret": "sandbox-no-role-system-secret", "groups": ["campus-library"]},
}

# One account per role (app/access.toml maps the groups), and one whose group the app does not know.
ACCOUNTS: tuple[dict[str, Any], ...] = (
    {"sub": "ada.adviser", "name": "Ada Adviser", "groups": ["campus-advisers"]},
    {"sub": "rui.registrar", "name": "Rui Registrar", "groups": ["campus-registrar"]},
    {"sub": "cam.careers", "name": "Cam Careers", "groups": ["campus-career-services"]},
    {"sub": "lee.leadership", "name": "Lee Leadership", "groups": ["campus-leadership"]},
    {"sub": "dee.steward", "name": "Dee Steward", "groups": ["campus-data-stewards"]},
    {"sub": "ali.admin", "name": "Ali Admin", "groups": ["campus-admins"]},
    {"sub": "val.visitor", "name": "Val Visitor", "groups": ["campus-library"]},
)


def with_emails(accounts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"email": f"{account['sub']}@staff.campus.example", **account} for account in accounts]


def read_accounts(path: Path) -> list[dict[str, Any]]:
    """Extra accounts from a JSON list; each needs a `sub`."""
    accounts = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(accounts, list) or not all(
        isinstance(account, dict) and isinstance(account.get("sub"), str) for account in accounts
    ):
        raise ValueError(f"{path}: expected a JSON list of objects, each with a string `sub`")
    return accounts


@dataclass(kw_only=True, frozen=True)
class SystemClient(Client):
    """A registered system: its secret is checked, sent either way, and it may use client_credentials only."""

    groups: tuple[str, ...] = ()

    def check_endpoint_auth_method(self, method: str, endpoint: object) -> bool:
        return method in SystemCredentialsGrant.TOKEN_ENDPOINT_AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == SystemCredentialsGrant.GRANT_TYPE

    def get_allowed_scope(self, scope: Any) -> str:
        # No scopes for systems: what a system may do follows from its groups, as for people.
        return ""


class SystemCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    """Authlib's client_credentials grant, for the systems in `SYSTEM_CLIENTS` only."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

    def authenticate_token_endpoint_client(self) -> SystemClient:
        try:
            client = super().authenticate_token_endpoint_client()
        except InvalidClientError as error:
            # Authlib answers 400 when the secret came in the body; RFC 6749 5.2 allows 401 for both.
            raise InvalidClientError(status_code=401, description="client authentication failed") from error
        # The package makes up a client for any id so that people's sign-in takes any client; a system token
        # is only for a registered system.
        if not isinstance(client, SystemClient):
            raise InvalidClientError(status_code=401, description="client authentication failed")
        return client

    def save_token(self, token: dict[str, Any]) -> None:
        # The JWT carries everything the API reads; the package's token store backs userinfo, which is for
        # people (and its saver requires a person).
        return None


@dataclass(frozen=True)
class Person:
    """The package's user as Authlib's token generator asks for one (it calls `get_user_id`)."""

    user: User

    def get_user_id(self) -> str:
        return self.user.sub


class AccessTokens(JWTBearerTokenGenerator):  # type: ignore[misc]
    """Authlib's RFC 9068 generator: RS256 with the provider's published key, for the API, with groups."""

    def __init__(self, lifetime: timedelta) -> None:
        seconds = int(lifetime.total_seconds())
        # `iss` is set per request in get_extra_claims, as the package's discovery document derives it.
        super().__init__(
            issuer=None,
            refresh_token_generator=lambda **_: generate_token(48),  # as Authlib's Flask default
            expires_generator=lambda client, grant_type: seconds,
        )

    def get_jwks(self) -> KeySet:
        # The key published at /jwks (ID tokens are signed with it too); a key set puts `kid` in the header.
        key = flask.g.oidc_provider_mock_storage.jwk
        return KeySet.import_key_set({"keys": [key.as_dict(is_private=True)]})

    def get_audiences(self, client: Any, user: Any, scope: Any) -> str:
        return AUDIENCE

    def access_token_generator(self, client: Any, grant_type: str, user: User | None, scope: Any) -> str:
        token: str = super().access_token_generator(client, grant_type, user and Person(user), scope)
        return token

    def get_extra_claims(
        self, client: Any, grant_type: str, user: Person | None, scope: Any
    ) -> dict[str, Any]:
        # Fail closed: a person or system without groups gets an empty list, which maps to no role.
        groups = user.user.claims.get("groups") if user is not None else getattr(client, "groups", ())
        return {"iss": flask.request.host_url.rstrip("/"), "groups": list(groups or [])}


def with_system_clients(provider: flask.Flask, lifetime: timedelta) -> None:
    """Extend the package's Authlib server: JWT access tokens and the client_credentials grant."""
    # The package creates its server and store per app and hands them to each request through flask.g.
    with provider.test_request_context():
        provider.preprocess_request()
        server = flask.g._authlib_authorization_server
        store = flask.g.oidc_provider_mock_storage
    for client_id, system in SYSTEM_CLIENTS.items():
        store.store_client(
            SystemClient(
                id=client_id,
                secret=system["secret"],
                redirect_uris=(),
                allowed_scopes=(),
                token_endpoint_auth_method="client_secret_basic",
                groups=tuple(system["groups"]),
            )
        )
    server.register_token_generator("default", AccessTokens(lifetime))
    server.register_grant(SystemCredentialsGrant)
    # The package's token view accepts only its own two grants; Authlib's server handles any registered one.
    provider.view_functions["oidc-provider-mock.issue_token"] = server.create_token_response
    discovery = provider.view_functions["oidc-provider-mock.openid_config"]

    def discovery_with_system_clients() -> flask.Response:
        document = cast(flask.Response, discovery()).get_json()
        document["grant_types_supported"] = [*document["grant_types_supported"], "client_credentials"]
        document["token_endpoint_auth_methods_supported"] = SystemCredentialsGrant.TOKEN_ENDPOINT_AUTH_METHODS
        return flask.jsonify(document)

    provider.view_functions["oidc-provider-mock.openid_config"] = discovery_with_system_clients


class IdentityServer:
    """The provider on a loopback port in a background thread (`start`/`stop`, or a context manager)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        accounts: Sequence[dict[str, Any]] = ACCOUNTS,
        token_max_age: timedelta = timedelta(hours=1),
    ) -> None:
        self.accounts = with_emails(accounts)
        users = [User(sub=a["sub"], claims={k: v for k, v in a.items() if k != "sub"}) for a in self.accounts]
        provider = app(access_token_max_age=token_max_age, user_claims=users)
        with_system_clients(provider, token_max_age)
        # The package serves Flask in debug mode behind Werkzeug's debugger; the sandbox wants neither.
        provider.debug = False
        provider.wsgi_app = getattr(provider.wsgi_app, "app", provider.wsgi_app)
        self._server = werkzeug.serving.make_server(host, port, provider, threaded=True)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.server_port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    def client_token(self, client_id: str, client_secret: str | None = None) -> str:
        """A system's access token by the client_credentials grant over HTTP (secret from SYSTEM_CLIENTS)."""
        secret = client_secret if client_secret is not None else SYSTEM_CLIENTS[client_id]["secret"]
        response = requests.post(
            self.token_url, data={"grant_type": "client_credentials"}, auth=(client_id, secret), timeout=10
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"sandbox identity provider refused a token to {client_id!r}: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
        token: str = response.json()["access_token"]
        return token

    def start(self) -> IdentityServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sandbox-identity", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> IdentityServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def describe(server: IdentityServer) -> list[str]:
    """What `campus sandbox serve` and `campus app` print: the provider, who can sign in as what, and the
    systems that can get a token (with their sandbox secrets, which guard nothing real)."""
    lines = [f"Identity provider: {server.discovery_url}  (client id {CLIENT_ID})", "Sandbox accounts:"]
    for account in server.accounts:
        lines.append(f"  {account['sub']:<16} groups {', '.join(account.get('groups') or []) or '(none)'}")
    lines.append(f"Sandbox system clients (client_credentials at {server.token_url}):")
    for client_id, system in SYSTEM_CLIENTS.items():
        lines.append(f"  {client_id:<16} secret {system['secret']}  groups {', '.join(system['groups'])}")
    return lines
