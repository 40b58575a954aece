"""The Tableau views this source knows, with the raw table and the explicit type of every exported column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from dlt.common.normalizers.naming.snake_case import NamingConvention

Kind = Literal["text", "bigint", "decimal", "double", "month"]

_NAMING = NamingConvention()


@dataclass(frozen=True)
class Column:
    """One exported column: its header in the CSV, its raw name and how its text becomes a value."""

    header: str
    name: str
    kind: Kind = "text"
    precision: int | None = None  # decimal only
    scale: int | None = None  # decimal only
    percent: bool = False  # accept (and drop) a trailing "%": 87.5% lands as 87.5
    description: str = ""


@dataclass(frozen=True)
class ViewSpec:
    """A view's raw table and its declared columns. Columns the view exports beyond these land as text."""

    name: str
    table: str
    columns: tuple[Column, ...] = ()

    def column_for(self, header: str) -> Column:
        for column in self.columns:
            if column.header.casefold() == header.strip().casefold():
                return column
        return Column(header=header, name=_NAMING.normalize_identifier(header.strip()))


VIEWS: Final[dict[str, ViewSpec]] = {
    spec.name: spec
    for spec in (
        ViewSpec(
            name="Student Analytics",
            table="student_analytics",
            columns=(
                # Identifiers stay text in raw, exactly as exported; staging casts them.
                Column("Student ID", "student_id"),
                Column("Student Name", "student_name"),
                Column("Program", "program"),
                Column("Term", "term"),
                Column("Credits Attempted", "credits_attempted", "bigint"),
                Column("Credits Earned", "credits_earned", "bigint"),
                Column("GPA", "gpa", "decimal", precision=4, scale=2),
                Column(
                    "Attendance Rate",
                    "attendance_rate",
                    "double",
                    percent=True,
                    description="Percent of sessions attended, in points (the view's 87.5% is 87.5).",
                ),
                Column("Engagement Score", "engagement_score", "double"),
                Column("Tuition Balance", "tuition_balance", "decimal", precision=12, scale=2),
            ),
        ),
        ViewSpec(
            name="Job Market Trends",
            table="job_market_trends",
            columns=(
                Column("Skill", "skill"),
                Column("Region", "region"),
                Column("Month", "month", "month", description="The month of the figures, as its first day."),
                Column("Job Postings", "job_postings", "bigint"),
                Column("Median Salary", "median_salary", "decimal", precision=12, scale=2),
                Column(
                    "YoY Growth %",
                    "yoy_growth_pct",
                    "double",
                    percent=True,
                    description="Year-over-year growth in percent points (12.5 means +12.5%).",
                ),
            ),
        ),
    )
}

DEFAULT_VIEWS: Final[tuple[str, ...]] = tuple(VIEWS)


def spec_for(view_name: str) -> ViewSpec:
    """The declared spec of a view, or an all-text one (table named after the view) for any other view."""
    return VIEWS.get(view_name) or ViewSpec(name=view_name, table=_NAMING.normalize_identifier(view_name))
