"""Accept an uploaded file drop into the landing folder after checking it, and run the files load job.

Config read: `SOURCES__FILES__LANDING_DIR` (default `sandbox_data/landing`), the folder the `files` source
reads. Validation reuses the ingestion contracts and readers (`ingestion.files`), so a file the page accepts
is a file the load accepts. The load runs `campus ingest --source files` in a child process (its own dlt
state, the same load history as any run) while the app stays off the DuckDB file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.files.contracts import FILE_KINDS, kind_of
from ingestion.files.readers import FileRejected, read_landing_file

DEFAULT_LANDING = "sandbox_data/landing"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]


class UploadRejected(ValueError):
    """The upload is not accepted; `problems` are shown on the page."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def landing_dir() -> Path:
    return Path(os.environ.get("SOURCES__FILES__LANDING_DIR") or DEFAULT_LANDING)


def expected_names() -> list[str]:
    """How each kind of file must be named, for the page's help text."""
    return [f"{kind.name}_YYYYMMDD[_note].{kind.format}" for kind in FILE_KINDS.values()]


def accept_upload(name: str, content: bytes, landing: Path | None = None) -> tuple[Path, int]:
    """Validate `content` as the landing file `name`; on success write it to the landing folder.

    Returns the stored path and its row count. Nothing is written when the file is rejected.
    """
    landing = landing or landing_dir()
    safe_name = Path(name).name
    if safe_name != name or safe_name.startswith("."):
        raise UploadRejected([f"{name!r} is not a plain file name."])
    kind_name = kind_of(safe_name)
    if kind_name is None or kind_name not in FILE_KINDS:
        raise UploadRejected(
            [
                f"{safe_name} does not name a known kind of file. "
                f"Expected one of: {', '.join(expected_names())}"
            ]
        )
    if not content:
        raise UploadRejected([f"{safe_name} is empty."])
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRejected([f"{safe_name} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."])
    if not landing.is_dir():
        raise UploadRejected(
            [
                f"The landing folder {landing} does not exist; "
                "set SOURCES__FILES__LANDING_DIR to the drop folder."
            ]
        )
    target = landing / safe_name
    if target.exists() or (landing / "rejected" / safe_name).exists():
        raise UploadRejected(
            [f"A file named {safe_name} was already dropped; corrections must arrive under a new file name."]
        )
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / safe_name
        staged.write_bytes(content)
        try:
            table = read_landing_file(staged, FILE_KINDS[kind_name])
        except FileRejected as error:
            raise UploadRejected(error.problems) from error
    # Write under a hidden name, then rename: the load never sees half a file.
    partial = landing / f".{safe_name}.{uuid.uuid4().hex}.part"
    partial.write_bytes(content)
    partial.replace(target)
    return target, table.num_rows


@dataclass
class LoadJob:
    """One run of the files load in a child process; the page polls it."""

    id: str
    started_at: float
    status: str = "starting"  # starting, waiting, loading, succeeded, failed
    returncode: int | None = None
    output: deque[str] = field(default_factory=lambda: deque(maxlen=200))
    finished_at: float | None = None

    @property
    def done(self) -> bool:
        return self.status in ("succeeded", "failed")

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.started_at


class LoadJobs:
    """The load jobs of this app process; at most one runs at a time (one writer per DuckDB file)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs: dict[str, LoadJob] = {}

    def running(self) -> LoadJob | None:
        with self._lock:
            return next((job for job in self.jobs.values() if not job.done), None)

    def start(
        self,
        writer: Callable[[], AbstractContextManager[None]],
        env: dict[str, str],
        command: list[str] | None = None,
    ) -> LoadJob:
        """Start the load; `writer` is the backend's `writer` (keeps the app off the DuckDB file)."""
        with self._lock:
            if any(not job.done for job in self.jobs.values()):
                raise RuntimeError("A file load is already running; wait for it to finish.")
            job = LoadJob(id=uuid.uuid4().hex[:8], started_at=time.time())
            self.jobs[job.id] = job
        thread = threading.Thread(
            target=self._run,
            args=(job, writer, env, command or load_command()),
            daemon=True,
            name=f"load-{job.id}",
        )
        thread.start()
        return job

    def _run(
        self,
        job: LoadJob,
        writer: Callable[[], AbstractContextManager[None]],
        env: dict[str, str],
        command: list[str],
    ) -> None:
        try:
            job.status = "waiting"
            with writer():
                job.status = "loading"
                process = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                assert process.stdout is not None
                for line in process.stdout:
                    if line.strip():
                        job.output.append(line.rstrip())
                job.returncode = process.wait()
            job.status = "succeeded" if job.returncode == 0 else "failed"
        except Exception as error:  # shown on the page; the job must end either way
            job.output.append(f"{type(error).__name__}: {error}")
            job.status = "failed"
        finally:
            job.finished_at = time.time()


def load_command() -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", "ingest", "--source", "files"]


def load_environment(destination: str, warehouse_path: str) -> dict[str, str]:
    """The child's settings: the landing folder, and the pipeline's working warehouse to load into (the app
    reads the published snapshot; the load shows there after the next `campus run` publishes)."""
    env = dict(os.environ)
    env["SOURCES__FILES__LANDING_DIR"] = str(landing_dir().resolve())
    env["CAMPUS_DESTINATION"] = destination
    if destination == "duckdb":
        env["CAMPUS_WAREHOUSE"] = str(Path(warehouse_path).resolve())
    env.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    return env
