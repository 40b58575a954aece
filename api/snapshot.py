"""The published snapshot the API answers from, held in memory, and the watcher that swaps in a new publish.

Records (profiles, recommendations, postings, best-fit lists) are read once per snapshot with the app's own
statements (`app.data.records`) into Arrow tables ordered by key, with a dict from key to its rows' offsets:
a request slices a few rows, it never scans a table. Search is `app.data.search.SearchEngine`, loaded once per
snapshot on the snapshot's own read-only connection. Settings: `CAMPUS_PUBLISH_DIR` (through
`ingestion.destination.published_dir`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


@dataclass(frozen=True)
class Keyed:
    """Rows of one record kind ordered by key: `rows(key)` slices the key's rows, never scans."""

    table: pa.Table
    offsets: dict[str, tuple[int, int]]

    @classmethod
    def build(cls, table: pa.Table, key: str, drop_key: bool = False) -> Keyed:
        table = _plain_numbers(table)
        keys = table.column(key).to_pylist()
        offsets: dict[str, tuple[int, int]] = {}
        start = 0
        for index in range(1, len(keys) + 1):
            if index == len(keys) or keys[index] != keys[start]:
                offsets[str(keys[start])] = (start, index - start)
                start = index
        if drop_key:
            table = table.drop_columns([key])
        return cls(table, offsets)

    def rows(self, key: str) -> list[dict[str, Any]] | None:
        found = self.offsets.get(key)
        if found is None:
            return None
        rows = self.table.slice(*found).to_pylist()
        for row in rows:
            for column in LIST_COLUMNS.intersection(row):
                row[column] = records.split_list(row[column])
        return rows

    def __len__(self) -> int:
        return len(self.offsets)


def _plain_numbers(table: pa.Table) -> pa.Table:
    """Decimals as floats: JSON has one number type, and the app shows GPA as a float too."""
    for index, column in enumerate(table.schema):
        if pa.types.is_decimal(column.type):
            table = table.set_column(index, column.name, pc.cast(table.column(index), pa.float64()))
    return table


Query = Callable[[str, Sequence[Any]], pd.DataFrame]


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
    connection: duckdb.DuckDBPyConnection
    load_seconds: float

    @property
    def data_as_of(self) -> dict[str, str]:
        return {"run_id": self.run_id, "published_at": self.published_at}

    def search(self, text: str, filters: SearchFilters, page: int) -> SearchPage:
        return self.search_engine.search(text, filters, page)

    def close(self) -> None:
        self.connection.close()


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
        jobs = Keyed.build(arrow(records.JOB_FOR_ALL), "job_posting_id")
        requisitions = {
            str(requisition): str(posting)
            for requisition, posting in zip(
                jobs.table.column("requisition_id").to_pylist(),
                jobs.table.column("job_posting_id").to_pylist(),
                strict=True,
            )
            if requisition is not None
        }
        snapshot = Snapshot(
            path=path,
            inode=inode,
            run_id=str(run_id),
            published_at=published_at.isoformat(),
            students=Keyed.build(arrow(records.STUDENT_FOR_ALL), "student_key"),
            job_recommendations=Keyed.build(
                arrow(records.JOB_RECOMMENDATIONS_FOR_ALL), "student_key", drop_key=True
            ),
            course_recommendations=Keyed.build(
                arrow(records.COURSE_RECOMMENDATIONS_FOR_ALL), "student_key", drop_key=True
            ),
            jobs=jobs,
            requisitions=requisitions,
            best_fit=Keyed.build(arrow(records.BEST_FIT_FOR_ALL), "fit_job_posting_id", drop_key=True),
            search_engine=SearchEngine.load(query),
            connection=connection,
            load_seconds=0.0,
        )
    except BaseException:
        connection.close()
        raise
    snapshot.load_seconds = time.perf_counter() - started
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
        except (OSError, duckdb.Error, ValueError, TypeError, KeyError) as error:
            # The next check tries again; a message names the file, never a value from it.
            log.warning("cannot load the snapshot %s yet (%s)", self.path, type(error).__name__)
            if self.current is None:
                self.problem = f"The published snapshot {self.path} cannot be read yet; try again shortly."
            return False
        self.current, self.problem = loaded, None
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
