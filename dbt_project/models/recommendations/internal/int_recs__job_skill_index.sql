-- The candidate index of rec_student_jobs: one row per (job posting, skill), with the posting's position in that
-- skill's list. Lists are ordered by the extra score a typical holder of the skill would get from the posting's
-- other skills (how often students who hold skill s also hold skill t, times t's rarity, both as last fitted:
-- int_recs__skill_co_holding, int_recs__skill_rarity), then open and recent postings first. rec_student_jobs
-- reads only the head of each list, so it never pairs every student with every posting that shares a skill.

with

job_skills as (

    select
        job_skills.*,
        dense_rank() over (order by job_skills.job_posting_id) as job_number
    from {{ ref('int_job_skills__weighted') }} as job_skills
    {% if var('campus:recs:open_postings_only') %}
        where job_skills.posting_status = 'OPEN'
    {% endif %}

),

-- fitted with the skill rarity (docs/decisions/007): the lists move only as postings come, go or change
rarity as (

    select * from {{ ref('int_recs__skill_rarity') }}

),

also_held as (

    select * from {{ ref('int_recs__skill_co_holding') }}

),

-- summed in decimals: postings whose extras are equal must tie and fall to the next sort key, whatever order the
-- rows are added in (as doubles the last bit followed that order, and list positions changed between builds)
expected_extra as (

    select
        job_skills.job_number,
        job_skills.skill_id,
        sum(cast(also_held.probability * rarity.rarity as decimal(18, 12))) as expected_extra
    from job_skills
    inner join job_skills as other_skills
        on job_skills.job_number = other_skills.job_number and job_skills.skill_id <> other_skills.skill_id
    inner join also_held
        on job_skills.skill_name = also_held.skill_name and other_skills.skill_name = also_held.other_skill_name
    inner join rarity
        on other_skills.skill_name = rarity.skill_name
    group by job_skills.job_number, job_skills.skill_id

),

final as (

    select
        job_skills.job_number,
        job_skills.job_posting_id,
        job_skills.skill_id,
        job_skills.skill_name,
        job_skills.skill_rank,
        job_skills.posting_status,
        job_skills.posted_date,
        cast(coalesce(expected_extra.expected_extra, 0) as double) as expected_extra,
        row_number() over (
            partition by job_skills.skill_id
            order by
                coalesce(expected_extra.expected_extra, 0) desc,
                case when job_skills.posting_status = 'OPEN' then 0 else 1 end,
                job_skills.posted_date desc,
                job_skills.job_posting_id asc
        ) as skill_position
    from job_skills
    left join expected_extra
        on job_skills.job_number = expected_extra.job_number and job_skills.skill_id = expected_extra.skill_id

)

select * from final
