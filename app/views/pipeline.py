"""Pipeline runs: each run's outcome, what each load brought per source and table, and how long dbt's models
and tests took."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from app import access, signin, ui
from app.data import operations

signin.page_guard("pipeline", access.PIPELINE)
st.title("Pipeline runs")


def _runs() -> None:
    st.subheader("Runs")
    runs = operations.pipeline_runs()
    # A run records itself after its build, and the build makes the view: the first run shows from the second.
    if ui.empty_note(runs, "No pipeline run recorded yet: runs appear from the second `make run` on."):
        return
    latest = runs.iloc[0]
    first, second, third = st.columns(3)
    started = f"started {latest['started_at']:%Y-%m-%d %H:%M} UTC"
    first.metric("Latest run", str(latest["run_status"]), help=started)
    second.metric("Its wall time", f"{float(latest['duration_seconds']):.0f} s")
    third.metric("Its tests warned / failed", f"{latest['tests_warned']} / {latest['tests_failed']}")
    st.dataframe(runs, hide_index=True, width="stretch")


def _loads() -> None:
    history = operations.source_loads()
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
    timings = operations.dbt_durations()
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


ui.guarded(_runs)
st.subheader("Loads per source and table")
ui.guarded(_loads)
ui.guarded(_dbt)
