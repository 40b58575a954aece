"""The statements behind one student's or one posting's record, without Streamlit: the app's Student profile
and Jobs pages run them for one key, the API (api/) runs the same statements once per published snapshot for
every key and holds the rows in memory. Reads marts and recommendations only; reads no settings.
"""

from __future__ import annotations

import math

# One statement per record, written once: `for_one` adds the app's lookup of one key, `for_all` reads every
# key in the order the API groups them.

_STUDENT_SELECT = """
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
"""

# By `student_key`, SIS id or Workday id (four parameters: the id three times, then the key for the order).
STUDENT_FOR_ONE = (
    _STUDENT_SELECT
    + """where s.student_key = ?
    or cast(s.sis_student_id as varchar) = ?
    or s.workday_student_id = ?
order by case when s.student_key = ? then 0 else 1 end
limit 1
"""
)
STUDENT_FOR_ALL = _STUDENT_SELECT + "order by s.student_key\n"

_JOB_RECOMMENDATIONS = """
select {key}r.rank, r.job_posting_id, j.job_title, j.employer, j.location, j.region, j.posting_status,
       r.score, r.matched_skills, r.missing_skills, r.reason
from recommendations.rec_student_jobs as r
left join marts.dim_job_posting as j on j.job_posting_id = r.job_posting_id
{where}order by {order}r.rank
"""
JOB_RECOMMENDATIONS_FOR_ONE = _JOB_RECOMMENDATIONS.format(key="", where="where r.student_key = ?\n", order="")
JOB_RECOMMENDATIONS_FOR_ALL = _JOB_RECOMMENDATIONS.format(
    key="r.student_key, ", where="", order="r.student_key, "
)

_COURSE_RECOMMENDATIONS = """
select {key}r.rank, r.course_id, c.course_code, c.course_title, c.department, r.closes_skills, r.reason
from recommendations.rec_student_courses as r
left join marts.dim_course as c on c.course_id = r.course_id
{where}order by {order}r.rank
"""
COURSE_RECOMMENDATIONS_FOR_ONE = _COURSE_RECOMMENDATIONS.format(
    key="", where="where r.student_key = ?\n", order=""
)
COURSE_RECOMMENDATIONS_FOR_ALL = _COURSE_RECOMMENDATIONS.format(
    key="r.student_key, ", where="", order="r.student_key, "
)

_JOB_SELECT = """
select job_posting_id, requisition_id, job_title, employer, location, region, posted_date, posting_status,
       salary_min, salary_max, skill_count, skills
from marts.dim_job_posting
"""
# By job posting id or requisition id (two parameters).
JOB_FOR_ONE = _JOB_SELECT + "where job_posting_id = ? or requisition_id = ?\nlimit 1\n"
JOB_FOR_ALL = _JOB_SELECT + "order by job_posting_id\n"

BEST_FIT_LIMIT = 20
_BEST_FIT = """
select {key}r.student_key, s.first_name, s.last_name, s.program_code, s.gpa, r.rank, r.score,
       r.matched_skills, r.missing_skills, r.reason
from recommendations.rec_student_jobs as r
inner join marts.dim_student as s on s.student_key = r.student_key
{where}order by {order}r.score desc, r.rank, r.student_key
"""
# The posting's id, then how many students.
BEST_FIT_FOR_ONE = _BEST_FIT.format(key="", where="where r.job_posting_id = ?\n", order="") + "limit ?\n"
# Every posting's first BEST_FIT_LIMIT students in the same order, postings one after another.
BEST_FIT_FOR_ALL = _BEST_FIT.format(
    key="r.job_posting_id as fit_job_posting_id, ",
    where=f"""qualify row_number() over (
    partition by r.job_posting_id order by r.score desc, r.rank, r.student_key
) <= {BEST_FIT_LIMIT}
""",
    order="r.job_posting_id, ",
)


def split_list(value: object) -> list[str]:
    """A delimited skill list from dbt (`a; b`) or a native list, as a list of names."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value if item is not None and str(item).strip()]
    if hasattr(value, "tolist"):
        return split_list(value.tolist())
    text = str(value)
    for separator in (";", "|", ","):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text.strip()] if text.strip() else []
