-- Usable job-posting skills: those of usable postings (base_workday__job_postings__skills).

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_workday__job_postings__skills') }}

)

select
    -- ids
    job_posting_skill_id,
    job_posting_id,

    -- skill
    skill_name,
    skill_rank,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
