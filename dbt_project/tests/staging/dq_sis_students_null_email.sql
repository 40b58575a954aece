-- Catches: SIS students without an e-mail address (stg_oracle_sis__students.email is null).
-- When: every build; warn, because the student stays usable (is_email_valid = false; decision 003).
-- Resolve: the registrar adds the address in the SIS; the next load clears the warning. A later duplicate record
-- of a person is left to dq_sis_students_duplicate_person (it is merged away, its e-mail is never used), so each
-- defect is reported once.

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
    students.first_name,
    students.last_name,
    students.email
from students
where
    students.email is null
    and students.student_id not in (select later_duplicates.student_id from later_duplicates)
