{#-
    Column masking on Snowflake, driven by the `meta.pii` class of each column (docs/decisions/012).
    on-run-start creates one policy per class; each model's post-hook attaches its class's policy to every tagged
    column of `this`. DuckDB has no masking policies: the duckdb__ bodies render nothing.
    fakesnow parses none of these statements: on the emulator they are rendered and logged, not run.
-#}

{#- Per class: the policy's one type and the value every other role sees (null: a birth year would still be a
    quasi-identifier beside city and programme). A column of another type fails on Snowflake when attached. -#}
{% macro pii_classes() -%}
    {{ return({
        'name': {'type': 'varchar', 'masked': "'***'"},
        'email': {'type': 'varchar', 'masked': "'***'"},
        'contact': {'type': 'varchar', 'masked': "'***'"},
        'identifier': {'type': 'varchar', 'masked': "'***'"},
        'birth_date': {'type': 'date', 'masked': 'null'},
        'financial': {'type': 'number', 'masked': 'null'},
    }) }}
{%- endmacro %}


{% macro pii_policy_name(pii_class) -%}
    {{ return(target.database ~ '.' ~ var('campus:privacy:policy_schema') ~ '.pii_' ~ pii_class) }}
{%- endmacro %}


{#- The roles that read clear values: the configured ones plus the role dbt builds as, without which every model
    downstream of a masked column would copy the mask. Role names are checked, as they go into SQL text. -#}
{% macro pii_clear_roles() -%}
    {%- set roles = [] -%}
    {%- for role in var('campus:privacy:clear_roles') + [target.role] -%}
        {%- if role and not modules.re.match('^[A-Za-z_][A-Za-z0-9_$]*$', role) -%}
            {%- do exceptions.raise_compiler_error('pii_clear_roles: not a plain role name: ' ~ role) -%}
        {%- endif -%}
        {%- if role and role | upper not in roles -%}{%- do roles.append(role | upper) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(roles) }}
{%- endmacro %}


{#- The class of a column (`meta.pii` on the column or in its config), none when untagged. Fails on a class
    outside pii_classes(): a typo must not leave a column in the clear. -#}
{% macro pii_class_of(column) -%}
    {%- set meta = column.get('meta') or {} -%}
    {%- set config_meta = (column.get('config') or {}).get('meta') or {} -%}
    {%- set pii_class = config_meta.get('pii', meta.get('pii')) -%}
    {%- if pii_class and pii_class not in pii_classes() -%}
        {%- do exceptions.raise_compiler_error(
            'column ' ~ column.name ~ ': meta.pii ' ~ pii_class ~ ' is not one of ' ~ pii_classes().keys() | list
        ) -%}
    {%- endif -%}
    {{ return(pii_class or none) }}
{%- endmacro %}


{#- on-run-start: the policy schema and one policy per class. `create ... if not exists` then `alter ... set body`,
    because Snowflake refuses to replace a policy that is attached to columns; the alter keeps the roles current. -#}
{% macro create_pii_masking_policies() -%}
    {{ return(adapter.dispatch('create_pii_masking_policies')()) }}
{%- endmacro %}

{% macro duckdb__create_pii_masking_policies() -%}{%- endmacro %}

{% macro snowflake__create_pii_masking_policies() -%}
    {{ return(pii_run_unless_emulated('on-run-start', pii_masking_policy_statements())) }}
{%- endmacro %}

{% macro pii_masking_policy_statements() -%}
    {%- set roles = "'" ~ pii_clear_roles() | join("', '") ~ "'" -%}
    {%- set statements = [
        'create schema if not exists ' ~ target.database ~ '.' ~ var('campus:privacy:policy_schema')
    ] -%}
    {%- for pii_class, policy in pii_classes().items() -%}
        {%- set name = pii_policy_name(pii_class) -%}
        {%- do statements.append(
            'create masking policy if not exists ' ~ name ~ ' as (val ' ~ policy.type ~ ') returns '
            ~ policy.type ~ ' -> ' ~ policy.masked
        ) -%}
        {#- current_role(), not is_role_in_session(): roles that merely inherit a clear role stay masked. -#}
        {%- do statements.append(
            'alter masking policy ' ~ name ~ ' set body -> case when current_role() in (' ~ roles
            ~ ') then val else ' ~ policy.masked ~ ' end'
        ) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}


{#- post-hook: `<kind> <this> modify column <c> set masking policy <class policy> force` for each tagged column.
    FORCE replaces a policy an incremental or snapshot table already carries. -#}
{% macro apply_pii_masking() -%}
    {{ return(adapter.dispatch('apply_pii_masking')()) }}
{%- endmacro %}

{% macro duckdb__apply_pii_masking() -%}{%- endmacro %}

{% macro snowflake__apply_pii_masking() -%}
    {{ return(pii_run_unless_emulated(this, pii_masking_statements(model, this))) }}
{%- endmacro %}


{% macro pii_masking_statements(node, relation) -%}
    {%- set materialized = node.config.materialized -%}
    {%- if materialized == 'ephemeral' -%}{{ return([]) }}{%- endif -%}
    {%- set kind = 'view' if materialized == 'view' else 'table' -%}
    {%- set statements = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set pii_class = pii_class_of(column) -%}
        {%- if pii_class -%}
            {%- do statements.append(
                'alter ' ~ kind ~ ' ' ~ relation ~ ' modify column ' ~ column.name
                ~ ' set masking policy ' ~ pii_policy_name(pii_class) ~ ' force'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}


{#- The statements as one hook, or, on the emulator (which parses none of them), nothing to run and one log line
    per statement in dbt.log, which tests/dbt/test_snowflake_emulated.py reads. -#}
{% macro pii_run_unless_emulated(origin, statements) -%}
    {%- if is_snowflake_emulated() -%}
        {%- do log_emulator_skipped(origin, statements) -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}


{% macro log_emulator_skipped(origin, statements) -%}
    {%- for statement in statements -%}
        {%- do log('campus:emulator-skipped ' ~ origin ~ ' | ' ~ statement, info=false) -%}
    {%- endfor -%}
{%- endmacro %}


{#- `dbt run-operation pii_governance_plan --target prod`: prints, as JSON, the policy statements and each Snowflake
    relation's masking and grant statements, as the hooks and grants would issue them on a fresh relation. For
    review, and for tests/dbt/test_snowflake_masking.py; runs no SQL. -#}
{% macro pii_governance_plan() -%}
    {%- set plan = {'policies': pii_masking_policy_statements(), 'masking': {}, 'grants': {}} -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type in ('model', 'snapshot') and node.config.materialized != 'ephemeral' -%}
            {%- set relation = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias or node.name
            ) -%}
            {%- do plan.masking.update({node.unique_id: pii_masking_statements(node, relation)}) -%}
            {%- do plan.grants.update({node.unique_id: get_dcl_statement_list(
                relation, resolve_grantees(node.config.grants), get_grant_sql
            )}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do print(tojson(plan)) -%}
{%- endmacro %}
