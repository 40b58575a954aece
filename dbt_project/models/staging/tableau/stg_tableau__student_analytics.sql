with

source as (

    select * from {{ source('tableau', 'student_analytics') }}

),

renamed as (

    select
        -- ids: the view exports the SIS student id as text
        cast(snapshot_date as date) as snapshot_date,
        cast(trim(student_id) as bigint) as student_id,

        -- student
        {{ clean_text('student_name') }} as student_name,
        {{ clean_text('program') }} as program_name,
        {{ clean_text('term') }} as term_label,

        -- measures
        cast(credits_attempted as integer) as credits_attempted,
        cast(credits_earned as integer) as credits_earned,
        cast(gpa as numeric(4, 2)) as gpa,
        cast(attendance_rate as {{ dbt.type_float() }}) as attendance_rate,
        cast(engagement_score as {{ dbt.type_float() }}) as engagement_score,
        cast(tuition_balance as numeric(12, 2)) as tuition_balance,

        -- bookkeeping: a snapshot is never soft-deleted; it is as of its snapshot date
        false as is_deleted,
        cast(snapshot_date as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from renamed
