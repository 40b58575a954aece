"""Fixed facts about the Workday REST API this connector relies on, and the config names it reads."""

from __future__ import annotations

from typing import Final

# Workday resource path -> raw table (dlt's snake_case naming would derive the same; spelled out for readers).
RESOURCES: Final[dict[str, str]] = {
    "students": "students",
    "academicPrograms": "academic_programs",
    "jobPostings": "job_postings",
    "jobPlacements": "job_placements",
}

# Lists inside a record land as dlt child tables beside their parent's table: child -> parent.
CHILD_TABLES: Final[dict[str, str]] = {
    "job_postings__skills": "job_postings",
    "students__career_interests": "students",
}

PAGE_LIMIT: Final = 100  # Workday's maximum page size
CURSOR_FIELD: Final = "updatedAt"
CURSOR_PARAM: Final = "updatedFrom"
PRIMARY_KEY: Final = "id"

API_PATH: Final = "/ccx/api/v1/{tenant}"
TOKEN_PATH: Final = "/ccx/oauth2/{tenant}/token"

# Names a person fixes when something is wrong; used in error messages, never alongside values.
ENV_BASE_URL: Final = "SOURCES__WORKDAY__BASE_URL"
ENV_TENANT: Final = "SOURCES__WORKDAY__TENANT"
ENV_CLIENT_ID: Final = "SOURCES__WORKDAY__CLIENT_ID"
ENV_CLIENT_SECRET: Final = "SOURCES__WORKDAY__CLIENT_SECRET"
ENV_REFRESH_TOKEN: Final = "SOURCES__WORKDAY__REFRESH_TOKEN"

# Fields that identify a student, by resource (ingestion/suppression.py); a student's list of career
# interests travels inside the student's record and is dropped with it.
PERSON_FIELDS: Final[dict[str, dict[str, str]]] = {
    "students": {"id": "workday_id", "email": "email"},
    "jobPlacements": {"studentId": "workday_id"},
}
