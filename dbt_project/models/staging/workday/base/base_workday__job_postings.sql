-- Every job posting with its quarantine reason, if any: the one place the rule lives.
-- stg_workday__job_postings keeps the rows without a reason; quarantine_records takes the rest, and the
-- skill children of a quarantined posting follow it (base_workday__job_postings__skills).

with

source as (

    {{ source_latest_version('workday', 'job_postings', 'id') }}

),

renamed as (

    select
        -- ids
        cast(id as {{ dbt.type_string() }}) as job_posting_id,
        {{ clean_code('requisition_id') }} as requisition_id,

        -- posting
        {{ clean_text('title') }} as job_title,
        {{ clean_text('employer') }} as employer,
        {{ clean_text('location') }} as location,
        {{ clean_text('region') }} as region,
        {{ clean_code('status') }} as posting_status,
        cast(salary_min as numeric(12, 2)) as salary_min,
        cast(salary_max as numeric(12, 2)) as salary_max,

        -- dates
        cast(posted_date as date) as posted_date,

        -- bookkeeping
        coalesce(inactive, false) as is_deleted,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        -- lineage: dlt's row id, which the unnested child table points at
        _dlt_id

    from source

),

validated as (

    select
        *,
        -- a posting without a title cannot be shown, searched or recommended
        case when job_title is null then 'missing_required_field' end as quarantine_reason
    from renamed

)

select * from validated
