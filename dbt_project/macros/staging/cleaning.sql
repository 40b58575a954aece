{#- Cleaning helpers shared by the staging models, and the project's one e-mail rule (in this file because
    sqlfluff's templater lets a macro call only macros of its own file). -#}

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


{#- The project's one e-mail validity rule: the `is_email_valid` flags of staging (decision 003: flagged, not
    quarantined) and the addresses identity resolution may match on (normalize_email). Valid means one local
    part, one @ and a dotted domain ending in a 2+ letter top-level domain, on the lower-cased, trimmed address.
    Null is not valid. Regex functions differ by warehouse: hence the dispatch. `[.]` rather than `\.` keeps the
    pattern free of backslashes, which Snowflake string literals would eat. -#}

{% macro email_pattern() -%}
    ^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$
{%- endmacro %}

{% macro is_valid_email(expr) -%}
    {#- sqlfluff renders models without dbt's `adapter`: there it lints the DuckDB body. -#}
    {%- if adapter is defined -%}
        {{ adapter.dispatch('is_valid_email', 'campus_pathways')(expr) }}
    {%- else -%}
        {{ duckdb__is_valid_email(expr) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__is_valid_email(expr) -%}
    coalesce(regexp_like({{ expr }}, '{{ email_pattern() }}'), false)
{%- endmacro %}

{% macro duckdb__is_valid_email(expr) -%}
    coalesce(regexp_matches({{ expr }}, '{{ email_pattern() }}'), false)
{%- endmacro %}

{#- Snowflake's regexp_like matches the whole string (the anchors are redundant but harmless). -#}
{% macro snowflake__is_valid_email(expr) -%}
    coalesce(regexp_like({{ expr }}, '{{ email_pattern() }}'), false)
{%- endmacro %}

{#- An e-mail identity resolution may match on: lower-cased and trimmed (clean_email), and null unless valid by the
    rule above. A malformed address must never link two people. -#}
{% macro normalize_email(expr) -%}
    case when {{ is_valid_email(clean_email(expr)) }} then {{ clean_email(expr) }} end
{%- endmacro %}
