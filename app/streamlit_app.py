"""Entry point: `streamlit run app/streamlit_app.py`; the frame (navigation, role, warehouse) of each page."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts app/ (the script's folder) on sys.path, not the project root the `app` package is in.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import access, signin  # noqa: E402
from app.connection import WarehouseError, no_snapshot_message, resolve_settings  # noqa: E402
from app.data import operations  # noqa: E402

st.set_page_config(page_title="Campus Pathways", page_icon=":material/school:", layout="wide")

# Nothing but the sign-in prompt until a person is signed in; nothing but "no access" without a role.
person = signin.current_person()
if person is None:
    st.navigation([st.Page(signin.sign_in_prompt, title="Sign in", icon=":material/login:")]).run()
    st.stop()
assert person is not None
if not person.roles:
    refused = person
    st.navigation([st.Page(lambda: signin.no_access(refused), title="No access", url_path="no-access")]).run()
    st.stop()

# Each page checks its capability itself (signin.page_guard); the menu only leaves out what would be refused.
PAGES = {
    "Find": [
        ("views/search.py", "Search", ":material/search:", access.SEARCH),
        ("views/student.py", "Student profile", ":material/person:", access.STUDENT_PROFILE),
        ("views/jobs.py", "Jobs & market", ":material/work:", access.JOBS),
    ],
    "Operations": [
        ("views/quality.py", "Data quality", ":material/verified:", access.QUALITY),
        ("views/pipeline.py", "Pipeline runs", ":material/schedule:", access.PIPELINE),
        ("views/files.py", "Files", ":material/upload_file:", access.DOWNLOAD),
        ("views/audit.py", "Access audit", ":material/policy:", access.AUDIT),
    ],
}
FILES_CAPABILITIES = (access.DOWNLOAD, access.UPLOAD_AND_LOAD)
pages = {
    section: [
        st.Page(path, title=title, icon=icon, default=path == "views/search.py")
        for path, title, icon, capability in entries
        if person.may(capability) or (path == "views/files.py" and any(map(person.may, FILES_CAPABILITIES)))
    ]
    for section, entries in PAGES.items()
}
current = st.navigation({section: listed for section, listed in pages.items() if listed})

signin.sidebar(person)
with st.sidebar:
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
if settings_ok or current.title in ("Files", "Access audit"):
    current.run()
