-- One row per (student, skill that some job posting requires): the skill's contribution to a match,
-- weight x fitted rarity (int_recs__skill_rarity), and its rank among the student's skills (seed_rank 1 = the
-- student's most telling skill).
-- Integer keys keep the candidate joins of rec_student_jobs cheap; student_skill_key packs (student, skill) into
-- one number so that join cannot be planned as a join on the skill alone (which pairs every holder of a skill
-- with every posting needing it: billions of rows at scale 1.0).

with

-- macros/recs/seed_skills.sql: contribution and seed_rank, shared with int_recs__job_skill_index
ranked as (

    {{ recs_ranked_student_skills(
        ref('int_student_skills__weighted'), ref('int_job_skills__weighted'), ref('int_recs__skill_rarity')
    ) }}

),

numbered as (

    select
        dense_rank() over (order by student_key) as student_number,
        *
    from ranked

),

final as (

    select
        student_number * {{ recs_skill_key_base() }} + skill_id as student_skill_key,
        *
    from numbered

)

select * from final
