-- One row per (student, skill that some job posting requires): the skill's contribution to a match,
-- weight x rarity, and its rank among the student's skills (seed_rank 1 = the student's most telling skill).
-- Integer keys keep the candidate joins of rec_student_jobs cheap; student_skill_key packs (student, skill) into
-- one number so that join cannot be planned as a join on the skill alone (which pairs every holder of a skill
-- with every posting needing it: billions of rows at scale 1.0).

with

student_skills as (

    select * from {{ ref('int_student_skills__weighted') }}

),

skill_rarity as (

    select distinct
        skill_id,
        skill_name,
        rarity
    from {{ ref('int_job_skills__weighted') }}

),

numbered as (

    select
        dense_rank() over (order by student_skills.student_key) as student_number,
        student_skills.student_key,
        skill_rarity.skill_id,
        student_skills.skill_name,
        student_skills.weight,
        skill_rarity.rarity,
        student_skills.weight * skill_rarity.rarity as contribution,
        student_skills.is_from_courses,
        student_skills.is_from_interests,
        row_number() over (
            partition by student_skills.student_key
            order by student_skills.weight * skill_rarity.rarity desc, student_skills.skill_name
        ) as seed_rank
    from student_skills
    inner join skill_rarity
        on student_skills.skill_name = skill_rarity.skill_name
    where student_skills.weight > 0

),

final as (

    select
        student_number * {{ recs_skill_key_base() }} + skill_id as student_skill_key,
        *
    from numbered

)

select * from final
