"""`campus app` (`make app`): start the Streamlit app, signing in against the sandbox's identity provider
unless the operator configured a real one.

The operator's `app/.streamlit/secrets.toml` with an `[auth]` section wins (production: the university's
issuer, client id and secret). Without one, the sandbox provider is started when nothing answers on its port,
and a git-ignored secrets file for it is written under the sandbox folder (its cookie secret is made once and
kept, so a restart does not sign everyone out). Decision 011.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import tomllib
from contextlib import ExitStack
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app" / "streamlit_app.py"
OPERATOR_SECRETS = ROOT / "app" / ".streamlit" / "secrets.toml"


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def operator_configured_auth(path: Path = OPERATOR_SECRETS) -> bool:
    return isinstance(_read_toml(path).get("auth"), dict)


def provider_answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/.well-known/openid-configuration", timeout=2).ok
    except requests.RequestException:
        return False


def write_sandbox_secrets(path: Path, provider_url: str, app_port: int) -> Path:
    """Streamlit's `[auth]` for the sandbox provider; keeps an existing cookie secret."""
    from sandbox.identity import CLIENT_ID, CLIENT_SECRET

    found = _read_toml(path).get("auth")
    cookie = found.get("cookie_secret") if isinstance(found, dict) else None
    cookie = cookie if isinstance(cookie, str) and cookie else secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `campus app` for the sandbox identity provider; git-ignored, not for production.\n"
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{cookie}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def streamlit_command(port: int, secrets_files: list[Path]) -> list[str]:
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port)]
    for path in secrets_files:
        command += ["--secrets.files", str(path)]
    return command


def launch(data_dir: Path, port: int, identity_port: int, accounts_file: Path | None) -> int:
    with ExitStack() as stack:
        files: list[Path] = []
        if operator_configured_auth():
            print(f"app: signing in through the provider in {OPERATOR_SECRETS.relative_to(ROOT)} [auth]")
        else:
            from sandbox.identity import ACCOUNTS, IdentityServer, describe, read_accounts

            url = f"http://127.0.0.1:{identity_port}"
            if provider_answers(url):
                print(f"app: using the sandbox identity provider already running at {url}")
            else:
                accounts = [*ACCOUNTS, *(read_accounts(accounts_file) if accounts_file else [])]
                server = stack.enter_context(IdentityServer(port=identity_port, accounts=accounts))
                print("\n".join(describe(server)))
            if OPERATOR_SECRETS.exists():
                files.append(OPERATOR_SECRETS)
            files.append(write_sandbox_secrets(data_dir / "identity" / "app_secrets.toml", url, port))
        print(f"app: http://127.0.0.1:{port}  (open exactly this address: sign-in returns to it)", flush=True)
        try:
            return subprocess.call(streamlit_command(port, files), cwd=ROOT)
        except KeyboardInterrupt:
            return 0
