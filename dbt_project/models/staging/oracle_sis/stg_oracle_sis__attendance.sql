-- Usable attendance: the rows base_oracle_sis__attendance gave no quarantine reason.

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_oracle_sis__attendance') }}

)

select
    -- ids
    attendance_id,
    student_id,
    course_id,

    -- attendance
    class_date,
    attendance_status,
    -- present means PRESENT only, as the Tableau Student Analytics attendance rate counts it
    attendance_status = 'PRESENT' as is_present,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
