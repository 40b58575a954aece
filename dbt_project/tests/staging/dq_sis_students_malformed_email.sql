-- Catches: SIS students whose e-mail is present but not an address (no @, two @, spaces; is_email_valid = false).
-- When: every build; warn, because the student stays usable and the flag keeps the address out of matching.
-- Resolve: correct the address in the SIS. A later duplicate record is left to dq_sis_students_duplicate_person.

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
    students.email
from students
where
    students.email is not null
    and not students.is_email_valid
    and students.student_id not in (select later_duplicates.student_id from later_duplicates)
