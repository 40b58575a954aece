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
