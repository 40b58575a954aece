{#- A time-zone-aware timestamp (Workday `updatedAt`, file `_ingested_at`) as a plain UTC timestamp, the type every
    staging `updated_at` has (decision 003). A plain cast would convert to the session's time zone on DuckDB. -#}

{% macro to_utc_timestamp(expr) -%}
    {#- sqlfluff renders models without dbt's `adapter`: there it lints the DuckDB body. -#}
    {%- if adapter is defined -%}
        {{ adapter.dispatch('to_utc_timestamp', 'campus_pathways')(expr) }}
    {%- else -%}
        {{ duckdb__to_utc_timestamp(expr) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__to_utc_timestamp(expr) -%}
    cast({{ expr }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expr) -%}
    timezone('UTC', {{ expr }})
{%- endmacro %}

{% macro snowflake__to_utc_timestamp(expr) -%}
    cast(convert_timezone('UTC', {{ expr }}) as timestamp_ntz)
{%- endmacro %}
