"""Quality of `rec_student_jobs` against the sandbox's held-out placements, beside a popularity baseline.

`evaluate(warehouse_path, sandbox_dir)` returns hit-rate@K and NDCG@K for the model and for "the K
most-placed postings, the same for everyone" (both leave out postings the student was already placed in).
Held-out rows map to student_key through `int_students__identity_matched` by their Workday id.
Run as `python -m bench.recommendations WAREHOUSE SANDBOX_DIR`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ingestion.destination import connect_working

K = 10

METRICS_SQL = """
with

holdout as (
    select distinct identity.student_key, holdout.jobPostingId as job_posting_id
    from read_parquet(?) as holdout
    inner join intermediate.int_students__identity_matched as identity
        on identity.workday_student_id = holdout.studentId
),

already_placed as (
    select distinct identity.student_key, placements.job_posting_id
    from staging.stg_workday__job_placements as placements
    inner join intermediate.int_students__identity_matched as identity
        on identity.workday_student_id = placements.workday_student_id
    where not placements.is_deleted
),

popular as (
    select job_posting_id, count(*) as placements
    from staging.stg_workday__job_placements
    where not is_deleted
    group by job_posting_id
),

users as (select distinct student_key from holdout),

-- the baseline: most-placed postings first, minus the student's own, cut at K (like the model)
baseline as (
    select student_key, job_posting_id, rank
    from (
        select
            users.student_key,
            popular.job_posting_id,
            row_number() over (
                partition by users.student_key order by popular.placements desc, popular.job_posting_id
            ) as rank
        from users
        cross join (select * from popular order by placements desc, job_posting_id limit {spare}) as popular
        left join already_placed
            on already_placed.student_key = users.student_key
            and already_placed.job_posting_id = popular.job_posting_id
        where already_placed.job_posting_id is null
    )
    where rank <= {k}
),

model as (
    select student_key, job_posting_id, rank
    from recommendations.rec_student_jobs
    where rank <= {k}
),

ideal as (
    select student_key, sum(1.0 / log2(n + 1)) as idcg
    from (
        select student_key, row_number() over (partition by student_key order by job_posting_id) as n
        from holdout
    )
    where n <= {k}
    group by student_key
),

scored as (
    select
        'model' as recommender, holdout.student_key,
        max(case when model.rank is not null then 1 else 0 end) as hit,
        sum(case when model.rank is not null then 1.0 / log2(model.rank + 1) else 0 end) as dcg
    from holdout
    left join model using (student_key, job_posting_id)
    group by holdout.student_key
    union all
    select
        'popularity', holdout.student_key,
        max(case when baseline.rank is not null then 1 else 0 end),
        sum(case when baseline.rank is not null then 1.0 / log2(baseline.rank + 1) else 0 end)
    from holdout
    left join baseline using (student_key, job_posting_id)
    group by holdout.student_key
)

select
    recommender,
    count(*) as users,
    sum(hit) as hits,
    avg(hit) as hit_rate,
    avg(dcg / idcg) as ndcg
from scored
inner join ideal using (student_key)
group by recommender
"""


def evaluate(warehouse_path: Path | str, sandbox_dir: Path | str, k: int = K) -> dict[str, Any]:
    """Hit-rate@k and NDCG@k of the model and of the popularity baseline, plus coverage figures."""
    holdout = Path(sandbox_dir) / "truth" / "holdout_placements.parquet"
    if not holdout.exists():
        raise FileNotFoundError(
            f"{holdout} is missing: evaluate needs a sandbox folder generated with its truth/"
        )
    with connect_working(warehouse_path, read_only=True) as con:
        rows = con.execute(METRICS_SQL.format(k=k, spare=k * 3), [str(holdout)]).fetchall()
        holdout_rows, mapped = con.execute(
            """
            select count(*), count(identity.student_key)
            from read_parquet(?) as holdout
            left join (select distinct workday_student_id, student_key
                       from intermediate.int_students__identity_matched) as identity
                on identity.workday_student_id = holdout.studentId
            """,
            [str(holdout)],
        ).fetchall()[0]
        students_with_recs = con.execute(
            "select count(distinct student_key) from recommendations.rec_student_jobs"
        ).fetchall()[0][0]
    by_name = {r[0]: {"users": r[1], "hits": int(r[2]), "hit_rate": r[3], "ndcg": r[4]} for r in rows}
    model, baseline = by_name["model"], by_name["popularity"]
    return {
        "k": k,
        "holdout_rows": holdout_rows,
        "holdout_rows_mapped": mapped,
        "students_with_recs": students_with_recs,
        "model": model,
        "popularity": baseline,
        "hit_rate_lift": model["hit_rate"] / baseline["hit_rate"] if baseline["hit_rate"] else float("inf"),
    }


if __name__ == "__main__":
    print(json.dumps(evaluate(sys.argv[1], sys.argv[2]), indent=2))
