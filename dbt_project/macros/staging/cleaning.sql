{#- Small, portable cleaning helpers shared by the staging models. -#}

{#- Trimmed text, with an empty string read as missing. -#}
{% macro clean_text(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- A code (status, programme, course): trimmed and upper-cased. -#}
{% macro clean_code(expr) -%}
    upper({{ clean_text(expr) }})
{%- endmacro %}

{#- An e-mail: trimmed and lower-cased (decision 003). -#}
{% macro clean_email(expr) -%}
    lower({{ clean_text(expr) }})
{%- endmacro %}

{#- True when a required text field is null, empty or only whitespace. -#}
{% macro is_blank(expr) -%}
    ({{ clean_text(expr) }} is null)
{%- endmacro %}

{#- One Workday list field (a dlt child table) as rows keyed `<parent id>-<position>`, with its quarantine reason.
    A list item has no clock of its own: it changes and retires with its parent, and a child of a quarantined
    parent is quarantined with it, so no staged item points at a missing parent. dlt replaces a parent's children
    on merge; an inner join makes a child without a parent break reconciliation loudly rather than vanish. -#}
{% macro workday_child_list(child_table, parent_model, parent_key, item_key, value_name, rank_name) -%}
with

source as (

    select * from {{ source('workday', child_table) }}

),

parents as (

    select
        _dlt_id,
        {{ parent_key }},
        is_deleted,
        updated_at,
        quarantine_reason
    from {{ ref(parent_model) }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat([
            "parents." ~ parent_key, "'-'", "cast(source._dlt_list_idx + 1 as " ~ dbt.type_string() ~ ")"
        ]) }} as {{ item_key }},
        parents.{{ parent_key }},

        -- the item, in the order Workday lists them
        {{ clean_text('source.value') }} as {{ value_name }},
        cast(source._dlt_list_idx + 1 as integer) as {{ rank_name }},

        -- bookkeeping, from the parent
        parents.is_deleted,
        parents.updated_at,
        parents.quarantine_reason as parent_quarantine_reason

    from source
    inner join parents
        on source._dlt_parent_id = parents._dlt_id

),

validated as (

    select
        *,
        case when parent_quarantine_reason is not null then 'parent_quarantined' end as quarantine_reason
    from renamed

)

select * from validated
{%- endmacro %}
