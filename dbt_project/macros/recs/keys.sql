{#- Multiplier that packs (student_number, skill_id) into one integer key: student_number x base + skill_id.
    Must exceed the number of distinct skills (a test on int_recs__student_profile checks it). -#}
{% macro recs_skill_key_base() -%}
    100000
{%- endmacro %}
