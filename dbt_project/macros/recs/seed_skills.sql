{#- Each student's skills that some posting needs, from the weighted skills and the postings' skill rarity:
    contribution = weight x rarity (what the skill adds to a match), seed_rank orders a student's skills by it
    (1 = the most telling). int_recs__student_profile keeps every row; int_recs__job_skill_index reads the top
    ones from here rather than from the profile, so the two are built side by side instead of one after the
    other on the recommendations' critical path. -#}
{% macro recs_ranked_student_skills(student_skills, job_skills) %}
    select
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
    from {{ student_skills }} as student_skills
    inner join (
        select distinct
            skill_id,
            skill_name,
            rarity
        from {{ job_skills }}
    ) as skill_rarity
        on student_skills.skill_name = skill_rarity.skill_name
    where student_skills.weight > 0
{% endmacro %}
