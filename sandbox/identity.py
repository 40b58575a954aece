"""The sandbox's identity provider: an OpenID Connect provider on 127.0.0.1 with a staff account per app role.

It is `oidc-provider-mock` (Authlib underneath): discovery, authorize, token, userinfo, end-session and a
JWKS with RS256-signed ID tokens. Its sign-in page offers the accounts below as buttons; `--accounts-file` (a
JSON list of objects with `sub` and claims) adds more, and so does its `PUT /users/<sub>` endpoint. It accepts
any client id and secret, and a typed subject that is not an account signs in with no `groups` (no role in the
app). Decision 011.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import werkzeug.serving

with warnings.catch_warnings():  # the package imports Authlib modules Authlib itself now calls deprecated
    warnings.simplefilter("ignore")
    from oidc_provider_mock import User, app

# Sandbox credentials, as for Workday and Tableau: they guard nothing real.
CLIENT_ID = "campus-pathways-app"
CLIENT_SECRET = "sandbox-app-client-secret"
DEFAULT_PORT = 8730

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
    """What `campus sandbox serve` and `campus app` print: the provider and who can sign in as what."""
    lines = [f"Identity provider: {server.discovery_url}  (client id {CLIENT_ID})", "Sandbox accounts:"]
    for account in server.accounts:
        lines.append(f"  {account['sub']:<16} groups {', '.join(account.get('groups') or []) or '(none)'}")
    return lines
