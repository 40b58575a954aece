-- Every attendance row with its quarantine reason, if any: the one place the rule lives.
-- stg_oracle_sis__attendance keeps the rows without a reason; quarantine_records takes the rest.

with

source as (

    {{ source_latest_version('oracle_sis', 'attendance', 'attendance_id') }}

),

renamed as (

    select
        -- ids
        cast(attendance_id as bigint) as attendance_id,
        cast(student_id as bigint) as student_id,
        cast(course_id as bigint) as course_id,

        -- attendance
        {{ clean_code('attendance_status') }} as attendance_status,

        -- dates
        cast(class_date as date) as class_date,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

),

validated as (

    select
        *,
        -- the source's own clock is its latest change: a class after it has not happened yet
        case
            when class_date > cast(max(updated_at) over () as date) then 'future_dated'
        end as quarantine_reason
    from renamed

)

select * from validated
