"""Files: drop a CSV, JSON or Parquet file into the landing folder, load it, and download any mart."""

from __future__ import annotations

import io
from contextlib import nullcontext

import pandas as pd
import streamlit as st

from app import connection, landing, privacy, ui
from app.data import warehouse
from ingestion.destination import warehouse_path

st.title("Files")


@st.cache_resource
def _jobs() -> landing.LoadJobs:
    return landing.LoadJobs()


def _upload() -> None:
    st.subheader("Drop a file")
    st.caption(
        f"Landing folder: `{landing.landing_dir()}`. Names must say what the file is: "
        + ", ".join(f"`{name}`" for name in landing.expected_names())
    )
    uploaded = st.file_uploader(
        "CSV, JSON or Parquet",
        type=["csv", "json", "parquet"],
        key="files_upload",
        accept_multiple_files=False,
    )
    if uploaded is None:
        return
    accepted = st.session_state.setdefault("files_accepted", {})
    if uploaded.file_id in accepted:
        st.success(accepted[uploaded.file_id])
        return
    try:
        path, rows = landing.accept_upload(uploaded.name, uploaded.getvalue())
    except landing.UploadRejected as error:
        st.error(f"{uploaded.name} was not accepted: nothing was written to the landing folder.")
        st.code("\n".join(error.problems), language=None)
        return
    message = f"{path.name} passed its checks ({rows:,} rows) and waits in the landing folder."
    accepted[uploaded.file_id] = message
    st.success(message)


@st.fragment(run_every=1.0)
def _job_progress() -> None:
    job_id = st.session_state.get("files_job")
    job = _jobs().jobs.get(job_id) if job_id else None
    if job is None:
        return
    label = {
        "starting": "Starting the load",
        "waiting": "Waiting for the warehouse",
        "loading": "Loading files",
        "succeeded": "Load finished",
        "failed": "Load failed",
    }[job.status]
    if job.done:
        if job.status == "succeeded":
            st.success(f"{label} in {job.elapsed:.1f} s. New rows reach the marts with the next dbt build.")
        else:
            st.error(f"{label} after {job.elapsed:.1f} s (exit code {job.returncode}). The output says why.")
        if not st.session_state.get(f"files_job_{job.id}_cleared"):
            warehouse.clear_cache()
            st.session_state[f"files_job_{job.id}_cleared"] = True
    else:
        st.progress(min(0.95, job.elapsed / 60), text=f"{label} · {job.elapsed:.0f} s")
    if job.output:
        st.code("\n".join(list(job.output)[-15:]), language=None)


def _load() -> None:
    st.subheader("Load the landing folder")
    running = _jobs().running()
    if st.button("Start the files load", disabled=running is not None, key="files_start"):
        settings = connection.resolve_settings()
        # The load writes the pipeline's working warehouse, which the app never opens: nothing to wait for.
        job = _jobs().start(nullcontext, landing.load_environment(settings.kind, str(warehouse_path())))
        st.session_state["files_job"] = job.id
    elif running is not None and "files_job" not in st.session_state:
        st.session_state["files_job"] = running.id
    _job_progress()


def _to_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    if kind == "CSV":
        return frame.to_csv(index=False).encode("utf-8")
    if kind == "JSON":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _download() -> None:
    st.subheader("Download a mart")
    marts = warehouse.reader_relations()
    if ui.empty_note(marts, "No marts are built yet: run `make run`."):
        return
    names = [f"{row.schema_name}.{row.relation_name}" for row in marts.itertuples()]
    left, right = st.columns([3, 1])
    chosen = left.selectbox("Mart", names, key="files_mart")
    kind = right.radio("Format", ["CSV", "JSON", "Parquet"], horizontal=True, key="files_format")
    schema, table = chosen.split(".", 1)
    frame = privacy.mask_frame(warehouse.relation_rows(schema, table))
    st.caption(f"{len(frame):,} rows" + ("" if privacy.can_see_pii() else " · personal fields masked"))
    st.download_button(
        f"Download {chosen} as {kind}",
        data=_to_bytes(frame, kind),
        file_name=f"{table}.{kind.lower()}",
        mime={"CSV": "text/csv", "JSON": "application/json", "Parquet": "application/octet-stream"}[kind],
        key="files_download",
    )


for section in (_upload, _load, _download):
    ui.guarded(section)
