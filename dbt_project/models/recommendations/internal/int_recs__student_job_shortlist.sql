-- Step 1 of rec_student_jobs: candidate generation and exact scoring, kept as a table so the explanation step
-- reads it once. Candidates, not every posting: each student's top seed skills (by contribution, var
-- campus:recs:seed_skills) x the head of each skill's posting list (int_recs__job_skill_index, var
-- campus:recs:postings_per_seed_skill); only those ~100 candidates per student are scored exactly:
--   score = sum over skills shared by student and posting of (student's skill weight x skill rarity).
-- Keeps K + 5 per student, so dropping postings the student was already placed in still leaves K.

{%- set top_k = var('campus:recs:top_k') %}

with

profile as (

    select * from {{ ref('int_recs__student_profile') }}

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

candidates as (

    select distinct
        profile.student_number,
        job_index.job_number
    from profile
    inner join job_index
        on profile.skill_id = job_index.skill_id
    where
        profile.seed_rank <= {{ var('campus:recs:seed_skills', 4) }}
        and job_index.skill_position <= {{ var('campus:recs:postings_per_seed_skill', 25) }}

),

-- (posting, skill) pairs as one packed key: a small hash table (one row per posting skill) that each candidate's
-- skills probe, cheaper than probing the profile with every skill of every candidate posting
posting_skills as (

    select job_number * {{ recs_skill_key_base() }} + skill_id as job_skill_key
    from job_index

),

scored as (

    select
        candidates.student_number,
        candidates.job_number,
        sum(profile.contribution) as score
    from candidates
    inner join profile
        on candidates.student_number = profile.student_number
    inner join posting_skills
        on candidates.job_number * {{ recs_skill_key_base() }} + profile.skill_id = posting_skills.job_skill_key
    group by candidates.student_number, candidates.job_number

),

-- a few spare places per student, so that dropping already-placed postings still leaves K
shortlist as (

    select *
    from scored
    qualify row_number() over (partition by student_number order by score desc, job_number asc) <= {{ top_k | int + 5 }}

)

select * from shortlist
