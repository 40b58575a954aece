"""The Student profile's queries: one student across SIS and Workday, their record, skills and
recommendations.

Reads marts and recommendations only; settings as `app.data.warehouse`.
"""

from __future__ import annotations

import pandas as pd

from app.data.errors import BadInput
from app.data.warehouse import MEDIUM_TTL, fetch, has_relation

_STUDENT = """
select
    s.student_key,
    s.sis_student_id,
    s.workday_student_id,
    s.first_name,
    s.last_name,
    s.email,
    s.phone,
    s.date_of_birth,
    s.city,
    s.program_code,
    p.program_name,
    p.degree,
    s.student_status,
    s.enrollment_date,
    s.expected_graduation_date,
    s.gpa,
    s.workday_location,
    s.match_rule,
    s.match_confidence,
    s.duplicate_record_count,
    s.is_in_sis,
    s.is_in_workday,
    perf.attendance_days,
    perf.present_days,
    perf.attendance_rate,
    perf.assessment_count,
    perf.avg_score_pct
from marts.dim_student as s
left join marts.dim_program as p on p.academic_program_id = s.academic_program_id
left join marts.student_performance_summary as perf on perf.student_key = s.student_key
where s.student_key = ?
    or cast(s.sis_student_id as varchar) = ?
    or s.workday_student_id = ?
order by case when s.student_key = ? then 0 else 1 end
limit 1
"""


def student(identifier: str | None) -> pd.Series:
    """One student by `student_key`, SIS id or Workday id; BadInput when there is none."""
    wanted = (identifier or "").strip()
    if not wanted:
        raise BadInput("Enter a student key, SIS id or Workday id, or find the student on the Search page.")
    if len(wanted) > 100:
        raise BadInput("That is not a student id: ids are at most a few dozen characters.")
    frame = fetch(_STUDENT, (wanted, wanted, wanted, wanted), MEDIUM_TTL)
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
    return fetch(
        """
        select r.rank, r.job_posting_id, j.job_title, j.employer, j.location, j.region, j.posting_status,
               r.score, r.matched_skills, r.missing_skills, r.reason
        from recommendations.rec_student_jobs as r
        left join marts.dim_job_posting as j on j.job_posting_id = r.job_posting_id
        where r.student_key = ?
        order by r.rank
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def course_recommendations(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select r.rank, r.course_id, c.course_code, c.course_title, c.department, r.closes_skills, r.reason
        from recommendations.rec_student_courses as r
        left join marts.dim_course as c on c.course_id = r.course_id
        where r.student_key = ?
        order by r.rank
        """,
        (student_key,),
        MEDIUM_TTL,
    )
