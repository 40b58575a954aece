"""Files: drop a CSV, JSON or Parquet file into the landing folder, load it, and download any mart.

Which parts show depends on the person's role; each action re-checks it in app/actions.py."""

from __future__ import annotations

from contextlib import nullcontext

import streamlit as st

from app import access, actions, connection, landing, privacy, signin, ui
from app.data import warehouse
from ingestion.destination import warehouse_path

# The menu lists Files for either capability; the page itself needs one of them.
person = signin.page_guard("files", access.DOWNLOAD, access.UPLOAD_AND_LOAD)
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
        path, rows = actions.accept_upload(person, uploaded.name, uploaded.getvalue())
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
        environment = landing.load_environment(settings.kind, str(warehouse_path()))
        job = actions.start_load(person, _jobs(), nullcontext, environment)
        st.session_state["files_job"] = job.id
    elif running is not None and "files_job" not in st.session_state:
        st.session_state["files_job"] = running.id
    _job_progress()


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
    st.caption("Personal fields " + privacy.shown_or_masked(person) + " in downloads for your role.")
    # The rows leave the server when the file is prepared, so that is when the download is recorded.
    if st.button(f"Prepare {chosen} as {kind}", key="files_prepare"):
        data, rows = actions.prepare_download(person, schema, table, kind)
        st.session_state["files_prepared"] = (chosen, kind, data, rows)
    prepared = st.session_state.get("files_prepared")
    if prepared and prepared[:2] == (chosen, kind):
        st.download_button(
            f"Download {chosen} as {kind} ({prepared[3]:,} rows)",
            data=prepared[2],
            file_name=f"{table}.{kind.lower()}",
            mime=actions.FORMATS[kind],
            key="files_download",
        )


sections = [_download] if person.may(access.DOWNLOAD) else []
if person.may(access.UPLOAD_AND_LOAD):
    sections = [_upload, _load, *sections]
for section in sections:
    ui.guarded(section)
