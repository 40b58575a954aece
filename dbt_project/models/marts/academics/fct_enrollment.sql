{{
    config(
        materialized='incremental',
        unique_key='enrollment_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ purge_ineligible_fact_rows('enrollment_id', 'stg_oracle_sis__enrollments') }}"
    )
}}

with

enrollments as (

    select * from {{ ref('stg_oracle_sis__enrollments') }}
    where not is_deleted and {{ incremental_since('updated_at') }}

),

identity as (

    select * from {{ ref('int_students__identity_matched') }}
    where source_system = 'sis'

),

students as (

    select student_key from {{ ref('dim_student') }}

),

courses as (

    select course_id from {{ ref('dim_course') }}

),

final as (

    select
        -- keys
        cast(enrollments.enrollment_id as bigint) as enrollment_id,
        cast(identity.student_key as {{ dbt.type_string() }}) as student_key,
        cast(enrollments.student_id as bigint) as sis_student_id,
        cast(enrollments.course_id as bigint) as course_id,

        -- the enrollment
        cast(enrollments.term_code as bigint) as term_code,
        cast(enrollments.enrolled_on as date) as enrolled_on,
        cast(enrollments.enrollment_status as {{ dbt.type_string() }}) as enrollment_status,

        -- bookkeeping
        cast(enrollments.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from enrollments
    inner join identity
        on enrollments.student_id = identity.sis_student_id
    where
        identity.student_key in (select students.student_key from students)
        and enrollments.course_id in (select courses.course_id from courses)

)

select * from final
