-- One row per data test that keeps its failing rows in the warehouse (`store_failures`), with the relation dbt
-- writes them to, read from dbt's graph: dbt names that relation after the test, or for a name of 64+ characters
-- after its first 30 characters and an md5 of it, a rule no reader should have to repeat.

{%- set stored = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' -%}
        {%- set store_as = node.config.get('store_failures_as') -%}
        {%- if (store_as in ['table', 'view']) or (store_as is none and node.config.get('store_failures')) -%}
            {%- do stored.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

stored as (

    {%- for node in stored | sort(attribute='unique_id') %}

        select
            '{{ node.unique_id }}' as test_unique_id,
            '{{ node.name }}' as test_name,
            '{{ node.config.severity | lower }}' as severity,
            '{{ node.schema | lower }}' as failures_schema,
            '{{ node.alias | lower }}' as failures_relation
        {%- if not loop.last %}

    union all
    {%- endif -%}
    {%- else %}

    select
        null as test_unique_id,
        null as test_name,
        null as severity,
        null as failures_schema,
        null as failures_relation
    where 1 = 0
    {%- endfor %}

)

select
    cast(test_unique_id as {{ dbt.type_string() }}) as test_unique_id,
    cast(test_name as {{ dbt.type_string() }}) as test_name,
    cast(severity as {{ dbt.type_string() }}) as severity,
    cast(failures_schema as {{ dbt.type_string() }}) as failures_schema,
    cast(failures_relation as {{ dbt.type_string() }}) as failures_relation
from stored
