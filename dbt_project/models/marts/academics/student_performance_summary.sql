-- One row per active student: attendance and assessment results over every class meeting and assessment on record.

with

students as (

    select student_key from {{ ref('dim_student') }}

),

attendance as (

    select
        student_key,
        count(*) as attendance_days,
        sum(case when is_present then 1 else 0 end) as present_days
    from {{ ref('fct_attendance') }}
    group by student_key

),

assessments as (

    select
        student_key,
        count(*) as assessment_count,
        avg(score_pct) as avg_score_pct,
        min(score_pct) as min_score_pct,
        max(score_pct) as max_score_pct
    from {{ ref('fct_assessment') }}
    group by student_key

),

final as (

    select
        -- keys
        cast(students.student_key as {{ dbt.type_string() }}) as student_key,

        -- attendance
        cast(coalesce(attendance.attendance_days, 0) as integer) as attendance_days,
        cast(coalesce(attendance.present_days, 0) as integer) as present_days,
        cast(
            case
                when attendance.attendance_days > 0
                    then round(1.0 * attendance.present_days / attendance.attendance_days, 4)
            end as double
        ) as attendance_rate,

        -- assessments
        cast(coalesce(assessments.assessment_count, 0) as integer) as assessment_count,
        cast(round(assessments.avg_score_pct, 2) as double) as avg_score_pct,
        cast(assessments.min_score_pct as double) as min_score_pct,
        cast(assessments.max_score_pct as double) as max_score_pct

    from students
    left join attendance
        on students.student_key = attendance.student_key
    left join assessments
        on students.student_key = assessments.student_key

)

select * from final
