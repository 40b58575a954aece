-- Quality of each scored raw table as it stands now, all loads together: one row per source table.

with

checks as (

    select * from {{ ref('dq_record_checks') }}

),

latest_loads as (

    select
        source_name,
        table_name,
        max(loaded_at) as last_loaded_at,
        max(timeliness_score) as timeliness_score
    from {{ ref('dq_load_quality_scores') }}
    where is_latest_load
    group by source_name, table_name

),

measured as (

    select
        source_name,
        table_name,
        count(*) as record_count,
        {{ quality_dimension_scores() }}
    from checks
    group by source_name, table_name

)

select
    -- ids
    measured.source_name,
    measured.table_name,

    -- volume (a sum of integers is HUGEINT on DuckDB)
    measured.record_count,
    cast(measured.incomplete_count as {{ dbt.type_bigint() }}) as incomplete_count,
    cast(measured.invalid_count as {{ dbt.type_bigint() }}) as invalid_count,
    cast(measured.duplicate_count as {{ dbt.type_bigint() }}) as duplicate_count,
    cast(measured.orphan_count as {{ dbt.type_bigint() }}) as orphan_count,

    -- scores, 0-100
    measured.completeness_score,
    measured.validity_score,
    measured.uniqueness_score,
    measured.referential_integrity_score,
    -- coalesce with an integer widens the score's decimal type: back to the scores' numeric(5, 2)
    cast(coalesce(latest_loads.timeliness_score, 0) as numeric(5, 2)) as timeliness_score,
    {{ quality_overall_score('measured', 'coalesce(latest_loads.timeliness_score, 0)') }} as quality_score,

    -- load
    latest_loads.last_loaded_at

from measured
left join latest_loads
    on
        measured.source_name = latest_loads.source_name
        and measured.table_name = latest_loads.table_name
