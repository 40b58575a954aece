with

source as (

    select * from {{ source('oracle_sis', 'courses') }}
    -- dlt merges on the key, so this only guards against a second version of a record ever landing.
    qualify row_number() over (partition by course_id order by updated_at desc, _dlt_load_id desc) = 1

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
