-- One row per active job placement, keyed to the person through identity resolution (Workday id -> student_key).

with

placements as (

    select * from {{ ref('stg_workday__job_placements') }}
    where not is_deleted

),

identity as (

    select * from {{ ref('int_students__identity_matched') }}
    where source_system = 'workday'

),

students as (

    select student_key from {{ ref('dim_student') }}

),

postings as (

    select job_posting_id from {{ ref('dim_job_posting') }}

),

final as (

    select
        -- keys
        cast(placements.job_placement_id as {{ dbt.type_string() }}) as job_placement_id,
        cast(identity.student_key as {{ dbt.type_string() }}) as student_key,
        cast(placements.workday_student_id as {{ dbt.type_string() }}) as workday_student_id,
        -- null when the posting has since been withdrawn (soft-deleted): the placement still counts
        cast(postings.job_posting_id as {{ dbt.type_string() }}) as job_posting_id,

        -- the placement
        cast(placements.placement_type as {{ dbt.type_string() }}) as placement_type,
        cast(placements.placed_date as date) as placed_date,
        cast(placements.placement_status as {{ dbt.type_string() }}) as placement_status,

        -- bookkeeping
        cast(placements.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from placements
    inner join identity
        on placements.workday_student_id = identity.workday_student_id
    left join postings
        on placements.job_posting_id = postings.job_posting_id
    where identity.student_key in (select students.student_key from students)

)

select * from final
