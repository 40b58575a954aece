{#- Multiplier that packs (student_number, skill_id) into one integer key: student_number x base + skill_id.
    Must exceed the number of distinct skills (a test on int_recs__student_profile checks it). -#}
{% macro recs_skill_key_base() -%}
    100000
{%- endmacro %}

{#- Fails for every skill id that would overflow the packed (student, skill) key. -#}
{% test accepted_range_below_key_base(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} >= {{ recs_skill_key_base() }} or {{ column_name }} < 1
{% endtest %}
