-- Every career interest (dlt child table of Workday students) with its quarantine reason, if any.
-- A child of a quarantined student is quarantined with it, so no staged interest points at a missing student.

with

source as (

    select * from {{ source('workday', 'students__career_interests') }}

),

parents as (

    select
        _dlt_id,
        workday_student_id,
        is_deleted,
        updated_at,
        quarantine_reason
    from {{ ref('base_workday__students') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat([
            "parents.workday_student_id", "'-'", "cast(source._dlt_list_idx + 1 as " ~ dbt.type_string() ~ ")"
        ]) }} as career_interest_id,
        parents.workday_student_id,

        -- interest: Workday lists them most-wanted first
        {{ clean_text('source.value') }} as skill_name,
        cast(source._dlt_list_idx + 1 as integer) as interest_rank,

        -- bookkeeping: a list item has no clock of its own; it changes and retires with its student
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
