-- One row per day for 10,000 days from 2010-01-01 (to 2037-05): the time spine MetricFlow needs to aggregate
-- metrics by day, week or month. Built from cross-joined digits, which every warehouse can do.

with

digits as (

    select digit.n
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit (n)

),

day_numbers as (

    select thousands.n * 1000 + hundreds.n * 100 + tens.n * 10 + units.n as day_number
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as units

),

final as (

    select cast({{ dbt.dateadd('day', 'day_number', "cast('2010-01-01' as date)") }} as date) as date_day
    from day_numbers

)

select * from final
