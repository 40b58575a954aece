{#- E-mail validity for the `is_email_valid` flags (decision 003: flagged, not quarantined).
    Valid means one local part, one @ and a dotted domain ending in a 2+ letter top-level domain, on the
    lower-cased, trimmed address. Null is not valid. Regex functions differ by warehouse: hence the dispatch.
    `[.]` rather than `\.` keeps the pattern free of backslashes, which Snowflake string literals would eat. -#}

{% macro email_pattern() -%}
    ^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$
{%- endmacro %}

{% macro is_valid_email(expr) -%}
    {#- sqlfluff renders models without dbt's `adapter`: there it lints the DuckDB body. -#}
    {%- if adapter is defined -%}
        {{ adapter.dispatch('is_valid_email', 'campus_pathways')(expr) }}
    {%- else -%}
        {{ duckdb__is_valid_email(expr) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__is_valid_email(expr) -%}
    coalesce(regexp_like({{ expr }}, '{{ email_pattern() }}'), false)
{%- endmacro %}

{% macro duckdb__is_valid_email(expr) -%}
    coalesce(regexp_matches({{ expr }}, '{{ email_pattern() }}'), false)
{%- endmacro %}

{#- Snowflake's regexp_like matches the whole string (the anchors are redundant but harmless). -#}
{% macro snowflake__is_valid_email(expr) -%}
    coalesce(regexp_like({{ expr }}, '{{ email_pattern() }}'), false)
{%- endmacro %}
