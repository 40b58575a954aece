"""`dbt source freshness` and `dbt build` for `campus run`: invoked through dbt's Python API, their results
counted by outcome.

`prepared_dbt_build` starts dbt's process before the sources load, so that importing dbt and parsing the
project (about 2.5 s) overlap ingestion on another core instead of following it (docs/decisions/006). After
the load the run asks it for the sources' freshness, then for the build, both on that one parse
(docs/decisions/008).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type stubs

from ingestion.runner import redact

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = ROOT / "dbt_project"
BUILT_TYPES = {"model", "snapshot", "seed"}
TEST_TYPES = {"test", "unit_test"}
# The dbt var of the incremental facts' re-read window, in minutes (dbt_project.yml).
LAG_VAR = "campus:incremental:lag_minutes"


@dataclass
class DbtOutcome:
    """What one `dbt build` did, counted from its run results."""

    success: bool
    statuses: dict[str, int] = field(default_factory=dict)
    models_built: int = 0
    models_failed: int = 0
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    failures: list[str] = field(default_factory=list)  # "<node>: <message>" for every error / failed test
    error: str | None = None  # dbt itself could not run (bad project, no connection)

    @property
    def errored(self) -> bool:
        return not self.success or self.error is not None or self.models_failed > 0 or self.tests_failed > 0


@dataclass(frozen=True)
class SourceFreshness:
    """dbt's freshness verdict on one source table: `pass`, `warn`, `error` (its `warn_after` / `error_after`
    exceeded) or `runtime error` (it could not be checked)."""

    table: str  # "<source>.<table>", e.g. "workday.job_postings"
    status: str
    age_hours: float | None = None  # newest load's age when checked; None when it could not be checked
    message: str | None = None

    def row(self) -> dict[str, Any]:
        return {"status": self.status, "age_hours": self.age_hours, "message": self.message}


@dataclass
class FreshnessOutcome:
    """What one `dbt source freshness` found, table by table."""

    checked: list[SourceFreshness] = field(default_factory=list)
    error: str | None = None  # dbt itself could not run
    seconds: float = 0.0  # the check's own wall time (not the wait for dbt's process to finish parsing)

    @property
    def stale(self) -> list[SourceFreshness]:
        """Tables past a freshness threshold, or whose freshness could not be checked."""
        return [table for table in self.checked if table.status != "pass"]

    @property
    def errored(self) -> bool:
        """What `dbt source freshness` exits non-zero for: an error threshold passed, a check that could not
        run, or dbt failing. A `warn` alone does not."""
        return self.error is not None or any(t.status in ("error", "runtime error") for t in self.checked)

    @property
    def failures(self) -> list[str]:
        """What made the check fail, one line per table (and dbt's own error): empty unless `errored`."""
        parts = [
            f"{t.table}: {t.status}" + (f": {t.message}" if t.message else "")
            for t in self.checked
            if t.status in ("error", "runtime error")
        ]
        return parts + ([f"dbt: {self.error}"] if self.error else [])


@dataclass(frozen=True)
class FreshnessRequest:
    """Check these sources' freshness (`--select`; every source when None)."""

    select: Sequence[str] | None = None


@dataclass(frozen=True)
class BuildRequest:
    """What to build; the target and vars are fixed when the build is prepared (they shape the parse)."""

    select: Sequence[str] | None = None
    full_refresh: bool = False
    unit_tests: bool = False


def count_results(results: Sequence[Any]) -> DbtOutcome:
    """Classify dbt node results: warn-severity test failures are `warn`, error ones `fail`/`error`."""
    outcome = DbtOutcome(success=True)
    for node_result in results:
        status = str(getattr(node_result.status, "value", node_result.status))
        kind = str(getattr(node_result.node.resource_type, "value", node_result.node.resource_type))
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if kind in TEST_TYPES:
            if status == "pass":
                outcome.tests_passed += 1
            elif status == "warn":
                outcome.tests_warned += 1
            elif status in ("fail", "error"):
                outcome.tests_failed += 1
        elif kind in BUILT_TYPES:
            if status == "success":
                outcome.models_built += 1
            elif status == "error":
                outcome.models_failed += 1
        if status in ("fail", "error"):
            outcome.failures.append(f"{node_result.node.unique_id}: {node_result.message}")
    return outcome


def dbt_args(command: str, target: str, dbt_vars: dict[str, Any] | None) -> list[str]:
    """The arguments every invocation shares: `parse`, `source freshness` and `build` must agree on them to
    share a parse."""
    args = [*command.split(), "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(ROOT)]
    args += ["--target", target]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    return args


def incremental_lag_minutes(dbt_vars: dict[str, Any] | None = None) -> int:
    """How far below their latest `updated_at` the incremental facts re-select rows, in minutes, as a build
    given `dbt_vars` sees it (the project's default otherwise)."""
    if dbt_vars and LAG_VAR in dbt_vars:
        return int(dbt_vars[LAG_VAR])
    project = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text())
    return int((project.get("vars") or {}).get(LAG_VAR, 60))


def incremental_window_problem(dbt_vars: dict[str, Any] | None = None) -> str | None:
    """Why a run must not start, when the SIS cursor re-reads further back than the incremental facts
    re-select: a row the SIS commits that late would land in staging and never reach its fact
    (macros/marts/incremental_facts.sql). A negative lag is refused too, before any source loads, rather
    than by the SIS source alone once the others have loaded. None when the windows agree."""
    from ingestion.oracle_sis import configured_cursor_lag_seconds, cursor_lag_problem

    cursor_lag = configured_cursor_lag_seconds()
    problem = cursor_lag_problem(cursor_lag)
    if problem:
        return problem
    window = incremental_lag_minutes(dbt_vars)
    if cursor_lag <= window * 60:
        return None
    return (
        f"the SIS cursor re-reads {cursor_lag} s below its last value "
        f"(sources.oracle_sis.cursor_lag_seconds), but the incremental facts re-select only {window} min "
        f"({LAG_VAR}): rows committed that late would be loaded and never built. Set {LAG_VAR} to at "
        f"least {-(-cursor_lag // 60)} in dbt_project.yml, or lower the SIS lag."
    )


def scheduled_build_args(unit_tests: bool = False) -> list[str]:
    """What the scheduled build adds to `dbt build` (the bench times the same): no unit tests unless asked."""
    return [] if unit_tests else ["--exclude-resource-type", "unit_test"]


def dbt_build(
    target: str,
    request: BuildRequest,
    dbt_vars: dict[str, Any] | None = None,
    manifest: Any = None,
) -> DbtOutcome:
    """Invoke `dbt build` once, in this process, on `manifest` if one was parsed already.

    Unit tests are left out unless asked for: they test model logic on fixed inputs, so they cannot change
    between two runs of the same code; CI (`make test`) runs them on every change (dbt's advice for
    production jobs: `--exclude-resource-type unit_test`)."""
    extra = ["--full-refresh"] if request.full_refresh else []
    extra += scheduled_build_args(request.unit_tests)
    result, error = invoke_dbt("build", target, dbt_vars, manifest, request.select, extra)
    outcome = count_results(getattr(result.result, "results", None) or [])
    outcome.success = bool(result.success)
    outcome.error = error
    return outcome


def invoke_dbt(
    command: str,
    target: str,
    dbt_vars: dict[str, Any] | None,
    manifest: Any,
    select: Sequence[str] | None,
    extra: Sequence[str] = (),
) -> tuple[Any, str | None]:
    """Invoke a dbt command once, in this process, on `manifest` if one was parsed already: dbt's result,
    and the redacted error when dbt itself could not run."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_PROFILES_DIR", str(ROOT))
    args = dbt_args(command, target, dbt_vars)
    if select:
        args += ["--select", *select]
    result = dbtRunner(manifest=manifest).invoke([*args, *extra])
    return result, redact(str(result.exception)) if result.exception is not None else None


def freshness_selection(sources: Sequence[str] | None = None) -> list[str]:
    """`source:<name>` per chosen source (every ingestion source by default): the tables a run could have
    loaded. The pipeline's own bookkeeping (`meta.load_history`, `quality.dbt_test_results`) is left out: the
    run writes it itself, so checked before the build it would only time the previous run."""
    from ingestion.registry import SOURCE_NAMES

    return [f"source:{name}" for name in (sources or SOURCE_NAMES)]


def freshness_verdict(
    table: str, status: str, age: float | None, newest: datetime | None, message: str | None
) -> SourceFreshness:
    """One table's verdict from dbt's result: `age` in seconds, `newest` its newest load time."""
    if age is not None and (newest is None or newest.year < 1970):  # an empty table: dbt dates it year 1
        age, message = None, message or "no rows loaded"
    return SourceFreshness(
        table=table,
        status=status,
        age_hours=round(float(age) / 3600, 2) if age is not None else None,
        message=redact(str(message)) if message else None,
    )


def count_freshness(results: Sequence[Any]) -> FreshnessOutcome:
    """One `SourceFreshness` per source table dbt checked, in dbt's order (the project's hooks left out)."""
    outcome = FreshnessOutcome()
    for result in results:
        node = result.node
        if str(getattr(node.resource_type, "value", node.resource_type)) != "source":
            continue
        outcome.checked.append(
            freshness_verdict(
                f"{node.source_name}.{node.name}",
                str(getattr(result.status, "value", result.status)),
                getattr(result, "age", None),
                getattr(result, "max_loaded_at", None),
                getattr(result, "message", None),
            )
        )
    return outcome


def freshness_from_artifact(sources_json: dict[str, Any]) -> FreshnessOutcome:
    """The same verdicts from dbt's `sources.json` (what the dbt CLI leaves, e.g. under Dagster)."""
    outcome = FreshnessOutcome()
    for result in sources_json.get("results", []):
        newest = result.get("max_loaded_at")
        outcome.checked.append(
            freshness_verdict(
                result["unique_id"].split(".", 2)[2],
                result["status"],
                result.get("max_loaded_at_time_ago_in_s"),
                datetime.fromisoformat(newest.replace("Z", "+00:00")) if newest else None,
                result.get("error"),
            )
        )
    return outcome


def source_freshness(
    target: str,
    request: FreshnessRequest,
    dbt_vars: dict[str, Any] | None = None,
    manifest: Any = None,
) -> FreshnessOutcome:
    """Invoke `dbt source freshness` once, in this process, on `manifest` if one was parsed already. Its
    results also land in `quality.dbt_test_results` (the project's on-run-end hook)."""
    started = time.perf_counter()
    result, error = invoke_dbt("source freshness", target, dbt_vars, manifest, request.select)
    outcome = count_freshness(getattr(result.result, "results", None) or [])
    outcome.seconds = time.perf_counter() - started
    outcome.error = error
    return outcome


def _parse_then_build(channel: Connection, target: str, dbt_vars: dict[str, Any] | None) -> None:
    """dbt's process: import dbt and parse the project now; then answer freshness requests until the build
    request, build, and end (None: stop unbuilt)."""
    # Ctrl-C is the run's to handle: PreparedBuild.close stops this process, which prints no trace of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_PROFILES_DIR", str(ROOT))
    parsed = dbtRunner().invoke([*dbt_args("parse", target, dbt_vars), "--quiet"])
    # A project that does not parse is parsed again by the build, which reports the error as usual.
    manifest = parsed.result if parsed.success else None
    while True:
        request = channel.recv()
        if request is None:
            return
        if isinstance(request, FreshnessRequest):
            freshness = source_freshness(target, request, dbt_vars, manifest)
            sys.stdout.flush()
            channel.send(freshness)
            continue
        outcome = dbt_build(target, request, dbt_vars, manifest)
        sys.stdout.flush()
        channel.send(outcome)
        return


class PreparedBuild:
    """A `dbt build` whose process has started and is parsing the project; `freshness` checks the sources on
    that parse, `run` builds and waits for it (then the process ends)."""

    def __init__(self, target: str, dbt_vars: dict[str, Any] | None) -> None:
        # spawn, not fork: the parent holds threads (the sandbox's servers) and DuckDB handles
        context = multiprocessing.get_context("spawn")
        self._channel, child_end = context.Pipe()
        self._process = context.Process(
            target=_parse_then_build, args=(child_end, target, dbt_vars), name="dbt-build", daemon=True
        )
        self._process.start()
        child_end.close()
        self._sent = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def freshness(self, request: FreshnessRequest) -> FreshnessOutcome:
        try:
            self._channel.send(request)
            outcome: FreshnessOutcome = self._channel.recv()
        except (EOFError, OSError):  # the process died: a failed check, never a hung run
            self._process.join()
            return FreshnessOutcome(error=self._died())
        return outcome

    def run(self, request: BuildRequest) -> DbtOutcome:
        self._sent = True
        try:
            self._channel.send(request)
            outcome: DbtOutcome = self._channel.recv()
        except (EOFError, OSError):  # the process died: a failed build, never a hung run
            self._process.join()
            return DbtOutcome(success=False, error=self._died())
        self._process.join()
        return outcome

    def _died(self) -> str:
        return f"the dbt build process exited with code {self._process.exitcode}"

    def close(self) -> None:
        """Stop the process: told to, if the build was never asked for (the run failed before it); terminated,
        if the run is leaving while the build still runs (interrupted)."""
        if not self._sent and self._process.is_alive():
            with suppress(OSError):  # the process is gone already
                self._channel.send(None)
            self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._channel.close()


@contextmanager
def prepared_dbt_build(target: str, dbt_vars: dict[str, Any] | None = None) -> Iterator[PreparedBuild]:
    """Start the dbt build's process now (it parses the project meanwhile); stopped on leaving the block."""
    prepared = PreparedBuild(target, dbt_vars)
    try:
        yield prepared
    finally:
        prepared.close()
