{#- Primary-key test for composite keys: no two rows share the combination (dbt_utils is not reachable here).
    Returns one row per repeated combination, with how often it occurs. -#}
{% test unique_combination(model, combination_of_columns) %}

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_records
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

{% endtest %}
