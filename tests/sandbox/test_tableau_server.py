"""The Tableau stand-in over real HTTP: PAT sessions, the paged view catalogue, CSV bytes and faults."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
import tableauserverclient as TSC

from sandbox.credentials import (
    TABLEAU_API_VERSION,
    TABLEAU_PAT_NAME,
    TABLEAU_PAT_SECRET,
    TABLEAU_SITE_CONTENT_URL,
)
from sandbox.tableau_server import TableauFaults, TableauServer

TIMEOUT = 10
JSON = {"Accept": "application/json"}
NS = {"t": "http://tableau.com/api"}


def signin(
    server: TableauServer,
    secret: str = TABLEAU_PAT_SECRET,
    site: str = TABLEAU_SITE_CONTENT_URL,
    version: str = TABLEAU_API_VERSION,
) -> requests.Response:
    body: dict[str, Any] = {
        "credentials": {
            "personalAccessTokenName": TABLEAU_PAT_NAME,
            "personalAccessTokenSecret": secret,
            "site": {"contentUrl": site},
        }
    }
    return requests.post(f"{server.url}/api/{version}/auth/signin", json=body, headers=JSON, timeout=TIMEOUT)


def session_of(server: TableauServer) -> tuple[str, str]:
    """(token, site id) of a fresh sign-in."""
    response = signin(server)
    response.raise_for_status()
    credentials = response.json()["credentials"]
    return credentials["token"], credentials["site"]["id"]


def list_views(server: TableauServer, token: str, site_id: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{server.api_url}/sites/{site_id}/views",
        params=params,
        headers={**JSON, "X-Tableau-Auth": token},
        timeout=TIMEOUT,
    )


def view_data(server: TableauServer, token: str, site_id: str, view_id: str) -> requests.Response:
    return requests.get(
        f"{server.api_url}/sites/{site_id}/views/{view_id}/data",
        headers={"X-Tableau-Auth": token},
        timeout=TIMEOUT,
    )


# -- tableauserverclient, used directly as a new user would


def test_tableauserverclient_signs_in_with_a_pat_pages_the_views_and_downloads_csv(
    tableau: TableauServer, tableau_views: list[dict[str, Any]], tableau_files: dict[str, bytes]
) -> None:
    server = TSC.Server(tableau.url, use_server_version=True)
    auth = TSC.PersonalAccessTokenAuth(TABLEAU_PAT_NAME, TABLEAU_PAT_SECRET, site_id=TABLEAU_SITE_CONTENT_URL)
    with server.auth.sign_in(auth):
        version = server.version
        site_id = server.site_id
        views = list(TSC.Pager(server.views, TSC.RequestOptions(pagesize=2)))
        analytics = next(v for v in views if v.name == "Student Analytics")
        server.views.populate_csv(analytics)
        data = b"".join(analytics.csv)
    counts = requests.get(f"{tableau.url}/_sandbox/stats", timeout=TIMEOUT).json()

    assert version == TABLEAU_API_VERSION  # learned from serverInfo after signing in
    assert site_id == tableau.site_id
    assert [(v.id, v.name, v.content_url) for v in views] == [
        (v["id"], v["name"], v["contentUrl"]) for v in tableau_views
    ]
    assert analytics.workbook_id
    assert data == tableau_files["student_analytics.csv"]
    assert counts["by_endpoint"]["views"] == {"200": 3}  # five views, two a page
    assert counts["by_endpoint"]["signout"] == {"204": 1}
    assert counts["sessions"] == 0


def test_tableauserverclient_sees_a_refused_sign_in(tableau: TableauServer) -> None:
    server = TSC.Server(tableau.url)
    server.version = TABLEAU_API_VERSION
    auth = TSC.PersonalAccessTokenAuth(TABLEAU_PAT_NAME, "wrong-secret", site_id=TABLEAU_SITE_CONTENT_URL)

    with pytest.raises(TSC.FailedSignInError) as failure:
        server.auth.sign_in(auth)

    assert failure.value.code == "401001"
    assert failure.value.summary == "Signin Error"


# -- the REST API's XML, and JSON on request


def test_answers_are_tableau_xml_by_default(tableau: TableauServer) -> None:
    body = (
        f'<tsRequest><credentials personalAccessTokenName="{TABLEAU_PAT_NAME}" '
        f'personalAccessTokenSecret="{TABLEAU_PAT_SECRET}"><site contentUrl="{TABLEAU_SITE_CONTENT_URL}"/>'
        "</credentials></tsRequest>"
    )
    signed = requests.post(
        f"{tableau.api_url}/auth/signin", data=body, headers={"Content-Type": "text/xml"}, timeout=TIMEOUT
    )
    credentials = ElementTree.fromstring(signed.content).find("t:credentials", NS)
    assert credentials is not None
    site = credentials.find("t:site", NS)
    assert site is not None
    token, site_id = credentials.get("token", ""), site.get("id", "")
    listed = requests.get(
        f"{tableau.api_url}/sites/{site_id}/views",
        params={"pageSize": 2, "pageNumber": 3},
        headers={"X-Tableau-Auth": token},
        timeout=TIMEOUT,
    )
    root = ElementTree.fromstring(listed.content)
    pagination = root.find("t:pagination", NS)
    info = ElementTree.fromstring(requests.get(f"{tableau.url}/api/2.4/serverInfo", timeout=TIMEOUT).content)

    assert signed.status_code == 200
    assert signed.headers["Content-Type"].startswith("application/xml")
    assert root.tag == "{http://tableau.com/api}tsResponse"
    assert pagination is not None
    assert pagination.attrib == {"pageNumber": "3", "pageSize": "2", "totalAvailable": "5"}
    assert [v.get("name") for v in root.findall("t:views/t:view", NS)] == ["Job Market Trends"]
    assert root.find("t:views/t:view/t:workbook", NS).get("name") == "Career Outcomes"  # type: ignore[union-attr]
    assert info.findtext("t:serverInfo/t:restApiVersion", namespaces=NS) == TABLEAU_API_VERSION


def test_answers_json_when_asked(tableau: TableauServer) -> None:
    token, site_id = session_of(tableau)  # signs in with a JSON body and Accept: application/json

    listed = list_views(tableau, token, site_id, pageSize=2, pageNumber=3)
    refused = list_views(tableau, "not-a-session", site_id)
    info = requests.get(f"{tableau.api_url}/serverInfo", headers=JSON, timeout=TIMEOUT)

    assert listed.headers["Content-Type"] == "application/json"
    assert listed.json() == {
        "pagination": {"pageNumber": "3", "pageSize": "2", "totalAvailable": "5"},
        "views": {
            "view": [
                {
                    "id": listed.json()["views"]["view"][0]["id"],
                    "name": "Job Market Trends",
                    "contentUrl": "CareerOutcomes/sheets/JobMarketTrends",
                    "workbook": listed.json()["views"]["view"][0]["workbook"],
                }
            ]
        },
    }
    assert refused.json()["error"]["code"] == "401002"
    assert info.json()["serverInfo"]["restApiVersion"] == TABLEAU_API_VERSION


# -- sessions


def test_signin_returns_a_token_site_and_user(tableau: TableauServer) -> None:
    response = signin(tableau)

    assert response.status_code == 200
    credentials = response.json()["credentials"]
    assert credentials["token"]
    assert credentials["site"]["contentUrl"] == TABLEAU_SITE_CONTENT_URL
    assert credentials["site"]["id"]
    assert credentials["user"]["id"]
    assert credentials["estimatedTimeToExpiration"]


@pytest.mark.parametrize(
    ("secret", "site"), [("wrong-secret", TABLEAU_SITE_CONTENT_URL), (TABLEAU_PAT_SECRET, "other")]
)
def test_signin_with_a_bad_pat_or_site_is_a_signin_error(
    tableau: TableauServer, secret: str, site: str
) -> None:
    response = signin(tableau, secret=secret, site=site)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "401001"
    assert error["summary"] == "Signin Error"


@pytest.mark.parametrize("version", ["2.3", "4.0", "latest", "3"])
def test_unsupported_api_version_is_404(tableau: TableauServer, version: str) -> None:
    assert signin(tableau, version=version).status_code == 404


@pytest.mark.parametrize("version", ["2.4", "3.4"])
def test_versions_from_2_4_and_any_3x_are_accepted(tableau: TableauServer, version: str) -> None:
    # 2.4 is what tableauserverclient signs in with before it asks the server for its version.
    assert signin(tableau, version=version).status_code == 200


def test_second_signin_with_the_same_pat_ends_the_first_session(tableau: TableauServer) -> None:
    first, site_id = session_of(tableau)
    second, _ = session_of(tableau)

    ended = list_views(tableau, first, site_id)
    assert ended.status_code == 401
    assert ended.json()["error"]["code"] == "401002"
    assert list_views(tableau, second, site_id).status_code == 200


def test_signout_ends_the_session(tableau: TableauServer) -> None:
    token, site_id = session_of(tableau)

    response = requests.post(
        f"{tableau.api_url}/auth/signout", headers={"X-Tableau-Auth": token}, timeout=TIMEOUT
    )

    assert response.status_code == 204
    assert list_views(tableau, token, site_id).status_code == 401


@pytest.mark.parametrize("token", ["", "not-a-session"])
def test_calls_without_a_live_session_are_401(tableau: TableauServer, token: str) -> None:
    _, site_id = session_of(tableau)

    response = list_views(tableau, token, site_id)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "401002"


# -- the view catalogue


def test_paging_with_page_size_2_walks_every_view_once(
    tableau: TableauServer, tableau_views: list[dict[str, Any]]
) -> None:
    token, site_id = session_of(tableau)
    seen: list[dict[str, Any]] = []
    paginations: list[dict[str, str]] = []
    page = 1
    while True:
        body = list_views(tableau, token, site_id, pageSize=2, pageNumber=page).json()
        paginations.append(body["pagination"])
        seen.extend(body["views"]["view"])
        if page * 2 >= int(body["pagination"]["totalAvailable"]):
            break
        page += 1

    assert [v["id"] for v in seen] == [v["id"] for v in tableau_views]
    assert paginations == [
        {"pageNumber": str(n), "pageSize": "2", "totalAvailable": str(len(tableau_views))} for n in (1, 2, 3)
    ]
    analytics = next(v for v in seen if v["name"] == "Student Analytics")
    assert analytics["contentUrl"] == "StudentSuccess/sheets/StudentAnalytics"
    assert analytics["workbook"]["name"] == "Student Success"


def test_default_page_holds_every_view(tableau: TableauServer, tableau_views: list[dict[str, Any]]) -> None:
    token, site_id = session_of(tableau)

    body = list_views(tableau, token, site_id).json()

    assert body["pagination"] == {
        "pageNumber": "1",
        "pageSize": "100",
        "totalAvailable": str(len(tableau_views)),
    }
    assert len(body["views"]["view"]) == len(tableau_views)


@pytest.mark.parametrize(
    "params", [{"pageSize": 1001}, {"pageSize": 0}, {"pageNumber": 0}, {"pageSize": "all"}]
)
def test_bad_paging_parameters_are_400(tableau: TableauServer, params: dict[str, Any]) -> None:
    token, site_id = session_of(tableau)

    assert list_views(tableau, token, site_id, **params).status_code == 400


def test_wrong_site_id_is_404(tableau: TableauServer, tableau_views: list[dict[str, Any]]) -> None:
    token, _ = session_of(tableau)
    other_site = "00000000-0000-0000-0000-00000000beef"

    assert list_views(tableau, token, other_site).status_code == 404
    assert view_data(tableau, token, other_site, tableau_views[0]["id"]).status_code == 404


# -- view data


def test_view_data_is_the_stored_csv_byte_for_byte(
    tableau: TableauServer, tableau_views: list[dict[str, Any]], tableau_files: dict[str, bytes]
) -> None:
    token, site_id = session_of(tableau)
    view = next(v for v in tableau_views if v["name"] == "Student Analytics")

    response = view_data(tableau, token, site_id, view["id"])

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content == tableau_files["student_analytics.csv"]
    assert response.content.startswith(b"\xef\xbb\xbf")


def test_unknown_view_is_404(tableau: TableauServer) -> None:
    token, site_id = session_of(tableau)

    response = view_data(tableau, token, site_id, "11111111-2222-3333-4444-555555555555")

    assert response.status_code == 404
    error = ElementTree.fromstring(response.content).find("t:error", NS)
    assert error is not None
    assert error.get("code", "").startswith("404")


def test_view_data_needs_a_session(tableau: TableauServer, tableau_views: list[dict[str, Any]]) -> None:
    _, site_id = session_of(tableau)

    assert view_data(tableau, "", site_id, tableau_views[0]["id"]).status_code == 401


# -- faults


def test_unavailable_fault_answers_every_nth_request_with_503_until_reset(
    tableau: TableauServer, tableau_views: list[dict[str, Any]]
) -> None:
    token, site_id = session_of(tableau)
    requests.post(
        f"{tableau.url}/_sandbox/faults", json={"unavailable_every": 2}, timeout=TIMEOUT
    ).raise_for_status()

    statuses = [
        list_views(tableau, token, site_id).status_code,
        view_data(tableau, token, site_id, tableau_views[1]["id"]).status_code,
        list_views(tableau, token, site_id).status_code,
        view_data(tableau, token, site_id, tableau_views[1]["id"]).status_code,
    ]
    stats = requests.get(f"{tableau.url}/_sandbox/stats", timeout=TIMEOUT).json()
    requests.post(f"{tableau.url}/_sandbox/reset", timeout=TIMEOUT).raise_for_status()
    after_reset = [list_views(tableau, token, site_id).status_code for _ in range(2)]

    assert statuses == [200, 503, 200, 503]
    assert stats["by_status"]["503"] == 2
    assert after_reset == [200, 200]


def test_slow_fault_delays_every_nth_request(tableau: TableauServer, tableau_files: dict[str, bytes]) -> None:
    token, site_id = session_of(tableau)
    faults = {"rate_limit_every": 0, "unavailable_every": 0, "slow_every": 2, "slow_seconds": 0.3}
    shown = requests.post(f"{tableau.url}/_sandbox/faults", json=faults, timeout=TIMEOUT).json()
    timings: list[float] = []
    for _ in range(2):
        started = time.perf_counter()
        assert list_views(tableau, token, site_id).status_code == 200
        timings.append(time.perf_counter() - started)

    assert shown == faults
    assert timings[0] < 0.25
    assert timings[1] >= 0.3


def test_faults_given_to_the_constructor_apply(tableau_data_dir: Path) -> None:
    with TableauServer(tableau_data_dir, faults=TableauFaults(unavailable_every=1)) as server:
        token, site_id = session_of(server)
        status = list_views(server, token, site_id).status_code
        shown = requests.get(f"{server.url}/_sandbox/faults", timeout=TIMEOUT).json()

    assert status == 503
    assert TableauFaults.from_dict(shown) == TableauFaults(unavailable_every=1)


def test_rate_limit_fault_answers_429_with_retry_after(tableau: TableauServer) -> None:
    token, site_id = session_of(tableau)
    requests.post(
        f"{tableau.url}/_sandbox/faults", json={"rate_limit_every": 2}, timeout=TIMEOUT
    ).raise_for_status()

    first, second = (list_views(tableau, token, site_id) for _ in range(2))

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "1"
    assert second.json()["error"]["code"] == "429000"


def test_invalid_faults_are_rejected(tableau: TableauServer) -> None:
    response = requests.post(
        f"{tableau.url}/_sandbox/faults", json={"unavailable_every": "often"}, timeout=TIMEOUT
    )

    assert response.status_code == 400
