"""Every page of the app, run with Streamlit's AppTest against the warehouse dbt builds from the sandbox."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ingestion.destination import connect_working
from tests.app.conftest import open_page
from tests.warehouse import BuiltWarehouse, copy_working, publish_built, run_dbt, source_freshness

PAGES = [
    "views/search.py",
    "views/student.py",
    "views/jobs.py",
    "views/quality.py",
    "views/pipeline.py",
    "views/files.py",
    "views/audit.py",
]


def messages(at: AppTest) -> str:
    return " | ".join(str(m.value) for m in [*at.error, *at.warning, *at.info])


def page_text(at: AppTest) -> str:
    parts = [str(e.value) for e in [*at.markdown, *at.caption, *at.title, *at.subheader, *at.success]]
    parts += [str(e.proto.label) for e in at.get("page_link")]
    return "\n".join(parts)


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe] + [t.value for t in at.table]


def a_recommended_student(warehouse: BuiltWarehouse) -> tuple[str, str, str]:
    """A student in both systems, with job recommendations and a unique full name: (key, first, last)."""
    rows = warehouse.query(
        """
        select s.student_key, s.first_name, s.last_name
        from marts.dim_student as s
        where s.student_key in (select student_key from recommendations.rec_student_jobs)
            and s.is_in_sis and s.is_in_workday
            and s.last_name is not null and length(s.last_name) >= 4
            and (
                select count(*) from marts.dim_student as o
                where o.last_name = s.last_name and o.first_name = s.first_name
            ) = 1
        order by s.student_key
        limit 1
        """
    )
    assert rows, "the sandbox warehouse has no recommended student in both systems with a unique name"
    return rows[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(app_env: BuiltWarehouse, page: str) -> None:
    at = open_page(page)
    assert not at.exception, at.exception
    assert not at.error, messages(at)
    assert at.title, "the page has no title"


def test_search_by_last_name_finds_the_student(app_env: BuiltWarehouse) -> None:
    key, _first, last = a_recommended_student(app_env)
    at = open_page("views/search.py")
    at.text_input(key="search_text").input(last).run()
    assert not at.exception and not at.error, messages(at)
    results = at.dataframe[0].value
    students = results[results["doc_type"] == "student"]
    assert key in list(students["entity_id"]), results


def test_search_by_full_name_ranks_the_student_first(app_env: BuiltWarehouse) -> None:
    key, first, last = a_recommended_student(app_env)
    at = open_page("views/search.py")
    at.text_input(key="search_text").input(f"{first} {last}").run()
    assert not at.error, messages(at)
    assert at.dataframe[0].value.iloc[0]["entity_id"] == key


def test_search_with_a_partial_word_still_finds_the_student(app_env: BuiltWarehouse) -> None:
    key, _first, last = a_recommended_student(app_env)
    at = open_page("views/search.py")
    at.text_input(key="search_text").input(last[:4].upper()).run()
    assert not at.error, messages(at)
    assert key in list(at.dataframe[0].value["entity_id"])


def test_search_with_a_misspelt_name_still_finds_the_student(app_env: BuiltWarehouse) -> None:
    key, first, last = a_recommended_student(app_env)
    typo = last[:2] + last[3:]  # a letter dropped
    known = {row[0] for row in app_env.query("select term from search.search_vocabulary")}
    assert typo.lower() not in known, "the misspelling is itself a word of the index; pick another student"
    at = open_page("views/search.py")
    at.text_input(key="search_text").input(f"{first} {typo}").run()
    assert not at.error, messages(at)
    assert "matched approximately" in page_text(at)
    assert key in list(at.dataframe[0].value["entity_id"])


def test_student_profile_shows_that_students_recommendations(app_env: BuiltWarehouse) -> None:
    key, _first, _last = a_recommended_student(app_env)
    expected = app_env.query(
        """
        select j.job_title
        from recommendations.rec_student_jobs as r
        inner join marts.dim_job_posting as j on j.job_posting_id = r.job_posting_id
        where r.student_key = ?
        order by r.rank
        """,
        [key],
    )
    at = open_page("views/student.py", student=key)
    assert not at.exception and not at.error, messages(at)
    jobs = next(f for f in frames(at) if "job_title" in f.columns)
    assert list(jobs["job_title"]) == [title for (title,) in expected]
    assert jobs["reason"].notna().all()


def test_student_profile_shows_that_students_attendance_and_scores(app_env: BuiltWarehouse) -> None:
    ((key, rate, assessments, average),) = app_env.query(
        "select student_key, attendance_rate, assessment_count, avg_score_pct"
        " from marts.student_performance_summary"
        " where attendance_rate is not null and avg_score_pct is not null order by student_key limit 1"
    )
    at = open_page("views/student.py", student=key)
    assert not at.exception and not at.error, messages(at)
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Attendance"] == f"{rate:.0%}"
    assert shown["Assessments"] == str(assessments)
    assert shown["Average score"] == f"{average:.1f}%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   ", "Type a name"),
        ("x" * 5000, "keep it under"),
        ("%%%___", "no letters or digits"),
        ("'; drop table marts.dim_student; --", None),
        ('"O\'Brien" OR 1=1', None),
        ("Zoë Ñúñez 北京", None),
        ("qqqqzzzz xxxyyy", "Nothing matches"),
    ],
)
def test_bad_search_text_gets_a_message(app_env: BuiltWarehouse, text: str, expected: str | None) -> None:
    at = open_page("views/search.py")
    at.text_input(key="search_text").input(text).run()
    assert not at.exception, at.exception
    if expected is None:  # searched as plain words: results or "nothing matches", never an error
        assert not at.error, messages(at)
    else:
        assert expected in messages(at)
    # The SQL-like text was a value, not SQL: the student table is still there.
    assert app_env.query("select count(*) from marts.dim_student")[0][0] > 0


def test_unknown_student_id_gets_a_message(app_env: BuiltWarehouse) -> None:
    at = open_page("views/student.py", student="no-such-student-42")
    assert not at.exception
    assert "No student has the id 'no-such-student-42'" in messages(at)


def test_missing_warehouse_file_gets_a_message(
    app_env: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(tmp_path / "nowhere" / "campus.duckdb"))
    for page in PAGES:
        at = open_page(page)
        assert not at.exception, (page, at.exception)
        if page not in ("views/files.py", "views/audit.py"):  # uploads and the audit need no warehouse
            assert "No published snapshot at" in messages(at), page
            assert "make run" in messages(at), page


def test_malformed_upload_is_rejected_with_its_problems(app_env: BuiltWarehouse) -> None:
    landing = Path(app_env_landing())
    at = open_page("views/files.py")
    bad = b"student_id,course_code,lab_date,status,minutes_present\n12,CS101,not-a-date,present,50\n"
    at.file_uploader[0].upload("attendance_lab_20261101.csv", bad, "text/csv").run()
    assert not at.exception
    assert "was not accepted" in messages(at)
    assert "lab_date: 'not-a-date' is not an ISO date" in "\n".join(str(c.value) for c in at.code)
    assert not (landing / "attendance_lab_20261101.csv").exists()

    at.file_uploader[0].upload("grades_20261101.csv", b"a,b\n1,2\n", "text/csv").run()
    assert "does not name a known kind of file" in "\n".join(str(c.value) for c in at.code)


def app_env_landing() -> str:
    import os

    return os.environ["SOURCES__FILES__LANDING_DIR"]


def _lab_csv(rows: list[tuple[int, str, str, str, int]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student_id", "course_code", "lab_date", "status", "minutes_present"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_valid_upload_is_loaded_by_a_tracked_job(
    app_env: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The load writes: give it a copy of the warehouse, never the shared one.
    copy = tmp_path / "warehouse" / "campus.duckdb"
    copy.parent.mkdir()
    copy_working(app_env.path, copy)
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(copy))
    monkeypatch.setenv("CAMPUS_PIPELINES_DIR", str(tmp_path / "warehouse" / ".dlt_pipelines"))
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt_data"))
    monkeypatch.setenv("CAMPUS_APP_IDLE_SECONDS", "1")
    name = "attendance_lab_20261102_upload.csv"
    content = _lab_csv(
        [(1001, "CS101", "2026-11-02", "present", 50), (1002, "CS101", "2026-11-02", "absent", 0)]
    )

    at = open_page("views/files.py")
    at.file_uploader[0].upload(name, content, "text/csv").run()
    assert "passed its checks (2 rows)" in " ".join(str(s.value) for s in at.success), messages(at)
    assert (Path(app_env_landing()) / name).is_file()

    at.button(key="files_start").click().run()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        at.run()
        done = [str(s.value) for s in at.success if "Load finished" in str(s.value)]
        failed = [str(e.value) for e in at.error if "Load failed" in str(e.value)]
        if done or failed:
            break
        time.sleep(1)
    assert done, (failed, [str(c.value) for c in at.code])
    time.sleep(1.5)  # the app lets go of the file after its idle time
    with connect_working(copy, read_only=True) as con:
        loaded = con.execute(
            "select count(*) from raw_files.attendance_lab where _source_file = ?", [name]
        ).fetchone()
    assert loaded == (2,)


def test_any_mart_downloads_masked(app_env: BuiltWarehouse) -> None:
    at = open_page("views/files.py")
    marts = at.selectbox(key="files_mart")
    assert "marts.dim_student" in marts.options
    marts.select("marts.dim_student").run()
    at.radio(key="files_format").set_value("CSV").run()
    assert not at.exception and not at.error, messages(at)
    assert "Personal fields masked" in page_text(at)
    at.button(key="files_prepare").click().run()
    assert not at.exception and not at.error, messages(at)
    assert at.get("download_button"), "no download offered after preparing it"


def test_quality_page_shows_stale_sources_and_still_the_builds_tests_after_a_freshness_check(
    app_env: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dbt source freshness` after the build: the quality page lists the stale table from dbt's verdicts, and
    its failing tests and the pipeline page's durations still come from the build, not from the check."""
    warehouse = tmp_path / "campus.duckdb"
    copy_working(app_env.path, warehouse)
    with connect_working(warehouse) as con:
        con.execute(
            "update raw_tableau.job_market_trends set _dlt_load_id = ?", [str(time.time() - 3 * 86400)]
        )
    statuses = source_freshness(warehouse, tmp_path / "dbt")
    assert statuses["source.campus_pathways.tableau.job_market_trends"] == "warn"
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CAMPUS_APP_WAREHOUSE", str(publish_built(warehouse)))
    warned_in_build = {
        r["unique_id"].split(".")[2] for r in app_env.run_results["results"] if r["status"] == "warn"
    }
    assert warned_in_build

    at = open_page("views/quality.py")
    assert not at.exception, at.exception
    assert "1 of" in messages(at) and "tableau.job_market_trends" in messages(at)
    (checks,) = [f for f in frames(at) if {"source_name", "table_name", "status"} <= set(f.columns)]
    assert len(checks) == len(statuses)
    assert checks.iloc[0][["source_name", "table_name", "status"]].tolist() == [
        "tableau",
        "job_market_trends",
        "warn",
    ]
    assert "72." in checks.iloc[0]["message"]
    (failing,) = [f for f in frames(at) if "failures" in f.columns]
    assert set(failing["node_name"]) == warned_in_build

    at = open_page("views/pipeline.py")
    (durations,) = [f for f in frames(at) if "execution_seconds" in f.columns]
    assert {"model", "test"} <= set(durations["resource_type"])


def test_quality_page_samples_the_stored_rows_of_a_long_named_failing_test(app_env: BuiltWarehouse) -> None:
    """dbt stores a 64+ character test's failing rows under a shortened, hashed name: the page still finds
    them (through ops_dbt_failing_tests) and shows them."""
    at = open_page("views/quality.py")
    (failing,) = [f for f in frames(at) if "failures" in f.columns]
    long_named = failing[failing["node_name"].str.len() >= 64].iloc[0]
    ((schema, relation),) = app_env.query(
        "select failures_schema, failures_relation from operations.ops_dbt_stored_test_failures"
        " where test_name = ?",
        [long_named["node_name"]],
    )
    assert len(relation) < 64 and relation != long_named["node_name"].lower()
    stored = app_env.query(f"select * from {schema}.{relation}")
    assert len(stored) == long_named["failures"] > 0

    at.selectbox(key="quality_test").select(long_named["node_name"]).run()
    assert not at.exception and not at.error, messages(at)
    columns = [
        name
        for (name,) in app_env.query(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
            " order by ordinal_position",
            [schema, relation],
        )
    ]
    samples = [f for f in frames(at) if list(f.columns) == columns]
    assert [len(sample) for sample in samples] == [min(len(stored), 20)]


def test_pipeline_page_lists_recorded_runs(
    app_env: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before any run is recorded the page says so; after `campus run` records one (and the next build points
    ops_pipeline_runs at the table) it lists the run with its outcome."""
    from orchestration.run_history import RunRecord, record_run

    at = open_page("views/pipeline.py")
    assert not at.exception and not at.error, messages(at)
    assert "No pipeline run recorded yet" in page_text(at)

    warehouse = tmp_path / "warehouse" / "campus.duckdb"
    warehouse.parent.mkdir()
    copy_working(app_env.path, warehouse)
    monkeypatch.setenv("CAMPUS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CAMPUS_PIPELINES_DIR", str(tmp_path / "warehouse" / ".dlt_pipelines"))
    started = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    record_run(
        RunRecord(
            run_id="run-of-the-test",
            trigger="cli",
            started_at=started,
            finished_at=started + timedelta(seconds=42),
            status="success",
            job_name="campus run",
            sources={"workday": {"status": "success", "rows": 7}},
            tests_warned=3,
        ),
        "duckdb",
    )
    build = run_dbt(warehouse, tmp_path / "dbt", "build", "--select", "stg_meta__pipeline_runs+")
    assert build.returncode == 0, build.stdout[-3000:]
    publish_built(warehouse)  # the app reads what the run published, beside the working file

    at = open_page("views/pipeline.py")
    assert not at.exception and not at.error, messages(at)
    (runs,) = [f for f in frames(at) if "run_status" in f.columns]
    assert runs[["run_id", "run_status", "rows_loaded", "tests_warned"]].values.tolist() == [
        ["run-of-the-test", "success", 7, 3]
    ]
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Latest run"] == "success" and shown["Its wall time"] == "42 s"


def test_every_page_renders_from_the_snapshot_while_a_run_writes_the_working_warehouse(
    app_env: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run holds the working warehouse for writing (no other process may even read it then): the app reads
    the published snapshot, so every page still renders, with the snapshot's data."""
    working = tmp_path / "warehouse" / "campus.duckdb"
    working.parent.mkdir()
    copy_working(app_env.path, working)
    release = tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(working), str(release)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "writing"
        with pytest.raises(duckdb.IOException, match="lock"):  # what a reader of the working file meets
            duckdb.connect(str(working), read_only=True)
        monkeypatch.setenv("CAMPUS_WAREHOUSE", str(working))
        shutil.copytree(app_env.path.parent / "published", working.parent / "published", symlinks=True)
        for page in PAGES:
            at = open_page(page)
            assert not at.exception, (page, at.exception)
            assert not at.error, (page, messages(at))
    finally:
        release.touch()
        holder.wait(timeout=30)


# Opens the file for writing and writes to it until told to stop, as a run's load or build does.
WRITER = """
import sys, time, pathlib, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create or replace table main.run_in_progress (n integer)")
print("writing", flush=True)
while not pathlib.Path(sys.argv[2]).exists():
    con.execute("insert into main.run_in_progress values (1)")
    time.sleep(0.05)
con.close()
"""
