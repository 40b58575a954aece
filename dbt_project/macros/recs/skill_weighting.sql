{#- Helpers of the skill weighting (int_student_skills__weighted); plain arithmetic, the same on every warehouse. -#}

{#- A term code YYYYMM (terms start in January, May, September) as a running term number: consecutive terms
    differ by one, so "terms ago" is a subtraction. -#}
{% macro term_index(term_code) -%}
    (floor({{ term_code }} / 100) * 3 + floor((mod({{ term_code }}, 100) - 1) / 4))
{%- endmacro %}

{#- How much a grade says about a skill: A (4.0) = 1, B (3.0) = 0.5, C (2.0) or lower = 0. Grades in the sandbox
    sit near a C unless the course fits the student's strengths, so only grades above a C count as evidence. -#}
{% macro grade_factor(grade_points) -%}
    (case when {{ grade_points }} > 2.0 then ({{ grade_points }} - 2.0) / 2.0 else 0.0 end)
{%- endmacro %}
