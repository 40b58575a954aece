"""File drops in the landing folder (CSV, JSON arrays, Parquet) into `raw_files`, each loaded exactly once.

Config read (dlt providers: env vars, then `.dlt/secrets.toml` / `.dlt/config.toml`); no secrets:

| name | what |
|---|---|
| `SOURCES__FILES__LANDING_DIR` | the landing folder; rejected files are moved to its `rejected/` sub-folder |

One raw table per kind of file, named by the file name without its date tag and suffix
(`attendance_lab_20261015_late.csv` -> `attendance_lab`); the kinds and their columns are the contracts
in `ingestion.files.contracts.FILE_KINDS`. Every row gets `_source_file` (the file name), `_source_row`
(1-based row within the file) and `_ingested_at` (UTC time of the run).

Exactly once
    Each kind's dlt resource state holds the names and SHA-256 of the files it has loaded. dlt stores that
    state in the destination with the same load package as the rows, so it survives a new process and a
    wiped local pipeline folder (it is restored from the warehouse). A file already loaded is skipped; a
    file whose name was loaded with other content, or whose content was loaded under another name, is
    rejected rather than loaded twice. The tables are `merge`d on `(_source_file, _source_row)` as a
    second guard: should the state ever be reset, reloading the folder rewrites the same rows instead of
    appending copies.

Validation
    A file is read whole and checked against its contract (header columns, field count on every line,
    every value of its column's type) before any of its rows is yielded. A file that fails is moved to
    `<landing>/rejected/` with `<name>.reason.txt` beside it (line or record number and problem); none of
    its rows are loaded and the other files of the run still are. Files whose name declares no known kind
    are left where they are and logged.

The package is laid out like a dlt verified source: this module holds the `@dlt.source` and its resources,
`settings.py` the fixed names, `contracts.py` the file kinds, `readers.py` reading and validating one file,
`helpers.py` the landing folder (digests, rejecting, lineage, the exactly-once check).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract import DltResource

from ingestion.files.contracts import FILE_KINDS, FileKind, kind_of
from ingestion.files.helpers import file_digest, landing_files_of, new_file_problem, reject, with_lineage
from ingestion.files.readers import FileRejected, read_landing_file
from ingestion.files.settings import ENV_LANDING_DIR, LOADED_FILES_STATE, PRIMARY_KEY, SCHEMA_CONTRACT

__all__ = ["kind_rows", "landing_files"]

log = logging.getLogger(__name__)


def kind_rows(landing: Path, kind: FileKind, ingested_at: datetime) -> Iterator[pa.Table]:
    """One Arrow table per new, valid file of `kind`; bad files are rejected, loaded ones skipped."""
    loaded: dict[str, dict[str, Any]] = dlt.current.resource_state().setdefault(LOADED_FILES_STATE, {})
    for path in landing_files_of(landing, kind.name):
        digest = file_digest(path)
        if loaded.get(path.name, {}).get("sha256") == digest:
            continue
        problem = new_file_problem(path.name, digest, loaded)
        if problem:
            reject(path, kind.name, problem)
            continue
        try:
            table = read_landing_file(path, kind)
        except FileRejected as error:
            reject(path, kind.name, error.problems)
            continue
        yield with_lineage(table, path.name, ingested_at)
        loaded[path.name] = {
            "sha256": digest,
            "rows": table.num_rows,
            "loaded_at": ingested_at.isoformat(timespec="seconds"),
        }


def _kind_resource(landing: Path, kind: FileKind, ingested_at: datetime) -> DltResource:
    resource = dlt.resource(
        kind_rows, name=kind.name, write_disposition="merge", primary_key=list(PRIMARY_KEY)
    )
    return resource(landing, kind, ingested_at)


@dlt.source(name="files", section="files", schema_contract=SCHEMA_CONTRACT)
def landing_files(landing_dir: str = dlt.config.value) -> Iterator[DltResource]:
    """One resource per kind in `FILE_KINDS`, reading `landing_dir` (see the module docstring)."""
    landing = Path(landing_dir)
    if not landing.is_dir():
        raise FileNotFoundError(
            f"files: landing folder {landing} does not exist; set {ENV_LANDING_DIR} to the drop folder"
        )
    unknown = sorted(p.name for p in landing.iterdir() if p.is_file() and kind_of(p.name) not in FILE_KINDS)
    if unknown:
        log.warning("files: no contract for %s; left in %s and not loaded", unknown, landing)
    ingested_at = datetime.now(UTC)
    for kind in FILE_KINDS.values():
        yield _kind_resource(landing, kind, ingested_at)
