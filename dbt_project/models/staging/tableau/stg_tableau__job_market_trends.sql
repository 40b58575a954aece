with

source as (

    select * from {{ source('tableau', 'job_market_trends') }}

),

renamed as (

    select
        -- ids
        cast(snapshot_date as date) as snapshot_date,
        {{ clean_text('skill') }} as skill_name,
        {{ clean_text('region') }} as region,
        cast(month as date) as trend_month,

        -- measures
        cast(job_postings as integer) as job_postings,
        cast(median_salary as numeric(12, 2)) as median_salary,
        cast(yoy_growth_pct as {{ dbt.type_float() }}) as yoy_growth_pct,

        -- bookkeeping: a snapshot is never soft-deleted; it is as of its snapshot date
        false as is_deleted,
        cast(snapshot_date as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed
