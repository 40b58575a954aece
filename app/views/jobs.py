"""Jobs and market: a posting with the students who fit it best, and job-market trends by skill and region."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from app import access, actions, privacy, signin, ui
from app.data import careers

person = signin.page_guard("jobs", access.JOBS)
st.title("Jobs & market")


def _posting() -> None:
    st.subheader("Job posting")
    postings = careers.recent_postings()
    from_link = st.query_params.get("job", "")
    options = [""] + [str(value) for value in postings["job_posting_id"]]
    labels = {
        str(row.job_posting_id): f"{row.job_title} · {row.employer} · {row.location} ({row.job_posting_id})"
        for row in postings.itertuples()
    }
    if from_link and from_link not in labels:
        options.insert(1, from_link)
    chosen = st.selectbox(
        "Posting",
        options,
        index=options.index(from_link) if from_link in options else min(1, len(options) - 1),
        format_func=lambda value: labels.get(value, value) or "Pick a posting",
        key="jobs_posting",
    )
    if not chosen:
        st.caption("Pick a posting, or open one from a search result or a student's recommendations.")
        return
    job = careers.job_posting(chosen)
    st.markdown(f"### {job['job_title']}")
    first, second, third, fourth = st.columns(4)
    first.metric("Employer", job["employer"] or "—")
    second.metric("Location", f"{job['location'] or '—'}")
    third.metric("Status", job["posting_status"] or "—")
    salary = (
        f"{int(job['salary_min']):,}-{int(job['salary_max']):,}"
        if job["salary_min"] == job["salary_min"] and job["salary_max"] == job["salary_max"]
        else "—"
    )
    fourth.metric("Salary", salary)
    st.markdown(f"**Skills:** {ui.skills_text(job['skills'])}")
    st.markdown("**Best-fit students**")
    fits = careers.best_fit_students(str(job["job_posting_id"]))
    if ui.empty_note(fits, "No student has this posting among their recommendations."):
        return
    posting = str(job["job_posting_id"])
    if st.session_state.get("jobs_fit_audited") != posting:
        keys = [str(key) for key in fits["student_key"]]
        actions.record_student_views(person, "best_fit_list", keys, target=f"job_posting:{posting}")
        st.session_state["jobs_fit_audited"] = posting
    fits = privacy.mask_frame(
        fits.assign(
            matched_skills=fits["matched_skills"].map(ui.skills_text),
            missing_skills=fits["missing_skills"].map(ui.skills_text),
        ),
        person,
    )
    st.dataframe(fits, hide_index=True, width="stretch")
    for row in fits.head(5).itertuples() if person.may(access.STUDENT_PROFILE) else ():
        st.page_link(
            ui.STUDENT_PAGE,
            label=f"{row.first_name} {row.last_name} · score {row.score:.2f}",
            query_params={"student": str(row.student_key)},
            icon=":material/person:",
        )


def _market() -> None:
    st.subheader("Job market trends")
    skills = careers.market_skills()
    regions = careers.market_regions()
    if not skills:
        st.caption("No job-market trends loaded yet.")
        return
    left, right = st.columns(2)
    chosen_skills = left.multiselect("Skills", skills, default=skills[:3], key="market_skills")
    chosen_regions = right.multiselect("Regions (all when empty)", regions, key="market_regions")
    trends = careers.market_trends(chosen_skills, chosen_regions)
    if ui.empty_note(trends, "No figures for that choice."):
        return
    postings = px.line(
        trends,
        x="trend_month",
        y="job_postings",
        color="skill_name",
        line_dash="region" if 0 < len(chosen_regions) <= 3 else None,
        line_group="region",
        labels={"trend_month": "Month", "job_postings": "Job postings", "skill_name": "Skill"},
    )
    postings.update_layout(height=350, margin={"t": 10, "b": 10})
    st.plotly_chart(postings, width="stretch")
    latest = trends[trends["trend_month"] == trends["trend_month"].max()]
    salary = px.bar(
        latest,
        x="region",
        y="median_salary",
        color="skill_name",
        barmode="group",
        labels={"median_salary": "Median salary (latest month)", "region": "Region", "skill_name": "Skill"},
    )
    salary.update_layout(height=320, margin={"t": 10, "b": 10})
    st.plotly_chart(salary, width="stretch")


ui.guarded(_posting)
ui.guarded(_market)
