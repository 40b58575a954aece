{#-
    Workarounds that let dbt-snowflake run against fakesnow (the `snowflake_emulated` target, used by
    tests/dbt/test_snowflake_emulated.py). See docs/platform-facts.md, "Snowflake emulation (fakesnow)".

    1. snowflake__create_table_as: fakesnow cannot create the *temporary* tables dbt-snowflake uses for
       incremental and snapshot staging relations (a temporary table lives in another DuckDB catalog than
       the database it is created "in"). On the emulated target only, those are created as *transient*
       tables instead; on any other target this macro hands straight back to dbt-snowflake's own body.

    2. Also in snowflake__create_table_as: fakesnow rejects `create table t (column list) as select ...`, the
       statement dbt-snowflake writes for a model whose contract is enforced (real Snowflake accepts it). On the
       emulated target only, such a table is created from the column list and then filled with
       `insert into t select ...`, after the same contract check dbt makes.

    3. snowflake__get_merge_sql: in `when not matched then insert (...) values (...)` dbt names the inserted
       columns bare; fakesnow (DuckDB) cannot resolve bare names in the VALUES list of a MERGE. The columns
       are prefixed `DBT_INTERNAL_SOURCE.`, which means exactly the same on real Snowflake (the VALUES list
       can only refer to the source row), so this one applies on every Snowflake target.
       On the emulated target only, the merge also runs without dbt-snowflake's explicit `begin; ...; commit;`:
       fakesnow's MERGE writes to its own bookkeeping database too, and one DuckDB transaction may write to only
       one database (the server then answers HTTP 500, which the connector retries for minutes). A single MERGE
       is atomic without it.

    Neither macro is used on DuckDB (dispatch picks duckdb__ bodies there).
-#}

{% macro is_snowflake_emulated() -%}
    {{ return(target.name == 'snowflake_emulated' or var('campus:snowflake_emulated')) }}
{%- endmacro %}


{% macro snowflake__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- set contract_config = config.get('contract') -%}
    {%- if language == 'sql' and is_snowflake_emulated() and contract_config and contract_config.enforced -%}
        {{ snowflake_emulated_create_contracted_table(temporary, relation, compiled_code) }}
    {%- elif temporary and language == 'sql' and is_snowflake_emulated() -%}
        {{ dbt.snowflake__create_table_transient_sql(relation, compiled_code) }}
    {%- else -%}
        {{ dbt.snowflake__create_table_as(temporary, relation, compiled_code, language) }}
    {%- endif -%}
{%- endmacro %}


{% macro snowflake_emulated_create_contracted_table(temporary, relation, compiled_code) -%}
    {{- get_assert_columns_equivalent(compiled_code) -}}
    create or replace {{ 'transient ' if temporary }}table {{ relation }}
    {{ get_table_columns_and_constraints() }};
    insert into {{ relation }}
    {{ get_select_subquery(compiled_code) }}
{%- endmacro %}


{% macro snowflake__get_merge_sql(target, source_sql, unique_key, dest_columns, incremental_predicates) -%}
    {%- set merge_sql = dbt.snowflake__get_merge_sql(
        target, source_sql, unique_key, dest_columns, incremental_predicates
    ) -%}
    {%- if unique_key is none -%}
        {#- Without a unique key dbt-snowflake writes a plain insert ... select: nothing to qualify. -#}
        {{ return(merge_sql) }}
    {%- endif -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- set source_cols = [] -%}
    {%- for column in dest_columns -%}
        {%- do source_cols.append('DBT_INTERNAL_SOURCE.' ~ adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- set bare_values = modules.re.compile(
        'values\\s*\\(\\s*' ~ modules.re.escape(dest_cols_csv) ~ '\\s*\\)', modules.re.IGNORECASE
    ) -%}
    {%- if not bare_values.search(merge_sql) -%}
        {%- do exceptions.raise_compiler_error(
            'snowflake__get_merge_sql: the VALUES list of dbt-snowflake merge changed shape; '
            ~ 'update macros/emulator/snowflake_emulator_workarounds.sql'
        ) -%}
    {%- endif -%}
    {%- set merge_sql = bare_values.sub('values (' ~ source_cols | join(', ') ~ ')', merge_sql, count=1) -%}
    {%- if is_snowflake_emulated() -%}
        {%- set merge_sql = modules.re.sub('^\\s*begin;\\s*|;\\s*commit;\\s*$', '', merge_sql, flags=modules.re.IGNORECASE) -%}
    {%- endif -%}
    {{ return(merge_sql) }}
{%- endmacro %}
