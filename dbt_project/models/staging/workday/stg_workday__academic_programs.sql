with

source as (

    select * from {{ source('workday', 'academic_programs') }}
    -- dlt merges on the key, so this only guards against a second version of a record ever landing.
    qualify row_number() over (partition by id order by updated_at desc, _dlt_load_id desc) = 1

),

renamed as (

    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as academic_program_id,
        {{ clean_code('program_code') }} as program_code,

        -- programme
        {{ clean_text('name') }} as program_name,
        {{ clean_text('degree') }} as degree,
        {{ clean_text('department') }} as department,
        cast(duration_years as integer) as duration_years,

        -- bookkeeping
        coalesce(inactive, false) as is_deleted,
        {{ to_utc_timestamp('updated_at') }} as updated_at

    from source

)

select * from renamed
