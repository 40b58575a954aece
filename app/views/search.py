"""Search: one box over students, jobs and courses, ranked by the search engine over dbt's term index, with
filters and paging."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app import access, actions, privacy, signin, ui
from app.data import search, warehouse

person = signin.page_guard("search", access.SEARCH)
st.title("Search")
st.caption("Students, job postings and courses. Partial words work: `anal` finds *analytics*.")


def _filters() -> search.SearchFilters:
    options = warehouse.cached(warehouse.LONG_TTL)  # filter choices change only with a build
    with st.expander("Filters"):
        kinds = st.multiselect(
            "Show", list(search.DOC_TYPES), default=list(search.DOC_TYPES), key="search_kinds"
        )
        left, right = st.columns(2)
        use_gpa = left.checkbox("Filter students by GPA", key="search_use_gpa", help="Jobs and courses stay.")
        gpa = left.slider("GPA range", 0.0, 4.0, (0.0, 4.0), step=0.1, disabled=not use_gpa, key="search_gpa")
        chosen_programs = left.multiselect(
            "Programme (students)", search.programs(options), key="search_programs"
        )
        chosen_locations = right.multiselect(
            "Location (students and jobs)", search.locations(options), key="search_locations"
        )
        skills_text = right.text_input("Skills (comma-separated)", key="search_skills", max_chars=200)
        statuses = right.multiselect(
            "Posting status", search.posting_statuses(options), key="search_statuses"
        )
    skills = tuple(s.strip() for s in skills_text.split(",") if s.strip())
    return search.SearchFilters(
        doc_types=tuple(kinds),
        gpa_min=gpa[0] if use_gpa else None,
        gpa_max=gpa[1] if use_gpa else None,
        programs=tuple(chosen_programs),
        locations=tuple(chosen_locations),
        skills=skills,
        posting_statuses=tuple(statuses),
    )


def _link(row: Any) -> tuple[str, dict[str, str]] | None:
    doc_type = row.doc_type
    entity = str(row.entity_id)
    if doc_type == "student":
        # Only roles that may open profiles get a link (a link to a page outside the menu would fail).
        return (ui.STUDENT_PAGE, {"student": entity}) if person.may(access.STUDENT_PROFILE) else None
    if doc_type == "job":
        return ui.JOB_PAGE, {"job": entity}
    return None


def render() -> None:
    text = st.text_input(
        "Search", key="search_text", placeholder="a student's name, a job title, a course, a skill"
    )
    filters = _filters()
    if not text:
        st.info("Type a name, a job title, a course or a skill to search.")
        return
    page = int(st.session_state.get("search_page", 1))
    if st.session_state.get("search_last") != (text, filters):
        page = 1
    st.session_state["search_last"] = (text, filters)
    # One in-memory engine per published snapshot, shared by every session (app/data/search.py).
    result = warehouse.search_engine().search(text, filters, page)
    for note in result.notes:
        st.caption(note)
    if result.total == 0:
        st.warning(f"Nothing matches {' '.join(result.terms)!r}. Try fewer words or the start of a word.")
        return
    first = (result.page - 1) * search.PAGE_SIZE + 1
    st.write(f"**{result.total}** results — showing {first}-{first + len(result.results) - 1}")

    shown = result.results.copy()
    students = shown["doc_type"] == "student"
    # Recorded once per shown page of results, before any student on it is shown (the text is never recorded).
    listed = (text, filters, result.page)
    if st.session_state.get("search_audited") != listed:
        keys = [str(key) for key in shown.loc[students, "entity_id"]]
        actions.record_student_views(person, "search_result", keys, target="search")
        st.session_state["search_audited"] = listed
    if not privacy.can_see_pii(person):
        # A student document's title is the person's name.
        shown.loc[students, "title"] = shown.loc[students, "title"].map(
            lambda name: privacy.mask_text(name, person)
        )
    for row in shown.itertuples():
        link = _link(row)
        label = f"**{row.title}** · {row.doc_type}" + (f" · {row.subtitle}" if row.subtitle else "")
        if link:
            st.page_link(link[0], label=label, query_params=link[1])
        else:
            st.markdown(label)
    st.dataframe(
        shown[["doc_type", "entity_id", "title", "subtitle", "words_matched", "score"]],
        hide_index=True,
        width="stretch",
    )
    previous, middle, following = st.columns([1, 2, 1])
    if previous.button("Previous", disabled=result.page <= 1, key="search_prev"):
        st.session_state["search_page"] = result.page - 1
        st.rerun()
    middle.caption(f"Page {result.page} of {result.pages}")
    if following.button("Next", disabled=result.page >= result.pages, key="search_next"):
        st.session_state["search_page"] = result.page + 1
        st.rerun()
    st.session_state["search_page"] = result.page


ui.guarded(render)
