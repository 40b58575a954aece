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

    {{ eligible_sis_fact_rows('stg_oracle_sis__attendance') }}

),

final as (

    select
        -- keys
        cast(attendance.attendance_id as bigint) as attendance_id,
        cast(attendance.student_key as {{ dbt.type_string() }}) as student_key,
        cast(attendance.student_id as bigint) as sis_student_id,
        cast(attendance.course_id as bigint) as course_id,

        -- the class meeting
        cast(attendance.class_date as date) as class_date,
        cast(attendance.attendance_status as {{ dbt.type_string() }}) as attendance_status,
        cast(attendance.is_present as boolean) as is_present,

        -- bookkeeping
        cast(attendance.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from attendance

)

select * from final
