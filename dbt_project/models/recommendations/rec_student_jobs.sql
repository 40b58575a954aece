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

-- each recommended posting's skills, with the student's contribution where the student has the skill
explained_skills as (

    select
        top_k.student_number,
        top_k.job_number,
        top_k.rank,
        top_k.score,
        job_index.skill_name,
        job_index.skill_rank,
        profile.contribution,
        profile.contribution is not null as is_matched,
        profile.is_from_courses,
        profile.is_from_interests
    from top_k
    inner join job_index
        on top_k.job_number = job_index.job_number
    left join profile
        on top_k.student_number * {{ recs_skill_key_base() }} + job_index.skill_id = profile.student_skill_key

),

-- integer group keys (string keys cost seconds over a million groups); matched skills strongest first, missing ones in the posting's order (macros/recs/skill_lists.sql)
{%- set matched_order = ['-contribution', 'skill_rank', 'skill_name'] %}
{%- set missing_order = ['skill_rank', 'skill_name'] %}
explanations as (

    select
        student_number,
        job_number,
        rank,
        score,
        {{ recs_ordered_names('skill_name', matched_order, 'is_matched', '; ') }} as matched_skills,
        {{ recs_ordered_names('skill_name', missing_order, 'not is_matched', '; ') }} as missing_skills,
        {{ recs_ordered_names('skill_name', matched_order, 'is_matched', ', ', 3) }} as top_matched,
        {{ recs_ordered_names('skill_name', missing_order, 'not is_matched', ', ', 2) }} as top_missing,
        sum(case when is_matched then 0 else 1 end) as missing_count,
        max(case when is_matched and is_from_courses then 1 else 0 end) as has_course_match,
        max(case when is_matched and is_from_interests then 1 else 0 end) as has_interest_match
    from explained_skills
    group by student_number, job_number, rank, score

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
