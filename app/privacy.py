"""Masking personal fields in every frame a page shows, unless the signed-in person's role may see them.

Who may see them is the role matrix in app/access.py (decision 011). Which columns are personal: every column
tagged `meta: {pii: true}` in dbt (read from the manifest at `CAMPUS_DBT_MANIFEST`, default
`dbt_project/target/manifest.json`, when it exists) **plus** the fallback list below, always. The union is
deliberate: a column someone forgot to tag in dbt stays masked, and a new tag in dbt is honoured without
touching the app. Masking is by column name, in any frame, and always after the cache (caches hold unmasked
rows shared by every session; a masked copy is never cached).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from app.access import Person

DEFAULT_MANIFEST = Path(__file__).resolve().parents[1] / "dbt_project" / "target" / "manifest.json"
MASK = "•••"

# The personal fields of decision 003's student tables, whatever dbt tags.
FALLBACK_PII_COLUMNS = frozenset(
    {
        "first_name",
        "last_name",
        "full_name",
        "student_name",
        "preferred_name",
        "email",
        "sis_email",
        "workday_email",
        "phone",
        "date_of_birth",
        "birth_date",
        "tuition_balance",
        "address",
        "street",
        "postal_code",
    }
)


def can_see_pii(person: Person | None) -> bool:
    return person is not None and person.sees_personal_fields


def shown_or_masked(person: Person | None) -> str:
    return "shown" if can_see_pii(person) else "masked"


def manifest_path() -> Path:
    return Path(os.environ.get("CAMPUS_DBT_MANIFEST") or DEFAULT_MANIFEST)


def _is_tagged(column: dict[str, Any]) -> bool:
    # dbt keeps column meta in `meta` and, since 1.10, also under `config.meta`.
    metas = [column.get("meta") or {}, (column.get("config") or {}).get("meta") or {}]
    return any(bool(meta.get("pii")) for meta in metas)


@lru_cache(maxsize=4)
def _tagged_columns(path: str, mtime: float) -> frozenset[str]:
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    names: set[str] = set()
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "snapshot", "seed"):
            continue
        for name, column in (node.get("columns") or {}).items():
            if _is_tagged(column):
                names.add(name.lower())
    return frozenset(names)


def dbt_tagged_columns() -> frozenset[str]:
    """Column names tagged `meta.pii` in the dbt manifest (empty when there is none)."""
    path = manifest_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return frozenset()
    return _tagged_columns(str(path), mtime)


def pii_columns() -> frozenset[str]:
    return FALLBACK_PII_COLUMNS | dbt_tagged_columns()


def mask_value(value: Any) -> Any:
    """Text keeps its first character (enough to tell two rows apart); anything else is hidden."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    if isinstance(value, str):
        return f"{value[:1]}{MASK}" if value else value
    return MASK


def mask_frame(frame: pd.DataFrame, person: Person | None, extra: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of `frame` with its personal columns masked unless the person may see them."""
    if can_see_pii(person):
        return frame
    personal = pii_columns() | {name.lower() for name in extra}
    hidden = [column for column in frame.columns if str(column).lower() in personal]
    if not hidden:
        return frame
    masked = frame.copy()
    for column in hidden:
        masked[column] = masked[column].astype(object).map(mask_value)
    return masked


def mask_record(
    record: Mapping[str, Any], person: Person | None, personal: frozenset[str] | None = None
) -> Mapping[str, Any]:
    """`mask_frame` for one row as a mapping (the API's records): the same columns, the same masks.
    `personal` lets a caller masking many rows look the column list up once."""
    if can_see_pii(person):
        return record
    personal = pii_columns() if personal is None else personal
    return {key: mask_value(value) if key.lower() in personal else value for key, value in record.items()}


def mask_text(text: str | None, person: Person | None) -> str | None:
    """One personal value (a name in a heading) masked unless the person may see it."""
    if text is None or can_see_pii(person):
        return text
    return " ".join(mask_value(part) for part in str(text).split())
