-- One row per dbt invocation recorded in quality.dbt_test_results (build, test, run, source freshness), with what
-- it ran and whether it is the latest one to have built or tested anything. "Latest" is decided here, once: a
-- `dbt source freshness` after the build records only sources, and must not hide the build's models and tests.

with

results as (

    select * from {{ ref('dq_dbt_test_results') }}

),

invocations as (

    select
        invocation_id,
        min(run_started_at) as run_started_at,
        count(*) as nodes,
        sum(case when resource_type in ('model', 'snapshot', 'seed') then 1 else 0 end) as models_run,
        sum(case when is_test then 1 else 0 end) as tests_run,
        sum(case when resource_type = 'source' then 1 else 0 end) as sources_checked,
        sum(case when status in ('fail', 'error') then 1 else 0 end) as failed_nodes,
        sum(execution_time_seconds) as execution_seconds
    from results
    group by invocation_id

),

latest as (

    select
        max(case when models_run + tests_run > 0 then run_started_at end) as latest_build_at,
        max(case when tests_run > 0 then run_started_at end) as latest_test_run_at
    from invocations

)

select
    -- ids
    cast(invocations.invocation_id as {{ dbt.type_string() }}) as invocation_id,

    -- what it ran
    cast(invocations.nodes as {{ dbt.type_bigint() }}) as nodes,
    cast(invocations.models_run as {{ dbt.type_bigint() }}) as models_run,
    cast(invocations.tests_run as {{ dbt.type_bigint() }}) as tests_run,
    cast(invocations.sources_checked as {{ dbt.type_bigint() }}) as sources_checked,
    cast(invocations.failed_nodes as {{ dbt.type_bigint() }}) as failed_nodes,
    coalesce(
        invocations.models_run + invocations.tests_run > 0
        and invocations.run_started_at = latest.latest_build_at, false
    ) as is_latest_build,
    coalesce(
        invocations.tests_run > 0
        and invocations.run_started_at = latest.latest_test_run_at, false
    ) as is_latest_test_run,

    -- timing
    cast(invocations.execution_seconds as double) as execution_seconds,
    cast(invocations.run_started_at as {{ dbt.type_timestamp() }}) as run_started_at

from invocations
cross join latest
