-- One row per student and skill: how strongly the student holds it, from completed courses and declared career
-- interests. The weighting is int_student_skills__weighted's; this mart gives readers (the app's student profile)
-- a stable, documented relation for it.

with

skills as (

    select * from {{ ref('int_student_skills__weighted') }}

)

select
    -- ids
    student_key,
    skill_name,

    -- strength
    weight,
    course_share,
    interest_share,

    -- evidence
    interest_rank,
    is_from_courses,
    is_from_interests

from skills
