with

source as (

    {{ source_latest_version('oracle_sis', 'academic_records', 'record_id') }}

),

renamed as (

    select
        -- ids
        cast(record_id as bigint) as record_id,
        cast(student_id as bigint) as student_id,
        cast(course_id as bigint) as course_id,
        cast(term_code as bigint) as term_code,

        -- grade
        {{ clean_code('grade_letter') }} as grade_letter,
        cast(grade_points as numeric(3, 2)) as grade_points,
        cast(credits_earned as integer) as credits_earned,

        -- dates
        cast(completed_on as date) as completed_on,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed
