"""HTTP behaviour for Workday: timeouts, retries (429 honouring Retry-After, 5xx, connection errors, and a 200
whose body is not JSON), and an error that names the resource and offset of a page that stays unreadable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from dlt.sources.helpers.requests.retry import Client
from requests import Response, Session

from ingestion.workday.settings import CURSOR_PARAM


class WorkdayMalformedPage(RuntimeError):
    """A page answered 200 with a body that is not JSON, on every attempt."""

    def __init__(self, resource: str, offset: str, updated_from: str | None, detail: str) -> None:
        since = f", {CURSOR_PARAM}={updated_from}" if updated_from else ""
        super().__init__(
            f"Workday returned an unreadable (non-JSON) page for resource {resource!r} at offset {offset}"
            f"{since}: {detail}. Retries did not help. Nothing from this run was committed: re-run to resume "
            "from the last successful load; if the same page keeps failing, report it to the Workday team."
        )
        self.resource = resource
        self.offset = offset


def require_json_body(response: Response, *args: object, **kwargs: object) -> None:
    """A response hook: turn a successful response with an unparseable body into a retryable error.

    It runs inside the retrying `send`, so dlt's retry loop sees the error; dlt would otherwise fail on the
    body later, outside any retry."""
    if not response.ok:
        return
    try:
        response.json()
    except ValueError as exc:
        url = urlsplit(response.url)
        query = parse_qs(url.query)
        resource = url.path.rstrip("/").rsplit("/", 1)[-1]
        offset = query.get("offset", ["0"])[-1]
        updated_from = query.get(CURSOR_PARAM, [None])[-1]
        raise WorkdayMalformedPage(resource, offset, updated_from, f"{type(exc).__name__}: {exc}") from exc


def is_malformed_page(response: Response | None, exception: BaseException | None) -> bool:
    return isinstance(exception, WorkdayMalformedPage)


def api_session(request_timeout: float, max_attempts: int, backoff_factor: float) -> Session:
    """The session for data requests. Errors are raised by dlt's response hooks, not by the session."""
    client = Client(
        request_timeout=request_timeout,
        raise_for_status=False,
        retry_condition=is_malformed_page,
        request_max_attempts=max_attempts,
        request_backoff_factor=backoff_factor,
        respect_retry_after_header=True,
    )
    return client.session


def token_session(request_timeout: float, max_attempts: int, backoff_factor: float) -> Session:
    """The session for the token endpoint: 429/5xx retried, 4xx returned so their OAuth error can be
    explained."""
    client = Client(
        request_timeout=request_timeout,
        raise_for_status=False,
        request_max_attempts=max_attempts,
        request_backoff_factor=backoff_factor,
    )
    return client.session
