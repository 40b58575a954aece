{{
    config(
        materialized='incremental',
        unique_key='attendance_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ purge_ineligible_fact_rows('attendance_id', 'stg_oracle_sis__attendance') }}"
    )
}}

with

attendance as (

    select * from {{ ref('stg_oracle_sis__attendance') }}
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
        cast(attendance.attendance_id as bigint) as attendance_id,
        cast(identity.student_key as {{ dbt.type_string() }}) as student_key,
        cast(attendance.student_id as bigint) as sis_student_id,
        cast(attendance.course_id as bigint) as course_id,

        -- the class meeting
        cast(attendance.class_date as date) as class_date,
        cast(attendance.attendance_status as {{ dbt.type_string() }}) as attendance_status,
        cast(attendance.is_present as boolean) as is_present,

        -- bookkeeping
        cast(attendance.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from attendance
    inner join identity
        on attendance.student_id = identity.sis_student_id
    where
        identity.student_key in (select students.student_key from students)
        and attendance.course_id in (select courses.course_id from courses)

)

select * from final
