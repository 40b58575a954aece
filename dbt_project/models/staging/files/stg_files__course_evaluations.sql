with

source as (

    select * from {{ source('files', 'course_evaluations') }}

),

renamed as (

    select
        -- ids: a file row is known by its file and line
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as bigint) as source_row,
        {{ clean_code('course_code') }} as course_code,
        cast(term_code as bigint) as term_code,

        -- evaluation
        cast(respondents as integer) as respondents,
        cast(avg_rating as numeric(4, 2)) as avg_rating,

        -- bookkeeping: a file row is never soft-deleted; it changes only by a new file
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at,
        false as is_deleted,
        {{ to_utc_timestamp('_ingested_at') }} as updated_at

    from source

)

select * from renamed
