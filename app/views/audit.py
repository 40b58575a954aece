"""Access audit (admins): who looked at which student, downloaded, uploaded or loaded what; every refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from app import access, actions, audit, signin, ui

person = signin.page_guard("audit", access.AUDIT)
st.title("Access audit")
st.caption(
    f"Append-only, kept {audit.retention_days():,} days, stored apart from the warehouse "
    f"(`{audit.audit_path()}`). Rows name students by key only, never by a personal value."
)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def render() -> None:
    left, middle, right = st.columns(3)
    actor = left.selectbox(
        "Person", ["", *audit.actors()], format_func=lambda a: a or "Everyone", key="audit_actor"
    )
    student = middle.text_input("Student key", key="audit_student", max_chars=100).strip()
    today = datetime.now(UTC).date()
    chosen = right.date_input("Dates (UTC)", (today - timedelta(days=30), today), key="audit_dates")
    days = list(chosen) if isinstance(chosen, tuple | list) else [chosen]
    since = _day_start(days[0]) if days else None
    until = _day_start(days[-1]) + timedelta(days=1) if days else None
    rows = audit.events(actor=actor or None, student_key=student or None, since=since, until=until)
    st.write(f"**{len(rows):,}** events")
    st.dataframe(rows, hide_index=True, width="stretch")
    if not rows.empty and st.button("Prepare CSV export", key="audit_prepare"):
        st.session_state["audit_export"] = actions.export_audit(person, rows)
    if "audit_export" in st.session_state:
        st.download_button(
            "Download the export",
            st.session_state["audit_export"],
            "access_audit.csv",
            "text/csv",
            key="audit_csv",
        )


ui.guarded(render)
