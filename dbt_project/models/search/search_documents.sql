-- One searchable document per student, job posting and course: what a result row shows (title, subtitle) and
-- the fields the app filters on. Students' names are indexed on purpose (advisers search for a student by
-- name): this table holds PII and is for the registrar and advising roles only.

with

students as (

    select * from {{ ref('dim_student') }}

),

programs as (

    select * from {{ ref('dim_program') }}

),

-- a student's strongest skills, heaviest first
student_skills as (

    select
        student_key,
        {{ dbt.listagg('skill_name', "'; '", 'order by weight desc, skill_name') }} as skills
    from (
        select
            student_key,
            skill_name,
            weight,
            row_number() over (partition by student_key order by weight desc, skill_name asc) as skill_order
        from {{ ref('int_student_skills__weighted') }}
    ) as ordered
    where skill_order <= {{ var('campus:search:student_skills') }}
    group by student_key

),

student_documents as (

    select
        {{ dbt.concat(["'student:'", 'students.student_key']) }} as doc_id,
        'student' as doc_type,
        students.student_key as entity_id,
        {{ dbt.concat(['students.first_name', "' '", 'students.last_name']) }} as title,
        {{ dbt.concat(["coalesce(programs.program_name, students.program_code, '')", "' - '", "coalesce(students.city, '')"]) }}
            as subtitle,
        cast(null as {{ dbt.type_string() }}) as keywords,
        coalesce(programs.program_name, students.program_code) as program,
        students.city as location,
        student_skills.skills,
        students.gpa,
        cast(null as {{ dbt.type_string() }}) as posting_status
    from students
    left join programs
        on students.academic_program_id = programs.academic_program_id
    left join student_skills
        on students.student_key = student_skills.student_key

),

job_documents as (

    select
        {{ dbt.concat(["'job:'", 'job_posting_id']) }} as doc_id,
        'job' as doc_type,
        job_posting_id as entity_id,
        job_title as title,
        {{ dbt.concat(['employer', "' - '", 'location']) }} as subtitle,
        employer as keywords,
        cast(null as {{ dbt.type_string() }}) as program,
        location,
        skills,
        cast(null as decimal(4, 2)) as gpa,
        posting_status
    from {{ ref('dim_job_posting') }}

),

course_documents as (

    select
        {{ dbt.concat(["'course:'", 'cast(course_id as ' ~ dbt.type_string() ~ ')']) }} as doc_id,
        'course' as doc_type,
        cast(course_id as {{ dbt.type_string() }}) as entity_id,
        course_title as title,
        {{ dbt.concat(['course_code', "' - '", 'department']) }} as subtitle,
        {{ dbt.concat(['course_code', "' '", 'department']) }} as keywords,
        cast(null as {{ dbt.type_string() }}) as program,
        cast(null as {{ dbt.type_string() }}) as location,
        skills,
        cast(null as decimal(4, 2)) as gpa,
        cast(null as {{ dbt.type_string() }}) as posting_status
    from {{ ref('dim_course') }}

),

documents as (

    select * from student_documents
    union all
    select * from job_documents
    union all
    select * from course_documents

),

-- doc_hash changes whenever anything indexed or shown changes: search_terms re-indexes only those documents
{%- set hashed = ['doc_type', 'title', 'subtitle', 'keywords', 'program', 'location', 'skills', 'gpa', 'posting_status'] %}
final as (

    select
        *,
        {{ search_row_hash(hashed) }} as doc_hash
    from documents

)

select * from final
