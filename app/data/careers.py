"""The Jobs & market page's queries: a posting, the students who fit it best, and job-market trends.

Reads marts and recommendations only; settings as `app.data.warehouse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from app.data import records
from app.data.errors import BadInput
from app.data.sql import placeholders
from app.data.warehouse import LONG_TTL, MEDIUM_TTL, fetch


def job_posting(identifier: str | None) -> pd.Series:
    wanted = (identifier or "").strip()
    if not wanted:
        raise BadInput("Enter a job posting id or requisition id, or find the posting on the Search page.")
    if len(wanted) > 100:
        raise BadInput("That is not a job posting id: ids are at most a few dozen characters.")
    frame = fetch(records.JOB_FOR_ONE, (wanted, wanted), MEDIUM_TTL)
    if frame.empty:
        raise BadInput(f"No job posting has the id {wanted!r}.")
    return frame.iloc[0]


def best_fit_students(job_posting_id: str, limit: int = records.BEST_FIT_LIMIT) -> pd.DataFrame:
    return fetch(records.BEST_FIT_FOR_ONE, (job_posting_id, int(limit)), MEDIUM_TTL)


def recent_postings(limit: int = 200) -> pd.DataFrame:
    return fetch(
        """
        select job_posting_id, job_title, employer, location, posting_status, posted_date
        from marts.dim_job_posting
        order by posted_date desc, job_posting_id
        limit ?
        """,
        (int(limit),),
        LONG_TTL,
    )


# --------------------------------------------------------------------------------------------- pipeline


def market_skills() -> list[str]:
    frame = fetch("select distinct skill_name from marts.job_market_trends order by 1", (), LONG_TTL)
    return list(frame["skill_name"])


def market_regions() -> list[str]:
    frame = fetch("select distinct region from marts.job_market_trends order by 1", (), LONG_TTL)
    return list(frame["region"])


def market_trends(skills: Sequence[str], regions: Sequence[str]) -> pd.DataFrame:
    """Monthly figures for the chosen skills and regions (all regions when none is chosen)."""
    if not skills:
        raise BadInput("Pick at least one skill to plot.")
    where = [f"skill_name in ({placeholders(len(skills))})"]
    params: list[Any] = list(skills)
    if regions:
        where.append(f"region in ({placeholders(len(regions))})")
        params += list(regions)
    return fetch(
        f"""
        select skill_name, region, trend_month, job_postings, median_salary, yoy_growth_pct
        from marts.job_market_trends
        where {" and ".join(where)}
        order by trend_month, skill_name, region
        """,
        params,
        LONG_TTL,
    )
