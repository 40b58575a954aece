"""Run source pipelines one after another, survive a failed source, record every run in load history.

Which sources exist, and how each is built and loaded, comes from `ingestion.registry`.

Load history lands in the warehouse as `raw_meta.load_history` (dbt declares it as a source): one row per
source and table for a successful load, one row per source (table `*`) for a failed one, never a secret.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt

from ingestion.destination import destination_name, make_pipeline

log = logging.getLogger(__name__)

HISTORY_DATASET = "raw_meta"
HISTORY_TABLE = "load_history"
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|CREDENTIALS|PRIVATE_KEY|API_KEY)", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+):[^@\s]+@", re.IGNORECASE)


@dataclass
class TableLoad:
    table_name: str
    rows_loaded: int
    # rows of people on the suppression list dropped before they landed (a count, never a value)
    rows_suppressed: int = 0


@dataclass
class SourceResult:
    source: str
    status: str  # "success" or "failed"
    started_at: datetime
    finished_at: datetime
    tables: list[TableLoad] = field(default_factory=list)
    error: str | None = None

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def rows_loaded(self) -> int:
        return sum(t.rows_loaded for t in self.tables)


def redact(text: str) -> str:
    """Remove every configured secret value and any password embedded in a URL from `text`."""
    for name, value in os.environ.items():
        if SECRET_NAME.search(name) and value and len(value) >= 4:
            text = text.replace(value, "***")
    return URL_PASSWORD.sub(r"\g<scheme>:***@", text)


def loaded_tables(pipeline: dlt.Pipeline) -> list[TableLoad]:
    """Rows per table the pipeline's last run normalized, dlt's own tables left out; none without a run."""
    normalized = pipeline.last_trace.last_normalize_info if pipeline.last_trace else None
    counts = normalized.row_counts if normalized else {}
    return [TableLoad(table, rows) for table, rows in sorted(counts.items()) if not table.startswith("_dlt")]


def with_suppressed(
    tables: list[TableLoad], resources: Mapping[str, str], dropped: Mapping[str, int]
) -> list[TableLoad]:
    """`tables` with the rows the suppression list dropped per raw table (a table all of whose rows were
    dropped is listed with none loaded)."""
    from ingestion.suppression import field_key

    by_table = {t.table_name: t for t in tables}
    raw = {field_key(name): table for name, table in resources.items()}
    for resource, count in dropped.items():
        table = raw.get(field_key(resource), resource.lower())
        by_table.setdefault(table, TableLoad(table, 0)).rows_suppressed += count
    return sorted(by_table.values(), key=lambda t: t.table_name)


def run_source(name: str, destination: str | None = None) -> SourceResult:
    # The registry imports every connector; imported here, `redact`'s importers (dbt's process) stay light.
    from ingestion import suppression as suppression_list
    from ingestion.registry import source_named

    started = datetime.now(UTC)
    try:
        registered = source_named(name)
        pipeline = make_pipeline(registered.name, destination)
        # erased people never land again, even when the source still sends them (docs/decisions/017)
        suppression = suppression_list.load()
        built = registered.source(suppression)
        pipeline.run(built, loader_file_format=registered.loader_file_format)
        tables = with_suppressed(loaded_tables(pipeline), registered.resources, suppression.dropped)
        status, error = "success", None
    except Exception as exc:  # one failed source must not stop the others; it is reported, not swallowed
        tables, status, error = [], "failed", redact(f"{type(exc).__name__}: {exc}")
        log.error("source %s failed: %s", name, error)
    return SourceResult(name, status, started, datetime.now(UTC), tables, error)


def history_rows(run_id: str, destination: str, results: Iterable[SourceResult]) -> list[dict[str, Any]]:
    rows = []
    for result in results:
        base = {
            "run_id": run_id,
            "source": result.source,
            "destination": destination,
            "status": result.status,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "duration_seconds": round(result.duration_seconds, 3),
            "error": result.error,
        }
        if result.tables:
            rows += [{**base, **asdict(t)} for t in result.tables]
        else:
            rows.append({**base, "table_name": "*", "rows_loaded": 0})
    return rows


def record_history(run_id: str, destination: str, results: list[SourceResult]) -> None:
    pipeline = make_pipeline("meta", destination)
    resource = dlt.resource(
        history_rows(run_id, destination, results),
        name=HISTORY_TABLE,
        write_disposition="append",
        columns={"error": {"data_type": "text", "nullable": True}},
    )
    pipeline.run(resource, table_name=HISTORY_TABLE)


def run_sources(names: Iterable[str] | None = None, destination: str | None = None) -> list[SourceResult]:
    """Run each named source (default: all, in registry order), then record the run in load history."""
    from ingestion.registry import SOURCE_NAMES, source_named  # see run_source

    chosen = list(names or SOURCE_NAMES)
    for name in chosen:
        source_named(name)  # fail fast on an unknown name, before anything runs
    dest = destination_name(destination)
    run_id = uuid.uuid4().hex
    results = [run_source(name, dest) for name in chosen]
    record_history(run_id, dest, results)
    return results
