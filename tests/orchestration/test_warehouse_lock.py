"""A held working warehouse: waited for a bounded time, then one clear failure naming the holder's PID."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse_lock import LockSettings, WarehouseLocked, wait_for_warehouse


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    path = tmp_path / "campus.duckdb"
    duckdb.connect(str(path)).close()
    return path


def _holder(path: Path, seconds: float) -> subprocess.Popen[str]:
    """A real process that holds the file open read-only, as a BI tool would, for `seconds`."""
    code = textwrap.dedent(
        f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r}, read_only=True)
        print("holding", flush=True)
        time.sleep({seconds})
        con.close()
        """
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        process.kill()
        process.wait()


def test_a_free_warehouse_is_not_waited_for(warehouse_file: Path) -> None:
    wait_for_warehouse(warehouse_file, LockSettings(wait_seconds=0))
    wait_for_warehouse(warehouse_file.parent / "not_yet_built.duckdb", LockSettings(wait_seconds=0))


def test_a_held_warehouse_fails_naming_the_holder(
    warehouse_file: Path, stop: list[subprocess.Popen[str]]
) -> None:
    holder = _holder(warehouse_file, 60)
    stop.append(holder)
    with pytest.raises(WarehouseLocked) as raised:
        wait_for_warehouse(warehouse_file, LockSettings(wait_seconds=1))
    assert raised.value.holder_pid == holder.pid
    assert f"process {holder.pid}" in str(raised.value)
    assert "CAMPUS_LOCK_WAIT_SECONDS" in str(raised.value)


def test_a_lock_let_go_within_the_wait_is_waited_for(
    warehouse_file: Path, stop: list[subprocess.Popen[str]]
) -> None:
    stop.append(_holder(warehouse_file, 1.5))
    wait_for_warehouse(warehouse_file, LockSettings(wait_seconds=60))  # raises if the wait ran out
    duckdb.connect(str(warehouse_file)).close()
