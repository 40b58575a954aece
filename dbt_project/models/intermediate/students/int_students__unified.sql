-- A table: dim_student, identity tests, skills, search and recommendations all read it; as a view it was
-- recomputed for each of them.
{{ config(materialized='table') }}

-- One row per student_key: the surviving SIS record and the linked Workday record side by side.
-- Personal fields come from the SIS when it has them, else from Workday. A key is deleted only when every
-- record behind it is soft-deleted.

with

identity as (

    select * from {{ ref('int_students__identity_matched') }}

),

sis_students as (

    select * from {{ ref('stg_oracle_sis__students') }}

),

workday_students as (

    select * from {{ ref('stg_workday__students') }}

),

programs as (

    select * from {{ ref('stg_workday__academic_programs') }}
    where not is_deleted

),

career_interests as (

    select
        workday_student_id,
        count(*) as career_interest_count
    from {{ ref('stg_workday__students__career_interests') }}
    group by workday_student_id

),

keys as (

    select
        student_key,
        max(surviving_sis_student_id) as sis_student_id,
        max(workday_student_id) as workday_student_id,
        -- the Workday record carries the link's rule; a key without one is SIS-only
        coalesce(max(case when source_system = 'workday' then match_rule end), 'sis_only') as match_rule,
        coalesce(max(case when source_system = 'workday' then match_confidence end), 1.0) as match_confidence,
        sum(case when match_rule = 'sis_duplicate' then 1 else 0 end) as duplicate_record_count,
        min(case when is_deleted then 1 else 0 end) = 1 as is_deleted
    from identity
    group by student_key

),

joined as (

    select
        -- keys
        keys.student_key,
        keys.sis_student_id,
        keys.workday_student_id,

        -- personal: SIS first, Workday when the SIS has no record or no usable value
        coalesce(sis_students.first_name, workday_students.first_name) as first_name,
        coalesce(sis_students.last_name, workday_students.last_name) as last_name,
        coalesce(
            case when sis_students.is_email_valid then sis_students.email end, workday_students.email
        ) as email,
        sis_students.phone,
        coalesce(sis_students.date_of_birth, workday_students.date_of_birth) as date_of_birth,
        coalesce(sis_students.city, workday_students.location) as city,

        -- academic
        coalesce(sis_students.program_code, workday_programs.program_code) as program_code,
        case
            when sis_students.program_code is not null then sis_programs.academic_program_id
            else workday_programs.academic_program_id
        end as academic_program_id,
        sis_students.student_status,
        sis_students.enrollment_date,
        sis_students.expected_graduation_date,
        case when sis_students.is_gpa_valid then sis_students.gpa end as gpa,

        -- career
        workday_students.location as workday_location,
        coalesce(career_interests.career_interest_count, 0) as career_interest_count,

        -- identity
        keys.match_rule,
        keys.match_confidence,
        keys.duplicate_record_count,
        keys.sis_student_id is not null as is_in_sis,
        keys.workday_student_id is not null as is_in_workday,
        keys.is_deleted,
        greatest(
            coalesce(sis_students.updated_at, workday_students.updated_at),
            coalesce(workday_students.updated_at, sis_students.updated_at)
        ) as updated_at

    from keys
    left join sis_students
        on keys.sis_student_id = sis_students.student_id
    left join workday_students
        on keys.workday_student_id = workday_students.workday_student_id
    left join programs as workday_programs
        on workday_students.academic_program_id = workday_programs.academic_program_id
    left join programs as sis_programs
        on sis_students.program_code = sis_programs.program_code
    left join career_interests
        on keys.workday_student_id = career_interests.workday_student_id

)

select * from joined
