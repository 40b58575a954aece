{#- Who is the same person: names as identity resolution compares them, and the one SIS "same person" rule,
    shared by identity resolution, the duplicate warn test and the quality checks. -#}

{#- A name as the matcher compares it: lower-cased, trimmed, inner runs of whitespace collapsed to one space.
    Collapsing needs a regular expression, whose flags differ by warehouse: hence the dispatch. -#}
{% macro normalize_name(expr) -%}
    {#- sqlfluff renders models without dbt's `adapter`: there it lints the DuckDB body. -#}
    {%- if adapter is defined -%}
        {{ adapter.dispatch('normalize_name', 'campus_pathways')(expr) }}
    {%- else -%}
        {{ duckdb__normalize_name(expr) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__normalize_name(expr) -%}
    nullif(lower(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}

{% macro duckdb__normalize_name(expr) -%}
    nullif(lower(trim(regexp_replace({{ expr }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}

{#- Snowflake's regexp_replace replaces every occurrence by default and takes no 'g' flag. -#}
{% macro snowflake__normalize_name(expr) -%}
    nullif(lower(trim(regexp_replace({{ expr }}, '\\s+', ' '))), '')
{%- endmacro %}

{#- The project's one "same person" rule for SIS records: two records with the same first and last name (as
    normalize_name compares them) and the same date of birth, the later one under a higher student id (a second
    admission keyed in again). `later` and `earlier` are aliases of relations with first_name_norm, last_name_norm,
    date_of_birth and student_id. Two consumers apply it with different evidence, on purpose:
    - the warn test dq_sis_students_duplicate_person (sis_later_duplicate_students) reports every such record,
      soft-deleted or not, for the registrar to review: a false alarm costs a look;
    - identity resolution (int_students__identity_matched) merges only active records whose e-mail agrees too
      (the same address or local part): a wrong merge would mix two people's records, and two students can share
      a name and a birthday. -#}
{% macro sis_same_person(later, earlier) -%}
    {{ later }}.first_name_norm = {{ earlier }}.first_name_norm
    and {{ later }}.last_name_norm = {{ earlier }}.last_name_norm
    and {{ later }}.date_of_birth = {{ earlier }}.date_of_birth
    and {{ earlier }}.student_id < {{ later }}.student_id
{%- endmacro %}

{#- SIS student records that repeat an earlier record of the same person (sis_same_person): the later id and the
    lowest id of its group, the record identity resolution keeps. -#}
{% macro sis_later_duplicate_students(students) -%}
    {%- set normalized -%}
        select
            student_id,
            {{ normalize_name('first_name') }} as first_name_norm,
            {{ normalize_name('last_name') }} as last_name_norm,
            date_of_birth
        from {{ students }}
    {%- endset %}

    select
        later.student_id,
        min(earlier.student_id) as duplicate_of_student_id
    from ({{ normalized }}) as later
    inner join ({{ normalized }}) as earlier
        on {{ sis_same_person('later', 'earlier') }}
    group by later.student_id

{%- endmacro %}
