"""Pipeline runs: what each load brought per source and table, and how long dbt's models and tests took."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from app import queries, ui

st.title("Pipeline runs")


def _loads() -> None:
    history = queries.load_history()
    if ui.empty_note(history, "No loads recorded yet: run `make run`."):
        return
    sources = sorted(history["source_name"].dropna().unique())
    chosen = st.multiselect("Sources", sources, default=sources, key="pipeline_sources")
    shown = history[history["source_name"].isin(chosen)]
    failed = shown[shown["load_status"] != "success"]
    runs = shown["run_id"].nunique()
    first, second, third = st.columns(3)
    first.metric("Runs", runs)
    second.metric("Rows loaded", f"{int(shown['rows_loaded'].fillna(0).sum()):,}")
    third.metric("Failed source loads", len(failed))
    if not failed.empty:
        st.error("Failed loads")
        st.dataframe(failed[["started_at", "source_name", "error_message"]], hide_index=True, width="stretch")
    figure = px.bar(
        shown,
        x="started_at",
        y="rows_loaded",
        color="source_name",
        hover_data=["table_name", "load_status", "duration_seconds"],
        labels={"started_at": "Run started", "rows_loaded": "Rows loaded", "source_name": "Source"},
    )
    figure.update_layout(height=300, margin={"t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch")
    st.dataframe(shown, hide_index=True, width="stretch")


def _dbt() -> None:
    st.subheader("dbt run durations")
    timings = queries.dbt_durations()
    if timings is None:
        st.caption("dbt run results are not in the warehouse yet (quality.dbt_test_results).")
        return
    if ui.empty_note(timings, "No dbt results recorded yet."):
        return
    figure = px.bar(
        timings.head(30),
        x="execution_seconds",
        y="node_name",
        color="resource_type" if "resource_type" in timings.columns else None,
        orientation="h",
        labels={"execution_seconds": "Seconds", "node_name": ""},
    )
    figure.update_layout(height=500, margin={"t": 10, "b": 10}, yaxis={"autorange": "reversed"})
    st.plotly_chart(figure, width="stretch")
    st.dataframe(timings, hide_index=True, width="stretch")


st.subheader("Loads per source and table")
ui.guarded(_loads)
ui.guarded(_dbt)
