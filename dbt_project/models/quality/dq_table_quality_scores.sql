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

    -- volume
    measured.record_count,
    measured.incomplete_count,
    measured.invalid_count,
    measured.duplicate_count,
    measured.orphan_count,

    -- scores, 0-100
    measured.completeness_score,
    measured.validity_score,
    measured.uniqueness_score,
    measured.referential_integrity_score,
    coalesce(latest_loads.timeliness_score, 0) as timeliness_score,
    {{ quality_overall_score('measured', 'coalesce(latest_loads.timeliness_score, 0)') }} as quality_score,

    -- load
    latest_loads.last_loaded_at

from measured
left join latest_loads
    on
        measured.source_name = latest_loads.source_name
        and measured.table_name = latest_loads.table_name
