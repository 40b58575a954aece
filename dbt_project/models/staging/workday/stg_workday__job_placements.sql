with

source as (

    {{ source_latest_version('workday', 'job_placements', 'id') }}

),

renamed as (

    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as job_placement_id,
        cast(student_id as {{ dbt.type_string() }}) as workday_student_id,
        cast(job_posting_id as {{ dbt.type_string() }}) as job_posting_id,

        -- placement: the type is a label Workday shows as is (Full-time, Internship); the status is a code
        {{ clean_text('placement_type') }} as placement_type,
        {{ clean_code('status') }} as placement_status,

        -- dates
        cast(placed_date as date) as placed_date,

        -- bookkeeping
        coalesce(inactive, false) as is_deleted,
        {{ to_utc_timestamp('updated_at') }} as updated_at

    from source

)

select * from renamed
