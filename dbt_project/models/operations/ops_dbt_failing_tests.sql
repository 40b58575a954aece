-- The tests of the latest dbt invocation that ran tests and did not pass, with the relation their failing rows
-- were stored in when dbt stored them in this invocation (a warn or fail of a `store_failures` test; an erroring
-- or skipped test wrote none).

with

results as (

    select * from {{ ref('dq_dbt_test_results') }}
    where is_test and not is_passed

),

latest_test_run as (

    select invocation_id from {{ ref('ops_dbt_invocations') }}
    where is_latest_test_run

),

stored as (

    select * from {{ ref('ops_dbt_stored_test_failures') }}

)

select
    -- ids
    cast(results.unique_id as {{ dbt.type_string() }}) as unique_id,
    cast(results.node_name as {{ dbt.type_string() }}) as node_name,

    -- outcome
    cast(results.status as {{ dbt.type_string() }}) as status,
    cast(results.failures as {{ dbt.type_bigint() }}) as failures,
    cast(results.message as {{ dbt.type_string() }}) as message,

    -- stored failing rows
    cast(case when results.status in ('warn', 'fail') then stored.failures_schema end as {{ dbt.type_string() }})
        as failures_schema,
    cast(case when results.status in ('warn', 'fail') then stored.failures_relation end as {{ dbt.type_string() }})
        as failures_relation,

    -- timing
    cast(results.run_started_at as {{ dbt.type_timestamp() }}) as run_started_at

from results
inner join latest_test_run
    on results.invocation_id = latest_test_run.invocation_id
left join stored
    on results.unique_id = stored.test_unique_id
