with

source as (

    select * from {{ source('files', 'assessments_online') }}

),

renamed as (

    select
        -- ids: a file row is known by its file and line
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as bigint) as source_row,
        {{ clean_code('assessment_ref') }} as assessment_ref,
        cast(student_id as bigint) as student_id,
        {{ clean_code('course_code') }} as course_code,

        -- assessment (the file's nested `attempt` object, flattened by dlt into attempt__*)
        cast(score as numeric(5, 2)) as score,
        cast(max_score as numeric(5, 2)) as max_score,
        cast(attempt__number as integer) as attempt_number,
        cast(attempt__proctored as boolean) as is_proctored,

        -- dates
        {{ to_utc_timestamp('submitted_at') }} as submitted_at,

        -- bookkeeping: a file row is never soft-deleted; it changes only by a new file
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at,
        false as is_deleted,
        {{ to_utc_timestamp('_ingested_at') }} as updated_at

    from source

)

select * from renamed
