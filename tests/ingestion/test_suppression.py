"""The suppression list drops erased people from a source before anything lands, in dict and Arrow resources
alike, child lists included, and counts what it dropped; the list holds no value and needs its key."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
import pytest

from ingestion import suppression


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit" / "privacy.sqlite"
    monkeypatch.setenv("CAMPUS_PRIVACY_DB", str(path))
    monkeypatch.delenv("CAMPUS_SUPPRESSION_KEY", raising=False)
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt_data"))
    return path


@dlt.source(name="people")
def people() -> Iterator[object]:
    # Workday-like pages of records with a list inside, and SIS-like Arrow batches with upper-case names.
    yield dlt.resource(
        [
            [
                {"id": "aa01", "email": "Ann.Lee@example.edu", "interests": ["sql", "python"]},
                {"id": "bb02", "email": "bo@example.edu", "interests": ["r"]},
            ]
        ],
        name="students",
    )
    yield dlt.resource(
        [pa.table({"STUDENT_ID": [100001, 100002, 100001], "COURSE": ["a", "b", "c"]})], name="ENROLLMENTS"
    )
    yield dlt.resource([pa.table({"student_id": ["100,001", "100002"]})], name="student_analytics")


FIELDS = {
    "students": {"id": "workday_id", "email": "email"},
    "enrollments": {"STUDENT_ID": "sis_id"},
    "studentAnalytics": {"student_id": "sis_id"},
}


def test_suppressed_people_never_land(store: Path, tmp_path: Path) -> None:
    assert not suppression.load()  # no store yet: nothing to apply
    added = suppression.add_entries([("sis_id", 100001), ("email", "  ann.lee@EXAMPLE.edu ")], "REQ-1")
    assert added == 2
    assert suppression.add_entries([("sis_id", "100001")], "REQ-2") == 0  # the same person, normalised

    listed = suppression.load()
    source = people()
    suppression.suppress(source, FIELDS, listed)
    pipeline = dlt.pipeline(
        "suppression_test",
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        dataset_name="raw",
        pipelines_dir=str(tmp_path / "pipelines"),
    )
    pipeline.run(source)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select id from raw.students").fetchall() == [("bb02",)]
        assert con.execute("select value from raw.students__interests").fetchall() == [("r",)]
        assert con.execute("select student_id, course from raw.enrollments").fetchall() == [(100002, "b")]
        assert con.execute("select student_id from raw.student_analytics").fetchall() == [("100002",)]
    assert listed.dropped == {"students": 1, "ENROLLMENTS": 2, "student_analytics": 1}

    # The store holds keyed hashes only; without the key they match nothing.
    data = store.read_bytes()
    assert b"100001" not in data and b"ann.lee" not in data
    key_file = store.parent / ".secrets" / "suppression.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not suppression.Suppression(b"another key", listed.digests).is_suppressed("sis_id", 100001)
    with sqlite3.connect(store) as con, pytest.raises(sqlite3.Error):
        con.execute("delete from suppressed_identifiers")


def test_a_list_whose_key_is_lost_or_replaced_stops_ingestion(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail closed: with another key nobody would match, and erased people would load again."""
    suppression.add_entries([("sis_id", 100001)], "REQ-1")
    key_file = store.parent / ".secrets" / "suppression.key"
    original = key_file.read_text()
    assert suppression.load().is_suppressed("sis_id", 100001)

    key_file.unlink()
    with pytest.raises(suppression.SuppressionKeyError, match="key is missing"):
        suppression.load()
    assert not key_file.exists()  # no new key made in its place

    monkeypatch.setenv("CAMPUS_SUPPRESSION_KEY", "a different key")
    with pytest.raises(suppression.SuppressionKeyError, match="not the one the list was written with"):
        suppression.load()
    with pytest.raises(suppression.SuppressionKeyError):
        suppression.add_entries([("sis_id", 100002)], "REQ-2")

    monkeypatch.delenv("CAMPUS_SUPPRESSION_KEY")
    key_file.write_text(original)
    assert suppression.load().is_suppressed("sis_id", 100001)
