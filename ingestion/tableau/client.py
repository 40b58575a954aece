"""A small Tableau REST client: personal-access-token sign-in, the paged view catalogue, view data as CSV.

Requests go through dlt's retrying client (429 and 5xx are retried with exponential backoff, per dlt's
`RUNTIME__REQUEST_MAX_ATTEMPTS` / `RUNTIME__REQUEST_BACKOFF_FACTOR`) and always carry a timeout. Messages name
URLs, views and config names, never the token, the session token or the secret.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from dlt.sources.helpers.requests import Client

from ingestion.tableau.settings import (
    AUTH_HEADER,
    ENV_API_VERSION,
    ENV_SERVER_URL,
    ENV_SITE,
    ENV_TOKEN_NAME,
    ENV_TOKEN_SECRET,
    ENV_VIEWS,
    SIGNIN_PATH,
    SIGNOUT_PATH,
    VIEW_DATA_PATH,
    VIEWS_PATH,
)

log = logging.getLogger(__name__)

JSON = "application/json"


class TableauError(RuntimeError):
    """Tableau answered something this source cannot continue from."""


class TableauAuthError(TableauError):
    """Sign-in was refused, or the session ended while in use."""


class TableauViewNotFound(TableauError):
    """No view of the wanted name is visible on the site."""


@dataclass(frozen=True)
class TableauSettings:
    server_url: str
    api_version: str
    site: str
    token_name: str
    token_secret: str
    page_size: int
    request_timeout: float

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return (
            f"TableauSettings(server_url={self.server_url!r}, api_version={self.api_version!r}, "
            f"site={self.site!r}, page_size={self.page_size}, request_timeout={self.request_timeout})"
        )

    @property
    def api_url(self) -> str:
        return f"{self.server_url.rstrip('/')}/api/{self.api_version}"


@dataclass(frozen=True)
class View:
    id: str
    name: str
    content_url: str
    workbook: str


def _error_summary(response: requests.Response) -> str:
    """Tableau's error code and summary (`{"error": {"code", "summary", "detail"}}`), or the bare status."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    parts = [str(response.status_code), str(error.get("code", "")), str(error.get("summary", ""))]
    detail = str(error.get("detail", ""))
    text = " ".join(p for p in parts if p)
    return f"{text} ({detail})" if detail else text


class TableauSession:
    """One signed-in session on one site. Obtain it from `signed_in`, which always signs out."""

    def __init__(self, settings: TableauSettings, http: Client, token: str, site_id: str) -> None:
        self.settings = settings
        self._http = http
        self._token = token
        self.site_id = site_id

    def __repr__(self) -> str:
        return f"TableauSession(api_url={self.settings.api_url!r}, site_id={self.site_id!r})"

    def _url(self, path: str) -> str:
        return f"{self.settings.api_url}/{path}"

    def _get(self, path: str, accept: str, params: dict[str, Any] | None = None) -> requests.Response:
        url = self._url(path)
        response = _send(
            self._http, "GET", url, headers={AUTH_HEADER: self._token, "Accept": accept}, params=params
        )
        if response.status_code == 401:
            raise TableauAuthError(
                f"tableau: GET {url} answered {_error_summary(response)}: the session ended while in use "
                "(did another job sign in with the same personal access token?); run again"
            )
        if not response.ok:
            raise TableauError(f"tableau: GET {url} answered {_error_summary(response)}")
        return response

    def views(self) -> Iterator[View]:
        """Every view on the site, page by page (`pageSize`/`pageNumber`, until `totalAvailable`)."""
        path = VIEWS_PATH.format(site_id=self.site_id)
        page_number, seen = 1, 0
        while True:
            params = {"pageSize": self.settings.page_size, "pageNumber": page_number}
            body = self._get(path, JSON, params).json()
            try:
                total = int(body["pagination"]["totalAvailable"])
                page = (body.get("views") or {}).get("view") or []
                for item in page:
                    workbook = item.get("workbook") or {}
                    yield View(item["id"], item["name"], item.get("contentUrl", ""), workbook.get("name", ""))
            except (KeyError, TypeError, ValueError) as exc:
                raise TableauError(
                    f"tableau: GET {self._url(path)} page {page_number} is not a Tableau view list ({exc!r})"
                ) from exc
            seen += len(page)
            if not page or seen >= total:
                return
            page_number += 1

    def find_view(self, name: str) -> View:
        """The one view called `name` (exact match), looked up through the paged catalogue."""
        matches, listed = [], 0
        for view in self.views():
            listed += 1
            if view.name == name:
                matches.append(view)
        if not matches:
            raise TableauViewNotFound(
                f"tableau: view {name!r} not found among the {listed} views of site {self.settings.site!r} "
                f"at {self._url(VIEWS_PATH.format(site_id=self.site_id))}; check {ENV_VIEWS} and that the "
                f"token's user may see the view"
            )
        if len(matches) > 1:
            workbooks = sorted(v.workbook for v in matches)
            raise TableauError(
                f"tableau: {len(matches)} views are called {name!r} (workbooks {workbooks}); "
                "rename one in Tableau so the name is unique on the site"
            )
        return matches[0]

    def view_csv(self, view: View) -> bytes:
        """The view's data exactly as Tableau exports it (CSV bytes)."""
        path = VIEW_DATA_PATH.format(site_id=self.site_id, view_id=view.id)
        return self._get(path, "text/csv").content

    def sign_out(self) -> None:
        """End the session. A failure is logged, not raised: the data is read, and sessions expire anyway."""
        url = self._url(SIGNOUT_PATH)
        try:
            response = self._http.session.request(
                "POST", url, headers={AUTH_HEADER: self._token, "Accept": JSON}
            )
        except requests.RequestException as exc:
            log.warning(
                "tableau: sign-out at %s failed (%s); the session will expire", url, type(exc).__name__
            )
            return
        if response.status_code not in (200, 204):
            log.warning("tableau: sign-out at %s answered %s", url, _error_summary(response))


def _send(http: Client, method: str, url: str, **kwargs: Any) -> requests.Response:
    try:
        return http.session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        # The request's URL only: no headers, no body (the sign-in body holds the secret).
        raise TableauError(
            f"tableau: {method} {url} failed after retries: {type(exc).__name__}; check {ENV_SERVER_URL} "
            f"and {ENV_API_VERSION}, and that the server is reachable"
        ) from None


def _sign_in(settings: TableauSettings, http: Client) -> TableauSession:
    url = f"{settings.api_url}/{SIGNIN_PATH}"
    body = {
        "credentials": {
            "personalAccessTokenName": settings.token_name,
            "personalAccessTokenSecret": settings.token_secret,
            "site": {"contentUrl": settings.site},
        }
    }
    response = _send(http, "POST", url, json=body, headers={"Accept": JSON})
    if response.status_code == 401:
        raise TableauAuthError(
            f"tableau: sign-in at {url} to site {settings.site!r} was refused ({_error_summary(response)}); "
            f"check {ENV_TOKEN_NAME} and {ENV_TOKEN_SECRET} (a personal access token that is valid and not "
            f"expired) and {ENV_SITE} (the site's contentUrl)"
        )
    if not response.ok:
        raise TableauError(f"tableau: sign-in at {url} answered {_error_summary(response)}")
    try:
        credentials = response.json()["credentials"]
        return TableauSession(settings, http, credentials["token"], credentials["site"]["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TableauError(f"tableau: sign-in at {url} did not answer with credentials ({exc!r})") from None


@contextmanager
def signed_in(settings: TableauSettings) -> Iterator[TableauSession]:
    """A session for the duration of the block; signs out on the way out, whatever happened inside."""
    http = Client(request_timeout=settings.request_timeout, raise_for_status=False)
    session = _sign_in(settings, http)
    try:
        yield session
    finally:
        session.sign_out()
