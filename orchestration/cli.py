"""The `campus` command line: the sandbox institution, ingestion, the whole pipeline and the app.

The sandbox is started here, not in the pipeline: run locally (any target but `prod`), `campus run` starts its
stand-ins and hands the pipeline the environment pointing at them; `campus orchestrate`
(`orchestration.dagster.local`) uses the same helpers before `dagster dev`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

DEFAULT_DATA = Path("sandbox_data")


def _sandbox_generate(args: argparse.Namespace) -> int:
    from sandbox.generate import generate

    manifest = generate(args.out, scale=args.scale, seed=args.seed)
    print(f"sandbox written to {args.out} (scale {args.scale}, seed {args.seed}, as of {manifest['as_of']})")
    for source, info in manifest["sources"].items():
        tables = next(value for key, value in info.items() if isinstance(value, dict))
        for table, rows in tables.items():
            print(f"  {source:<11} {table:<38} {rows:>10,} rows")
    return 0


def _sandbox_advance(args: argparse.Namespace) -> int:
    from sandbox.advance import advance

    manifest = advance(args.data, days=args.days)
    latest = manifest["advances"][-1]
    print(f"sandbox advanced {args.days} day(s) to {manifest['as_of']} (advance #{latest['number']})")
    for source, tables in latest["changes"].items():
        print(f"  {source}: {tables}")
    return 0


def _sandbox_serve(args: argparse.Namespace) -> int:
    from sandbox.serve import serve_forever

    return serve_forever(args)


def _app(args: argparse.Namespace) -> int:
    from orchestration.app_launch import launch

    return launch(args.data, args.port, args.identity_port, args.accounts_file)


def _api(args: argparse.Namespace) -> int:
    import uvicorn

    # The factory reads its settings from the environment in each worker process.
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=False,  # a request line would carry a student key; the audit records reads instead
    )
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from orchestration.ingest import run_ingest

    return run_ingest(sources=args.source, destination=args.destination)


def ensure_sandbox(data_dir: Path, scale: float, seed: int) -> None:
    """Generate the sandbox unless one of this scale and seed is there already (keeps `make run` cheap)."""
    manifest = data_dir / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if found["scale"] == scale and found["seed"] == seed:
            print(f"sandbox: reusing {data_dir} (scale {scale}, seed {seed}, as of {found['as_of']})")
            return
    from sandbox.generate import generate

    generate(data_dir, scale=scale, seed=seed)
    print(f"sandbox: generated {data_dir} (scale {scale}, seed {seed})")


@contextmanager
def sandbox_environment(data_dir: Path) -> Iterator[None]:
    """Start the stand-ins and point this process's connectors (and its children's) at them in the block."""
    from orchestration.pipeline import patched_environ
    from sandbox.serve import running_sandbox

    with running_sandbox(data_dir) as sandbox, patched_environ(sandbox.environment()):
        yield


def _run(args: argparse.Namespace) -> int:
    from orchestration.pipeline import run_pipeline

    with ExitStack() as stack:
        environment: dict[str, str] = {}
        stage_seconds: dict[str, float] = {}
        if args.target != "prod":  # locally the sandbox stands in for the systems prod reaches
            from sandbox.serve import running_sandbox

            t0 = time.perf_counter()
            ensure_sandbox(args.data, args.scale, args.seed)
            environment = stack.enter_context(running_sandbox(args.data)).environment()
            stage_seconds["sandbox"] = time.perf_counter() - t0
        return run_pipeline(
            target=args.target,
            sources=args.source,
            full_refresh=args.full_refresh,
            from_date=args.from_date,
            unit_tests=args.unit_tests,
            environment=environment,
            stage_seconds=stage_seconds,
        )


def _snapshots(args: argparse.Namespace) -> int:
    from orchestration.publish import PublishSettings, current, publications

    settings = PublishSettings.from_env()
    now = current(settings)
    if now is None:
        print(f"no snapshot yet in {settings.root}: run `campus run` (or `campus publish` after a build)")
        return 0
    if args.current:
        print(f"snapshot (DuckDB, read-only): {settings.snapshot.resolve()}")
        print(f"lake (Parquet, hive-partitioned): {settings.lake.absolute()}")
        print(f"data as of run {now.run_id}, published {now.published_at}")
        return 0
    print(f"{'publish':<36} {'run':<32} {'published (UTC)':<26} {'size':>10} {'rows':>12}")
    for publication in publications(settings):
        marker = " *" if publication.publish_id == now.publish_id else ""
        print(
            f"{publication.publish_id:<36} {publication.run_id:<32} {publication.published_at[:26]:<26} "
            f"{publication.size_bytes() / 1e6:>8.1f} MB {publication.rows:>12,}{marker}"
        )
    print("(* current; per-table row counts: manifest.json in each publish's folder)")
    return 0


def _publish(args: argparse.Namespace) -> int:
    import uuid

    from ingestion.destination import warehouse_path
    from orchestration.publish import PublishError, publish_warehouse
    from orchestration.warehouse_lock import WarehouseLocked, wait_for_warehouse

    try:
        wait_for_warehouse(warehouse_path())
        publication = publish_warehouse(args.run_id or f"manual-{uuid.uuid4().hex[:12]}")
    except (PublishError, WarehouseLocked) as exc:
        print(f"FAILED: {exc}")
        return 1
    tables = len(publication.tables)
    print(f"published {publication.publish_id}: {publication.rows:,} rows in {tables} relations")
    return 0


def _privacy_erase(args: argparse.Namespace) -> int:
    from orchestration.privacy import ErasureError, erase

    mode = "apply" if args.apply else "dry run"
    try:
        result = erase(args.student, args.request, args.by, apply=args.apply)
    except ErasureError as refused:
        print(f"request {args.request} ({mode}): {refused.outcome.upper()}: {refused}")
        return 0 if refused.outcome == "already_erased" else 1
    verb = "removed" if args.apply else "would remove"
    print(f"request {args.request} ({mode}): {verb} {result.total:,} rows or files")
    for place, rows in sorted(result.counts.items()):
        print(f"  {rows:>8,}  {place}")
    if not args.apply:
        print("nothing was changed; run again with --apply to erase")
        return 0
    print(
        f"verification: {result.verification} (a scan of every table, snapshot, lake file and pipeline file)"
    )
    for place, rows in sorted(result.remaining.items()):
        print(f"  still there: {rows:>8,}  {place}")
    return 0 if result.verification == "passed" else 1


def _privacy_requests(args: argparse.Namespace) -> int:
    from orchestration.privacy import requests

    rows = requests()
    if not rows:
        print("no erasure requests yet")
        return 0
    print(
        f"{'#':>4} {'request':<20} {'by':<18} {'recorded (UTC)':<27} {'mode':<8} {'stage':<9} "
        f"{'outcome':<11} {'rows':>7} verification"
    )
    for row in rows:
        counts = json.loads(row["counts"]) if row["counts"] else {}
        print(
            f"{row['attempt_id']:>4} {row['request_id']:<20} {row['requested_by']:<18} "
            f"{row['recorded_at']:<27} {row['mode']:<8} {row['stage']:<9} {row['outcome']:<11} "
            f"{sum(counts.values()):>7,} {row['verification'] or '-'}"
        )
    print("(per-table counts: `sqlite3 warehouse/audit/privacy.sqlite 'select * from erasure_requests'`)")
    return 0


def _default_actor() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _orchestrate(args: argparse.Namespace) -> int:
    from orchestration.dagster.local import dagster_dev

    return dagster_dev(data_dir=args.data, scale=args.scale, seed=args.seed, host=args.host, port=args.port)


def _source_name(text: str) -> str:
    """A `--source` value checked against the source registry, imported only when the option is used: it
    imports every connector (about a second), which the sandbox commands do not need."""
    from ingestion.registry import source_named

    try:
        return source_named(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="campus", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    sandbox = commands.add_parser(
        "sandbox", help="the synthetic institution that stands in for the real systems"
    )
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)

    gen = sandbox_commands.add_parser("generate", help="build the institution's data")
    gen.add_argument("--scale", type=float, default=0.01, help="1.0 = ~100,000 students (default 0.01)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", type=Path, default=DEFAULT_DATA)
    gen.set_defaults(handler=_sandbox_generate)

    adv = sandbox_commands.add_parser("advance", help="move the institution forward in time")
    adv.add_argument("--data", type=Path, default=DEFAULT_DATA)
    adv.add_argument("--days", type=int, default=1)
    adv.set_defaults(handler=_sandbox_advance)

    srv = sandbox_commands.add_parser(
        "serve", help="serve the Workday, Tableau and identity-provider stand-ins over HTTP"
    )
    srv.add_argument("--data", type=Path, default=DEFAULT_DATA)
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--workday-port", type=int, default=8710)
    srv.add_argument("--tableau-port", type=int, default=8720)
    srv.add_argument("--identity-port", type=int, default=8730, help="the OpenID Connect provider's port")
    srv.add_argument("--accounts-file", type=Path, help="more sign-in accounts: a JSON list of {sub, claims}")
    srv.add_argument("--token-ttl", type=int, default=3600, help="Workday access-token lifetime, seconds")
    srv.add_argument(
        "--fault-429-every",
        type=int,
        default=0,
        metavar="N",
        help="every Nth Workday and Tableau data request answers 429 with Retry-After",
    )
    srv.add_argument(
        "--fault-503-every",
        type=int,
        default=0,
        metavar="N",
        help="every Nth Workday and Tableau data request answers 503",
    )
    srv.add_argument("--fault-slow-every", type=int, default=0, metavar="N", help="every Nth request is slow")
    srv.add_argument("--fault-slow-seconds", type=float, default=2.0)
    srv.add_argument(
        "--fault-malformed",
        action="append",
        default=[],
        metavar="RESOURCE:OFFSET[:TIMES]",
        help="the Workday page at OFFSET of RESOURCE answers invalid JSON TIMES times (-1: always)",
    )
    srv.set_defaults(handler=_sandbox_serve)

    ingest = commands.add_parser("ingest", help="load every source (or the named ones) into the warehouse")
    ingest.add_argument(
        "--source",
        action="append",
        type=_source_name,
        metavar="NAME",
        help="a source named in ingestion/registry.py; repeat to pick several; default: all",
    )
    ingest.add_argument(
        "--destination",
        choices=["duckdb", "snowflake"],
        default=None,
        help="default: CAMPUS_DESTINATION or duckdb",
    )
    ingest.set_defaults(handler=_ingest)

    run = commands.add_parser("run", help="the whole pipeline: sandbox (locally), ingestion, dbt build")
    run.add_argument("--data", type=Path, default=DEFAULT_DATA)
    run.add_argument("--scale", type=float, default=0.01)
    run.add_argument("--seed", type=int, default=42)
    run.add_argument("--target", choices=["dev", "ci", "prod"], default="dev")
    run.add_argument(
        "--source",
        action="append",
        type=_source_name,
        metavar="NAME",
        help="load only this source of ingestion/registry.py (repeat for several) and build only what is "
        "downstream of it",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models from scratch (dbt --full-refresh)",
    )
    run.add_argument(
        "--from-date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="rebuild the incremental facts from this date (dbt var campus:backfill:from_date)",
    )
    run.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (they check model logic on fixed inputs and run in `make test`; "
        "the scheduled run leaves them out, as dbt advises for production)",
    )
    run.set_defaults(handler=_run)

    snaps = commands.add_parser("snapshots", help="the published snapshots readers use, newest first")
    snaps.add_argument("--current", action="store_true", help="print the stable paths readers connect to")
    snaps.set_defaults(handler=_snapshots)

    pub = commands.add_parser("publish", help="republish the working warehouse by hand (after a build)")
    pub.add_argument("--run-id", help="the run id the snapshot records (default: manual-<random>)")
    pub.set_defaults(handler=_publish)

    app = commands.add_parser(
        "app",
        help="the Streamlit app on 127.0.0.1, signing in against the sandbox identity provider by default",
    )
    app.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where the sandbox's sign-in secrets go")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--identity-port", type=int, default=8730)
    app.add_argument("--accounts-file", type=Path, help="more sandbox accounts: a JSON list of {sub, claims}")
    app.set_defaults(handler=_app)

    api = commands.add_parser(
        "api", help="the search and recommendation API (FastAPI on uvicorn) over the published snapshot"
    )
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8740)
    api.add_argument("--workers", type=int, default=1, help="processes, each holding the snapshot in memory")
    api.set_defaults(handler=_api)

    privacy = commands.add_parser("privacy", help="erasure on request (right to deletion)")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    er = privacy_commands.add_parser(
        "erase",
        help="find a student everywhere the platform keeps data; with --apply remove them and keep them out",
    )
    er.add_argument(
        "--student", required=True, help="the student key, SIS id, Workday id or e-mail (never recorded)"
    )
    er.add_argument("--request", required=True, help="the request's id (e.g. the privacy ticket)")
    er.add_argument("--apply", action="store_true", help="erase; without it a dry run that changes nothing")
    er.add_argument("--by", default=_default_actor(), help="who handles the request (default: this login)")
    er.set_defaults(handler=_privacy_erase)
    req = privacy_commands.add_parser("requests", help="every erasure request attempt, oldest first")
    req.set_defaults(handler=_privacy_requests)

    orch = commands.add_parser(
        "orchestrate", help="locally: start the sandbox, then `dagster dev` on 127.0.0.1 pointed at it"
    )
    orch.add_argument("--data", type=Path, default=DEFAULT_DATA)
    orch.add_argument("--scale", type=float, default=0.01)
    orch.add_argument("--seed", type=int, default=42)
    orch.add_argument("--host", default="127.0.0.1")
    orch.add_argument("--port", type=int, default=3000)
    orch.set_defaults(handler=_orchestrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
