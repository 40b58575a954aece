-- One row per skill, region and month: the figures of the latest Tableau snapshot that reported them.

with

trends as (

    select * from {{ ref('stg_tableau__job_market_trends') }}

),

latest as (

    select
        skill_name,
        region,
        trend_month,
        max(snapshot_date) as snapshot_date
    from trends
    group by skill_name, region, trend_month

),

final as (

    select
        -- keys
        cast(
            {{ dbt.concat(["trends.skill_name", "'|'", "trends.region", "'|'",
                           "cast(trends.trend_month as " ~ dbt.type_string() ~ ")"]) }}
            as {{ dbt.type_string() }}
        ) as job_market_trend_key,
        cast(trends.skill_name as {{ dbt.type_string() }}) as skill_name,
        cast(trends.region as {{ dbt.type_string() }}) as region,
        cast(trends.trend_month as date) as trend_month,

        -- figures
        cast(trends.job_postings as integer) as job_postings,
        cast(trends.median_salary as decimal(12, 2)) as median_salary,
        cast(trends.yoy_growth_pct as double) as yoy_growth_pct,
        cast(trends.snapshot_date as date) as snapshot_date

    from trends
    inner join latest
        on
            trends.skill_name = latest.skill_name
            and trends.region = latest.region
            and trends.trend_month = latest.trend_month
            and trends.snapshot_date = latest.snapshot_date

)

select * from final
