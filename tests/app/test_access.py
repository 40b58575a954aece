"""Who sees what (the role matrix of app/access.py), refusals on the server side, the access audit's rows."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import access, actions, audit, landing
from tests.app.conftest import APP, NO_ROLE, group_of, open_page, signed_in
from tests.app.test_pages import a_recommended_student, frames, messages, page_text
from tests.warehouse import BuiltWarehouse

# Each page, its title and the capability that opens it (Files opens for either of two).
PAGES = {
    "views/search.py": ("Search", {access.SEARCH}),
    "views/student.py": ("Student profile", {access.STUDENT_PROFILE}),
    "views/jobs.py": ("Jobs & market", {access.JOBS}),
    "views/quality.py": ("Data quality", {access.QUALITY}),
    "views/pipeline.py": ("Pipeline runs", {access.PIPELINE}),
    "views/files.py": ("Files", {access.DOWNLOAD, access.UPLOAD_AND_LOAD}),
    "views/audit.py": ("Access audit", {access.AUDIT}),
}


def titles(at: object) -> list[str]:
    return [str(title.value) for title in at.title]  # type: ignore[attr-defined]


def person(role: str, subject: str | None = None) -> access.Person:
    found = access.person_from_claims(signed_in(role, subject))
    assert found is not None
    return found


def audit_rows(**where: str) -> list[dict[str, object]]:
    rows = audit.events().to_dict("records")
    return [row for row in rows if all(row[key] == value for key, value in where.items())]


@pytest.mark.parametrize("role", [*access.ROLES, NO_ROLE])
def test_each_role_opens_exactly_the_pages_its_capabilities_allow(app_env: BuiltWarehouse, role: str) -> None:
    capabilities = access.ROLE_CAPABILITIES.get(role, frozenset())
    for page, (title, needs) in PAGES.items():
        at = open_or_refuse(page, role)
        assert not at.exception, (role, page, at.exception)
        if needs & capabilities:
            assert title in titles(at), (role, page, titles(at), messages(at))
            assert "does not allow" not in messages(at), (role, page)
        else:
            assert title not in titles(at), (role, page, "opened a page the role may not see")
            assert "does not allow" in messages(at), (role, page)
    # The same refusals, seen from the audit: one row per page the role may not open.
    refused = [row["target"] for row in audit_rows(action="page_open", outcome="denied")]
    assert sorted(refused) == sorted(
        Path(p).stem for p, (_, needs) in PAGES.items() if not needs & capabilities
    )
    if role == NO_ROLE:  # and the app itself offers nothing but "no access", once a refusal per session
        before = len(audit_rows(action="app_open", outcome="denied"))
        at = open_app(signed_in(role))
        assert titles(at) == ["No access"]
        at.run()
        assert len(audit_rows(action="app_open", outcome="denied")) == before + 1


def open_app(user: dict[str, object], **query: str) -> AppTest:
    """The app's entry page for a visitor whose `st.user` holds `user`."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = user
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def open_or_refuse(page: str, role: str) -> AppTest:
    """The page as the menu offers it; a page left out of the menu is run directly, as a crafted request would
    reach it if the menu were wrong, so the page's own guard is what is tested."""
    try:
        return open_page(page, role)
    except ValueError as error:
        assert "Could not find a navigation page" in str(error)
        at = AppTest.from_file(str(APP.parent / page), default_timeout=60)
        at.user = signed_in(role)
        return at.run()


@pytest.mark.parametrize(
    ("role", "sees_clear"),
    [("adviser", True), ("registrar", True), ("career_services", False), ("admin", False)],
)
def test_personal_fields_on_a_profile_follow_the_role(
    app_env: BuiltWarehouse, role: str, sees_clear: bool
) -> None:
    key, first, last = a_recommended_student(app_env)
    ((email,),) = app_env.query("select email from marts.dim_student where student_key = ?", [key])
    assert email, "pick a student with an e-mail on record"
    at = open_page("views/student.py", role, student=key)
    text = page_text(at) + "\n".join(f.to_csv() for f in frames(at))
    assert (f"{first} {last}" in text) is sees_clear
    assert (last in text) is sees_clear
    assert (email in text) is sees_clear
    if not sees_clear:
        assert first not in text and f"{last[0]}•••" in text


@pytest.mark.parametrize("role", ["leadership", "career_services"])
def test_search_results_link_students_only_for_roles_that_open_profiles(
    app_env: BuiltWarehouse, role: str
) -> None:
    key, _first, last = a_recommended_student(app_env)
    at = open_page("views/search.py", role)
    at.text_input(key="search_text").input(last).run()
    assert not at.exception and not at.error, messages(at)
    assert key in list(at.dataframe[0].value["entity_id"])
    linked = [link.proto.page for link in at.get("page_link") if "student" in link.proto.page]
    assert bool(linked) is (role == "career_services"), linked


def test_files_actions_show_only_for_data_stewards_and_admins(app_env: BuiltWarehouse) -> None:
    steward = open_page("views/files.py", "data_steward")
    assert steward.file_uploader and steward.button(key="files_start"), "a data steward cannot upload or load"
    registrar = open_page("views/files.py", "registrar")
    assert not registrar.exception and "Files" in titles(registrar)
    assert not registrar.file_uploader, "the registrar is offered an upload"
    assert "files_start" not in [button.key for button in registrar.button]
    assert registrar.selectbox(key="files_mart"), "the registrar cannot download marts"


def test_an_action_the_role_does_not_allow_is_refused_and_audited(app_env: BuiltWarehouse) -> None:
    """Calling the handlers directly, as a tampered session would, not clicking a button the page hides."""
    adviser = person("adviser")
    jobs = landing.LoadJobs()
    with pytest.raises(access.AccessDenied):
        actions.start_load(adviser, jobs, lambda: None, {})  # type: ignore[arg-type,return-value]
    assert not jobs.jobs, "a refused load started anyway"
    with pytest.raises(access.AccessDenied):
        actions.accept_upload(adviser, "attendance_lab_20261101.csv", b"student_id\n1\n")
    assert not list(landing.landing_dir().iterdir()), "a refused upload was written"
    with pytest.raises(access.AccessDenied):
        actions.prepare_download(person("career_services"), "marts", "dim_student", "CSV")
    with pytest.raises(access.AccessDenied):
        actions.export_audit(person("registrar"), audit.events())
    denied = audit_rows(outcome="denied")
    assert [(row["actor"], row["action"]) for row in reversed(denied)] == [
        ("test.adviser@staff.campus.example", "load_start"),
        ("test.adviser@staff.campus.example", "upload"),
        ("test.career_services@staff.campus.example", "download"),
        ("test.registrar@staff.campus.example", "audit_export"),
    ]
    assert not audit_rows(outcome="allowed")


def test_opening_a_profile_adds_one_audit_row_and_reruns_add_none(app_env: BuiltWarehouse) -> None:
    key, _first, _last = a_recommended_student(app_env)
    at = open_page("views/student.py", "adviser", student=key)
    assert not at.error, messages(at)
    at.run()  # a rerun of the same profile (any widget does this)
    rows = audit_rows(action="profile_view")
    assert [(row["student_key"], row["actor"], row["roles"]) for row in rows] == [
        (key, "test.adviser@staff.campus.example", "adviser")
    ]
    assert json.loads(str(rows[0]["detail"])) == {"personal_fields": "shown"}
    assert_no_personal_values(app_env)


def test_a_search_listing_students_adds_one_row_per_listed_student(app_env: BuiltWarehouse) -> None:
    key, _first, last = a_recommended_student(app_env)
    at = open_page("views/search.py", "career_services")
    at.text_input(key="search_text").input(last).run()
    assert not at.error, messages(at)
    shown = at.dataframe[0].value
    listed = [str(entity) for entity in shown.loc[shown["doc_type"] == "student", "entity_id"]]
    assert key in listed
    at.run()  # the same results re-rendered
    rows = audit_rows(action="search_result")
    assert sorted(str(row["student_key"]) for row in rows) == sorted(listed)
    assert len({row["request_id"] for row in rows}) == 1
    at.text_input(key="search_text").input("qqqqzzzz xxxyyy").run()  # lists no student: no row
    assert len(audit_rows(action="search_result")) == len(listed)
    assert_no_personal_values(app_env)


def test_a_download_and_an_upload_each_add_their_row(app_env: BuiltWarehouse) -> None:
    at = open_page("views/files.py", "data_steward")
    at.selectbox(key="files_mart").select("marts.dim_student").run()
    at.radio(key="files_format").set_value("CSV").run()
    at.button(key="files_prepare").click().run()
    assert not at.exception and not at.error, messages(at)
    (download,) = audit_rows(action="download")
    rows = app_env.query("select count(*) from marts.dim_student")[0][0]
    assert download["target"] == "marts.dim_student"
    assert json.loads(str(download["detail"])) == {"format": "CSV", "personal_fields": "masked", "rows": rows}

    at.file_uploader[0].upload("grades_20261101.csv", b"a,b\n1,2\n", "text/csv").run()
    (upload,) = audit_rows(action="upload")
    assert upload["target"] == "grades_20261101.csv"
    assert json.loads(str(upload["detail"]))["accepted"] is False
    assert_no_personal_values(app_env)


def test_one_persons_cached_profile_is_masked_for_the_next_person(app_env: BuiltWarehouse) -> None:
    """st.cache_data is shared by every session in the process: an adviser's view must not leak."""
    key, first, last = a_recommended_student(app_env)
    adviser = open_page("views/student.py", "adviser", student=key)
    assert f"{first} {last}" in page_text(adviser)
    careers = open_page("views/student.py", "career_services", student=key)
    text = page_text(careers) + "\n".join(f.to_csv() for f in frames(careers))
    assert last not in text and f"{last[0]}•••" in text


def test_an_expired_sign_in_and_claims_without_a_role_get_no_data(app_env: BuiltWarehouse) -> None:
    key, _first, last = a_recommended_student(app_env)
    hours = access.load_config().session_hours
    stale = signed_in("adviser", iat=int(time.time() - hours * 3600 - 60))
    at = open_app(stale, student=key)
    assert "Sign in" in [button.label for button in at.button]
    assert last not in page_text(at) and "expired" in messages(at)
    missing_claim = {name: value for name, value in signed_in("adviser").items() if name != "groups"}
    assert titles(open_app(missing_claim, student=key)) == ["No access"]
    assert titles(open_app({"is_logged_in": False})) == ["Campus Pathways"]


def test_an_unreadable_access_configuration_gives_nobody_a_role(
    app_env: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    admin = signed_in("admin")
    broken = tmp_path / "access.toml"
    broken.write_text(
        f'[access]\nrole_claim = "groups"\n[access.role_map]\n"{group_of("admin")}" = "superuser"\n'
    )
    monkeypatch.setenv("CAMPUS_ACCESS_CONFIG", str(broken))
    at = open_app(admin)
    assert titles(at) == ["No access"] and "cannot be read" in messages(at)
    monkeypatch.setenv("CAMPUS_ACCESS_CONFIG", str(tmp_path / "missing.toml"))
    assert titles(open_app(admin)) == ["No access"]


def test_the_audit_is_append_only_and_survives_a_restart(app_env: BuiltWarehouse) -> None:
    key, _first, _last = a_recommended_student(app_env)
    open_page("views/student.py", "adviser", student=key)
    path = audit.audit_path()
    with sqlite3.connect(path) as connection:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("update access_events set actor = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="retention"):
            connection.execute("delete from access_events")
    # A new process (the app after a restart) reads the same rows, with nothing of this project imported.
    script = (
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
        "\"select student_key from access_events where action = 'profile_view'\").fetchall())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str([(key,)])


def assert_no_personal_values(warehouse: BuiltWarehouse) -> None:
    """No name, e-mail, phone or birth date of any student appears in any audit field."""
    dump = "\n".join(str(value) for row in audit.events().to_dict("records") for value in row.values())
    personal = warehouse.query(
        "select first_name, last_name, email, phone, cast(date_of_birth as varchar) from marts.dim_student"
    )
    values = {str(value) for row in personal for value in row if value and len(str(value)) >= 4}
    leaked = [value for value in values if value in dump]
    assert not leaked, f"{len(leaked)} personal values in the audit"


def test_the_audit_page_filters_by_person_and_student_and_exports(app_env: BuiltWarehouse) -> None:
    key, _first, _last = a_recommended_student(app_env)
    open_page("views/student.py", "adviser", student=key)
    open_page("views/student.py", "registrar", student=key)
    at = open_page("views/audit.py", "admin")
    assert not at.exception and not at.error, messages(at)
    at.selectbox(key="audit_actor").select("test.registrar@staff.campus.example").run()
    (shown,) = [frame for frame in frames(at) if "actor" in frame.columns]
    assert list(zip(shown["actor"], shown["action"], shown["student_key"], strict=True)) == [
        ("test.registrar@staff.campus.example", "profile_view", key)
    ]
    at.selectbox(key="audit_actor").select("").run()
    at.text_input(key="audit_student").input(key).run()
    (shown,) = [frame for frame in frames(at) if "actor" in frame.columns]
    assert sorted(shown["actor"]) == [
        "test.adviser@staff.campus.example",
        "test.registrar@staff.campus.example",
    ]
    at.button(key="audit_prepare").click().run()
    assert at.get("download_button"), "no export offered"
    (export,) = audit_rows(action="audit_export")
    assert json.loads(str(export["detail"])) == {"rows": 2}
