-- One row per (active job posting, skill) with the skill's rarity in the job market: min_job_count / job_count,
-- 1 for the rarest skill, smaller for common ones (a posting needing a rare skill says more about a match).

-- A table: the recommendation profile and posting index both read it, and four tests check it.
{{ config(materialized='table') }}

with

postings as (

    select * from {{ ref('stg_workday__job_postings') }}
    where not is_deleted

),

posting_skills as (

    select distinct
        posting_skills.job_posting_id,
        posting_skills.skill_name,
        min(posting_skills.skill_rank) over (
            partition by posting_skills.job_posting_id, posting_skills.skill_name
        ) as skill_rank
    from {{ ref('stg_workday__job_postings__skills') }} as posting_skills
    inner join postings
        on posting_skills.job_posting_id = postings.job_posting_id
    where not posting_skills.is_deleted

),

skill_counts as (

    select
        skill_name,
        count(*) as job_count
    from posting_skills
    group by skill_name

),

rarity as (

    select
        skill_name,
        job_count,
        dense_rank() over (order by skill_name) as skill_id,
        min(job_count) over () * 1.0 / job_count as rarity
    from skill_counts

),

final as (

    select
        posting_skills.job_posting_id,
        posting_skills.skill_name,
        posting_skills.skill_rank,
        rarity.skill_id,
        rarity.job_count,
        cast(rarity.rarity as {{ dbt.type_float() }}) as rarity,
        postings.posting_status,
        postings.posted_date
    from posting_skills
    inner join rarity
        on posting_skills.skill_name = rarity.skill_name
    inner join postings
        on posting_skills.job_posting_id = postings.job_posting_id

)

select * from final
