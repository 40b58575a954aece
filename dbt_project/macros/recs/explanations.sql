{#- The explanation of each recommended posting (rec_student_jobs): one row per (student_number, job_number) of
    `top_k`, with rank and score carried through, and
      matched_skills / missing_skills  the posting's skills the student holds (strongest contribution first) /
                                       lacks (in the posting's order), '; '-separated, null when there are none;
      top_matched / top_missing        the first 3 / 2 of those, ', '-separated (for the one-line reason);
      missing_count                    how many the student lacks;
      has_course_match / _interest_    1 when a matched skill comes from the student's courses / interests.
    `top_k` has student_number, job_number, rank, score; `job_index` one row per (job_number, skill) with skill_id,
    skill_name, skill_rank; `profile` one row per (student, skill) with student_number, skill_id, the packed
    student_skill_key, contribution and the is_from_ flags.
    Over a million recommendations each warehouse gets its cheapest form; both must return the same rows
    (the unit test rec_student_jobs_explains_matched_and_missing_skills runs on DuckDB and on the Snowflake
    emulator). -#}
{% macro recs_explain_postings(top_k, job_index, profile) -%}
    {{ adapter.dispatch('recs_explain_postings', 'campus_pathways')(top_k, job_index, profile) }}
{%- endmacro %}

{#- Snowflake (and the default): each recommendation joined to its posting's skills, grouped back with ordered
    aggregates. -#}
{% macro default__recs_explain_postings(top_k, job_index, profile) -%}
    {%- set matched_order = ['-contribution', 'skill_rank', 'skill_name'] -%}
    {%- set missing_order = ['skill_rank', 'skill_name'] -%}
    select
        student_number,
        job_number,
        rank,
        score,
        {{ recs_ordered_names('skill_name', matched_order, 'is_matched', '; ') }} as matched_skills,
        {{ recs_ordered_names('skill_name', missing_order, 'not is_matched', '; ') }} as missing_skills,
        {{ recs_ordered_names('skill_name', matched_order, 'is_matched', ', ', 3) }} as top_matched,
        {{ recs_ordered_names('skill_name', missing_order, 'not is_matched', ', ', 2) }} as top_missing,
        count(case when not is_matched then 1 end) as missing_count,
        max(case when is_matched and is_from_courses then 1 else 0 end) as has_course_match,
        max(case when is_matched and is_from_interests then 1 else 0 end) as has_interest_match
    from (
        select
            {{ top_k }}.student_number,
            {{ top_k }}.job_number,
            {{ top_k }}.rank,
            {{ top_k }}.score,
            {{ job_index }}.skill_name,
            {{ job_index }}.skill_rank,
            {{ profile }}.contribution,
            {{ profile }}.contribution is not null as is_matched,
            {{ profile }}.is_from_courses,
            {{ profile }}.is_from_interests
        from {{ top_k }}
        inner join {{ job_index }}
            on {{ top_k }}.job_number = {{ job_index }}.job_number
        left join {{ profile }}
            on {{ top_k }}.student_number * {{ recs_skill_key_base() }} + {{ job_index }}.skill_id
                = {{ profile }}.student_skill_key
    ) as explained_skills
    group by student_number, job_number, rank, score
{%- endmacro %}

{#- DuckDB: grouping a million recommendations back together is slow. Instead each posting's skill list and each
    student's skill list are built once, and every recommendation filters its posting's list against the
    student's, row by row. -#}
{% macro duckdb__recs_explain_postings(top_k, job_index, profile) -%}
    with

    posting_skills as (

        select
            job_number,
            list(
                {'skill_id': skill_id, 'skill_rank': skill_rank, 'skill_name': skill_name}
                order by skill_rank, skill_name
            ) as skills
        from {{ job_index }}
        group by job_number

    ),

    student_skills as (

        select
            student_number,
            list(skill_id order by skill_id) as skill_ids,
            list(
                {'contribution': contribution, 'is_from_courses': is_from_courses, 'is_from_interests': is_from_interests}
                order by skill_id
            ) as skill_facts
        from {{ profile }}
        group by student_number

    ),

    split as (

        select
            {{ top_k }}.student_number,
            {{ top_k }}.job_number,
            {{ top_k }}.rank,
            {{ top_k }}.score,
            -- matched skills as sortable structs: strongest contribution first, then the posting's order
            list_sort(list_transform(
                list_filter(posting_skills.skills, lambda s: list_contains(student_skills.skill_ids, s.skill_id)),
                lambda s: {
                    'sort_contribution': -student_skills.skill_facts[list_position(student_skills.skill_ids, s.skill_id)].contribution,
                    'skill_rank': s.skill_rank,
                    'skill_name': s.skill_name,
                    'facts': student_skills.skill_facts[list_position(student_skills.skill_ids, s.skill_id)]
                }
            )) as matched,
            list_filter(
                posting_skills.skills, lambda s: not coalesce(list_contains(student_skills.skill_ids, s.skill_id), false)
            ) as missing
        from {{ top_k }}
        inner join posting_skills
            on {{ top_k }}.job_number = posting_skills.job_number
        left join student_skills
            on {{ top_k }}.student_number = student_skills.student_number

    )

    select
        student_number,
        job_number,
        rank,
        score,
        nullif(array_to_string(list_transform(matched, lambda s: s.skill_name), '; '), '') as matched_skills,
        nullif(array_to_string(list_transform(missing, lambda s: s.skill_name), '; '), '') as missing_skills,
        nullif(array_to_string(list_transform(matched[1:3], lambda s: s.skill_name), ', '), '') as top_matched,
        nullif(array_to_string(list_transform(missing[1:2], lambda s: s.skill_name), ', '), '') as top_missing,
        len(missing) as missing_count,
        case when list_bool_or(list_transform(matched, lambda s: s.facts.is_from_courses)) then 1 else 0 end
            as has_course_match,
        case when list_bool_or(list_transform(matched, lambda s: s.facts.is_from_interests)) then 1 else 0 end
            as has_interest_match
    from split
{%- endmacro %}
