"""Data quality: can today's data be trusted? Scores over runs, failing tests, quarantine, freshness."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import plotly.express as px
import streamlit as st

from app import access, privacy, signin, ui
from app.data import operations

person = signin.page_guard("quality", access.QUALITY)
st.title("Data quality")


def _scores() -> None:
    st.subheader("Quality scores by source and table")
    current = operations.table_quality_scores()
    if ui.empty_note(current, "No quality scores yet: run `make run`."):
        return
    history = operations.load_quality_scores()
    if not history.empty:
        history = history.assign(table=history["source_name"] + "." + history["table_name"])
        figure = px.line(
            history,
            x="loaded_at",
            y="quality_score",
            color="table",
            markers=True,
            labels={"loaded_at": "Load", "quality_score": "Quality score (0-100)", "table": "Table"},
        )
        figure.update_layout(height=360, margin={"t": 10, "b": 10}, yaxis={"range": [0, 101]})
        st.plotly_chart(figure, width="stretch")
    st.dataframe(current, hide_index=True, width="stretch")


def _failing_tests() -> None:
    st.subheader("Failing tests")
    failing = operations.failing_tests()
    if failing.empty:
        st.success("Every test of the latest dbt build passed.")
        return
    st.dataframe(
        failing.drop(columns=["failures_schema", "failures_relation"]), hide_index=True, width="stretch"
    )
    chosen = st.selectbox("Sample rows of", list(failing["node_name"]), key="quality_test")
    stored = failing[failing["node_name"] == chosen].iloc[0]
    sample = operations.test_failure_sample(stored["failures_schema"], stored["failures_relation"])
    if sample is None:
        st.caption("dbt stored no failing rows for this test.")
    else:
        st.dataframe(privacy.mask_frame(sample, person), hide_index=True, width="stretch")


def _quarantine() -> None:
    st.subheader("Quarantine by reason")
    quarantined = operations.quarantine_by_reason()
    if ui.empty_note(quarantined, "Nothing is quarantined."):
        return
    figure = px.bar(
        quarantined,
        x="records",
        y="quarantine_reason",
        color="table_name",
        orientation="h",
        labels={"records": "Records", "quarantine_reason": "", "table_name": "Table"},
    )
    figure.update_layout(height=260, margin={"t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch")
    st.dataframe(quarantined, hide_index=True, width="stretch")


def _freshness() -> None:
    st.subheader("Freshness per source")
    fresh = operations.source_status()
    if ui.empty_note(fresh, "No loads recorded yet."):
        return
    now = datetime.now(UTC)
    last = pd.to_datetime(fresh["last_success_at"], utc=True)
    fresh = fresh.assign(hours_since_success=((now - last).dt.total_seconds() / 3600).round(1))
    st.dataframe(fresh, hide_index=True, width="stretch")
    checks = operations.source_freshness()
    if checks.empty:
        st.caption("dbt has not checked the sources' freshness yet (`campus run` does after every load).")
        return
    stale = checks[checks["status"] != "pass"]
    if stale.empty:
        st.success(f"All {len(checks)} source tables passed dbt's latest freshness check.")
    else:
        st.warning(
            f"{len(stale)} of {len(checks)} source tables did not pass dbt's freshness check: "
            + ", ".join(stale["source_name"] + "." + stale["table_name"])
        )
    st.dataframe(checks, hide_index=True, width="stretch")


def _coverage() -> None:
    st.subheader("Planted-defect coverage (sandbox)")
    coverage = operations.planted_defect_coverage()
    if coverage is None:
        st.caption("The coverage model is not built in this warehouse.")
        return
    if ui.empty_note(coverage, "No planted defects listed (not a sandbox warehouse)."):
        return
    st.dataframe(coverage, hide_index=True, width="stretch")


for section in (_scores, _failing_tests, _quarantine, _freshness, _coverage):
    ui.guarded(section)
