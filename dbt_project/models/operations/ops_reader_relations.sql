-- One row per relation dbt builds in a reader-facing schema, listed from dbt's own graph when the model is built:
-- what the app may offer for download and check for before reading, with no catalogue query and no identifier
-- taken from user text. Staging, intermediate and snapshot relations are never listed. The publish step reads
-- it too: public relations go to the snapshot, and to the lake unless the model's `meta.lake.include` is false,
-- split there by its `meta.lake.partition_by`; columns whose `meta.publish` is false (the build's own bookkeeping)
-- are left out of both (docs/decisions/010).

{%- set reader_schemas = ['marts', 'recommendations', 'search', 'quality', 'operations'] -%}
{%- set listed = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type in ['model', 'seed', 'snapshot']
            and node.config.materialized != 'ephemeral'
            and (node.schema | lower) in reader_schemas -%}
            {%- do listed.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

relations as (

    {%- for node in listed | sort(attribute='unique_id') %}

        select
            '{{ node.unique_id }}' as unique_id,
            '{{ node.schema | lower }}' as schema_name,
            '{{ node.alias | lower }}' as relation_name,
            '{{ node.resource_type }}' as resource_type,
            '{{ node.config.materialized }}' as materialization,
            '{{ node.get("access") or "protected" }}' as access_level,
            {% if node.get("group") %}'{{ node.group }}'{% else %}null{% endif %} as group_name,
            {%- set lake = node.config.get('meta', {}).get('lake', {}) %}
            {% if lake.get('partition_by') %}'{{ lake.partition_by }}'{% else %}null{% endif %}
                as lake_partition_column,
            {% if lake.get('partition_expression') -%}
                '{{ lake.partition_expression | replace("'", "''") }}'
            {%- else %}null{% endif %} as lake_partition_expression,
            {{ 'false' if lake.get('include') == false else 'true' }} as is_in_lake,
            {%- set unpublished = [] %}
            {%- for column in node.get('columns', {}).values() if column.get('meta', {}).get('publish') == false %}
                {%- do unpublished.append(column.name | lower) %}
            {%- endfor %}
            {% if unpublished %}'{{ unpublished | sort | join(",") }}'{% else %}null{% endif %}
                as unpublished_columns
        {%- if not loop.last %}

    union all
    {%- endif -%}
    {%- else %}

    select
        null as unique_id,
        null as schema_name,
        null as relation_name,
        null as resource_type,
        null as materialization,
        null as access_level,
        null as group_name,
        null as lake_partition_column,
        null as lake_partition_expression,
        null as is_in_lake,
        null as unpublished_columns
    where 1 = 0
    {%- endfor %}

)

select
    cast(unique_id as {{ dbt.type_string() }}) as unique_id,
    cast(schema_name as {{ dbt.type_string() }}) as schema_name,
    cast(relation_name as {{ dbt.type_string() }}) as relation_name,
    cast(resource_type as {{ dbt.type_string() }}) as resource_type,
    cast(materialization as {{ dbt.type_string() }}) as materialization,
    cast(access_level as {{ dbt.type_string() }}) as access_level,
    cast(group_name as {{ dbt.type_string() }}) as group_name,
    cast(lake_partition_column as {{ dbt.type_string() }}) as lake_partition_column,
    cast(lake_partition_expression as {{ dbt.type_string() }}) as lake_partition_expression,
    cast(is_in_lake as {{ dbt.type_boolean() }}) as is_in_lake,
    cast(unpublished_columns as {{ dbt.type_string() }}) as unpublished_columns
from relations
