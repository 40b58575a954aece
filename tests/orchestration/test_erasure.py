"""Erasure on request: a student in all four sources is erased everywhere the platform keeps data, stays
erased through later runs and a sandbox day, and nobody else's rows change; refused requests change nothing.

One copy of the session's first `campus run` serves the module; the tests run in order on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.destination import connect_working, readers_path
from orchestration import privacy
from orchestration.cli import main
from orchestration.publish import PublishSettings
from tests.conftest import warehouse_environment
from tests.orchestration.conftest import RecordedRun, campus_run, dbt_environment
from tests.warehouse import copy_working


@dataclass
class Student:
    key: str
    sis_id: int
    workday_id: str
    email: str
    first: str
    last: str

    def needles(self) -> list[str]:
        """Values that name this student alone, looked for inside any text."""
        return [self.key, self.workday_id, self.email.lower(), f"{self.first} {self.last}".lower()]


@dataclass
class Site:
    root: Path
    sandbox: Path
    warehouse: Path
    before: Path  # the warehouse file as it was before any request
    student: Student
    other: Student

    @property
    def pipelines(self) -> Path:
        return self.warehouse.parent / ".dlt_pipelines"

    @property
    def published(self) -> Path:
        return self.warehouse.parent / "published"


def cli(*args: str) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(list(args))
    return code, printed.getvalue()


def pick_students(warehouse: Path) -> list[Student]:
    """Students present in all four sources (SIS, Workday, Tableau's Student Analytics, a file drop), in no
    planted defect's stored failures, and whose full name nobody else has."""
    with connect_working(warehouse, read_only=True) as con:
        rows = con.execute(
            """
            select d.student_key, d.sis_student_id, d.workday_student_id, d.email, d.first_name, d.last_name
            from marts.dim_student d
            where d.sis_student_id is not null and d.workday_student_id is not null and d.email is not null
              and cast(d.sis_student_id as varchar) in (
                  select trim(student_id) from raw_tableau.student_analytics)
              and d.sis_student_id in (
                  select student_id from raw_files.attendance_lab
                  union select student_id from raw_files.assessments_online)
              and d.sis_student_id not in (
                  select student_id from test_failures.dq_sis_students_duplicate_person
                  union select duplicate_of_student_id from test_failures.dq_sis_students_duplicate_person)
              and (select count(*) from raw_oracle_sis.students s
                   where lower(concat_ws(' ', s.first_name, s.last_name))
                       = lower(concat_ws(' ', d.first_name, d.last_name)))
                  = 1
              and (select count(*) from raw_workday.students w
                   where lower(concat_ws(' ', w.first_name, w.last_name))
                       = lower(concat_ws(' ', d.first_name, d.last_name)))
                  <= 1
            order by d.sis_student_id
            """
        ).fetchall()
    assert len(rows) >= 2, "the sandbox has no student in all four sources"
    return [Student(k, int(s), w, e, f, la) for k, s, w, e, f, la in rows[:2]]


@pytest.fixture(scope="module")
def site(first_run: RecordedRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A private copy of the first run, the environment pointing at it (the privacy store inside it)."""
    assert first_run.exit_code == 0, first_run.out[-3000:]
    root = tmp_path_factory.mktemp("erasure")
    warehouse = root / "warehouse" / "campus.duckdb"
    first_run.copy_to(root / "sandbox", warehouse)
    before = root / "before.duckdb"
    copy_working(warehouse, before)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**warehouse_environment(root), **dbt_environment(root / "dbt")}.items():
            patch.setenv(name, value)
        patch.setenv("DBT_TARGET", "ci")
        patch.setenv("CAMPUS_SUPPRESSION_KEY", "test-suppression-key")
        for name in ("CAMPUS_ALERT_WEBHOOK_URL", "CAMPUS_ALERT_SMTP_HOST", "CAMPUS_PRIVACY_DB"):
            patch.delenv(name, raising=False)
        # A second kept publish (the first one older), as days of runs leave them.
        assert main(["publish", "--run-id", "second-publish"]) == 0
        student, other = pick_students(warehouse)
        yield Site(root, root / "sandbox", warehouse, before, student, other)


# ---------------------------------------------------------------- independent scans (not privacy.py's)


def _text_columns(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe select * from {source}").fetchall()]


def _hits(con: duckdb.DuckDBPyConnection, source: str, student: Student) -> int:
    """Rows of `source` whose text (all columns joined) holds one of the student's unique values, or whose
    student-named column holds the SIS id."""
    columns = _text_columns(con, source)
    if not columns:
        return 0
    joined = "lower(concat_ws(' ', " + ", ".join(f'cast("{c}" as varchar)' for c in columns) + "))"
    parts = [f"contains({joined}, '{n}')" for n in student.needles()]
    parts += [
        f"trim(cast(\"{c}\" as varchar)) in ('{student.sis_id}', 'sis:{student.sis_id}')"
        for c in columns
        if "student" in c.lower() or c.lower() in {"record_key", "identity_record_key", "source_record_id"}
    ]
    row = con.execute(f"select count(*) from {source} where {' or '.join(parts)}").fetchone()
    return int(row[0]) if row else 0


def scan_database(path: Path, student: Student) -> dict[str, int]:
    found = {}
    with connect_working(path, read_only=True) as con:
        tables = con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables "
            "where table_catalog in (current_database(), 'readers')"
        ).fetchall()
        for catalog, schema, table in tables:
            hits = _hits(con, f'"{catalog}"."{schema}"."{table}"', student)
            if hits:
                found[f"{schema}.{table}"] = hits
    return found


def scan_files(folder: Path, student: Student) -> dict[str, int]:
    """Every file under `folder`: Parquet through DuckDB, DuckDB files by their tables, others as text."""
    found: dict[str, int] = {}
    needles = [n.encode() for n in student.needles()]
    with duckdb.connect() as con:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix == ".parquet":
                hits = _hits(con, f"read_parquet('{path}', hive_partitioning = false)", student)
            elif path.suffix == ".duckdb":
                hits = sum(scan_database(path, student).values())
            else:
                data = path.read_bytes().lower()
                hits = sum(data.count(n) for n in needles)
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found


def everywhere(site: Site, student: Student) -> dict[str, int]:
    return {
        **scan_database(site.warehouse, student),
        **{f"published/{k}": v for k, v in scan_files(site.published, student).items()},
        **{f"pipelines/{k}": v for k, v in scan_files(site.pipelines, student).items()},
    }


def _children_of_hits(con: duckdb.DuckDBPyConnection, table: str, student: Student) -> int:
    """Rows of a dlt child table (`x__y`) whose root record holds the student (a list inside that record)."""
    schema, name = table.split(".", 1)
    if "__" not in name or "_dlt_root_id" not in _text_columns(con, table):
        return 0
    root = f"{schema}.{name.split('__')[0]}"
    columns = _text_columns(con, root)
    joined = "lower(concat_ws(' ', " + ", ".join(f'cast("{c}" as varchar)' for c in columns) + "))"
    held = " or ".join(f"contains({joined}, '{n}')" for n in student.needles())
    row = con.execute(
        f"select count(*) from {table} where _dlt_root_id in (select _dlt_id from {root} where {held})"
    ).fetchone()
    return int(row[0]) if row else 0


def table_counts(path: Path) -> dict[str, int]:
    with connect_working(path, read_only=True) as con:
        tables = con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables "
            "where table_catalog in (current_database(), 'readers') and table_type = 'BASE TABLE'"
        ).fetchall()
        return {  # named as readers know them, whichever file holds them
            f"{s}.{t}": int(con.execute(f'select count(*) from "{c}"."{s}"."{t}"').fetchone()[0])  # type: ignore[index]
            for c, s, t in tables
        }


def fingerprint(folder: Path) -> dict[str, str]:
    """Content hash of every file (DuckDB files by their rows: opening one may rewrite its header)."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".wal")):
        if path.suffix == ".duckdb":
            out[str(path)] = str(sorted(table_counts(path).items()))
        elif "audit" not in path.parts and ".secrets" not in path.parts:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def audit_rows(site: Site) -> list[dict[str, Any]]:
    return privacy.requests(site.warehouse.parent / "audit" / "privacy.sqlite")


# ---------------------------------------------------------------- the tests, in order


def test_the_student_is_everywhere_before(site: Site) -> None:
    found = everywhere(site, site.student)
    for where in (
        "raw_oracle_sis.students",
        "raw_workday.students",
        "raw_tableau.student_analytics",
        "raw_files.attendance_lab",
        "marts.dim_student",
        "snapshots.snp_oracle_sis__students",
        "search.search_documents",
        "recommendations.rec_student_jobs",
    ):
        assert found.get(where), where
    assert any(k.startswith("published/") and k.endswith(".parquet") for k in found)
    snapshots = {
        k.split("/")[2] for k in found if k.startswith("published/publishes/") and k.endswith(".duckdb")
    }
    assert len(snapshots) == 2, found  # both kept publishes hold the student


def test_a_dry_run_counts_and_changes_nothing(site: Site) -> None:
    before = fingerprint(site.warehouse.parent)
    code, out = cli(
        "privacy", "erase", "--student", site.student.email, "--request", "REQ-DRY", "--by", "dpo"
    )
    assert code == 0, out
    assert "would remove" in out and "raw_oracle_sis.students" in out
    assert fingerprint(site.warehouse.parent) == before
    last = audit_rows(site)[-1]
    assert (last["request_id"], last["mode"], last["outcome"]) == ("REQ-DRY", "dry_run", "planned")


def test_unknown_and_ambiguous_identifiers_change_nothing(site: Site, tmp_path: Path) -> None:
    before = fingerprint(site.warehouse.parent)
    code, out = cli(
        "privacy", "erase", "--student", "nobody@nowhere.example", "--request", "REQ-UNKNOWN", "--apply"
    )
    assert code == 1 and "NOT_FOUND" in out, out
    assert "nobody@nowhere.example" not in out
    assert fingerprint(site.warehouse.parent) == before
    # Two people under one e-mail (a copy of the warehouse where another student took the address).
    ambiguous = tmp_path / "ambiguous.duckdb"
    copy_working(site.warehouse, ambiguous)
    with connect_working(ambiguous) as con:
        con.execute(
            "update intermediate.int_students__unified set email = ? where student_key = ?",
            [site.student.email, site.other.key],
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAMPUS_WAREHOUSE", str(ambiguous))
        patch.setenv("CAMPUS_PRIVACY_DB", str(site.warehouse.parent / "audit" / "privacy.sqlite"))
        ambiguous_before = table_counts(ambiguous)
        code, out = cli(
            "privacy", "erase", "--student", site.student.email, "--request", "REQ-AMBIG", "--apply"
        )
        assert code == 1 and "AMBIGUOUS" in out and "2 people" in out, out
        assert table_counts(ambiguous) == ambiguous_before
    assert fingerprint(site.warehouse.parent) == before
    outcomes = {(r["request_id"], r["outcome"]) for r in audit_rows(site)}
    assert {("REQ-UNKNOWN", "not_found"), ("REQ-AMBIG", "ambiguous")} <= outcomes


def test_a_held_warehouse_is_an_explained_failure(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holds the working warehouse (as a BI tool pointed at the wrong file would): the apply
    waits CAMPUS_LOCK_WAIT_SECONDS, then exits 1 naming the holder, and changes nothing."""
    code = (
        "import time, duckdb\n"
        f"con = duckdb.connect({str(site.warehouse)!r}, read_only=True)\n"
        "print('holding', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        monkeypatch.setenv("CAMPUS_LOCK_WAIT_SECONDS", "0.5")
        before = fingerprint(site.warehouse.parent)
        exit_code, out = cli(
            "privacy", "erase", "--student", site.student.key, "--request", "REQ-HELD", "--apply"
        )
    finally:
        holder.kill()
        holder.wait()
    assert exit_code == 1 and "LOCKED" in out and f"process {holder.pid}" in out, out
    assert fingerprint(site.warehouse.parent) == before
    assert audit_rows(site)[-1]["outcome"] == "locked"


def test_an_interrupted_erasure_completes_when_run_again(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    counts_before = table_counts(site.warehouse)

    def cut_off(*args: object) -> None:
        raise KeyboardInterrupt("power cut while rewriting the lake")

    with monkeypatch.context() as patch:
        patch.setattr(privacy, "rewrite_lake_file", cut_off)
        with pytest.raises(KeyboardInterrupt):
            privacy.erase(site.student.email, "REQ-1", "dpo", apply=True)
    # Half-way: the working warehouse is clear, a lake file still holds the student.
    assert not scan_database(site.warehouse, site.student)
    assert any(k.endswith(".parquet") for k in scan_files(site.published, site.student))

    code, out = cli(
        "privacy", "erase", "--student", site.student.email, "--request", "REQ-1", "--apply", "--by", "dpo"
    )
    assert code == 0, out
    assert "verification: passed" in out
    assert everywhere(site, site.student) == {}

    attempts = [r for r in audit_rows(site) if r["request_id"] == "REQ-1"]
    assert [(r["mode"], r["stage"], r["outcome"]) for r in attempts] == [
        ("apply", "started", "started"),
        ("apply", "started", "started"),
        ("apply", "finished", "erased"),
    ]
    assert attempts[-1]["verification"] == "passed" and attempts[-1]["requested_by"] == "dpo"
    # No personal value in any audit row or in the privacy store at all.
    store = (site.warehouse.parent / "audit" / "privacy.sqlite").read_bytes().lower()
    for needle in [*site.student.needles(), str(site.student.sis_id).encode().decode()]:
        assert needle.encode() not in store, needle

    # Every other student's rows are unchanged: each table lost exactly the rows belonging to the student.
    counts_after = table_counts(site.warehouse)
    removed = {t: counts_before[t] - counts_after.get(t, 0) for t in counts_before}
    with connect_working(site.before, read_only=True) as con:
        for table, lost in removed.items():
            if table.startswith("search.search_vocabulary") or table.startswith("search.search_trigrams"):
                continue  # terms only the student's documents held (checked below)
            assert lost == _hits(con, table, site.student) + _children_of_hits(con, table, site.student), (
                table
            )
        # the others' rows, exactly: nothing but the student's rows left dim_student and the raw students
        con.execute(f"attach '{site.warehouse}' as after (read_only)")
        con.execute(f"attach '{readers_path(site.warehouse)}' as after_readers (read_only)")
        for table, key, after in (
            ("marts.dim_student", "student_key", "after_readers"),
            ("raw_oracle_sis.students", "student_id", "after"),
            ("marts.fct_enrollment", "student_key", "after_readers"),
        ):
            value = site.student.key if key == "student_key" else site.student.sis_id
            differ = con.execute(
                f"select count(*) from ((select * from {table} where {key} <> ?) "
                f"except all (select * from {after}.{table}))",
                [value],
            ).fetchone()
            assert differ == (0,), table
    assert sum(removed.values()) > 0


def test_the_student_stays_erased_through_runs_and_a_sandbox_day(site: Site) -> None:
    other_before = scan_database(site.warehouse, site.other)
    assert campus_run(site.sandbox) == 0
    assert everywhere(site, site.student) == {}
    # That run's publish copied the readers' file rewritten after the erasure: none of the student's bytes,
    # not even in blocks DuckDB freed (without the rewrite, the deleted rows' bytes are copied along).
    snapshot = PublishSettings.from_env().snapshot.read_bytes()
    assert not [n for n in (site.student.key, site.student.email) if n.encode() in snapshot]
    with connect_working(site.warehouse, read_only=True) as con:
        suppressed = con.execute(
            "select table_name, sum(rows_suppressed) from raw_meta.load_history "
            "where rows_suppressed > 0 group by 1"
        ).fetchall()
    # The sources still send the student: Tableau's daily snapshot at least is dropped before it lands.
    assert dict(suppressed).get("student_analytics", 0) >= 1, suppressed

    code, out = cli("sandbox", "advance", "--data", str(site.sandbox), "--days", "1")
    assert code == 0, out
    assert campus_run(site.sandbox) == 0
    assert everywhere(site, site.student) == {}
    # Another student is still everywhere they were.
    assert set(scan_database(site.warehouse, site.other)) >= set(other_before) - {
        "staging.quarantine_records"
    }


def test_the_dagster_job_runs_a_request_from_run_config(site: Site) -> None:
    from orchestration.dagster.privacy import campus_erasure

    config = {
        "ops": {"erase_student": {"config": {"request_id": "REQ-DAG", "student": str(site.other.sis_id)}}}
    }
    result = campus_erasure.execute_in_process(run_config=config)
    assert result.success
    assert result.output_for_node("erase_student")["rows"] > 0
    assert scan_database(site.warehouse, site.other)  # a dry run: still there
    last = audit_rows(site)[-1]
    assert (last["request_id"], last["mode"], last["outcome"], last["requested_by"]) == (
        "REQ-DAG",
        "dry_run",
        "planned",
        "dagster",
    )
    with (
        sqlite3.connect(site.warehouse.parent / "audit" / "privacy.sqlite") as con,
        pytest.raises(sqlite3.Error),
    ):
        con.execute("update erasure_requests set outcome = 'erased'")
