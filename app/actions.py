"""What a person may do beyond looking: download a mart, drop a file, start a load, export the audit.

Each action checks the person's capability itself and writes its audit row before it acts, so the page's
buttons are never the only guard (decision 011). Refusals raise `AccessDenied` after their own audit row.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd

from app import access, audit, landing, privacy
from app.data import warehouse

FORMATS = {"CSV": "text/csv", "JSON": "application/json", "Parquet": "application/octet-stream"}


def _event(
    person: access.Person,
    action: str,
    *,
    outcome: str = audit.ALLOWED,
    student_key: str | None = None,
    target: str | None = None,
    detail: dict[str, object] | None = None,
) -> audit.Event:
    return audit.Event(person.actor, sorted(person.roles), action, outcome, student_key, target, detail)


def refuse(person: access.Person, capability: str, action: str, target: str) -> access.AccessDenied:
    """Record the refusal and return the error to raise (or show): the audit row comes first."""
    audit.record([_event(person, action, outcome=audit.DENIED, target=target, detail={"needs": capability})])
    return access.AccessDenied(f"Your role does not allow this ({capability.replace('_', ' ')}).")


def _check(person: access.Person, capability: str, action: str, target: str) -> None:
    if not person.may(capability):
        raise refuse(person, capability, action, target)


def _to_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    if kind == "CSV":
        return frame.to_csv(index=False).encode("utf-8")
    if kind == "JSON":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def prepare_download(person: access.Person, schema: str, table: str, kind: str) -> tuple[bytes, int]:
    """The mart's rows as a file, masked for the person; audited as the moment the data leaves the server."""
    target = f"{schema}.{table}"
    _check(person, access.DOWNLOAD, "download", target)
    if kind not in FORMATS:
        raise ValueError(f"unknown download format {kind!r}")
    frame = privacy.mask_frame(warehouse.relation_rows(schema, table), person)
    detail = {"rows": len(frame), "format": kind, "personal_fields": privacy.shown_or_masked(person)}
    audit.record([_event(person, "download", target=target, detail=detail)])
    return _to_bytes(frame, kind), len(frame)


def accept_upload(person: access.Person, name: str, content: bytes) -> tuple[Path, int]:
    """Check and store a landing file; accepted or rejected, the attempt is an audit row."""
    _check(person, access.UPLOAD_AND_LOAD, "upload", name)
    try:
        path, rows = landing.accept_upload(name, content)
    except landing.UploadRejected as error:
        detail: dict[str, object] = {
            "bytes": len(content),
            "problems": len(error.problems),
            "accepted": False,
        }
        audit.record([_event(person, "upload", target=name, detail=detail)])
        raise
    audit.record([_event(person, "upload", target=path.name, detail={"bytes": len(content), "rows": rows})])
    return path, rows


def start_load(
    person: access.Person,
    jobs: landing.LoadJobs,
    writer: Callable[[], AbstractContextManager[None]],
    env: dict[str, str],
) -> landing.LoadJob:
    """Start the files load into the pipeline's working warehouse."""
    _check(person, access.UPLOAD_AND_LOAD, "load_start", "files")
    audit.record([_event(person, "load_start", target="files")])
    return jobs.start(writer, env)


def export_audit(person: access.Person, rows: pd.DataFrame) -> bytes:
    """The filtered audit rows as CSV (the audit holds no personal values; exporting it is audited too)."""
    _check(person, access.AUDIT, "audit_export", "access_events")
    audit.record([_event(person, "audit_export", target="access_events", detail={"rows": len(rows)})])
    return rows.to_csv(index=False).encode("utf-8")


def record_student_views(
    person: access.Person, action: str, student_keys: list[str], target: str | None = None
) -> None:
    """One audit row per student whose record the page is about to show (a profile, a list of students)."""
    audit.record(
        audit.student_views(
            person.actor,
            sorted(person.roles),
            action,
            student_keys,
            target,
            privacy.shown_or_masked(person),
        )
    )
