-- One row per active job posting, with its required skills (in Workday's order) as one delimited string.

with

postings as (

    select * from {{ ref('stg_workday__job_postings') }}
    where not is_deleted

),

posting_skills as (

    select * from {{ ref('stg_workday__job_postings__skills') }}

),

skills_per_posting as (

    select
        job_posting_id,
        count(*) as skill_count,
        {{ dbt.listagg('skill_name', "'; '", 'order by skill_rank, skill_name') }} as skills
    from posting_skills
    group by job_posting_id

),

final as (

    select
        -- keys
        cast(postings.job_posting_id as {{ dbt.type_string() }}) as job_posting_id,
        cast(postings.requisition_id as {{ dbt.type_string() }}) as requisition_id,

        -- the posting
        cast(postings.job_title as {{ dbt.type_string() }}) as job_title,
        cast(postings.employer as {{ dbt.type_string() }}) as employer,
        cast(postings.location as {{ dbt.type_string() }}) as location,
        cast(postings.region as {{ dbt.type_string() }}) as region,
        cast(postings.posted_date as date) as posted_date,
        cast(postings.posting_status as {{ dbt.type_string() }}) as posting_status,
        cast(postings.salary_min as bigint) as salary_min,
        cast(postings.salary_max as bigint) as salary_max,

        -- skills
        cast(coalesce(skills_per_posting.skill_count, 0) as integer) as skill_count,
        cast(skills_per_posting.skills as {{ dbt.type_string() }}) as skills,

        -- bookkeeping
        cast(postings.updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from postings
    left join skills_per_posting
        on postings.job_posting_id = skills_per_posting.job_posting_id

)

select * from final
