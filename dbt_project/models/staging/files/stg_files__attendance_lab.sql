with

source as (

    select * from {{ source('files', 'attendance_lab') }}

),

renamed as (

    select
        -- ids: a file row is known by its file and line
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as bigint) as source_row,
        cast(student_id as bigint) as student_id,
        {{ clean_code('course_code') }} as course_code,

        -- attendance
        cast(lab_date as date) as lab_date,
        {{ clean_code('status') }} as status,
        cast(minutes_present as integer) as minutes_present,

        -- bookkeeping: a file row is never soft-deleted; it changes only by a new file
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at,
        false as is_deleted,
        {{ to_utc_timestamp('_ingested_at') }} as updated_at

    from source

)

select * from renamed
