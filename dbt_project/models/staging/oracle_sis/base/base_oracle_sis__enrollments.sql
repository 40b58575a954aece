-- Every enrollment with its quarantine reason, if any: the one place the rule lives.
-- stg_oracle_sis__enrollments keeps the rows without a reason; quarantine_records takes the rest.

with

source as (

    {{ source_latest_version('oracle_sis', 'enrollments', 'enrollment_id') }}

),

courses as (

    select course_id from {{ ref('stg_oracle_sis__courses') }}

),

renamed as (

    select
        -- ids
        cast(enrollment_id as bigint) as enrollment_id,
        cast(student_id as bigint) as student_id,
        cast(course_id as bigint) as course_id,
        cast(term_code as bigint) as term_code,

        -- enrollment
        {{ clean_code('status_code') }} as enrollment_status,

        -- dates
        cast(enrolled_on as date) as enrolled_on,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

),

validated as (

    select
        renamed.*,
        -- an enrollment in a course the catalogue does not know cannot be attributed to any course
        case when courses.course_id is null then 'unknown_course' end as quarantine_reason
    from renamed
    left join courses
        on renamed.course_id = courses.course_id

)

select * from validated
