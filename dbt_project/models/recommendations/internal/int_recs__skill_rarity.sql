-- The fitted rarity of each skill that postings require (int_job_skills__weighted's rarity, as it stood at the
-- fit), which every recommendation score uses. Refitted when a week of postings has passed since the fit (var
-- campus:recs:refit_days, on the postings' own clock: the newest posted_date), when postings require a skill the
-- fit lacks, and on --full-refresh; kept as fitted otherwise. A day moves the live rarity by well under 1%, but
-- it moves every student's scores and every posting list, and keeping it still is what lets
-- int_recs__student_job_shortlist rescore only the students whose inputs changed (docs/decisions/007).

{{ config(
    materialized='incremental',
    on_schema_change='fail',
    post_hook="{{ recs_keep_newest_fit() }}",
) }}

with

job_skills as (

    select * from {{ ref('int_job_skills__weighted') }}

),

current_fit as (

    select
        skill_name,
        max(job_count) as job_count,
        max(rarity) as rarity,
        (select max(posted.posted_date) from job_skills as posted) as fitted_through,
        {{ recs_fitted_at() }} as fitted_at
    from job_skills
    group by skill_name

)

{% if is_incremental() %}
    ,

    last_fit as (

        select * from {{ this }}

    ),

    refit_due as (

        select 1 as is_due
        where
            not exists (select 1 from last_fit)
            or exists (
                select 1
                from current_fit
                where not exists (
                    select 1
                    from last_fit
                    where last_fit.skill_name = current_fit.skill_name
                )
            )
            or (select max(fitted_through) from current_fit) >= {{ dbt.dateadd(
                'day', var('campus:recs:refit_days'), '(select max(fitted_through) from last_fit)'
            ) }}

    )

    select current_fit.* from current_fit
    where exists (select 1 from refit_due)
{% else %}
    select * from current_fit
{% endif %}
