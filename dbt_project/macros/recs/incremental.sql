{#- Bookkeeping of the recommendation models that keep rows between runs (docs/decisions/007). -#}

{#- The time of this run, as the fitted_at of skill statistics fitted now (a timestamp both warehouses parse). -#}
{% macro recs_fitted_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Post-hook of the skill statistics: keep only the newest fit. -#}
{% macro recs_keep_newest_fit() -%}
    delete from {{ this }} where fitted_at < (select max(fitted_at) from {{ this }})
{%- endmacro %}

{#- Post-hook of int_recs__student_job_shortlist: rows of students no longer in the profile (and rows without a
    student, as a table built before the shortlist was incremental leaves them) go. -#}
{% macro recs_drop_departed_students() -%}
    delete from {{ this }}
    where not exists (
        select 1 from {{ ref('int_recs__student_profile') }} as profile
        where profile.student_key = {{ this }}.student_key
    )
{%- endmacro %}
