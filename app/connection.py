"""The warehouse behind `st.connection("warehouse")`: DuckDB (read-only) locally, Snowflake in production.

Config read, environment first, then `app/.streamlit/secrets.toml` section `[connections.warehouse]`:

| env | secrets key | what |
|---|---|---|
| `CAMPUS_DESTINATION` | `kind` | `duckdb` (default) or `snowflake`, the same switch ingestion uses |
| `CAMPUS_APP_WAREHOUSE` | `path` | the DuckDB file the app reads, read-only (default: the published one) |
| `CAMPUS_PUBLISH_DIR` | | where the pipeline publishes (default `published/` beside `CAMPUS_WAREHOUSE`) |
| `CAMPUS_WAREHOUSE` | | the pipeline's working file (`warehouse/campus.duckdb`); the app never reads it |
| `CAMPUS_APP_IDLE_SECONDS` | `idle_seconds` | DuckDB: let go of the file after this many idle seconds (10) |
| `SNOWFLAKE_<KEY>` | `<key>` | Snowflake: `account`, `user`, `password`, `role`, `warehouse`, `database` |

The Snowflake names are the ones dbt's `prod` target reads.

The app reads the published snapshot (docs/decisions/010), never the pipeline's working file, so a run never
waits for the app and the app never sees a half-built warehouse. Each publish swaps a new file in at the same
path: the app notices the new file (its inode) on the next query, reopens it, and its caches key on it, so
pages show the new run. The file is also let go after a few idle seconds, so an idle app holds nothing open.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd
import streamlit as st
from streamlit.connections import BaseConnection

from app.data.search import Query
from ingestion.destination import SNAPSHOT_FILE, published_dir

DEFAULT_WAREHOUSE = f"warehouse/published/{SNAPSHOT_FILE}"
DEFAULT_IDLE_SECONDS = 10.0
# How long a query waits for a writer (a pipeline run) to let go of the DuckDB file before giving up.
LOCK_WAIT_SECONDS = 3.0
SNOWFLAKE_KEYS = ("account", "user", "password", "role", "warehouse", "database")


class WarehouseError(RuntimeError):
    """The warehouse cannot answer; the message is meant for the page, never contains a secret."""


class WarehouseUnavailable(WarehouseError):
    """No warehouse to read (missing file, missing configuration)."""


class WarehouseBusy(WarehouseError):
    """A pipeline run is writing to the DuckDB file right now."""


@dataclass(frozen=True)
class WarehouseSettings:
    kind: str  # "duckdb" or "snowflake"
    path: str = DEFAULT_WAREHOUSE
    idle_seconds: float = DEFAULT_IDLE_SECONDS

    @property
    def label(self) -> str:
        """What the warehouse is, for cache keys (never a secret): for DuckDB the file and which publish of it
        (its inode), so results cached from one publish are never served for the next."""
        if self.kind != "duckdb":
            return "snowflake"
        try:
            publish = os.stat(self.path).st_ino
        except OSError:
            publish = 0
        return duckdb_label(self.path, publish)


def duckdb_label(path: Path | str, inode: int | None) -> str:
    """A DuckDB warehouse's label: the file and which publish of it (its inode)."""
    return f"duckdb:{Path(path).resolve()}:{inode or 0}"


def _secrets_section() -> Mapping[str, Any]:
    try:
        section = st.secrets.get("connections", {}).get("warehouse", {})
    except (FileNotFoundError, KeyError, AttributeError):
        return {}
    except Exception:  # a malformed secrets.toml: the env still decides, the page says what is wrong
        return {}
    return section if isinstance(section, Mapping) else {}


def resolve_settings() -> WarehouseSettings:
    """Which warehouse to read, from the environment, then secrets, then the local default."""
    section = _secrets_section()
    kind = (os.environ.get("CAMPUS_DESTINATION") or section.get("kind") or "duckdb").lower()
    if kind not in ("duckdb", "snowflake"):
        raise WarehouseUnavailable(
            f"Unknown warehouse kind {kind!r}: set CAMPUS_DESTINATION to duckdb or snowflake."
        )
    path = (
        os.environ.get("CAMPUS_APP_WAREHOUSE") or section.get("path") or str(published_dir() / SNAPSHOT_FILE)
    )
    idle = float(
        os.environ.get("CAMPUS_APP_IDLE_SECONDS") or section.get("idle_seconds") or DEFAULT_IDLE_SECONDS
    )
    return WarehouseSettings(kind=kind, path=str(path), idle_seconds=idle)


class Backend(Protocol):
    def query(self, sql: str, params: Sequence[Any]) -> pd.DataFrame: ...

    def one_snapshot(self) -> AbstractContextManager[tuple[str, Query]]: ...

    def release(self) -> None: ...

    def writer(self) -> AbstractContextManager[None]: ...


class DuckDBBackend:
    """A read-only DuckDB connection opened on demand, shared by sessions, released when idle."""

    def __init__(self, path: str, idle_seconds: float) -> None:
        self.path = Path(path)
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._inode: int | None = None  # which publish of the file `_con` has open
        self._in_use = 0
        self._timer: threading.Timer | None = None
        self._writer_active = threading.Event()
        # Close the file at exit: a connection left to the interpreter's teardown makes duckdb report leaks.
        atexit.register(self._close_at_exit)

    def _close_at_exit(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._con is not None:
            self._con.close()
            self._con = None

    def _open(self) -> duckdb.DuckDBPyConnection:
        if not self.path.is_file():
            raise WarehouseUnavailable(no_snapshot_message(self.path))
        self._inode = self.path.stat().st_ino
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=True)
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise WarehouseUnavailable(
                        f"The warehouse file {self.path} cannot be read ({type(error).__name__})."
                    ) from error
                if time.monotonic() > deadline:
                    raise WarehouseBusy(
                        "A pipeline run is writing to the warehouse right now; try again in a minute."
                    ) from error
                time.sleep(0.2)

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._writer_active.is_set():
                raise WarehouseBusy(
                    "A file load is writing to the warehouse; try again when it has finished."
                )
            if self._con is not None and self._in_use == 0 and self._swapped():
                self._con.close()  # a new publish was swapped in: the next query reads it
                self._con = None
            if self._con is None:
                self._con = self._open()
            self._in_use += 1
            # A cursor is DuckDB's thread-safe handle on one database: Streamlit runs sessions in threads.
            cursor = self._con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                self._in_use -= 1
                self._schedule_release()

    def _swapped(self) -> bool:
        try:
            return self.path.stat().st_ino != self._inode
        except OSError:
            return False  # keep reading the open file until a new one is there

    def _schedule_release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.idle_seconds, self.release)
        self._timer.daemon = True
        self._timer.start()

    def query(self, sql: str, params: Sequence[Any]) -> pd.DataFrame:
        with self._cursor() as cursor:
            return _run(cursor, sql, params)

    @contextmanager
    def one_snapshot(self) -> Iterator[tuple[str, Query]]:
        """Statements that all read one publish of the file (one cursor throughout, so a swap in between
        cannot mix two runs), and its label: what a whole index is loaded through."""
        with self._cursor() as cursor:
            yield duckdb_label(self.path, self._inode), lambda sql, params: _run(cursor, sql, params)

    def release(self) -> None:
        """Close the file if no query is running, so a writer can take it."""
        with self._lock:
            if self._con is not None and self._in_use == 0:
                self._con.close()
                self._con = None

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Keep the app off the file while another process writes to it (the Files page's load job)."""
        self._writer_active.set()
        try:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                self.release()
                with self._lock:
                    if self._con is None:
                        break
                if time.monotonic() > deadline:
                    raise WarehouseBusy("The app is still reading the warehouse; try the load again.")
                time.sleep(0.05)
            yield
        finally:
            self._writer_active.clear()


def _run(cursor: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> pd.DataFrame:
    try:
        return cursor.execute(sql, list(params)).df()
    except duckdb.CatalogException as error:
        raise WarehouseUnavailable(
            f"The warehouse has no such table or column yet ({_first_line(error)}). "
            "Run `make run` so dbt builds every model."
        ) from error


class SnowflakeBackend:
    """One Snowflake connection (qmark parameters); not exercised here, no Snowflake is reachable."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        missing = [key for key in ("account", "user", "password") if not params.get(key)]
        if missing:
            names = ", ".join(f"SNOWFLAKE_{key.upper()}" for key in missing)
            raise WarehouseUnavailable(f"Snowflake is configured but {names} is not set.")
        self._params = dict(params)
        self._con: Any = None
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        with self._lock:
            if self._con is None or self._con.is_closed():
                import snowflake.connector

                try:
                    self._con = snowflake.connector.connect(
                        **self._params,
                        paramstyle="qmark",
                        client_session_keep_alive=True,
                        application="campus_pathways_app",
                    )
                except snowflake.connector.errors.Error as error:
                    # The connector's message can echo the account; never the password.
                    raise WarehouseUnavailable(
                        f"Cannot connect to Snowflake ({type(error).__name__})."
                    ) from error
            return self._con

    def query(self, sql: str, params: Sequence[Any]) -> pd.DataFrame:
        import snowflake.connector

        cursor = self._connection().cursor()
        try:
            cursor.execute(sql, list(params))
            columns = [column[0].lower() for column in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=columns)
        except snowflake.connector.errors.ProgrammingError as error:
            raise WarehouseUnavailable(f"Snowflake rejected a query ({error.errno}).") from error
        finally:
            cursor.close()

    def release(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    @contextmanager
    def one_snapshot(self) -> Iterator[tuple[str, Query]]:
        # Readers see one published clone per statement; a publish between two statements is not detected.
        yield "snowflake", self.query

    def writer(self) -> AbstractContextManager[None]:
        # Snowflake has no single-writer lock: loading and reading go on side by side.
        return nullcontext()


def no_snapshot_message(path: Path | str) -> str:
    return (
        f"No published snapshot at {path} yet. `make run` publishes one after a successful build "
        "(`campus publish` republishes a built warehouse); CAMPUS_APP_WAREHOUSE points the app at another "
        "file."
    )


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def _snowflake_params(section: Mapping[str, Any]) -> dict[str, Any]:
    params = {key: os.environ.get(f"SNOWFLAKE_{key.upper()}") or section.get(key) for key in SNOWFLAKE_KEYS}
    return {key: value for key, value in params.items() if value}


class WarehouseConnection(BaseConnection[Backend]):
    """`st.connection("warehouse", type=WarehouseConnection, ...)`: `query(sql, params)` -> DataFrame."""

    def _connect(self, **kwargs: Any) -> Backend:
        kind = kwargs.get("kind") or self._secrets.get("kind") or "duckdb"
        if kind == "snowflake":
            return SnowflakeBackend(_snowflake_params(self._secrets.to_dict()))
        return DuckDBBackend(
            kwargs.get("path") or DEFAULT_WAREHOUSE,
            float(kwargs.get("idle_seconds") or DEFAULT_IDLE_SECONDS),
        )

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        frame = self._instance.query(sql, params)
        frame.columns = [str(column).lower() for column in frame.columns]
        return frame

    @property
    def backend(self) -> Backend:
        return self._instance

    def close(self) -> None:
        if self._raw_instance is not None:
            self._raw_instance.release()


def warehouse() -> WarehouseConnection:
    """The app's warehouse connection; settings are part of the cache key, so a new path is a new one."""
    settings = resolve_settings()
    return st.connection(
        "warehouse",
        type=WarehouseConnection,
        kind=settings.kind,
        path=settings.path,
        idle_seconds=settings.idle_seconds,
    )
