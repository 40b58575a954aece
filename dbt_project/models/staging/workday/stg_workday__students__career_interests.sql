-- Usable career interests: those of usable students (base_workday__students__career_interests).

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_workday__students__career_interests') }}

)

select
    -- ids
    career_interest_id,
    workday_student_id,

    -- interest
    skill_name,
    interest_rank,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
