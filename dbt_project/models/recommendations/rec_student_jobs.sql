-- Top-K job postings per student (var campus:recs:top_k), scored by weighted skill overlap (see
-- int_recs__student_job_shortlist for candidate generation and the score), without postings the student has
-- already been placed in, each with its matched and missing skills and a one-line reason.

{%- set top_k = var('campus:recs:top_k') %}

with

shortlist as (

    select * from {{ ref('int_recs__student_job_shortlist') }}

),

profile as (

    select * from {{ ref('int_recs__student_profile') }}

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

identity as (

    select * from {{ ref('int_students__identity_matched') }}

),

postings as (

    select distinct
        job_number,
        job_posting_id,
        posting_status,
        posted_date
    from job_index

),

students as (

    select distinct
        student_number,
        student_key
    from profile

),

-- integer keys from here on: grouping a million recommendations by string keys costs seconds
already_placed as (

    select distinct
        students.student_number,
        postings.job_number
    from {{ ref('stg_workday__job_placements') }} as placements
    inner join identity
        on placements.workday_student_id = identity.workday_student_id
    inner join students
        on identity.student_key = students.student_key
    inner join postings
        on placements.job_posting_id = postings.job_posting_id
    where not placements.is_deleted

),

ranked as (

    select
        shortlist.student_number,
        shortlist.job_number,
        shortlist.score,
        row_number() over (
            partition by shortlist.student_number
            order by
                shortlist.score desc,
                case when postings.posting_status = 'OPEN' then 0 else 1 end,
                postings.posted_date desc,
                postings.job_posting_id asc
        ) as rank
    from shortlist
    inner join postings
        on shortlist.job_number = postings.job_number
    left join already_placed
        on shortlist.student_number = already_placed.student_number and shortlist.job_number = already_placed.job_number
    where already_placed.job_number is null

),

top_k as (

    select * from ranked
    where rank <= {{ top_k }}

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

-- matched skills strongest first, missing ones in the posting's order (macros/recs/skill_lists.sql)
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
        students.student_key,
        postings.job_posting_id,
        cast(explanations.rank as integer) as rank,
        cast(explanations.score as {{ dbt.type_float() }}) as score,
        explanations.matched_skills,
        explanations.missing_skills,
        {{ recs_job_reason(
            'explanations.top_matched', 'explanations.has_course_match', 'explanations.has_interest_match',
            'explanations.top_missing', 'explanations.missing_count'
        ) }} as reason
    from explanations
    inner join students
        on explanations.student_number = students.student_number
    inner join postings
        on explanations.job_number = postings.job_number

)

select * from final
