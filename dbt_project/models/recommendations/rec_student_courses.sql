-- Top courses per student (var campus:recs:top_courses) that teach the skills missing from the student's
-- recommended jobs (int_recs__student_top_jobs, the ranking rec_student_jobs explains). A skill's need = sum
-- over the recommended postings lacking it of 1 / rank (the student's top campus:recs:needed_skills of them); a
-- course scores sum of need x skill_weight over the needed skills it teaches. Courses the student has
-- completed or is enrolled in are left out. The reason names the skills closed and how many recommended
-- postings lack the most-needed of them. Integer keys throughout.

-- Built after rec_student_jobs, not beside it: both saturate the cores, so side by side the pair finishes no
-- sooner.
-- depends_on: {{ ref('rec_student_jobs') }}

{%- set top_k = var('campus:recs:top_k') %}
{%- set needed_skills = var('campus:recs:needed_skills') | int %}
{#- a student's needed skills side by side (needed_names), and the text of the skills a course closes: the
    needed skills whose bit is set in the course's closes_mask, in need order -#}
{%- set skill_columns, closes_parts = [], [] %}
{%- for position in range(1, needed_skills + 1) %}
    {%- set bit = 2 ** (position - 1) %}
    {%- do skill_columns.append(
        'max(case when need_rank = ' ~ position ~ ' then skill_name end) as skill_' ~ position
    ) %}
    {%- do closes_parts.append(
        'coalesce(case when ranked.closes_mask % ' ~ (2 * bit) ~ ' >= ' ~ bit
        ~ " then '; ' || needed_names.skill_" ~ position ~ " end, '')"
    ) %}
{%- endfor %}

with

top_jobs as (

    select * from {{ ref('int_recs__student_top_jobs') }}

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

profile as (

    select * from {{ ref('int_recs__student_profile') }}

),

students as (

    select distinct
        student_number,
        student_key
    from profile

),

skills as (

    select distinct
        skill_id,
        skill_name
    from job_index

),

identity as (

    select distinct
        identity.sis_student_id,
        students.student_number
    from {{ ref('int_students__identity_matched') }} as identity
    inner join students
        on identity.student_key = students.student_key
    where identity.sis_student_id is not null

),

courses as (

    select * from {{ ref('stg_oracle_sis__courses') }}
    where not is_deleted

),

-- one row per course and skill (a course listing a skill twice closes it once, with both weights)
course_skills as (

    select
        course_skills.course_id,
        skills.skill_id,
        skills.skill_name,
        sum(course_skills.skill_weight) as skill_weight
    from {{ ref('stg_oracle_sis__course_skills') }} as course_skills
    inner join courses
        on course_skills.course_id = courses.course_id
    inner join skills
        on course_skills.skill_name = skills.skill_name
    where not course_skills.is_deleted
    group by course_skills.course_id, skills.skill_id, skills.skill_name

),

taken as (

    select
        identity.student_number,
        enrollments.course_id
    from {{ ref('stg_oracle_sis__enrollments') }} as enrollments
    inner join identity
        on enrollments.student_id = identity.sis_student_id
    where not enrollments.is_deleted and enrollments.enrollment_status <> 'DROPPED'
    union
    select
        identity.student_number,
        records.course_id
    from {{ ref('stg_oracle_sis__academic_records') }} as records
    inner join identity
        on records.student_id = identity.sis_student_id
    where not records.is_deleted

),

missing as (

    select
        top_jobs.student_number,
        top_jobs.rank,
        job_index.skill_id,
        job_index.skill_name
    from top_jobs
    inner join job_index
        on top_jobs.job_number = job_index.job_number
    left join profile
        on top_jobs.student_number * {{ recs_skill_key_base() }} + job_index.skill_id = profile.student_skill_key
    where profile.student_skill_key is null

),

-- need is summed in decimals, not doubles: equal needs (1/2 + 1/3 + 1/6 = 1/1) must tie and fall to the skill
-- name, whatever order the rows are added in; in doubles the last bit depended on it, and so did the courses
needed_skills as (

    select
        student_number,
        skill_id,
        skill_name,
        sum(cast(1.0 / rank as decimal(18, 9))) as need,
        count(*) as job_count,
        row_number() over (
            partition by student_number
            order by sum(cast(1.0 / rank as decimal(18, 9))) desc, skill_name
        ) as need_rank
    from missing
    group by student_number, skill_id, skill_name
    qualify need_rank <= {{ needed_skills }}

),

-- the needed skills' names side by side, in need order: a course's list of the skills it closes is picked out of
-- them by its bit mask (below), not aggregated again from its candidate rows
needed_names as (

    select
        student_number,
        {{ skill_columns | join(',\n        ') }}
    from needed_skills
    group by student_number

),

course_candidates as (

    select
        needed_skills.student_number,
        course_skills.course_id,
        needed_skills.skill_name,
        needed_skills.need,
        needed_skills.job_count,
        needed_skills.need_rank,
        needed_skills.need * course_skills.skill_weight as closes_score
    from needed_skills
    inner join course_skills
        on needed_skills.skill_id = course_skills.skill_id
    left join taken
        on needed_skills.student_number = taken.student_number and course_skills.course_id = taken.course_id
    where taken.course_id is null

),

-- scores first; the skill list is built only for the courses that make a student's top list
ranked as (

    select
        student_number,
        course_id,
        sum(closes_score) as score,
        max(job_count) as job_count,
        -- which of the student's needed skills the course closes, one bit per need rank: course_skills has one
        -- row per course and skill, so this sums distinct powers of two (plain arithmetic, read the same way on
        -- every warehouse)
        sum(cast(power(2, need_rank - 1) as bigint)) as closes_mask,
        row_number() over (partition by student_number order by sum(closes_score) desc, course_id asc) as rank
    from course_candidates
    group by student_number, course_id
    qualify
        row_number() over (partition by student_number order by sum(closes_score) desc, course_id asc)
        <= {{ var('campus:recs:top_courses') }}

),

-- the skills a course closes, in need order: the needed skills whose bits are set in its mask
closes as (

    select
        ranked.student_number,
        ranked.course_id,
        substr({{ closes_parts | join(' || ') }}, 3) as closes_skills
    from ranked
    inner join needed_names
        on ranked.student_number = needed_names.student_number

),

final as (

    select
        students.student_key,
        cast(ranked.course_id as bigint) as course_id,
        cast(ranked.rank as integer) as rank,
        cast(ranked.score as {{ dbt.type_float() }}) as score,
        closes.closes_skills,
        {{ recs_course_reason("replace(closes.closes_skills, '; ', ', ')", 'ranked.job_count', top_k) }}
            as reason
    from ranked
    inner join closes
        on ranked.student_number = closes.student_number and ranked.course_id = closes.course_id
    inner join students
        on ranked.student_number = students.student_number

)

select * from final
