with

source as (

    select * from {{ source('meta', 'load_history') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["run_id", "'|'", "source", "'|'", "table_name"]) }} as load_history_key,
        run_id,

        -- what was loaded
        source as source_name,
        table_name,
        status as load_status,
        rows_loaded,

        -- timing
        started_at,
        finished_at,
        duration_seconds,

        -- failure
        error as error_message

    from source

)

select * from renamed
