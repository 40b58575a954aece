-- Usable Workday students: the rows base_workday__students gave no quarantine reason.

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_workday__students') }}

)

select
    -- ids
    workday_student_id,
    academic_program_id,

    -- person
    first_name,
    last_name,
    email,
    date_of_birth,
    location,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
