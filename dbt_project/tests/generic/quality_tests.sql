{#- Generic tests of the quality layer (dbt_utils is not reachable here). -#}

{#- A 0-100 score: fails for every row whose value lies outside 0-100. Nulls are left to not_null. -#}
{% test score_between_0_and_100(model, column_name) %}

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 100

{% endtest %}

{#- A row-level rule written as a boolean SQL expression: fails for every row where it is not true. -#}
{% test quality_expression_is_true(model, expression) %}

    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)

{% endtest %}
