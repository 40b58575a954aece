{#- Small, portable cleaning helpers shared by the staging models. -#}

{#- Trimmed text, with an empty string read as missing. -#}
{% macro clean_text(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- A code (status, programme, course): trimmed and upper-cased. -#}
{% macro clean_code(expr) -%}
    upper({{ clean_text(expr) }})
{%- endmacro %}

{#- An e-mail: trimmed and lower-cased (decision 003). -#}
{% macro clean_email(expr) -%}
    lower({{ clean_text(expr) }})
{%- endmacro %}

{#- True when a required text field is null, empty or only whitespace. -#}
{% macro is_blank(expr) -%}
    ({{ clean_text(expr) }} is null)
{%- endmacro %}
