-- One row per column dbt tags as personal (`meta.pii: <class>`), listed from dbt's graph when the model is built:
-- the one list the publish step pseudonymises in the lake BI tools read, and erasure and masking work from
-- (docs/decisions/013).

{%- set tagged = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type in ['model', 'seed', 'snapshot'] -%}
            {%- for column in (node.get('columns') or {}).values() | sort(attribute='name') -%}
                {%- set meta = column.get('meta') or {} -%}
                {%- if meta.get('pii') -%}
                    {%- do tagged.append((node, column.name, meta.get('pii'))) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

personal as (

    {%- for node, column_name, pii_class in tagged %}

        select
            '{{ node.schema | lower }}' as schema_name,
            '{{ node.alias | lower }}' as relation_name,
            '{{ column_name | lower }}' as column_name,
            '{{ pii_class }}' as pii_class
        {%- if not loop.last %}

    union all
    {%- endif -%}
    {%- else %}

        select
            null as schema_name,
            null as relation_name,
            null as column_name,
            null as pii_class
        where 1 = 0
    {%- endfor %}

)

select
    cast(schema_name as {{ dbt.type_string() }}) as schema_name,
    cast(relation_name as {{ dbt.type_string() }}) as relation_name,
    cast(column_name as {{ dbt.type_string() }}) as column_name,
    cast(pii_class as {{ dbt.type_string() }}) as pii_class
from personal
