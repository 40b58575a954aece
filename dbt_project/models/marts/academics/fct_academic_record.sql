{{
    config(
        materialized='incremental',
        unique_key='record_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ purge_ineligible_fact_rows('record_id', 'stg_oracle_sis__academic_records') }}"
    )
}}

with

records as (

    {{ eligible_sis_fact_rows('stg_oracle_sis__academic_records') }}

),

final as (

    select
        -- keys
        cast(records.record_id as bigint) as record_id,
        cast(records.student_key as {{ dbt.type_string() }}) as student_key,
        cast(records.student_id as bigint) as sis_student_id,
        cast(records.course_id as bigint) as course_id,

        -- the grade
        cast(records.term_code as bigint) as term_code,
        cast(records.grade_letter as {{ dbt.type_string() }}) as grade_letter,
        cast(records.grade_points as decimal(3, 2)) as grade_points,
        cast(records.credits_earned as integer) as credits_earned,
        cast(records.completed_on as date) as completed_on,

        -- bookkeeping
        cast(records.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from records

)

select * from final
