"""Student profile: one person across SIS and Workday, their record, skills and recommendations."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from app import access, actions, privacy, signin, ui
from app.data import students

person = signin.page_guard("student", access.STUDENT_PROFILE)
st.title("Student profile")


def _identifier() -> str:
    from_link = st.query_params.get("student", "")
    typed = st.text_input(
        "Student key, SIS id or Workday id",
        value=from_link,
        key="student_id_input",
        max_chars=200,
    )
    return typed.strip()


def _identity(student: pd.Series) -> None:
    shown = privacy.mask_frame(student.to_frame().T, person).iloc[0]
    name = f"{shown['first_name'] or ''} {shown['last_name'] or ''}".strip() or "(no name on record)"
    st.subheader(name)
    programme = student["program_name"] or student["program_code"] or "no programme on record"
    st.caption(f"{programme}" + (f" · {student['degree']}" if student["degree"] else ""))
    first, second, third = st.columns(3)
    first.metric("GPA", "—" if pd.isna(student["gpa"]) else f"{float(student['gpa']):.2f}")
    second.metric("Status", student["student_status"] or "—")
    confidence = student["match_confidence"]
    third.metric("Match confidence", "—" if pd.isna(confidence) else f"{float(confidence):.0%}")
    _performance(student)
    identities = pd.DataFrame(
        [
            {"system": "Student key", "id": student["student_key"]},
            {"system": "SIS (Oracle)", "id": _text(student["sis_student_id"])},
            {"system": "Workday", "id": _text(student["workday_student_id"])},
        ]
    )
    left, right = st.columns(2)
    left.markdown(f"**Identities** · matched by `{student['match_rule']}`")
    left.table(identities.set_index("system"))
    details = shown[
        [
            "email",
            "phone",
            "date_of_birth",
            "city",
            "workday_location",
            "enrollment_date",
            "expected_graduation_date",
        ]
    ].rename(lambda name: name.replace("_", " "))
    right.markdown("**Details**")
    right.table(details.map(_text).to_frame("value"))


def _text(value: object) -> str:
    """A profile value as text: dates without a time, whole numbers without `.0`, blanks as a dash."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _performance(student: pd.Series) -> None:
    """Attendance and assessment headline figures, as student_performance_summary computes them."""
    rate, days, present = student["attendance_rate"], student["attendance_days"], student["present_days"]
    assessments, average = student["assessment_count"], student["avg_score_pct"]
    first, second, third = st.columns(3)
    first.metric(
        "Attendance",
        "—" if pd.isna(rate) else f"{float(rate):.0%}",
        help=None if pd.isna(days) else f"present at {int(present)} of {int(days)} class meetings on record",
    )
    second.metric("Assessments", 0 if pd.isna(assessments) else int(assessments))
    third.metric("Average score", "—" if pd.isna(average) else f"{float(average):.1f}%")


def _academics(student_key: str) -> None:
    st.subheader("Academic history")
    history = students.academic_history(student_key)
    if ui.empty_note(history, "No completed courses on record."):
        return
    figure = px.strip(
        history,
        x="term_code",
        y="grade_points",
        hover_data=["course_code", "course_title", "grade_letter"],
        labels={"term_code": "Term", "grade_points": "Grade points"},
    )
    figure.update_layout(height=280, margin={"t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch")
    st.dataframe(history, hide_index=True, width="stretch")


def _attendance(student_key: str) -> None:
    st.subheader("Attendance")
    rows = students.attendance(student_key)
    if ui.empty_note(rows, "No attendance on record."):
        return
    figure = px.scatter(
        rows,
        x="class_date",
        y="course_code",
        color="attendance_status",
        labels={"class_date": "Class date", "course_code": "Course"},
    )
    figure.update_layout(height=280, margin={"t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch")


def _skills(student_key: str) -> None:
    st.subheader("Skills")
    skills = students.student_skills(student_key)
    if skills is None:
        st.caption("Skill profiles are not built in this warehouse yet.")
        return
    if ui.empty_note(skills, "No skills on record (no completed courses or career interests)."):
        return
    figure = px.bar(
        skills.head(15).assign(
            evidence=skills["is_from_courses"]
            .map({True: "courses", False: ""})
            .str.cat(skills["is_from_interests"].map({True: "interests", False: ""}), sep=" + ")
            .str.strip(" +")
        ),
        x="weight",
        y="skill_name",
        color="evidence",
        orientation="h",
        labels={"weight": "Weight", "skill_name": "", "evidence": "Evidence"},
    )
    figure.update_layout(height=320, margin={"t": 10, "b": 10}, yaxis={"autorange": "reversed"})
    st.plotly_chart(figure, width="stretch")


def _recommendations(student_key: str) -> None:
    st.subheader("Recommended jobs")
    jobs = students.job_recommendations(student_key)
    if not ui.empty_note(jobs, "No job recommendations for this student yet."):
        table = jobs.assign(
            matched_skills=jobs["matched_skills"].map(ui.skills_text),
            missing_skills=jobs["missing_skills"].map(ui.skills_text),
        )
        st.table(
            table[
                [
                    "rank",
                    "job_title",
                    "employer",
                    "location",
                    "score",
                    "matched_skills",
                    "missing_skills",
                    "reason",
                ]
            ].set_index("rank")
        )
        for row in jobs.head(5).itertuples():
            st.page_link(
                ui.JOB_PAGE,
                label=f"{row.job_title} at {row.employer}",
                query_params={"job": str(row.job_posting_id)},
                icon=":material/work:",
            )
    st.subheader("Courses that close the gaps")
    courses = students.course_recommendations(student_key)
    if not ui.empty_note(courses, "No course recommendations for this student yet."):
        table = courses.assign(closes_skills=courses["closes_skills"].map(ui.skills_text))
        st.table(table[["rank", "course_code", "course_title", "closes_skills", "reason"]].set_index("rank"))


def render() -> None:
    wanted = _identifier()
    if not wanted:
        st.info("Open a student from the Search page, or enter a student key, SIS id or Workday id.")
        return
    student = students.student(wanted)
    key = str(student["student_key"])
    # Recorded when this session opens a student, before anything of theirs is shown; reruns add nothing.
    if st.session_state.get("student_audited") != key:
        actions.record_student_views(person, "profile_view", [key], target="student_profile")
        st.session_state["student_audited"] = key
    _identity(student)
    ui.guarded(lambda: _skills(key))
    ui.guarded(lambda: _recommendations(key))
    left, right = st.columns(2)
    with left:
        ui.guarded(lambda: _academics(key))
    with right:
        ui.guarded(lambda: _attendance(key))


ui.guarded(render)
