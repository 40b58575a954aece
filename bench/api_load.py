"""The API under load: requests per second, latency and memory of `campus api` against a published snapshot.

How the load is made: the sandbox identity provider is started in this process and a token taken for
`advising-crm` by the client_credentials grant; the API is started as its own process (`campus api --port P
--workers 2`, or `BENCH_API_COMMAND` with `{port}` where the port goes) reading the snapshot through
`CAMPUS_PUBLISH_DIR`, with its per-client rate limit raised out of the way; once `GET /health` answers 200,
Debian's `wrk` (`make wrk` installs it) drives it on 127.0.0.1. wrk is closed-loop: each connection sends
its next request when the last one is answered, for a fixed time, so it stops on its own and measures what
the server sustains rather than queueing an unbounded backlog. A generated Lua script rotates through a
fixed, seeded list of paths for one kind of request at a time: search (1-3 words drawn from
`search.search_vocabulary`), a student profile and a student's job recommendations (keys drawn from
`marts.dim_student`); its `response` hook counts non-2xx answers per thread and its `done` hook prints wrk's
own totals and latency percentiles as one JSON line. Each kind runs at 1, 10 and 50 connections
(`BENCH_API_CLIENTS`), `BENCH_API_SECONDS` (10) each. The resident memory of the API's processes (the parent
and each uvicorn worker, via psutil) is sampled throughout; the peak per process is reported. wrk shares the
machine's cores with the server, so figures are a floor for the server.

Targets (the API issue), at 10 connections: profile and recommendations >= 3000 req/s with p95 < 5 ms,
search >= 1000 req/s with p95 < 25 ms; every server process <= 1 GB.

`python -m bench.api_load <publish dir>` runs it alone; `make bench` runs it on its scale-1.0 publish.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
SEED = 42
PATHS_PER_KIND = 500
RESULT_PREFIX = "WRK_RESULT "
TARGETS = {  # at 10 connections
    "search": {"requests_per_second": 1000, "p95_ms": 25},
    "profile": {"requests_per_second": 3000, "p95_ms": 5},
    "recommendations": {"requests_per_second": 3000, "p95_ms": 5},
}
RSS_TARGET_MB = 1024

# The wrk script: rotate through the paths (each thread from its own offset), count non-2xx answers per
# thread, and print wrk's totals and latency percentiles (microseconds) as one JSON line when the run ends.
LUA = """
local paths = {%(paths)s}
wrk.headers["Authorization"] = %(authorization)s
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
  non2xx = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    local key = tostring(status)
    non2xx[key] = (non2xx[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local totals, statuses = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("non2xx") or {}) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  for status, n in pairs(totals) do
    statuses[#statuses + 1] = string.format('"%%s": %%d', status, n)
  end
  local e = summary.errors
  io.write(string.format(
    '%(prefix)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, "non_2xx": {%%s}, '
    .. '"socket_errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}, '
    .. '"latency_us": {"mean": %%.1f, "max": %%d, "p50": %%d, "p95": %%d, "p99": %%d}}\\n',
    summary.requests, summary.duration, summary.bytes, table.concat(statuses, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


def wrk_script(paths: Sequence[str], token: str | None) -> str:
    authorization = lua_string(f"Bearer {token}") if token else "nil"
    listed = ",\n  ".join(lua_string(path) for path in paths)
    return LUA % {"paths": listed, "authorization": authorization, "prefix": RESULT_PREFIX}


def run_wrk(
    base_url: str, paths: Sequence[str], token: str | None, connections: int, seconds: int
) -> dict[str, Any]:
    """One wrk run; wrk's own totals and percentiles, in requests per second and milliseconds."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("bench/api_load.py needs Debian's wrk: run `make wrk` (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="campus-wrk-") as tmp:
        script = Path(tmp) / "load.lua"
        script.write_text(wrk_script(paths, token), encoding="utf-8")
        script.chmod(0o600)  # it holds a bearer token
        threads = min(2, connections)  # wrk needs a connection per thread; one thread per core
        proc = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                str(script),
                base_url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"wrk failed (exit {proc.returncode}): {proc.stdout[-1500:]} {proc.stderr[-1500:]}"
        )
    raw = json.loads(lines[-1][len(RESULT_PREFIX) :])
    latency = raw["latency_us"]
    return {
        "connections": connections,
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": latency["p50"] / 1000,
        "p95_ms": latency["p95"] / 1000,
        "p99_ms": latency["p99"] / 1000,
        "max_ms": latency["max"] / 1000,
        "non_2xx": sum(raw["non_2xx"].values()),
        "non_2xx_by_status": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
    }


def request_paths(snapshot: Path, seed: int = SEED, n: int = PATHS_PER_KIND) -> dict[str, list[str]]:
    """Seeded paths per kind: searches of 1-3 vocabulary words, and students' profiles and recommendations."""
    rng = random.Random(seed)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        terms = [
            t for (t,) in con.execute("select term from search.search_vocabulary order by term").fetchall()
        ]
        keys = [k for (k,) in con.execute("select student_key from marts.dim_student order by 1").fetchall()]
    if not terms or not keys:
        raise SystemExit(f"{snapshot}: no search vocabulary or no students to draw requests from")
    queries = [" ".join(rng.sample(terms, rng.randint(1, 3))) for _ in range(n)]
    students = [quote(str(key), safe="") for key in rng.sample(keys, min(n, len(keys)))]
    return {
        "search": [f"/v1/search?q={quote(q, safe='')}" for q in queries],
        "profile": [f"/v1/students/{key}" for key in students],
        "recommendations": [f"/v1/students/{key}/job-recommendations" for key in students],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def api_command(port: int) -> list[str]:
    configured = os.environ.get("BENCH_API_COMMAND")
    if configured:
        return shlex.split(configured.replace("{port}", str(port)))
    return [str(Path(sys.executable).with_name("campus")), "api", "--port", str(port), "--workers", "2"]


@contextmanager
def running_api(publish_dir: Path, issuer: str, work: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        "CAMPUS_API_ISSUER": issuer,
        "CAMPUS_PUBLISH_DIR": str(publish_dir),
        "CAMPUS_AUDIT_DB": str(work / "audit.duckdb"),
        # The bench measures the service, not its limiter: one client sends thousands of requests a second.
        "CAMPUS_API_RATE_PER_SECOND": "1000000",
        "CAMPUS_API_RATE_BURST": "1000000",
    }
    log = (work / "api.log").open("wb")
    proc = subprocess.Popen(
        api_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, proc, work / "api.log")
        yield url, proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def wait_for_health(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the API exited ({proc.returncode}) before serving:\n{log.read_text()[-3000:]}"
            )
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the API did not answer GET /health with 200 within {timeout:.0f} s")


class PeakMemory:
    """Samples the resident memory of a process and its descendants; the peak per process, in MB."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self._root = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak_mb: dict[str, float] = {}
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self._root, *self._root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    mb = process.memory_info().rss / 2**20
                    name = f"{'parent' if process.pid == self._root.pid else 'worker'} {process.pid}"
                except psutil.NoSuchProcess:
                    continue
                self.peak_mb[name] = round(max(mb, self.peak_mb.get(name, 0.0)), 1)
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def settings() -> tuple[int, list[int]]:
    seconds = int(os.environ.get("BENCH_API_SECONDS", "10"))
    clients = [int(c) for c in os.environ.get("BENCH_API_CLIENTS", "1,10,50").split(",")]
    return seconds, clients


def against_targets(runs: dict[str, list[dict[str, Any]]], rss_mb: dict[str, float]) -> dict[str, bool]:
    met: dict[str, bool] = {}
    for kind, target in TARGETS.items():
        at_ten = next((run for run in runs.get(kind, []) if run["connections"] == 10), None)
        if at_ten is not None:
            met[kind] = (
                at_ten["requests_per_second"] >= target["requests_per_second"]
                and at_ten["p95_ms"] < target["p95_ms"]
                and at_ten["non_2xx"] == 0
            )
    met["memory"] = bool(rss_mb) and max(rss_mb.values()) <= RSS_TARGET_MB
    return met


def measure(publish_dir: Path) -> dict[str, Any]:
    from sandbox.identity import IdentityServer

    seconds, clients = settings()
    paths = request_paths(publish_dir / "campus.duckdb")
    with (
        tempfile.TemporaryDirectory(prefix="campus-api-bench-") as tmp,
        IdentityServer() as identity,
        running_api(publish_dir, identity.url, Path(tmp)) as (url, proc),
        PeakMemory(proc.pid) as memory,
    ):
        token = identity.client_token("advising-crm")
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in paths}
        for kind, kind_paths in paths.items():
            for connections in clients:
                runs[kind].append(run_wrk(url, kind_paths, token, connections, seconds))
    return {
        "api": {
            "seconds_per_run": seconds,
            "runs": runs,
            "peak_rss_mb": memory.peak_mb,
            "targets_met": against_targets(runs, memory.peak_mb),
        }
    }


def report_lines(api: dict[str, Any]) -> list[str]:
    lines = [f"API under load (wrk, {api['seconds_per_run']} s per run; targets at 10 connections):"]
    for kind, runs in api["runs"].items():
        target = TARGETS[kind]
        for run in runs:
            lines.append(
                f"    {kind:<16} {run['connections']:>3} conn {run['requests_per_second']:>9,.1f} req/s  "
                f"p50 {run['p50_ms']:.2f} p95 {run['p95_ms']:.2f} p99 {run['p99_ms']:.2f} ms  "
                f"non-2xx {run['non_2xx']} {run['non_2xx_by_status'] or ''}"
                + (
                    f"  (target >= {target['requests_per_second']} req/s, p95 < {target['p95_ms']} ms)"
                    if run["connections"] == 10
                    else ""
                )
            )
    memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in api["peak_rss_mb"].items())
    lines.append(f"    peak RSS per process: {memory} (target <= {RSS_TARGET_MB} MB each)")
    lines.append(f"    targets met: {api['targets_met']}")
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m bench.api_load <publish dir holding campus.duckdb>")
    print("\n".join(report_lines(measure(Path(sys.argv[1]))["api"])))
