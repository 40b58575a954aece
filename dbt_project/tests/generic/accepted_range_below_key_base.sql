{#- Fails for every skill id that would overflow the recommendations' packed (student, skill) key
    (recs_skill_key_base, macros/recs/keys.sql). -#}
{% test accepted_range_below_key_base(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} >= {{ recs_skill_key_base() }} or {{ column_name }} < 1
{% endtest %}
