"""Turn a view's CSV export (BOM, quoted commas, thousands separators, percent signs) into a typed Arrow
table. A view is parsed completely before any of it is handed to dlt, so a value that does not parse fails the
run with the view, row and column named, and no part of that view is loaded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema, TDataType

from ingestion.tableau.settings import SNAPSHOT_COLUMN
from ingestion.tableau.views import Column, Kind, ViewSpec

# Either plain digits or digits grouped by thousands ("1,234,567"), an optional fraction and sign.
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?$")
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
_SHOWN_VALUE_CHARS = 40
_DLT_TYPES: dict[Kind, TDataType] = {
    "text": "text",
    "bigint": "bigint",
    "decimal": "decimal",
    "double": "double",
    "month": "date",
}


class TableauDataError(ValueError):
    """A view's export does not have the shape or values its spec declares."""


class _BadValue(ValueError):
    """Raised by a converter; the caller adds view, row and column."""


def arrow_type(column: Column) -> pa.DataType:
    if column.kind == "bigint":
        return pa.int64()
    if column.kind == "decimal":
        assert column.precision is not None and column.scale is not None
        return pa.decimal128(column.precision, column.scale)
    if column.kind == "double":
        return pa.float64()
    if column.kind == "month":
        return pa.date32()
    return pa.string()


def dlt_hint(column: Column) -> TColumnSchema:
    """The dlt column hint matching `arrow_type`, so the raw table is typed even before data arrives."""
    hint: TColumnSchema = {"name": column.name, "data_type": _DLT_TYPES[column.kind], "nullable": True}
    if column.kind == "decimal":
        hint["precision"], hint["scale"] = column.precision, column.scale
    if column.description:
        hint["description"] = column.description
    return hint


def _number_parts(text: str, column: Column) -> tuple[str, str, str]:
    if column.percent and text.endswith("%"):
        text = text[:-1].rstrip()
    match = _NUMBER.match(text)
    if not match:
        raise _BadValue("a number")
    return match["sign"], match["whole"].replace(",", ""), match["fraction"] or ""


def _to_bigint(text: str, column: Column) -> int:
    sign, whole, fraction = _number_parts(text, column)
    if fraction:
        raise _BadValue("a whole number")
    return int(sign + whole)


def _to_double(text: str, column: Column) -> float:
    sign, whole, fraction = _number_parts(text, column)
    return float(f"{sign}{whole}.{fraction or '0'}")


def _to_decimal(text: str, column: Column) -> Decimal:
    assert column.precision is not None and column.scale is not None
    sign, whole, fraction = _number_parts(text, column)
    whole_digits = len(whole.lstrip("0"))
    if len(fraction) > column.scale or whole_digits > column.precision - column.scale:
        raise _BadValue(f"a number that fits decimal({column.precision},{column.scale})")
    return Decimal(f"{sign}{whole}.{fraction or '0'}")


def _to_month(text: str, column: Column) -> date:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match["month"]) <= 12:
        raise _BadValue("a month written YYYY-MM")
    return date(int(match["year"]), int(match["month"]), 1)


def _to_text(text: str, column: Column) -> str:
    return text


_CONVERTERS: dict[str, Callable[[str, Column], Any]] = {
    "text": _to_text,
    "bigint": _to_bigint,
    "decimal": _to_decimal,
    "double": _to_double,
    "month": _to_month,
}


def _decode(view: str, payload: bytes) -> str:
    try:
        # utf-8-sig drops the byte-order mark Tableau writes at the start of every export.
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableauDataError(
            f"tableau view {view!r}: the export is not UTF-8 text (byte {exc.start}); "
            "check that the server returned the view's CSV"
        ) from exc


def _columns_of(spec: ViewSpec, header: Sequence[str]) -> list[Column]:
    columns = [spec.column_for(h) for h in header]
    names = [c.name for c in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise TableauDataError(f"tableau view {spec.name!r}: columns {duplicates} appear more than once")
    if SNAPSHOT_COLUMN in names:
        raise TableauDataError(
            f"tableau view {spec.name!r}: exports a column named {SNAPSHOT_COLUMN!r}, which this source adds"
        )
    missing = [c.header for c in spec.columns if c not in columns]
    if missing:
        raise TableauDataError(
            f"tableau view {spec.name!r}: the export lacks columns {missing} (it has {list(header)}); "
            "the view was changed in Tableau: restore the columns or update ingestion/tableau/views.py"
        )
    return columns


def parse_view_csv(spec: ViewSpec, payload: bytes, snapshot_date: date) -> pa.Table:
    """All rows of one view export, typed per `spec`, each stamped with `snapshot_date`.

    Empty fields become nulls; any other value that does not parse raises `TableauDataError` naming the view,
    the data row (1 = first row after the header), the CSV line and the column.
    """
    reader = csv.reader(io.StringIO(_decode(spec.name, payload), newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise TableauDataError(f"tableau view {spec.name!r}: the export is empty (not even a header)")
        columns = _columns_of(spec, header)
        converters = [_CONVERTERS[c.kind] for c in columns]
        values: list[list[Any]] = [[] for _ in columns]
        for row_number, row in enumerate(reader, start=1):
            if len(row) != len(columns):
                raise TableauDataError(
                    f"tableau view {spec.name!r}: row {row_number} (CSV line {reader.line_num}) has "
                    f"{len(row)} fields, the header has {len(columns)}"
                )
            for index, (raw, column, convert) in enumerate(zip(row, columns, converters, strict=True)):
                text = raw.strip()
                if not text:
                    values[index].append(None)
                    continue
                try:
                    values[index].append(convert(text, column))
                except _BadValue as exc:
                    shown = text if len(text) <= _SHOWN_VALUE_CHARS else text[:_SHOWN_VALUE_CHARS] + "..."
                    raise TableauDataError(
                        f"tableau view {spec.name!r}: row {row_number} (CSV line {reader.line_num}), column "
                        f"{column.header!r}: {shown!r} is not {exc}; nothing of this view was loaded. Fix "
                        "the view's number format in Tableau or the column type in ingestion/tableau/views.py"
                    ) from None
    except csv.Error as exc:
        raise TableauDataError(
            f"tableau view {spec.name!r}: the export is not valid CSV near line {reader.line_num}: {exc}"
        ) from exc
    rows = len(values[0]) if values else 0
    arrays = [pa.array(v, type=arrow_type(c)) for v, c in zip(values, columns, strict=True)]
    arrays.append(pa.array([snapshot_date] * rows, type=pa.date32()))
    fields = [pa.field(c.name, arrow_type(c)) for c in columns]
    fields.append(pa.field(SNAPSHOT_COLUMN, pa.date32(), nullable=False))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
