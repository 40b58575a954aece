"""The Workday stand-in over real HTTP: OAuth2 grants, paging, filtering, record shape, faults and reloads."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import requests

from sandbox.credentials import (
    WORKDAY_CLIENT_ID,
    WORKDAY_CLIENT_SECRET,
    WORKDAY_REFRESH_TOKEN,
)
from sandbox.workday_server import WorkdayFaults, WorkdayServer

TIMEOUT = 10
WriteTable = Callable[[Path, pa.Table], None]
MakeStudents = Callable[[int, str], pa.Table]
REFRESH = {"grant_type": "refresh_token", "refresh_token": WORKDAY_REFRESH_TOKEN}
CLIENT_CREDENTIALS = {"grant_type": "client_credentials"}
CLIENT_FORM = {"client_id": WORKDAY_CLIENT_ID, "client_secret": WORKDAY_CLIENT_SECRET}


def fetch_workday_token(server: WorkdayServer) -> str:
    response = requests.post(
        server.token_url, data=REFRESH, auth=(WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET), timeout=TIMEOUT
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest.fixture
def n_students(workday_students: pa.Table) -> int:
    return int(workday_students.num_rows)


def get_students(session: requests.Session, server: WorkdayServer, **params: Any) -> requests.Response:
    return session.get(f"{server.base_api_url}/students", params=params, timeout=TIMEOUT)


def set_faults(server: WorkdayServer, **faults: Any) -> dict[str, Any]:
    response = requests.post(f"{server.url}/_sandbox/faults", json=faults, timeout=TIMEOUT)
    response.raise_for_status()
    return dict(response.json())


def stats(server: WorkdayServer) -> dict[str, Any]:
    return dict(requests.get(f"{server.url}/_sandbox/stats", timeout=TIMEOUT).json())


# -- OAuth2


@pytest.mark.parametrize("grant", [REFRESH, CLIENT_CREDENTIALS], ids=["refresh_token", "client_credentials"])
@pytest.mark.parametrize("client_auth", ["basic", "form"])
def test_token_grant_issues_a_bearer_token_that_reads_data(
    workday: WorkdayServer, grant: dict[str, str], client_auth: str, n_students: int
) -> None:
    if client_auth == "basic":
        response = requests.post(
            workday.token_url, data=grant, auth=(WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET), timeout=TIMEOUT
        )
    else:
        response = requests.post(workday.token_url, data={**grant, **CLIENT_FORM}, timeout=TIMEOUT)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    data = requests.get(
        f"{workday.base_api_url}/students",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=TIMEOUT,
    )
    assert data.status_code == 200
    assert data.json()["total"] == n_students


def test_each_grant_issues_a_distinct_token(workday: WorkdayServer) -> None:
    assert fetch_workday_token(workday) != fetch_workday_token(workday)


@pytest.mark.parametrize("client_auth", ["basic", "form"])
def test_bad_client_secret_is_invalid_client(workday: WorkdayServer, client_auth: str) -> None:
    if client_auth == "basic":
        response = requests.post(
            workday.token_url, data=REFRESH, auth=(WORKDAY_CLIENT_ID, "wrong"), timeout=TIMEOUT
        )
    else:
        form = {**REFRESH, "client_id": WORKDAY_CLIENT_ID, "client_secret": "wrong"}
        response = requests.post(workday.token_url, data=form, timeout=TIMEOUT)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_bad_refresh_token_is_invalid_grant(workday: WorkdayServer) -> None:
    response = requests.post(
        workday.token_url,
        data={"grant_type": "refresh_token", "refresh_token": "not-the-token"},
        auth=(WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET),
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"]


def test_unknown_tenant_is_not_found(workday: WorkdayServer) -> None:
    response = requests.post(
        f"{workday.url}/ccx/oauth2/other-university/token",
        data=REFRESH,
        auth=(WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET),
        timeout=TIMEOUT,
    )

    assert response.status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer made-up-token", "Basic abc"])
def test_data_request_without_a_valid_token_is_401(workday: WorkdayServer, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{workday.base_api_url}/students", headers=headers, timeout=TIMEOUT)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_token_expires_after_its_ttl(workday_data_dir: Path) -> None:
    with WorkdayServer(workday_data_dir, token_ttl=0.5) as server:
        token = fetch_workday_token(server)
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{server.base_api_url}/students", headers=headers, timeout=TIMEOUT).ok
        time.sleep(0.7)
        response = requests.get(f"{server.base_api_url}/students", headers=headers, timeout=TIMEOUT)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_expire_tokens_control_path_expires_tokens_and_a_refresh_recovers(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    assert get_students(workday_session, workday).status_code == 200

    requests.post(f"{workday.url}/_sandbox/expire-tokens", timeout=TIMEOUT).raise_for_status()
    expired = get_students(workday_session, workday)
    workday_session.headers["Authorization"] = f"Bearer {fetch_workday_token(workday)}"
    recovered = get_students(workday_session, workday)

    assert expired.status_code == 401
    assert recovered.status_code == 200


def test_revoke_fails_refresh_and_tokens_until_reset(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    requests.post(f"{workday.url}/_sandbox/revoke", timeout=TIMEOUT).raise_for_status()

    refresh = requests.post(
        workday.token_url, data=REFRESH, auth=(WORKDAY_CLIENT_ID, WORKDAY_CLIENT_SECRET), timeout=TIMEOUT
    )
    assert refresh.status_code == 400
    assert refresh.json()["error"] == "invalid_grant"
    assert get_students(workday_session, workday).status_code == 401

    requests.post(f"{workday.url}/_sandbox/reset", timeout=TIMEOUT).raise_for_status()
    assert fetch_workday_token(workday)


# -- paging and filtering


def test_walking_offset_by_limit_returns_every_id_exactly_once(
    workday: WorkdayServer, workday_session: requests.Session, n_students: int
) -> None:
    ids: list[str] = []
    totals: set[int] = set()
    offset, limit = 0, 7
    while True:
        body = get_students(workday_session, workday, offset=offset, limit=limit).json()
        totals.add(body["total"])
        ids.extend(row["id"] for row in body["data"])
        if len(body["data"]) < limit:
            break
        offset += limit

    assert totals == {n_students}
    assert ids == [f"WD-STU-{i:05d}" for i in range(n_students)]


def test_offset_past_the_end_is_an_empty_page(
    workday: WorkdayServer, workday_session: requests.Session, n_students: int
) -> None:
    body = get_students(workday_session, workday, offset=1000).json()

    assert body == {"total": n_students, "data": []}


def test_default_limit_is_20(workday: WorkdayServer, workday_session: requests.Session) -> None:
    body = get_students(workday_session, workday).json()

    assert len(body["data"]) == 20
    assert body["data"][0]["id"] == "WD-STU-00000"


def test_limit_100_is_accepted(
    workday: WorkdayServer, workday_session: requests.Session, n_students: int
) -> None:
    assert len(get_students(workday_session, workday, limit=100).json()["data"]) == n_students


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 101},
        {"limit": 0},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": "x"},
        {"updatedFrom": "yesterday"},
    ],
)
def test_bad_paging_or_filter_parameters_are_400(
    workday: WorkdayServer, workday_session: requests.Session, params: dict[str, Any]
) -> None:
    response = get_students(workday_session, workday, **params)

    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_resource_is_404(workday: WorkdayServer, workday_session: requests.Session) -> None:
    response = workday_session.get(f"{workday.base_api_url}/payrollRuns", timeout=TIMEOUT)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("updated_from", "first_row"),
    [("2026-09-02T02:00:00Z", 18), ("2026-09-02T02:00:00.001Z", 19), ("2026-09-01T03:00:00-05:00", 0)],
)
def test_updated_from_returns_exactly_the_rows_at_or_after_it(
    workday: WorkdayServer,
    workday_session: requests.Session,
    updated_from: str,
    first_row: int,
    n_students: int,
) -> None:
    # Row i is updated at 2026-09-01T08:00:00.000250Z + i hours: 18 h later is row 18, 250 us after the mark.
    body = get_students(workday_session, workday, updatedFrom=updated_from, limit=100).json()

    expected = [f"WD-STU-{i:05d}" for i in range(first_row, n_students)]
    assert [row["id"] for row in body["data"]] == expected
    assert body["total"] == len(expected)


def test_updated_from_pages_over_the_filtered_rows(
    workday: WorkdayServer, workday_session: requests.Session, n_students: int
) -> None:
    body = get_students(
        workday_session, workday, updatedFrom="2026-09-02T02:00:00Z", offset=20, limit=5
    ).json()

    assert body["total"] == n_students - 18
    assert [row["id"] for row in body["data"]] == [f"WD-STU-{i:05d}" for i in range(38, 43)]


# -- record shape


def test_null_fields_are_omitted_and_values_are_workday_shaped(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    rows = {row["id"]: row for row in get_students(workday_session, workday, limit=10).json()["data"]}

    assert "email" not in rows["WD-STU-00003"]
    assert "lastName" not in rows["WD-STU-00005"]
    assert rows["WD-STU-00004"]["email"] == "s4@example.edu"
    assert rows["WD-STU-00002"] == {
        "id": "WD-STU-00002",
        "firstName": "First2",
        "lastName": "Last2",
        "email": "s2@example.edu",
        "dateOfBirth": "2004-01-03",
        "gpa": 2.2,
        "updatedAt": "2026-09-01T10:00:00.000Z",
        "inactive": False,
    }


def test_list_columns_are_json_lists(workday: WorkdayServer, workday_session: requests.Session) -> None:
    rows = workday_session.get(f"{workday.base_api_url}/jobPostings", timeout=TIMEOUT).json()["data"]

    assert [row.get("skills") for row in rows] == [["SQL", "Python"], [], ["Welding"]]
    assert "title" not in rows[2]
    assert "postedDate" not in rows[2]
    assert rows[2]["inactive"] is True


@pytest.mark.parametrize(("resource", "total"), [("academicPrograms", 4), ("jobPlacements", 2)])
def test_every_resource_is_served(
    workday: WorkdayServer, workday_session: requests.Session, resource: str, total: int
) -> None:
    assert workday_session.get(f"{workday.base_api_url}/{resource}", timeout=TIMEOUT).json()["total"] == total


def test_replaced_parquet_file_is_served_on_the_next_request(
    workday: WorkdayServer,
    workday_session: requests.Session,
    workday_data_dir: Path,
    write_table: WriteTable,
    make_students: MakeStudents,
    n_students: int,
) -> None:
    assert get_students(workday_session, workday).json()["total"] == n_students

    write_table(workday_data_dir / "workday" / "students.parquet", make_students(50, "Renamed"))
    body = get_students(workday_session, workday, offset=49).json()

    assert body["total"] == 50
    assert body["data"][0]["firstName"] == "Renamed49"


# -- faults


def test_rate_limit_fault_answers_every_nth_data_request_with_429_and_retry_after(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    set_faults(workday, rate_limit_every=3, retry_after_seconds=2)

    statuses = [get_students(workday_session, workday) for _ in range(6)]

    assert [r.status_code for r in statuses] == [200, 200, 429, 200, 200, 429]
    assert statuses[2].headers["Retry-After"] == "2"
    assert stats(workday)["by_resource"]["students"] == {"200": 4, "429": 2}


def test_unavailable_fault_answers_every_nth_data_request_with_503(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    set_faults(workday, unavailable_every=2)

    statuses = [get_students(workday_session, workday).status_code for _ in range(4)]

    assert statuses == [200, 503, 200, 503]
    assert stats(workday)["by_status"]["503"] == 2


def test_slow_fault_delays_every_nth_page_but_answers_it_correctly(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    set_faults(workday, slow_every=2, slow_seconds=0.4)
    timings: list[float] = []
    bodies: list[dict[str, Any]] = []
    for _ in range(2):
        started = time.perf_counter()
        response = get_students(workday_session, workday, limit=5)
        timings.append(time.perf_counter() - started)
        bodies.append(response.json())

    assert timings[0] < 0.3
    assert timings[1] >= 0.4
    assert bodies[0] == bodies[1]


def test_malformed_page_fails_json_parsing_k_times_then_recovers(
    workday: WorkdayServer, workday_session: requests.Session, n_students: int
) -> None:
    set_faults(workday, malformed=[{"resource": "students", "offset": 10, "times": 2}])

    other_page = get_students(workday_session, workday, offset=0, limit=10)
    broken = [get_students(workday_session, workday, offset=10, limit=10) for _ in range(2)]
    healed = get_students(workday_session, workday, offset=10, limit=10)

    assert other_page.json()["total"] == n_students
    for response in broken:
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    assert healed.json()["data"][0]["id"] == "WD-STU-00010"


def test_malformed_page_with_times_minus_one_never_recovers(
    workday: WorkdayServer, workday_session: requests.Session
) -> None:
    set_faults(workday, malformed=[{"resource": "students", "offset": 0, "times": -1}])

    for _ in range(4):
        with pytest.raises(json.JSONDecodeError):
            json.loads(get_students(workday_session, workday).content)


def test_faults_given_to_the_constructor_apply_and_reset_clears_them(workday_data_dir: Path) -> None:
    faults = WorkdayFaults(unavailable_every=1)
    with WorkdayServer(workday_data_dir, faults=faults) as server, requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {fetch_workday_token(server)}"
        shown = requests.get(f"{server.url}/_sandbox/faults", timeout=TIMEOUT).json()
        before = get_students(session, server).status_code
        requests.post(f"{server.url}/_sandbox/reset", timeout=TIMEOUT).raise_for_status()
        after = get_students(session, server).status_code

    assert shown == faults.to_dict()
    assert WorkdayFaults.from_dict(shown) == faults
    assert (before, after) == (503, 200)


@pytest.mark.parametrize(
    "faults",
    [{"rate_limit_every": -1}, {"no_such_fault": 1}, {"malformed": [{"resource": "nope", "offset": 0}]}],
)
def test_invalid_faults_are_rejected(workday: WorkdayServer, faults: dict[str, Any]) -> None:
    response = requests.post(f"{workday.url}/_sandbox/faults", json=faults, timeout=TIMEOUT)

    assert response.status_code == 400
    assert requests.get(f"{workday.url}/_sandbox/faults", timeout=TIMEOUT).json() == WorkdayFaults().to_dict()


# -- the server itself


def test_keep_alive_pages_are_fast(
    workday: WorkdayServer, workday_session: requests.Session, n_students: int
) -> None:
    # With Nagle's algorithm on, each keep-alive response stalls ~44 ms on loopback: 60 pages take >2.5 s.
    started = time.perf_counter()
    for i in range(60):
        assert get_students(workday_session, workday, offset=i % n_students, limit=5).status_code == 200

    assert time.perf_counter() - started < 1.5


def test_stop_closes_the_port_and_keep_alive_connections(workday_data_dir: Path) -> None:
    server = WorkdayServer(workday_data_dir).start()
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {fetch_workday_token(server)}"
        assert get_students(session, server).ok
        server.stop()
        with pytest.raises(requests.ConnectionError):
            get_students(session, server)
