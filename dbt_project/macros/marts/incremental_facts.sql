{#- Helpers for the incremental fact tables (fct_attendance, fct_assessment, fct_enrollment, fct_academic_record). -#}

{#- Rows changed since the last run, less a lag window: `updated_at >= max(updated_at) - lag` of what the fact holds.
    A SIS transaction stamps updated_at when its statement runs but commits later, so a row can reach staging
    after rows stamped later than it have already been built into the fact (the SIS cursor re-reads the same
    kind of window, ingestion/oracle_sis). `campus:incremental:lag_minutes` (default 60, as the SIS cursor's
    3600 seconds) re-selects every row stamped that far below the fact's latest one; delete+insert on the
    unique key makes re-processing them harmless. A row committed longer than the window after its stamp is
    still missed. -#}
{% macro incremental_since(column='updated_at') -%}
    {#- `campus run --from-date D` sets this var: reprocess every row changed since D (a backfill). -#}
    {%- set from_date = var('campus:backfill:from_date') -%}
    {%- set lag_minutes = var('campus:incremental:lag_minutes') | int -%}
    {%- if is_incremental() and from_date %}
        {{ column }} >= cast('{{ from_date }}' as {{ dbt.type_timestamp() }})
    {%- elif is_incremental() %}
        {{ column }} >= {{ dbt.dateadd(
            'minute',
            -lag_minutes,
            "(select coalesce(max(" ~ column ~ "), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")) from " ~ this ~ ")"
        ) }}
    {%- else %}
        1 = 1
    {%- endif %}
{%- endmacro %}

{#- Post-hook: take out fact rows that are no longer eligible. A row soft-deleted in the source after it was
    loaded arrives with a new updated_at but is filtered out of the batch, so delete+insert alone would keep the
    old copy; likewise a row whose student or course has since been deleted. Idempotent; a no-op on a fresh build. -#}
{% macro purge_ineligible_fact_rows(key, staging_model) -%}
    delete from {{ this }}
    where
        {{ key }} in (select {{ key }} from {{ ref(staging_model) }} where is_deleted)
        or student_key not in (select student_key from {{ ref('dim_student') }})
        or course_id not in (select course_id from {{ ref('dim_course') }})
{%- endmacro %}


{#- The changed, still-eligible rows of a SIS staging model, with their student_key: not soft-deleted, changed
    since the last run, and both student and course present in the dimensions. Shared by the incremental facts. -#}
{% macro eligible_sis_fact_rows(staging_model) -%}
    select
        identity.student_key,
        changed.*
    from (
        select * from {{ ref(staging_model) }}
        where not is_deleted and {{ incremental_since('updated_at') }}
    ) as changed
    inner join {{ ref('int_students__identity_matched') }} as identity
        on
            changed.student_id = identity.sis_student_id
            and identity.source_system = 'sis'
    where
        identity.student_key in (select dim_student.student_key from {{ ref('dim_student') }} as dim_student)
        and changed.course_id in (select dim_course.course_id from {{ ref('dim_course') }} as dim_course)
{%- endmacro %}
