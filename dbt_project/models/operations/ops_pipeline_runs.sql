-- One row per pipeline run (`campus run` or Dagster): outcome, volumes, test counts and wall time.

with

runs as (

    select * from {{ ref('stg_meta__pipeline_runs') }}

)

select
    -- ids
    run_id,
    triggered_by,
    job_name,
    dbt_target,

    -- outcome
    run_status,
    rows_loaded,
    models_built,
    tests_passed,
    tests_warned,
    tests_failed,
    quality_score,
    error_message,

    -- detail (JSON text)
    stage_seconds_json,
    sources_json,
    stale_sources_json,

    -- timing (UTC)
    started_at,
    finished_at,
    duration_seconds

from runs
