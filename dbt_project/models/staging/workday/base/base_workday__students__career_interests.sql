-- Every career interest of a Workday student (dlt child table), most-wanted first, with its quarantine reason
-- if any.
{{ workday_child_list(
    child_table='students__career_interests',
    parent_model='base_workday__students',
    parent_key='workday_student_id',
    item_key='career_interest_id',
    value_name='skill_name',
    rank_name='interest_rank'
) }}
