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

    {{ eligible_sis_fact_rows('stg_oracle_sis__enrollments') }}

),

final as (

    select
        -- keys
        cast(enrollments.enrollment_id as bigint) as enrollment_id,
        cast(enrollments.student_key as {{ dbt.type_string() }}) as student_key,
        cast(enrollments.student_id as bigint) as sis_student_id,
        cast(enrollments.course_id as bigint) as course_id,

        -- the enrollment
        cast(enrollments.term_code as bigint) as term_code,
        cast(enrollments.enrolled_on as date) as enrolled_on,
        cast(enrollments.enrollment_status as {{ dbt.type_string() }}) as enrollment_status,

        -- bookkeeping
        cast(enrollments.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from enrollments

)

select * from final
