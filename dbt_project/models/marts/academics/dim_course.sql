-- One row per active course, with the skills it teaches (heaviest first) as one delimited string.

with

courses as (

    select * from {{ ref('stg_oracle_sis__courses') }}
    where not is_deleted

),

course_skills as (

    select * from {{ ref('stg_oracle_sis__course_skills') }}
    where not is_deleted

),

skills_per_course as (

    select
        course_id,
        count(*) as skill_count,
        {{ dbt.listagg('skill_name', "'; '", 'order by skill_weight desc, skill_name') }} as skills
    from course_skills
    group by course_id

),

final as (

    select
        -- keys
        cast(courses.course_id as bigint) as course_id,
        cast(courses.course_code as {{ dbt.type_string() }}) as course_code,

        -- the course
        cast(courses.course_title as {{ dbt.type_string() }}) as course_title,
        cast(courses.department as {{ dbt.type_string() }}) as department,
        cast(courses.credits as integer) as credits,
        cast(courses.course_level as integer) as course_level,

        -- skills
        cast(coalesce(skills_per_course.skill_count, 0) as integer) as skill_count,
        cast(skills_per_course.skills as {{ dbt.type_string() }}) as skills,

        -- bookkeeping
        cast(courses.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from courses
    left join skills_per_course
        on courses.course_id = skills_per_course.course_id

)

select * from final
