"""What every source system's generator shares: the sandbox clock, volumes per scale, planted-defect rates,
and the small writers and record helpers more than one source uses."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from sandbox.frames import Rng, timestamps_between

SANDBOX_VERSION = 1
# The sandbox's own clock starts here; `advance` moves it on, the wall clock never does.
SANDBOX_START = np.datetime64("2026-10-15T06:00:00", "us")
UNIVERSITY_EMAIL = "student.campus.edu"
PERSONAL_EMAIL = "mailbox.example"

# Volumes at scale 1.0 (the seed volumes); every count scales linearly with a small floor.
BASE_VOLUMES: dict[str, tuple[int, int]] = {
    # name: (rows at scale 1.0, minimum)
    "students": (100_000, 300),
    "courses": (1_000, 48),
    "programs": (500, 24),
    "job_postings": (50_000, 300),
    "workday_students": (60_000, 180),
    "partner_students": (500, 10),
    "lab_attendance": (2_000, 20),
    "online_assessments": (2_000, 20),
}

# Planted defect rates (share of the table's rows).
DEFECT_RATES: dict[str, float] = {
    "duplicate_students": 0.005,
    "null_emails": 0.004,
    "malformed_emails": 0.004,
    "gpa_out_of_range": 0.003,
    "enrollments_unknown_course": 0.002,
    "future_dated_attendance": 0.001,
    "future_dated_assessments": 0.001,
    "workday_students_missing_required_fields": 0.005,
    "workday_job_postings_missing_required_fields": 0.005,
}


def volumes(scale: float) -> dict[str, int]:
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return {name: max(minimum, round(base * scale)) for name, (base, minimum) in BASE_VOLUMES.items()}


def updated_at(rng: Rng, n: int, as_of: np.datetime64) -> np.ndarray:
    """Last-change stamps spread over the year before `as_of`."""
    return timestamps_between(rng, as_of - np.timedelta64(365, "D"), as_of - np.timedelta64(1, "h"), n)


def defect(source: str, table: str, key: str, ids: np.ndarray, **extra: Any) -> dict[str, Any]:
    """A planted defect as the manifest lists it: where it is and the keys of the rows that carry it."""
    values = [v if isinstance(v, str) else int(v) for v in np.asarray(ids).tolist()]
    return {"source": source, "table": table, "key": key, "count": len(values), "ids": values, **extra}


def csv_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()
