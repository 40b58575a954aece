-- dbt's latest freshness verdict per source table (`dbt source freshness`, which `campus run` runs after every
-- load), from the results the on-run-end hook records.

with

checks as (

    select * from {{ ref('dq_dbt_test_results') }}
    where resource_type = 'source'

),

newest_first as (

    select
        *,
        row_number() over (partition by unique_id order by run_started_at desc, invocation_id desc) as recency
    from checks

)

select
    -- ids: source.<project>.<source>.<table>
    cast(unique_id as {{ dbt.type_string() }}) as source_unique_id,
    cast({{ dbt.split_part('unique_id', "'.'", 3) }} as {{ dbt.type_string() }}) as source_name,
    cast(node_name as {{ dbt.type_string() }}) as table_name,

    -- verdict
    cast(status as {{ dbt.type_string() }}) as status,
    status = 'pass' as is_fresh,
    cast(message as {{ dbt.type_string() }}) as message,

    -- timing
    cast(run_started_at as {{ dbt.type_timestamp() }}) as checked_at

from newest_first
where recency = 1
