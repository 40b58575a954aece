{#- Each student's skills that some posting needs, from the weighted skills and the fitted skill rarity
    (`rarity`, int_recs__skill_rarity): contribution = weight x rarity (what the skill adds to a match), seed_rank
    orders a student's skills by it (1 = the most telling). int_recs__student_profile keeps every row;
    int_recs__skill_co_holding ranks with it too, rather than reading the profile, so each builds as soon as the
    fit is there. -#}
{% macro recs_ranked_student_skills(student_skills, job_skills, rarity) %}
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
        select
            posted_skills.skill_id,
            posted_skills.skill_name,
            fitted.rarity
        from (select distinct skill_id, skill_name from {{ job_skills }}) as posted_skills
        inner join {{ rarity }} as fitted
            on posted_skills.skill_name = fitted.skill_name
    ) as skill_rarity
        on student_skills.skill_name = skill_rarity.skill_name
    where student_skills.weight > 0
{% endmacro %}
