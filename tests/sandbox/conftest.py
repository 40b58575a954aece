"""Tiny sandbox data folders written with pyarrow in the generator's shape, and stand-ins serving them."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from sandbox.credentials import WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET, WORKDAY_REFRESH_TOKEN
from sandbox.tableau_server import TableauServer
from sandbox.workday_server import WorkdayServer

BOM = b"\xef\xbb\xbf"
BASE_TIME = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

WriteTable = Callable[[Path, pa.Table], None]
MakeStudents = Callable[[int, str], pa.Table]


def _write_table_atomically(path: Path, table: pa.Table) -> None:
    """As `campus sandbox advance` does: write beside the target, then rename over it."""
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _utc(values: list[datetime]) -> pa.Array:
    return pa.array(values, type=pa.timestamp("us", tz="UTC"))


def _students(n: int, first_name_prefix: str) -> pa.Table:
    """Row i is `WD-STU-0000i`, updated at BASE_TIME + i hours + 250 us; rows 3 and 7 lack an email and
    row 5 a last name (the sandbox's "missing required fields" defect)."""
    return pa.table(
        {
            "id": pa.array([f"WD-STU-{i:05d}" for i in range(n)], pa.string()),
            "firstName": pa.array([f"{first_name_prefix}{i}" for i in range(n)], pa.string()),
            "lastName": pa.array([None if i == 5 else f"Last{i}" for i in range(n)], pa.string()),
            "email": pa.array([None if i in (3, 7) else f"s{i}@example.edu" for i in range(n)], pa.string()),
            "dateOfBirth": pa.array([date(2004, 1, 1) + timedelta(days=i) for i in range(n)], pa.date32()),
            "gpa": pa.array([round(2.0 + (i % 20) / 10, 2) for i in range(n)], pa.float64()),
            "updatedAt": _utc([BASE_TIME + timedelta(hours=i, microseconds=250) for i in range(n)]),
            "inactive": pa.array([i % 11 == 10 for i in range(n)], pa.bool_()),
        }
    )


def _job_postings() -> pa.Table:
    return pa.table(
        {
            "id": pa.array(["WD-JOB-0001", "WD-JOB-0002", "WD-JOB-0003"], pa.string()),
            "title": pa.array(["Data Analyst", "Nurse", None], pa.string()),
            "skills": pa.array([["SQL", "Python"], [], ["Welding"]], pa.list_(pa.string())),
            "postedDate": pa.array([date(2026, 8, 1), date(2026, 8, 2), None], pa.date32()),
            "updatedAt": _utc([BASE_TIME] * 3),
            "inactive": pa.array([False, False, True], pa.bool_()),
        }
    )


def _named_rows(prefix: str, n: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array([f"{prefix}-{i:03d}" for i in range(n)], pa.string()),
            "name": pa.array([f"{prefix} {i}" for i in range(n)], pa.string()),
            "updatedAt": _utc([BASE_TIME] * n),
            "inactive": pa.array([False] * n, pa.bool_()),
        }
    )


@pytest.fixture
def write_table() -> WriteTable:
    return _write_table_atomically


@pytest.fixture
def make_students() -> MakeStudents:
    return _students


@pytest.fixture
def workday_students() -> pa.Table:
    return _students(45, "First")


@pytest.fixture
def workday_data_dir(tmp_path: Path, workday_students: pa.Table) -> Path:
    folder = tmp_path / "workday"
    folder.mkdir()
    _write_table_atomically(folder / "students.parquet", workday_students)
    _write_table_atomically(folder / "jobPostings.parquet", _job_postings())
    _write_table_atomically(folder / "academicPrograms.parquet", _named_rows("WD-PRG", 4))
    _write_table_atomically(folder / "jobPlacements.parquet", _named_rows("WD-PLC", 2))
    return tmp_path


@pytest.fixture
def workday(workday_data_dir: Path) -> Iterator[WorkdayServer]:
    with WorkdayServer(workday_data_dir) as server:
        yield server


@pytest.fixture
def workday_session(workday: WorkdayServer) -> Iterator[requests.Session]:
    """A keep-alive session already holding a bearer token, as a connector has after its token call."""
    response = requests.post(
        workday.token_url,
        data={"grant_type": "refresh_token", "refresh_token": WORKDAY_REFRESH_TOKEN},
        auth=(WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET),
        timeout=10,
    )
    response.raise_for_status()
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        yield session


@pytest.fixture
def tableau_files() -> dict[str, bytes]:
    """CSV bytes per file: a BOM, quoted commas, thousands separators, CRLF and non-ASCII, on purpose."""
    return {
        "student_analytics.csv": BOM
        + 'Student ID,Program,"Credits, Earned",Tuition\r\n'
        'S-001,"Nursing, BSN",96,"12,500"\r\nS-002,Études Françaises,30,"9,800"\r\n'.encode(),
        "other_view.csv": BOM + b'Metric,Value\nRows,"1,024"\n',
        "job_market_trends.csv": BOM + b'Skill,Region,Job Postings\nSQL,North,"1,204"\n',
    }


@pytest.fixture
def tableau_views() -> list[dict[str, Any]]:
    entries = [
        ("Admissions Funnel", "Operations", "other_view.csv"),
        ("Student Analytics", "Student Success", "student_analytics.csv"),
        ("Space Usage", "Operations", "other_view.csv"),
        ("Library Visits", "Operations", "other_view.csv"),
        ("Job Market Trends", "Career Outcomes", "job_market_trends.csv"),
    ]
    return [
        {
            "id": str(uuid.UUID(int=i + 1)),
            "name": name,
            "contentUrl": f"{workbook.replace(' ', '')}/sheets/{name.replace(' ', '')}",
            "workbook": workbook,
            "file": file,
        }
        for i, (name, workbook, file) in enumerate(entries)
    ]


@pytest.fixture
def tableau_data_dir(
    tmp_path: Path, tableau_views: list[dict[str, Any]], tableau_files: dict[str, bytes]
) -> Path:
    folder = tmp_path / "tableau"
    folder.mkdir()
    (folder / "views.json").write_text(json.dumps(tableau_views, indent=2) + "\n")
    for name, content in tableau_files.items():
        (folder / name).write_bytes(content)
    return tmp_path


@pytest.fixture
def tableau(tableau_data_dir: Path) -> Iterator[TableauServer]:
    with TableauServer(tableau_data_dir) as server:
        yield server
