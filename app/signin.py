"""Sign-in in the app: the signed-in person from `st.user`, the prompt and "no access" pages, and page guards.

Streamlit (Authlib) verifies the ID token; this module decides what a verified person may see (app/access.py)
and records refusals in the audit (app/actions.py). Decision 011.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from app import access, actions, audit


def _claims() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict()) if st.user.is_logged_in else {}
    except Exception:  # no [auth] configured, or a user object without claims: nobody is signed in
        return {}


def session_expired(claims: dict[str, Any], config: access.AccessConfig) -> bool:
    """True when the sign-in is older than the configured session length, or its age cannot be told."""
    issued = claims.get("iat")
    if not isinstance(issued, int | float):
        return True
    return time.time() - float(issued) > config.session_hours * 3600


def current_person() -> access.Person | None:
    """The signed-in person, or None (signed out, expired, or claims without a subject)."""
    claims = _claims()
    if not claims:
        return None
    config = access.load_config()
    if session_expired(claims, config):
        return None
    return access.person_from_claims(claims, config)


def sign_in_prompt() -> None:
    """All a signed-out visitor sees."""
    st.title("Campus Pathways")
    expired = bool(_claims())
    if expired:
        st.info("Your sign-in has expired. Please sign in again.")
    else:
        st.info("Campus Pathways holds students' education records. Sign in with your university account.")
    if st.button("Sign in", type="primary", key="signin_button"):
        st.login()  # a new sign-in replaces an expired one


def no_access(person: access.Person) -> None:
    """What a signed-in person with no role sees; recorded once per session as a refusal."""
    if not st.session_state.get("no_access_audited"):
        actions.refuse(person, "a role", "app_open", "app")
        st.session_state["no_access_audited"] = True
    config = access.load_config()
    st.title("No access")
    st.warning(
        f"You are signed in as {person.actor}, but your account has no Campus Pathways role. "
        "Ask the data team to add you to one of the groups the app maps to a role."
    )
    if config.problem:
        st.error("The app's access configuration cannot be read right now, so nobody has a role.")
    if st.button("Sign out", key="signout_button"):
        st.logout()


def sidebar(person: access.Person) -> None:
    with st.sidebar:
        roles = ", ".join(sorted(person.roles)).replace("_", " ")
        st.caption(
            f"Signed in as **{person.actor}** ({roles}) — personal fields "
            + ("shown" if person.sees_personal_fields else "masked")
        )
        if st.button("Sign out", key="signout_button"):
            st.logout()


def page_guard(page: str, *capabilities: str) -> access.Person:
    """The signed-in person if they have one of the page's capabilities; otherwise the refusal is audited and
    the page stops."""
    person = current_person()
    if person is None:
        sign_in_prompt()
        st.stop()
    assert person is not None
    if not any(person.may(capability) for capability in capabilities):
        try:
            st.error(str(actions.refuse(person, " or ".join(capabilities), "page_open", page)))
        except audit.AuditUnavailable as error:
            st.error(str(error))
        st.stop()
    return person
