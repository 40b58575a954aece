-- One row per kind of defect the sandbox plants (manifest.json `planted_defects`): which rule of the pipeline
-- catches it (decision 003), and how many records that rule caught in this warehouse. The kinds and their rules
-- are this model's meta `planted_defects` (_quality__models.yml), the one place the map is written. dbt cannot
-- read the sandbox manifest; tests/dbt/test_quality.py compares these counts with it.

{%- set planted_defects = (model.config.meta or {}).get('planted_defects', []) %}
{#- The rows each warn test reports, counted with the test's own rule (tests/staging/dq_sis_students_*.sql). -#}
{%- set warn_test_rows = {
    'dq_sis_students_null_email': 'select count(*) from students where email is null',
    'dq_sis_students_malformed_email':
        'select count(*) from students where email is not null and not is_email_valid',
    'dq_sis_students_gpa_out_of_range': 'select count(*) from students where not is_gpa_valid',
    'dq_sis_students_duplicate_person': 'select count(*) from sis_duplicates',
} %}

with

sis_duplicates as (

    {{ sis_later_duplicate_students(ref('stg_oracle_sis__students')) }}

),

-- a later duplicate record is reported once, by the duplicate rule, as the flag tests do
students as (

    select * from {{ ref('stg_oracle_sis__students') }}
    where student_id not in (select sis_duplicates.student_id from sis_duplicates)

),

quarantine_counts as (

    select * from {{ ref('dq_quarantine_counts') }}

),

tableau_views_parsed as (

    select
        case when (select count(*) from {{ source('tableau', 'student_analytics') }}) > 0 then 1 else 0 end
        + case when (select count(*) from {{ source('tableau', 'job_market_trends') }}) > 0 then 1 else 0 end
            as views_parsed

),

coverage as (

    {% for defect in planted_defects %}
        {%- if defect.caught_by == 'quarantine' %}
            {%- set rows_caught = "coalesce((select sum(record_count) from quarantine_counts where source_name = '"
                ~ defect.source_name ~ "' and table_name = '" ~ defect.table_name
                ~ "' and quarantine_reason = '" ~ defect.rule_name ~ "'), 0)" %}
        {%- elif defect.caught_by == 'warn_test' and defect.rule_name in warn_test_rows %}
            {%- set rows_caught = '(' ~ warn_test_rows[defect.rule_name] ~ ')' %}
        {%- elif defect.caught_by == 'warn_test' %}
            {{ exceptions.raise_compiler_error('dq_planted_defect_coverage: no row count for ' ~ defect.rule_name) }}
        {%- elif defect.caught_by == 'parsing' %}
            {%- set rows_caught = '(select views_parsed from tableau_views_parsed)' %}
        {%- else %}
            {%- set rows_caught = 'cast(null as ' ~ dbt.type_bigint() ~ ')' %}
        {%- endif %}
        select
            '{{ defect.defect_kind }}' as defect_kind,
            '{{ defect.source_name }}' as source_name,
            '{{ defect.table_name }}' as table_name,
            '{{ defect.caught_by }}' as caught_by,
            '{{ defect.rule_name }}' as rule_name,
            {{ 'true' if defect.is_in_warehouse else 'false' }} as is_in_warehouse,
            {{ rows_caught }} as rows_caught,
            '{{ defect.how_caught | replace("'", "''") }}' as how_caught
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    -- ids
    defect_kind,

    -- where
    source_name,
    table_name,

    -- how
    caught_by,
    rule_name,
    is_in_warehouse,
    cast(rows_caught as {{ dbt.type_bigint() }}) as rows_caught,
    how_caught

from coverage
