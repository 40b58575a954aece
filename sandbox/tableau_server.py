"""Tableau Server REST stand-in: PAT sign-in, server info, the site's paged view catalogue and view data as
CSV, served from `DATA_DIR/tableau/`, with deterministic faults and a `/_sandbox/` control path.

It speaks the REST API's XML (`tsResponse` documents in the `http://tableau.com/api` namespace), which is the
real API's default and what `tableauserverclient` sends and expects, and answers JSON to a client that sends
`Accept: application/json` (request bodies are read as JSON when their Content-Type says so, else as XML).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from sandbox._http import (
    BackgroundServer,
    HttpError,
    ReloadingFile,
    Request,
    Response,
    empty_response,
    json_response,
    text_response,
)
from sandbox.credentials import (
    TABLEAU_API_VERSION,
    TABLEAU_PAT_NAME,
    TABLEAU_PAT_SECRET,
    TABLEAU_SITE_CONTENT_URL,
)

# Stable across restarts, so a connector configured with the site id keeps working after a restart.
SITE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "campus-sandbox/tableau/site/" + TABLEAU_SITE_CONTENT_URL))
USER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "campus-sandbox/tableau/user/" + TABLEAU_PAT_NAME))
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
SESSION_LIFETIME = "240:00:00"
# What Tableau Server 2024.1 reports; its REST API is TABLEAU_API_VERSION (3.22).
PRODUCT_VERSION = "2024.1.0"
PRODUCT_BUILD = "20241.24.0312.0830"
RETRY_AFTER_SECONDS = 1

NAMESPACE = "http://tableau.com/api"
XML_TYPE = "application/xml;charset=utf-8"
# 2.4 is the first version with serverInfo and what tableauserverclient signs in with before it has asked the
# server for its version (`use_server_version=True`); every 3.x is accepted, as a 2024 server does.
_VERSION = re.compile(r"^(?:2\.(?:[4-9]|\d{2,})|3\.\d+)$")
_API_PATH = re.compile(r"^/api/(?P<version>[^/]+)/(?P<rest>.*?)/?$")
_SIGNIN = re.compile(r"^auth/signin$")
_SIGNOUT = re.compile(r"^auth/signout$")
_SERVER_INFO = re.compile(r"^serverInfo$")
_VIEWS = re.compile(r"^sites/(?P<site>[^/]+)/views$")
_VIEW_DATA = re.compile(r"^sites/(?P<site>[^/]+)/views/(?P<view>[^/]+)/data$")


@dataclass(frozen=True)
class Text:
    """An element with text in XML (`<summary>Signin Error</summary>`); a plain string (or, with attributes,
    `{"value": ..., **attributes}`) in JSON, as Tableau maps them."""

    value: str
    attributes: Mapping[str, str] = field(default_factory=dict)


def _xml_children(parent: ET.Element, payload: Mapping[str, object]) -> None:
    """Tableau's JSON-to-XML mapping: scalars are attributes, objects are child elements, lists repeat."""
    for key, value in payload.items():
        if isinstance(value, Text):
            child = ET.SubElement(parent, key, dict(value.attributes))
            child.text = value.value
        elif isinstance(value, Mapping):
            _xml_children(ET.SubElement(parent, key), value)
        elif isinstance(value, list):
            for item in value:
                _xml_children(ET.SubElement(parent, key), item)
        else:
            parent.set(key, str(value))


def _jsonable(value: object) -> object:
    if isinstance(value, Text):
        return {"value": value.value, **value.attributes} if value.attributes else value.value
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def wants_json(request: Request) -> bool:
    """Tableau answers XML unless the client asks for JSON in its Accept header."""
    return "application/json" in request.header("accept").lower()


def ts_response(
    request: Request, status: int, payload: Mapping[str, object], headers: dict[str, str] | None = None
) -> Response:
    """`payload` as a `tsResponse` XML document, or as JSON when the client asked for it."""
    if wants_json(request):
        return json_response(status, _jsonable(payload), headers)
    # The namespace as a plain `xmlns` attribute: ElementTree's own namespace handling would not leave
    # attributes unqualified. Parsers read it as the default namespace of every element, as Tableau means it.
    root = ET.Element("tsResponse", {"xmlns": NAMESPACE})
    _xml_children(root, payload)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(status, body, XML_TYPE, dict(headers or {}))


class TableauApiError(Exception):
    """Raised inside a handler; answered as Tableau's error document in the format the client asked for."""

    def __init__(
        self, status: int, code: str, summary: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{code} {summary}: {detail}")
        self.status, self.code, self.summary, self.detail = status, code, summary, detail
        self.headers = headers or {}

    def response(self, request: Request) -> Response:
        """Tableau's error body: a six-digit code whose first three digits are the HTTP status."""
        payload = {"error": {"code": self.code, "summary": Text(self.summary), "detail": Text(self.detail)}}
        return ts_response(request, self.status, payload, self.headers)


@dataclass
class TableauFaults:
    """Deterministic faults, counted over authenticated view-list and view-data requests. 0 disables."""

    rate_limit_every: int = 0
    unavailable_every: int = 0
    slow_every: int = 0
    slow_seconds: float = 0.0

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TableauFaults:
        if not isinstance(raw, dict):
            raise ValueError("faults must be a JSON object")
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        for key in ("rate_limit_every", "unavailable_every", "slow_every"):
            value = raw.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key} must be a non-negative integer, got {value!r}")
        slow_seconds = raw.get("slow_seconds", 0.0)
        if (
            isinstance(slow_seconds, bool)
            or not isinstance(slow_seconds, int | float)
            or slow_seconds < 0
            or math.isnan(slow_seconds)
        ):
            raise ValueError(f"slow_seconds must be a non-negative number, got {slow_seconds!r}")
        return cls(
            rate_limit_every=raw.get("rate_limit_every", 0),
            unavailable_every=raw.get("unavailable_every", 0),
            slow_every=raw.get("slow_every", 0),
            slow_seconds=float(slow_seconds),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _View:
    id: str
    name: str
    content_url: str
    workbook: str
    file: str

    def to_payload(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "contentUrl": self.content_url,
            "workbook": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "campus-sandbox/tableau/workbook/" + self.workbook)),
                "name": self.workbook,
            },
        }


def _load_catalogue(handle: IO[bytes]) -> list[_View]:
    raw = json.load(handle)
    return [
        _View(
            id=v["id"],
            name=v["name"],
            content_url=v.get("contentUrl", ""),
            workbook=v.get("workbook", ""),
            file=v["file"],
        )
        for v in raw
    ]


def _read_bytes(handle: IO[bytes]) -> bytes:
    return handle.read()


def _page_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        raise TableauApiError(
            400, "400006", "Bad Request", f"{name} must be an integer from 1 to {maximum}, got {raw!r}"
        )
    return value


_SIGNIN_SHAPE = (
    "sign-in expects <tsRequest><credentials personalAccessTokenName=... personalAccessTokenSecret=...>"
    "<site contentUrl=.../></credentials></tsRequest> (or the same as JSON, Content-Type: application/json)"
)


def _signin_credentials(request: Request) -> tuple[object, object, object]:
    """(PAT name, PAT secret, site contentUrl) from the sign-in body, JSON or XML by its Content-Type."""
    try:
        if "json" in request.header("content-type").lower():
            credentials = request.json()["credentials"]
            site = (credentials.get("site") or {}).get("contentUrl", "")
            return credentials["personalAccessTokenName"], credentials["personalAccessTokenSecret"], site
        # The only XML the stand-in reads; tableauserverclient sends it without a namespace.
        root = ET.fromstring(request.body)
        element = root.find("credentials") if root.tag == "tsRequest" else None
        if element is None:
            raise KeyError("credentials")
        site_element = element.find("site")
        site = "" if site_element is None else site_element.get("contentUrl", "")
        return element.attrib["personalAccessTokenName"], element.attrib["personalAccessTokenSecret"], site
    except (HttpError, ET.ParseError, KeyError, TypeError, AttributeError) as exc:
        raise TableauApiError(400, "400000", "Bad Request", _SIGNIN_SHAPE) from exc


class TableauServer(BackgroundServer):
    """Serves `DATA_DIR/tableau/views.json` and the CSVs it names as a Tableau site behind PAT sign-in."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: TableauFaults | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(host, port, verbose=verbose)
        self.data_dir = Path(data_dir)
        self.site_id = SITE_ID
        self._lock = threading.Lock()
        self._catalogue = ReloadingFile(self.data_dir / "tableau" / "views.json", _load_catalogue)
        self._files: dict[str, ReloadingFile[bytes]] = {}
        self._sessions: dict[str, str] = {}  # token -> PAT name
        self._session_of_pat: dict[str, str] = {}  # PAT name -> token
        self._faults = faults or TableauFaults()
        self._fault_clock = 0
        self._by_status: Counter[str] = Counter()
        self._by_endpoint: dict[str, Counter[str]] = {}

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/{TABLEAU_API_VERSION}"

    @property
    def faults(self) -> TableauFaults:
        with self._lock:
            return TableauFaults(**self._faults.to_dict())

    def _set_faults(self, faults: TableauFaults) -> None:
        with self._lock:
            self._faults = faults
            self._fault_clock = 0

    # -- routing

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self._control(request)
        endpoint = "unknown"
        try:
            endpoint, serve = self._route(request)
            response = serve()
        except TableauApiError as exc:
            response = exc.response(request)
        with self._lock:
            self._by_status[str(response.status)] += 1
            self._by_endpoint.setdefault(endpoint, Counter())[str(response.status)] += 1
        return response

    def _route(self, request: Request) -> tuple[str, Callable[[], Response]]:
        """The endpoint's name (for the stats) and its handler, so that its refusals count under its name."""
        match = _API_PATH.match(request.path)
        if not match:
            raise TableauApiError(404, "404000", "Resource Not Found", f"no endpoint at {request.path}")
        version, rest = match["version"], match["rest"]
        if not _VERSION.match(version):
            raise TableauApiError(
                404, "404000", "Resource Not Found", f"API version {version!r} is not supported (2.4 to 3.x)"
            )
        if _SIGNIN.match(rest):
            _require_method(request, "POST")
            return "signin", partial(self._signin, request)
        if _SIGNOUT.match(rest):
            _require_method(request, "POST")
            return "signout", partial(self._signout, request)
        if _SERVER_INFO.match(rest):
            _require_method(request, "GET")
            return "serverInfo", partial(self._server_info, request)
        if view_match := _VIEW_DATA.match(rest):
            _require_method(request, "GET")
            return "data", partial(self._view_data, request, view_match["site"], view_match["view"])
        if views_match := _VIEWS.match(rest):
            _require_method(request, "GET")
            return "views", partial(self._views, request, views_match["site"])
        raise TableauApiError(404, "404000", "Resource Not Found", f"no endpoint at {request.path}")

    # -- authentication

    def _signin(self, request: Request) -> Response:
        pat_name, pat_secret, site = _signin_credentials(request)
        if not (
            isinstance(pat_name, str)
            and isinstance(pat_secret, str)
            and secrets.compare_digest(pat_name, TABLEAU_PAT_NAME)
            and secrets.compare_digest(pat_secret, TABLEAU_PAT_SECRET)
            and site == TABLEAU_SITE_CONTENT_URL
        ):
            raise TableauApiError(
                401,
                "401001",
                "Signin Error",
                "Error signing in to Tableau Server: the personal access token or site is not valid",
            )
        token = secrets.token_urlsafe(24)
        with self._lock:
            # Tableau allows one session per PAT: signing in again ends the previous one.
            previous = self._session_of_pat.pop(pat_name, None)
            if previous is not None:
                self._sessions.pop(previous, None)
            self._sessions[token] = pat_name
            self._session_of_pat[pat_name] = token
        credentials = {
            "token": token,
            "estimatedTimeToExpiration": SESSION_LIFETIME,
            "site": {"id": self.site_id, "contentUrl": TABLEAU_SITE_CONTENT_URL},
            "user": {"id": USER_ID},
        }
        return ts_response(request, 200, {"credentials": credentials})

    def _signout(self, request: Request) -> Response:
        token = self._authenticate(request)
        with self._lock:
            pat_name = self._sessions.pop(token, None)
            if pat_name is not None and self._session_of_pat.get(pat_name) == token:
                del self._session_of_pat[pat_name]
        return empty_response(204)

    def _server_info(self, request: Request) -> Response:
        """Unauthenticated, as on Tableau Server: clients ask it which REST API version to use."""
        info = {
            "productVersion": Text(PRODUCT_VERSION, {"build": PRODUCT_BUILD}),
            "restApiVersion": Text(TABLEAU_API_VERSION),
        }
        return ts_response(request, 200, {"serverInfo": info})

    def _authenticate(self, request: Request) -> str:
        token = request.header("x-tableau-auth").strip()
        with self._lock:
            known = bool(token) and token in self._sessions
        if not known:
            detail = (
                "X-Tableau-Auth header missing" if not token else "the session token is invalid or has ended"
            )
            raise TableauApiError(401, "401002", "Unauthorized Access", detail)
        return token

    def _check_site(self, site: str) -> None:
        if site.lower() != self.site_id:
            raise TableauApiError(404, "404000", "Site Not Found", f"site {site!r} does not exist")

    def _tick_faults(self) -> None:
        with self._lock:
            self._fault_clock += 1
            n = self._fault_clock
            faults = self._faults
        if faults.rate_limit_every and n % faults.rate_limit_every == 0:
            raise TableauApiError(
                429,
                "429000",
                "Too Many Requests",
                "the request rate limit was exceeded; retry after the time in Retry-After",
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if faults.unavailable_every and n % faults.unavailable_every == 0:
            raise TableauApiError(
                503, "503000", "Service Unavailable", "Tableau Server is temporarily unavailable"
            )
        if faults.slow_every and n % faults.slow_every == 0:
            time.sleep(faults.slow_seconds)

    # -- content

    def _load_catalogue(self) -> list[_View]:
        try:
            return self._catalogue.get()
        except FileNotFoundError as exc:
            raise TableauApiError(
                500,
                "500000",
                "Sandbox Data Missing",
                f"{self._catalogue.path} does not exist; run `campus sandbox generate` first",
            ) from exc

    def _views(self, request: Request, site: str) -> Response:
        self._authenticate(request)
        self._check_site(site)
        self._tick_faults()
        page_size = _page_param(request, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        page_number = _page_param(request, "pageNumber", 1, 2**31 - 1)
        views = self._load_catalogue()
        start = (page_number - 1) * page_size
        payload = {
            "pagination": {
                "pageNumber": str(page_number),
                "pageSize": str(page_size),
                "totalAvailable": str(len(views)),
            },
            "views": {"view": [v.to_payload() for v in views[start : start + page_size]]},
        }
        return ts_response(request, 200, payload)

    def _view_data(self, request: Request, site: str, view_id: str) -> Response:
        self._authenticate(request)
        self._check_site(site)
        self._tick_faults()
        view = next((v for v in self._load_catalogue() if v.id == view_id), None)
        if view is None:
            raise TableauApiError(
                404, "404011", "Resource Not Found", f"view {view_id!r} does not exist on this site"
            )
        with self._lock:
            file = self._files.get(view.file)
            if file is None:
                file = self._files[view.file] = ReloadingFile(
                    self.data_dir / "tableau" / view.file, _read_bytes
                )
        # Byte for byte: the BOM, quoting and thousands separators are what the connector must cope with.
        return text_response(200, file.get(), "text/csv; charset=utf-8")

    # -- sandbox control path (JSON only: it is the sandbox's own, not Tableau's)

    def _control(self, request: Request) -> Response:
        action = request.path.removeprefix("/_sandbox/").rstrip("/")
        try:
            if action == "faults":
                _require_method(request, "GET", "POST")
                if request.method == "POST":
                    try:
                        self._set_faults(TableauFaults.from_dict(request.json()))
                    except ValueError as exc:
                        raise TableauApiError(400, "400000", "Bad Request", str(exc)) from exc
                return json_response(200, self.faults.to_dict())
            if action == "stats":
                _require_method(request, "GET")
                return json_response(200, self._stats())
            if action == "reset":
                _require_method(request, "POST")
                self._set_faults(TableauFaults())
                with self._lock:
                    self._by_status.clear()
                    self._by_endpoint.clear()
                return json_response(200, self._stats())
            raise TableauApiError(
                404, "404000", "Resource Not Found", f"no sandbox control endpoint {request.path}"
            )
        except TableauApiError as exc:
            return json_response(
                exc.status,
                {"error": {"code": exc.code, "summary": exc.summary, "detail": exc.detail}},
                exc.headers,
            )

    def _stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "by_status": dict(self._by_status),
                "by_endpoint": {name: dict(counts) for name, counts in self._by_endpoint.items()},
                "sessions": len(self._sessions),
            }


def _require_method(request: Request, *allowed: str) -> None:
    if request.method not in allowed:
        raise TableauApiError(
            405,
            "405000",
            "Method Not Allowed",
            f"{request.method} is not allowed on {request.path}",
            {"Allow": ", ".join(allowed)},
        )
