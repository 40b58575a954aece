"""The Tableau source against the sandbox's Tableau stand-in on 127.0.0.1, loading into an isolated DuckDB."""

from __future__ import annotations

import csv
import io
import json
import traceback
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed
from tableauserverclient.server.endpoint import Auth

from ingestion.destination import make_pipeline
from ingestion.tableau import TableauDataError
from ingestion.tableau import tableau as tableau_source
from ingestion.tableau.parsing import parse_view_csv
from ingestion.tableau.views import VIEWS
from sandbox.advance import advance
from sandbox.credentials import (
    TABLEAU_PAT_NAME,
    TABLEAU_PAT_SECRET,
    TABLEAU_SITE_CONTENT_URL,
)
from sandbox.tableau_server import TableauServer

DAY_1 = date(2026, 9, 1)
DAY_2 = date(2026, 9, 2)
TABLES = {"Student Analytics": "student_analytics", "Job Market Trends": "job_market_trends"}


@pytest.fixture
def server(sandbox_dir: Path) -> Iterator[TableauServer]:
    with TableauServer(sandbox_dir).start() as srv:
        yield srv


@pytest.fixture
def tableau_env(server: TableauServer, warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the source at the stand-in by configuration only, as an operator would."""
    monkeypatch.setenv("SOURCES__TABLEAU__SERVER_URL", server.url)
    monkeypatch.setenv("SOURCES__TABLEAU__SITE", TABLEAU_SITE_CONTENT_URL)
    monkeypatch.setenv("SOURCES__TABLEAU__TOKEN_NAME", TABLEAU_PAT_NAME)
    monkeypatch.setenv("SOURCES__TABLEAU__TOKEN_SECRET", TABLEAU_PAT_SECRET)
    # Keep retry waits short; the retry policy itself is dlt's.
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "3")
    return warehouse


def run(**kwargs: Any) -> Any:
    return make_pipeline("tableau").run(tableau_source(**kwargs), loader_file_format="parquet")


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_exists(warehouse: Path, table: str) -> bool:
    if not warehouse.exists():
        return False
    rows = query(
        warehouse,
        "select count(*) from information_schema.tables "
        f"where table_schema = 'raw_tableau' and table_name = '{table}'",
    )
    return rows[0][0] == 1


def stats(server: TableauServer) -> dict[str, Any]:
    result: dict[str, Any] = requests.get(f"{server.url}/_sandbox/stats", timeout=5).json()
    return result


def set_faults(server: TableauServer, **faults: Any) -> None:
    requests.post(f"{server.url}/_sandbox/faults", json=faults, timeout=5).raise_for_status()


def manifest_counts(sandbox: Path) -> dict[str, int]:
    counts: dict[str, int] = json.loads((sandbox / "manifest.json").read_text())["sources"]["tableau"][
        "views"
    ]
    return counts


def raw_csv(sandbox: Path, file: str) -> list[dict[str, str]]:
    """The export read independently of the connector: csv module, BOM dropped, every value left as text."""
    text = (sandbox / "tableau" / file).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def test_both_views_land_typed_and_reconcile_with_the_manifest(
    tableau_env: Path, sandbox_dir: Path, server: TableauServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five views a page: Student Analytics is on page 3 and Job Market Trends on page 6 of the catalogue.
    monkeypatch.setenv("SOURCES__TABLEAU__PAGE_SIZE", "5")
    run()  # the runner's exact call, snapshot date defaulting to today in UTC
    warehouse = tableau_env

    expected = manifest_counts(sandbox_dir)
    for view, table in TABLES.items():
        assert query(warehouse, f"select count(*) from raw_tableau.{table}")[0][0] == expected[view]
    today = datetime.now(UTC).date()
    assert query(warehouse, "select distinct snapshot_date from raw_tableau.student_analytics") == [(today,)]
    # Staging's freshness check reads `_dlt_load_id`, which dlt does not add to Arrow tables by itself.
    (load_id,) = query(warehouse, "select load_id from raw_tableau._dlt_loads")[0]
    for table in TABLES.values():
        assert query(warehouse, f"select distinct _dlt_load_id from raw_tableau.{table}") == [(load_id,)]

    types = dict(
        query(
            warehouse,
            "select table_name || '.' || column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_tableau'",
        )
    )
    assert types["student_analytics.gpa"] == "DECIMAL(4,2)"
    assert types["student_analytics.credits_attempted"] == "BIGINT"
    assert types["student_analytics.attendance_rate"] == "DOUBLE"
    assert types["student_analytics.tuition_balance"] == "DECIMAL(12,2)"
    assert types["job_market_trends.job_postings"] == "BIGINT"
    assert types["job_market_trends.median_salary"] == "DECIMAL(12,2)"
    assert types["job_market_trends.yoy_growth_pct"] == "DOUBLE"
    assert types["job_market_trends.month"] == "DATE"

    students = raw_csv(sandbox_dir, "student_analytics.csv")
    with_thousands = [r for r in students if "," in r["Tuition Balance"]][:5]
    with_comma_program = [r for r in students if "," in r["Program"]]
    assert with_thousands and with_comma_program, "the sandbox should plant both formats"
    for row in with_thousands:
        loaded = query(
            warehouse,
            "select tuition_balance, gpa, attendance_rate from raw_tableau.student_analytics "
            f"where student_id = '{row['Student ID']}' and term = '{row['Term']}'",
        )
        assert loaded == [
            (
                Decimal(row["Tuition Balance"].replace(",", "")),
                Decimal(row["GPA"]) if row["GPA"] else None,
                float(row["Attendance Rate"].rstrip("%")) if row["Attendance Rate"] else None,
            )
        ]
    programs = query(
        warehouse, "select count(*) from raw_tableau.student_analytics where program like '%, %'"
    )[0][0]
    assert programs == len(with_comma_program)
    loaded_programs = {
        p for (p,) in query(warehouse, "select distinct program from raw_tableau.student_analytics")
    }
    assert loaded_programs == {r["Program"] for r in students}
    empty_rates = sum(1 for r in students if not r["Attendance Rate"])
    assert empty_rates > 0
    assert (
        query(warehouse, "select count(*) from raw_tableau.student_analytics where attendance_rate is null")[
            0
        ][0]
        == empty_rates
    )

    trends = raw_csv(sandbox_dir, "job_market_trends.csv")
    assert (
        sum(int(r["Job Postings"].replace(",", "")) for r in trends)
        == query(warehouse, "select sum(job_postings) from raw_tableau.job_market_trends")[0][0]
    )
    big = next(r for r in trends if "," in r["Job Postings"])
    loaded = query(
        warehouse,
        "select job_postings, median_salary, yoy_growth_pct from raw_tableau.job_market_trends "
        f"where skill = '{big['Skill']}' and region = '{big['Region']}' and month = '{big['Month']}-01'",
    )
    assert loaded == [
        (
            int(big["Job Postings"].replace(",", "")),
            Decimal(big["Median Salary"].replace(",", "")),
            float(big["YoY Growth %"]),
        )
    ]

    # Signed out at the end: no session remains, every sign-in was matched by a sign-out.
    counts = stats(server)
    assert counts["sessions"] == 0
    assert counts["by_endpoint"]["signin"] == {"200": 2}
    assert counts["by_endpoint"]["signout"] == {"204": 2}


def test_same_snapshot_date_replaces_and_a_new_date_adds_a_snapshot(
    tableau_env: Path, sandbox_dir: Path
) -> None:
    warehouse = tableau_env
    expected = manifest_counts(sandbox_dir)
    run(snapshot_date=DAY_1)
    run(snapshot_date=DAY_1)
    assert (
        query(warehouse, "select count(*) from raw_tableau.student_analytics")[0][0]
        == expected["Student Analytics"]
    )

    # The extract refreshes: re-running day 1 swaps that day's rows for the new content, adding none.
    advance(sandbox_dir, days=1)
    new_scores = sum(float(r["Engagement Score"]) for r in raw_csv(sandbox_dir, "student_analytics.csv"))
    run(snapshot_date=DAY_1)
    rows, total = query(
        warehouse, "select count(*), sum(engagement_score) from raw_tableau.student_analytics"
    )[0]
    assert rows == expected["Student Analytics"]
    assert total == pytest.approx(new_scores)

    run(snapshot_date=DAY_2)
    per_day = query(
        warehouse,
        "select snapshot_date, count(*) from raw_tableau.student_analytics group by 1 order by 1",
    )
    assert per_day == [(DAY_1, expected["Student Analytics"]), (DAY_2, expected["Student Analytics"])]
    per_day_trends = query(
        warehouse,
        "select snapshot_date, count(*) from raw_tableau.job_market_trends group by 1 order by 1",
    )
    assert per_day_trends == [(DAY_1, expected["Job Market Trends"]), (DAY_2, expected["Job Market Trends"])]


def test_snapshot_date_can_come_from_configuration(
    tableau_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TABLEAU__SNAPSHOT_DATE", "2026-08-15")
    monkeypatch.setenv("SOURCES__TABLEAU__VIEWS", '["Student Analytics"]')
    run()
    assert query(tableau_env, "select distinct snapshot_date from raw_tableau.student_analytics") == [
        (date(2026, 8, 15),)
    ]
    assert not table_exists(tableau_env, "job_market_trends")


@pytest.mark.parametrize(
    ("faults", "timeout", "status"),
    [
        pytest.param({"unavailable_every": 2}, "60", "503", id="503 on every second request"),
        # Every third view-list or data request gets a 429, every fifth outlasts the client's timeout.
        pytest.param(
            {"rate_limit_every": 3, "slow_every": 5, "slow_seconds": 3},
            "1",
            "429",
            id="429 with Retry-After and a timed-out request",
        ),
    ],
)
def test_refused_and_timed_out_requests_are_retried(
    tableau_env: Path,
    sandbox_dir: Path,
    server: TableauServer,
    monkeypatch: pytest.MonkeyPatch,
    faults: dict[str, Any],
    timeout: str,
    status: str,
) -> None:
    monkeypatch.setenv("SOURCES__TABLEAU__REQUEST_TIMEOUT", timeout)
    set_faults(server, **faults)
    run(snapshot_date=DAY_1)
    expected = manifest_counts(sandbox_dir)
    for view, table in TABLES.items():
        assert query(tableau_env, f"select count(*) from raw_tableau.{table}")[0][0] == expected[view]
    counts = stats(server)
    assert counts["by_status"].get(status, 0) >= 2
    assert counts["sessions"] == 0


def test_a_session_ended_by_another_sign_in_fails_with_what_to_do(
    tableau_env: Path, server: TableauServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another job signs in with the same PAT right after this run's sign-in, which ends this run's session.
    real_sign_in = Auth.sign_in

    def sign_in_then_lose_the_session(self: Any, auth: Any) -> Any:
        result = real_sign_in(self, auth)
        body = {
            "credentials": {
                "personalAccessTokenName": TABLEAU_PAT_NAME,
                "personalAccessTokenSecret": TABLEAU_PAT_SECRET,
                "site": {"contentUrl": TABLEAU_SITE_CONTENT_URL},
            }
        }
        requests.post(
            f"{server.api_url}/auth/signin", json=body, timeout=5, headers={"Accept": "application/json"}
        ).raise_for_status()
        return result

    monkeypatch.setattr(Auth, "sign_in", sign_in_then_lose_the_session)
    with pytest.raises(PipelineStepFailed) as failure:
        run(snapshot_date=DAY_1)
    message = str(failure.value)
    assert "401002" in message and "the session ended while in use" in message and "run again" in message
    assert "views page 1" in message


def test_a_download_that_keeps_failing_fails_the_run_and_still_signs_out(
    tableau_env: Path, server: TableauServer
) -> None:
    set_faults(server, unavailable_every=1)
    with pytest.raises(PipelineStepFailed) as failure:
        run(snapshot_date=DAY_1)
    message = error_text(failure.value)
    assert "/views" in message and "503" in message
    counts = stats(server)
    assert counts["by_endpoint"]["signin"] == {"200": 1}
    assert counts["by_endpoint"]["signout"] == {"204": 1}
    assert counts["sessions"] == 0
    assert not table_exists(tableau_env, "student_analytics")


def test_a_view_missing_from_the_catalogue_fails_with_its_name(
    tableau_env: Path, server: TableauServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__TABLEAU__VIEWS", '["Student Analytics", "Enrolment Forecast"]')
    with pytest.raises(PipelineStepFailed) as failure:
        run(snapshot_date=DAY_1)
    message = str(failure.value)
    assert "'Enrolment Forecast' not found among the 26 views" in message
    assert "SOURCES__TABLEAU__VIEWS" in message
    assert stats(server)["sessions"] == 0


def test_a_bad_token_names_the_settings_but_not_the_secret(
    tableau_env: Path, server: TableauServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong_secret = "not-the-right-secret-4f9a"
    monkeypatch.setenv("SOURCES__TABLEAU__TOKEN_SECRET", wrong_secret)
    with pytest.raises(PipelineStepFailed) as failure:
        run(snapshot_date=DAY_1)
    message = error_text(failure.value)
    assert "SOURCES__TABLEAU__TOKEN_NAME" in message
    assert "SOURCES__TABLEAU__TOKEN_SECRET" in message
    assert "/auth/signin" in message
    assert wrong_secret not in message
    assert TABLEAU_PAT_SECRET not in message
    assert stats(server)["by_endpoint"]["signin"] == {"401": 1}  # the run stops at the first refusal


def test_a_value_that_does_not_parse_names_view_row_and_column_and_loads_nothing_of_the_view(
    tableau_env: Path, sandbox_dir: Path
) -> None:
    path = sandbox_dir / "tableau" / "job_market_trends.csv"
    lines = path.read_bytes().split(b"\n")
    fields = lines[5].split(b",")  # data row 5: "Skill","Region","Month","Job Postings",...
    fields[3] = b'"abc"'
    lines[5] = b",".join(fields)
    path.write_bytes(b"\n".join(lines))

    with pytest.raises(PipelineStepFailed) as failure:
        run(snapshot_date=DAY_1)
    message = str(failure.value)
    assert "'Job Market Trends': row 5 (CSV line 6), column 'Job Postings': 'abc' is not a number" in message
    assert not table_exists(tableau_env, "job_market_trends")

    # Once the view is fixed, the next run loads it exactly once: nothing of the failed run lingers.
    fields[3] = b'"407"'
    lines[5] = b",".join(fields)
    path.write_bytes(b"\n".join(lines))
    run(snapshot_date=DAY_1)
    expected = manifest_counts(sandbox_dir)
    for view, table in TABLES.items():
        assert query(tableau_env, f"select count(*) from raw_tableau.{table}")[0][0] == expected[view]


def test_parsing_handles_tableau_formatting_and_rejects_what_does_not_fit() -> None:
    spec = VIEWS["Student Analytics"]
    header = (
        '\ufeff"Student ID","Student Name","Program","Term","Credits Attempted","Credits Earned","GPA",'
        '"Attendance Rate","Engagement Score","Tuition Balance"\r\n'
    )
    good = (
        '7,"Ana","Business, Economics and Finance","Fall 2026","1,012",9,"3.50","","-4.5","12,345,678.90"\r\n'
    )
    table = parse_view_csv(spec, (header + good).encode(), DAY_1)
    assert table.to_pylist() == [
        {
            "student_id": "7",
            "student_name": "Ana",
            "program": "Business, Economics and Finance",
            "term": "Fall 2026",
            "credits_attempted": 1012,
            "credits_earned": 9,
            "gpa": Decimal("3.50"),
            "attendance_rate": None,
            "engagement_score": -4.5,
            "tuition_balance": Decimal("12345678.90"),
            "snapshot_date": DAY_1,
        }
    ]
    bad_rows = {
        '7,"A","P","T",1,1,"3.125","90%",1,"0"\r\n': "column 'GPA': '3.125' is not a number that fits",
        '7,"A","P","T",1,1,"3.1","90%%",1,"0"\r\n': "column 'Attendance Rate': '90%%' is not a number",
        '7,"A","P","T",1,"1.5","3.1","",1,"0"\r\n': "column 'Credits Earned': '1.5' is not a whole number",
        '7,"A","P","T",1,1,"3.1","",1,"1,23"\r\n': "column 'Tuition Balance': '1,23' is not a number",
        '7,"A","P","T",1,1,"3.1","",1\r\n': "row 1 (CSV line 2) has 9 fields, the header has 10",
    }
    for row, expected in bad_rows.items():
        with pytest.raises(TableauDataError, match="Student Analytics") as failure:
            parse_view_csv(spec, (header + row).encode(), DAY_1)
        assert expected in str(failure.value)
    with pytest.raises(TableauDataError, match=r"lacks columns \['Tuition Balance'\]"):
        parse_view_csv(spec, header.replace(',"Tuition Balance"', "").encode(), DAY_1)
