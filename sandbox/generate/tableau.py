"""The Tableau stand-in's data (`tableau/`): the view catalogue (`views.json`) and the CSV each view returns,
formatted as Tableau exports it (UTF-8 BOM, quoted commas, thousands separators: a planted defect)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sandbox import vocabulary as vocab
from sandbox.frames import Rng, wids
from sandbox.generate.catalogue import Catalogue
from sandbox.generate.common import BASE_VOLUMES, csv_bytes
from sandbox.generate.oracle_sis import SisResult
from sandbox.generate.workday import WorkdayResult
from sandbox.people import SKILL_DOMAIN, SKILLS, People

BOM = b"\xef\xbb\xbf"
VIEWS_WITH_DATA = ["Student Analytics", "Job Market Trends"]
CSV_FORMAT_DEFECT: dict[str, Any] = {
    "source": "tableau",
    "table": "views",
    "key": "view",
    "count": len(VIEWS_WITH_DATA),
    "ids": VIEWS_WITH_DATA,
    "features": ["utf8_bom", "quoted_commas", "thousands_separators"],
}
DISTRACTOR_VIEWS = [
    "Enrollment Funnel",
    "Retention Cohorts",
    "Course Demand",
    "Faculty Load",
    "Financial Aid Overview",
    "Graduation Rates",
    "Housing Occupancy",
    "Library Usage",
    "Alumni Giving",
    "Admissions Pipeline",
    "Class Size Distribution",
    "Research Grants",
    "Student Satisfaction",
    "Diversity Dashboard",
    "Scholarship Awards",
    "Campus Events",
    "IT Tickets",
    "Dining Services",
    "Parking Permits",
    "Advising Appointments",
    "Transfer Credits",
    "Exam Schedule",
    "Lab Utilization",
    "Tuition Revenue",
]


def thousands(values: np.ndarray, decimals: int = 0) -> list[str]:
    return [f"{v:,.{decimals}f}" for v in values]


def term_label(codes: np.ndarray) -> list[str]:
    season = {1: "Spring", 5: "Summer", 9: "Fall"}
    return [f"{season[int(c) % 100]} {int(c) // 100}" for c in codes]


def write_tableau(
    out: Path,
    rng: Rng,
    cat: Catalogue,
    people: People,
    sis: SisResult,
    wd: WorkdayResult,
    vol: dict[str, int],
    as_of: np.datetime64,
) -> dict[str, int]:
    """The view files and catalogue; rows per view with data."""
    out.mkdir(parents=True, exist_ok=True)
    analytics = student_analytics_view(rng, cat, people, sis)
    trends = job_market_trends_view(rng, wd, vol, as_of)
    (out / "student_analytics.csv").write_bytes(BOM + csv_bytes(analytics))
    (out / "job_market_trends.csv").write_bytes(BOM + csv_bytes(trends))
    (out / "other_view.csv").write_bytes(BOM + b'Metric,Value\nRows,"1,024"\n')
    (out / "views.json").write_text(json.dumps(view_catalogue(rng), indent=2) + "\n")
    return {"Student Analytics": analytics.num_rows, "Job Market Trends": trends.num_rows}


def student_analytics_view(rng: Rng, cat: Catalogue, people: People, sis: SisResult) -> pa.Table:
    """One row per SIS student: the SIS's figures with an engagement score and tuition balance, as text."""
    a = sis.analytics
    n = a.num_rows
    student = a["student"].to_numpy()
    gpa = a["gpa"].to_numpy(zero_copy_only=False)
    rate = a["attendance_rate"].to_numpy(zero_copy_only=False)
    balance = np.round(np.where(rng.random(n) < 0.6, 0.0, rng.gamma(2.0, 1800.0, n)), 2)
    return pa.table(
        {
            "Student ID": sis.student_ids[student],
            "Student Name": np.char.add(
                np.char.add(people.first_names[student].astype(str), " "),
                people.last_names[student].astype(str),
            ),
            "Program": cat.program_name[sis.program_of_student[student]],
            "Term": term_label(a["term"].to_numpy()),
            "Credits Attempted": a["credits_attempted"],
            "Credits Earned": a["credits_earned"],
            "GPA": [("" if np.isnan(g) else f"{g:.2f}") for g in gpa],
            "Attendance Rate": [("" if np.isnan(r) else f"{r:.1f}%") for r in rate],
            "Engagement Score": np.round(
                np.clip(70 + 40 * people.ability[student] + rng.normal(0, 8, n), 0, 100), 1
            ),
            "Tuition Balance": thousands(balance, 2),
        }
    )


def job_market_trends_view(
    rng: Rng, wd: WorkdayResult, vol: dict[str, int], as_of: np.datetime64
) -> pa.Table:
    """Postings and salaries per skill, region and month over the last year, from Workday's postings."""
    months = np.arange(np.datetime64(str(as_of)[:7], "M") - 11, np.datetime64(str(as_of)[:7], "M") + 1)
    regions = sorted({region for _, region in vocab.LOCATIONS})
    demand = np.zeros((len(SKILLS), len(regions)))
    region_idx = np.array([regions.index(r) for r in wd.job_region])
    for row, reg in zip(wd.job_skills, region_idx, strict=True):
        for s in row:
            demand[SKILLS.index(s), reg] += 1
    demand = demand / (vol["job_postings"] / BASE_VOLUMES["job_postings"][0])  # market figures do not scale
    growth = rng.normal(0.04, 0.12, len(SKILLS))
    skill_i, region_i, month_i = (
        grid.ravel()
        for grid in np.meshgrid(
            np.arange(len(SKILLS)), np.arange(len(regions)), np.arange(len(months)), indexing="ij"
        )
    )
    trend = 1 + growth[skill_i] * (month_i - 11) / 12
    postings = np.maximum(0, demand[skill_i, region_i] * 3.2 * trend + rng.normal(0, 3, len(skill_i)))
    salary = 52_000 + 9_000 * SKILL_DOMAIN[skill_i] % 40_000 + rng.normal(0, 2_500, len(skill_i))
    return pa.table(
        {
            "Skill": np.asarray(SKILLS)[skill_i],
            "Region": np.asarray(regions)[region_i],
            "Month": np.datetime_as_string(months[month_i], unit="M"),
            "Job Postings": thousands(np.round(postings)),
            "Median Salary": thousands(np.round(salary, -2)),
            "YoY Growth %": np.round(growth[skill_i] * 100, 1),
        }
    )


def view_catalogue(rng: Rng) -> list[dict[str, str]]:
    """The views a site lists: the two with data and two dozen operational ones sharing one small CSV."""
    view_ids = [str(v) for v in _uuids(rng, 2 + len(DISTRACTOR_VIEWS))]
    views = [
        {
            "id": view_ids[0],
            "name": "Student Analytics",
            "contentUrl": "StudentSuccess/sheets/StudentAnalytics",
            "workbook": "Student Success",
            "file": "student_analytics.csv",
        },
        {
            "id": view_ids[1],
            "name": "Job Market Trends",
            "contentUrl": "CareerOutcomes/sheets/JobMarketTrends",
            "workbook": "Career Outcomes",
            "file": "job_market_trends.csv",
        },
    ] + [
        {
            "id": vid,
            "name": name,
            "contentUrl": f"Operations/sheets/{name.replace(' ', '')}",
            "workbook": "Operations",
            "file": "other_view.csv",
        }
        for vid, name in zip(view_ids[2:], DISTRACTOR_VIEWS, strict=True)
    ]
    # The two views that matter sit on later pages of the catalogue, so connectors must page to find them.
    return views[2:14] + views[:1] + views[14:] + views[1:2]


def _uuids(rng: Rng, n: int) -> list[str]:
    raw = wids(rng, n)
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}" for h in raw]
