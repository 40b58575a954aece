-- The candidate index of rec_student_jobs: one row per (job posting, skill), with the posting's position in that
-- skill's list. Lists are ordered by the extra score a typical holder of the skill would get from the posting's
-- other skills (how often students who hold skill s also hold skill t, times t's rarity), then open and recent
-- postings first. rec_student_jobs reads only the head of each list, so it never pairs every student with every
-- posting that shares a skill.

with

job_skills as (

    select
        job_skills.*,
        dense_rank() over (order by job_skills.job_posting_id) as job_number
    from {{ ref('int_job_skills__weighted') }} as job_skills
    {% if var('campus:recs:open_postings_only', false) %}
        where job_skills.posting_status = 'OPEN'
    {% endif %}

),

-- each student's strongest skills, as the population whose co-occurrences order the lists; ranked as in
-- int_recs__student_profile (macros/recs/seed_skills.sql) but not read from it, so the two build side by side
ranked_student_skills as (

    {{ recs_ranked_student_skills(ref('int_student_skills__weighted'), ref('int_job_skills__weighted')) }}

),

profiles as (

    select
        student_key,
        skill_id
    from ranked_student_skills
    where seed_rank <= {{ var('campus:recs:profile_skills', 8) }}

),

holders as (

    select
        skill_id,
        count(*) as holder_count
    from profiles
    group by skill_id

),

co_held as (

    select
        held.skill_id,
        also.skill_id as other_skill_id,
        count(*) as both_count
    from profiles as held
    inner join profiles as also
        on held.student_key = also.student_key and held.skill_id <> also.skill_id
    group by held.skill_id, also.skill_id

),

also_held as (

    select
        co_held.skill_id,
        co_held.other_skill_id,
        co_held.both_count * 1.0 / holders.holder_count as probability
    from co_held
    inner join holders
        on co_held.skill_id = holders.skill_id

),

-- summed in decimals: postings whose extras are equal must tie and fall to the next sort key, whatever order the
-- rows are added in (as doubles the last bit followed that order, and list positions changed between builds)
expected_extra as (

    select
        job_skills.job_number,
        job_skills.skill_id,
        sum(cast(also_held.probability * other_skills.rarity as decimal(18, 12))) as expected_extra
    from job_skills
    inner join job_skills as other_skills
        on job_skills.job_number = other_skills.job_number and job_skills.skill_id <> other_skills.skill_id
    inner join also_held
        on job_skills.skill_id = also_held.skill_id and other_skills.skill_id = also_held.other_skill_id
    group by job_skills.job_number, job_skills.skill_id

),

final as (

    select
        job_skills.job_number,
        job_skills.job_posting_id,
        job_skills.skill_id,
        job_skills.skill_name,
        job_skills.skill_rank,
        job_skills.rarity,
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
