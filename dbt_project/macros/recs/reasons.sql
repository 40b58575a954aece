{#- One-line reasons shown beside a recommendation. Plain string concatenation: the same on every warehouse. -#}

{#- "Matches Python, SQL, Statistics from your courses and career interests; missing Spark, Docker (+1 more)" -#}
{% macro recs_job_reason(top_matched, has_course_match, has_interest_match, top_missing, missing_count) -%}
    {{ dbt.concat([
        "'Matches '",
        top_matched,
        "' from your '",
        "case when " ~ has_course_match ~ " = 1 and " ~ has_interest_match ~ " = 1 then 'courses and career interests'"
            ~ " when " ~ has_course_match ~ " = 1 then 'courses' else 'career interests' end",
        "case when " ~ missing_count ~ " = 0 then '; no missing skills' else " ~ dbt.concat(["'; missing '", top_missing])
            ~ " end",
        "case when " ~ missing_count ~ " > 2 then " ~ dbt.concat([
            "' (+'", "cast(" ~ missing_count ~ " - 2 as " ~ dbt.type_string() ~ ")", "' more)'"
        ]) ~ " else '' end",
    ]) }}
{%- endmacro %}

{#- "Teaches Spark, Docker, missing from 4 of your top 10 jobs" (the count of the most-missed skill). -#}
{% macro recs_course_reason(closes_skills, job_count, top_k) -%}
    {{ dbt.concat([
        "'Teaches '",
        closes_skills,
        "', missing from '",
        "cast(" ~ job_count ~ " as " ~ dbt.type_string() ~ ")",
        "' of your top " ~ top_k ~ " jobs'",
    ]) }}
{%- endmacro %}

{#- The non-null expressions joined by separator, in order: 'a, b, c', 'a, c', 'a', or null when all are null.
    `||` and coalesce mean the same on DuckDB and Snowflake (a null operand makes `||` null). -#}
{% macro recs_join_present(expressions, separator=', ') -%}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- do parts.append("coalesce('" ~ separator ~ "' || " ~ expression ~ ", '')") -%}
    {%- endfor -%}
    nullif(substr({{ parts | join(' || ') }}, {{ separator | length + 1 }}), '')
{%- endmacro %}

{#- A '; '-separated skill list from the columns <prefix>_1 .. <prefix>_<listed>, with ' (+N more)' when
    count_column says there are more than listed. -#}
{% macro recs_skill_list(prefix, count_column, listed) -%}
    {%- set columns = [] -%}
    {%- for position in range(1, listed + 1) -%}
        {%- do columns.append(prefix ~ '_' ~ position) -%}
    {%- endfor -%}
    {{ recs_join_present(columns, '; ') }}
    || case when {{ count_column }} > {{ listed }} then {{ dbt.concat([
        "' (+'", "cast(" ~ count_column ~ " - " ~ listed ~ " as " ~ dbt.type_string() ~ ")", "' more)'"
    ]) }} else '' end
{%- endmacro %}
