-- A table: dim_student, identity tests, skills, search and recommendations all read it; as a view it was
-- recomputed for each of them.
{{ config(materialized='table') }}

-- One row per SIS or Workday student record with the student_key it resolves to (decision 003).
-- Rules, in order: SIS duplicates collapse onto the lowest SIS id; then a Workday record links to a SIS person by
-- e-mail (0.99), else by name + date of birth (0.9 exact first name, 0.8 nickname). A link is made only when it is
-- one-to-one at its rule; anything ambiguous stays unlinked (precision before recall).
-- Soft-deleted records keep a row (their own key) so history can be traced, but never take part in matching.

with

sis as (

    select
        student_id,
        {{ normalize_name('first_name') }} as first_name_norm,
        {{ normalize_name('last_name') }} as last_name_norm,
        date_of_birth,
        case when is_email_valid then {{ normalize_email('email') }} end as email_norm,
        is_deleted
    from {{ ref('stg_oracle_sis__students') }}

),

workday as (

    select
        workday_student_id,
        {{ normalize_name('first_name') }} as first_name_norm,
        {{ normalize_name('last_name') }} as last_name_norm,
        date_of_birth,
        {{ normalize_email('email') }} as email_norm,
        is_deleted
    from {{ ref('stg_workday__students') }}

),

nicknames as (

    {{ first_name_nickname_pairs() }}

),

-- Either spelling may be the formal one in either system.
nickname_links as (

    select
        formal_name as name_a,
        nickname as name_b
    from nicknames
    union
    select
        nickname as name_a,
        formal_name as name_b
    from nicknames

),

active_sis as (

    select * from sis
    where not is_deleted

),

-- SIS duplicates: the same person (sis_same_person: name and birth date), merged only when the e-mail agrees too
-- (the same address, or the same local part). The warn test dq_sis_students_duplicate_person reports the same
-- person without that evidence, for the registrar; a merge needs more, as a wrong one mixes two people's records.
sis_duplicate_pairs as (

    select
        later.student_id,
        earlier.student_id as duplicate_of_student_id,
        case when later.email_norm = earlier.email_norm then 0.99 else 0.9 end as match_confidence
    from active_sis as later
    inner join active_sis as earlier
        on {{ sis_same_person('later', 'earlier') }}
    where
        later.email_norm = earlier.email_norm
        or split_part(later.email_norm, '@', 1) = split_part(earlier.email_norm, '@', 1)

),

sis_survivors as (

    select
        active_sis.student_id,
        coalesce(min(pairs.duplicate_of_student_id), active_sis.student_id) as surviving_student_id,
        max(pairs.match_confidence) as duplicate_confidence
    from active_sis
    left join sis_duplicate_pairs as pairs
        on active_sis.student_id = pairs.student_id
    group by active_sis.student_id

),

-- The people Workday records may link to: one row per surviving SIS id, with every spelling its records carry.
sis_people as (

    select
        survivors.surviving_student_id,
        active_sis.first_name_norm,
        active_sis.last_name_norm,
        active_sis.date_of_birth,
        active_sis.email_norm
    from sis_survivors as survivors
    inner join active_sis
        on survivors.student_id = active_sis.student_id

),

active_workday as (

    select * from workday
    where not is_deleted

),

-- Rule 1: e-mail.
email_candidates as (

    select distinct
        active_workday.workday_student_id,
        sis_people.surviving_student_id
    from active_workday
    inner join sis_people
        on active_workday.email_norm = sis_people.email_norm

),

-- One-to-one only: a Workday record with one candidate person, who has no other candidate record.
email_candidates_counted as (

    select
        workday_student_id,
        surviving_student_id,
        count(*) over (partition by workday_student_id) as people_for_record,
        count(*) over (partition by surviving_student_id) as records_for_person
    from email_candidates

),

email_links as (

    select
        workday_student_id,
        surviving_student_id
    from email_candidates_counted
    where people_for_record = 1 and records_for_person = 1

),

-- Rule 2: name + date of birth, among the records rule 1 left unlinked on both sides.
name_dob_candidates as (

    select
        active_workday.workday_student_id,
        sis_people.surviving_student_id,
        max(case when active_workday.first_name_norm = sis_people.first_name_norm then 0.9 else 0.8 end)
            as match_confidence
    from active_workday
    inner join sis_people
        on
            active_workday.last_name_norm = sis_people.last_name_norm
            and active_workday.date_of_birth = sis_people.date_of_birth
    left join nickname_links
        on
            active_workday.first_name_norm = nickname_links.name_a
            and sis_people.first_name_norm = nickname_links.name_b
    where
        (active_workday.first_name_norm = sis_people.first_name_norm or nickname_links.name_a is not null)
        and active_workday.workday_student_id not in (select email_links.workday_student_id from email_links)
        and sis_people.surviving_student_id not in (select email_links.surviving_student_id from email_links)
    group by active_workday.workday_student_id, sis_people.surviving_student_id

),

name_dob_candidates_counted as (

    select
        workday_student_id,
        surviving_student_id,
        match_confidence,
        count(*) over (partition by workday_student_id) as people_for_record,
        count(*) over (partition by surviving_student_id) as records_for_person
    from name_dob_candidates

),

name_dob_links as (

    select
        workday_student_id,
        surviving_student_id,
        match_confidence
    from name_dob_candidates_counted
    where people_for_record = 1 and records_for_person = 1

),

workday_links as (

    select
        workday_student_id,
        surviving_student_id,
        'email' as match_rule,
        0.99 as match_confidence
    from email_links
    union all
    select
        workday_student_id,
        surviving_student_id,
        'name_dob' as match_rule,
        match_confidence
    from name_dob_links

),

sis_records as (

    select
        'sis' as source_system,
        cast(sis.student_id as {{ dbt.type_string() }}) as source_record_id,
        sis.student_id as sis_student_id,
        cast(null as {{ dbt.type_string() }}) as workday_student_id,
        coalesce(survivors.surviving_student_id, sis.student_id) as surviving_sis_student_id,
        case
            when survivors.surviving_student_id <> sis.student_id then 'sis_duplicate'
            when workday_links.match_rule is not null then workday_links.match_rule
            else 'sis_only'
        end as match_rule,
        case
            when survivors.surviving_student_id <> sis.student_id then survivors.duplicate_confidence
            when workday_links.match_rule is not null then workday_links.match_confidence
            else 1.0
        end as match_confidence,
        sis.is_deleted
    from sis
    left join sis_survivors as survivors
        on sis.student_id = survivors.student_id
    left join workday_links
        on survivors.surviving_student_id = workday_links.surviving_student_id

),

workday_records as (

    select
        'workday' as source_system,
        workday.workday_student_id as source_record_id,
        workday_links.surviving_student_id as sis_student_id,
        workday.workday_student_id,
        workday_links.surviving_student_id as surviving_sis_student_id,
        coalesce(workday_links.match_rule, 'workday_only') as match_rule,
        coalesce(workday_links.match_confidence, 1.0) as match_confidence,
        workday.is_deleted
    from workday
    left join workday_links
        on workday.workday_student_id = workday_links.workday_student_id

),

records as (

    select * from sis_records
    union all
    select * from workday_records

),

final as (

    select
        -- keys
        {{ dbt.concat(["source_system", "':'", "source_record_id"]) }} as identity_record_key,
        case
            when surviving_sis_student_id is not null
                then {{ student_key('sis', 'surviving_sis_student_id') }}
            else {{ student_key('wd', 'workday_student_id') }}
        end as student_key,

        -- the record
        source_system,
        source_record_id,
        sis_student_id,
        workday_student_id,
        surviving_sis_student_id,

        -- how it was resolved
        match_rule,
        cast(match_confidence as double) as match_confidence,
        is_deleted

    from records

)

select * from final
