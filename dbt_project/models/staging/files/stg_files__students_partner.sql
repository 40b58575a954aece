with

source as (

    select * from {{ source('files', 'students_partner') }}

),

renamed as (

    select
        -- ids: a file row is known by its file and line
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as bigint) as source_row,
        {{ clean_code('student_ref') }} as student_ref,

        -- person
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_email('email') }} as email,
        {{ clean_text('home_institution') }} as home_institution,
        {{ clean_code('program_code') }} as program_code,

        -- dates
        cast(arrival_date as date) as arrival_date,

        -- bookkeeping: a file row is never soft-deleted; it changes only by a new file
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at,
        false as is_deleted,
        {{ to_utc_timestamp('_ingested_at') }} as updated_at

    from source

)

select * from renamed
