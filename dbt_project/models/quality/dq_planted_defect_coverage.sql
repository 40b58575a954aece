-- One row per kind of defect the sandbox plants (manifest.json `planted_defects`): which rule of the pipeline
-- catches it (decision 003), and how many records that rule caught in this warehouse. dbt cannot read the
-- sandbox manifest; tests/dbt/test_quality.py compares these counts with it.

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

{% set quarantine_rules = [
    ('enrollments_unknown_course', 'oracle_sis', 'enrollments', 'unknown_course'),
    ('future_dated_attendance', 'oracle_sis', 'attendance', 'future_dated'),
    ('future_dated_assessments', 'oracle_sis', 'assessments', 'future_dated'),
    ('workday_students_missing_required_fields', 'workday', 'students', 'missing_required_field'),
    ('workday_job_postings_missing_required_fields', 'workday', 'job_postings', 'missing_required_field'),
] %}

coverage as (

    {% for kind, source_name, table_name, reason in quarantine_rules %}
        select
            '{{ kind }}' as defect_kind,
            '{{ source_name }}' as source_name,
            '{{ table_name }}' as table_name,
            'quarantine' as caught_by,
            '{{ reason }}' as rule_name,
            true as is_in_warehouse,
            coalesce((
                select sum(record_count) from quarantine_counts
                where
                    source_name = '{{ source_name }}'
                    and table_name = '{{ table_name }}'
                    and quarantine_reason = '{{ reason }}'
            ), 0) as rows_caught,
            'Quarantined with reason {{ reason }}: kept out of staging, listed in quarantine_records.' as how_caught
        union all
    {% endfor %}

    select
        'null_emails' as defect_kind,
        'oracle_sis' as source_name,
        'students' as table_name,
        'warn_test' as caught_by,
        'dq_sis_students_null_email' as rule_name,
        true as is_in_warehouse,
        (
            select count(*) from students
            where email is null
        ) as rows_caught,
        'Flagged is_email_valid = false; the warn test stores the rows; the student stays.' as how_caught
    union all
    select
        'malformed_emails' as defect_kind,
        'oracle_sis' as source_name,
        'students' as table_name,
        'warn_test' as caught_by,
        'dq_sis_students_malformed_email' as rule_name,
        true as is_in_warehouse,
        (
            select count(*) from students
            where email is not null and not is_email_valid
        ) as rows_caught,
        'Flagged is_email_valid = false; the warn test stores the rows; the student stays.' as how_caught
    union all
    select
        'gpa_out_of_range' as defect_kind,
        'oracle_sis' as source_name,
        'students' as table_name,
        'warn_test' as caught_by,
        'dq_sis_students_gpa_out_of_range' as rule_name,
        true as is_in_warehouse,
        (
            select count(*) from students
            where not is_gpa_valid
        ) as rows_caught,
        'Flagged is_gpa_valid = false (marts show the GPA as null); the warn test stores the rows.' as how_caught
    union all
    select
        'duplicate_students' as defect_kind,
        'oracle_sis' as source_name,
        'students' as table_name,
        'warn_test' as caught_by,
        'dq_sis_students_duplicate_person' as rule_name,
        true as is_in_warehouse,
        (select count(*) from sis_duplicates) as rows_caught,
        'Later record of the same person (name and date of birth): warn test, merged by identity resolution.' as how_caught
    union all
    select
        'malformed_file_drop' as defect_kind,
        'files' as source_name,
        'landing' as table_name,
        'ingestion' as caught_by,
        'file rejected before load' as rule_name,
        false as is_in_warehouse,
        cast(null as {{ dbt.type_bigint() }}) as rows_caught,
        'Rejected at ingestion: moved to landing/rejected/ with a .reason.txt, never loaded, so not in the warehouse.' as how_caught
    union all
    select
        'tableau_csv_format' as defect_kind,
        'tableau' as source_name,
        'views' as table_name,
        'parsing' as caught_by,
        'Tableau CSV parser (BOM, quoted commas, thousands separators)' as rule_name,
        true as is_in_warehouse,
        (select views_parsed from tableau_views_parsed) as rows_caught,
        'Handled, not rejected: the ingestion parser reads the quirks; rows_caught counts the views that landed typed.' as how_caught
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
