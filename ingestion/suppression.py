"""The suppression list: people erased on request, whom ingestion drops before their rows reach raw.

An entry is a keyed hash (HMAC-SHA256) of one identifier of an erased person, never the value itself: a SIS
student id, a Workday student id or an e-mail (trimmed, lower-cased). Each source declares which of its fields
carry which kind of identifier (`person_fields` in `ingestion.registry`); the runner wraps every such resource
with `suppress`, so a source that still sends the person lands nothing of them (docs/decisions/017).

Settings read: `CAMPUS_PRIVACY_DB` (default `warehouse/audit/privacy.sqlite`, beside the access audit, which
`make clean` keeps), `CAMPUS_SUPPRESSION_KEY` (the hash key; without it, one made once and kept in the
git-ignored `warehouse/audit/.secrets/suppression.key`). Losing the key makes the list unreadable, so a list
whose key is missing or is not the one it was written with stops ingestion (fail closed) instead of letting
erased people load again: keep the key with the list.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.destination import warehouse_path

Kind = Literal["sis_id", "workday_id", "email"]
KINDS: Final[tuple[Kind, ...]] = ("sis_id", "workday_id", "email")
KEY_FILE: Final = Path(".secrets") / "suppression.key"

_SCHEMA = """
create table if not exists suppressed_identifiers (
    kind text not null,
    digest text not null,
    request_id text not null,
    added_at text not null,
    primary key (kind, digest)
);
create table if not exists suppression_key_check (check_digest text not null);
create trigger if not exists suppressed_identifiers_kept before delete on suppressed_identifiers
begin
    select raise(abort, 'the suppression list only grows: an erased person stays erased');
end;
"""


# Hashed with the key and stored once: tells the key the list was written with from any other.
KEY_CHECK: Final = b"campus-pathways suppression key check"


class SuppressionKeyError(RuntimeError):
    """The list holds erased people but the key to recognise them is missing or another one."""


def privacy_db() -> Path:
    """The privacy store: the suppression list and the erasure requests."""
    configured = os.environ.get("CAMPUS_PRIVACY_DB")
    return Path(configured) if configured else warehouse_path().parent / "audit" / "privacy.sqlite"


def suppression_key(store: Path | None = None, create: bool = True) -> bytes:
    """`CAMPUS_SUPPRESSION_KEY`, else a random key made once beside the store (mode 0600, git-ignored)."""
    configured = os.environ.get("CAMPUS_SUPPRESSION_KEY")
    if configured:
        return configured.encode()
    path = (store or privacy_db()).parent / KEY_FILE
    if not path.is_file():
        if not create:
            raise SuppressionKeyError(
                "the suppression list holds erased people but its key is missing (CAMPUS_SUPPRESSION_KEY, or "
                f"{path}): ingestion stops rather than load them again; restore the list's own key"
            )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def normalise(kind: str, value: Any) -> str | None:
    """The form an identifier is hashed in: ids as plain text (Tableau's `100,001` and a SIS 100001 agree),
    e-mails trimmed and lower-cased; None for an empty value."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if kind == "email":
        return text.lower()
    text = text.replace(",", "")
    return text.lstrip("0") or text if text.isdigit() else text.lower()


def digest(key: bytes, kind: str, value: Any) -> str | None:
    normal = normalise(kind, value)
    if normal is None:
        return None
    return hmac.new(key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def connect(store: Path | None = None) -> sqlite3.Connection:
    path = store or privacy_db()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    connection.execute("pragma busy_timeout = 10000")
    connection.executescript(_SCHEMA)
    return connection


def add_entries(identifiers: Iterable[tuple[str, Any]], request_id: str, store: Path | None = None) -> int:
    """Add the (kind, value) identifiers as hashes; returns how many were new."""
    key = suppression_key(store)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = {(kind, d) for kind, value in identifiers if (d := digest(key, kind, value))}
    with closing(connect(store)) as connection:
        _check_key(connection, key)
        before = connection.total_changes
        connection.executemany(
            "insert or ignore into suppressed_identifiers values (?, ?, ?, ?)",
            [(kind, d, request_id, at) for kind, d in sorted(rows)],
        )
        return connection.total_changes - before


@dataclass
class Suppression:
    """The loaded list and what it dropped in this process: rows per (resource) name, never values."""

    key: bytes
    digests: frozenset[tuple[str, str]]
    dropped: dict[str, int] = field(default_factory=dict)
    # value -> suppressed?, per kind: a column's distinct values are hashed once per run
    _seen: dict[tuple[str, str], bool] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.digests)

    def is_suppressed(self, kind: str, value: Any) -> bool:
        normal = normalise(kind, value)
        if normal is None:
            return False
        known = self._seen.get((kind, normal))
        if known is None:
            found = digest(self.key, kind, normal)
            known = self._seen[(kind, normal)] = (kind, found) in self.digests
        return known

    def keep_row(self, fields: Mapping[str, str], row: Mapping[str, Any]) -> bool:
        return not any(
            self.is_suppressed(kind, row.get(name)) for name, kind in _matching(fields, row.keys()).items()
        )

    def filter_table(self, fields: Mapping[str, str], table: pa.Table) -> pa.Table:
        """The rows of an Arrow table none of whose identifier columns is suppressed."""
        drop = None
        for name, kind in _matching(fields, table.column_names).items():
            values = pc.unique(table.column(name)).to_pylist()
            hit = [v for v in values if self.is_suppressed(kind, v)]
            if hit:
                mask = pc.fill_null(
                    pc.is_in(table.column(name), pa.array(hit, table.column(name).type)), False
                )
                drop = mask if drop is None else pc.or_(drop, mask)
        return table if drop is None else table.filter(pc.invert(drop))


def field_key(name: str) -> str:
    """Field names compared as dlt's naming would land them: `studentId`, `STUDENT_ID`, `student_id` agree."""
    return name.replace("_", "").lower()


def _matching(fields: Mapping[str, str], present: Iterable[str]) -> dict[str, str]:
    wanted = {field_key(name): kind for name, kind in fields.items()}
    return {name: wanted[field_key(name)] for name in present if field_key(name) in wanted}


def _check_key(connection: sqlite3.Connection, key: bytes) -> None:
    """Record the key's check the first time; refuse a key that is not the one the list was written with."""
    check = hmac.new(key, KEY_CHECK, hashlib.sha256).hexdigest()
    stored = connection.execute("select check_digest from suppression_key_check").fetchone()
    if stored is None:
        connection.execute("insert into suppression_key_check values (?)", [check])
    elif not hmac.compare_digest(stored[0], check):
        raise SuppressionKeyError(
            "the suppression key is not the one the list was written with: erased people would not be "
            "recognised, so ingestion stops; restore the original CAMPUS_SUPPRESSION_KEY or key file"
        )


def load(store: Path | None = None) -> Suppression:
    """The suppression list as it is now (empty when no store exists yet: nothing to apply)."""
    path = store or privacy_db()
    if not path.is_file():
        return Suppression(b"", frozenset())
    with closing(connect(path)) as connection:
        rows = connection.execute("select kind, digest from suppressed_identifiers").fetchall()
        if not rows:
            return Suppression(b"", frozenset())
        key = suppression_key(path, create=False)
        _check_key(connection, key)
    return Suppression(key, frozenset((k, d) for k, d in rows))


def suppress(source: Any, person_fields: Mapping[str, Mapping[str, str]], suppression: Suppression) -> None:
    """Drop suppressed people from the resources of a dlt source that carry person identifiers, counting the
    dropped rows per resource in `suppression.dropped`."""
    if not suppression:
        return
    wanted = {field_key(name): fields for name, fields in person_fields.items()}
    for name, resource in source.resources.items():
        chosen = wanted.get(field_key(name))
        if chosen:
            resource.add_map(_tables_without(suppression, chosen, name)).add_filter(
                _rows_without(suppression, chosen, name)
            )


def _tables_without(suppression: Suppression, fields: Mapping[str, str], name: str) -> Any:
    def tables(item: Any) -> Any:
        if isinstance(item, pa.Table):
            kept = suppression.filter_table(fields, item)
            if kept.num_rows != item.num_rows:
                suppression.dropped[name] = suppression.dropped.get(name, 0) + item.num_rows - kept.num_rows
            return kept
        return item

    return tables


def _rows_without(suppression: Suppression, fields: Mapping[str, str], name: str) -> Any:
    def rows(item: Any) -> bool:
        if isinstance(item, Mapping) and not suppression.keep_row(fields, item):
            suppression.dropped[name] = suppression.dropped.get(name, 0) + 1
            return False
        return True

    return rows
