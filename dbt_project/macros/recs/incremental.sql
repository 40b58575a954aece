{#- Bookkeeping of the recommendation models that keep rows between runs (docs/decisions/007). -#}

{#- The time of this run, as the fitted_at of skill statistics fitted now (a timestamp both warehouses parse). -#}
{% macro recs_fitted_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Post-hook of the skill statistics: keep only the newest fit. -#}
{% macro recs_keep_newest_fit() -%}
    delete from {{ this }} where fitted_at < (select max(fitted_at) from {{ this }})
{%- endmacro %}

{#- Post-hook of the per-student incremental models: rows of students no longer in `students` go (so do rows
    without a student, as a table from before these models were incremental leaves them), and so do the marker
    rows (null `marker_column`) by which a rescored student left without any row replaced its kept rows. -#}
{% macro recs_drop_departed_students(students, marker_column=none) -%}
    delete from {{ this }}
    where
        {% if marker_column %}{{ marker_column }} is null or {% endif %}not exists (
            select 1 from {{ students }} as students
            where students.student_key = {{ this }}.student_key
        )
{%- endmacro %}

{#- One row per student (student_key, inputs_fingerprint) that this incremental model kept from earlier runs;
    none when the model is built whole, or when its table predates fingerprints (rows without one are rebuilt;
    on_schema_change adds the column). The column check comes first: the model's SQL runs before dbt syncs
    the table's columns. -#}
{% macro recs_kept_fingerprints() -%}
    {%- set fingerprinted = is_incremental() and 'inputs_fingerprint' in (
        adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list
    ) -%}
    {%- if fingerprinted %}
    select distinct
        kept_rows.student_key,
        kept_rows.inputs_fingerprint
    from {{ this }} as kept_rows
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as student_key,
        cast(null as {{ dbt.type_string() }}) as inputs_fingerprint
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#- The rows of `fingerprints` (student_key, inputs_fingerprint, ...) whose student has no kept rows built from
    that same fingerprint: the students this run rebuilds. -#}
{% macro recs_students_to_rebuild(fingerprints) -%}
    select {{ fingerprints }}.*
    from {{ fingerprints }}
    where not exists (
        select 1
        from ({{ recs_kept_fingerprints() }}) as kept
        where
            kept.student_key = {{ fingerprints }}.student_key
            and kept.inputs_fingerprint = {{ fingerprints }}.inputs_fingerprint
    )
{%- endmacro %}

{#- This model's code and every recommendation macro's (recs_*, with their per-warehouse forms), as one text:
    its local_md5 is part of each fingerprint, so that changing the logic rebuilds every student's rows. -#}
{% macro recs_code_text() -%}
    {%- set code = [model.raw_code] -%}
    {%- for name in context.keys() | sort if 'recs_' in name and context[name].macro is defined -%}
        {%- do code.append(context[name].macro.macro_sql) -%}
    {%- endfor -%}
    {{- code | join('\n') -}}
{%- endmacro %}

{#- An order-free hash of a group's rows: the sum of each row's hash of `columns`. Both DuckDB and Snowflake
    have hash(...); a fingerprint only has to agree with itself on one warehouse. Summing numbers is far cheaper
    than hashing an ordered list of a million rows. -#}
{% macro recs_hash_sum(columns) -%}
    cast(sum(hash({{ columns | join(', ') }})) as {{ dbt.type_string() }})
{%- endmacro %}
