"""Landing-folder file drops loaded by dlt into a real DuckDB file: once each, bad files rejected whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.destination import make_pipeline
from ingestion.files import landing_files
from ingestion.files.contracts import FILE_KINDS, kind_of
from sandbox.advance import advance

RAW = "raw_files"


@pytest.fixture
def landing(sandbox_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private sandbox's landing folder, given to the source through its config name."""
    folder = sandbox_dir / "landing"
    monkeypatch.setenv("SOURCES__FILES__LANDING_DIR", str(folder))
    return folder


def run_files() -> dict[str, int]:
    """The runner's exact call; returns the rows dlt extracted per raw table in this run."""
    pipeline = make_pipeline("files")
    pipeline.run(landing_files(), loader_file_format="parquet")
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return {table: rows for table, rows in counts.items() if not table.startswith("_dlt")}


def manifest_files(landing: Path) -> dict[str, int]:
    return json.loads((landing.parent / "manifest.json").read_text())["sources"]["files"]["files"]


def malformed(landing: Path) -> str:
    defects = json.loads((landing.parent / "manifest.json").read_text())["planted_defects"]
    (name,) = defects["malformed_file_drop"]["ids"]
    return name


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def rows_per_file(warehouse: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind in FILE_KINDS:
        tables = query(
            warehouse,
            "SELECT count(*) FROM information_schema.tables "
            f"WHERE table_schema = '{RAW}' AND table_name = '{kind}'",
        )
        if tables[0][0]:
            sql = f"SELECT _source_file, count(*) FROM {RAW}.{kind} GROUP BY 1"
            out.update(dict(query(warehouse, sql)))
    return out


def test_good_files_load_with_their_row_counts_and_the_malformed_one_is_rejected(
    landing: Path, warehouse: Path
) -> None:
    bad = malformed(landing)
    good = {name: rows for name, rows in manifest_files(landing).items() if name != bad}
    assert len(good) == 4

    extracted = run_files()

    assert rows_per_file(warehouse) == good
    assert extracted == {kind_of(name): rows for name, rows in good.items()}
    assert not (landing / bad).exists()
    assert (landing / "rejected" / bad).is_file()
    reason = (landing / "rejected" / f"{bad}.reason.txt").read_text()
    assert "line 7: expected 5 fields as in the header, found 6" in reason
    assert "line 8: minutes_present: 'forty' is not an integer" in reason
    lineage = query(
        warehouse,
        f"SELECT count(*), count(_source_file), count(_source_row), count(_ingested_at), max(_source_row) "
        f"FROM {RAW}.attendance_lab",
    )
    assert lineage == [(20, 20, 20, 20, 20)]


def test_columns_keep_the_contract_types_and_nested_json_is_flattened(landing: Path, warehouse: Path) -> None:
    run_files()

    types = dict(
        query(
            warehouse,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{RAW}'",
        )
    )
    assert types["attendance_lab.minutes_present"] == "BIGINT"
    assert types["attendance_lab.lab_date"] == "DATE"
    assert types["students_partner.arrival_date"] == "DATE"
    assert types["assessments_online.submitted_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["assessments_online.attempt__proctored"] == "BOOLEAN"
    assert types["course_evaluations.avg_rating"] == "DOUBLE"
    (json_file,) = landing.glob("assessments_online_*.json")
    records = json.loads(json_file.read_text())
    loaded = query(
        warehouse,
        f"SELECT assessment_ref, attempt__number, attempt__proctored, score FROM {RAW}.assessments_online "
        "ORDER BY _source_row",
    )
    expected = [
        (r["assessment_ref"], r["attempt"]["number"], r["attempt"]["proctored"], r["score"]) for r in records
    ]
    assert loaded == expected


def test_rerun_loads_nothing_even_without_the_local_pipeline_folder(
    landing: Path, warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_files()
    before = rows_per_file(warehouse)
    waiting = sorted(p.name for p in landing.iterdir())

    assert run_files() == {}
    # A new machine: no local dlt state; the loaded-file list comes back from the warehouse.
    monkeypatch.setenv("CAMPUS_PIPELINES_DIR", str(tmp_path / "fresh_pipelines"))
    assert run_files() == {}
    assert rows_per_file(warehouse) == before
    # Loaded files are skipped, not mistaken for conflicting re-drops.
    assert sorted(p.name for p in landing.iterdir()) == waiting
    assert [p.name for p in (landing / "rejected").iterdir() if not p.name.endswith(".reason.txt")] == [
        malformed(landing)
    ]


def test_a_new_days_files_load_once_after_advance(landing: Path, warehouse: Path) -> None:
    run_files()
    new_files = advance(landing.parent, days=1)["advances"][-1]["changes"]["files"]["inserted"]
    assert len(new_files) == 4

    extracted = run_files()

    assert extracted == {kind_of(name): rows for name, rows in new_files.items()}
    assert {name: rows_per_file(warehouse)[name] for name in new_files} == new_files
    assert run_files() == {}
    assert sum(rows_per_file(warehouse).values()) == sum(manifest_files(landing).values()) - 7


def _rewrite_csv_header(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("make_bad_file", "reason_part"),
    [
        (
            lambda landing: _rewrite_csv_header(
                Path(
                    shutil.copy(
                        next(landing.glob("students_partner_*.csv")),
                        landing / "students_partner_20261020.csv",
                    )
                ),
                '"email"',
                '"e_mail"',
            ),
            "line 1: columns differ from earlier students_partner files: "
            "missing ['email'], unexpected ['e_mail']",
        ),
        (
            lambda landing: (landing / "assessments_online_20261020.json").write_text(
                json.dumps(
                    [
                        {
                            "assessment_ref": "OA-X-1",
                            "student_id": "100001",
                            "course_code": "AB100",
                            "submitted_at": "2026-10-19T10:00:00Z",
                            "score": 50.5,
                            "max_score": 100,
                            "attempt": {"number": 1, "proctored": False},
                        }
                    ]
                )
            ),
            "record 1: student_id: '100001' is not an integer",
        ),
        (
            lambda landing: (landing / "assessments_online_20261021.json").write_text(
                '[{"assessment_ref": 1,'
            ),
            "invalid JSON",
        ),
        (
            lambda landing: pq.write_table(
                pa.table(
                    {
                        "course_code": ["AB100"],
                        "term_code": [202605],
                        "respondents": ["many"],
                        "avg_rating": [4.5],
                    }
                ),
                landing / "course_evaluations_20261020.parquet",
            ),
            "schema: respondents: type string is not an integer",
        ),
    ],
    ids=["csv-header-drift", "json-string-id", "json-truncated", "parquet-wrong-type"],
)
def test_an_invalid_file_is_rejected_whole_and_the_rest_still_load(
    landing: Path, warehouse: Path, make_bad_file: Any, reason_part: str
) -> None:
    before = {p.name for p in landing.iterdir() if p.is_file()}
    make_bad_file(landing)
    (bad,) = {p.name for p in landing.iterdir() if p.is_file()} - before

    run_files()

    assert reason_part in (landing / "rejected" / f"{bad}.reason.txt").read_text()
    assert (landing / "rejected" / bad).is_file() and not (landing / bad).exists()
    loaded = rows_per_file(warehouse)
    assert bad not in loaded
    assert len(loaded) == 4


def test_a_file_is_never_loaded_twice_under_another_name_or_with_changed_content(
    landing: Path, warehouse: Path
) -> None:
    run_files()
    before = rows_per_file(warehouse)
    original = next(landing.glob("attendance_lab_????????.csv"))
    shutil.copy(original, landing / "attendance_lab_20261020.csv")
    original.write_text(original.read_text() + "100001,AB100,2026-10-14,PRESENT,30\n")

    assert run_files() == {}

    assert rows_per_file(warehouse) == before
    renamed = (landing / "rejected" / "attendance_lab_20261020.csv.reason.txt").read_text()
    assert "same content (sha256 " in renamed and f"as {original.name}, which is already loaded" in renamed
    changed = (landing / "rejected" / f"{original.name}.reason.txt").read_text()
    assert "was already loaded with other content" in changed
