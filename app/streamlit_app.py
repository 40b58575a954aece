"""Entry point: `streamlit run app/streamlit_app.py`; the frame (navigation, role, warehouse) of each page."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts app/ (the script's folder) on sys.path, not the project root the `app` package is in.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import privacy  # noqa: E402
from app.connection import WarehouseError, no_snapshot_message, resolve_settings  # noqa: E402
from app.data import operations  # noqa: E402

st.set_page_config(page_title="Campus Pathways", page_icon=":material/school:", layout="wide")

pages = {
    "Find": [
        st.Page("views/search.py", title="Search", icon=":material/search:", default=True),
        st.Page("views/student.py", title="Student profile", icon=":material/person:"),
        st.Page("views/jobs.py", title="Jobs & market", icon=":material/work:"),
    ],
    "Operations": [
        st.Page("views/quality.py", title="Data quality", icon=":material/verified:"),
        st.Page("views/pipeline.py", title="Pipeline runs", icon=":material/schedule:"),
        st.Page("views/files.py", title="Files", icon=":material/upload_file:"),
    ],
}
current = st.navigation(pages)

with st.sidebar:
    role = privacy.current_role()
    st.caption(f"Role: **{role}** — personal fields " + ("shown" if privacy.can_see_pii(role) else "masked"))
    try:
        settings = resolve_settings()
        where = Path(settings.path).name if settings.kind == "duckdb" else "Snowflake"
        st.caption(f"Warehouse: {settings.kind} ({where})")
        as_of = operations.data_as_of() if settings.kind == "duckdb" else None
        if as_of:
            st.caption(f"Data as of run `{as_of[0][:12]}`, published {as_of[1][:16]} UTC")
    except WarehouseError as error:
        st.caption(str(error))

# Said once, up front; Files still opens (dropping a file needs no warehouse).
settings_ok = True
try:
    settings = resolve_settings()
    if settings.kind == "duckdb" and not Path(settings.path).is_file():
        st.error(no_snapshot_message(settings.path))
        settings_ok = False
except WarehouseError as error:
    st.error(str(error))
    settings_ok = False
if settings_ok or current.title == "Files":
    current.run()
