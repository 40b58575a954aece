"""Each endpoint against the session's published sandbox build: the rows the app's statements read, masked
or clear by role, every student read audited without a personal value, and the errors a client can cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.privacy import MASK
from tests.api.conftest import Issuer, audit_rows
from tests.warehouse import BuiltWarehouse


@pytest.fixture(scope="module")
def student(built_warehouse: BuiltWarehouse) -> dict[str, Any]:
    """A student with job and course recommendations, and their personal values as dbt built them."""
    ((key, first, last, email, city),) = built_warehouse.query(
        "select student_key, first_name, last_name, email, city from marts.dim_student"
        " where student_key in (select student_key from recommendations.rec_student_courses)"
        " and first_name is not null order by student_key limit 1"
    )
    return {"key": key, "first_name": first, "last_name": last, "email": email, "city": city}


def test_health_and_data_as_of_name_the_published_run(client: TestClient, issuer: Issuer) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["data_as_of"]["run_id"] == "test-build"
    answer = client.get("/v1/data-as-of", headers=issuer.headers("career_services"))
    assert answer.status_code == 200 and answer.json()["data_as_of"] == health.json()["data_as_of"]


def test_an_adviser_sees_a_profile_in_clear_and_the_read_is_audited(
    client: TestClient, issuer: Issuer, api_env: Path, student: dict[str, Any]
) -> None:
    answer = client.get(f"/v1/students/{student['key']}", headers=issuer.headers("adviser", subject="crm"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["personal_fields"] == "shown"
    assert body["student"]["first_name"] == student["first_name"]
    assert body["student"]["email"] == student["email"]
    assert answer.headers["cache-control"] == "no-store"
    (row,) = audit_rows(api_env)
    assert (row["actor"], row["roles"], row["action"], row["outcome"]) == (
        "crm",
        "adviser",
        "api_student_profile",
        "allowed",
    )
    assert row["student_key"] == student["key"] and '"shown"' in row["detail"]


def test_career_services_sees_the_same_profile_masked(
    client: TestClient, issuer: Issuer, api_env: Path, student: dict[str, Any]
) -> None:
    answer = client.get(f"/v1/students/{student['key']}", headers=issuer.headers("career_services"))
    assert answer.status_code == 200
    shown = answer.json()["student"]
    assert answer.json()["personal_fields"] == "masked"
    assert shown["first_name"] == f"{student['first_name'][0]}{MASK}"
    assert shown["email"] == f"{student['email'][0]}{MASK}"
    assert shown["date_of_birth"] == MASK
    assert shown["city"] == student["city"]  # not a personal field
    for value in (student["first_name"], student["last_name"], student["email"]):
        assert value not in answer.text
    assert '"masked"' in audit_rows(api_env)[0]["detail"]


def test_recommendations_are_the_rows_the_app_shows(
    client: TestClient,
    issuer: Issuer,
    api_env: Path,
    built_warehouse: BuiltWarehouse,
    student: dict[str, Any],
) -> None:
    key = student["key"]
    jobs = client.get(f"/v1/students/{key}/job-recommendations", headers=issuer.headers("adviser"))
    courses = client.get(f"/v1/students/{key}/course-recommendations", headers=issuer.headers("adviser"))
    assert jobs.status_code == courses.status_code == 200
    expected_jobs = built_warehouse.query(
        "select job_posting_id, matched_skills from recommendations.rec_student_jobs"
        " where student_key = ? order by rank",
        [key],
    )
    got = jobs.json()["recommendations"]
    assert [(r["job_posting_id"]) for r in got] == [job for job, _ in expected_jobs]
    assert got[0]["matched_skills"] == [s.strip() for s in expected_jobs[0][1].split(";")]
    assert [r["rank"] for r in got] == sorted(r["rank"] for r in got)
    expected_courses = built_warehouse.query(
        "select course_id from recommendations.rec_student_courses where student_key = ? order by rank", [key]
    )
    assert [r["course_id"] for r in courses.json()["recommendations"]] == [c for (c,) in expected_courses]
    assert [(r["action"], r["student_key"]) for r in audit_rows(api_env)] == [
        ("api_job_recommendations", key),
        ("api_course_recommendations", key),
    ]


def test_a_job_posting_and_its_best_fit_students_masked_by_role(
    client: TestClient, issuer: Issuer, api_env: Path, built_warehouse: BuiltWarehouse
) -> None:
    ((posting, requisition),) = built_warehouse.query(
        "select job_posting_id, requisition_id from marts.dim_job_posting where job_posting_id in"
        " (select job_posting_id from recommendations.rec_student_jobs) order by 1 limit 1"
    )
    job = client.get(f"/v1/jobs/{requisition}", headers=issuer.headers("leadership"))
    assert job.status_code == 200 and job.json()["job"]["job_posting_id"] == posting
    expected = built_warehouse.query(
        "select r.student_key, s.last_name from recommendations.rec_student_jobs as r"
        " join marts.dim_student as s using (student_key)"
        " where r.job_posting_id = ? order by r.score desc, r.rank, r.student_key limit 20",
        [posting],
    )
    clear = client.get(f"/v1/jobs/{posting}/best-fit-students", headers=issuer.headers("adviser"))
    masked = client.get(f"/v1/jobs/{posting}/best-fit-students", headers=issuer.headers("leadership"))
    assert [(s["student_key"], s["last_name"]) for s in clear.json()["students"]] == expected
    assert [s["last_name"] for s in masked.json()["students"]] == [f"{last[0]}{MASK}" for _, last in expected]
    rows = audit_rows(api_env)
    assert len(rows) == 2 * len(expected)
    assert {r["action"] for r in rows} == {"api_best_fit_list"} and rows[0][
        "target"
    ] == f"job_posting:{posting}"


def test_audit_rows_hold_no_personal_value(
    client: TestClient, issuer: Issuer, api_env: Path, student: dict[str, Any]
) -> None:
    headers = issuer.headers("adviser")
    client.get(f"/v1/students/{student['key']}", headers=headers)
    client.get("/v1/search", params={"q": student["last_name"]}, headers=headers)
    rows = audit_rows(api_env)
    assert {r["action"] for r in rows} == {"api_student_profile", "api_search_result"}
    stored = " ".join(str(value) for row in rows for value in row.values()).lower()
    for value in (student["first_name"], student["last_name"], student["email"]):
        assert value.lower() not in stored


def test_no_audit_no_data(
    client: TestClient,
    issuer: Issuer,
    student: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CAMPUS_AUDIT_DB", str(blocker / "access.sqlite"))
    answer = client.get(f"/v1/students/{student['key']}", headers=issuer.headers("adviser"))
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
    assert student["email"] not in answer.text and "audit" in answer.json()["detail"]


def test_unknown_ids_are_404_problems(client: TestClient, issuer: Issuer, api_env: Path) -> None:
    headers = issuer.headers("admin")
    for path in (
        "/v1/students/no-such-student",
        "/v1/students/no-such-student/job-recommendations",
        "/v1/students/no-such-student/course-recommendations",
        "/v1/jobs/no-such-job",
        "/v1/jobs/no-such-job/best-fit-students",
        "/v1/no-such-endpoint",
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == 404 and answer.json()["detail"]
    assert not api_env.exists() or audit_rows(api_env) == []  # nothing read, nothing recorded


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "data", "gpa_min": "high"}, "gpa_min"),
        ({"q": "data", "gpa_min": "nan"}, "gpa_min"),
        ({"q": "data", "page": "0"}, "page"),
        ({"q": "data", "type": "alumni"}, "type.0"),
        ({"q": "x" * 201}, "q"),
        ({}, "q"),
        ({"q": "data", "gpa_min": "3.5", "gpa_max": "2"}, "gpa_min"),
        ({"q": "!!!"}, "q"),
    ],
)
def test_bad_parameters_are_422_problems_naming_the_parameter(
    client: TestClient, issuer: Issuer, params: dict[str, str], named: str
) -> None:
    answer = client.get("/v1/search", params=params, headers=issuer.headers("adviser"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422 and problem["title"] and problem["detail"]
    assert named in [param["name"] for param in problem["invalid_params"]]


def test_search_masks_student_names_for_roles_without_personal_fields(
    client: TestClient, issuer: Issuer, api_env: Path, student: dict[str, Any]
) -> None:
    params = {"q": f"{student['first_name']} {student['last_name']}", "type": "student"}
    clear = client.get("/v1/search", params=params, headers=issuer.headers("registrar"))
    masked = client.get("/v1/search", params=params, headers=issuer.headers("career_services"))
    assert clear.status_code == masked.status_code == 200
    first = clear.json()["results"][0]
    assert first["entity_id"] == student["key"]
    assert first["title"] == f"{student['first_name']} {student['last_name']}"
    assert (
        masked.json()["results"][0]["title"]
        == f"{student['first_name'][0]}{MASK} {student['last_name'][0]}{MASK}"
    )
    assert {r["doc_type"] for r in clear.json()["results"]} == {"student"}
    keys = [r["entity_id"] for r in clear.json()["results"]]
    assert [r["student_key"] for r in audit_rows(api_env)] == keys + keys


def test_requests_committed_together_keep_their_own_request_ids(
    client: TestClient, issuer: Issuer, api_env: Path, student: dict[str, Any]
) -> None:
    """Concurrent reads are committed in shared transactions by the writer thread; each request's rows still
    carry that request's own id, and every request's rows are there before it is answered."""
    from concurrent.futures import ThreadPoolExecutor

    headers = issuer.headers("adviser")
    path = f"/v1/students/{student['key']}/job-recommendations"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.get(path, headers=headers), range(40)))
    assert {answer.status_code for answer in answers} == {200}
    rows = audit_rows(api_env)
    assert len(rows) == 40 and len({row["request_id"] for row in rows}) == 40
