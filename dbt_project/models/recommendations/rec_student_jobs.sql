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

already_placed as (

    select distinct
        identity.student_key,
        placements.job_posting_id
    from {{ ref('stg_workday__job_placements') }} as placements
    inner join identity
        on placements.workday_student_id = identity.workday_student_id
    where not placements.is_deleted

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

ranked as (

    select
        students.student_key,
        postings.job_posting_id,
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
    inner join students
        on shortlist.student_number = students.student_number
    inner join postings
        on shortlist.job_number = postings.job_number
    left join already_placed
        on students.student_key = already_placed.student_key and postings.job_posting_id = already_placed.job_posting_id
    where already_placed.job_posting_id is null

),

top_k as (

    select * from ranked
    where rank <= {{ top_k }}

),

-- each recommended posting's skills, with the student's contribution where the student has the skill
explained_skills as (

    select
        top_k.student_key,
        top_k.job_posting_id,
        top_k.rank,
        top_k.score,
        top_k.student_number,
        top_k.job_number,
        job_index.skill_name,
        job_index.skill_rank,
        profile.contribution,
        profile.is_from_courses,
        profile.is_from_interests,
        row_number() over (
            partition by top_k.student_number, top_k.job_number, profile.skill_id is null
            order by coalesce(profile.contribution, 0) desc, job_index.skill_rank, job_index.skill_name asc
        ) as skill_order
    from top_k
    inner join job_index
        on top_k.job_number = job_index.job_number
    left join profile
        on top_k.student_number * {{ recs_skill_key_base() }} + job_index.skill_id = profile.student_skill_key

),

explanations as (

    select
        student_key,
        job_posting_id,
        rank,
        score,
        {{ dbt.listagg(
            "case when contribution is not null then skill_name end", "'; '", 'order by skill_order'
        ) }} as matched_skills,
        {{ dbt.listagg("case when contribution is null then skill_name end", "'; '", 'order by skill_order') }}
            as missing_skills,
        {{ dbt.listagg(
            "case when contribution is not null and skill_order <= 3 then skill_name end", "', '", 'order by skill_order'
        ) }} as top_matched,
        {{ dbt.listagg(
            "case when contribution is null and skill_order <= 2 then skill_name end", "', '", 'order by skill_order'
        ) }} as top_missing,
        sum(case when contribution is null then 1 else 0 end) as missing_count,
        max(case when contribution is not null and is_from_courses then 1 else 0 end) as has_course_match,
        max(case when contribution is not null and is_from_interests then 1 else 0 end) as has_interest_match
    from explained_skills
    group by student_key, job_posting_id, rank, score

),

final as (

    select
        explanations.student_key,
        explanations.job_posting_id,
        cast(explanations.rank as integer) as rank,
        cast(explanations.score as {{ dbt.type_float() }}) as score,
        explanations.matched_skills,
        explanations.missing_skills,
        {{ recs_job_reason(
            'explanations.top_matched', 'explanations.has_course_match', 'explanations.has_interest_match',
            'explanations.top_missing', 'explanations.missing_count'
        ) }} as reason
    from explanations

)

select * from final
