-- Top courses per student (var campus:recs:top_courses) that teach the skills missing from the student's
-- recommended jobs (rec_student_jobs). A skill's need = sum over the recommended postings lacking it of
-- 1 / rank; a course scores sum of need x skill_weight over the needed skills it teaches. Courses the student
-- has completed or is enrolled in are left out. The reason names the skills closed and how many recommended
-- postings lack the most-needed of them.

{%- set top_k = var('campus:recs:top_k') %}

with

recommended_jobs as (

    select * from {{ ref('rec_student_jobs') }}

),

job_skills as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

student_skills as (

    select * from {{ ref('int_recs__student_profile') }}

),

identity as (

    select distinct
        sis_student_id,
        student_key
    from {{ ref('int_students__identity_matched') }}
    where sis_student_id is not null

),

courses as (

    select * from {{ ref('stg_oracle_sis__courses') }}
    where not is_deleted

),

course_skills as (

    select course_skills.*
    from {{ ref('stg_oracle_sis__course_skills') }} as course_skills
    inner join courses
        on course_skills.course_id = courses.course_id
    where not course_skills.is_deleted

),

taken as (

    select
        identity.student_key,
        enrollments.course_id
    from {{ ref('stg_oracle_sis__enrollments') }} as enrollments
    inner join identity
        on enrollments.student_id = identity.sis_student_id
    where not enrollments.is_deleted and enrollments.enrollment_status <> 'DROPPED'
    union
    select
        identity.student_key,
        records.course_id
    from {{ ref('stg_oracle_sis__academic_records') }} as records
    inner join identity
        on records.student_id = identity.sis_student_id
    where not records.is_deleted

),

missing as (

    select
        recommended_jobs.student_key,
        recommended_jobs.job_posting_id,
        recommended_jobs.rank,
        job_skills.skill_name
    from recommended_jobs
    inner join job_skills
        on recommended_jobs.job_posting_id = job_skills.job_posting_id
    left join student_skills
        on recommended_jobs.student_key = student_skills.student_key and job_skills.skill_name = student_skills.skill_name
    where student_skills.skill_name is null

),

needed_skills as (

    select
        student_key,
        skill_name,
        sum(1.0 / rank) as need,
        count(*) as job_count
    from missing
    group by student_key, skill_name
    qualify
        row_number() over (partition by student_key order by sum(1.0 / rank) desc, skill_name)
        <= {{ var('campus:recs:needed_skills', 5) }}

),

course_candidates as (

    select
        needed_skills.student_key,
        course_skills.course_id,
        needed_skills.skill_name,
        needed_skills.need,
        needed_skills.job_count,
        needed_skills.need * course_skills.skill_weight as closes_score
    from needed_skills
    inner join course_skills
        on needed_skills.skill_name = course_skills.skill_name
    left join taken
        on needed_skills.student_key = taken.student_key and course_skills.course_id = taken.course_id
    where taken.course_id is null

),

-- scores first; the skill list is built only for the courses that make a student's top list
course_scores as (

    select
        student_key,
        course_id,
        sum(closes_score) as score,
        max(job_count) as job_count
    from course_candidates
    group by student_key, course_id

),

ranked as (

    select
        *,
        row_number() over (partition by student_key order by score desc, course_id asc) as rank
    from course_scores
    qualify
        row_number() over (partition by student_key order by score desc, course_id asc)
        <= {{ var('campus:recs:top_courses') }}

),

closes as (

    select
        ranked.student_key,
        ranked.course_id,
        {{ dbt.listagg('course_candidates.skill_name', "'; '", 'order by course_candidates.need desc, course_candidates.skill_name') }}
            as closes_skills
    from ranked
    inner join course_candidates
        on ranked.student_key = course_candidates.student_key and ranked.course_id = course_candidates.course_id
    group by ranked.student_key, ranked.course_id

),

final as (

    select
        ranked.student_key,
        cast(ranked.course_id as bigint) as course_id,
        cast(ranked.rank as integer) as rank,
        cast(ranked.score as {{ dbt.type_float() }}) as score,
        closes.closes_skills,
        {{ recs_course_reason("replace(closes.closes_skills, '; ', ', ')", 'ranked.job_count', top_k) }}
            as reason
    from ranked
    inner join closes
        on ranked.student_key = closes.student_key and ranked.course_id = closes.course_id

)

select * from final
