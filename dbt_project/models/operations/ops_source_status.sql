-- One row per source system: its last load attempt and how it ended, and its last successful load.

with

loads as (

    select * from {{ ref('ops_source_loads') }}

),

last_attempts as (

    select
        source_name,
        load_status,
        finished_at,
        row_number() over (
            partition by source_name order by started_at desc, finished_at desc, table_name asc
        ) as recency
    from loads

),

successes as (

    select
        source_name,
        max(finished_at) as last_success_at
    from loads
    where load_status = 'success'
    group by source_name

)

select
    -- ids
    last_attempts.source_name,

    -- last attempt
    last_attempts.load_status as last_attempt_status,
    last_attempts.finished_at as last_attempt_at,

    -- last success
    successes.last_success_at

from last_attempts
left join successes
    on last_attempts.source_name = successes.source_name
where last_attempts.recency = 1
