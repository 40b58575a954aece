"""The access audit: an append-only record of who looked at which student and downloaded or loaded what.

Config read: `CAMPUS_AUDIT_DB` (default `warehouse/audit/access.sqlite`) and `CAMPUS_AUDIT_RETENTION_DAYS`
(default 2557, seven years). SQLite in WAL mode, not the warehouse: many processes append at once while the
pipeline holds the warehouse's lock (decision 011). Rows hold identifiers and counts, never personal values.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ingestion.destination import warehouse_path

DEFAULT_RETENTION_DAYS = 2557
ALLOWED = "allowed"
DENIED = "denied"
COLUMNS = (
    "event_id",
    "occurred_at",
    "actor",
    "roles",
    "action",
    "outcome",
    "student_key",
    "target",
    "detail",
    "request_id",
)

_SCHEMA = """
create table if not exists access_events (
    event_id integer primary key autoincrement,
    occurred_at text not null,
    actor text not null,
    roles text not null,
    action text not null,
    outcome text not null check (outcome in ('allowed', 'denied')),
    student_key text,
    target text,
    detail text,
    request_id text not null
);
create index if not exists access_events_student on access_events (student_key);
create index if not exists access_events_when on access_events (occurred_at);
create table if not exists audit_settings (name text primary key, value text not null);
create trigger if not exists access_events_append_only before update on access_events
begin
    select raise(abort, 'the access audit is append-only');
end;
create trigger if not exists access_events_kept before delete on access_events
when old.occurred_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
    '-' || (select value from audit_settings where name = 'retention_days') || ' days')
begin
    select raise(abort, 'the access audit keeps rows for its retention period');
end;
"""


class AuditUnavailable(RuntimeError):
    """The audit row could not be written; callers show nothing they would have had to record."""


@dataclass(frozen=True)
class Event:
    """One audit row before it is written; `detail` is a small mapping of non-personal facts."""

    actor: str
    roles: Sequence[str]
    action: str
    outcome: str = ALLOWED
    student_key: str | None = None
    target: str | None = None
    detail: Mapping[str, Any] | None = None


def student_views(
    actor: str,
    roles: Sequence[str],
    action: str,
    student_keys: Iterable[str],
    target: str | None,
    personal_fields: str,
) -> list[Event]:
    """One row per student whose record is about to be shown (a profile, a list of students), saying
    whether personal fields were `shown` or `masked`: the app's pages and the API record the same rows."""
    return [
        Event(actor, roles, action, ALLOWED, key, target, {"personal_fields": personal_fields})
        for key in student_keys
    ]


def audit_path() -> Path:
    configured = os.environ.get("CAMPUS_AUDIT_DB")
    return Path(configured) if configured else warehouse_path().parent / "audit" / "access.sqlite"


def retention_days() -> int:
    try:
        days = int(os.environ.get("CAMPUS_AUDIT_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    except ValueError:
        days = DEFAULT_RETENTION_DAYS  # an unreadable setting keeps rows longer, never shorter
    return max(days, 1)


_prepared: set[tuple[str, int]] = set()
_prepared_lock = threading.Lock()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    connection.execute("pragma busy_timeout = 10000")
    return connection


def _prepare(path: Path) -> None:
    """Create the store, set the retention and purge expired rows, once per process, path and retention."""
    key = (str(path), retention_days())
    with _prepared_lock:
        if key in _prepared:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(_connect(path)) as connection:
            connection.execute("pragma journal_mode = wal")
            connection.executescript(_SCHEMA)
            connection.execute(
                "insert into audit_settings values ('retention_days', ?) "
                "on conflict (name) do update set value = excluded.value",
                (str(key[1]),),
            )
            cutoff = (datetime.now(UTC) - timedelta(days=key[1])).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            connection.execute("delete from access_events where occurred_at < ?", (cutoff,))
        _prepared.add(key)


_local = threading.local()


@contextmanager
def _store(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """This thread's connection to the store. Kept open: closing the last connection to a WAL database
    checkpoints it, which costs a write of the whole log on every row."""
    path = path or audit_path()
    connections: dict[str, sqlite3.Connection] = _local.__dict__.setdefault("connections", {})
    try:
        _prepare(path)
        connection = connections.get(str(path))
        if connection is None:
            connection = connections[str(path)] = _connect(path)
            # WAL with synchronous=normal: a committed row survives a crash of the app, not a power cut.
            connection.execute("pragma synchronous = normal")
        yield connection
    except (sqlite3.Error, OSError) as error:  # OSError: the store's folder cannot be made
        stale = connections.pop(str(path), None)
        if stale is not None:
            stale.close()
        raise AuditUnavailable(
            f"The access audit at {path} cannot be written ({type(error).__name__}), so nothing is shown. "
            "Tell the data team."
        ) from error


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(events: Iterable[Event], path: Path | None = None) -> str:
    """Append the events as one request (one transaction, one request id); returns the request id."""
    return record_requests([events], path)[0]


def record_requests(requests: Sequence[Iterable[Event]], path: Path | None = None) -> list[str]:
    """Append several requests' events in one transaction, each request with its own request id (the API
    commits the requests that queued while the previous commit ran together); all of them or none."""
    at = _now()
    request_ids = [uuid.uuid4().hex for _ in requests]
    params = [
        (
            at,
            event.actor,
            ",".join(sorted(event.roles)) or "(none)",
            event.action,
            event.outcome,
            event.student_key,
            event.target,
            json.dumps(dict(event.detail), sort_keys=True, default=str) if event.detail else None,
            request_id,
        )
        for request_id, events in zip(request_ids, requests, strict=True)
        for event in events
    ]
    if not params:
        return request_ids
    with _store(path) as connection:
        connection.execute("begin immediate")  # one transaction: all the rows or none
        try:
            connection.executemany(
                "insert into access_events (occurred_at, actor, roles, action, outcome, student_key, target, "
                "detail, request_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params,
            )
        except BaseException:
            connection.execute("rollback")
            raise
        connection.execute("commit")
    return request_ids


def events(
    actor: str | None = None,
    student_key: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 10_000,
    path: Path | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first, filtered by who, which student and when (`until` is exclusive)."""
    where, params = [], []
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if student_key:
        where.append("student_key = ?")
        params.append(student_key)
    if since:
        where.append("occurred_at >= ?")
        params.append(since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    if until:
        where.append("occurred_at < ?")
        params.append(until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    sql = f"select {', '.join(COLUMNS)} from access_events"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by event_id desc limit ?"
    with _store(path) as connection:
        rows = connection.execute(sql, [*params, limit]).fetchall()
    return pd.DataFrame(rows, columns=list(COLUMNS))


def actors(path: Path | None = None) -> list[str]:
    with _store(path) as connection:
        return [
            actor for (actor,) in connection.execute("select distinct actor from access_events order by 1")
        ]
