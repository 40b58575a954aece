"""Read one landing file whole and check it against its kind's contract before any row of it is loaded."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.files.contracts import ARROW_TYPES, NESTED_SEPARATOR, ColumnType, FileKind

# Stop listing problems after this many: one bad file can have thousands, the first few say what is wrong.
MAX_PROBLEMS = 20
INTEGER = re.compile(r"^[+-]?\d+$")
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class FileRejected(ValueError):
    """The file breaks its contract; `problems` says where (line or record) and what."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.total = 0

    def add(self, where: str, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.total:
            extra = self.total - len(self.items)
            raise FileRejected(self.items + ([f"... and {extra} more problems"] if extra else []))


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("has no time zone")
    return value


def _text_parsers() -> dict[ColumnType, tuple[Callable[[str], Any], str]]:
    def integer(text: str) -> int:
        if not INTEGER.match(text):
            raise ValueError
        return int(text)

    def number(text: str) -> float:
        if not DECIMAL.match(text):
            raise ValueError
        return float(text)

    def boolean(text: str) -> bool:
        if text.lower() not in ("true", "false"):
            raise ValueError
        return text.lower() == "true"

    return {
        "string": (str, "text"),
        "int": (integer, "an integer"),
        "float": (number, "a number"),
        "date": (date.fromisoformat, "an ISO date (YYYY-MM-DD)"),
        "timestamp": (_timestamp, "an ISO timestamp with time zone"),
        "bool": (boolean, "true or false"),
    }


TEXT_PARSERS = _text_parsers()


def _check_header(header: Iterable[str], kind: FileKind, problems: _Problems, where: str) -> list[str]:
    names = list(header)
    duplicated = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in kind.columns if name not in names]
    unexpected = [name for name in names if name not in kind.columns]
    if duplicated:
        problems.add(where, f"duplicated columns {duplicated}")
    if missing or unexpected:
        problems.add(
            where,
            f"columns differ from earlier {kind.name} files: missing {missing}, unexpected {unexpected} "
            f"(expected {list(kind.columns)})",
        )
    return names


def _to_table(kind: FileKind, columns: dict[str, list[Any]]) -> pa.Table:
    return pa.table({name: pa.array(columns[name], ARROW_TYPES[kind.columns[name]]) for name in kind.columns})


def read_csv(path: Path, kind: FileKind) -> pa.Table:
    """Every line must have the header's field count and every value its column's type; empty means null."""
    problems = _Problems()
    columns: dict[str, list[Any]] = {name: [] for name in kind.columns}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise FileRejected(["line 1: the file is empty (no header)"])
            names = _check_header(header, kind, problems, "line 1")
            problems.raise_if_any()
            for row in reader:
                where = f"line {reader.line_num}"
                if len(row) != len(names):
                    problems.add(where, f"expected {len(names)} fields as in the header, found {len(row)}")
                    continue
                for name, text in zip(names, row, strict=True):
                    parse, expected = TEXT_PARSERS[kind.columns[name]]
                    if text == "":
                        columns[name].append(None)
                        continue
                    try:
                        columns[name].append(parse(text))
                    except ValueError:
                        problems.add(where, f"{name}: {text!r} is not {expected}")
    except UnicodeDecodeError as error:
        raise FileRejected([f"byte {error.start}: not UTF-8 text"]) from error
    except csv.Error as error:
        raise FileRejected([f"line {reader.line_num}: {error}"]) from error
    problems.raise_if_any()
    return _to_table(kind, columns)


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}{NESTED_SEPARATOR}"))
        else:
            flat[name] = value
    return flat


def _json_value(value: Any, column_type: ColumnType) -> Any:
    """`value` as `column_type`, or ValueError; JSON booleans are never numbers."""
    if value is None:
        return None
    if column_type == "string" and isinstance(value, str):
        return value
    if column_type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if column_type == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if column_type == "bool" and isinstance(value, bool):
        return value
    if column_type in ("date", "timestamp") and isinstance(value, str):
        return TEXT_PARSERS[column_type][0](value)
    raise ValueError


def read_json(path: Path, kind: FileKind) -> pa.Table:
    """A JSON array of objects, every object with the same (flattened) keys and typed values."""
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise FileRejected([f"byte {error.start}: not UTF-8 text"]) from error
    except json.JSONDecodeError as error:
        raise FileRejected(
            [f"line {error.lineno}, column {error.colno}: invalid JSON ({error.msg})"]
        ) from error
    if not isinstance(records, list):
        raise FileRejected([f"line 1: expected a JSON array of objects, found {type(records).__name__}"])
    problems = _Problems()
    columns: dict[str, list[Any]] = {name: [] for name in kind.columns}
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if not isinstance(record, dict):
            problems.add(where, f"expected an object, found {type(record).__name__}")
            continue
        flat = _flatten(record)
        if set(flat) != set(kind.columns):
            _check_header(flat, kind, problems, where)
            continue
        for name, column_type in kind.columns.items():
            try:
                columns[name].append(_json_value(flat[name], column_type))
            except ValueError:
                problems.add(where, f"{name}: {flat[name]!r} is not {TEXT_PARSERS[column_type][1]}")
    problems.raise_if_any()
    return _to_table(kind, columns)


def _castable(actual: pa.DataType, wanted: ColumnType) -> bool:
    if wanted == "int":
        return pa.types.is_integer(actual)
    if wanted == "float":
        return pa.types.is_integer(actual) or pa.types.is_floating(actual) or pa.types.is_decimal(actual)
    if wanted == "string":
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    if wanted == "date":
        return pa.types.is_date(actual)
    if wanted == "timestamp":
        return pa.types.is_timestamp(actual)
    return pa.types.is_boolean(actual)


def read_parquet(path: Path, kind: FileKind) -> pa.Table:
    """Parquet carries its own types: each column's must be the contract's, or safely castable to it."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise FileRejected([f"not a readable Parquet file ({error})"]) from error
    problems = _Problems()
    _check_header(table.column_names, kind, problems, "schema")
    problems.raise_if_any()
    for name, wanted in kind.columns.items():
        actual = table.schema.field(name).type
        if not _castable(actual, wanted):
            problems.add("schema", f"{name}: type {actual} is not {TEXT_PARSERS[wanted][1]}")
    problems.raise_if_any()
    try:
        return table.select(list(kind.columns)).cast(kind.arrow_schema())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise FileRejected([f"values do not fit the contract's types ({error})"]) from error


READERS: dict[str, Callable[[Path, FileKind], pa.Table]] = {
    "csv": read_csv,
    "json": read_json,
    "parquet": read_parquet,
}


def read_landing_file(path: Path, kind: FileKind) -> pa.Table:
    """The whole file as an Arrow table in the contract's column order and types, or FileRejected."""
    extension = path.suffix.lstrip(".").lower()
    if extension != kind.format:
        raise FileRejected([f"{kind.name} files must be {kind.format}, this one is .{extension}"])
    return READERS[kind.format](path, kind)
