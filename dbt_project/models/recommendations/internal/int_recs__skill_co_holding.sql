-- How often students who hold a skill also hold another, among each student's strongest skills (var
-- campus:recs:profile_skills, default 8) ranked with the fitted rarity: probability = students holding both /
-- students holding the first. Fitted with int_recs__skill_rarity (refitted in the run that refits it, kept
-- otherwise); int_recs__job_skill_index orders its posting lists with it.

{{ config(
    materialized='incremental',
    on_schema_change='fail',
    post_hook="{{ recs_keep_newest_fit() }}",
) }}

with

rarity as (

    select * from {{ ref('int_recs__skill_rarity') }}

),

-- the students' skills, only when the rarity was fitted after this model's own fit (otherwise none, and
-- nothing below is computed)
student_skills as (

    select * from {{ ref('int_student_skills__weighted') }}
    {% if is_incremental() %}
        where
            (select max(fitted.fitted_at) from rarity as fitted)
            > (
                select coalesce(max(kept.fitted_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
                from {{ this }} as kept
            )
    {% endif %}

),

ranked_student_skills as (

    {{ recs_ranked_student_skills('student_skills', ref('int_job_skills__weighted'), 'rarity') }}

),

profiles as (

    select
        student_key,
        skill_name
    from ranked_student_skills
    where seed_rank <= {{ var('campus:recs:profile_skills') }}

),

holders as (

    select
        skill_name,
        count(*) as holder_count
    from profiles
    group by skill_name

),

co_held as (

    select
        held.skill_name,
        also.skill_name as other_skill_name,
        count(*) as both_count
    from profiles as held
    inner join profiles as also
        on held.student_key = also.student_key and held.skill_name <> also.skill_name
    group by held.skill_name, also.skill_name

),

final as (

    select
        co_held.skill_name,
        co_held.other_skill_name,
        co_held.both_count * 1.0 / holders.holder_count as probability,
        (select max(fitted.fitted_at) from rarity as fitted) as fitted_at
    from co_held
    inner join holders
        on co_held.skill_name = holders.skill_name

)

select * from final
