"""RFC 9457 problem details: every error the API answers, and the handlers that turn FastAPI's own errors
(validation, unknown routes) into them. Details say what is wrong with the request, never a personal value."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("api")

PROBLEM_JSON = "application/problem+json"


class InvalidParam(BaseModel):
    name: str = Field(description="The parameter, e.g. `gpa_min` or `type[1]`.")
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem: `title` is the status's phrase, `detail` says what to change."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    invalid_params: list[InvalidParam] | None = None


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        headers: Mapping[str, str] | None = None,
        invalid_params: Sequence[Mapping[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.invalid_params = list(invalid_params) if invalid_params else None


def problem_response(
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
    invalid_params: Sequence[Mapping[str, str]] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if invalid_params:
        body["invalid_params"] = [dict(param) for param in invalid_params]
    return Response(
        orjson.dumps(body), status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def _location(loc: Sequence[Any]) -> str:
    parts = [str(part) for part in loc if part not in ("query", "path", "header", "body")]
    return ".".join(parts) or "request"


async def _validation(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    # Pydantic's message and the parameter's name; never the input, which may be personal.
    params = [
        {"name": _location(item.get("loc", ())), "reason": str(item.get("msg", ""))}
        for item in error.errors()
    ]
    names = ", ".join(dict.fromkeys(param["name"] for param in params))
    return problem_response(422, f"Some parameters are not valid: {names}.", invalid_params=params)


async def _api_problem(_request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiProblem)
    return problem_response(error.status, error.detail, error.headers, error.invalid_params)


async def _http(_request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    detail = {404: "There is no such endpoint; see /docs.", 405: "That method is not allowed here."}.get(
        status, str(error.detail)
    )
    return problem_response(status, detail, error.headers)


async def _unexpected(_request: Request, error: Exception) -> Response:
    log.error("unexpected %s while answering a request", type(error).__name__)
    return problem_response(
        500, "The API failed to answer; the error is logged. Try again or tell the data team."
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problems an endpoint may answer, for its OpenAPI entry."""
    described = {
        400: "The request cannot be answered as asked.",
        401: "No valid bearer token (missing, expired, wrongly signed, wrong audience).",
        403: "The token's groups map to no role, or to a role without this capability.",
        404: "No such student or job posting.",
        422: "A parameter is not valid; `invalid_params` names which.",
        429: "Too many requests from this client; `Retry-After` says when to retry.",
        503: "No published snapshot yet, the identity provider cannot be reached, or the access audit cannot "
        "be written.",
    }
    return {status: {"model": Problem, "description": described[status]} for status in statuses}


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are `application/problem+json` in the OpenAPI document, as they are on the wire."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if status.isdigit() and int(status) >= 400 and content and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return schema
