{{
    config(
        materialized='incremental',
        unique_key='assessment_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ purge_ineligible_fact_rows('assessment_id', 'stg_oracle_sis__assessments') }}"
    )
}}

with

assessments as (

    {{ eligible_sis_fact_rows('stg_oracle_sis__assessments') }}

),

final as (

    select
        -- keys
        cast(assessments.assessment_id as bigint) as assessment_id,
        cast(assessments.student_key as {{ dbt.type_string() }}) as student_key,
        cast(assessments.student_id as bigint) as sis_student_id,
        cast(assessments.course_id as bigint) as course_id,

        -- the assessment
        cast(assessments.assessment_type as {{ dbt.type_string() }}) as assessment_type,
        cast(assessments.assessed_on as date) as assessed_on,
        cast(assessments.score as double) as score,
        cast(assessments.max_score as double) as max_score,
        cast(assessments.score_pct as double) as score_pct,

        -- bookkeeping
        cast(assessments.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from assessments

)

select * from final
