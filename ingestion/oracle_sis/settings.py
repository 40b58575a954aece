"""Fixed facts about the SIS this connector relies on, its defaults, and the config names it reads."""

from __future__ import annotations

from typing import Final

from dlt.common.schema.typing import TSchemaContractDict

# The SIS tables this source loads and their primary keys. Keys come from reflection when the database reports
# them (SQLite always does; Oracle does when the login may read the constraints); this mapping is the fallback
# and the documentation of what staging may rely on.
SIS_PRIMARY_KEYS: Final[dict[str, str]] = {
    "STUDENTS": "STUDENT_ID",
    "COURSES": "COURSE_ID",
    "COURSE_SKILLS": "COURSE_SKILL_ID",
    "ENROLLMENTS": "ENROLLMENT_ID",
    "ACADEMIC_RECORDS": "RECORD_ID",
    "ATTENDANCE": "ATTENDANCE_ID",
    "ASSESSMENTS": "ASSESSMENT_ID",
}
SIS_TABLES: Final[tuple[str, ...]] = tuple(SIS_PRIMARY_KEYS)
CURSOR_COLUMN: Final = "UPDATED_AT"
SOFT_DELETE_COLUMN: Final = "IS_DELETED"

# Largest NUMBER(p,0) that always fits a signed 64-bit integer.
MAX_BIGINT_PRECISION: Final = 18

# Seconds below the last loaded UPDATED_AT that every run reads again (the lag window): an hour, longer than
# any SIS transaction should run.
DEFAULT_CURSOR_LAG_SECONDS: Final = 3600
DEFAULT_CHUNK_SIZE: Final = 50_000  # rows per extracted batch

# New tables and columns evolve; a column whose data type changes fails the extract (package docstring).
SCHEMA_CONTRACT: Final[TSchemaContractDict] = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}

# Names a person fixes when something is wrong; used in error messages, never alongside values.
ENV_SCHEMA: Final = "SOURCES__ORACLE_SIS__SCHEMA"
CURSOR_LAG_KEY: Final = "sources.oracle_sis.cursor_lag_seconds"

# Fields that identify a student, by table: the suppression list drops rows whose value is on it
# (ingestion/suppression.py). Every table keyed to a student carries STUDENT_ID.
PERSON_FIELDS: Final[dict[str, dict[str, str]]] = {
    "STUDENTS": {"STUDENT_ID": "sis_id", "EMAIL": "email"},
    **{
        table: {"STUDENT_ID": "sis_id"}
        for table in ("ENROLLMENTS", "ACADEMIC_RECORDS", "ATTENDANCE", "ASSESSMENTS")
    },
}
