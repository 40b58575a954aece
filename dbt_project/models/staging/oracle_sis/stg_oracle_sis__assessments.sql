-- Usable assessments: the rows base_oracle_sis__assessments gave no quarantine reason.

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_oracle_sis__assessments') }}

)

select
    -- ids
    assessment_id,
    student_id,
    course_id,

    -- assessment
    assessment_type,
    assessed_on,
    score,
    max_score,
    score_pct,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
