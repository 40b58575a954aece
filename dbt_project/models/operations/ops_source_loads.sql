-- One row per ingestion run, source and table: what each load brought and how long it took (table `*` when the
-- whole source failed). Timestamps as plain UTC, like every reader-facing time.

with

loads as (

    select * from {{ ref('stg_meta__load_history') }}

)

select
    -- ids
    cast(load_history_key as {{ dbt.type_string() }}) as load_history_key,
    cast(run_id as {{ dbt.type_string() }}) as run_id,
    cast(source_name as {{ dbt.type_string() }}) as source_name,
    cast(table_name as {{ dbt.type_string() }}) as table_name,

    -- outcome
    cast(load_status as {{ dbt.type_string() }}) as load_status,
    cast(rows_loaded as {{ dbt.type_bigint() }}) as rows_loaded,
    cast(error_message as {{ dbt.type_string() }}) as error_message,

    -- timing (UTC)
    {{ to_utc_timestamp('started_at') }} as started_at,
    {{ to_utc_timestamp('finished_at') }} as finished_at,
    cast(duration_seconds as double) as duration_seconds

from loads
