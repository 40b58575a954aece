{#- The load time of a dlt child table, which carries no load id of its own: the newest load id among the parent
    rows that have child rows. So a child table that stops receiving rows goes stale even while its parent keeps
    loading. For a source table's `loaded_at_query`, which dbt renders with the child table as `this`; the
    expression is the one the sources' `loaded_at_field` uses. -#}
{% macro child_table_loaded_at(parent) -%}
    select max(to_timestamp(cast(parent._dlt_load_id as double)))
    from {{ this }} as child
    inner join {{ parent }} as parent
        on child._dlt_parent_id = parent._dlt_id
{%- endmacro %}
