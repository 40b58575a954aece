"""The dbt build `campus run` prepares before ingestion never outlives the run, nor hangs it by dying."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from orchestration.dbt_invocation import BuildRequest, prepared_dbt_build


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_run_that_fails_before_the_build_leaves_no_dbt_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(tmp_path / "campus.duckdb"))
    with pytest.raises(RuntimeError, match="source down"), prepared_dbt_build("dev") as prepared:
        pid = prepared.pid
        assert pid is not None and not _gone(pid)
        raise RuntimeError("source down")
    assert _gone(pid)


@pytest.mark.timeout(60)  # a hang is the failure this test guards against
def test_a_dbt_process_that_dies_fails_the_build_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(tmp_path / "campus.duckdb"))
    with prepared_dbt_build("dev") as prepared:
        assert prepared.pid is not None
        os.kill(prepared.pid, signal.SIGKILL)
        outcome = prepared.run(BuildRequest())
    assert outcome.errored
    assert outcome.error == f"the dbt build process exited with code {-signal.SIGKILL}"
