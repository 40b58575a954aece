"""The HTTP API: search, student profiles and recommendations, job postings and their best-fit students.

Every data endpoint needs a bearer token (api.auth); roles come from the token's claims through the app's
mapping (app/access.py), personal fields are masked by the app's rules (app/privacy.py), and every student
read is written to the app's access audit (app/audit.py) before it is answered: no audit row, no data (503).
Answers come from the snapshot held in memory (api.snapshot). Settings: see api.settings.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations, and `Who` is local.

import asyncio
import contextlib
import math
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from concurrent.futures import Future
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, Path, Query, Request, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import StringConstraints
from starlette.responses import Response

from api import models
from api.auditing import AuditWriter
from api.auth import InvalidToken, ProviderUnavailable, RateLimiter, TokenVerifier, client_of
from api.problems import ApiProblem, install, problem_media_types, problem_response, responses
from api.settings import ApiSettings
from api.snapshot import Snapshot as LoadedSnapshot
from api.snapshot import SnapshotWatcher
from app import access, audit, privacy
from app.access import Person
from app.data import records
from app.data.errors import BadInput
from app.data.search import DOC_TYPES, MAX_QUERY_CHARS, PAGE_SIZE, SearchFilters

AUDIT_DOWN = "The access audit cannot be written, so no student data is returned. Tell the data team."
# A request waits this long for its audit rows, then answers 503 rather than the data.
AUDIT_WAIT_SECONDS = 15.0
MAX_ID_CHARS = 100  # as the app's lookups: ids are at most a few dozen characters
MAX_FILTER_VALUES = 20
MAX_PAGE = 10_000
GPA_MAX = 4.0

FilterValue = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]
FilterValues = Annotated[list[FilterValue] | None, Query(max_length=MAX_FILTER_VALUES)]
StudentKey = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, description="The student's key.")]
JobId = Annotated[
    str,
    Path(min_length=1, max_length=MAX_ID_CHARS, description="The job posting id (or its requisition id)."),
]

NO_STORE = {"Cache-Control": "no-store"}

bearer = HTTPBearer(
    auto_error=False,
    description="A JWT access token from the identity provider (client-credentials grant for systems).",
)


def json_response(body: Mapping[str, Any] | bytes) -> Response:
    # Plain Python values only: the engine's rows and the snapshot's answers hold no NumPy or pandas types.
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    # Answers may hold personal values: no shared cache may keep them.
    return Response(content, media_type="application/json", headers=NO_STORE)


def json_object(*fields: tuple[str, bytes]) -> bytes:
    """A JSON object from fields already serialised: answers are assembled from the snapshot's bytes."""
    return b"{" + b",".join(b'"' + name.encode() + b'":' + value for name, value in fields) + b"}"


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


class Caller:
    """Who is asking: the person (or system) the token describes, and whose rate limit it counts against."""

    __slots__ = ("client", "person")

    def __init__(self, person: Person, client: str) -> None:
        self.person = person
        self.client = client

    @property
    def roles(self) -> list[str]:
        return sorted(self.person.roles)


def _unauthorized(detail: str, error: str | None = "invalid_token") -> ApiProblem:
    challenge = 'Bearer realm="campus-api"' + (f', error="{error}"' if error else "")
    return ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})


def create_app(settings: ApiSettings | None = None, watcher: SnapshotWatcher | None = None) -> FastAPI:
    """The API as an ASGI app (`uvicorn --factory api.main:create_app`)."""
    settings = settings or ApiSettings.from_env()
    watcher = watcher or SnapshotWatcher()
    verifier = TokenVerifier(settings.issuer, settings.audience)
    limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
    writer = AuditWriter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        watcher.start()
        threading.Thread(target=verifier.prefetch, name="jwks-prefetch", daemon=True).start()
        yield
        watcher.stop()
        writer.stop()

    app = FastAPI(
        title="Campus Pathways API",
        version="1.0.0",
        summary="Search, student profiles and recommendations, job postings, from the published snapshot.",
        lifespan=lifespan,
    )
    app.state.watcher = watcher
    app.state.verifier = verifier
    install(app)

    def snapshot() -> LoadedSnapshot:
        current = watcher.current
        if current is None:
            raise ApiProblem(503, watcher.problem or "The published snapshot is loading; try again shortly.")
        return current

    def deny(person: Person, action: str, target: str, needs: str) -> None:
        """Record a refusal; refused either way, nothing shown, so a refusal (rare) waits for its row."""
        roles = sorted(person.roles)
        event = audit.Event(person.actor, roles, action, audit.DENIED, target=target, detail={"needs": needs})
        with contextlib.suppress(audit.AuditUnavailable, TimeoutError):
            writer.submit([event]).result(timeout=AUDIT_WAIT_SECONDS)

    async def caller(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise _unauthorized("Send an access token: `Authorization: Bearer <token>`.", error=None)
        try:
            claims = verifier.verify(credentials.credentials)
        except InvalidToken as error:
            raise _unauthorized(str(error)) from None
        except ProviderUnavailable as error:
            raise ApiProblem(503, str(error), headers={"Retry-After": "5"}) from None
        person = access.person_from_claims(claims)
        if person is None:
            raise _unauthorized("The access token names no subject.")
        client = client_of(claims)
        wait = limiter.wait_seconds(client)
        if wait > 0:
            retry = str(max(1, math.ceil(wait))) if math.isfinite(wait) else "60"
            raise ApiProblem(
                429,
                f"More than {settings.rate_per_second:g} requests a second from this client; retry later.",
                headers={"Retry-After": retry},
            )
        if not person.roles:
            # As the app's no-access page: the refusal is recorded (the path only: never the query's text).
            deny(person, "api_request", request.url.path, "a role")
            raise ApiProblem(403, "The token's groups map to no role in Campus Pathways.")
        return Caller(person, client)

    Who = Annotated[Caller, Depends(caller)]

    def need(who: Caller, capability: str, action: str, target: str) -> None:
        """403 unless the caller's roles allow `capability`; the refusal is an audit row first."""
        if who.person.may(capability):
            return
        deny(who.person, action, target, capability)
        raise ApiProblem(403, f"Your role does not allow this ({capability.replace('_', ' ')}).")

    def submit_reads(who: Caller, action: str, student_keys: Iterable[str], target: str) -> Future[str]:
        events = audit.student_views(
            who.person.actor, who.roles, action, student_keys, target, privacy.shown_or_masked(who.person)
        )
        return writer.submit(events)

    async def record_reads(who: Caller, action: str, student_keys: Iterable[str], target: str) -> None:
        """The audit rows for students about to be answered; if they cannot be written, nothing is."""
        try:
            await asyncio.wait_for(
                asyncio.wrap_future(submit_reads(who, action, student_keys, target)), AUDIT_WAIT_SECONDS
            )
        except (audit.AuditUnavailable, TimeoutError):
            raise ApiProblem(503, AUDIT_DOWN) from None

    def record_reads_now(who: Caller, action: str, student_keys: Iterable[str], target: str) -> None:
        """`record_reads` for the endpoints that run in the thread pool (search)."""
        try:
            submit_reads(who, action, student_keys, target).result(timeout=AUDIT_WAIT_SECONDS)
        except (audit.AuditUnavailable, TimeoutError):
            raise ApiProblem(503, AUDIT_DOWN) from None

    def as_shown(answer: bytes, person: Person) -> bytes:
        """Stored rows as they are for roles that see personal fields, else parsed and masked by the app's
        rules (the best-fit list's personal fields are text, so its JSON masks as the app's frame does)."""
        if privacy.can_see_pii(person):
            return answer
        personal = privacy.pii_columns()
        return dumps([privacy.mask_record(row, person, personal) for row in orjson.loads(answer)])

    def student_json(snap: LoadedSnapshot, student_key: str, masked: bool = False) -> bytes:
        found = snap.students.json(student_key, masked)
        if found is None:
            raise ApiProblem(404, "No student has that key. Find the student with /v1/search.")
        return found

    @app.get("/health", response_model=models.Health, responses=responses(503), tags=["status"])
    async def health() -> Response:
        """Up, and which published run it answers from; 503 before the first publish."""
        current = watcher.current
        if current is None:
            return problem_response(503, watcher.problem or "The published snapshot is loading.")
        return json_response({"status": "ok", "data_as_of": current.data_as_of})

    @app.get(
        "/v1/data-as-of",
        response_model=models.DataAsOfAnswer,
        responses=responses(401, 403, 429, 503),
        tags=["status"],
    )
    async def data_as_of(who: Who) -> Response:
        """The published run the answers come from."""
        return json_response({"data_as_of": snapshot().data_as_of})

    @app.get(
        "/v1/search",
        response_model=models.SearchAnswer,
        responses=responses(401, 403, 422, 429, 503),
        tags=["search"],
    )
    def search(
        who: Who,
        q: Annotated[
            str,
            Query(
                min_length=1, max_length=MAX_QUERY_CHARS, description="A name, job title, course or skill."
            ),
        ],
        doc_types: Annotated[
            list[Literal["student", "job", "course"]] | None,
            Query(alias="type", max_length=len(DOC_TYPES), description="Kinds of result (default: all)."),
        ] = None,
        gpa_min: Annotated[float | None, Query(ge=0.0, le=GPA_MAX, allow_inf_nan=False)] = None,
        gpa_max: Annotated[float | None, Query(ge=0.0, le=GPA_MAX, allow_inf_nan=False)] = None,
        program: FilterValues = None,
        location: FilterValues = None,
        skill: FilterValues = None,
        posting_status: FilterValues = None,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    ) -> Response:
        """Students, job postings and courses, ranked as the app's Search page ranks them, 20 a page.
        Student filters (GPA, programme) leave jobs and courses in; location leaves courses in."""
        need(who, access.SEARCH, "api_search", "search")
        if gpa_min is not None and gpa_max is not None and gpa_min > gpa_max:
            raise ApiProblem(
                422,
                "gpa_min is above gpa_max: widen the GPA range.",
                invalid_params=[{"name": "gpa_min", "reason": "must not be above gpa_max"}],
            )
        snap = snapshot()
        filters = SearchFilters(
            doc_types=tuple(dict.fromkeys(doc_types)) if doc_types else DOC_TYPES,
            gpa_min=gpa_min,
            gpa_max=gpa_max,
            programs=tuple(program or ()),
            locations=tuple(location or ()),
            skills=tuple(skill or ()),
            posting_statuses=tuple(posting_status or ()),
        )
        try:
            found = snap.search(q, filters, page)
        except BadInput as error:
            raise ApiProblem(422, str(error), invalid_params=[{"name": "q", "reason": str(error)}]) from None
        rows = found.rows
        students = [str(row["entity_id"]) for row in rows if row["doc_type"] == "student"]
        if students:
            record_reads_now(who, "api_search_result", students, "search")
        clear = privacy.can_see_pii(who.person)
        results = []
        for row in rows:
            title = row.get("title")
            if row["doc_type"] == "student" and not clear and isinstance(title, str):
                title = privacy.mask_text(title, who.person)  # a student document's title is their name
            results.append(
                {
                    **row,
                    "entity_id": str(row["entity_id"]),
                    "title": title,
                    "skills": records.split_list(row.get("skills")),
                }
            )
        return json_response(
            {
                "data_as_of": snap.data_as_of,
                "terms": found.terms,
                "notes": found.notes,
                "total": found.total,
                "page": found.page,
                "pages": found.pages,
                "page_size": PAGE_SIZE,
                "personal_fields": privacy.shown_or_masked(who.person),
                "results": results,
            }
        )

    @app.get(
        "/v1/students/{student_key}",
        response_model=models.StudentAnswer,
        responses=responses(401, 403, 404, 422, 429, 503),
        tags=["students"],
    )
    async def student(who: Who, student_key: StudentKey) -> Response:
        """One student across SIS and Workday: identities, programme, status, GPA, attendance."""
        need(who, access.STUDENT_PROFILE, "api_student_profile", "student_profile")
        snap = snapshot()
        found = student_json(snap, student_key, masked=not privacy.can_see_pii(who.person))
        await record_reads(who, "api_student_profile", [student_key], "student_profile")
        return json_response(
            json_object(
                ("data_as_of", snap.data_as_of_json),
                ("personal_fields", dumps(privacy.shown_or_masked(who.person))),
                ("student", found),
            )
        )

    async def recommendations(
        who: Caller, student_key: str, kind: str, answers: Callable[[LoadedSnapshot], Any]
    ) -> Response:
        """One student's recommendation list of `kind`: checked, audited, then answered from memory."""
        action = f"api_{kind}"
        need(who, access.STUDENT_PROFILE, action, kind)
        snap = snapshot()
        student_json(snap, student_key)
        await record_reads(who, action, [student_key], kind)
        return json_response(
            json_object(
                ("data_as_of", snap.data_as_of_json),
                ("student_key", dumps(student_key)),
                ("recommendations", answers(snap).json(student_key) or b"[]"),
            )
        )

    @app.get(
        "/v1/students/{student_key}/job-recommendations",
        response_model=models.JobRecommendations,
        responses=responses(401, 403, 404, 422, 429, 503),
        tags=["students"],
    )
    async def job_recommendations(who: Who, student_key: StudentKey) -> Response:
        """The student's recommended jobs, best first, with matched and missing skills and the reason."""
        return await recommendations(who, student_key, "job_recommendations", lambda s: s.job_recommendations)

    @app.get(
        "/v1/students/{student_key}/course-recommendations",
        response_model=models.CourseRecommendations,
        responses=responses(401, 403, 404, 422, 429, 503),
        tags=["students"],
    )
    async def course_recommendations(who: Who, student_key: StudentKey) -> Response:
        """Courses that teach the skills the student's recommended jobs ask for and they lack."""
        return await recommendations(
            who, student_key, "course_recommendations", lambda s: s.course_recommendations
        )

    def job_key(snap: LoadedSnapshot, job_posting_id: str) -> str:
        if job_posting_id in snap.jobs:
            return job_posting_id
        if job_posting_id in snap.requisitions:
            return snap.requisitions[job_posting_id]
        raise ApiProblem(404, "No job posting has that id. Find postings with /v1/search?type=job.")

    @app.get(
        "/v1/jobs/{job_posting_id}",
        response_model=models.JobAnswer,
        responses=responses(401, 403, 404, 422, 429, 503),
        tags=["jobs"],
    )
    async def job(who: Who, job_posting_id: JobId) -> Response:
        """One job posting: employer, location, status, salary range, skills."""
        need(who, access.JOBS, "api_job_posting", "job_posting")
        snap = snapshot()
        found = snap.jobs.json(job_key(snap, job_posting_id)) or b"null"
        return json_response(json_object(("data_as_of", snap.data_as_of_json), ("job", found)))

    @app.get(
        "/v1/jobs/{job_posting_id}/best-fit-students",
        response_model=models.BestFit,
        responses=responses(401, 403, 404, 422, 429, 503),
        tags=["jobs"],
    )
    async def best_fit_students(who: Who, job_posting_id: JobId) -> Response:
        """The students this posting is among the recommendations of, best score first (at most 20)."""
        need(who, access.JOBS, "api_best_fit_list", "best_fit")
        snap = snapshot()
        posting = job_key(snap, job_posting_id)
        found = snap.best_fit.json(posting) or b"[]"
        keys = [row["student_key"] for row in orjson.loads(found)]
        if keys:
            await record_reads(who, "api_best_fit_list", keys, f"job_posting:{posting}")
        return json_response(
            json_object(
                ("data_as_of", snap.data_as_of_json),
                ("job_posting_id", dumps(posting)),
                ("personal_fields", dumps(privacy.shown_or_masked(who.person))),
                ("students", as_shown(found, who.person)),
            )
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            app.openapi_schema = problem_media_types(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    return app
