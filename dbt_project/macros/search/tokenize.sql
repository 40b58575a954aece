{#- Search tokenization: text -> one row per term, lower-cased, accents stripped where the warehouse can,
    split on every run of characters that are neither letters nor digits. The app must normalise a query the
    same way (lower-case, split on non-alphanumerics) before joining it to search_terms.

    search_tokens(relation, text_column, keep_columns) is a parenthesised subquery: the kept columns plus `term`. -#}
{% macro search_tokens(relation, text_column, keep_columns) -%}
    {{ adapter.dispatch('search_tokens', 'campus_pathways')(relation, text_column, keep_columns) }}
{%- endmacro %}

{% macro default__search_tokens(relation, text_column, keep_columns) -%}
    {{ duckdb__search_tokens(relation, text_column, keep_columns) }}
{%- endmacro %}

{#- DuckDB: unnest a regexp split; \p{L}\p{N} keep letters and digits of any script (RE2). -#}
{% macro duckdb__search_tokens(relation, text_column, keep_columns) -%}
(
    select
    {%- for column in keep_columns %}
        {{ relation }}.{{ column }},
    {%- endfor %}
        tokens.term
    from {{ relation }}
    cross join unnest(
        regexp_split_to_array(lower(strip_accents({{ relation }}.{{ text_column }})), '[^\p{L}\p{N}]+')
    ) as tokens (term)
    where tokens.term <> ''
)
{%- endmacro %}

{#- Snowflake: split a space-normalised string and flatten the array. -#}
{% macro snowflake__search_tokens(relation, text_column, keep_columns) -%}
(
    select
    {%- for column in keep_columns %}
        {{ relation }}.{{ column }},
    {%- endfor %}
        cast(tokens.value as varchar) as term
    from {{ relation }},
        lateral flatten(
            input => split(trim(regexp_replace(lower({{ relation }}.{{ text_column }}), '[^a-z0-9]+', ' ')), ' ')
        ) as tokens
    where cast(tokens.value as varchar) <> ''
)
{%- endmacro %}

{#- The integers first..last as a one-column relation `n` (prefix lengths, trigram offsets): a union of literals,
    portable and tiny. -#}
{% macro search_numbers(first, last) -%}
    {%- for n in range(first, last + 1) %}
    select {{ n }} as n{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A row fingerprint: md5 of the columns as text (null as empty), separated by '|'. -#}
{% macro search_row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
