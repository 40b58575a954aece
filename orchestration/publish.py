"""Publishing: after a successful build, a read-only DuckDB snapshot and a Parquet lake of what readers use.

Readers (the app, BI tools, notebooks) never open the working warehouse, which belongs to the pipeline: DuckDB
lets one process write a file only while no other process has it open. Each publish is written whole into a
new folder, then made current by two atomic renames, so a reader never sees a half-built or mixed view.

Layout under the publish root (`CAMPUS_PUBLISH_DIR`, default `published/` beside the warehouse file):

    campus.duckdb        the current snapshot: a hard link to the newest publish's file, swapped with rename
    lake/                the current lake: a symlink to the newest publish's `lake/`, swapped with rename
    current.json         the current publish's manifest
    publishes/<id>/      one folder per publish: campus.duckdb, lake/<schema>/<table>/..., manifest.json

The snapshot is a copy of the file dbt builds the reader-facing models into (`<warehouse>.readers.duckdb`,
docs/decisions/018), with what lives in the working file (operations views, stored failing rows) added as
tables. A reader that has the old snapshot open keeps reading the old file (its inode lives until closed); the
next open sees the new one. The snapshot is the app's copy, with personal values in clear (the app masks them
by role); the lake is what BI tools read, and every column dbt tags as personal is pseudonymised there by a
keyed hash (docs/decisions/013). Settings read: `CAMPUS_WAREHOUSE` (the working file), `CAMPUS_PUBLISH_DIR`,
`CAMPUS_PUBLISH_KEEP` (how many publishes to keep, default 7), `CAMPUS_PSEUDONYM_KEY` (the hash key; without
it, a random key kept in the git-ignored `.secrets/pseudonym.key` beside the working warehouse).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingestion.destination import (
    READERS_CATALOG,
    SNAPSHOT_FILE,
    connect_working,
    published_dir,
    readers_path,
    warehouse_path,
)

DEFAULT_KEEP = 7
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "current.json"
LAKE_DIR = "lake"
PUBLISHES_DIR = "publishes"
# A folder being written; never pointed to, removed by the next publish if a killed one left it behind.
PARTIAL_PREFIX = ".partial-"
# The table inside every snapshot that says which run it holds ("data as of") and what it contains.
PUBLICATION_TABLE = "publication"
PUBLISHED_TABLES = "published_tables"
# The new snapshot's catalog name while it is written, beside the working file and the readers' file.
SNAPSHOT_CATALOG = "published_snapshot"
# A pseudonym: the first 32 hex digits of sha256(key : value); stable across runs for joins and counts, not
# reversible without the key. The key goes in as a variable, never into the statement's text.
PSEUDONYM = (
    "CASE WHEN {column} IS NULL THEN NULL "
    "ELSE left(sha256(getvariable('pseudonym_key') || ':' || CAST({column} AS VARCHAR)), 32) END"
)
KEY_FILE = Path(".secrets") / "pseudonym.key"
# zstd's fastest level: the same size as its default level here and a little less CPU (docs/decisions/010).
PARQUET_OPTIONS = "COMPRESSION zstd, COMPRESSION_LEVEL 1"


Key = tuple[str, str]  # (schema, relation)


class PublishError(RuntimeError):
    """A publish could not complete; the previous publish stays current."""


@dataclass(frozen=True)
class Relation:
    """One relation readers use: always in the snapshot; in the lake unless `in_lake` is false, split there
    by a column or expression (`None`: one file)."""

    schema: str
    name: str
    partition_by: str | None = None
    partition_expression: str | None = None
    in_lake: bool = True
    personal: tuple[str, ...] = ()  # columns pseudonymised in the lake
    unpublished: tuple[str, ...] = ()  # the build's bookkeeping columns, in neither the snapshot nor the lake

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class PublishSettings:
    root: Path
    keep: int = DEFAULT_KEEP

    @classmethod
    def from_env(cls) -> PublishSettings:
        root = published_dir()
        raw_keep = os.environ.get("CAMPUS_PUBLISH_KEEP") or str(DEFAULT_KEEP)
        try:
            keep = int(raw_keep)
        except ValueError:
            raise PublishError(
                f"CAMPUS_PUBLISH_KEEP must be a whole number of publishes, not {raw_keep!r}"
            ) from None
        if keep < 1:
            raise PublishError(f"CAMPUS_PUBLISH_KEEP must be at least 1 (the current publish), not {keep}")
        return cls(root=root, keep=keep)

    @property
    def snapshot(self) -> Path:
        return self.root / SNAPSHOT_FILE

    @property
    def lake(self) -> Path:
        return self.root / LAKE_DIR

    @property
    def publishes(self) -> Path:
        return self.root / PUBLISHES_DIR


@dataclass
class Publication:
    """One publish, as its manifest records it."""

    publish_id: str
    run_id: str
    published_at: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshot_seconds: float = 0.0
    lake_seconds: float = 0.0
    folder: str = ""

    @property
    def rows(self) -> int:
        return sum(int(t["rows"]) for t in self.tables.values())

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in Path(self.folder).rglob("*") if p.is_file())

    def manifest(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("folder")
        return data


def quote_identifier(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_readers(warehouse: Path, target: Path, relations: Sequence[Relation]) -> tuple[set[Key], set[Key]]:
    """The snapshot's first part: the readers' file copied whole (dbt builds the public reader-facing models
    there), with what readers do not get dropped (a private model, a dropped model's last table, the columns
    dbt marks `meta.publish: false`) and its views too (made tables by `_complete_snapshot`). Reads nothing of
    the working file. Returns the published tables it holds and the views it had."""
    shutil.copyfile(readers_path(warehouse), target)
    wanted = {(r.schema, r.name): r for r in relations}
    with duckdb.connect(str(target)) as con:
        tables = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
        views = set(
            con.execute("select schema_name, view_name from duckdb_views() where not internal").fetchall()
        )
        for schema, name in views:
            con.execute(f"DROP VIEW {quote_identifier(schema)}.{quote_identifier(name)}")
        _drop_tables(con, tables - set(wanted))
        for key in tables & set(wanted):
            for column in wanted[key].unpublished:
                con.execute(
                    f"ALTER TABLE {quote_identifier(key[0])}.{quote_identifier(key[1])} "
                    f"DROP COLUMN {quote_identifier(column)}"
                )
    return tables & set(wanted), views


def _complete_snapshot(
    warehouse: Path,
    target: Path,
    relations: Sequence[Relation],
    copied: set[Key],
    views: set[Key],
    run_id: str,
    published_at: str,
) -> dict[str, dict[str, Any]]:
    """The snapshot's second part: the relations the readers' file copy does not hold as tables (operations
    views and stored failing rows from the working file, the readers' file's views) copied in as tables,
    `publication` and `published_tables` added; returns table -> rows, columns."""
    readers = readers_path(warehouse)
    tables: dict[str, dict[str, Any]] = {}
    snap = SNAPSHOT_CATALOG
    with duckdb.connect() as con:
        # The working file under the catalog name DuckDB gives it (as dbt's connection did) and the readers'
        # file as dbt attached it: the views dbt wrote name both (`readers.marts.x`, `campus.quality.y`).
        con.execute(f"ATTACH {sql_literal(str(warehouse))} (READ_ONLY)")
        con.execute(f"ATTACH {sql_literal(str(readers))} AS {READERS_CATALOG} (READ_ONLY)")
        con.execute(f"ATTACH {sql_literal(str(target))} AS {snap}")
        found = con.execute(
            "select database_name from duckdb_databases() where path = ?", [str(warehouse)]
        ).fetchone()
        if not found:
            raise PublishError(f"DuckDB did not list {warehouse} as attached")
        working = quote_identifier(found[0])
        for relation in relations:
            if (relation.schema, relation.name) in copied:
                continue
            schema, name = quote_identifier(relation.schema), quote_identifier(relation.name)
            home = READERS_CATALOG if (relation.schema, relation.name) in views else working
            columns_sql = "*"
            if relation.unpublished:
                columns_sql = f"* EXCLUDE ({', '.join(quote_identifier(c) for c in relation.unpublished)})"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {snap}.{schema}")
            con.execute(
                f"CREATE TABLE {snap}.{schema}.{name} AS SELECT {columns_sql} FROM {home}.{schema}.{name}"
            )
        for relation in relations:
            schema, name = quote_identifier(relation.schema), quote_identifier(relation.name)
            rows = con.execute(f"SELECT count(*) FROM {snap}.{schema}.{name}").fetchone()
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [snap, relation.schema, relation.name],
            ).fetchall()
            tables[relation.qualified] = {
                "rows": int(rows[0]) if rows else 0,
                "columns": [{"name": n, "type": t} for n, t in columns],
                "in_lake": relation.in_lake,
                "partition_by": relation.partition_by if relation.in_lake else None,
                "pseudonymised_in_lake": list(relation.personal) if relation.in_lake else [],
            }
        con.execute(
            f"CREATE TABLE {snap}.main.{PUBLICATION_TABLE} AS "
            "SELECT ? AS run_id, ?::TIMESTAMPTZ AS published_at",
            [run_id, published_at],
        )
        con.execute(
            f"CREATE TABLE {snap}.main.{PUBLISHED_TABLES} "
            "(table_schema VARCHAR, table_name VARCHAR, row_count BIGINT, is_in_lake BOOLEAN)"
        )
        con.executemany(
            f"INSERT INTO {snap}.main.{PUBLISHED_TABLES} VALUES (?, ?, ?, ?)",
            [(*qualified.split(".", 1), info["rows"], info["in_lake"]) for qualified, info in tables.items()],
        )
        # Readers open the file read-only: everything must be in the file itself, nothing left in a WAL.
        con.execute(f"CHECKPOINT {snap}")
    return tables


def _drop_tables(con: duckdb.DuckDBPyConnection, tables: set[Key]) -> None:
    """Drop `tables`, those holding foreign keys to others first (DuckDB refuses to drop a referenced one)."""
    referencing = set(
        con.execute(
            "select schema_name, table_name from duckdb_constraints() where constraint_type = 'FOREIGN KEY'"
        ).fetchall()
    )
    for schema, name in sorted(tables, key=lambda t: (t not in referencing, t)):
        con.execute(f"DROP TABLE {quote_identifier(schema)}.{quote_identifier(name)}")


def _compaction_marker(warehouse: Path) -> Path:
    readers = readers_path(warehouse)
    return readers.with_name(readers.name + ".compact")


def request_compaction(warehouse: Path) -> None:
    """Have the next publish rewrite the readers' file first. DuckDB leaves deleted rows' bytes in the file's
    freed blocks, and a publish copies the file whole: after an erasure, a rewrite keeps them out of every
    snapshot published from then on (docs/decisions/018)."""
    _compaction_marker(warehouse).touch()


def compact_readers(warehouse: Path) -> None:
    """Rewrite the readers' file with its live rows only (DuckDB's `COPY FROM DATABASE` into a new file, then
    a rename), and clear the request for it."""
    readers = readers_path(warehouse)
    fresh = readers.with_name(readers.name + ".compacting")
    fresh.unlink(missing_ok=True)
    try:
        with connect_working(warehouse) as con:
            con.execute(f"ATTACH {sql_literal(str(fresh))} AS compacting")
            con.execute(f"COPY FROM DATABASE {READERS_CATALOG} TO compacting")
            con.execute("DETACH compacting")
        os.replace(fresh, readers)
    finally:
        fresh.unlink(missing_ok=True)
    _compaction_marker(warehouse).unlink(missing_ok=True)


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def pseudonym_key(warehouse: Path) -> str:
    """The lake's hash key: `CAMPUS_PSEUDONYM_KEY`, else one made once and kept beside the working file."""
    configured = os.environ.get("CAMPUS_PSEUDONYM_KEY")
    if configured:
        return configured
    path = warehouse.parent / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _select_list(relation: Relation) -> str:
    if not relation.personal:
        return "*"
    replaced = ", ".join(
        f"{PSEUDONYM.format(column=quote_identifier(c))} AS {quote_identifier(c)}" for c in relation.personal
    )
    return f"* REPLACE ({replaced})"


def write_lake(snapshot: Path, lake: Path, relations: Sequence[Relation], key: str) -> None:
    """Parquet files per lake table, from the finished snapshot (so the lake and the snapshot are one run),
    personal columns pseudonymised."""
    lake.mkdir(exist_ok=True)  # there even when no relation is in the lake: an empty lake, not a broken link
    with duckdb.connect(str(snapshot), read_only=True) as con:
        con.execute("SET VARIABLE pseudonym_key = ?", [key])
        for relation in (r for r in relations if r.in_lake):
            _export(con, lake, relation)


def _export(con: duckdb.DuckDBPyConnection, lake: Path, relation: Relation) -> None:
    folder = lake / relation.schema / relation.name
    source = f"{quote_identifier(relation.schema)}.{quote_identifier(relation.name)}"
    columns = _select_list(relation)
    if relation.partition_by is None:
        folder.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT {columns} FROM {source}) TO {sql_literal(str(folder / 'data_0.parquet'))} "
            f"(FORMAT parquet, {PARQUET_OPTIONS})"
        )
        return
    folder.parent.mkdir(parents=True, exist_ok=True)  # DuckDB creates only the table's own folder
    key_column = quote_identifier(relation.partition_by)
    select = f"SELECT {columns} FROM {source}"
    if relation.partition_expression:  # the key is computed, e.g. a month: added as a column
        select = f"SELECT {columns}, {relation.partition_expression} AS {key_column} FROM {source}"
    con.execute(
        f"COPY ({select}) TO {sql_literal(str(folder))} "
        f"(FORMAT parquet, {PARQUET_OPTIONS}, PARTITION_BY ({key_column}))"
    )


def _swap(settings: PublishSettings, folder: Path, manifest: Mapping[str, Any]) -> None:
    """Make `folder` the current publish: the snapshot link, the lake link, then the manifest."""
    root = settings.root
    tmp_snapshot = root / f".{SNAPSHOT_FILE}.next"
    tmp_snapshot.unlink(missing_ok=True)
    os.link(folder / SNAPSHOT_FILE, tmp_snapshot)
    os.replace(tmp_snapshot, settings.snapshot)
    tmp_lake = root / f".{LAKE_DIR}.next"
    tmp_lake.unlink(missing_ok=True)
    os.symlink(Path(PUBLISHES_DIR) / folder.name / LAKE_DIR, tmp_lake)
    os.replace(tmp_lake, settings.lake)
    tmp_current = root / f".{CURRENT_FILE}.next"
    tmp_current.write_text(json.dumps(manifest, indent=1))
    os.replace(tmp_current, root / CURRENT_FILE)


def _remove_partials(settings: PublishSettings) -> None:
    if settings.publishes.is_dir():
        for leftover in settings.publishes.glob(f"{PARTIAL_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)


def publish(
    relations: Sequence[Relation],
    run_id: str,
    settings: PublishSettings | None = None,
    warehouse: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Publication:
    """Publish the working warehouse's reader relations as the current snapshot and lake.

    `meanwhile` runs while the readers' file is copied and its tables exported, before anything of the working
    file is read (a run records itself there, so the snapshot's run history lists it). Raises `PublishError`
    when it cannot; then nothing of this publish is left and the previous one stays current."""
    settings = settings or PublishSettings.from_env()
    warehouse = (warehouse or warehouse_path()).resolve()
    if not relations:
        raise PublishError("nothing to publish: the build made none of the relations readers use")
    if not warehouse.is_file():
        raise PublishError(f"no warehouse at {warehouse} to publish: run `campus run` first")
    settings.publishes.mkdir(parents=True, exist_ok=True)
    _remove_partials(settings)
    now = datetime.now(UTC)
    publish_id = f"{now:%Y%m%dT%H%M%S%fZ}-{run_id[:12]}"
    partial = settings.publishes / f"{PARTIAL_PREFIX}{publish_id}"
    folder = settings.publishes / publish_id
    try:
        partial.mkdir()
        seconds = {"snapshot": 0.0, "lake": 0.0}
        snapshot, lake, key = partial / SNAPSHOT_FILE, partial / LAKE_DIR, pseudonym_key(warehouse)

        # Both open the working file too (the readers' views name its catalog): before `meanwhile` writes it.
        t0 = time.perf_counter()
        readers = readers_path(warehouse)
        if not readers.is_file():
            raise PublishError(f"no readers' file at {readers}: run `campus run` to build it")
        if _compaction_marker(warehouse).exists():
            compact_readers(warehouse)
        elif _wal(readers).exists():  # committed work not yet in the file: open and close it to checkpoint
            connect_working(warehouse).close()
        seconds["snapshot"] += time.perf_counter() - t0

        def readers_part() -> tuple[set[Key], set[Key]]:  # nothing of the working file: beside `meanwhile`
            t0 = time.perf_counter()
            copied, views = _copy_readers(warehouse, snapshot, relations)
            t1 = time.perf_counter()
            write_lake(snapshot, lake, [r for r in relations if (r.schema, r.name) in copied], key)
            seconds["snapshot"] += t1 - t0
            seconds["lake"] += time.perf_counter() - t1
            return copied, views

        with ThreadPoolExecutor(max_workers=1) as pool:
            first = pool.submit(readers_part)
            try:
                if meanwhile is not None:
                    meanwhile()
            finally:
                copied, views = first.result()
        t0 = time.perf_counter()
        tables = _complete_snapshot(warehouse, snapshot, relations, copied, views, run_id, now.isoformat())
        t1 = time.perf_counter()
        write_lake(snapshot, lake, [r for r in relations if (r.schema, r.name) not in copied], key)
        snapshot_seconds = seconds["snapshot"] + t1 - t0
        lake_seconds = seconds["lake"] + time.perf_counter() - t1
        publication = Publication(
            publish_id=publish_id,
            run_id=run_id,
            published_at=now.isoformat(),
            tables=tables,
            snapshot_seconds=round(snapshot_seconds, 3),
            lake_seconds=round(lake_seconds, 3),
            folder=str(folder),
        )
        (partial / MANIFEST_FILE).write_text(json.dumps(publication.manifest(), indent=1))
        os.rename(partial, folder)
    except (duckdb.Error, OSError) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise PublishError(
            f"publish of run {run_id} failed, the previous publish stays current: {exc}"
        ) from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        _swap(settings, folder, publication.manifest())
    except OSError as exc:  # e.g. no hard links on this file system: the complete publish stays listed
        raise PublishError(f"publish {publish_id} is written but could not be made current: {exc}") from exc
    prune(settings)
    return publication


def reader_relations(warehouse: Path) -> list[Relation]:
    """What to publish, as dbt lists it in the working warehouse: the public reader-facing relations and the
    stored failing rows of data tests, each only if the build made it (a selective build may not have); the
    lake leaves out the models that say `meta.lake.include: false`, and pseudonymises in every table the
    columns named as any column dbt tags personal (so stored failing rows of a personal column are too); the
    columns dbt marks `meta.publish: false` are left out of both."""
    with connect_working(warehouse, read_only=True) as con:
        listed = con.execute(
            "select schema_name, relation_name, lake_partition_column, lake_partition_expression, "
            "is_in_lake, unpublished_columns "
            "from operations.ops_reader_relations where access_level = 'public' "
            "union all "
            "select failures_schema, failures_relation, null, null, true, null "
            "from operations.ops_dbt_stored_test_failures"
        ).fetchall()
        tagged = {
            name.lower()
            for (name,) in con.execute("select column_name from operations.ops_personal_columns").fetchall()
        }
        columns: dict[tuple[str, str], list[str]] = {}
        for schema, name, column in con.execute(
            # a relation in both files (one left from before the readers' file) is the readers' one
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
            "where c.table_catalog = ? or (c.table_catalog = current_database() and not exists ("
            "  select 1 from information_schema.tables r where r.table_catalog = ? "
            "  and r.table_schema = c.table_schema and r.table_name = c.table_name)) "
            "order by c.ordinal_position",
            [READERS_CATALOG, READERS_CATALOG],
        ).fetchall():
            columns.setdefault((schema.lower(), name.lower()), []).append(column)
    relations = []
    for schema, name, column, expression, in_lake, unpublished in sorted(set(listed)):
        if (schema, name) not in columns:
            continue
        left_out = set((unpublished or "").split(","))
        kept = [c for c in columns[(schema, name)] if c.lower() not in left_out]
        relations.append(
            Relation(
                schema,
                name,
                column,
                expression,
                bool(in_lake),
                tuple(c for c in kept if c.lower() in tagged),
                tuple(c for c in columns[(schema, name)] if c.lower() in left_out),
            )
        )
    return relations


def publish_warehouse(
    run_id: str, settings: PublishSettings | None = None, meanwhile: Callable[[], None] | None = None
) -> Publication:
    """Publish what dbt lists as reader-facing from the working warehouse (`CAMPUS_WAREHOUSE`)."""
    warehouse = warehouse_path().resolve()
    if not warehouse.is_file():
        raise PublishError(f"no warehouse at {warehouse} to publish: run `campus run` first")
    try:
        relations = reader_relations(warehouse)
    except duckdb.Error as exc:
        raise PublishError(
            f"cannot list what to publish from {warehouse} (operations.ops_reader_relations and "
            f"ops_personal_columns): {exc}. "
            "Run `campus run` to build it."
        ) from exc
    return publish(relations, run_id, settings, warehouse, meanwhile)


def publications(settings: PublishSettings | None = None) -> list[Publication]:
    """Every complete publish, newest first (a folder without a manifest is not one)."""
    settings = settings or PublishSettings.from_env()
    found = []
    if settings.publishes.is_dir():
        for folder in settings.publishes.iterdir():
            manifest = folder / MANIFEST_FILE
            if folder.name.startswith(PARTIAL_PREFIX) or not manifest.is_file():
                continue
            data = json.loads(manifest.read_text())
            found.append(Publication(**data, folder=str(folder)))
    return sorted(found, key=lambda p: p.publish_id, reverse=True)


def current(settings: PublishSettings | None = None) -> Publication | None:
    """The publish readers see now, or None before the first publish."""
    settings = settings or PublishSettings.from_env()
    pointer = settings.root / CURRENT_FILE
    if not pointer.is_file() or not settings.snapshot.is_file():
        return None
    data = json.loads(pointer.read_text())
    return Publication(**data, folder=str(settings.publishes / data["publish_id"]))


def prune(settings: PublishSettings) -> list[str]:
    """Remove publishes beyond the newest `keep`, never the current one; returns the removed ids."""
    now_current = current(settings)
    removed = []
    for old in publications(settings)[settings.keep :]:
        if now_current is not None and old.publish_id == now_current.publish_id:
            continue
        shutil.rmtree(old.folder, ignore_errors=True)
        removed.append(old.publish_id)
    return removed


def snowflake_statements(
    database: str,
    run_id: str,
    published_at: datetime,
    existing_clones: Sequence[str],
    keep: int = DEFAULT_KEEP,
) -> list[str]:
    """What publishing means on Snowflake (`prod`), as SQL for the pipeline's role to run after a build.

    Readers there already get transactional isolation, so a publish is an "as of a run" view and a rollback
    point: a zero-copy clone of the built database per run (`<DB>_RUN_<time>`), cloned again into the one
    database readers are granted (`<DB>_PUBLISHED`, replaced atomically), and clones beyond `keep` dropped.
    Rolling back is `CREATE OR REPLACE DATABASE <DB>_PUBLISHED CLONE <DB>_RUN_<earlier time>`. Not run here:
    no Snowflake is reachable and the emulator has no CLONE (docs/decisions/010)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", database):
        raise PublishError(f"not a plain Snowflake database name: {database!r}")
    base = database.upper()
    clone = f"{base}_RUN_{published_at:%Y%m%dT%H%M%S}"
    comment = f"COMMENT = {sql_literal(f'campus run {run_id}')}"
    statements = [
        f"CREATE DATABASE {clone} CLONE {base} {comment}",
        f"CREATE OR REPLACE DATABASE {base}_PUBLISHED CLONE {clone} {comment}",
    ]
    older = sorted((c.upper() for c in existing_clones if c.upper().startswith(f"{base}_RUN_")), reverse=True)
    statements += [f"DROP DATABASE IF EXISTS {name}" for name in older[max(0, keep - 1) :]]
    return statements
