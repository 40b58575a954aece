{#- An aggregate: the values of `value` on the group's rows where `condition` holds, ordered by `order_keys`
    (all ascending: negate a number to sort it descending), joined by `separator`; only the first `limit` when
    given. Null when no row qualifies. Used per recommendation, over hundreds of thousands of groups (the
    course lists of rec_student_courses; on Snowflake also rec_student_jobs' skill lists, see
    macros/recs/explanations.sql), so each warehouse gets its cheapest form. -#}
{% macro recs_ordered_names(value, order_keys, condition, separator, limit=none) -%}
    {{ adapter.dispatch('recs_ordered_names', 'campus_pathways')(value, order_keys, condition, separator, limit) }}
{%- endmacro %}

{#- Snowflake (and the default): an ordered listagg; the first N are split back out of it ('; ' never occurs
    inside a skill name: it is the list separator of every skill list in this project). -#}
{% macro default__recs_ordered_names(value, order_keys, condition, separator, limit) -%}
    {%- set inner_separator = separator if not limit else '; ' -%}
    {%- set aggregated -%}
        listagg(case when {{ condition }} then {{ value }} end, '{{ inner_separator }}')
        within group (order by {{ order_keys | join(', ') }})
    {%- endset -%}
    {%- if not limit %}
    nullif({{ aggregated }}, '')
    {%- else %}
    nullif(
        split_part({{ aggregated }}, '; ', 1)
        {%- for position in range(2, limit + 1) %}
        || coalesce('{{ separator }}' || nullif(split_part({{ aggregated }}, '; ', {{ position }}), ''), '')
        {%- endfor %},
        ''
    )
    {%- endif %}
{%- endmacro %}

{#- DuckDB: ordered aggregates over many small groups cost seconds; an unordered list of structs sorted
    afterwards costs a fraction (structs sort field by field). DuckDB keeps one list when the same list is
    asked for twice (full and first-N), so both cost one aggregate. -#}
{% macro duckdb__recs_ordered_names(value, order_keys, condition, separator, limit) -%}
    {%- set fields = [] -%}
    {%- for key in order_keys -%}
        {%- do fields.append("'k" ~ loop.index ~ "': " ~ key) -%}
    {%- endfor -%}
    {%- do fields.append("'v': " ~ value) -%}
    {%- set names -%}
        list_transform(list_sort(list({ {{- fields | join(', ') -}} }) filter (where {{ condition }})), lambda x: x.v)
    {%- endset -%}
    nullif(array_to_string({{ names }}{% if limit %}[1:{{ limit }}]{% endif %}, '{{ separator }}'), '')
{%- endmacro %}
