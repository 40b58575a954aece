-- Every required skill (dlt child table of Workday job postings) with its quarantine reason, if any.
-- A child of a quarantined posting is quarantined with it, so no staged skill points at a missing posting.

with

source as (

    select * from {{ source('workday', 'job_postings__skills') }}

),

parents as (

    select
        _dlt_id,
        job_posting_id,
        is_deleted,
        updated_at,
        quarantine_reason
    from {{ ref('base_workday__job_postings') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat([
            "parents.job_posting_id", "'-'", "cast(source._dlt_list_idx + 1 as " ~ dbt.type_string() ~ ")"
        ]) }} as job_posting_skill_id,
        parents.job_posting_id,

        -- skill: in the order Workday lists them
        {{ clean_text('source.value') }} as skill_name,
        cast(source._dlt_list_idx + 1 as integer) as skill_rank,

        -- bookkeeping: a list item has no clock of its own; it changes and retires with its posting
        parents.is_deleted,
        parents.updated_at,

        -- the parent's fate, for `validated`
        parents.quarantine_reason as parent_quarantine_reason

    from source
    -- dlt replaces a parent's children on merge: a child without a parent would break reconciliation loudly
    inner join parents
        on source._dlt_parent_id = parents._dlt_id

),

validated as (

    select
        *,
        case when parent_quarantine_reason is not null then 'parent_quarantined' end as quarantine_reason
    from renamed

)

select * from validated
