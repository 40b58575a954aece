-- Every node of the latest dbt invocation that built or tested anything (ops_dbt_invocations), with its wall
-- time: what the last build spent its time on.

with

results as (

    select * from {{ ref('dq_dbt_test_results') }}

),

latest_build as (

    select invocation_id from {{ ref('ops_dbt_invocations') }}
    where is_latest_build

)

select
    -- ids
    cast(results.unique_id as {{ dbt.type_string() }}) as unique_id,
    cast(results.node_name as {{ dbt.type_string() }}) as node_name,
    cast(results.resource_type as {{ dbt.type_string() }}) as resource_type,

    -- outcome
    cast(results.status as {{ dbt.type_string() }}) as status,

    -- timing
    cast(results.execution_time_seconds as double) as execution_seconds,
    cast(results.run_started_at as {{ dbt.type_timestamp() }}) as run_started_at

from results
inner join latest_build
    on results.invocation_id = latest_build.invocation_id
