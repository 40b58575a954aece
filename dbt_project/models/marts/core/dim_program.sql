-- One row per active academic programme (Workday is the programme master; the SIS refers to it by program_code).

with

programs as (

    select * from {{ ref('stg_workday__academic_programs') }}
    where not is_deleted

),

final as (

    select
        -- keys
        cast(academic_program_id as {{ dbt.type_string() }}) as academic_program_id,
        cast(program_code as {{ dbt.type_string() }}) as program_code,

        -- the programme
        cast(program_name as {{ dbt.type_string() }}) as program_name,
        cast(degree as {{ dbt.type_string() }}) as degree,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(duration_years as integer) as duration_years,

        -- bookkeeping
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from programs

)

select * from final
