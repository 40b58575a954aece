"""Run the Workday, Tableau and identity stand-ins until Ctrl-C or SIGTERM, and say how to reach them."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox import credentials as cred
from sandbox.tableau_server import TableauFaults, TableauServer
from sandbox.workday_server import WorkdayFaults, WorkdayServer


@dataclass
class Sandbox:
    """The running stand-ins, and the configuration a connector needs to reach them."""

    data_dir: Path
    workday: WorkdayServer
    tableau: TableauServer

    @property
    def sis_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'sis.sqlite').resolve()}"

    def environment(self) -> dict[str, str]:
        """Environment variables (dlt's config names) that point the connectors at this sandbox."""
        return {
            "SOURCES__ORACLE_SIS__CREDENTIALS": self.sis_url,
            "SOURCES__WORKDAY__BASE_URL": self.workday.url,
            "SOURCES__WORKDAY__TENANT": cred.WORKDAY_TENANT,
            "SOURCES__WORKDAY__CLIENT_ID": cred.WORKDAY_CLIENT_ID,
            "SOURCES__WORKDAY__CLIENT_SECRET": cred.WORKDAY_CLIENT_SECRET,
            "SOURCES__WORKDAY__REFRESH_TOKEN": cred.WORKDAY_REFRESH_TOKEN,
            "SOURCES__TABLEAU__SERVER_URL": self.tableau.url,
            "SOURCES__TABLEAU__API_VERSION": cred.TABLEAU_API_VERSION,
            "SOURCES__TABLEAU__SITE": cred.TABLEAU_SITE_CONTENT_URL,
            "SOURCES__TABLEAU__TOKEN_NAME": cred.TABLEAU_PAT_NAME,
            "SOURCES__TABLEAU__TOKEN_SECRET": cred.TABLEAU_PAT_SECRET,
            "SOURCES__FILES__LANDING_DIR": str((self.data_dir / "landing").resolve()),
        }


@contextmanager
def running_sandbox(
    data_dir: Path,
    host: str = "127.0.0.1",
    workday_port: int = 0,
    tableau_port: int = 0,
    token_ttl: int = 3600,
    workday_faults: WorkdayFaults | None = None,
    tableau_faults: TableauFaults | None = None,
) -> Iterator[Sandbox]:
    if not (data_dir / "manifest.json").exists():
        raise FileNotFoundError(
            f"no sandbox in {data_dir}: run `campus sandbox generate --out {data_dir}` first"
        )
    workday = WorkdayServer(
        data_dir, host=host, port=workday_port, token_ttl=token_ttl, faults=workday_faults
    )
    tableau = TableauServer(data_dir, host=host, port=tableau_port, faults=tableau_faults)
    workday.start()
    try:
        tableau.start()
        try:
            yield Sandbox(data_dir, workday, tableau)
        finally:
            tableau.stop()
    finally:
        workday.stop()


def _malformed(specs: list[str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise SystemExit(f"--fault-malformed expects RESOURCE:OFFSET[:TIMES], got {spec!r}")
        out.append(
            {"resource": parts[0], "offset": int(parts[1]), "times": int(parts[2]) if len(parts) == 3 else 1}
        )
    return out


def serve_forever(args: argparse.Namespace) -> int:
    workday_faults = WorkdayFaults.from_dict(
        {
            "rate_limit_every": args.fault_429_every,
            "unavailable_every": args.fault_503_every,
            "slow_every": args.fault_slow_every,
            "slow_seconds": args.fault_slow_seconds,
            "malformed": _malformed(args.fault_malformed),
        }
    )
    tableau_faults = TableauFaults.from_dict(
        {
            "rate_limit_every": args.fault_429_every,
            "unavailable_every": args.fault_503_every,
            "slow_every": args.fault_slow_every,
            "slow_seconds": args.fault_slow_seconds,
        }
    )
    from sandbox.identity import ACCOUNTS, IdentityServer, describe, read_accounts

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    accounts = [*ACCOUNTS, *(read_accounts(args.accounts_file) if args.accounts_file else [])]
    with (
        IdentityServer(args.host, args.identity_port, accounts) as identity,
        running_sandbox(
            args.data,
            args.host,
            args.workday_port,
            args.tableau_port,
            args.token_ttl,
            workday_faults,
            tableau_faults,
        ) as sandbox,
    ):
        print(
            f"Workday stand-in:  {sandbox.workday.url}/ccx/api/v1/{cred.WORKDAY_TENANT}  "
            f"(token: {sandbox.workday.url}/ccx/oauth2/{cred.WORKDAY_TENANT}/token)"
        )
        print(f"Tableau stand-in:  {sandbox.tableau.url}/api/{cred.TABLEAU_API_VERSION}")
        print(f"Oracle SIS stand-in: {sandbox.sis_url}")
        print("\n".join(describe(identity)))
        print("Sandbox credentials (they guard nothing real); export these to point the connectors here:")
        for name, value in sandbox.environment().items():
            print(f"  export {name}='{value}'")
        print("Ctrl-C or SIGTERM stops the servers.", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    print("sandbox servers stopped", flush=True)
    return 0
