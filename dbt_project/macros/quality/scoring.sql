{#- Quality scores, 0-100: the share of records a dimension found nothing wrong with. -#}

{% macro quality_pct_clean(flag) -%}
    cast(round(100.0 - 100.0 * sum(case when {{ flag }} then 1 else 0 end) / count(*), 2) as numeric(5, 2))
{%- endmacro %}

{#- Counts and the four record-level scores, over the records of the current group of dq_record_checks. -#}
{% macro quality_dimension_scores() -%}
    sum(case when is_incomplete then 1 else 0 end) as incomplete_count,
        sum(case when is_invalid then 1 else 0 end) as invalid_count,
        sum(case when is_duplicate then 1 else 0 end) as duplicate_count,
        sum(case when is_orphan then 1 else 0 end) as orphan_count,
        {{ quality_pct_clean('is_incomplete') }} as completeness_score,
        {{ quality_pct_clean('is_invalid') }} as validity_score,
        {{ quality_pct_clean('is_duplicate') }} as uniqueness_score,
        {{ quality_pct_clean('is_orphan') }} as referential_integrity_score
{%- endmacro %}

{#- The overall score: the plain mean of the five dimensions (none is weighted: each is a different failure). -#}
{% macro quality_overall_score(relation_alias, timeliness) -%}
    cast(round((
        {{ relation_alias }}.completeness_score
        + {{ relation_alias }}.validity_score
        + {{ relation_alias }}.uniqueness_score
        + {{ relation_alias }}.referential_integrity_score
        + {{ timeliness }}
    ) / 5.0, 2) as numeric(5, 2))
{%- endmacro %}

{#- Timeliness: 100 while the data is within the freshness window (`campus:freshness:warn_hours`, the same one
    dbt source freshness warns on), falling linearly to 0 at twice the window. -#}
{% macro quality_timeliness_score(age_minutes) -%}
    cast(round(greatest(0, least(100,
        100.0 * (2 - ({{ age_minutes }}) / (60.0 * {{ var('campus:freshness:warn_hours') }}))
    )), 2) as numeric(5, 2))
{%- endmacro %}

{#- A dlt load id (epoch seconds as text) as a plain UTC timestamp. -#}
{% macro quality_load_time(load_id) -%}
    {{ adapter.dispatch('quality_load_time', 'campus_pathways')(load_id) }}
{%- endmacro %}

{% macro default__quality_load_time(load_id) -%}
    to_timestamp(cast({{ load_id }} as {{ dbt.type_float() }}))
{%- endmacro %}

{% macro duckdb__quality_load_time(load_id) -%}
    cast(timezone('UTC', to_timestamp(cast({{ load_id }} as double))) as timestamp)
{%- endmacro %}

{#- Snowflake's to_timestamp of a number of seconds is already a UTC TIMESTAMP_NTZ. -#}
{% macro snowflake__quality_load_time(load_id) -%}
    to_timestamp(cast({{ load_id }} as double))
{%- endmacro %}
