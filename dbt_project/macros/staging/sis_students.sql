{#- SIS student records that repeat an earlier record of the same person: same normalised first and last name and
    the same date of birth under a higher student id (a second admission keyed in again). Returns the later id and
    the lowest id of its group, the record identity resolution keeps. -#}
{% macro sis_later_duplicate_students(students) -%}

    select
        later.student_id,
        min(earlier.student_id) as duplicate_of_student_id
    from {{ students }} as later
    inner join {{ students }} as earlier
        on
            lower(trim(later.first_name)) = lower(trim(earlier.first_name))
            and lower(trim(later.last_name)) = lower(trim(earlier.last_name))
            and later.date_of_birth = earlier.date_of_birth
            and earlier.student_id < later.student_id
    group by later.student_id

{%- endmacro %}
