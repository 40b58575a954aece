"""Erasure on request: find one person everywhere the platform keeps data, remove them, keep them out.

`campus privacy erase --student <id> --request <id> [--apply]` resolves a student key, SIS id, Workday id or
e-mail through the identity layer, then finds the person in every table of the working warehouse, every kept
published snapshot, every lake file and dlt's working folders. Which columns to look in is found from each
database's `information_schema` (and each Parquet file's schema), not from a list: a value that identifies
only this person (the student key, a Workday id, an e-mail) is looked for in every text column; the SIS id, a
small number that other keys share, only in columns named for a student. A dry run counts; `--apply` takes the
working warehouse's lock as `campus run` does, adds the person to the suppression list first (so a run that
follows cannot bring them back), deletes table by table (docs/decisions/017 says why), rewrites each
affected snapshot and Parquet file by rename, deletes dlt load packages that hold them, and verifies by
scanning everything again.

Every attempt is two append-only rows in `erasure_requests` of the privacy store (`ingestion.suppression`):
started, then finished with counts per table and the verification; never a personal value. An attempt cut
off half-way leaves its "started" row; running the request again completes it (every step only removes what is
still there). docs/decisions/017. Settings read: `CAMPUS_WAREHOUSE`, `CAMPUS_PIPELINES_DIR`,
`CAMPUS_PUBLISH_DIR`, `CAMPUS_PRIVACY_DB`, `CAMPUS_SUPPRESSION_KEY`, `CAMPUS_PSEUDONYM_KEY`,
`CAMPUS_LOCK_WAIT_SECONDS`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingestion import suppression
from ingestion.destination import (
    READERS_CATALOG,
    SNAPSHOT_FILE,
    connect_working,
    pipelines_dir,
    warehouse_path,
)
from orchestration.publish import (
    CURRENT_FILE,
    LAKE_DIR,
    MANIFEST_FILE,
    PSEUDONYM,
    PUBLISHED_TABLES,
    PublishSettings,
    current,
    pseudonym_key,
    publications,
    quote_identifier,
    request_compaction,
    sql_literal,
)
from orchestration.warehouse_lock import WarehouseLocked, holder_pid, wait_for_warehouse

DRY_RUN = "dry_run"
APPLY = "apply"
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_INTEGER = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UBIGINT|UINTEGER|DECIMAL\(\d+,0\))$")
_TEXT = re.compile(r"^(VARCHAR|TEXT|STRING)")

_SCHEMA = """
create table if not exists erasure_requests (
    attempt_id integer primary key autoincrement,
    request_id text not null,
    requested_by text not null,
    recorded_at text not null,
    mode text not null check (mode in ('dry_run', 'apply')),
    identifier_kind text not null,
    stage text not null check (stage in ('started', 'finished')),
    outcome text not null,
    counts text,
    verification text,
    detail text
);
create trigger if not exists erasure_requests_append_only before update on erasure_requests
begin
    select raise(abort, 'erasure requests are append-only');
end;
create trigger if not exists erasure_requests_kept before delete on erasure_requests
begin
    select raise(abort, 'erasure requests are kept');
end;
"""


class ErasureError(RuntimeError):
    """A request that cannot go ahead (nobody or several people match, the warehouse is held); the message
    names no personal value."""

    def __init__(self, outcome: str, message: str) -> None:
        self.outcome = outcome
        super().__init__(message)


@dataclass(frozen=True)
class Person:
    """Everything that identifies one resolved person (kept in memory only, never written)."""

    student_key: str
    sis_ids: tuple[int, ...]
    workday_ids: tuple[str, ...]
    emails: tuple[str, ...]

    def unique_strings(self) -> list[str]:
        """Lower-cased values that identify this person alone."""
        return sorted({*self.keys(), *self.emails} - {""})

    def keys(self) -> list[str]:
        """The student key and Workday ids: 32 hex digits, safe to look for inside other text (a document id
        `student:<key>`); e-mails are compared whole (one address can end another: `ann.x@` in `joann.x@`)."""
        return sorted({self.student_key, *self.workday_ids} - {""})

    def sis_texts(self) -> list[str]:
        return [str(i) for i in self.sis_ids]


@dataclass
class Result:
    """What one request found (dry run) or removed (apply), by place: `schema.table`, a snapshot's tables,
    lake files and pipeline files; counts only."""

    counts: dict[str, int] = field(default_factory=dict)
    verification: str = "not_run"
    remaining: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per step, for `make bench`
    _started: float = field(default_factory=time.perf_counter)

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step] = round(now - self._started - sum(self.seconds.values()), 3)

    def add(self, place: str, found: dict[str, int]) -> None:
        for name, rows in found.items():
            if rows:
                key = f"{place}:{name}" if place else name
                self.counts[key] = self.counts.get(key, 0) + rows

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# ---------------------------------------------------------------- the store of requests


@contextmanager
def _requests(store: Path | None = None) -> Iterator[sqlite3.Connection]:
    with closing(suppression.connect(store)) as connection:
        connection.executescript(_SCHEMA)
        yield connection


def _record(
    request_id: str,
    by: str,
    mode: str,
    kind: str,
    stage: str,
    outcome: str,
    result: Result | None = None,
    detail: str | None = None,
    store: Path | None = None,
) -> None:
    with _requests(store) as connection:
        connection.execute(
            "insert into erasure_requests (request_id, requested_by, recorded_at, mode, identifier_kind, "
            "stage, outcome, counts, verification, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                by,
                datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                mode,
                kind,
                stage,
                outcome,
                json.dumps(result.counts, sort_keys=True) if result else None,
                result.verification if result else None,
                detail,
            ),
        )


def requests(store: Path | None = None) -> list[dict[str, Any]]:
    """Every recorded attempt, oldest first."""
    path = store or suppression.privacy_db()
    if not path.is_file():
        return []
    with _requests(path) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute("select * from erasure_requests order by attempt_id")]


# ---------------------------------------------------------------- resolution


def identifier_kind(identifier: str) -> str:
    """What an identifier looks like (recorded with the request instead of the value)."""
    text = identifier.strip()
    if "@" in text:
        return "email"
    if text.replace(",", "").isdigit():
        return "sis_id"
    if _HEX32.match(text.lower()):
        return "student_key_or_workday_id"
    return "unknown"


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_catalog in (current_database(), ?) "
        "and table_schema = ? and table_name = ?",
        [READERS_CATALOG, schema, table],
    ).fetchone()
    return bool(found and found[0])


def _keys_in_identity(con: duckdb.DuckDBPyConnection, identifier: str) -> set[str]:
    """Student keys the identifier names in the identity layer (or, without one, in the marts)."""
    text = identifier.strip().lower()
    digits = text.replace(",", "")
    keys: set[str] = set()
    if _has_table(con, "intermediate", "int_students__identity_matched"):
        keys |= {
            r[0]
            for r in con.execute(
                "select student_key from intermediate.int_students__identity_matched "
                "where lower(student_key) = ? or cast(sis_student_id as varchar) = ? "
                "or cast(surviving_sis_student_id as varchar) = ? or lower(workday_student_id) = ?",
                [text, digits, digits, text],
            ).fetchall()
        }
        emails = [
            ("intermediate", "int_students__unified", "student_key", None),
            ("staging", "stg_oracle_sis__students", "student_id", "sis_student_id"),
            ("staging", "stg_workday__students", "workday_student_id", "workday_student_id"),
        ]
        for schema, table, column, identity_column in emails:
            if not _has_table(con, schema, table):
                continue
            if identity_column is None:
                sql = f"select student_key from {schema}.{table} where lower(trim(email)) = ?"
            else:
                sql = (
                    f"select i.student_key from {schema}.{table} s join "
                    f"intermediate.int_students__identity_matched i on i.{identity_column} = s.{column} "
                    "where lower(trim(s.email)) = ?"
                )
            keys |= {r[0] for r in con.execute(sql, [text]).fetchall()}
    elif _has_table(
        con, "marts", "dim_student"
    ):  # a published snapshot keeps the marts, not the identity layer
        keys |= {
            r[0]
            for r in con.execute(
                "select student_key from marts.dim_student where lower(student_key) = ? "
                "or cast(sis_student_id as varchar) = ? or lower(workday_student_id) = ? "
                "or lower(trim(email)) = ?",
                [text, digits, text, text],
            ).fetchall()
        }
    return {k for k in keys if k}


def _person(con: duckdb.DuckDBPyConnection, key: str) -> Person:
    """Every identifier of the person with student key `key` that this database holds."""
    sis: set[int] = set()
    workday: set[str] = set()
    emails: set[str] = set()
    if _has_table(con, "intermediate", "int_students__identity_matched"):
        for sis_id, surviving, wd in con.execute(
            "select sis_student_id, surviving_sis_student_id, workday_student_id "
            "from intermediate.int_students__identity_matched where student_key = ?",
            [key],
        ).fetchall():
            sis |= {int(v) for v in (sis_id, surviving) if v is not None}
            if wd:
                workday.add(str(wd).lower())
    if _has_table(con, "marts", "dim_student"):
        for sis_id, wd, email in con.execute(
            "select sis_student_id, workday_student_id, email from marts.dim_student where student_key = ?",
            [key],
        ).fetchall():
            if sis_id is not None:
                sis.add(int(sis_id))
            if wd:
                workday.add(str(wd).lower())
            _add_email(emails, email)
    sources: list[tuple[str, str, str, list[Any]]] = [
        ("raw_oracle_sis", "students", "student_id", sorted(sis)),
        ("raw_workday", "students", "id", sorted(workday)),
        ("intermediate", "int_students__unified", "student_key", [key]),
    ]
    for schema, table, column, values in sources:
        if values and _has_table(con, schema, table):
            marks = ", ".join("?" for _ in values)
            rows = con.execute(
                f"select email from {schema}.{table} where {column} in ({marks})",
                values,
            ).fetchall()
            for (email,) in rows:
                _add_email(emails, email)
    return Person(key.lower(), tuple(sorted(sis)), tuple(sorted(workday)), tuple(sorted(emails)))


def _add_email(emails: set[str], email: Any) -> None:
    if email and str(email).strip():
        emails.add(str(email).strip().lower())


def resolve(con: duckdb.DuckDBPyConnection, identifier: str) -> Person | None:
    """The one person `identifier` names in this database; None for nobody; ErasureError for several."""
    keys = _keys_in_identity(con, identifier)
    if len(keys) > 1:
        raise ErasureError(
            "ambiguous",
            f"the {identifier_kind(identifier)} given matches {len(keys)} people: nothing was changed. Ask "
            "for a more specific identifier (the student key or the SIS id).",
        )
    return _person(con, keys.pop()) if keys else None


# ---------------------------------------------------------------- finding the person in a relation


def match_condition(
    columns: Sequence[tuple[str, str]], person: Person, extra_strings: Sequence[str] = ()
) -> str | None:
    """A SQL condition true for the rows of a relation with these (name, type) columns that belong to
    `person`; None when no column could hold them."""
    keys = [*person.keys(), *extra_strings]
    sis = person.sis_texts()
    whole = [*keys, *person.emails, *(f"sis:{s}" for s in sis)]
    names = {name.lower() for name, _ in columns}
    parts: list[str] = []
    for name, data_type in columns:
        column = quote_identifier(name)
        lowered = name.lower()
        about_student = "student" in lowered
        if _TEXT.match(data_type.upper()):
            # Whole values everywhere (cheap); inside the text only where a key is built from others
            # (`student:<key>`, `wd:<id>`), and e-mails whatever their case where a column holds e-mails.
            parts.append(f"{column} in ({', '.join(sql_literal(v) for v in whole)})")
            if lowered.endswith(("id", "key")):
                parts += [f"contains({column}, {sql_literal(value)})" for value in keys]
            if "email" in lowered and person.emails:
                parts.append(f"lower(trim({column})) in ({', '.join(sql_literal(e) for e in person.emails)})")
            if sis:
                numbers = ", ".join(sql_literal(s) for s in sis)
                if about_student:
                    parts.append(f"replace(trim({column}), ',', '') in ({numbers})")
                if (
                    lowered == "record_key" and "table_name" in names
                ):  # quality rows keyed by the student's id
                    parts.append(f"({column} in ({numbers}) and lower(\"table_name\") like '%student%')")
        elif _INTEGER.match(data_type.upper()) and about_student and sis:
            parts.append(f"{column} in ({', '.join(sis)})")
    return " or ".join(parts) if parts else None


def _relations(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """Every base table of the open database, and of the readers' file when it is attached, with its columns
    (views hold nothing of their own); keyed by (catalog, schema, table)."""
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for catalog, schema, table, column, data_type in con.execute(
        "select c.table_catalog, c.table_schema, c.table_name, c.column_name, c.data_type "
        "from information_schema.columns c "
        "join information_schema.tables t on t.table_catalog = c.table_catalog "
        "and t.table_schema = c.table_schema and t.table_name = c.table_name "
        "where c.table_catalog in (current_database(), ?) and t.table_type = 'BASE TABLE' "
        "order by c.table_catalog, c.table_schema, c.table_name, c.ordinal_position",
        [READERS_CATALOG],
    ).fetchall():
        found.setdefault((catalog, schema, table), []).append((column, data_type))
    return found


def _qualified(catalog: str, schema: str, table: str) -> str:
    return ".".join(quote_identifier(part) for part in (catalog, schema, table))


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _plan(con: duckdb.DuckDBPyConnection, person: Person, extra: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(qualified table, condition) for every table holding the person, dlt child tables first (their rows
    are found through the parent record they belong to)."""
    relations = _relations(con)
    direct: dict[tuple[str, str, str], str] = {}
    for key, columns in relations.items():
        condition = match_condition(columns, person, extra)
        if condition:
            direct[key] = condition
    children: list[tuple[str, str]] = []
    referencing = _referencing(con)
    for (catalog, schema, table), columns in relations.items():
        root = (catalog, schema, table.split("__")[0])
        if "__" in table and "_dlt_root_id" in {c for c, _ in columns} and root in direct:
            via_parent = f"_dlt_root_id in (select _dlt_id from {_qualified(*root)} where {direct[root]})"
            own = direct.get((catalog, schema, table))
            children.append(
                (_qualified(catalog, schema, table), f"({via_parent})" + (f" or {own}" if own else ""))
            )
            direct.pop((catalog, schema, table), None)
    ordered = sorted(direct.items(), key=lambda item: item[0] not in referencing)
    return children + [(_qualified(*key), condition) for key, condition in ordered]


def _label(qualified: str) -> str:
    """`schema.table`, whichever file holds it (counts and audit rows name relations as readers know them)."""
    return qualified.replace('"', "").split(".", 1)[1]


def find_in_database(
    con: duckdb.DuckDBPyConnection, person: Person, extra: Sequence[str] = ()
) -> dict[str, int]:
    """Rows per table that belong to `person` (a dry run)."""
    found: dict[str, int] = {}
    for table, condition in _plan(con, person, extra):
        rows = _count(con, f"select count(*) from {table} where {condition}")
        if rows:
            found[_label(table)] = found.get(_label(table), 0) + rows
    return found


def erase_in_database(
    con: duckdb.DuckDBPyConnection, person: Person, extra: Sequence[str] = ()
) -> dict[str, int]:
    """Delete the person's rows from every table, a table at a time: rows that reference others (dlt child
    tables, facts with foreign keys) first, because DuckDB checks a foreign key against rows deleted earlier
    in the same transaction. An interrupted erasure is completed by running it again. The search index goes
    in one transaction: a document's postings, the vocabulary's counts of them, and a term no other document
    holds (with its trigrams)."""
    removed: dict[str, int] = {}
    plan = _plan(con, person, extra)
    search_terms = "search.search_terms"
    for table, condition in plan:
        if _label(table) == search_terms:
            removed.update(_erase_from_search_index(con, condition))
            continue
        rows = _count(con, f"delete from {table} where {condition}")
        if rows:
            removed[_label(table)] = removed.get(_label(table), 0) + rows
    if not any(_label(t) == search_terms for t, _ in plan) and _has_table(con, "search", "search_vocabulary"):
        removed.update(_erase_from_search_index(con, None))  # terms an interrupted attempt left orphaned
    return removed


def _erase_from_search_index(con: duckdb.DuckDBPyConnection, condition: str | None) -> dict[str, int]:
    removed: dict[str, int] = {}
    has_vocabulary = _has_table(con, "search", "search_vocabulary")
    con.execute("begin transaction")
    try:
        if condition is not None:
            rows = _count(con, f"select count(*) from search.search_terms where {condition}")
            if has_vocabulary and rows:
                con.execute(
                    "update search.search_vocabulary v set doc_count = v.doc_count - e.docs from ("
                    "select term, count(distinct doc_id) as docs from search.search_terms "
                    f"where {condition} group by term) e where v.term = e.term"
                )
            if rows:
                con.execute(f"delete from search.search_terms where {condition}")
                removed["search.search_terms"] = rows
        if has_vocabulary:
            gone = "doc_count <= 0 or term not in (select term from search.search_terms)"
            rows = _count(con, f"select count(*) from search.search_vocabulary where {gone}")
            if rows:
                con.execute(f"delete from search.search_vocabulary where {gone}")
                removed["search.search_vocabulary"] = rows
            if _has_table(con, "search", "search_trigrams"):
                orphan = "term not in (select term from search.search_vocabulary)"
                rows = _count(con, f"select count(*) from search.search_trigrams where {orphan}")
                if rows:
                    con.execute(f"delete from search.search_trigrams where {orphan}")
                    removed["search.search_trigrams"] = rows
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return removed


def _referencing(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    """Tables with a foreign key to another table."""
    return {
        (catalog, schema, table)
        for catalog, schema, table in con.execute(
            "select database_name, schema_name, table_name from duckdb_constraints() "
            "where constraint_type = 'FOREIGN KEY' and database_name in (current_database(), ?)",
            [READERS_CATALOG],
        ).fetchall()
    }


# ---------------------------------------------------------------- published snapshots and the lake


def _lake_extra(person: Person, warehouse: Path) -> list[str]:
    """Pseudonyms of the person's values, as the lake's personal columns hold them: made by the publish's
    own expression, so the two cannot drift apart."""
    values = [*person.emails, *person.sis_texts(), *person.workday_ids, person.student_key]
    with duckdb.connect() as con:
        con.execute("SET VARIABLE pseudonym_key = ?", [pseudonym_key(warehouse)])
        rows = con.execute(
            f"select {PSEUDONYM.format(column='value')} from unnest(?::varchar[]) as given(value)", [values]
        ).fetchall()
    return [row[0] for row in rows]


def rewrite_lake_file(con: duckdb.DuckDBPyConnection, path: Path, condition: str) -> None:
    """Replace `path` by a copy without the matching rows (written beside it, then renamed: a reader sees
    the old file or the new one, never half of one)."""
    source = f"read_parquet({sql_literal(str(path))}, hive_partitioning = false)"
    partial = path.with_name(f".{path.name}.erasing")
    con.execute(
        f"copy (select * from {source} where not ({condition})) to {sql_literal(str(partial))} "
        "(format parquet, compression zstd, compression_level 1)"
    )
    os.replace(partial, path)


def _lake(folder: Path, person: Person, extra: Sequence[str], apply: bool) -> dict[str, int]:
    """The person's rows per lake file of one publish, a table's files read in one query; with `apply`
    each affected file is rewritten without them."""
    found: dict[str, int] = {}
    lake = folder / LAKE_DIR
    if not lake.is_dir():
        return found
    tables: dict[Path, list[Path]] = {}
    for path in sorted(lake.rglob("*.parquet")):
        table = lake.joinpath(*path.relative_to(lake).parts[:2])  # lake/<schema>/<table>/...
        tables.setdefault(table, []).append(path)
    with duckdb.connect() as con:
        for files in tables.values():
            for path, rows, condition in _lake_rows(con, files, person, extra):
                found[str(path.relative_to(lake))] = rows
                if apply:
                    rewrite_lake_file(con, path, condition)
    return found


def _lake_rows(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], person: Person, extra: Sequence[str]
) -> list[tuple[Path, int, str]]:
    """(file, rows, condition) for each of one table's files that holds the person."""
    listed = ", ".join(sql_literal(str(f)) for f in files)
    source = f"read_parquet([{listed}], hive_partitioning = false, union_by_name = true, filename = true)"
    columns = [(r[0], r[1]) for r in con.execute(f"describe select * from {source}").fetchall()]
    condition = match_condition([c for c in columns if c[0] != "filename"], person, extra)
    if condition is None:
        return []
    hits = con.execute(
        f"select filename, count(*) from {source} where {condition} group by filename"
    ).fetchall()
    return [(Path(name), int(rows), condition) for name, rows in hits]


def _snapshot(
    folder: Path, person: Person, apply: bool, is_current: bool, settings: PublishSettings
) -> dict[str, int]:
    """The person's rows in one publish's snapshot; with `apply`, a copy without them renamed over it (and
    over the current snapshot's link when this publish is current), row counts in its manifest updated."""
    snapshot = folder / SNAPSHOT_FILE
    if not snapshot.is_file():
        return {}
    if not apply:
        with duckdb.connect(str(snapshot), read_only=True) as con:
            return find_in_database(con, person)
    # Erased in a copy straight away (no search first: one scan instead of two); a copy that lost nothing
    # is dropped and the snapshot left as it was.
    partial = folder / f".{SNAPSHOT_FILE}.erasing"
    shutil.copyfile(snapshot, partial)
    with duckdb.connect(str(partial)) as con:
        removed = erase_in_database(con, person)
        if removed and _has_table(con, "main", PUBLISHED_TABLES):
            for qualified, rows in removed.items():
                schema, table = qualified.split(".", 1)
                con.execute(
                    f"update main.{PUBLISHED_TABLES} set row_count = row_count - ? "
                    "where table_schema = ? and table_name = ?",
                    [rows, schema, table],
                )
        con.execute("checkpoint")
    if not removed:
        partial.unlink()
        return removed
    os.replace(partial, snapshot)
    _update_manifest(folder / MANIFEST_FILE, removed)
    if is_current:
        _update_manifest(settings.root / CURRENT_FILE, removed)
    return removed


def _update_manifest(path: Path, removed: dict[str, int]) -> None:
    if not path.is_file():
        return
    manifest = json.loads(path.read_text())
    for qualified, rows in removed.items():
        if qualified in manifest.get("tables", {}):
            manifest["tables"][qualified]["rows"] = int(manifest["tables"][qualified]["rows"]) - rows
    partial = path.with_name(f".{path.name}.erasing")
    partial.write_text(json.dumps(manifest, indent=1))
    os.replace(partial, path)


def published(person: Person, apply: bool, warehouse: Path) -> dict[str, dict[str, int]]:
    """The person's rows in every kept publish: `lake <id>` and `snapshot <id>` -> counts. Oldest first and
    each lake before its snapshot, the current snapshot last: until the end a snapshot still knows the person,
    so a request cut off half-way can resolve them again when it is re-run."""
    settings = PublishSettings.from_env()
    now = current(settings)
    found: dict[str, dict[str, int]] = {}
    kept = publications(settings)
    extra = _lake_extra(person, warehouse) if kept else []  # no lake, no key to read (or make)
    kept.sort(key=lambda p: (now is not None and p.publish_id == now.publish_id, p.publish_id))
    for publication in kept:
        folder = Path(publication.folder)
        is_current = now is not None and now.publish_id == publication.publish_id
        found[f"lake {publication.publish_id}"] = _lake(folder, person, extra, apply)
        found[f"snapshot {publication.publish_id}"] = _snapshot(folder, person, apply, is_current, settings)
        if is_current and apply:
            _relink_current(settings, folder / SNAPSHOT_FILE)
    return found


def _relink_current(settings: PublishSettings, snapshot: Path) -> None:
    """The readers' snapshot path is a hard link to the current publish's file: point it at the rewritten one
    (also when an earlier attempt was cut off between the rewrite and the link)."""
    if settings.snapshot.is_file() and os.path.samefile(settings.snapshot, snapshot):
        return
    link = settings.root / f".{SNAPSHOT_FILE}.erasing"
    link.unlink(missing_ok=True)
    os.link(snapshot, link)
    os.replace(link, settings.snapshot)


def resolve_in_publishes(identifier: str) -> Person | None:
    """The person as the kept snapshots know them (for a request re-run after the working warehouse was
    already cleared)."""
    keys: set[str] = set()
    person = None
    settings = PublishSettings.from_env()
    snapshots = [settings.snapshot, *(Path(p.folder) / SNAPSHOT_FILE for p in publications(settings))]
    for snapshot in snapshots:
        if not snapshot.is_file():
            continue
        with duckdb.connect(str(snapshot), read_only=True) as con:
            found = _keys_in_identity(con, identifier)
            keys |= found
            if len(found) == 1 and person is None:
                person = _person(con, next(iter(found)))
    if len(keys) > 1:
        raise ErasureError("ambiguous", f"the {identifier_kind(identifier)} given matches {len(keys)} people")
    return person


# ---------------------------------------------------------------- dlt's working folders


def _package_of(path: Path, root: Path) -> Path | None:
    """The dlt load package a file belongs to (`<pipeline>/{load,normalize,extract}/<state>/<load id>/`)."""
    parts = path.relative_to(root).parts
    for index, part in enumerate(parts):
        if part in {"load", "normalize", "extract"} and index + 3 < len(parts):
            return root.joinpath(*parts[: index + 3])
    return None


def _file_holds(path: Path, needles: Sequence[bytes], person: Person) -> bool:
    if path.suffix == ".parquet":
        with duckdb.connect() as con:
            return bool(_lake_rows(con, [path], person, ()))
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        with suppress(OSError):
            data = gzip.decompress(data)
    data = data.lower()
    return any(needle in data for needle in needles)


def pipeline_files(person: Person, apply: bool) -> dict[str, int]:
    """Files under dlt's pipelines folder that hold the person; with `apply`, their load package (or the file
    itself, outside a package) is deleted: a successful load keeps no rows there, so this is a failed load's
    leftovers, which would otherwise load the person again."""
    root = pipelines_dir()
    found: dict[str, int] = {}
    if not root.is_dir():
        return found
    needles = [s.encode() for s in person.unique_strings()]
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if not path.exists() or not _file_holds(path, needles, person):
            continue
        found[str(path.relative_to(root))] = 1
        if apply:
            package = _package_of(path, root)
            if package is not None:
                shutil.rmtree(package, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    return found


# ---------------------------------------------------------------- the request


@contextmanager
def _working(apply: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """The working warehouse, held for the request as `campus run` holds it (a held file: WarehouseLocked)."""
    path = warehouse_path()
    if not path.is_file():
        raise ErasureError("failed", f"no working warehouse at {path}: nothing to erase from")
    wait_for_warehouse(path)
    try:
        con = connect_working(path, read_only=not apply)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLocked(path, holder_pid(str(exc)), 0.0) from None
        raise
    try:
        yield con
    finally:
        con.close()


def _suppressed(identifier: str) -> bool:
    listed = suppression.load()
    return any(listed.is_suppressed(kind, identifier) for kind in suppression.KINDS)


def verify(con: duckdb.DuckDBPyConnection, person: Person) -> dict[str, int]:
    """Everything still holding the person's ids or e-mails (a name is no identifier: many people share one):
    the working warehouse (`con`), every kept
    snapshot and lake file, and dlt's working folders. Empty when the erasure is complete."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # separate files: searched side by side
        copies = pool.submit(published, person, False, warehouse_path())
        files = pool.submit(pipeline_files, person, False)
        remaining: dict[str, int] = dict(find_in_database(con, person))
        for place, found in copies.result().items():
            for name, rows in found.items():
                remaining[f"{place}:{name}"] = rows
        for name, rows in files.result().items():
            remaining[f"pipelines:{name}"] = rows
    return remaining


def erase(identifier: str, request_id: str, by: str, apply: bool = False) -> Result:
    """Run one request (see the module docstring); raises ErasureError (recorded) when it cannot go ahead."""
    mode = APPLY if apply else DRY_RUN
    kind = identifier_kind(identifier)
    _record(request_id, by, mode, kind, "started", "started")
    result = Result()
    try:
        with _working(apply) as con:
            person = resolve(con, identifier)
            if person is None:
                person = resolve_in_publishes(identifier)
            if person is None and _suppressed(identifier):
                raise ErasureError(
                    "already_erased",
                    f"the {kind} given belongs to a person erased before (it is on the suppression list) and "
                    "is found nowhere any more: nothing to do.",
                )
            if person is None:
                raise ErasureError(
                    "not_found",
                    f"the {kind} given matches nobody in the identity layer or the kept snapshots: nothing "
                    "was changed. Check the identifier (a student key, SIS id, Workday id or e-mail).",
                )
            if apply:
                suppression.add_entries(
                    [
                        *(("sis_id", s) for s in person.sis_ids),
                        *(("workday_id", w) for w in person.workday_ids),
                        *(("email", e) for e in person.emails),
                    ],
                    request_id,
                )
            # Still holding the warehouse, so no run loads or publishes meanwhile. The copies are other files:
            # cleared alongside the working warehouse, each publish still in its own safe order.
            with ThreadPoolExecutor(max_workers=2) as pool:
                files = pool.submit(pipeline_files, person, apply)
                copies = pool.submit(published, person, apply, warehouse_path())
                result.add("", (erase_in_database if apply else find_in_database)(con, person))
                result.lap("warehouse")
                result.add("pipelines", files.result())
                for place, found in copies.result().items():
                    result.add(place, found)
                result.lap("published (alongside)")
            if apply:
                request_compaction(warehouse_path())  # the next publish copies no freed bytes of theirs
                result.remaining = verify(con, person)
                result.verification = "passed" if not result.remaining else "failed"
                result.lap("verification")
    except WarehouseLocked as locked:
        _record(request_id, by, mode, kind, "finished", "locked", result, detail=str(locked))
        raise ErasureError("locked", str(locked)) from None
    except ErasureError as refused:
        _record(request_id, by, mode, kind, "finished", refused.outcome, result, detail=str(refused))
        raise
    outcome = "planned" if not apply else ("erased" if result.verification == "passed" else "incomplete")
    detail = None
    if result.remaining:
        detail = json.dumps(result.remaining, sort_keys=True)
    _record(request_id, by, mode, kind, "finished", outcome, result, detail=detail)
    return result
