-- Catches: a raw row that neither reached staging nor was quarantined, or was counted twice (decision 003:
-- source rows = staged rows + quarantined rows, for every raw table).
-- When: every build; error severity, because a silently lost student record is worse than a stopped build.
-- Resolve: the failing row names the table and the three counts. Staged + quarantined < raw means a staging
-- model drops rows (an inner join, a filter, the latest-version dedupe meeting a re-landed key, or a dlt child
-- row without its parent); > raw means a join fans out or a rule is applied twice.

{{ config(severity='error') }}

{#- Every raw table with the staging model it feeds. A new raw table belongs here with its model. -#}
{%- set staging_tables = [
    ('oracle_sis', 'students', 'stg_oracle_sis__students'),
    ('oracle_sis', 'courses', 'stg_oracle_sis__courses'),
    ('oracle_sis', 'course_skills', 'stg_oracle_sis__course_skills'),
    ('oracle_sis', 'enrollments', 'stg_oracle_sis__enrollments'),
    ('oracle_sis', 'academic_records', 'stg_oracle_sis__academic_records'),
    ('oracle_sis', 'attendance', 'stg_oracle_sis__attendance'),
    ('oracle_sis', 'assessments', 'stg_oracle_sis__assessments'),
    ('workday', 'students', 'stg_workday__students'),
    ('workday', 'students__career_interests', 'stg_workday__students__career_interests'),
    ('workday', 'academic_programs', 'stg_workday__academic_programs'),
    ('workday', 'job_postings', 'stg_workday__job_postings'),
    ('workday', 'job_postings__skills', 'stg_workday__job_postings__skills'),
    ('workday', 'job_placements', 'stg_workday__job_placements'),
    ('tableau', 'student_analytics', 'stg_tableau__student_analytics'),
    ('tableau', 'job_market_trends', 'stg_tableau__job_market_trends'),
    ('files', 'students_partner', 'stg_files__students_partner'),
    ('files', 'attendance_lab', 'stg_files__attendance_lab'),
    ('files', 'assessments_online', 'stg_files__assessments_online'),
    ('files', 'course_evaluations', 'stg_files__course_evaluations'),
    ('meta', 'load_history', 'stg_meta__load_history'),
] %}

with

counts as (

    {% for source_name, table_name, model in staging_tables %}
        select
            '{{ source_name }}' as source_name,
            '{{ table_name }}' as table_name,
            (select count(*) from {{ source(source_name, table_name) }}) as raw_rows,
            (select count(*) from {{ ref(model) }}) as staged_rows,
            (
                select count(*) from {{ ref('quarantine_records') }}
                where source_name = '{{ source_name }}' and table_name = '{{ table_name }}'
            ) as quarantined_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select *
from counts
where raw_rows != staged_rows + quarantined_rows
