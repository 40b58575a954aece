"""Every SQL statement the app runs: parameterised, portable (DuckDB and Snowflake), cached per warehouse.

Values from users only ever travel as `?` parameters. The few identifiers that vary (a mart to download, a
stored test-failure table) are never taken from user text: they are picked from the warehouse's own catalogue
and checked against it before use (`_relation`).

Caching: reference lists (programmes, skills) 10 minutes, search and profiles 2 minutes, quality and pipeline
views 1 minute. The warehouse label is part of every cache key, so two warehouses never share results.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from app.connection import resolve_settings, warehouse

SHORT_TTL = 60
MEDIUM_TTL = 120
LONG_TTL = 600

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
# Shorter terms match whole index terms only: "a" as a prefix would match half the index.
MIN_PREFIX_CHARS = 3
PAGE_SIZE = 20
DOC_TYPES = ("student", "job", "course")
APP_SCHEMAS = ("marts", "recommendations", "quality", "search")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")


class BadInput(ValueError):
    """User input the page should explain rather than run."""


# --------------------------------------------------------------------------------------------- execution


def run(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one statement now, uncached (the benchmark times this)."""
    return warehouse().query(sql, tuple(params))


@st.cache_data(ttl=SHORT_TTL, show_spinner=False, max_entries=2000)
def _cached_short(label: str, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    return run(sql, params)


@st.cache_data(ttl=MEDIUM_TTL, show_spinner=False, max_entries=5000)
def _cached_medium(label: str, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    return run(sql, params)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=500)
def _cached_long(label: str, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    return run(sql, params)


def fetch(sql: str, params: Sequence[Any] = (), ttl: int = MEDIUM_TTL) -> pd.DataFrame:
    cached = {SHORT_TTL: _cached_short, MEDIUM_TTL: _cached_medium, LONG_TTL: _cached_long}[ttl]
    return cached(resolve_settings().label, sql, tuple(params))


def clear_cache() -> None:
    for function in (_cached_short, _cached_medium, _cached_long):
        function.clear()


# --------------------------------------------------------------------------------------------- catalogue

_RELATIONS = """
select lower(table_schema) as schema_name, lower(table_name) as table_name
from information_schema.tables
where lower(table_schema) in (?, ?, ?, ?, ?, ?, ?, ?)
order by 1, 2
"""


def relations() -> pd.DataFrame:
    """The app-facing relations that exist in the warehouse right now."""
    return fetch(
        _RELATIONS, (*APP_SCHEMAS, "test_failures", "staging", "raw_meta", "intermediate"), SHORT_TTL
    )


def has_relation(schema: str, table: str) -> bool:
    found = relations()
    return bool(((found["schema_name"] == schema.lower()) & (found["table_name"] == table.lower())).any())


def _relation(schema: str, table: str) -> str:
    """`schema.table` for a relation that exists in the catalogue; anything else is refused."""
    if not (IDENTIFIER.match(schema) and IDENTIFIER.match(table)) or not has_relation(schema, table):
        raise BadInput(f"There is no table {schema}.{table} in the warehouse.")
    return f"{schema.lower()}.{table.lower()}"


_COLUMNS = """
select lower(column_name) as column_name
from information_schema.columns
where lower(table_schema) = ? and lower(table_name) = ?
order by ordinal_position
"""


def columns_of(schema: str, table: str) -> list[str]:
    return list(fetch(_COLUMNS, (schema.lower(), table.lower()), LONG_TTL)["column_name"])


def downloadable_marts() -> pd.DataFrame:
    found = relations()
    return found[found["schema_name"].isin(APP_SCHEMAS)].reset_index(drop=True)


def mart_rows(schema: str, table: str, limit: int = 1_000_000) -> pd.DataFrame:
    return fetch(f"select * from {_relation(schema, table)} limit ?", (int(limit),), SHORT_TTL)


# --------------------------------------------------------------------------------------------- search


def search_terms(text: str | None) -> list[str]:
    """The query's words as dbt's `search_tokens` stores terms: lower-cased, accents stripped, split on
    every run of characters that are neither letters nor digits (any script)."""
    if text is None or not text.strip():
        raise BadInput("Type a name, a job title, a course or a skill to search.")
    if len(text) > MAX_QUERY_CHARS:
        raise BadInput(
            f"The search text is {len(text):,} characters long; keep it under {MAX_QUERY_CHARS} characters."
        )
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    terms = [term for term in re.split(r"[\W_]+", stripped) if term]
    if not terms:
        raise BadInput(
            "The search text has no letters or digits to look for; try a name, a job title or a skill."
        )
    return list(dict.fromkeys(terms))


def trigrams(word: str) -> list[str]:
    """A word's trigrams as search_trigrams stores them: every 3 characters of '^' + word + '$'."""
    padded = f"^{word}$"
    return list(dict.fromkeys(padded[i : i + 3] for i in range(len(padded) - 2)))


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(word: str) -> int:
    """Edits a misspelt word may be from an index term: none under 4 characters, 1 up to 7, then 2."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


@dataclass(frozen=True)
class SearchFilters:
    doc_types: tuple[str, ...] = DOC_TYPES
    gpa_min: float | None = None
    gpa_max: float | None = None
    programs: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    posting_statuses: tuple[str, ...] = ()


@dataclass
class SearchPage:
    terms: list[str]
    results: pd.DataFrame
    total: int
    page: int
    pages: int
    notes: list[str] = field(default_factory=list)


def _placeholders(count: int) -> str:
    return ", ".join("?" for _ in range(count))


def _filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE conditions on search_documents; student filters leave jobs and courses alone, and so on."""
    where = [f"d.doc_type in ({_placeholders(len(filters.doc_types))})"]
    params: list[Any] = list(filters.doc_types)
    if filters.gpa_min is not None:
        where.append("(d.doc_type <> 'student' or d.gpa >= ?)")
        params.append(filters.gpa_min)
    if filters.gpa_max is not None:
        where.append("(d.doc_type <> 'student' or d.gpa <= ?)")
        params.append(filters.gpa_max)
    if filters.programs:
        where.append(f"(d.doc_type <> 'student' or d.program in ({_placeholders(len(filters.programs))}))")
        params += list(filters.programs)
    if filters.locations:
        where.append(f"(d.doc_type = 'course' or d.location in ({_placeholders(len(filters.locations))}))")
        params += list(filters.locations)
    if filters.posting_statuses:
        marks = _placeholders(len(filters.posting_statuses))
        where.append(f"(d.doc_type <> 'job' or d.posting_status in ({marks}))")
        params += list(filters.posting_statuses)
    for skill in filters.skills:
        # Whole skill names inside dbt's '; '-delimited list, case-insensitively.
        where.append("position(lower(?) in '; ' || lower(coalesce(d.skills, '')) || ';') > 0")
        params.append(f"; {skill.strip()};")
    return where, params


# Prefix expansion keeps a word's most common completions: "sta" must not fan out to every term.
MAX_EXPANSIONS = 25
# Near spellings: candidates sharing most trigrams with the word, then an exact edit-distance check.
TYPO_CANDIDATES = 40
MATCH_DISCOUNT = {"exact": 1.0, "prefix": 0.5, "typo": 0.3}


def _literal_rows(count: int, width: int) -> str:
    """`count` parameterised rows of `width` values as a `union all` relation; only the shape is in SQL."""
    row = "select " + _placeholders(width)
    return " union all ".join(row for _ in range(count))


def _word_rows(words: Sequence[str], *extra: Sequence[Any]) -> tuple[str, list[Any]]:
    """Each word with its values from `extra` (one sequence per column) as a parameterised relation."""
    params: list[Any] = []
    for i, word in enumerate(words):
        params += [word, *(column[i] for column in extra)]
    return _literal_rows(len(words), 1 + len(extra)), params


def _expansions(words: Sequence[str]) -> pd.DataFrame:
    """Each word's index terms: itself, then the terms it starts (3+ characters), most documents first."""
    rows, params = _word_rows(words)
    return fetch(
        f"""
        with words (word) as ({rows}),
        matched as (
            select w.word, v.term, v.doc_count, v.idf,
                   case when v.term = w.word then 'exact' else 'prefix' end as match_type
            from words as w
            inner join search.search_vocabulary as v
                on v.term = w.word
                or (
                    length(w.word) >= {MIN_PREFIX_CHARS}
                    and v.term_length > length(w.word)
                    and v.term like w.word || '%'
                )
        )
        select word, term, match_type, idf from matched
        qualify row_number() over (
            partition by word order by case when match_type = 'exact' then 0 else 1 end, doc_count desc, term
        ) <= {MAX_EXPANSIONS}
        """,
        params,
        MEDIUM_TTL,
    )


def _near_spellings(words: Sequence[str]) -> list[tuple[str, str, float]]:
    """(word, term, idf) for index terms within `allowed_typos` edits of a word the index does not hold."""
    grams = [(word, gram) for word in words for gram in trigrams(word)]
    if not grams:
        return []
    rows, params = _word_rows([w for w, _ in grams], [g for _, g in grams])
    candidates = fetch(
        f"""
        with grams (word, trigram) as ({rows}),
        candidates as (
            select g.word, t.term, count(*) as shared
            from grams as g
            inner join search.search_trigrams as t on t.trigram = g.trigram
            group by g.word, t.term
            qualify row_number() over (partition by g.word order by count(*) desc, t.term)
                <= {TYPO_CANDIDATES}
        )
        select c.word, c.term, v.idf
        from candidates as c
        inner join search.search_vocabulary as v on v.term = c.term
        """,
        params,
        MEDIUM_TTL,
    )
    return [
        (word, term, float(idf))
        for word, term, idf in zip(candidates["word"], candidates["term"], candidates["idf"], strict=True)
        if edit_distance(word, term) <= allowed_typos(word)
    ]


# BM25's term-frequency saturation and length normalisation (search_terms stores tf and field length).
BM25_K1 = 1.2
BM25_B = 0.75


def _search_sql(expansion_count: int, where: list[str]) -> str:
    """Only the number of placeholders depends on the input; every value is a parameter.

    A match weighs boost x (match discount x idf, passed in per term) x BM25's tf part; a document scores its
    best term per (word, field), summed over fields and words."""
    expansions = _literal_rows(expansion_count, 3)
    return f"""
with expansions (word, term, factor) as (
    {expansions}
),
field_hits as (
    select t.doc_id, e.word, t.field,
           max(
               e.factor * t.boost * t.term_frequency * {BM25_K1 + 1}
               / (
                   t.term_frequency
                   + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * t.field_length / s.average_length)
               )
           ) as score
    from search.search_terms as t
    inner join expansions as e on t.term = e.term
    inner join search.search_field_stats as s on s.doc_type = t.doc_type and s.field = t.field
    where t.term in ({_placeholders(expansion_count)})
    group by t.doc_id, e.word, t.field
),
ranked as (
    select doc_id, count(distinct word) as words_matched, sum(score) as score
    from field_hits
    group by doc_id
),
filtered as (
    select d.doc_id, d.doc_type, d.entity_id, d.title, d.subtitle, d.program, d.location, d.gpa,
           d.posting_status, d.skills, r.words_matched, r.score
    from ranked as r
    inner join search.search_documents as d on d.doc_id = r.doc_id
    where {" and ".join(where)}
)
select filtered.*, count(*) over () as total_hits
from filtered
order by words_matched desc, score desc, title, doc_id
limit ? offset ?
"""


def search(text: str | None, filters: SearchFilters | None = None, page: int = 1) -> SearchPage:
    """Ranked results: documents matching more of the words first, then by BM25 weight.

    Each word matches the index terms it equals (full weight) or starts (3+ characters, half weight); a word
    of 4+ characters that matches neither matches terms within one or two edits (typos, 0.3 weight)."""
    filters = filters or SearchFilters()
    if not filters.doc_types:
        raise BadInput("Pick at least one kind of result: students, jobs or courses.")
    if filters.gpa_min is not None and filters.gpa_max is not None and filters.gpa_min > filters.gpa_max:
        raise BadInput("The lowest GPA is above the highest: widen the GPA range.")
    words = search_terms(text)
    notes = []
    if len(words) > MAX_TERMS:
        notes.append(f"Only the first {MAX_TERMS} words were searched.")
        words = words[:MAX_TERMS]
    found = _expansions(words)
    matches = [
        (word, term, MATCH_DISCOUNT[kind] * float(idf))
        for word, term, kind, idf in zip(
            found["word"], found["term"], found["match_type"], found["idf"], strict=True
        )
    ]
    expanded = set(found["word"])
    unmatched = [word for word in words if word not in expanded and allowed_typos(word)]
    if unmatched:
        near = _near_spellings(unmatched)
        matches += [(word, term, MATCH_DISCOUNT["typo"] * idf) for word, term, idf in near]
        if near:
            notes.append(
                "Not found as written, matched approximately: "
                + ", ".join(dict.fromkeys(w for w, _, _ in near))
            )
    page = max(1, int(page))
    if not matches:
        return SearchPage(words, _empty_results(), 0, page, 1, notes)
    where, filter_params = _filter_sql(filters)
    frame = fetch(
        _search_sql(len(matches), where),
        (
            *(value for match in matches for value in match),
            *(term for _, term, _ in matches),
            *filter_params,
            PAGE_SIZE,
            (page - 1) * PAGE_SIZE,
        ),
        MEDIUM_TTL,
    )
    total = int(frame["total_hits"].iloc[0]) if len(frame) else 0
    pages = max(1, -(-total // PAGE_SIZE))
    return SearchPage(words, frame.drop(columns=["total_hits"]), total, page, pages, notes)


SEARCH_COLUMNS = (
    "doc_id", "doc_type", "entity_id", "title", "subtitle", "program", "location", "gpa",
    "posting_status", "skills", "words_matched", "score",
)  # fmt: skip


def _empty_results() -> pd.DataFrame:
    return pd.DataFrame(columns=list(SEARCH_COLUMNS))


def search_programs() -> list[str]:
    frame = fetch(
        """
        select distinct program from search.search_documents
        where doc_type = 'student' and program is not null
        order by 1
        """,
        (),
        LONG_TTL,
    )
    return list(frame["program"])


def search_locations() -> list[str]:
    frame = fetch(
        "select distinct location from search.search_documents where location is not null order by 1",
        (),
        LONG_TTL,
    )
    return list(frame["location"])


# --------------------------------------------------------------------------------------------- filters


def posting_statuses() -> list[str]:
    frame = fetch(
        """
        select distinct posting_status from marts.dim_job_posting
        where posting_status is not null
        order by 1
        """,
        (),
        LONG_TTL,
    )
    return list(frame["posting_status"])


# --------------------------------------------------------------------------------------------- students

_STUDENT = """
select
    s.student_key,
    s.sis_student_id,
    s.workday_student_id,
    s.first_name,
    s.last_name,
    s.email,
    s.phone,
    s.date_of_birth,
    s.city,
    s.program_code,
    p.program_name,
    p.degree,
    s.student_status,
    s.enrollment_date,
    s.expected_graduation_date,
    s.gpa,
    s.workday_location,
    s.match_rule,
    s.match_confidence,
    s.duplicate_record_count,
    s.is_in_sis,
    s.is_in_workday,
    perf.attendance_days,
    perf.present_days,
    perf.attendance_rate,
    perf.assessment_count,
    perf.avg_score_pct
from marts.dim_student as s
left join marts.dim_program as p on p.academic_program_id = s.academic_program_id
left join marts.student_performance_summary as perf on perf.student_key = s.student_key
where s.student_key = ?
    or cast(s.sis_student_id as varchar) = ?
    or s.workday_student_id = ?
order by case when s.student_key = ? then 0 else 1 end
limit 1
"""


def student(identifier: str | None) -> pd.Series:
    """One student by `student_key`, SIS id or Workday id; BadInput when there is none."""
    wanted = (identifier or "").strip()
    if not wanted:
        raise BadInput("Enter a student key, SIS id or Workday id, or find the student on the Search page.")
    if len(wanted) > 100:
        raise BadInput("That is not a student id: ids are at most a few dozen characters.")
    frame = fetch(_STUDENT, (wanted, wanted, wanted, wanted), MEDIUM_TTL)
    if frame.empty:
        raise BadInput(
            f"No student has the id {wanted!r}. Check the id, or find the student on the Search page."
        )
    return frame.iloc[0]


def academic_history(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select r.term_code, c.course_code, c.course_title, r.grade_letter, r.grade_points,
               r.credits_earned, r.completed_on
        from marts.fct_academic_record as r
        left join marts.dim_course as c on c.course_id = r.course_id
        where r.student_key = ?
        order by r.term_code, c.course_code
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def attendance(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select a.class_date, c.course_code, a.attendance_status, a.is_present
        from marts.fct_attendance as a
        left join marts.dim_course as c on c.course_id = a.course_id
        where a.student_key = ?
        order by a.class_date, c.course_code
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def student_skills(student_key: str) -> pd.DataFrame | None:
    """The student's weighted skills (courses and career interests); None until dbt has built them."""
    if not has_relation("intermediate", "int_student_skills__weighted"):
        return None
    return fetch(
        """
        select skill_name, weight, is_from_courses, is_from_interests, interest_rank
        from intermediate.int_student_skills__weighted
        where student_key = ?
        order by weight desc, skill_name
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def job_recommendations(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select r.rank, r.job_posting_id, j.job_title, j.employer, j.location, j.region, j.posting_status,
               r.score, r.matched_skills, r.missing_skills, r.reason
        from recommendations.rec_student_jobs as r
        left join marts.dim_job_posting as j on j.job_posting_id = r.job_posting_id
        where r.student_key = ?
        order by r.rank
        """,
        (student_key,),
        MEDIUM_TTL,
    )


def course_recommendations(student_key: str) -> pd.DataFrame:
    return fetch(
        """
        select r.rank, r.course_id, c.course_code, c.course_title, c.department, r.closes_skills, r.reason
        from recommendations.rec_student_courses as r
        left join marts.dim_course as c on c.course_id = r.course_id
        where r.student_key = ?
        order by r.rank
        """,
        (student_key,),
        MEDIUM_TTL,
    )


# --------------------------------------------------------------------------------------------- jobs

_JOB = """
select job_posting_id, requisition_id, job_title, employer, location, region, posted_date, posting_status,
       salary_min, salary_max, skill_count, skills
from marts.dim_job_posting
where job_posting_id = ? or requisition_id = ?
limit 1
"""


def job_posting(identifier: str | None) -> pd.Series:
    wanted = (identifier or "").strip()
    if not wanted:
        raise BadInput("Enter a job posting id or requisition id, or find the posting on the Search page.")
    if len(wanted) > 100:
        raise BadInput("That is not a job posting id: ids are at most a few dozen characters.")
    frame = fetch(_JOB, (wanted, wanted), MEDIUM_TTL)
    if frame.empty:
        raise BadInput(f"No job posting has the id {wanted!r}.")
    return frame.iloc[0]


def best_fit_students(job_posting_id: str, limit: int = 20) -> pd.DataFrame:
    return fetch(
        """
        select r.student_key, s.first_name, s.last_name, s.program_code, s.gpa, r.rank, r.score,
               r.matched_skills, r.missing_skills, r.reason
        from recommendations.rec_student_jobs as r
        inner join marts.dim_student as s on s.student_key = r.student_key
        where r.job_posting_id = ?
        order by r.score desc, r.rank, r.student_key
        limit ?
        """,
        (job_posting_id, int(limit)),
        MEDIUM_TTL,
    )


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


def load_history(limit: int = 5000) -> pd.DataFrame:
    if has_relation("staging", "stg_meta__load_history"):
        sql = """
        select run_id, source_name, table_name, load_status, rows_loaded, started_at, finished_at,
               duration_seconds, error_message
        from staging.stg_meta__load_history
        order by started_at desc, source_name, table_name
        limit ?
        """
    else:
        sql = """
        select run_id, source as source_name, table_name, status as load_status, rows_loaded, started_at,
               finished_at, duration_seconds, error as error_message
        from raw_meta.load_history
        order by started_at desc, source, table_name
        limit ?
        """
    return fetch(sql, (int(limit),), SHORT_TTL)


# --------------------------------------------------------------------------------------------- market


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
    where = [f"skill_name in ({_placeholders(len(skills))})"]
    params: list[Any] = list(skills)
    if regions:
        where.append(f"region in ({_placeholders(len(regions))})")
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


# --------------------------------------------------------------------------------------------- quality


def table_quality_scores() -> pd.DataFrame:
    return fetch(
        """
        select source_name, table_name, record_count, completeness_score, validity_score, uniqueness_score,
               referential_integrity_score, timeliness_score, quality_score, last_loaded_at
        from quality.dq_table_quality_scores
        order by quality_score, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def load_quality_scores() -> pd.DataFrame:
    """Scores per source table and load, the history behind the plot."""
    return fetch(
        """
        select source_name, table_name, load_id, loaded_at, quality_score
        from quality.dq_load_quality_scores
        order by loaded_at, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def _latest_invocation_filter(resource_types: tuple[str, ...]) -> str:
    """The latest invocation that ran nodes of these types: a later `dbt source freshness` (which records only
    sources) must not hide the build's tests and models."""
    kinds = ", ".join(f"'{kind}'" for kind in resource_types)
    return f"""run_started_at = (
            select max(run_started_at) from quality.dq_dbt_test_results where resource_type in ({kinds})
        )"""


def failing_tests() -> pd.DataFrame:
    """Tests of the latest dbt invocation that did not pass."""
    return fetch(
        f"""
        select node_name, status, failures, message, run_started_at
        from quality.dq_dbt_test_results
        where is_test and not is_passed
            and {_latest_invocation_filter(("test", "unit_test"))}
        order by case status when 'error' then 0 when 'fail' then 1 else 2 end, failures desc, node_name
        """,
        (),
        SHORT_TTL,
    )


def failure_table_name(node_name: str) -> str:
    """The table dbt stores a test's failing rows in: its name, or when that is 64+ characters long the
    first 30 characters, `_` and the md5 of the name (dbt's rule for generic test identifiers)."""
    if len(node_name) < 64:
        return node_name.lower()
    return f"{node_name[:30]}_{hashlib.md5(node_name.encode('utf-8')).hexdigest()}".lower()


def test_failure_sample(node_name: str, limit: int = 20) -> pd.DataFrame | None:
    """Stored failing rows of one test (schema `test_failures`), or None when dbt stored none."""
    table = failure_table_name(node_name)
    if not IDENTIFIER.match(table) or not has_relation("test_failures", table):
        return None
    return fetch(f"select * from {_relation('test_failures', table)} limit ?", (int(limit),), SHORT_TTL)


def dbt_durations() -> pd.DataFrame | None:
    """Models and tests of the latest dbt invocation by wall time; None until dbt has recorded any."""
    if not has_relation("quality", "dq_dbt_test_results"):
        return None
    return fetch(
        f"""
        select node_name, resource_type, status, execution_time_seconds as execution_seconds, run_started_at
        from quality.dq_dbt_test_results
        where {_latest_invocation_filter(("model", "snapshot", "seed", "test", "unit_test"))}
        order by execution_time_seconds desc, node_name
        """,
        (),
        SHORT_TTL,
    )


def dbt_invocations() -> pd.DataFrame | None:
    if not has_relation("quality", "dq_dbt_test_results"):
        return None
    return fetch(
        """
        select run_started_at, count(*) as nodes, sum(execution_time_seconds) as execution_seconds,
               sum(case when status in ('fail', 'error') then 1 else 0 end) as failed_nodes
        from quality.dq_dbt_test_results
        group by run_started_at
        order by run_started_at
        """,
        (),
        SHORT_TTL,
    )


def quarantine_by_reason() -> pd.DataFrame:
    return fetch(
        """
        select source_name, table_name, quarantine_reason, record_count as records, last_quarantined_at
        from quality.dq_quarantine_counts
        order by record_count desc, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def source_freshness() -> pd.DataFrame:
    """Per source: the last successful load, and the last attempt with its status."""
    history = load_history()
    if history.empty:
        return history
    ok = history[history["load_status"] == "success"].groupby("source_name")["finished_at"].max()
    last = history.sort_values("started_at").groupby("source_name").tail(1).set_index("source_name")
    frame = last[["load_status", "finished_at"]].rename(
        columns={"load_status": "last_attempt_status", "finished_at": "last_attempt_at"}
    )
    frame["last_success_at"] = ok
    return frame.reset_index()


def dbt_source_freshness() -> pd.DataFrame | None:
    """dbt's latest freshness verdict per source table (`dbt source freshness`, which `campus run` runs after
    every load), not-passing ones first; None until dbt has recorded results."""
    if not has_relation("quality", "dq_dbt_test_results"):
        return None
    return fetch(
        """
        select source_name, table_name, status, message, checked_at
        from (
            select
                split_part(unique_id, '.', 3) as source_name,
                node_name as table_name,
                status,
                message,
                run_started_at as checked_at,
                row_number() over (partition by unique_id order by run_started_at desc) as newest_first
            from quality.dq_dbt_test_results
            where resource_type = 'source'
        ) as checks
        where newest_first = 1
        order by case status when 'pass' then 1 else 0 end, source_name, table_name
        """,
        (),
        SHORT_TTL,
    )


def planted_defect_coverage() -> pd.DataFrame | None:
    if not has_relation("quality", "dq_planted_defect_coverage"):
        return None
    return fetch("select * from quality.dq_planted_defect_coverage", (), SHORT_TTL)
