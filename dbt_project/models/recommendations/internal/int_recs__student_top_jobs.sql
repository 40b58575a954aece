-- Step 2 of the recommendations: each student's top K postings (var campus:recs:top_k) from the shortlist,
-- without postings the student has already been placed in; ties go to open, then newer postings. A table with
-- integer keys, read by rec_student_jobs (the explanations) and rec_student_courses (the gaps).

{%- set top_k = var('campus:recs:top_k') %}

with

shortlist_rows as (

    select * from {{ ref('int_recs__student_job_shortlist') }}

),

profile as (

    select * from {{ ref('int_recs__student_profile') }}

),

job_index as (

    select * from {{ ref('int_recs__job_skill_index') }}

),

identity as (

    select * from {{ ref('int_students__identity_matched') }}

),

postings as (

    select distinct
        job_number,
        job_posting_id,
        posting_status,
        posted_date
    from job_index

),

students as (

    select distinct
        student_number,
        student_key
    from profile

),

-- integer keys from here on: grouping a million recommendations by string keys costs seconds (the shortlist
-- keeps business keys, as its rows outlive one run's numbering)
shortlist as (

    select
        students.student_number,
        postings.job_number,
        shortlist_rows.score,
        shortlist_rows.inputs_fingerprint
    from shortlist_rows
    inner join students
        on shortlist_rows.student_key = students.student_key
    inner join postings
        on shortlist_rows.job_posting_id = postings.job_posting_id

),

already_placed as (

    select distinct
        students.student_number,
        postings.job_number
    from {{ ref('stg_workday__job_placements') }} as placements
    inner join identity
        on placements.workday_student_id = identity.workday_student_id
    inner join students
        on identity.student_key = students.student_key
    inner join postings
        on placements.job_posting_id = postings.job_posting_id
    where not placements.is_deleted

),

ranked as (

    select
        shortlist.student_number,
        shortlist.job_number,
        shortlist.score,
        shortlist.inputs_fingerprint,
        row_number() over (
            partition by shortlist.student_number
            order by
                shortlist.score desc,
                case when postings.posting_status = 'OPEN' then 0 else 1 end,
                postings.posted_date desc,
                postings.job_posting_id asc
        ) as rank
    from shortlist
    inner join postings
        on shortlist.job_number = postings.job_number
    left join already_placed
        on shortlist.student_number = already_placed.student_number and shortlist.job_number = already_placed.job_number
    where already_placed.job_number is null

),

top_k as (

    select * from ranked
    where rank <= {{ top_k }}

),

-- per student, a hash of what the explanations of this list depend on: the shortlist's inputs (the profile, the
-- postings with their skills) and the list itself with its ranks (rec_student_jobs rebuilds a student when it
-- changes; docs/decisions/007)
list_fingerprints as (

    select
        top_k.student_number,
        {{ dbt.hash(dbt.concat([
            'max(top_k.inputs_fingerprint)', "'|'", recs_hash_sum(['postings.job_posting_id', 'top_k.rank'])
        ])) }} as recs_fingerprint
    from top_k
    inner join postings
        on top_k.job_number = postings.job_number
    group by top_k.student_number

),

final as (

    select
        top_k.student_number,
        top_k.job_number,
        students.student_key,
        postings.job_posting_id,
        top_k.rank,
        top_k.score,
        list_fingerprints.recs_fingerprint
    from top_k
    inner join students
        on top_k.student_number = students.student_number
    inner join postings
        on top_k.job_number = postings.job_number
    inner join list_fingerprints
        on top_k.student_number = list_fingerprints.student_number

)

select * from final
