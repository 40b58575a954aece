with

source as (

    {{ source_latest_version('oracle_sis', 'course_skills', 'course_skill_id') }}

),

renamed as (

    select
        -- ids
        cast(course_skill_id as bigint) as course_skill_id,
        cast(course_id as bigint) as course_id,

        -- skill
        {{ clean_text('skill_name') }} as skill_name,
        cast(skill_weight as numeric(3, 2)) as skill_weight,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed
