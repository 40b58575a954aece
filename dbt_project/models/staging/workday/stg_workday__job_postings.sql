-- Usable job postings: the rows base_workday__job_postings gave no quarantine reason.

-- A filter over a base_ table: a view, so the rows are written once (dbt_project.yml).
{{ config(materialized='view') }}

with

validated as (

    select * from {{ ref('base_workday__job_postings') }}

)

select
    -- ids
    job_posting_id,
    requisition_id,

    -- posting
    job_title,
    employer,
    location,
    region,
    posted_date,
    posting_status,
    salary_min,
    salary_max,

    -- bookkeeping
    is_deleted,
    updated_at

from validated
where quarantine_reason is null
