-- One row per raw record of every scored table (macros/quality/record_checks.sql): its load and what each
-- quality dimension found. dq_load_quality_scores and dq_table_quality_scores aggregate it. A table: those two
-- models and five tests read it, and as a view each of them recomputed it.

{{ config(materialized='table') }}

-- The scored tables; what each key means: macros/quality/record_checks.sql.
{% set scored_tables = [
    {'source': 'oracle_sis', 'table': 'students', 'key': 'student_id',
     'required': ['first_name', 'last_name', 'email', 'date_of_birth'],
     'invalid': {'model': 'stg_oracle_sis__students', 'key': 'student_id',
                 'flag': '(email is not null and not is_email_valid) or not is_gpa_valid'},
     'later_duplicates': sis_later_duplicate_students(ref('stg_oracle_sis__students'))},
    {'source': 'oracle_sis', 'table': 'courses', 'key': 'course_id', 'required': ['course_code', 'title']},
    {'source': 'oracle_sis', 'table': 'course_skills', 'key': 'course_skill_id',
     'required': ['course_id', 'skill_name']},
    {'source': 'oracle_sis', 'table': 'enrollments', 'key': 'enrollment_id',
     'required': ['student_id', 'course_id', 'term_code']},
    {'source': 'oracle_sis', 'table': 'academic_records', 'key': 'record_id',
     'required': ['student_id', 'course_id', 'grade_letter']},
    {'source': 'oracle_sis', 'table': 'attendance', 'key': 'attendance_id',
     'required': ['student_id', 'course_id', 'class_date']},
    {'source': 'oracle_sis', 'table': 'assessments', 'key': 'assessment_id',
     'required': ['student_id', 'course_id', 'assessed_on']},
    {'source': 'workday', 'table': 'students', 'key': 'id', 'required': ['email', 'last_name']},
    {'source': 'workday', 'table': 'academic_programs', 'key': 'id', 'required': ['program_code', 'name']},
    {'source': 'workday', 'table': 'job_postings', 'key': 'id', 'required': ['title']},
    {'source': 'workday', 'table': 'job_placements', 'key': 'id', 'required': ['student_id', 'job_posting_id']},
    {'source': 'tableau', 'table': 'student_analytics',
     'key': dbt.concat(["cast(snapshot_date as " ~ dbt.type_string() ~ ")", "'|'", "student_id"]),
     'required': ['student_id', 'term']},
    {'source': 'tableau', 'table': 'job_market_trends',
     'key': dbt.concat([
         "cast(snapshot_date as " ~ dbt.type_string() ~ ")", "'|'", "skill", "'|'", "region", "'|'",
         "cast(month as " ~ dbt.type_string() ~ ")"]),
     'required': ['skill', 'region', 'month']},
    {'source': 'files', 'table': 'students_partner',
     'key': dbt.concat(["_source_file", "'|'", "cast(_source_row as " ~ dbt.type_string() ~ ")"]),
     'required': ['student_ref', 'last_name']},
    {'source': 'files', 'table': 'attendance_lab',
     'key': dbt.concat(["_source_file", "'|'", "cast(_source_row as " ~ dbt.type_string() ~ ")"]),
     'required': ['student_id', 'course_code', 'lab_date']},
    {'source': 'files', 'table': 'assessments_online',
     'key': dbt.concat(["_source_file", "'|'", "cast(_source_row as " ~ dbt.type_string() ~ ")"]),
     'required': ['assessment_ref', 'student_id']},
    {'source': 'files', 'table': 'course_evaluations',
     'key': dbt.concat(["_source_file", "'|'", "cast(_source_row as " ~ dbt.type_string() ~ ")"]),
     'required': ['course_code', 'term_code']},
] %}

with

checks as (

    {% for spec in scored_tables -%}
        {{ quality_record_checks_for(spec) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    -- ids
    source_name,
    table_name,
    record_key,
    load_id,

    -- checks
    quarantine_reason,
    is_incomplete or coalesce(quarantine_reason = 'missing_required_field', false) as is_incomplete,
    is_flagged_invalid or coalesce(quarantine_reason = 'future_dated', false) as is_invalid,
    is_duplicate,
    coalesce(quarantine_reason in ('unknown_course', 'parent_quarantined'), false) as is_orphan

from checks
