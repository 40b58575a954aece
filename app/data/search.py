"""Search over students, job postings and courses: the dbt term index (schema `search`) ranked with BM25.

No Streamlit here, so any front end can call it: every function takes `query(sql, params) -> DataFrame`, which
runs one parameterised statement (`?` placeholders) on the warehouse and returns lower-case column names. The
Streamlit pages pass a cached one (`app.data.warehouse.cached`); a script can pass a plain DuckDB connection's
`lambda sql, params: con.execute(sql, list(params)).df()`. Values from users only ever travel as parameters.

Matching: each word matches the index terms it equals (full weight) or starts (3+ characters, half weight);
a word of 4+ characters that matches neither matches terms within one or two edits (typos, 0.3 weight). Reads
no settings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from app.data.errors import BadInput
from app.data.sql import placeholders

Query = Callable[[str, Sequence[Any]], pd.DataFrame]

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
# Shorter terms match whole index terms only: "a" as a prefix would match half the index.
MIN_PREFIX_CHARS = 3
PAGE_SIZE = 20
DOC_TYPES = ("student", "job", "course")


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


def _filter_sql(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """WHERE conditions on search_documents; student filters leave jobs and courses alone, and so on."""
    where = [f"d.doc_type in ({placeholders(len(filters.doc_types))})"]
    params: list[Any] = list(filters.doc_types)
    if filters.gpa_min is not None:
        where.append("(d.doc_type <> 'student' or d.gpa >= ?)")
        params.append(filters.gpa_min)
    if filters.gpa_max is not None:
        where.append("(d.doc_type <> 'student' or d.gpa <= ?)")
        params.append(filters.gpa_max)
    if filters.programs:
        where.append(f"(d.doc_type <> 'student' or d.program in ({placeholders(len(filters.programs))}))")
        params += list(filters.programs)
    if filters.locations:
        where.append(f"(d.doc_type = 'course' or d.location in ({placeholders(len(filters.locations))}))")
        params += list(filters.locations)
    if filters.posting_statuses:
        marks = placeholders(len(filters.posting_statuses))
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
    row = "select " + placeholders(width)
    return " union all ".join(row for _ in range(count))


def _word_rows(words: Sequence[str], *extra: Sequence[Any]) -> tuple[str, list[Any]]:
    """Each word with its values from `extra` (one sequence per column) as a parameterised relation."""
    params: list[Any] = []
    for i, word in enumerate(words):
        params += [word, *(column[i] for column in extra)]
    return _literal_rows(len(words), 1 + len(extra)), params


def _expansions(query: Query, words: Sequence[str]) -> pd.DataFrame:
    """Each word's index terms: itself, then the terms it starts (3+ characters), most documents first."""
    rows, params = _word_rows(words)
    return query(
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
    )


def _near_spellings(query: Query, words: Sequence[str]) -> list[tuple[str, str, float]]:
    """(word, term, idf) for index terms within `allowed_typos` edits of a word the index does not hold."""
    grams = [(word, gram) for word in words for gram in trigrams(word)]
    if not grams:
        return []
    rows, params = _word_rows([w for w, _ in grams], [g for _, g in grams])
    candidates = query(
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
    where t.term in ({placeholders(expansion_count)})
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


def search(query: Query, text: str | None, filters: SearchFilters | None = None, page: int = 1) -> SearchPage:
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
    found = _expansions(query, words)
    matches = [
        (word, term, MATCH_DISCOUNT[kind] * float(idf))
        for word, term, kind, idf in zip(
            found["word"], found["term"], found["match_type"], found["idf"], strict=True
        )
    ]
    expanded = set(found["word"])
    unmatched = [word for word in words if word not in expanded and allowed_typos(word)]
    if unmatched:
        near = _near_spellings(query, unmatched)
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
    frame = query(
        _search_sql(len(matches), where),
        (
            *(value for match in matches for value in match),
            *(term for _, term, _ in matches),
            *filter_params,
            PAGE_SIZE,
            (page - 1) * PAGE_SIZE,
        ),
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


def programs(query: Query) -> list[str]:
    """Programmes students are in, for the programme filter."""
    frame = query(
        """
        select distinct program from search.search_documents
        where doc_type = 'student' and program is not null
        order by 1
        """,
        (),
    )
    return list(frame["program"])


def locations(query: Query) -> list[str]:
    """Locations of students and postings, for the location filter."""
    frame = query(
        "select distinct location from search.search_documents where location is not null order by 1",
        (),
    )
    return list(frame["location"])


def posting_statuses(query: Query) -> list[str]:
    """Posting statuses, for the job filter."""
    frame = query(
        """
        select distinct posting_status from marts.dim_job_posting
        where posting_status is not null
        order by 1
        """,
        (),
    )
    return list(frame["posting_status"])


class SearchEngine:
    """The one search the app and the API call, loaded once per published snapshot.

    `load` reads what it needs through `query`; `search` answers with the same ranking, filters and paging as
    the module's `search`. Callers keep one engine per snapshot and load a new one when a new snapshot is
    swapped in."""

    def __init__(self, query: Query) -> None:
        self._query = query

    @classmethod
    def load(cls, query: Query) -> SearchEngine:
        return cls(query)

    def search(self, text: str | None, filters: SearchFilters | None = None, page: int = 1) -> SearchPage:
        return search(self._query, text, filters, page)
