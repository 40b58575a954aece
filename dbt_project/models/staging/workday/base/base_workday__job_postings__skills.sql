-- Every required skill of a Workday job posting (dlt child table), in the order Workday lists them, with its
-- quarantine reason if any.
{{ workday_child_list(
    child_table='job_postings__skills',
    parent_model='base_workday__job_postings',
    parent_key='job_posting_id',
    item_key='job_posting_skill_id',
    value_name='skill_name',
    rank_name='skill_rank'
) }}
