{#- How every staging model reads a versioned source table: the latest version of each record, by its own clock
    (`updated_at`), then by the dlt load that landed it. dlt merges on the key, so this only guards against a
    second version of a record ever landing. -#}
{% macro source_latest_version(source_name, table_name, key) -%}
    select * from {{ source(source_name, table_name) }}
    qualify row_number() over (partition by {{ key }} order by updated_at desc, _dlt_load_id desc) = 1
{%- endmacro %}
