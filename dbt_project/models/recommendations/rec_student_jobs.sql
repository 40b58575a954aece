-- Top-K job postings per student (var campus:recs:top_k), scored by weighted skill overlap (see
-- int_recs__student_job_shortlist for candidates and the score, int_recs__student_top_jobs for the ranking),
-- each with its matched and missing skills and a one-line reason.
--
-- Incremental per student (docs/decisions/007): a student's rows are rebuilt when the recs_fingerprint of the
-- student's list (int_recs__student_top_jobs) or this model's code changes, and kept otherwise.

{{ config(
    materialized='incremental',
    unique_key='student_key',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ recs_drop_departed_students(ref('int_recs__student_top_jobs')) }}",
) }}

with

top_jobs as (

    select * from {{ ref('int_recs__student_top_jobs') }}

),

fingerprints as (

    select distinct
        student_number,
        student_key,
        {{ dbt.hash(dbt.concat(["'" ~ local_md5(recs_code_text()) ~ "|'", 'recs_fingerprint'])) }} as inputs_fingerprint
    from top_jobs

),

-- students without kept rows built from their current fingerprint (macros/recs/incremental.sql)
rebuilt_students as (

    {{ recs_students_to_rebuild('fingerprints') }}

),

top_k as (

    select
        top_jobs.*,
        rebuilt_students.inputs_fingerprint
    from top_jobs
    inner join rebuilt_students
        on top_jobs.student_number = rebuilt_students.student_number

),

profile as (

    select profile.*
    from {{ ref('int_recs__student_profile') }} as profile
    inner join rebuilt_students
        on profile.student_number = rebuilt_students.student_number

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

-- each recommendation's matched and missing skills (macros/recs/explanations.sql: one dispatch, a form per warehouse)
explanations as (

    {{ recs_explain_postings('top_k', 'job_index', 'profile') }}

),

final as (

    select
        top_k.student_key,
        top_k.job_posting_id,
        cast(explanations.rank as integer) as rank,
        cast(explanations.score as {{ dbt.type_float() }}) as score,
        explanations.matched_skills,
        explanations.missing_skills,
        {{ recs_job_reason(
            'explanations.top_matched', 'explanations.has_course_match', 'explanations.has_interest_match',
            'explanations.top_missing', 'explanations.missing_count'
        ) }} as reason,
        top_k.inputs_fingerprint
    from explanations
    inner join top_k
        on explanations.student_number = top_k.student_number and explanations.job_number = top_k.job_number

)

select * from final
