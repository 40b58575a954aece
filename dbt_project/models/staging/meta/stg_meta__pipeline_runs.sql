-- One row per pipeline run (`campus run` or Dagster), as orchestration/run_history.py records it.
-- A view, unlike the other staging models: a run writes its row after its own dbt build, so a table would always
-- be one run behind. Before the first run has recorded itself the source table does not exist yet; the model is
-- then an empty relation with the same columns, and the next build points the view at the table.
{{ config(materialized='view') }}

{%- set runs = source('meta', 'pipeline_runs') -%}
{%- set recorded = execute and adapter.get_relation(
    database=runs.database, schema=runs.schema, identifier=runs.identifier
) is not none %}

with

source as (

    {%- if recorded %}

        select * from {{ runs }}
    {%- else %}

        -- No rows, the table's columns; the current timestamp is time-zone aware, as dlt's timestamps are.
        select
            cast(null as {{ dbt.type_string() }}) as run_id,
            cast(null as {{ dbt.type_string() }}) as trigger,
            cast(null as {{ dbt.type_string() }}) as job_name,
            cast(null as {{ dbt.type_string() }}) as target,
            cast(null as {{ dbt.type_string() }}) as status,
            {{ dbt.current_timestamp() }} as started_at,
            {{ dbt.current_timestamp() }} as finished_at,
            cast(null as double) as duration_seconds,
            cast(null as {{ dbt.type_string() }}) as stage_seconds,
            cast(null as {{ dbt.type_string() }}) as sources,
            cast(null as {{ dbt.type_string() }}) as stale_sources,
            cast(null as {{ dbt.type_bigint() }}) as rows_loaded,
            cast(null as {{ dbt.type_bigint() }}) as models_built,
            cast(null as {{ dbt.type_bigint() }}) as tests_passed,
            cast(null as {{ dbt.type_bigint() }}) as tests_warned,
            cast(null as {{ dbt.type_bigint() }}) as tests_failed,
            cast(null as double) as quality_score,
            cast(null as {{ dbt.type_string() }}) as error
        where 1 = 0
    {%- endif %}

),

renamed as (

    select
        -- ids
        run_id,
        trigger as triggered_by,
        job_name,
        target as dbt_target,

        -- outcome
        status as run_status,
        rows_loaded,
        models_built,
        tests_passed,
        tests_warned,
        tests_failed,
        quality_score,
        error as error_message,

        -- detail (JSON text)
        stage_seconds as stage_seconds_json,
        sources as sources_json,
        stale_sources as stale_sources_json,

        -- timing (UTC)
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('finished_at') }} as finished_at,
        duration_seconds

    from source

)

select * from renamed
