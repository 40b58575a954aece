-- Every assessment with its quarantine reason, if any: the one place the rule lives.
-- stg_oracle_sis__assessments keeps the rows without a reason; quarantine_records takes the rest.

with

source as (

    {{ source_latest_version('oracle_sis', 'assessments', 'assessment_id') }}

),

renamed as (

    select
        -- ids
        cast(assessment_id as bigint) as assessment_id,
        cast(student_id as bigint) as student_id,
        cast(course_id as bigint) as course_id,

        -- assessment
        {{ clean_code('assessment_type') }} as assessment_type,
        cast(score as numeric(5, 2)) as score,
        cast(max_score as numeric(5, 2)) as max_score,
        cast(round(100 * score / nullif(max_score, 0), 2) as numeric(5, 2)) as score_pct,

        -- dates
        cast(assessed_on as date) as assessed_on,

        -- bookkeeping
        coalesce(is_deleted, 0) = 1 as is_deleted,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

),

validated as (

    select
        *,
        -- the source's own clock is its latest change: an assessment after it has not happened yet
        case
            when assessed_on > cast(max(updated_at) over () as date) then 'future_dated'
        end as quarantine_reason
    from renamed

)

select * from validated
