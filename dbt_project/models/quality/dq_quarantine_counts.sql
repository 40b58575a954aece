-- Quarantined records by source table and reason: one row per (source_name, table_name, quarantine_reason).

with

quarantined as (

    select * from {{ ref('quarantine_records') }}

)

select
    -- ids
    source_name,
    lower(table_name) as table_name,
    quarantine_reason,

    -- volume
    count(*) as record_count,

    -- dates
    min(quarantined_at) as first_quarantined_at,
    max(quarantined_at) as last_quarantined_at

from quarantined
group by source_name, lower(table_name), quarantine_reason
