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
from app.data.records import split_list

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


def skills_text(value: object) -> str:
    return ", ".join(split_list(value)) or "—"


def empty_note(frame: pd.DataFrame, message: str) -> bool:
    """Show `message` when `frame` is empty; True when it was."""
    if frame.empty:
        st.caption(message)
        return True
    return False
