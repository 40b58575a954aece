with

source as (

    {{ source_latest_version('workday', 'academic_programs', 'id') }}

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
