-- Raw rows that cannot be used, one row each with the reason (decision 003). Each rule lives in the
-- base_<source>__<table> model of its staging folder; this model only collects the rows those rules rejected.
-- A table, so that quarantined_at is when the build applied the rules (UTC), not when someone reads the rows.

{{ config(materialized='table') }}

{%- set quarantined_tables = [
    {'source_name': 'oracle_sis', 'table_name': 'enrollments', 'model': 'base_oracle_sis__enrollments',
     'key': 'enrollment_id'},
    {'source_name': 'oracle_sis', 'table_name': 'attendance', 'model': 'base_oracle_sis__attendance',
     'key': 'attendance_id'},
    {'source_name': 'oracle_sis', 'table_name': 'assessments', 'model': 'base_oracle_sis__assessments',
     'key': 'assessment_id'},
    {'source_name': 'workday', 'table_name': 'students', 'model': 'base_workday__students',
     'key': 'workday_student_id'},
    {'source_name': 'workday', 'table_name': 'students__career_interests',
     'model': 'base_workday__students__career_interests', 'key': 'career_interest_id'},
    {'source_name': 'workday', 'table_name': 'job_postings', 'model': 'base_workday__job_postings',
     'key': 'job_posting_id'},
    {'source_name': 'workday', 'table_name': 'job_postings__skills',
     'model': 'base_workday__job_postings__skills', 'key': 'job_posting_skill_id'},
] %}

with

unioned as (

    {% for t in quarantined_tables %}
        select
            '{{ t.source_name }}' as source_name,
            '{{ t.table_name }}' as table_name,
            cast({{ t.key }} as {{ dbt.type_string() }}) as record_key,
            quarantine_reason
        from {{ ref(t.model) }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    cast(source_name as {{ dbt.type_string() }}) as source_name,
    cast(table_name as {{ dbt.type_string() }}) as table_name,
    record_key,
    cast(quarantine_reason as {{ dbt.type_string() }}) as quarantine_reason,
    {{ to_utc_timestamp(dbt.current_timestamp()) }} as quarantined_at
from unioned
