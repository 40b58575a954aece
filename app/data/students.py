"""The Student profile's queries: one student across SIS and Workday, their record, skills and
recommendations.

Reads marts and recommendations only; settings as `app.data.warehouse`.
"""

from __future__ import annotations

import pandas as pd

from app.data import records
from app.data.errors import BadInput
from app.data.warehouse import MEDIUM_TTL, fetch, has_relation


def student(identifier: str | None) -> pd.Series:
    """One student by `student_key`, SIS id or Workday id; BadInput when there is none."""
    wanted = (identifier or "").strip()
    if not wanted:
        raise BadInput("Enter a student key, SIS id or Workday id, or find the student on the Search page.")
    if len(wanted) > 100:
        raise BadInput("That is not a student id: ids are at most a few dozen characters.")
    frame = fetch(records.STUDENT_FOR_ONE, (wanted, wanted, wanted, wanted), MEDIUM_TTL)
    if frame.empty:
        raise BadInput(
            f"No student has the id {wanted!r}. Check the id, or find the student on the Search page."
        )
    return frame.iloc[0]


def academic_history(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select r.term_code, c.course_code, c.course_title, r.grade_letter, r.grade_points,
               r.credits_earned, r.completed_on
        from marts.fct_academic_record as r
        left join marts.dim_course as c on c.course_id = r.course_id
        where r.student_key = ?
        order by r.term_code, c.course_code
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def attendance(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select a.class_date, c.course_code, a.attendance_status, a.is_present
        from marts.fct_attendance as a
        left join marts.dim_course as c on c.course_id = a.course_id
        where a.student_key = ?
        order by a.class_date, c.course_code
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def student_skills(student_key: str) -> pd.DataFrame | None:
    """The student's weighted skills (courses and career interests); None until dbt has built them."""
    if not has_relation("marts", "student_skills"):
        return None
    return fetch(
        """
        select skill_name, weight, is_from_courses, is_from_interests, interest_rank
        from marts.student_skills
        where student_key = ?
        order by weight desc, skill_name
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def job_recommendations(student_key: str) -> pd.DataFrame:
    return fetch(records.JOB_RECOMMENDATIONS_FOR_ONE, (student_key,), MEDIUM_TTL)


def course_recommendations(student_key: str) -> pd.DataFrame:
    return fetch(records.COURSE_RECOMMENDATIONS_FOR_ONE, (student_key,), MEDIUM_TTL)
