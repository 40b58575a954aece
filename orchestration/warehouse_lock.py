"""The working warehouse's write lock: wait a bounded time for it, or fail with one message naming the holder.

DuckDB lets a process write a file only while no other process has it open, even read-only, and its error
names the holder's PID. A run checks the lock before it loads anything, so a held file is one clear failure
instead of one traceback per source. Settings read: `CAMPUS_WAREHOUSE`, `CAMPUS_LOCK_WAIT_SECONDS`
(default 30).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.destination import connect_working

DEFAULT_WAIT_SECONDS = 30.0
POLL_SECONDS = 0.5
_HOLDER = re.compile(r"\(PID (\d+)\)")


class WarehouseLocked(RuntimeError):
    """Another process holds the working warehouse; the message says who and what to do."""

    def __init__(self, path: Path, holder_pid: int | None, waited: float) -> None:
        self.path = path
        self.holder_pid = holder_pid
        self.waited = waited
        holder = f"process {holder_pid}" if holder_pid else "another process"
        super().__init__(
            f"the working warehouse {path} is held by {holder} (waited {waited:.0f} s). Readers belong on "
            "the published snapshot (`campus snapshots --current`), not the working file: close that program "
            f"(e.g. `ps -p {holder_pid or '<pid>'}`) and run again, or raise CAMPUS_LOCK_WAIT_SECONDS."
        )


@dataclass(frozen=True)
class LockSettings:
    wait_seconds: float = DEFAULT_WAIT_SECONDS

    @classmethod
    def from_env(cls) -> LockSettings:
        raw = os.environ.get("CAMPUS_LOCK_WAIT_SECONDS") or str(DEFAULT_WAIT_SECONDS)
        try:
            wait = float(raw)
        except ValueError:
            raise SystemExit(f"CAMPUS_LOCK_WAIT_SECONDS must be a number of seconds, not {raw!r}") from None
        return cls(wait_seconds=max(0.0, wait))


def holder_pid(message: str) -> int | None:
    """The PID DuckDB names in a lock conflict, if it names one."""
    found = _HOLDER.search(message)
    return int(found.group(1)) if found else None


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def wait_for_warehouse(path: Path, settings: LockSettings | None = None) -> None:
    """Return once `path` can be opened for writing (or does not exist yet); raise `WarehouseLocked` after the
    configured wait. The probe connection is closed at once: the run's own steps open the file themselves."""
    settings = settings or LockSettings.from_env()
    if not path.exists():
        return
    started = time.monotonic()
    while True:
        try:
            connect_working(path).close()  # the readers' file too: dbt writes both
            return
        except duckdb.Error as exc:
            if not _is_lock_conflict(exc):
                raise
            waited = time.monotonic() - started
            if waited >= settings.wait_seconds:
                raise WarehouseLocked(path, holder_pid(str(exc)), waited) from None
            time.sleep(min(POLL_SECONDS, max(0.0, settings.wait_seconds - waited)))
