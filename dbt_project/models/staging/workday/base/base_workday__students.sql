-- Every Workday student with its quarantine reason, if any: the one place the rule lives.
-- stg_workday__students keeps the rows without a reason; quarantine_records takes the rest, and the
-- career-interest children of a quarantined student follow it (base_workday__students__career_interests).

with

source as (

    {{ source_latest_version('workday', 'students', 'id') }}

),

renamed as (

    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as workday_student_id,
        cast(academic_program_id as {{ dbt.type_string() }}) as academic_program_id,

        -- person
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_email('email') }} as email,
        {{ clean_text('location') }} as location,

        -- dates
        cast(date_of_birth as date) as date_of_birth,

        -- bookkeeping
        coalesce(inactive, false) as is_deleted,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        -- lineage: dlt's row id, which the unnested child tables point at
        _dlt_id

    from source

),

validated as (

    select
        *,
        -- identity resolution and the app need both; Workday itself requires them
        case
            when email is null or last_name is null then 'missing_required_field'
        end as quarantine_reason
    from renamed

)

select * from validated
