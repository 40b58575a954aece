-- A table, not a view: search, recommendations and the app's student profile all read it; as a view it was
-- recomputed for each of them, and for every profile the app opened.
{{ config(materialized='table') }}

-- One row per (student_key, skill_name): how strongly the student holds a skill, from two kinds of evidence.
-- Formula (see _skills__docs.md): course evidence = sum over completed courses of
--   skill_weight x grade factor x recency decay; interest evidence = sum of 1 / interest_rank;
--   weight = mean, over the evidence kinds the student has, of each kind's share of the student's total.

with

identity as (

    select * from {{ ref('int_students__identity_matched') }}
    where not is_deleted

),

sis_keys as (

    select distinct
        sis_student_id,
        student_key
    from identity
    where sis_student_id is not null

),

workday_keys as (

    select distinct
        workday_student_id,
        student_key
    from identity
    where workday_student_id is not null

),

records as (

    select
        student_id,
        course_id,
        grade_points,
        {{ term_index('term_code') }} as term_index
    from {{ ref('stg_oracle_sis__academic_records') }}
    where not is_deleted and grade_points is not null

),

course_skills as (

    select * from {{ ref('stg_oracle_sis__course_skills') }}
    where not is_deleted

),

latest_term as (

    select max(term_index) as term_index from records

),

course_evidence as (

    select
        sis_keys.student_key,
        course_skills.skill_name,
        sum(
            course_skills.skill_weight
            * {{ grade_factor('records.grade_points') }}
            * power({{ var('campus:skills:recency_decay') }}, latest_term.term_index - records.term_index)
        ) as evidence
    from records
    cross join latest_term
    inner join sis_keys
        on records.student_id = sis_keys.sis_student_id
    inner join course_skills
        on records.course_id = course_skills.course_id
    group by sis_keys.student_key, course_skills.skill_name

),

interest_evidence as (

    select
        workday_keys.student_key,
        interests.skill_name,
        sum(1.0 / interests.interest_rank) as evidence,
        min(interests.interest_rank) as interest_rank
    from {{ ref('stg_workday__students__career_interests') }} as interests
    inner join workday_keys
        on interests.workday_student_id = workday_keys.workday_student_id
    where not interests.is_deleted and interests.interest_rank > 0
    group by workday_keys.student_key, interests.skill_name

),

course_shares as (

    select
        student_key,
        skill_name,
        evidence / sum(evidence) over (partition by student_key) as share
    from course_evidence
    where evidence > 0

),

interest_shares as (

    select
        student_key,
        skill_name,
        interest_rank,
        evidence / sum(evidence) over (partition by student_key) as share
    from interest_evidence

),

sources_per_student as (

    select
        student_key,
        count(*) as source_count
    from (
        select distinct student_key from course_shares
        union all
        select distinct student_key from interest_shares
    ) as has_source
    group by student_key

),

combined as (

    select
        coalesce(course_shares.student_key, interest_shares.student_key) as student_key,
        coalesce(course_shares.skill_name, interest_shares.skill_name) as skill_name,
        coalesce(course_shares.share, 0) as course_share,
        coalesce(interest_shares.share, 0) as interest_share,
        interest_shares.interest_rank
    from course_shares
    full outer join interest_shares
        on
            course_shares.student_key = interest_shares.student_key
            and course_shares.skill_name = interest_shares.skill_name

),

final as (

    select
        combined.student_key,
        combined.skill_name,
        cast(
            (combined.course_share + combined.interest_share) / sources_per_student.source_count
            as {{ dbt.type_float() }}
        ) as weight,
        cast(combined.course_share as {{ dbt.type_float() }}) as course_share,
        cast(combined.interest_share as {{ dbt.type_float() }}) as interest_share,
        combined.interest_rank,
        combined.course_share > 0 as is_from_courses,
        combined.interest_share > 0 as is_from_interests
    from combined
    inner join sources_per_student
        on combined.student_key = sources_per_student.student_key

)

select * from final
