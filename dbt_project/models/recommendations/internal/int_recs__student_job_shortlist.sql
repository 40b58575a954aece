-- Step 1 of rec_student_jobs: candidate generation and exact scoring, kept as a table so the explanation step
-- reads it once. Candidates, not every posting: each student's top seed skills (by contribution, var
-- campus:recs:seed_skills) x the head of each skill's posting list (int_recs__job_skill_index, var
-- campus:recs:postings_per_seed_skill); only those ~100 candidates per student are scored exactly:
--   score = sum over skills shared by student and posting of (student's skill weight x skill rarity).
-- Keeps K + 5 per student, so dropping postings the student was already placed in still leaves K.
--
-- Incremental per student (docs/decisions/007). A student's rows follow from two things only: the student's
-- profile (skills, contributions, seed ranks) and the heads of the lists of the student's seed skills (which
-- postings, with which skills). Both go into inputs_fingerprint; a run rescores the students whose fingerprint
-- changed (or who are new) and keeps the others' rows, which a full rescoring would reproduce. Business keys,
-- not the integer numbers of one run: kept rows must still mean the same student and posting tomorrow.

{#- sync_all_columns: a warehouse built before this model was incremental holds its table with other columns;
    they are synced, and as those rows carry no fingerprint every student is rescored once
    (macros/recs/incremental.sql). -#}
{{ config(
    materialized='incremental',
    unique_key='student_key',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook="{{ recs_drop_departed_students(ref('int_recs__student_profile'), 'job_posting_id') }}",
) }}

{%- set top_k = var('campus:recs:top_k') %}
{%- set seed_skills = var('campus:recs:seed_skills') %}
{%- set postings_per_seed_skill = var('campus:recs:postings_per_seed_skill') %}

with

profile as (

    select * from {{ ref('int_recs__student_profile') }}

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

-- each posting with its skills (and their order, which explanations show): what it offers any student
postings as (

    select
        job_number,
        job_posting_id,
        {{ dbt.listagg(
            dbt.concat(['skill_name', "'~'", 'cast(skill_rank as ' ~ dbt.type_string() ~ ')']), "','", 'order by skill_name'
        ) }} as skill_names
    from job_index
    group by job_number, job_posting_id

),

-- each list head as one hash: the postings a seed skill offers as candidates, with their skills
list_heads as (

    select
        job_index.skill_id,
        {{ dbt.hash(dbt.listagg(
            dbt.concat(['postings.job_posting_id', "':'", 'postings.skill_names']), "';'", 'order by job_index.skill_position'
        )) }} as head_hash
    from job_index
    inner join postings
        on job_index.job_number = postings.job_number
    where job_index.skill_position <= {{ postings_per_seed_skill }}
    group by job_index.skill_id

),

-- this model's code and settings are part of every fingerprint: changing either rescores everyone; the
-- profile's skill origins are too, as the explanations downstream name them
fingerprints as (

    select
        profile.student_number,
        profile.student_key,
        {{ dbt.hash(dbt.concat([
            "'" ~ local_md5(recs_code_text()) ~ '/' ~ seed_skills ~ '/' ~ postings_per_seed_skill ~ '/' ~ top_k ~ "|'",
            recs_hash_sum([
                'profile.skill_name', 'profile.contribution', 'profile.seed_rank', 'profile.is_from_courses',
                'profile.is_from_interests', "coalesce(list_heads.head_hash, '')"
            ])
        ])) }} as inputs_fingerprint
    from profile
    left join list_heads
        on profile.skill_id = list_heads.skill_id and profile.seed_rank <= {{ seed_skills }}
    group by profile.student_number, profile.student_key

),

-- students without kept rows built from their current fingerprint (macros/recs/incremental.sql)
rescored_students as (

    {{ recs_students_to_rebuild('fingerprints') }}

),

seeds as (

    select
        profile.student_number,
        profile.skill_id
    from profile
    inner join rescored_students
        on profile.student_number = rescored_students.student_number
    where profile.seed_rank <= {{ seed_skills }}

),

list_head_postings as (

    select
        skill_id,
        job_number
    from job_index
    where skill_position <= {{ postings_per_seed_skill }}

),

candidates as (

    select distinct
        seeds.student_number,
        list_head_postings.job_number
    from seeds
    inner join list_head_postings
        on seeds.skill_id = list_head_postings.skill_id

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

),

final as (

    select
        rescored_students.student_key,
        postings.job_posting_id,
        shortlist.score,
        rescored_students.inputs_fingerprint
    from shortlist
    inner join rescored_students
        on shortlist.student_number = rescored_students.student_number
    inner join postings
        on shortlist.job_number = postings.job_number

    union all

    -- a rescored student left without candidates (possible with campus:recs:open_postings_only) still replaces
    -- its kept rows: by one marker row, which the post-hook removes
    select
        rescored_students.student_key,
        null as job_posting_id,
        null as score,
        rescored_students.inputs_fingerprint
    from rescored_students
    where not exists (
        select 1
        from shortlist
        where shortlist.student_number = rescored_students.student_number
    )

)

select * from final
