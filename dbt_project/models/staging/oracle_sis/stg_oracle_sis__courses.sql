with

source as (

    {{ source_latest_version('oracle_sis', 'courses', 'course_id') }}

),

renamed as (

    select
        -- ids
        cast(course_id as bigint) as course_id,
        {{ clean_code('course_code') }} as course_code,

        -- course
        {{ clean_text('title') }} as course_title,
        {{ clean_text('department') }} as department,
        cast(credits as integer) as credits,
        cast(course_level as integer) as course_level,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed
