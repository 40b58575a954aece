-- Quality of each scored raw table per dlt load: one row per source table and `_dlt_load_id`, with the
-- ingestion run (raw_meta.load_history) that wrote it. Incremental: a load's scores are kept as they were
-- once a newer load of the same table has been scored, so this is the history of quality over time.

{#- The contract allows append_new_columns (or fail): a new column is added to the kept history rather than
    failing the build, since a full refresh would re-score past loads as their records stand now. -#}
{{ config(
    materialized='incremental',
    unique_key='load_quality_id',
    on_schema_change='append_new_columns',
) }}

with

checks as (

    select * from {{ ref('dq_record_checks') }}

),

load_history as (

    select
        run_id,
        source_name,
        table_name,
        load_status,
        rows_loaded,
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('finished_at') }} as finished_at
    from {{ ref('stg_meta__load_history') }}

),

-- when each table was last confirmed current: a successful load run, even one that brought no new rows
last_success as (

    select
        source_name,
        table_name,
        max(finished_at) as last_success_at
    from load_history
    where load_status = 'success'
    group by source_name, table_name

),

loads as (

    select
        source_name,
        table_name,
        load_id,
        {{ quality_load_time('load_id') }} as loaded_at,
        count(*) as record_count,
        {{ quality_dimension_scores() }}
    from checks
    group by source_name, table_name, load_id

),

{% if is_incremental() %}
-- re-score from the newest load already scored per table: its timeliness and is_latest_load change now
    scored_through as (

        select
            source_name,
            table_name,
            max(load_id) as max_scored_load_id
        from {{ this }}
        group by source_name, table_name

    ),
{% endif %}

sequenced as (

    select
        loads.*,
        lead(loads.loaded_at) over (
            partition by loads.source_name, loads.table_name order by loads.load_id
        ) as next_loaded_at
    from loads

),

timed as (

    select
        sequenced.*,
        sequenced.next_loaded_at is null as is_latest_load,
        {{ dbt.datediff(
            'sequenced.loaded_at',
            'coalesce(sequenced.next_loaded_at, ' ~ to_utc_timestamp(dbt.current_timestamp()) ~ ')',
            'minute'
        ) }} as raw_age_minutes,
        {{ dbt.datediff(
            'case when last_success.last_success_at > sequenced.loaded_at then last_success.last_success_at'
            ~ ' else sequenced.loaded_at end',
            to_utc_timestamp(dbt.current_timestamp()),
            'minute'
        ) }} as confirmed_age_minutes
    from sequenced
    left join last_success
        on
            sequenced.source_name = last_success.source_name
            and sequenced.table_name = last_success.table_name

),

runs as (

    select
        timed.source_name,
        timed.table_name,
        timed.load_id,
        max(load_history.run_id) as run_id,
        max(load_history.rows_loaded) as rows_loaded_in_run
    from timed
    inner join load_history
        on
            timed.source_name = load_history.source_name
            and timed.table_name = load_history.table_name
            and timed.loaded_at between load_history.started_at and load_history.finished_at
    group by timed.source_name, timed.table_name, timed.load_id

),

scored as (

    select
        timed.*,
        {{ quality_timeliness_score(
            'case when timed.is_latest_load then timed.confirmed_age_minutes else timed.raw_age_minutes end'
        ) }} as timeliness_score
    from timed

)

select
    -- ids
    {{ dbt.concat(["scored.source_name", "'|'", "scored.table_name", "'|'", "scored.load_id"]) }}
        as load_quality_id,
    scored.source_name,
    scored.table_name,
    scored.load_id,
    runs.run_id,

    -- load
    scored.loaded_at,
    scored.is_latest_load,
    runs.rows_loaded_in_run,

    -- volume: the records this load last wrote, as they stand now (a sum of integers is HUGEINT on DuckDB)
    scored.record_count,
    cast(scored.incomplete_count as {{ dbt.type_bigint() }}) as incomplete_count,
    cast(scored.invalid_count as {{ dbt.type_bigint() }}) as invalid_count,
    cast(scored.duplicate_count as {{ dbt.type_bigint() }}) as duplicate_count,
    cast(scored.orphan_count as {{ dbt.type_bigint() }}) as orphan_count,

    -- scores, 0-100
    scored.completeness_score,
    scored.validity_score,
    scored.uniqueness_score,
    scored.referential_integrity_score,
    scored.timeliness_score,
    {{ quality_overall_score('scored', 'scored.timeliness_score') }} as quality_score,

    -- bookkeeping
    {{ to_utc_timestamp(dbt.current_timestamp()) }} as scored_at

from scored
left join runs
    on
        scored.source_name = runs.source_name
        and scored.table_name = runs.table_name
        and scored.load_id = runs.load_id
{% if is_incremental() %}
    left join scored_through
        on
            scored.source_name = scored_through.source_name
            and scored.table_name = scored_through.table_name
    where
        scored_through.max_scored_load_id is null
        or scored.load_id >= scored_through.max_scored_load_id
{% endif %}
