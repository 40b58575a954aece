"""Tableau through `tableauserverclient` (TSC, Tableau's own REST API client): personal-access-token sign-in,
the paged view catalogue, view data as CSV, sign-out. This module adds what TSC leaves to its caller: retries,
timeouts, one session per block, and error messages that say what to fix.

Retries and timeouts: TSC sends every request through the `requests` session its `session_factory` returns and
neither retries nor sets a timeout itself. It gets dlt's retrying session, so 429 and 5xx answers, connection
errors and timeouts are retried with exponential backoff (honouring `Retry-After`), per dlt's
`RUNTIME__REQUEST_MAX_ATTEMPTS` / `RUNTIME__REQUEST_BACKOFF_FACTOR`, and every request carries the configured
timeout. Messages name URLs, views, pages and config names, never the token, the session token or the secret.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import requests
import tableauserverclient as TSC
from dlt.sources.helpers.requests import Client
from tableauserverclient.server.endpoint.exceptions import InternalServerError, XMLError
from tableauserverclient.server.endpoint.exceptions import TableauError as TSCError
from tableauserverclient.server.exceptions import EndpointUnavailableError

from ingestion.tableau.settings import (
    ENV_API_VERSION,
    ENV_SERVER_URL,
    ENV_SITE,
    ENV_TOKEN_NAME,
    ENV_TOKEN_SECRET,
    ENV_VIEWS,
)

log = logging.getLogger(__name__)


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


def _answer(exc: TSCError) -> str:
    """What Tableau answered: its status or error code, summary and detail (never the request)."""
    if isinstance(exc, InternalServerError):
        return f"{exc.code} (after retries)"
    if isinstance(exc, XMLError):  # Tableau's error document: refusals (401) and other 4xx answers
        text = " ".join(p for p in (str(exc.code), str(exc.summary)) if p)
        return f"{text} ({exc.detail})" if exc.detail else text
    return f"{type(exc).__name__}: not a Tableau REST API answer"


@contextmanager
def _translated(what: str, url: str) -> Iterator[None]:
    """Turn TSC's and requests' exceptions from `what` at `url` into this source's errors."""
    try:
        yield
    except TSC.FailedSignInError as exc:
        raise TableauAuthError(
            f"tableau: {what} at {url} answered {_answer(exc)}: the session ended while in use "
            "(did another job sign in with the same personal access token?); run again"
        ) from None
    except TSCError as exc:
        raise TableauError(f"tableau: {what} at {url} answered {_answer(exc)}") from None
    except EndpointUnavailableError as exc:
        raise TableauError(
            f"tableau: {what} needs a newer REST API: {exc}; raise {ENV_API_VERSION}"
        ) from None
    except requests.RequestException as exc:
        # The exception's type only: its text may carry the request, and the sign-in body holds the secret.
        raise TableauError(
            f"tableau: {what} at {url} failed after retries: {type(exc).__name__}; check {ENV_SERVER_URL} "
            f"and {ENV_API_VERSION}, and that the server is reachable"
        ) from None


class TableauSession:
    """One signed-in session on one site. Obtain it from `signed_in`, which always signs out."""

    def __init__(self, settings: TableauSettings, server: TSC.Server) -> None:
        self.settings = settings
        self._server = server

    def __repr__(self) -> str:
        return f"TableauSession(api_url={self.settings.api_url!r}, site_id={self._server.site_id!r})"

    def views(self) -> Iterator[TSC.ViewItem]:
        """Every view on the site, page by page (`pageSize`/`pageNumber`, until `totalAvailable`)."""
        page_number, seen = 1, 0
        while True:
            options = TSC.RequestOptions(pagenumber=page_number, pagesize=self.settings.page_size)
            with _translated(f"views page {page_number}", self._server.views.baseurl):
                page, pagination = self._server.views.get(options)
            yield from page
            seen += len(page)
            if not page or pagination.total_available is None or seen >= pagination.total_available:
                return
            page_number += 1

    def find_view(self, name: str) -> TSC.ViewItem:
        """The one view called `name` (exact match), looked up through the paged catalogue."""
        matches, listed = [], 0
        for view in self.views():
            listed += 1
            if view.name == name:
                matches.append(view)
        if not matches:
            raise TableauViewNotFound(
                f"tableau: view {name!r} not found among the {listed} views of site {self.settings.site!r} "
                f"at {self._server.views.baseurl}; check {ENV_VIEWS} and that the token's user may see "
                "the view"
            )
        if len(matches) > 1:
            workbooks = sorted(str(v.workbook.name if v.workbook else v.workbook_id) for v in matches)
            raise TableauError(
                f"tableau: {len(matches)} views are called {name!r} (workbooks {workbooks}); "
                "rename one in Tableau so the name is unique on the site"
            )
        return matches[0]

    def view_csv(self, view: TSC.ViewItem) -> bytes:
        """The view's data exactly as Tableau exports it (CSV bytes)."""
        with _translated(f"data of view {view.name!r}", f"{self._server.views.baseurl}/{view.id}/data"):
            self._server.views.populate_csv(view)
            # `view.csv` downloads lazily: the request, and its errors, happen while joining.
            return b"".join(view.csv)

    def sign_out(self) -> None:
        """End the session. A failure is logged, not raised: the data is read, and sessions expire anyway."""
        url = f"{self._server.baseurl}/auth/signout"
        try:
            self._server.auth.sign_out()
        except (TSCError, requests.RequestException) as exc:
            log.warning(
                "tableau: sign-out at %s failed (%s); the session will expire", url, type(exc).__name__
            )
        finally:
            self._server.close()


def _retrying_session(settings: TableauSettings) -> requests.Session:
    # TSC has no retries and no default timeout; dlt's session adds both (see the module docstring). A new
    # Client per call, because TSC asks for a fresh session after each sign-out (no cookies carried over).
    return Client(request_timeout=settings.request_timeout, raise_for_status=False).session


@contextmanager
def signed_in(settings: TableauSettings) -> Iterator[TableauSession]:
    """A session for the duration of the block; signs out on the way out, whatever happened inside."""
    server = TSC.Server(settings.server_url, session_factory=partial(_retrying_session, settings))
    # The configured version, not `use_server_version()`: the code is written against it, and it saves a call.
    server.version = settings.api_version
    auth = TSC.PersonalAccessTokenAuth(settings.token_name, settings.token_secret, site_id=settings.site)
    url = f"{settings.api_url}/auth/signin"
    try:
        with _translated("sign-in", url):
            try:
                server.auth.sign_in(auth)
            except TSC.FailedSignInError as exc:
                raise TableauAuthError(
                    f"tableau: sign-in at {url} to site {settings.site!r} was refused ({_answer(exc)}); "
                    f"check {ENV_TOKEN_NAME} and {ENV_TOKEN_SECRET} (a personal access token that is valid "
                    f"and not expired) and {ENV_SITE} (the site's contentUrl)"
                ) from None
    except BaseException:
        server.close()
        raise
    session = TableauSession(settings, server)
    try:
        yield session
    finally:
        session.sign_out()
