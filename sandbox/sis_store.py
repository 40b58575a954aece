"""The Oracle SIS stand-in: a SQLite file whose tables and columns carry Oracle's names and type names."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

# Oracle type names on purpose: SQLAlchemy reflects NUMBER(p,s) as NUMERIC(p,s), VARCHAR2 as text, DATE and
# TIMESTAMP as dates, so the connector sees the same logical types it would see on Oracle.
SIS_TABLES: dict[str, dict[str, str]] = {
    "STUDENTS": {
        "STUDENT_ID": "NUMBER(10,0) NOT NULL PRIMARY KEY",
        "FIRST_NAME": "VARCHAR2(100)",
        "LAST_NAME": "VARCHAR2(100)",
        "EMAIL": "VARCHAR2(255)",
        "PHONE": "VARCHAR2(30)",
        "DATE_OF_BIRTH": "DATE",
        "PROGRAM_CODE": "VARCHAR2(20)",
        "ENROLLMENT_DATE": "DATE",
        "EXPECTED_GRADUATION_DATE": "DATE",
        "STATUS_CODE": "VARCHAR2(12)",
        "GPA": "NUMBER(4,2)",
        "CITY": "VARCHAR2(100)",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
    "COURSES": {
        "COURSE_ID": "NUMBER(10,0) NOT NULL PRIMARY KEY",
        "COURSE_CODE": "VARCHAR2(12)",
        "TITLE": "VARCHAR2(200)",
        "DEPARTMENT": "VARCHAR2(100)",
        "CREDITS": "NUMBER(2,0)",
        "COURSE_LEVEL": "NUMBER(3,0)",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
    "COURSE_SKILLS": {
        "COURSE_SKILL_ID": "NUMBER(10,0) NOT NULL PRIMARY KEY",
        "COURSE_ID": "NUMBER(10,0) NOT NULL",
        "SKILL_NAME": "VARCHAR2(100) NOT NULL",
        "SKILL_WEIGHT": "NUMBER(3,2)",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
    "ENROLLMENTS": {
        "ENROLLMENT_ID": "NUMBER(12,0) NOT NULL PRIMARY KEY",
        "STUDENT_ID": "NUMBER(10,0) NOT NULL",
        "COURSE_ID": "NUMBER(10,0) NOT NULL",
        "TERM_CODE": "NUMBER(6,0) NOT NULL",
        "ENROLLED_ON": "DATE",
        "STATUS_CODE": "VARCHAR2(12)",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
    "ACADEMIC_RECORDS": {
        "RECORD_ID": "NUMBER(12,0) NOT NULL PRIMARY KEY",
        "STUDENT_ID": "NUMBER(10,0) NOT NULL",
        "COURSE_ID": "NUMBER(10,0) NOT NULL",
        "TERM_CODE": "NUMBER(6,0) NOT NULL",
        "GRADE_LETTER": "VARCHAR2(2)",
        "GRADE_POINTS": "NUMBER(3,2)",
        "CREDITS_EARNED": "NUMBER(2,0)",
        "COMPLETED_ON": "DATE",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
    "ATTENDANCE": {
        "ATTENDANCE_ID": "NUMBER(12,0) NOT NULL PRIMARY KEY",
        "STUDENT_ID": "NUMBER(10,0) NOT NULL",
        "COURSE_ID": "NUMBER(10,0) NOT NULL",
        "CLASS_DATE": "DATE NOT NULL",
        "ATTENDANCE_STATUS": "VARCHAR2(10)",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
    "ASSESSMENTS": {
        "ASSESSMENT_ID": "NUMBER(12,0) NOT NULL PRIMARY KEY",
        "STUDENT_ID": "NUMBER(10,0) NOT NULL",
        "COURSE_ID": "NUMBER(10,0) NOT NULL",
        "ASSESSMENT_TYPE": "VARCHAR2(12)",
        "ASSESSED_ON": "DATE",
        "SCORE": "NUMBER(5,2)",
        "MAX_SCORE": "NUMBER(5,2)",
        "IS_DELETED": "NUMBER(1,0) DEFAULT 0 NOT NULL",
        "UPDATED_AT": "TIMESTAMP NOT NULL",
    },
}

PRIMARY_KEYS: dict[str, str] = {
    table: next(name for name, decl in columns.items() if "PRIMARY KEY" in decl)
    for table, columns in SIS_TABLES.items()
}


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    # Written in bulk by one process: durability across a power cut does not matter for a generated file.
    con.execute("PRAGMA synchronous=OFF")
    return con


def create_schema(con: sqlite3.Connection) -> None:
    for table, columns in SIS_TABLES.items():
        body = ",\n  ".join(f'"{name}" {decl}' for name, decl in columns.items())
        con.execute(f'CREATE TABLE "{table}" (\n  {body}\n)')
        # Incremental extraction filters on UPDATED_AT, as it would on Oracle with the same index.
        con.execute(f'CREATE INDEX "IX_{table}_UPDATED_AT" ON "{table}" ("UPDATED_AT")')


def insert_rows(con: sqlite3.Connection, table: str, columns: dict[str, Sequence[object]]) -> int:
    names = list(columns)
    unknown = set(names) - set(SIS_TABLES[table])
    if unknown:
        raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
    placeholders = ", ".join("?" for _ in names)
    quoted = ", ".join(f'"{name}"' for name in names)
    rows = list(zip(*(columns[name] for name in names), strict=True))
    con.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders})', rows)
    return len(rows)


def row_counts(con: sqlite3.Connection) -> dict[str, int]:
    return {table: con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in SIS_TABLES}
