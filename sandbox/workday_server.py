"""Workday REST stand-in: OAuth2 token endpoint and paged resources served from `DATA_DIR/workday/*.parquet`,
with deterministic fault injection and a `/_sandbox/` control path the real Workday does not have."""

from __future__ import annotations

import base64
import binascii
import math
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sandbox._http import (
    BackgroundServer,
    HttpError,
    ReloadingFile,
    Request,
    Response,
    error_response,
    json_response,
)
from sandbox.credentials import (
    WORKDAY_CLIENT_ID,
    WORKDAY_CLIENT_SECRET,
    WORKDAY_REFRESH_TOKEN,
    WORKDAY_TENANT,
)

RESOURCES = ("students", "academicPrograms", "jobPostings", "jobPlacements")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
UPDATED_AT = "updatedAt"
FILTER_TYPE = pa.timestamp("us", tz="UTC")

_TOKEN_PATH = re.compile(r"^/ccx/oauth2/(?P<tenant>[^/]+)/token/?$")
_API_PATH = re.compile(r"^/ccx/api/v1/(?P<tenant>[^/]+)/(?P<resource>[^/]+)/?$")


@dataclass
class MalformedPage:
    """Answer the page at `resource` + `offset` with a truncated JSON body `times` times (-1: always)."""

    resource: str
    offset: int
    times: int = 1


@dataclass
class WorkdayFaults:
    """Deterministic faults, counted over data requests (authenticated GETs on a resource). 0 disables."""

    rate_limit_every: int = 0
    retry_after_seconds: int = 1
    unavailable_every: int = 0
    slow_every: int = 0
    slow_seconds: float = 0.0
    malformed: list[MalformedPage] = field(default_factory=list)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> WorkdayFaults:
        if not isinstance(raw, dict):
            raise ValueError("faults must be a JSON object")
        unknown = set(raw) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        faults = cls(
            rate_limit_every=_non_negative_int(raw, "rate_limit_every", 0),
            retry_after_seconds=_non_negative_int(raw, "retry_after_seconds", 1),
            unavailable_every=_non_negative_int(raw, "unavailable_every", 0),
            slow_every=_non_negative_int(raw, "slow_every", 0),
            slow_seconds=_non_negative_float(raw, "slow_seconds", 0.0),
            malformed=[_malformed_page(item) for item in raw.get("malformed") or []],
        )
        return faults

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _non_negative_int(raw: dict[str, Any], key: str, default: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a non-negative integer, got {value!r}")
    return int(value)


def _non_negative_float(raw: dict[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or math.isnan(value):
        raise ValueError(f"{key} must be a non-negative number, got {value!r}")
    return float(value)


def _malformed_page(item: Any) -> MalformedPage:
    if not isinstance(item, dict) or set(item) - {"resource", "offset", "times"}:
        raise ValueError(f"malformed entries are {{resource, offset, times}} objects, got {item!r}")
    resource = item.get("resource")
    if resource not in RESOURCES:
        raise ValueError(f"malformed resource must be one of {', '.join(RESOURCES)}, got {resource!r}")
    offset = _non_negative_int(item, "offset", 0)
    times = item.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < -1:
        raise ValueError(f"malformed times must be an integer >= -1, got {times!r}")
    return MalformedPage(resource=resource, offset=offset, times=times)


@dataclass(frozen=True)
class _LoadedResource:
    table: pa.Table
    # Normalised once per load so every `updatedFrom` filter is a single vectorised comparison.
    updated_at: pa.Array


def _load_resource(handle: IO[bytes]) -> _LoadedResource:
    table = pq.read_table(handle)
    if UPDATED_AT in table.column_names:
        updated_at = table.column(UPDATED_AT).combine_chunks()
        if pa.types.is_timestamp(updated_at.type):
            updated_at = updated_at.cast(FILTER_TYPE)
        else:
            updated_at = pc.cast(updated_at, FILTER_TYPE)
    else:
        updated_at = pa.nulls(table.num_rows, FILTER_TYPE)
    return _LoadedResource(table=table.combine_chunks(), updated_at=updated_at)


def _iso_utc(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return _json_object(value)
    return value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _json_object(row: dict[str, Any]) -> dict[str, Any]:
    """Workday leaves missing fields out of the object rather than sending null."""
    return {key: _json_value(value) for key, value in row.items() if not _is_missing(value)}


def _parse_updated_from(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise HttpError(
            error_response(400, "invalid_request", f"updatedFrom {text!r} is not an ISO 8601 date-time")
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _int_param(request: Request, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise HttpError(
            error_response(400, "invalid_request", f"{name} must be an integer, got {raw!r}")
        ) from exc
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise HttpError(error_response(400, "invalid_request", f"{name} must be {bound}, got {value}"))
    return value


class WorkdayServer(BackgroundServer):
    """Serves `DATA_DIR/workday/<resource>.parquet` as Workday-shaped REST resources behind OAuth2."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        token_ttl: float = 3600,
        faults: WorkdayFaults | None = None,
        tenant: str = WORKDAY_TENANT,
        verbose: bool = False,
    ) -> None:
        super().__init__(host, port, verbose=verbose)
        self.data_dir = Path(data_dir)
        self.tenant = tenant
        self.token_ttl = token_ttl
        self._lock = threading.Lock()
        self._resources = {
            name: ReloadingFile(self.data_dir / "workday" / f"{name}.parquet", _load_resource)
            for name in RESOURCES
        }
        self._access_tokens: dict[str, float] = {}
        self._refresh_revoked = False
        self._faults = WorkdayFaults()
        self._malformed_left: dict[tuple[str, int], int] = {}
        self._fault_clock = 0
        self._data_requests = 0
        self._token_requests = 0
        self._by_status: Counter[str] = Counter()
        self._by_resource: dict[str, Counter[str]] = {}
        self._set_faults(faults or WorkdayFaults())

    @property
    def base_api_url(self) -> str:
        return f"{self.url}/ccx/api/v1/{self.tenant}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/ccx/oauth2/{self.tenant}/token"

    @property
    def faults(self) -> WorkdayFaults:
        with self._lock:
            return WorkdayFaults.from_dict(self._faults.to_dict())

    def _set_faults(self, faults: WorkdayFaults) -> None:
        with self._lock:
            self._faults = faults
            self._malformed_left = {(m.resource, m.offset): m.times for m in faults.malformed}
            # "Every Nth" counts from when the faults are set, so a test can predict which request fails.
            self._fault_clock = 0

    # -- routing

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self._control(request)
        if match := _TOKEN_PATH.match(request.path):
            self._require_method(request, "POST")
            response = self._token(request, match["tenant"])
            self._record(response, None)
            return response
        if match := _API_PATH.match(request.path):
            self._require_method(request, "GET")
            return self._resource(request, match["tenant"], match["resource"])
        response = error_response(404, "not_found", f"no Workday endpoint at {request.path}")
        self._record(response, None)
        return response

    @staticmethod
    def _require_method(request: Request, *allowed: str) -> None:
        if request.method not in allowed:
            raise HttpError(
                error_response(
                    405,
                    "method_not_allowed",
                    f"{request.method} is not allowed on {request.path}",
                    {"Allow": ", ".join(allowed)},
                )
            )

    def _record(self, response: Response, resource: str | None) -> None:
        status = str(response.status)
        with self._lock:
            self._by_status[status] += 1
            if resource is not None:
                self._by_resource.setdefault(resource, Counter())[status] += 1

    # -- OAuth2 token endpoint

    def _token(self, request: Request, tenant: str) -> Response:
        with self._lock:
            self._token_requests += 1
        if tenant != self.tenant:
            return error_response(404, "not_found", f"unknown tenant {tenant!r}")
        form = request.form()
        client_id, client_secret = self._client_credentials(request, form)
        if not (
            secrets.compare_digest(client_id, WORKDAY_CLIENT_ID)
            and secrets.compare_digest(client_secret, WORKDAY_CLIENT_SECRET)
        ):
            return error_response(
                401,
                "invalid_client",
                "client authentication failed",
                {"WWW-Authenticate": 'Basic realm="workday"'},
            )
        grant_type = form.get("grant_type", "")
        if grant_type == "refresh_token":
            with self._lock:
                revoked = self._refresh_revoked
            refresh_token = form.get("refresh_token", "")
            if revoked or not secrets.compare_digest(refresh_token, WORKDAY_REFRESH_TOKEN):
                return error_response(
                    400, "invalid_grant", "the refresh token is invalid, expired or revoked"
                )
        elif grant_type != "client_credentials":
            error = "invalid_request" if not grant_type else "unsupported_grant_type"
            return error_response(400, error, "grant_type must be refresh_token or client_credentials")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[token] = time.monotonic() + self.token_ttl
        return json_response(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl},
            {"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    @staticmethod
    def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
        authorization = request.header("authorization")
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() == "basic" and encoded:
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return "", ""
            client_id, _, client_secret = decoded.partition(":")
            # RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
            return unquote(client_id), unquote(client_secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = request.header("authorization").partition(" ")
        token = token.strip()
        with self._lock:
            expires_at = self._access_tokens.get(token) if scheme.lower() == "bearer" and token else None
        if expires_at is None or expires_at <= time.monotonic():
            description = "access token missing" if not token else "access token unknown or expired"
            raise HttpError(
                error_response(
                    401,
                    "invalid_token",
                    description,
                    {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'},
                )
            )

    # -- resources

    def _resource(self, request: Request, tenant: str, resource: str) -> Response:
        if tenant != self.tenant:
            response = error_response(404, "not_found", f"unknown tenant {tenant!r}")
            self._record(response, None)
            return response
        try:
            self._authenticate(request)
        except HttpError as exc:
            self._record(exc.response, resource if resource in RESOURCES else None)
            raise
        if resource not in RESOURCES:
            response = error_response(
                404, "not_found", f"unknown resource {resource!r}; available: {', '.join(RESOURCES)}"
            )
            self._record(response, None)
            return response
        try:
            response = self._serve_page(request, resource)
        except HttpError as exc:
            response = exc.response
        self._record(response, resource)
        return response

    def _serve_page(self, request: Request, resource: str) -> Response:
        with self._lock:
            self._data_requests += 1
            self._fault_clock += 1
            n = self._fault_clock
            faults = self._faults
        if faults.rate_limit_every and n % faults.rate_limit_every == 0:
            return error_response(
                429,
                "rate_limited",
                "too many requests; retry later",
                {"Retry-After": str(faults.retry_after_seconds)},
            )
        if faults.unavailable_every and n % faults.unavailable_every == 0:
            return error_response(503, "service_unavailable", "Workday is temporarily unavailable")
        if faults.slow_every and n % faults.slow_every == 0:
            time.sleep(faults.slow_seconds)

        offset = _int_param(request, "offset", 0, minimum=0)
        limit = _int_param(request, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        updated_from_text = request.param("updatedFrom")
        updated_from = _parse_updated_from(updated_from_text) if updated_from_text else None

        try:
            loaded = self._resources[resource].get()
        except FileNotFoundError:
            return error_response(
                500,
                "sandbox_data_missing",
                f"{self._resources[resource].path} does not exist; run `campus sandbox generate` first",
            )
        table = loaded.table
        if updated_from is not None:
            mask = pc.greater_equal(loaded.updated_at, pa.scalar(updated_from, type=FILTER_TYPE))
            table = table.filter(mask)
        page = table.slice(offset, limit) if offset < table.num_rows else table.slice(0, 0)
        response = json_response(
            200, {"total": table.num_rows, "data": [_json_object(r) for r in page.to_pylist()]}
        )

        if self._take_malformed(resource, offset):
            # Cut mid-document: a client must treat a 200 with an unparseable body as a retryable failure.
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _take_malformed(self, resource: str, offset: int) -> bool:
        key = (resource, offset)
        with self._lock:
            left = self._malformed_left.get(key, 0)
            if left == 0:
                return False
            if left > 0:
                self._malformed_left[key] = left - 1
            return True

    # -- sandbox control path

    def _control(self, request: Request) -> Response:
        action = request.path.removeprefix("/_sandbox/").rstrip("/")
        if action == "faults":
            self._require_method(request, "GET", "POST")
            if request.method == "POST":
                try:
                    self._set_faults(WorkdayFaults.from_dict(request.json()))
                except ValueError as exc:
                    return error_response(400, "invalid_faults", str(exc))
            return json_response(200, self.faults.to_dict())
        if action == "stats":
            self._require_method(request, "GET")
            return json_response(200, self._stats())
        if action == "expire-tokens":
            self._require_method(request, "POST")
            with self._lock:
                expired = len(self._access_tokens)
                self._access_tokens = dict.fromkeys(self._access_tokens, 0.0)
            return json_response(200, {"expired": expired})
        if action == "revoke":
            self._require_method(request, "POST")
            with self._lock:
                self._refresh_revoked = True
                revoked = len(self._access_tokens)
                self._access_tokens.clear()
            return json_response(200, {"refresh_token_revoked": True, "access_tokens_revoked": revoked})
        if action == "reset":
            self._require_method(request, "POST")
            self._set_faults(WorkdayFaults())
            with self._lock:
                self._refresh_revoked = False
                self._data_requests = 0
                self._token_requests = 0
                self._by_status.clear()
                self._by_resource.clear()
            return json_response(200, self._stats())
        return error_response(404, "not_found", f"no sandbox control endpoint {request.path}")

    def _stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "data_requests": self._data_requests,
                "token_requests": self._token_requests,
                "by_status": dict(self._by_status),
                "by_resource": {name: dict(counts) for name, counts in self._by_resource.items()},
                "refresh_token_revoked": self._refresh_revoked,
            }
