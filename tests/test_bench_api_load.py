"""The API bench's load driver: wrk through the generated Lua script against a real server on 127.0.0.1,
and the seeded request paths drawn from a snapshot."""

from __future__ import annotations

import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

from bench.api_load import request_paths, run_wrk

TOKEN = "header.payload.signature"

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="needs Debian's wrk: `make wrk`")


class Handler(BaseHTTPRequestHandler):
    """200 for a request with the bench's bearer token, 401 without it, 404 for /missing."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            status = 401
        else:
            status = 404 if self.path == "/missing" else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@needs_wrk
def test_wrk_rotates_the_paths_sends_the_token_and_counts_what_failed(server_url: str) -> None:
    run = run_wrk(server_url, ["/a", "/b?q=x%20y", "/missing"], TOKEN, connections=4, seconds=1)
    assert run["requests"] > 100 and run["requests_per_second"] > 100
    # Every third request of each thread is /missing; none lacks the token (no 401).
    assert set(run["non_2xx_by_status"]) == {"404"}
    assert abs(run["non_2xx"] - run["requests"] / 3) <= run["requests"] * 0.02 + 8
    assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"] <= run["max_ms"]
    assert run["socket_errors"] == {"connect": 0, "read": 0, "write": 0, "timeout": 0}


@needs_wrk
def test_wrk_without_the_token_reports_every_request_refused(server_url: str) -> None:
    run = run_wrk(server_url, ["/a"], None, connections=1, seconds=1)
    assert run["requests"] > 0
    assert run["non_2xx_by_status"] == {"401": run["requests"]}


def test_request_paths_are_seeded_and_drawn_from_the_snapshot(tmp_path: Path) -> None:
    snapshot = tmp_path / "campus.duckdb"
    vocabulary = ["data", "nurse", "o'brien", "statistics", "welding", "zoë"]
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create schema search; create schema marts")
        con.execute("create table search.search_vocabulary (term varchar)")
        con.executemany("insert into search.search_vocabulary values (?)", [[t] for t in vocabulary])
        con.execute(
            "create table marts.dim_student as select 'S' || i::varchar as student_key from range(40) t(i)"
        )
    paths = request_paths(snapshot, n=30)
    assert paths == request_paths(snapshot, n=30)
    assert paths != request_paths(snapshot, seed=7, n=30)
    assert len(paths["search"]) == 30 and len(paths["profile"]) == len(paths["recommendations"]) == 30
    for path in paths["search"]:
        url = urlparse(path)
        assert url.path == "/v1/search"
        words = parse_qs(url.query)["q"][0].split(" ")
        assert 1 <= len(words) <= 3 and set(words) <= set(vocabulary)
    keys = [path.removeprefix("/v1/students/") for path in paths["profile"]]
    assert len(set(keys)) == 30 and set(keys) <= {f"S{i}" for i in range(40)}
    assert paths["recommendations"] == [f"/v1/students/{key}/job-recommendations" for key in keys]


def tiny_snapshot(publish_dir: Path) -> None:
    publish_dir.mkdir()
    with duckdb.connect(str(publish_dir / "campus.duckdb")) as con:
        con.execute("create schema search; create schema marts")
        con.execute("create table search.search_vocabulary as select 'term' || i as term from range(20) t(i)")
        con.execute("create table marts.dim_student as select 'S' || i as student_key from range(20) t(i)")


@needs_wrk
def test_the_bench_starts_the_server_waits_for_health_and_reports_each_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a stand-in for the API (a static file server with a /health file and one student's profile), the
    whole bench runs: the server is started and awaited, every kind and client count is driven and reported,
    and the server process's memory is read."""
    from bench.api_load import measure

    tiny_snapshot(tmp_path / "published")
    site = tmp_path / "site"
    (site / "v1" / "students").mkdir(parents=True)
    (site / "health").write_text("{}")
    (site / "v1" / "students" / "S3").write_text("{}")
    monkeypatch.setenv(
        "BENCH_API_COMMAND", f"{sys.executable} -m http.server {{port}} --bind 127.0.0.1 --directory {site}"
    )
    monkeypatch.setenv("BENCH_API_SECONDS", "1")
    monkeypatch.setenv("BENCH_API_CLIENTS", "1,2")
    api = measure(tmp_path / "published")["api"]
    assert set(api["runs"]) == {"search", "profile", "recommendations"}
    for kind, runs in api["runs"].items():
        assert [run["connections"] for run in runs] == [1, 2]
        for run in runs:
            assert run["requests"] > 0
            if kind == "profile":  # one student of twenty has a profile here
                assert 0 < run["non_2xx"] < run["requests"]
            else:
                assert run["non_2xx_by_status"] == {"404": run["requests"]}
    assert [name.split()[0] for name in api["peak_rss_mb"]] == ["parent"]
    assert 5 < next(iter(api["peak_rss_mb"].values())) < 1024
    assert api["targets_met"] == {"memory": True}  # the request targets are judged at 10 connections only
