with

source as (

    {{ source_latest_version('oracle_sis', 'students', 'student_id') }}

),

renamed as (

    select
        -- ids
        cast(student_id as bigint) as student_id,

        -- person
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_email('email') }} as email,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('city') }} as city,

        -- programme and standing
        {{ clean_code('program_code') }} as program_code,
        {{ clean_code('status_code') }} as student_status,
        cast(gpa as numeric(4, 2)) as gpa,

        -- dates
        cast(date_of_birth as date) as date_of_birth,
        cast(enrollment_date as date) as enrollment_date,
        cast(expected_graduation_date as date) as expected_graduation_date,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

),

validated as (

    select
        *,
        -- flags, not quarantine (decision 003): the student stays, marts treat the value as unknown
        {{ is_valid_email('email') }} as is_email_valid,
        -- a null GPA means "no completed course yet": missing, not wrong
        coalesce(gpa between 0 and 4, true) as is_gpa_valid
    from renamed

)

select
    student_id,
    first_name,
    last_name,
    email,
    is_email_valid,
    phone,
    date_of_birth,
    program_code,
    enrollment_date,
    expected_graduation_date,
    student_status,
    gpa,
    is_gpa_valid,
    city,
    is_deleted,
    updated_at
from validated
