"""Defaults of the Tableau source, the columns it adds, and the config names it reads."""

from __future__ import annotations

from typing import Final

DEFAULT_API_VERSION: Final = "3.22"
DEFAULT_PAGE_SIZE: Final = 100  # Tableau's default; its maximum is 1,000
DEFAULT_REQUEST_TIMEOUT: Final = 60.0  # seconds, for connecting and for each read

# Every row carries the date of the extraction; a day's rows are replaced as a whole on re-runs.
SNAPSHOT_COLUMN: Final = "snapshot_date"
LOAD_ID_COLUMN: Final = "_dlt_load_id"

# Names a person fixes when something is wrong; used in error messages, never alongside values.
ENV_SERVER_URL: Final = "SOURCES__TABLEAU__SERVER_URL"
ENV_API_VERSION: Final = "SOURCES__TABLEAU__API_VERSION"
ENV_SITE: Final = "SOURCES__TABLEAU__SITE"
ENV_TOKEN_NAME: Final = "SOURCES__TABLEAU__TOKEN_NAME"
ENV_TOKEN_SECRET: Final = "SOURCES__TABLEAU__TOKEN_SECRET"
ENV_VIEWS: Final = "SOURCES__TABLEAU__VIEWS"

# Fields that identify a student, by raw table (ingestion/suppression.py): Student Analytics carries the
# SIS student id.
PERSON_FIELDS: Final[dict[str, dict[str, str]]] = {"student_analytics": {"student_id": "sis_id"}}
