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

    select * from {{ ref('stg_oracle_sis__assessments') }}
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
        cast(assessments.assessment_id as bigint) as assessment_id,
        cast(identity.student_key as {{ dbt.type_string() }}) as student_key,
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
    inner join identity
        on assessments.student_id = identity.sis_student_id
    where
        identity.student_key in (select students.student_key from students)
        and assessments.course_id in (select courses.course_id from courses)

)

select * from final
