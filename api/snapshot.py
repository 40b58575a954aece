"""The published snapshot the API answers from, held in memory, and the watcher that swaps in a new publish.

Records (profiles, recommendations, postings, best-fit lists) are read once per snapshot with the app's own
statements (`app.data.records`), ordered by key, and each key's rows serialised to JSON once: a request
looks its answer up by key, it never scans a table. Search is `app.data.search.SearchEngine`, loaded once per
snapshot on the snapshot's own read-only connection, closed once everything is in memory. Settings:
`CAMPUS_PUBLISH_DIR` (through `ingestion.destination.published_dir`).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app import privacy
from app.data import records
from app.data.search import SearchEngine, SearchFilters, SearchPage
from ingestion.destination import SNAPSHOT_FILE, published_dir
from orchestration.publish import PublishSettings, current

log = logging.getLogger("api.snapshot")

# How often the watcher looks for a new publish (one stat of the snapshot file).
CHECK_SECONDS = 2.0
# Columns holding dbt's '; '-delimited skill lists, answered as JSON lists.
LIST_COLUMNS = frozenset({"matched_skills", "missing_skills", "closes_skills", "skills"})


def snapshot_path() -> Path:
    return published_dir() / SNAPSHOT_FILE


def no_snapshot_message(path: Path) -> str:
    return (
        f"No published snapshot at {path} yet. `make run` publishes one after a successful build "
        "(`campus publish` republishes a built warehouse); CAMPUS_PUBLISH_DIR points the API elsewhere."
    )


# Rows turned into Python objects at a time while a snapshot loads (bounds the load's transient memory).
LOAD_CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class Keyed:
    """Each key's rows serialised to JSON once per snapshot and compressed (zlib's fastest level; JSON
    rows repeat their keys, so about a fifth of the size): a request decompresses the bytes it looks up
    (microseconds) and parses them only to mask them; no table is scanned per request."""

    answers: dict[str, bytes]
    # The same answers masked by the app's rules, for records whose personal fields are not all text (a date
    # of birth is masked whole, as the app masks it, not as the text its JSON would be).
    masked: dict[str, bytes] | None = None

    @classmethod
    def build(
        cls, table: pa.Table, key: str, drop_key: bool = False, single: bool = False, mask: bool = False
    ) -> Keyed:
        """`table` ordered by `key`; `single`: one row per key, answered as an object, not a list; `mask`:
        keep a masked copy of every answer too."""
        table = _skill_lists(_plain_numbers(table))
        column = table.column(key).combine_chunks()
        keys = column.to_pylist()
        if drop_key:
            table = table.drop_columns([key])
        starts = [0] if keys else []
        if len(keys) > 1:
            changed = pc.not_equal(column.slice(1), column.slice(0, len(keys) - 1))
            starts += (np.flatnonzero(changed.to_numpy(zero_copy_only=False)) + 1).tolist()
        answers: dict[str, bytes] = {}
        masked: dict[str, bytes] | None = {} if mask else None
        personal = privacy.pii_columns()
        bounds = [*starts, len(keys)]
        group = 0
        while group < len(starts):
            # A chunk of whole groups, about LOAD_CHUNK_ROWS rows (one larger group goes alone).
            last = group + 1
            while last < len(starts) and bounds[last + 1] - bounds[group] <= LOAD_CHUNK_ROWS:
                last += 1
            offset = bounds[group]
            rows = table.slice(offset, bounds[last] - offset).to_pylist()
            for index in range(group, last):
                chunk = rows[bounds[index] - offset : bounds[index + 1] - offset]
                answers[str(keys[bounds[index]])] = _pack(chunk[0] if single else chunk)
                if masked is not None:
                    hidden = [privacy.mask_record(row, None, personal) for row in chunk]
                    masked[str(keys[bounds[index]])] = _pack(hidden[0] if single else hidden)
            group = last
        return cls(answers, masked)

    def json(self, key: str, masked: bool = False) -> bytes | None:
        found = (self.masked if masked and self.masked is not None else self.answers).get(key)
        return None if found is None else zlib.decompress(found)

    def __contains__(self, key: object) -> bool:
        return key in self.answers

    def __len__(self) -> int:
        return len(self.answers)


def _pack(value: Any) -> bytes:
    return zlib.compress(orjson.dumps(value), 1)


def _skill_lists(table: pa.Table) -> pa.Table:
    """dbt's '; '-delimited skill lists as lists of names, split by Arrow for the whole table at once
    (splitting row by row in Python was a third of a load); a missing list is an empty one."""
    for index, field in enumerate(table.schema):
        if field.name not in LIST_COLUMNS or not pa.types.is_string(field.type):
            continue
        parts = pc.split_pattern(pc.fill_null(table.column(index), ""), ";").combine_chunks()
        names = pc.utf8_trim_whitespace(parts.flatten())
        keep = pc.not_equal(pc.utf8_length(names), 0)
        parents = pc.list_parent_indices(parts).filter(keep).to_numpy()
        lengths = np.bincount(parents, minlength=len(parts))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        lists = pa.ListArray.from_arrays(pa.array(offsets), names.filter(keep))
        table = table.set_column(index, field.name, lists)
    return table


def _plain_numbers(table: pa.Table) -> pa.Table:
    """Decimals as floats: JSON has one number type, and the app shows GPA as a float too."""
    for index, column in enumerate(table.schema):
        if pa.types.is_decimal(column.type):
            table = table.set_column(index, column.name, pc.cast(table.column(index), pa.float64()))
    return table


@dataclass
class Snapshot:
    """One publish, loaded: what every endpoint reads. Immutable once loaded; a new publish is a new one."""

    path: Path
    inode: int
    run_id: str
    published_at: str
    students: Keyed
    job_recommendations: Keyed
    course_recommendations: Keyed
    jobs: Keyed
    requisitions: dict[str, str]  # requisition id -> job posting id (the app finds postings by either)
    best_fit: Keyed
    search_engine: SearchEngine
    load_seconds: float

    @property
    def data_as_of(self) -> dict[str, str]:
        return {"run_id": self.run_id, "published_at": self.published_at}

    @cached_property
    def data_as_of_json(self) -> bytes:
        return orjson.dumps(self.data_as_of)

    def search(self, text: str, filters: SearchFilters, page: int) -> SearchPage:
        return self.search_engine.search(text, filters, page)


def publish_file(path: Path) -> Path:
    """The file of the publish `path` links to now (`publishes/<id>/campus.duckdb`), or `path` itself when
    it is not a publish folder's. DuckDB shares one database per path within a process: opening the stable
    path again while the previous snapshot is still open would answer from the previous file."""
    publication = current(PublishSettings(root=path.parent))
    if publication is None:
        return path
    own = Path(publication.folder) / SNAPSHOT_FILE
    return own if own.is_file() else path


def load(path: Path | None = None) -> Snapshot:
    """Open the current snapshot read-only and load everything the endpoints answer from."""
    path = path or snapshot_path()
    started = time.perf_counter()
    inode = path.stat().st_ino
    opened = publish_file(path)
    if opened.stat().st_ino != inode:
        raise FileNotFoundError(f"{path} was swapped while it was opened; the next check loads it")
    connection = duckdb.connect(str(opened), read_only=True)
    try:
        lock = threading.Lock()

        def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
            with lock:  # a cursor per statement: DuckDB's thread-safe handle on one connection
                cursor = connection.cursor()
            try:
                frame = cursor.execute(sql, list(params)).df()
            finally:
                cursor.close()
            frame.columns = [str(column).lower() for column in frame.columns]
            return frame

        def arrow(sql: str) -> pa.Table:
            return connection.sql(sql).to_arrow_table()

        ((run_id, published_at),) = connection.execute(
            "select run_id, published_at from main.publication"
        ).fetchall()
        job_table = arrow(records.JOB_FOR_ALL)
        requisitions = {
            str(requisition): str(posting)
            for requisition, posting in zip(
                job_table.column("requisition_id").to_pylist(),
                job_table.column("job_posting_id").to_pylist(),
                strict=True,
            )
            if requisition is not None
        }
        snapshot = Snapshot(
            path=path,
            inode=inode,
            run_id=str(run_id),
            published_at=getattr(published_at, "isoformat", lambda: str(published_at))(),
            students=Keyed.build(arrow(records.STUDENT_FOR_ALL), "student_key", single=True, mask=True),
            job_recommendations=Keyed.build(
                arrow(records.JOB_RECOMMENDATIONS_FOR_ALL), "student_key", drop_key=True
            ),
            course_recommendations=Keyed.build(
                arrow(records.COURSE_RECOMMENDATIONS_FOR_ALL), "student_key", drop_key=True
            ),
            jobs=Keyed.build(job_table, "job_posting_id", single=True),
            requisitions=requisitions,
            best_fit=Keyed.build(arrow(records.BEST_FIT_FOR_ALL), "fit_job_posting_id", drop_key=True),
            search_engine=SearchEngine.load(query),
            load_seconds=0.0,
        )
    finally:
        # Everything is in memory now; an open connection would keep DuckDB's cache of the file as well.
        connection.close()
    snapshot.load_seconds = time.perf_counter() - started
    pa.default_memory_pool().release_unused()  # the load's Arrow tables are gone: give their memory back
    return snapshot


class SnapshotWatcher:
    """Holds the current snapshot; a background thread loads a new publish when the file changes and swaps it
    in with one assignment, so a request sees the old snapshot or the new one, never a mix."""

    def __init__(self, path: Path | None = None, check_seconds: float = CHECK_SECONDS) -> None:
        self.path = path or snapshot_path()
        self.check_seconds = check_seconds
        self.current: Snapshot | None = None
        self.problem: str | None = None  # why there is no snapshot yet (before the first publish, a failure)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="snapshot-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def check(self) -> bool:
        """Load the file if it is a publish the API does not hold yet; True when a new one was swapped in."""
        try:
            inode = self.path.stat().st_ino
        except OSError:
            if self.current is None:
                self.problem = no_snapshot_message(self.path)
            return False  # keep answering from the snapshot held (a publish is never deleted in place)
        if self.current is not None and self.current.inode == inode:
            return False
        try:
            loaded = load(self.path)
        except Exception as error:
            # Logged and retried at the next check (the watcher must outlive a bad publish); the message
            # names the file and the error's kind, never a value from it.
            log.warning("cannot load the snapshot %s yet (%s)", self.path, type(error).__name__)
            if self.current is None:
                self.problem = f"The published snapshot {self.path} cannot be read yet; try again shortly."
            return False
        self.current, self.problem = loaded, None
        # A snapshot is millions of long-lived objects: frozen, the collector stops walking them on every
        # pass (those pauses were the API's slowest answers); unfrozen first so the old snapshot's cycles go.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        log.info(
            "serving run %s (published %s), loaded in %.2f s",
            loaded.run_id,
            loaded.published_at,
            loaded.load_seconds,
        )
        return True

    def _watch(self) -> None:
        self.check()
        while not self._stop.wait(self.check_seconds):
            self.check()
