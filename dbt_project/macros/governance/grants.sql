{#-
    the `grants:` config on Snowflake (docs/decisions/012). dbt renders dbt_project.yml before the project vars
    exist, so its grants name vars (`campus:grants:bi_reader_role`) and this swaps each for the roles of the var.
    DuckDB never gets here: the grants config is empty off Snowflake.
-#}

{#- A grants config with every `campus:` grantee replaced by the role(s) of its var, upper-cased, in order, once. -#}
{% macro resolve_grantees(grant_config) -%}
    {%- set resolved = {} -%}
    {%- for privilege, grantees in (grant_config or {}).items() -%}
        {%- set roles = [] -%}
        {%- for grantee in grantees -%}
            {%- set value = var(grantee) if grantee.startswith('campus:') else grantee -%}
            {%- set value_roles = [value] if value is string else value -%}
            {%- for role in value_roles -%}
                {%- if role | upper not in roles -%}{%- do roles.append(role | upper) -%}{%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do resolved.update({privilege: roles}) -%}
    {%- endfor -%}
    {{ return(resolved) }}
{%- endmacro %}


{#- dbt grants with the roles resolved. fakesnow parses no GRANT, REVOKE or SHOW GRANTS: on the emulator the
    grants of a fresh relation go to dbt.log (tests/dbt/test_snowflake_emulated.py reads them), not to the server. -#}
{% macro snowflake__apply_grants(relation, grant_config, should_revoke=True) -%}
    {%- set grant_config = resolve_grantees(grant_config) -%}
    {%- if is_snowflake_emulated() -%}
        {%- do log_emulator_skipped(relation, get_dcl_statement_list(relation, grant_config, get_grant_sql)) -%}
    {%- else -%}
        {%- do dbt.default__apply_grants(relation, grant_config, should_revoke) -%}
    {%- endif -%}
{%- endmacro %}
