-- Catches: SIS students whose GPA lies outside 0-4 (is_gpa_valid = false). A null GPA (no completed course yet)
-- is missing, not wrong, and is not reported.
-- When: every build; warn, because marts show such a GPA as null and keep the student.
-- Resolve: the registrar recomputes the GPA in the SIS. A later duplicate record is left to
-- dq_sis_students_duplicate_person.

{{ config(severity='warn', store_failures=true) }}

with

students as (

    select * from {{ ref('stg_oracle_sis__students') }}

),

later_duplicates as (

    {{ sis_later_duplicate_students(ref('stg_oracle_sis__students')) }}

)

select
    students.student_id,
    students.gpa
from students
where
    not students.is_gpa_valid
    and students.student_id not in (select later_duplicates.student_id from later_duplicates)
