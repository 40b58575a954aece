"""The landing folder as the files source sees it: which files wait, their digests, rejecting a file with its
reason beside it, the lineage columns, and the exactly-once check against what was loaded before."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingestion.files.contracts import kind_of
from ingestion.files.settings import DIGEST_BLOCK_BYTES, REJECTED_FOLDER

log = logging.getLogger(__name__)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(DIGEST_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def reject(path: Path, kind: str, problems: list[str]) -> Path:
    """Move `path` to `<landing>/rejected/` and write why next to it; returns the reason file."""
    folder = path.parent / REJECTED_FOLDER
    folder.mkdir(exist_ok=True)
    reason = folder / f"{path.name}.reason.txt"
    lines = [
        f"file: {path.name}",
        f"kind: {kind}",
        f"rejected_at: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "problems:",
        *(f"  {problem}" for problem in problems),
        "",
        "Nothing from this file was loaded. Fix it and drop it again into the landing folder.",
    ]
    reason.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.replace(folder / path.name)
    log.warning("files: rejected %s (%s); see %s", path.name, "; ".join(problems[:3]), reason)
    return reason


def landing_files_of(landing: Path, kind: str) -> list[Path]:
    """The files of `kind` waiting in the landing folder (not its sub-folders), oldest tag first."""
    return sorted(p for p in landing.iterdir() if p.is_file() and kind_of(p.name) == kind)


def with_lineage(table: pa.Table, file_name: str, ingested_at: datetime) -> pa.Table:
    """`table` with `_source_file`, `_source_row` (1-based) and `_ingested_at` appended."""
    rows = table.num_rows
    # The key columns are declared NOT NULL, as dlt declares primary keys.
    return (
        table.append_column(
            pa.field("_source_file", pa.string(), nullable=False), pa.array([file_name] * rows)
        )
        .append_column(pa.field("_source_row", pa.int64(), nullable=False), pa.array(range(1, rows + 1)))
        .append_column("_ingested_at", pa.array([ingested_at] * rows, pa.timestamp("us", tz="UTC")))
    )


def new_file_problem(name: str, digest: str, loaded: dict[str, dict[str, Any]]) -> list[str] | None:
    """Why a not-yet-loaded file would load data twice, or None."""
    if name in loaded:
        return [
            f"a file named {name} was already loaded with other content (sha256 {loaded[name]['sha256']}); "
            "corrections must arrive under a new file name"
        ]
    twin = next((other for other, seen in loaded.items() if seen["sha256"] == digest), None)
    if twin:
        return [f"same content (sha256 {digest}) as {twin}, which is already loaded"]
    return None
