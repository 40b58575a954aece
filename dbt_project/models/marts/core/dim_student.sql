-- One row per person (student_key), active records only. Holds PII: see the pii tags in _core__models.yml.

with

students as (

    select * from {{ ref('int_students__unified') }}
    where not is_deleted

),

final as (

    select
        -- keys
        cast(student_key as {{ dbt.type_string() }}) as student_key,
        cast(sis_student_id as bigint) as sis_student_id,
        cast(workday_student_id as {{ dbt.type_string() }}) as workday_student_id,
        cast(academic_program_id as {{ dbt.type_string() }}) as academic_program_id,

        -- personal (PII)
        cast(first_name as {{ dbt.type_string() }}) as first_name,
        cast(last_name as {{ dbt.type_string() }}) as last_name,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(phone as {{ dbt.type_string() }}) as phone,
        cast(date_of_birth as date) as date_of_birth,
        cast(city as {{ dbt.type_string() }}) as city,

        -- academic
        cast(program_code as {{ dbt.type_string() }}) as program_code,
        cast(student_status as {{ dbt.type_string() }}) as student_status,
        cast(enrollment_date as date) as enrollment_date,
        cast(expected_graduation_date as date) as expected_graduation_date,
        cast(gpa as decimal(4, 2)) as gpa,

        -- career
        cast(workday_location as {{ dbt.type_string() }}) as workday_location,
        cast(career_interest_count as integer) as career_interest_count,

        -- identity
        cast(match_rule as {{ dbt.type_string() }}) as match_rule,
        cast(match_confidence as double) as match_confidence,
        cast(duplicate_record_count as integer) as duplicate_record_count,
        cast(is_in_sis as boolean) as is_in_sis,
        cast(is_in_workday as boolean) as is_in_workday,

        -- bookkeeping
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from students

)

select * from final
