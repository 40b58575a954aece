"""Shared plumbing for the sandbox's HTTP stand-ins: a loopback threading server, request/response helpers, a
background runner and a cache that reloads a file when it is replaced on disk."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Generic, Self, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

T = TypeVar("T")

JSON_TYPE = "application/json"


@dataclass
class Request:
    """One parsed HTTP request, independent of the socket it arrived on."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        value = self.headers.get(name)
        return default if value is None else value

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, or None when absent."""
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        if not self.body:
            raise HttpError(error_response(400, "invalid_request", "request body is empty; JSON expected"))
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HttpError(
                error_response(400, "invalid_request", f"request body is not JSON: {exc}")
            ) from exc

    def form(self) -> dict[str, str]:
        """The body as application/x-www-form-urlencoded fields (last value wins)."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HttpError(error_response(400, "invalid_request", "form body is not UTF-8")) from exc
        return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """Raised inside a handler to answer with a prepared response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, JSON_TYPE, dict(headers or {}))


def text_response(
    status: int, text: str | bytes, content_type: str = "text/plain; charset=utf-8"
) -> Response:
    body = text if isinstance(text, bytes) else text.encode("utf-8")
    return Response(status, body, content_type)


def empty_response(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    return Response(status, b"", "", dict(headers or {}))


def error_response(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    """The OAuth-style error body (`error`, `error_description`), for stand-ins without a richer format."""
    return json_response(status, {"error": error, "error_description": description}, headers)


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that tracks its connections, so stopping it also drops keep-alive clients."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: BackgroundServer, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxRequestHandler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # A handler thread blocked on an idle keep-alive socket would otherwise answer after stop().
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Turns each HTTP request into a `Request`, asks the owning `BackgroundServer` for a `Response`."""

    # Without this, keep-alive responses stall ~44 ms each on loopback (docs/platform-facts.md).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            # The body's framing is unknown, so the connection cannot be reused.
            self.close_connection = True
            self._write(error_response(400, "invalid_request", str(exc)))
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.app.handle(request)
        except HttpError as exc:
            response = exc.response
        except Exception:
            log.exception(
                "sandbox %s failed on %s %s", type(self.server.app).__name__, self.command, self.path
            )
            response = error_response(500, "server_error", "the sandbox stand-in failed; see its log")
        self._write(response)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if not length_header:
            return b""
        try:
            length = int(length_header)
        except ValueError as exc:
            raise ValueError(f"bad Content-Length {length_header!r}") from exc
        if length < 0:
            raise ValueError(f"bad Content-Length {length_header!r}")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size_line = self.rfile.readline(65537).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as exc:
                raise ValueError(f"bad chunk size {size_line!r}") from exc
            if size == 0:
                while self.rfile.readline(65537).strip():
                    pass  # trailers carry nothing the stand-ins use
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        # HTTP forbids Content-Length on 204 and 1xx; everything else needs it for keep-alive framing.
        if response.status != 204 and response.status >= 200:
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)


class BackgroundServer:
    """A stand-in that owns a `SandboxHTTPServer`; subclasses implement `handle`. Port 0 picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        self._httpd = SandboxHTTPServer((host, port), self, verbose=verbose)
        self._thread: threading.Thread | None = None

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError(f"{type(self).__name__} on {self.url} is already running")
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            # shutdown() waits up to one poll interval; the default 0.5 s would dominate a test's teardown.
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for a command line `serve`)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.close_connections()
            self._httpd.server_close()

    def __enter__(self) -> Self:
        if self._thread is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class ReloadingFile(Generic[T]):
    """A file parsed once, and again whenever it is replaced or rewritten (one `stat` per call checks).

    The stat is taken on the opened file, so an atomic rename between the stat and the read cannot pair old
    metadata with new content."""

    def __init__(self, path: Path, load: Callable[[IO[bytes]], T]) -> None:
        self.path = path
        self._load = load
        self._lock = threading.Lock()
        self._key: tuple[int, int, int] | None = None
        self._value: T | None = None

    def get(self) -> T:
        st = os.stat(self.path)
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key == self._key:
            return cast(T, self._value)
        with self._lock:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                key = (st.st_ino, st.st_mtime_ns, st.st_size)
                if key != self._key:
                    self._value = self._load(handle)
                    self._key = key
            return cast(T, self._value)
