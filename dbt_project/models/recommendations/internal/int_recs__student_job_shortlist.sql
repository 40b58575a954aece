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
    they are synced, and as those rows carry no fingerprint every student is rescored once (keeps_rows below). -#}
{{ config(
    materialized='incremental',
    unique_key='student_key',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook="{{ recs_drop_departed_students() }}",
) }}

{%- set top_k = var('campus:recs:top_k') %}
{#- Rows kept from earlier runs count only if they carry fingerprints (a table from before has none). -#}
{%- set keeps_rows = is_incremental() and 'inputs_fingerprint' in (
    adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list
) %}
{%- set seed_skills = var('campus:recs:seed_skills', 4) %}
{%- set postings_per_seed_skill = var('campus:recs:postings_per_seed_skill', 25) %}

with

profile as (

    select * from {{ ref('int_recs__student_profile') }}

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

-- each posting with its skills: what its score for any student depends on
postings as (

    select
        job_number,
        job_posting_id,
        {{ dbt.listagg('skill_name', "','", 'order by skill_name') }} as skill_names
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

-- this model's code and settings are part of every fingerprint: changing either rescores everyone
fingerprints as (

    select
        profile.student_number,
        profile.student_key,
        {{ dbt.hash(dbt.concat([
            "'" ~ local_md5(model.raw_code ~ seed_skills ~ '/' ~ postings_per_seed_skill ~ '/' ~ top_k) ~ "|'",
            dbt.listagg(
                dbt.concat([
                    'profile.skill_name', "'='", 'cast(profile.contribution as ' ~ dbt.type_string() ~ ')',
                    "'#'", 'cast(profile.seed_rank as ' ~ dbt.type_string() ~ ')', "'@'",
                    "coalesce(list_heads.head_hash, '')"
                ]),
                "';'",
                'order by profile.skill_name'
            )
        ])) }} as inputs_fingerprint
    from profile
    left join list_heads
        on profile.skill_id = list_heads.skill_id and profile.seed_rank <= {{ seed_skills }}
    group by profile.student_number, profile.student_key

),

rescored_students as (

    select fingerprints.*
    from fingerprints
    {% if keeps_rows %}
        left join (
            select distinct
                kept_rows.student_key,
                kept_rows.inputs_fingerprint
            from {{ this }} as kept_rows
        ) as kept
            on fingerprints.student_key = kept.student_key
        where kept.inputs_fingerprint is null or kept.inputs_fingerprint <> fingerprints.inputs_fingerprint
    {% endif %}

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

)

select * from final
