-- Top-K job postings per student (var campus:recs:top_k), scored by weighted skill overlap (see
-- int_recs__student_job_shortlist for candidates and the score, int_recs__student_top_jobs for the ranking),
-- each with its matched and missing skills and a one-line reason.

with

top_k as (

    select * from {{ ref('int_recs__student_top_jobs') }}

),

profile as (

    select * from {{ ref('int_recs__student_profile') }}

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
        ) }} as reason
    from explanations
    inner join top_k
        on explanations.student_number = top_k.student_number and explanations.job_number = top_k.job_number

)

select * from final
