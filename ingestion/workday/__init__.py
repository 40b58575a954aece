"""Workday (students, academic programs, job postings, job placements) over its REST API into `raw_workday`.

Config read through dlt (env vars, then `.dlt/secrets.toml` / `.dlt/config.toml`):
- `SOURCES__WORKDAY__BASE_URL`: the Workday services host, e.g. `https://wd2-impl-services1.workday.com`.
- `SOURCES__WORKDAY__TENANT`: the tenant name in Workday's URLs.
- `SOURCES__WORKDAY__REQUEST_TIMEOUT` (default 60 s), `SOURCES__WORKDAY__REQUEST_MAX_ATTEMPTS` (default 5),
  `SOURCES__WORKDAY__REQUEST_BACKOFF_FACTOR` (default 1.0: waits 1, 2, 4... s unless
  Retry-After says otherwise).
Secrets:
- `SOURCES__WORKDAY__CLIENT_ID`, `SOURCES__WORKDAY__CLIENT_SECRET`: the API client registered in Workday.
- `SOURCES__WORKDAY__REFRESH_TOKEN` (optional): with it, the refresh-token grant; without it,
  client credentials.

Raw tables: `students`, `academic_programs`, `job_postings`, `job_placements`, merged on `id` and loaded
incrementally (`updatedFrom` = the highest `updatedAt` seen; incremental state commits only with a successful
load, so a failed run is simply re-run). Lists land as child tables (`settings.CHILD_TABLES`:
`job_postings__skills`, `students__career_interests`). Soft deletes are kept: a record Workday marks
`inactive` stays in raw with `inactive = true`, and the staging models decide what an inactive record means.

The package is laid out like a dlt verified source: this module holds the `@dlt.source`, `settings.py` the
API's fixed facts, `auth.py` the OAuth2 client, `transport.py` the HTTP sessions and the page check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dlt
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource
from dlt.sources.rest_api import RESTAPIConfig, rest_api_resources

from ingestion.workday.auth import WorkdayAuthError, WorkdayOAuth2
from ingestion.workday.settings import (
    API_PATH,
    CURSOR_FIELD,
    CURSOR_PARAM,
    PAGE_LIMIT,
    PRIMARY_KEY,
    RESOURCES,
    TOKEN_PATH,
)
from ingestion.workday.transport import WorkdayMalformedPage, api_session, require_json_body, token_session

__all__ = [
    "RESOURCES",
    "WorkdayAuthError",
    "WorkdayMalformedPage",
    "WorkdayOAuth2",
    "rest_api_config",
    "workday_source",
]


def rest_api_config(
    base_url: str,
    tenant: str,
    auth: WorkdayOAuth2,
    session: Any,
    resources: Sequence[str] = tuple(RESOURCES),
) -> RESTAPIConfig:
    """The declarative `rest_api` description of the Workday resources we load."""
    return {
        "client": {
            "base_url": base_url.rstrip("/") + API_PATH.format(tenant=tenant) + "/",
            "auth": auth,
            "session": session,
            "headers": {"Accept": "application/json"},
            "paginator": {
                "type": "offset",
                "limit": PAGE_LIMIT,
                "offset_param": "offset",
                "limit_param": "limit",
                "total_path": "total",
            },
        },
        "resource_defaults": {
            "primary_key": PRIMARY_KEY,
            "write_disposition": "merge",
            "endpoint": {
                "data_selector": "data",
                "response_actions": [require_json_body],
                "incremental": {"start_param": CURSOR_PARAM, "cursor_path": CURSOR_FIELD},
            },
        },
        "resources": [
            {"name": name, "table_name": RESOURCES[name], "endpoint": {"path": name}} for name in resources
        ],
    }


@dlt.source(name="workday", section="workday")
def workday_source(
    base_url: str = dlt.config.value,
    tenant: str = dlt.config.value,
    client_id: TSecretStrValue = dlt.secrets.value,
    client_secret: TSecretStrValue = dlt.secrets.value,
    refresh_token: TSecretStrValue | None = None,
    request_timeout: float = 60.0,
    request_max_attempts: int = 5,
    request_backoff_factor: float = 1.0,
) -> list[DltResource]:
    """All four Workday resources; pick some with `workday_source().with_resources(...)`."""
    auth = WorkdayOAuth2(
        access_token_url=base_url.rstrip("/") + TOKEN_PATH.format(tenant=tenant),
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token or None,
        request_timeout=request_timeout,
        session=token_session(request_timeout, request_max_attempts, request_backoff_factor),
    )
    session = api_session(request_timeout, request_max_attempts, request_backoff_factor)
    return rest_api_resources(rest_api_config(base_url, tenant, auth, session))
