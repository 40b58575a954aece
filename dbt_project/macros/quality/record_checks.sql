{#- Per-record quality checks of one raw table. The tables and their specs are listed in
    models/quality/dq_record_checks.sql; each spec has:

    key: the raw record key, as `quarantine_records.record_key` writes it (text).
    required: raw columns that must be present (completeness).
    invalid: optional {model, key, flag}: the staging flag that marks a usable-but-wrong value (validity).
    later_duplicates: optional SQL naming records that repeat an earlier one (uniqueness), as the warn test does.
    Quarantine reasons count against a dimension by kind: `future_dated` -> validity, `unknown_course` and
    `parent_quarantined` -> referential integrity, `missing_required_field` -> completeness.
    Workday child tables (job_postings__skills, ...) carry no load id of their own: they are scored with their
    parent's quarantine (`parent_quarantined`) only through the parent's referential integrity. -#}



{#- True when a raw value is missing: null, or text that is empty once trimmed. -#}
{% macro quality_is_missing(column) -%}
    (
        {{ column }} is null
        or trim(cast({{ column }} as {{ dbt.type_string() }})) = ''
    )
{%- endmacro %}


{#- One select per scored table: one row per raw record with its load id and the check each dimension made. -#}
{% macro quality_record_checks_for(spec) -%}
    {%- set key = spec.key if '(' in spec.key or '|' in spec.key else 'cast(' ~ spec.key ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    select
        '{{ spec.source }}' as source_name,
        '{{ spec.table }}' as table_name,
        raw_records.record_key,
        raw_records.load_id,
        raw_records.is_incomplete,
    {%- if spec.invalid is defined %}
        coalesce(flagged.is_flagged_invalid, false) as is_flagged_invalid,
        {%- else %}
        false as is_flagged_invalid,
    {%- endif %}
    {%- if spec.later_duplicates is defined %}
        (later_duplicates.student_id is not null or raw_records.key_seen > 1) as is_duplicate,
        {%- else %}
        raw_records.key_seen > 1 as is_duplicate,
    {%- endif %}
        quarantined.quarantine_reason
    from (
        select
            {{ key }} as record_key,
            cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
            (
    {%- for column in spec.required %}
        {{ quality_is_missing(column) }}{% if not loop.last %} or{% endif %}
    {%- endfor %}
            ) as is_incomplete,
            -- a key seen again (an older version that a merge should have replaced) counts against uniqueness
            row_number() over (
                partition by {{ key }} order by cast(_dlt_load_id as {{ dbt.type_string() }}) desc
            ) as key_seen
        from {{ source(spec.source, spec.table) }}
    ) as raw_records
    {%- if spec.invalid is defined %}
    left join (
        select
            cast({{ spec.invalid.key }} as {{ dbt.type_string() }}) as record_key,
            ({{ spec.invalid.flag }}) as is_flagged_invalid
        from {{ ref(spec.invalid.model) }}
    ) as flagged
        on raw_records.record_key = flagged.record_key
    {%- endif %}
    {%- if spec.later_duplicates is defined %}
    left join (
        {{ spec.later_duplicates }}
    ) as later_duplicates
        on raw_records.record_key = cast(later_duplicates.student_id as {{ dbt.type_string() }})
    {%- endif %}
    left join {{ ref('quarantine_records') }} as quarantined
        on
            quarantined.source_name = '{{ spec.source }}'
            and lower(quarantined.table_name) = '{{ spec.table }}'
            and quarantined.record_key = raw_records.record_key
{%- endmacro %}
