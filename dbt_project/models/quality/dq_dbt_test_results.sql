-- dbt results over time, as the on-run-end hook (macros/quality/dbt_test_results.sql) stores them: one row per
-- node per invocation. A view, so it always shows every invocation up to the latest.

{{ config(materialized='view') }}

with

results as (

    select * from {{ source('quality', 'dbt_test_results') }}

)

select
    -- ids
    invocation_id,
    unique_id,
    resource_type,
    node_name,

    -- outcome
    status,
    failures,
    resource_type in ('test', 'unit_test') as is_test,
    status in ('success', 'pass') as is_passed,
    message,

    -- timing
    execution_time_seconds,
    run_started_at

from results
