-- One row per course and calendar day on which the course met or assessed anyone.

with

attendance as (

    select
        course_id,
        class_date,
        count(distinct student_key) as student_count,
        sum(case when is_present then 1 else 0 end) as present_count,
        sum(case when is_present then 0 else 1 end) as absent_count
    from {{ ref('fct_attendance') }}
    group by course_id, class_date

),

assessments as (

    select
        course_id,
        assessed_on as class_date,
        count(*) as assessment_count,
        avg(score_pct) as avg_score_pct
    from {{ ref('fct_assessment') }}
    group by course_id, assessed_on

),

class_days as (

    select
        course_id,
        class_date
    from attendance
    union
    select
        course_id,
        class_date
    from assessments

),

final as (

    select
        -- keys
        cast(
            {{ dbt.concat(["cast(class_days.course_id as " ~ dbt.type_string() ~ ")", "'|'",
                           "cast(class_days.class_date as " ~ dbt.type_string() ~ ")"]) }}
            as {{ dbt.type_string() }}
        ) as class_day_key,
        cast(class_days.course_id as bigint) as course_id,
        cast(class_days.class_date as date) as class_date,

        -- attendance
        cast(coalesce(attendance.student_count, 0) as integer) as student_count,
        cast(coalesce(attendance.present_count, 0) as integer) as present_count,
        cast(coalesce(attendance.absent_count, 0) as integer) as absent_count,
        cast(
            case
                when attendance.present_count + attendance.absent_count > 0
                    then round(
                        1.0 * attendance.present_count / (attendance.present_count + attendance.absent_count), 4
                    )
            end as double
        ) as attendance_rate,

        -- assessments
        cast(coalesce(assessments.assessment_count, 0) as integer) as assessment_count,
        cast(round(assessments.avg_score_pct, 2) as double) as avg_score_pct

    from class_days
    left join attendance
        on
            class_days.course_id = attendance.course_id
            and class_days.class_date = attendance.class_date
    left join assessments
        on
            class_days.course_id = assessments.course_id
            and class_days.class_date = assessments.class_date

)

select * from final
