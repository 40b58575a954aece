"""What each kind of landing file must contain: its format and its columns with their types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

FileFormat = Literal["csv", "json", "parquet"]
ColumnType = Literal["string", "int", "float", "date", "timestamp", "bool"]

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
}

# `<kind>_<YYYYMMDD>[_<suffix>].<ext>`: the kind names the raw table, the date tag and suffix are dropped.
FILE_NAME = re.compile(
    r"^(?P<kind>[a-z][a-z0-9_]*?)_(?P<tag>\d{8})(?:_(?P<suffix>[A-Za-z0-9_-]+))?\.(?P<ext>[a-z]+)$"
)

# Nested JSON objects are flattened with dlt's own separator: `attempt.number` lands as `attempt__number`.
NESTED_SEPARATOR = "__"


@dataclass(frozen=True)
class FileKind:
    """One kind of file drop: the raw table it loads into, its format and its columns (name -> type)."""

    name: str
    format: FileFormat
    columns: dict[str, ColumnType]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in self.columns.items()])


FILE_KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind(
            "students_partner",
            "csv",
            {
                "student_ref": "string",
                "first_name": "string",
                "last_name": "string",
                "email": "string",
                "home_institution": "string",
                "program_code": "string",
                "arrival_date": "date",
            },
        ),
        FileKind(
            "attendance_lab",
            "csv",
            {
                "student_id": "int",
                "course_code": "string",
                "lab_date": "date",
                "status": "string",
                "minutes_present": "int",
            },
        ),
        FileKind(
            "assessments_online",
            "json",
            {
                "assessment_ref": "string",
                "student_id": "int",
                "course_code": "string",
                "submitted_at": "timestamp",
                "score": "float",
                "max_score": "float",
                "attempt__number": "int",
                "attempt__proctored": "bool",
            },
        ),
        FileKind(
            "course_evaluations",
            "parquet",
            {"course_code": "string", "term_code": "int", "respondents": "int", "avg_rating": "float"},
        ),
    )
}


def kind_of(file_name: str) -> str | None:
    """The kind a landing file name declares (`attendance_lab_20261015_late.csv` -> `attendance_lab`)."""
    match = FILE_NAME.match(file_name)
    return match["kind"] if match else None
