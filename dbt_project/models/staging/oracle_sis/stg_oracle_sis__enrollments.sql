-- Usable enrollments: the rows base_oracle_sis__enrollments gave no quarantine reason.

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_oracle_sis__enrollments') }}

)

select
    -- ids
    enrollment_id,
    student_id,
    course_id,
    term_code,

    -- enrollment
    enrollment_status,
    enrolled_on,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
