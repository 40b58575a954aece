"""Run history: one row per pipeline run, from `campus run` and Dagster alike, in `raw_meta.pipeline_runs`.

Written through the dlt pipeline `campus_meta` (like `raw_meta.load_history`), so it lands on DuckDB and
Snowflake alike; merged on `run_id`, so recording a run twice keeps one row. Columns:

| column | type | meaning |
|---|---|---|
| `run_id` | text | primary key: the CLI's uuid, or the Dagster run id |
| `trigger` | text | `cli` or `dagster` |
| `job_name` | text | `campus run`, or the Dagster job (`campus_daily`; `__ASSET_JOB` when ad hoc) |
| `target` | text | dbt target (`dev`, `ci`, `prod`) |
| `status` | text | `success` or `failed` (warn-level tests alone never fail a run) |
| `started_at`, `finished_at` | timestamp (UTC) | wall-clock bounds of the run |
| `duration_seconds` | double | `finished_at - started_at` |
| `stage_seconds` | text (JSON) | stage -> seconds: `{"sandbox": 1.2, "ingest": 8.0, "dbt build": 14.1}`; |
|  |  | for Dagster one entry per step (`campus_workday`, `campus_dbt_models`, ...) |
| `sources` | text (JSON object) | source -> `{"status": ..., "rows": n}` for the sources the run loaded |
| `stale_sources` | text (JSON object), nullable | `<source>.<table>` -> `{"status", "age_hours",` |
|  |  | `"message"}` for every table `dbt source freshness` did not pass (`{}`: all fresh; null: |
|  |  | not checked) |
| `rows_loaded` | bigint | rows loaded over all sources |
| `models_built` | bigint | dbt models (and snapshots, seeds) built successfully |
| `tests_passed`, `tests_warned`, `tests_failed` | bigint | dbt tests by outcome (`failed`: error severity) |
| `quality_score` | double, nullable | the quality layer's headline score when it exists |
| `error` | text, nullable | what failed, with every configured secret redacted (`ingestion.runner.redact`) |

A run that cannot write the warehouse (another process holds its lock) is kept as a JSON file in
`<warehouse folder>/pending_runs/` and folded into the table by the next run that records (`record_pending`).

Read it with e.g. `select * from raw_meta.pipeline_runs order by started_at desc`; parse the JSON columns with
`json_extract` (DuckDB) or `parse_json` (Snowflake).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.typing import TTableSchemaColumns

from ingestion.destination import make_pipeline, warehouse_path
from ingestion.runner import HISTORY_DATASET, redact

RUNS_TABLE = "pipeline_runs"
PENDING_DIR = "pending_runs"
TRIGGERS = ("cli", "dagster")

_COLUMNS: TTableSchemaColumns = {
    "run_id": {"data_type": "text", "nullable": False, "primary_key": True},
    "trigger": {"data_type": "text", "nullable": False},
    "job_name": {"data_type": "text", "nullable": True},
    "target": {"data_type": "text", "nullable": True},
    "status": {"data_type": "text", "nullable": False},
    "started_at": {"data_type": "timestamp", "nullable": False},
    "finished_at": {"data_type": "timestamp", "nullable": False},
    "duration_seconds": {"data_type": "double", "nullable": False},
    "stage_seconds": {"data_type": "text", "nullable": False},
    "sources": {"data_type": "text", "nullable": False},
    "stale_sources": {"data_type": "text", "nullable": True},
    "rows_loaded": {"data_type": "bigint", "nullable": False},
    "models_built": {"data_type": "bigint", "nullable": False},
    "tests_passed": {"data_type": "bigint", "nullable": False},
    "tests_warned": {"data_type": "bigint", "nullable": False},
    "tests_failed": {"data_type": "bigint", "nullable": False},
    "quality_score": {"data_type": "double", "nullable": True},
    "error": {"data_type": "text", "nullable": True},
}


@dataclass
class RunRecord:
    """What one pipeline run did; `row()` is its `raw_meta.pipeline_runs` row."""

    run_id: str
    trigger: str
    started_at: datetime
    finished_at: datetime
    status: str
    job_name: str | None = None
    target: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    stale_sources: dict[str, dict[str, Any]] | None = None
    models_built: int = 0
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    quality_score: float | None = None
    error: str | None = None

    def row(self) -> dict[str, Any]:
        if self.trigger not in TRIGGERS:
            raise ValueError(f"run {self.run_id}: trigger must be one of {TRIGGERS}, got {self.trigger!r}")
        row = asdict(self)
        row["stage_seconds"] = json.dumps({k: round(v, 3) for k, v in self.stage_seconds.items()})
        row["sources"] = json.dumps(self.sources, sort_keys=True)
        if self.stale_sources is not None:
            row["stale_sources"] = json.dumps(self.stale_sources, sort_keys=True)
        row["rows_loaded"] = sum(int(s.get("rows") or 0) for s in self.sources.values())
        row["duration_seconds"] = round((self.finished_at - self.started_at).total_seconds(), 3)
        row["error"] = redact(self.error) if self.error else None
        return row


def record_run(record: RunRecord, destination: str | None = None) -> None:
    """Write (or rewrite) the run's row in `raw_meta.pipeline_runs`."""
    pipeline = make_pipeline("meta", destination)
    resource = dlt.resource(
        [record.row()],
        name=RUNS_TABLE,
        write_disposition="merge",
        primary_key="run_id",
        columns=_COLUMNS,
    )
    pipeline.run(resource, table_name=RUNS_TABLE)


def pending_dir() -> Path:
    """Beside the warehouse file, not in it: written when that file is locked by another process."""
    return warehouse_path().parent / PENDING_DIR


def keep_pending(record: RunRecord) -> Path:
    """Keep a run that cannot be recorded now; the next `record_pending` folds it into the table."""
    folder = pending_dir()
    folder.mkdir(parents=True, exist_ok=True)
    row = asdict(record)
    row["started_at"], row["finished_at"] = record.started_at.isoformat(), record.finished_at.isoformat()
    row["error"] = redact(record.error) if record.error else None
    path = folder / f"{record.run_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(row))
    tmp.replace(path)
    return path


def record_pending(destination: str | None = None) -> list[str]:
    """Record every kept run in `raw_meta.pipeline_runs`, then forget it; returns their run ids."""
    folder = pending_dir()
    recorded: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = json.loads(path.read_text())
        data["started_at"] = datetime.fromisoformat(data["started_at"])
        data["finished_at"] = datetime.fromisoformat(data["finished_at"])
        record_run(RunRecord(**data), destination)
        path.unlink()
        recorded.append(data["run_id"])
    return recorded


__all__ = [
    "HISTORY_DATASET",
    "RUNS_TABLE",
    "RunRecord",
    "keep_pending",
    "record_pending",
    "record_run",
]
