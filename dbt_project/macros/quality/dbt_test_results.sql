{#- dbt results over time: `quality.dbt_test_results`, one row per node each invocation ran (`dbt source
    freshness` included: one row per source table, its message saying how old the newest load was).

    on-run-start creates the table if it is missing (so the `dq_dbt_test_results` view always has something to
    select from, even on a first build); on-run-end inserts this invocation's results. Plain DDL and a
    multi-row INSERT ... VALUES: the same SQL runs on DuckDB and Snowflake. A failure here fails the run:
    losing the history silently would be worse. -#}

{% macro dbt_test_results_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='quality', identifier='dbt_test_results')) }}
{%- endmacro %}


{% macro create_dbt_test_results_table() -%}
    {%- if execute -%}
        {%- set relation = dbt_test_results_relation() -%}
        {%- do adapter.create_schema(relation) -%}
        {%- call statement('create_dbt_test_results', fetch_result=false, auto_begin=false) -%}
            create table if not exists {{ relation }} (
                invocation_id {{ dbt.type_string() }},
                unique_id {{ dbt.type_string() }},
                resource_type {{ dbt.type_string() }},
                node_name {{ dbt.type_string() }},
                status {{ dbt.type_string() }},
                failures {{ dbt.type_bigint() }},
                execution_time_seconds {{ dbt.type_numeric() }},
                run_started_at {{ dbt.type_timestamp() }},
                message {{ dbt.type_string() }}
            )
        {%- endcall -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}


{% macro quality_sql_literal(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ (value | string) | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}


{#- The hook: `results` is dbt's list of RunResult objects for this invocation (on-run-end context). -#}
{% macro persist_dbt_test_results(results) -%}
    {%- if not execute or results is none or results | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- do create_dbt_test_results_table() -%}
    {%- set relation = dbt_test_results_relation() -%}
    {%- set started = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- set rows = [] -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- set failures = result.failures if result.failures is not none else 'null' -%}
        {%- set execution_time = result.execution_time if result.execution_time is not none else 'null' -%}
        {%- set message = (result.message | string)[:1000] if result.message is not none else none -%}
        {#- A source's freshness result carries no message: say how old its newest load was. -#}
        {%- if node.resource_type == 'source' and result.age is defined and result.age is not none -%}
            {#- dbt dates an empty table's newest load to the year 1 -#}
            {%- if result.max_loaded_at is none or result.max_loaded_at.year < 1970 -%}
                {%- set message = 'no rows loaded' -%}
            {%- else -%}
                {%- set message = 'newest load ' ~ result.max_loaded_at ~ ', '
                    ~ ('%.1f' | format(result.age / 3600)) ~ ' h before the check' -%}
            {%- endif -%}
        {%- endif -%}
        {%- do rows.append(
            '(' ~ quality_sql_literal(invocation_id)
            ~ ', ' ~ quality_sql_literal(node.unique_id)
            ~ ', ' ~ quality_sql_literal(node.resource_type)
            ~ ', ' ~ quality_sql_literal(node.name)
            ~ ', ' ~ quality_sql_literal(result.status)
            ~ ', ' ~ failures
            ~ ', ' ~ execution_time
            ~ ', cast(' ~ quality_sql_literal(started) ~ ' as ' ~ dbt.type_timestamp() ~ ')'
            ~ ', ' ~ quality_sql_literal(message) ~ ')'
        ) -%}
    {%- endfor -%}
    {#- Batches keep each statement small enough for any warehouse's statement-size limit. -#}
    {%- for batch in rows | batch(200) -%}
        {%- call statement('insert_dbt_test_results', fetch_result=false, auto_begin=false) -%}
            insert into {{ relation }} (
                invocation_id, unique_id, resource_type, node_name, status, failures,
                execution_time_seconds, run_started_at, message
            )
            values
            {{ batch | join(',\n            ') }}
        {%- endcall -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
