"""What every page shares: the page frame that turns failures into messages, and small display helpers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pandas as pd
import streamlit as st

from app.access import AccessDenied
from app.audit import AuditUnavailable
from app.connection import WarehouseBusy, WarehouseError
from app.data.errors import BadInput

log = logging.getLogger("app")

# Paths relative to the entry script, as `st.navigation` registers them (used by links between pages).
SEARCH_PAGE = "views/search.py"
STUDENT_PAGE = "views/student.py"
JOB_PAGE = "views/jobs.py"


def guarded(render: Callable[[], None]) -> None:
    """Run a page body; bad input and warehouse trouble become messages, anything else a reference id."""
    try:
        render()
    except BadInput as error:
        st.warning(str(error))
    except (AccessDenied, AuditUnavailable) as error:
        st.error(str(error))
    except WarehouseBusy as error:
        st.info(str(error))
    except WarehouseError as error:
        st.error(str(error))
    except Exception:
        reference = uuid.uuid4().hex[:8]
        # The trace goes to the server log only: it can hold student data.
        log.exception("page failed (reference %s)", reference)
        st.error(
            f"This page could not be shown (reference {reference}). The details are in the app's log; "
            "please pass the reference to the data team."
        )


def split_list(value: object) -> list[str]:
    """A delimited skill list from dbt (`a; b`) or a native list, as a list of names."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item is not None and str(item).strip()]
    if hasattr(value, "tolist"):
        return split_list(value.tolist())
    text = str(value)
    for separator in (";", "|", ","):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text.strip()] if text.strip() else []


def skills_text(value: object) -> str:
    return ", ".join(split_list(value)) or "—"


def empty_note(frame: pd.DataFrame, message: str) -> bool:
    """Show `message` when `frame` is empty; True when it was."""
    if frame.empty:
        st.caption(message)
        return True
    return False
