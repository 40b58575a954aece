"""Search over students, job postings and courses: one engine for the app and the API, an in-memory index
of dbt's term index (schema `search`) ranked with BM25.

`SearchEngine.load(query)` reads the index once per published snapshot; `engine.search(text, filters, page)`
then answers from memory. `query(sql, params) -> DataFrame` runs one parameterised statement (`?`
placeholders) on the warehouse and returns lower-case column names: the app passes its connection's, a script
a plain DuckDB connection's `lambda sql, params: con.execute(sql, list(params)).df()`. No Streamlit here.

Matching: each word matches the index terms it equals (full weight) or starts (3+ characters, half weight, its
25 most common completions); a word of 4+ characters that matches neither matches terms within one or two
edits (typos, 0.3 weight). A document scores boost x discount x idf x BM25's tf part for the best term per
(word, field), summed over fields and words; documents matching more words come first, then by score, title
and doc_id (docs/decisions/004, 015). Reads no settings.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from app.data.errors import BadInput

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


@dataclass(frozen=True)
class SearchPage:
    """One page of results: `rows` (dicts keyed by SEARCH_COLUMNS, what an API returns) or the same as a
    DataFrame (`results`, what the app shows); `total` results in all, on `pages` pages."""

    terms: list[str]
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    notes: list[str] = field(default_factory=list)

    @cached_property
    def results(self) -> pd.DataFrame:
        return pd.DataFrame({column: [row[column] for row in self.rows] for column in SEARCH_COLUMNS})


# Prefix expansion keeps a word's most common completions: "sta" must not fan out to every term.
MAX_EXPANSIONS = 25
# Near spellings: candidates sharing most trigrams with the word, then an exact edit-distance check.
TYPO_CANDIDATES = 40
MATCH_DISCOUNT = {"exact": 1.0, "prefix": 0.5, "typo": 0.3}


# BM25's term-frequency saturation and length normalisation (search_terms stores tf and field length).
BM25_K1 = 1.2
BM25_B = 0.75


SEARCH_COLUMNS = (
    "doc_id", "doc_type", "entity_id", "title", "subtitle", "program", "location", "gpa",
    "posting_status", "skills", "words_matched", "score",
)  # fmt: skip


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


# The in-memory index is read with these statements. BM25's term-frequency part depends only on the posting
# (its boost, tf and field length, and the field's average length), so it is computed once here; a query then
# multiplies it by the word's match discount x the term's idf.
_DOCUMENTS_SQL = """
select doc_id, doc_type, entity_id, title, subtitle, program, location, gpa, posting_status, skills,
       row_number() over (order by title, doc_id) - 1 as title_rank
from search.search_documents
order by doc_id
"""
_VOCABULARY_SQL = "select term, doc_count, idf from search.search_vocabulary order by term"
_FIELDS_SQL = "select distinct field from search.search_field_stats order by field"
_TRIGRAMS_SQL = """
with vocabulary as (
    select term, row_number() over (order by term) - 1 as term_index from search.search_vocabulary
)
select t.trigram, v.term_index
from search.search_trigrams as t
inner join vocabulary as v on v.term = t.term
order by t.trigram, v.term_index
"""
_POSTINGS_SQL = f"""
with documents as (
    select doc_id, row_number() over (order by doc_id) - 1 as doc_index from search.search_documents
),
vocabulary as (
    select term, row_number() over (order by term) - 1 as term_index from search.search_vocabulary
),
fields as (
    select field, row_number() over (order by field) - 1 as field_index
    from (select distinct field from search.search_field_stats) as distinct_fields
)
select cast(v.term_index as integer) as term_index, cast(d.doc_index as integer) as doc_index,
       cast(f.field_index as integer) as field_index,
       cast(t.boost as double) * t.term_frequency * {BM25_K1 + 1}
       / (
           t.term_frequency
           + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * t.field_length / s.average_length)
       ) as weight
from search.search_terms as t
inner join vocabulary as v on v.term = t.term
inner join documents as d on d.doc_id = t.doc_id
inner join fields as f on f.field = t.field
inner join search.search_field_stats as s on s.doc_type = t.doc_type and s.field = t.field
order by v.term_index, d.doc_index, f.field_index
"""
# Ranks words matched far above any score (a document's score is a few hundred at most), so one float orders
# a first cut of the page by (words matched, score); ties on it are then ordered exactly.
_WORDS_FIRST = float(2**32)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _strings(frame: pd.DataFrame, column: str) -> tuple[str | None, ...]:
    values = frame[column].astype(object)
    return tuple(values.where(values.notna(), None).tolist())


def _codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, Mapping[str, int]]:
    """Category codes (-1 for null) and the code of each value, for filters on equality."""
    codes, categories = pd.factorize(frame[column])
    return _frozen(codes.astype(np.int32)), MappingProxyType(
        {str(v): code for code, v in enumerate(categories)}
    )


def _csr_starts(keys: np.ndarray, count: int) -> np.ndarray:
    """Offsets of each key's run in `keys` (sorted), for keys 0..count-1: run k is starts[k]:starts[k+1]."""
    return _frozen(np.searchsorted(keys, np.arange(count + 1)).astype(np.int64))


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted array."""
    change = np.empty(len(sorted_keys), dtype=bool)
    change[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=change[1:])
    return np.flatnonzero(change)


def _skill_holders(skills: Sequence[str | None]) -> Mapping[str, np.ndarray]:
    """For the skills filter: each piece of text between consecutive ';' in '; ' + lower(skills) + ';' (what
    the filter looks in) -> the documents holding it. A skill without ';' matches exactly the documents
    holding ' ' + the skill."""
    holders: dict[str, list[int]] = {}
    for doc, text in enumerate(skills):
        for piece in set(f"; {(text or '').lower()};".split(";")[1:-1]):
            holders.setdefault(piece, []).append(doc)
    return MappingProxyType(
        {piece: _frozen(np.array(docs, dtype=np.int32)) for piece, docs in holders.items()}
    )


@dataclass(frozen=True)
class _Documents:
    ids: tuple[str, ...]
    types: tuple[str | None, ...]
    entity_ids: tuple[str | None, ...]
    titles: tuple[str | None, ...]
    subtitles: tuple[str | None, ...]
    programs: tuple[str | None, ...]
    locations: tuple[str | None, ...]
    gpas: np.ndarray  # float64, NaN for none
    statuses: tuple[str | None, ...]
    skills: tuple[str | None, ...]
    title_rank: np.ndarray  # the warehouse's order by (title, doc_id)
    type_code: np.ndarray
    type_codes: Mapping[str, int]
    program_code: np.ndarray
    program_codes: Mapping[str, int]
    location_code: np.ndarray
    location_codes: Mapping[str, int]
    status_code: np.ndarray
    status_codes: Mapping[str, int]
    skill_docs: Mapping[str, np.ndarray]  # skills-filter segment -> sorted document indices

    @classmethod
    def read(cls, frame: pd.DataFrame) -> _Documents:
        type_code, type_codes = _codes(frame, "doc_type")
        program_code, program_codes = _codes(frame, "program")
        location_code, location_codes = _codes(frame, "location")
        status_code, status_codes = _codes(frame, "posting_status")
        skills = _strings(frame, "skills")
        gpas = pd.to_numeric(frame["gpa"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return cls(
            ids=tuple(str(value) for value in frame["doc_id"]),
            types=_strings(frame, "doc_type"),
            entity_ids=_strings(frame, "entity_id"),
            titles=_strings(frame, "title"),
            subtitles=_strings(frame, "subtitle"),
            programs=_strings(frame, "program"),
            locations=_strings(frame, "location"),
            gpas=_frozen(gpas),
            statuses=_strings(frame, "posting_status"),
            skills=skills,
            title_rank=_frozen(frame["title_rank"].to_numpy(dtype=np.int64)),
            type_code=type_code,
            type_codes=type_codes,
            program_code=program_code,
            program_codes=program_codes,
            location_code=location_code,
            location_codes=location_codes,
            status_code=status_code,
            status_codes=status_codes,
            skill_docs=_skill_holders(skills),
        )

    def row(self, index: int, words_matched: int, score: float) -> dict[str, Any]:
        gpa = float(self.gpas[index])
        return {
            "doc_id": self.ids[index],
            "doc_type": self.types[index],
            "entity_id": self.entity_ids[index],
            "title": self.titles[index],
            "subtitle": self.subtitles[index],
            "program": self.programs[index],
            "location": self.locations[index],
            "gpa": None if gpa != gpa else gpa,
            "posting_status": self.statuses[index],
            "skills": self.skills[index],
            "words_matched": words_matched,
            "score": score,
        }

    def allowed(self, docs: np.ndarray, filters: SearchFilters) -> np.ndarray:
        """Which of `docs` pass the filters; student filters leave jobs and courses alone, and so on."""
        kind = self.type_code[docs]
        wanted = [self.type_codes[t] for t in filters.doc_types if t in self.type_codes]
        keep = np.isin(kind, wanted)
        student = kind == self.type_codes.get("student", -2)
        if filters.gpa_min is not None:
            keep &= ~student | (self.gpas[docs] >= filters.gpa_min)
        if filters.gpa_max is not None:
            keep &= ~student | (self.gpas[docs] <= filters.gpa_max)
        if filters.programs:
            chosen = [self.program_codes[p] for p in filters.programs if p in self.program_codes]
            keep &= ~student | np.isin(self.program_code[docs], chosen)
        if filters.locations:
            chosen = [self.location_codes[p] for p in filters.locations if p in self.location_codes]
            course = kind == self.type_codes.get("course", -2)
            keep &= course | np.isin(self.location_code[docs], chosen)
        if filters.posting_statuses:
            chosen = [self.status_codes[p] for p in filters.posting_statuses if p in self.status_codes]
            job = kind == self.type_codes.get("job", -2)
            keep &= ~job | np.isin(self.status_code[docs], chosen)
        for skill in filters.skills:
            # Whole skill names inside dbt's '; '-delimited list, case-insensitively.
            wanted_skill = skill.strip().lower()
            if ";" in wanted_skill:  # spans list items: look for it in each candidate's list
                needle = f"; {wanted_skill};"
                keep &= np.fromiter(
                    (needle in "; " + (self.skills[d] or "").lower() + ";" for d in docs.tolist()),
                    dtype=bool,
                    count=len(docs),
                )
            else:
                holders = self.skill_docs.get(" " + wanted_skill)
                keep &= False if holders is None else np.isin(docs, holders, assume_unique=True)
        return keep


class SearchEngine:
    """The one search the app and the API call: an in-memory index of one published snapshot.

    `load` reads dbt's `search` schema once (a few seconds at scale 1.0); `search` then answers in about a
    millisecond with the ranking, filters, paging, notes and errors described in the module docstring.
    Immutable after `load` (read-only arrays, nothing cached per query), so threads may share one engine.
    Callers keep one engine per snapshot and load a new one when a new snapshot is swapped in."""

    __slots__ = (
        "_doc_count",
        "_doc_docs",
        "_doc_starts",
        "_doc_weights",
        "_documents",
        "_field_count",
        "_idf",
        "_popularity",
        "_posting_keys",
        "_posting_starts",
        "_posting_weights",
        "_terms",
        "_trigrams",
    )  # fmt: skip

    def __init__(
        self,
        vocabulary: pd.DataFrame,
        fields: pd.DataFrame,
        trigram_rows: pd.DataFrame,
        postings: pd.DataFrame,
        documents: pd.DataFrame,
    ) -> None:
        terms = tuple(str(term) for term in vocabulary["term"])
        if list(terms) != sorted(terms):
            # Prefix expansion bisects the vocabulary in Python's order; the index numbers terms in SQL's.
            raise ValueError("search_vocabulary sorts differently in the warehouse and in Python")
        self._terms = terms
        self._doc_count = _frozen(vocabulary["doc_count"].to_numpy(dtype=np.int64))
        self._idf = _frozen(vocabulary["idf"].to_numpy(dtype=np.float64))
        # A word's prefix completions, most documents first, then by term (the rule of decision 004).
        by_popularity = np.lexsort((np.arange(len(terms)), -self._doc_count))
        popularity = np.empty(len(terms), dtype=np.int64)
        popularity[by_popularity] = np.arange(len(terms))
        self._popularity = _frozen(popularity)
        grams = trigram_rows["trigram"].astype(str).to_numpy()
        gram_terms = trigram_rows["term_index"].to_numpy(dtype=np.int32)
        starts = _run_starts(grams) if len(grams) else np.array([], dtype=np.int64)
        self._trigrams = MappingProxyType(
            {
                str(grams[a]): _frozen(gram_terms[a:b])
                for a, b in zip(starts, [*starts[1:], len(grams)], strict=True)
            }
        )
        self._field_count = max(1, len(fields))
        term_index = postings["term_index"].to_numpy(dtype=np.int64)
        doc_index = postings["doc_index"].to_numpy(dtype=np.int64)
        weights = postings["weight"].to_numpy(dtype=np.float64)
        # Postings per term (CSR), each keyed by document x field, for words that expand to several terms.
        self._posting_starts = _csr_starts(term_index, len(terms))
        keys = doc_index * self._field_count + postings["field_index"].to_numpy(dtype=np.int64)
        self._posting_keys = _frozen(keys.astype(np.int32 if keys.max(initial=0) < 2**31 else np.int64))
        self._posting_weights = _frozen(weights)
        # The same per (term, document), fields summed: a word matching one term needs no per-field max.
        pair_starts = _run_starts(term_index * (int(doc_index.max(initial=0)) + 1) + doc_index)
        self._doc_docs = _frozen(doc_index[pair_starts].astype(np.int32))
        self._doc_weights = _frozen(
            np.add.reduceat(weights, pair_starts) if len(weights) else np.array([], dtype=np.float64)
        )
        self._doc_starts = _csr_starts(term_index[pair_starts], len(terms))
        self._documents = _Documents.read(documents)

    @classmethod
    def load(cls, query: Query) -> SearchEngine:
        """Read the index dbt built (schema `search`) through `query`, in five statements."""
        return cls(
            query(_VOCABULARY_SQL, ()),
            query(_FIELDS_SQL, ()),
            query(_TRIGRAMS_SQL, ()),
            query(_POSTINGS_SQL, ()),
            query(_DOCUMENTS_SQL, ()),
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, name):
            raise AttributeError("a SearchEngine is immutable once loaded; load a new one")
        object.__setattr__(self, name, value)

    def _expansions(self, word: str) -> list[tuple[int, str]]:
        """(term index, match kind): the word itself, then the terms it starts (3+ characters), most
        documents first, MAX_EXPANSIONS in all."""
        terms = self._terms
        at = bisect.bisect_left(terms, word)
        found = [(at, "exact")] if at < len(terms) and terms[at] == word else []
        if len(word) >= MIN_PREFIX_CHARS:
            first = at + len(found)
            last = bisect.bisect_left(terms, word + "\U0010ffff", lo=first)
            room = MAX_EXPANSIONS - len(found)
            if last - first > room:
                cut = np.partition(self._popularity[first:last], room - 1)[room - 1]
                chosen = first + np.flatnonzero(self._popularity[first:last] <= cut)
            else:
                chosen = np.arange(first, last)
            found += [(int(i), "prefix") for i in chosen]
        return found

    def _near_spellings(self, word: str) -> list[int]:
        """Terms within `allowed_typos` edits of the word, among the TYPO_CANDIDATES sharing most trigrams."""
        held = [self._trigrams[g] for g in trigrams(word) if g in self._trigrams]
        if not held:
            return []
        candidates, shared = np.unique(np.concatenate(held), return_counts=True)
        best = candidates[np.lexsort((candidates, -shared))[:TYPO_CANDIDATES]]
        limit = allowed_typos(word)
        return [int(t) for t in best if edit_distance(word, self._terms[t]) <= limit]

    def _word_scores(self, matches: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding any of a word's terms (sorted) and the word's weight in each: the best term per
        field, summed over fields."""
        if len(matches) == 1:
            term, factor = matches[0]
            a, b = self._doc_starts[term], self._doc_starts[term + 1]
            return self._doc_docs[a:b], self._doc_weights[a:b] * factor
        spans = [(self._posting_starts[t], self._posting_starts[t + 1], f) for t, f in matches]
        keys = np.concatenate([self._posting_keys[a:b] for a, b, _ in spans])
        weights = np.concatenate([self._posting_weights[a:b] * f for a, b, f in spans])
        # Each term's postings are sorted already: a stable sort merges the runs.
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
        starts = _run_starts(keys)
        best = np.maximum.reduceat(weights, starts) if len(starts) else weights
        docs = keys[starts] // self._field_count
        doc_starts = _run_starts(docs)
        summed = np.add.reduceat(best, doc_starts) if len(doc_starts) else best
        return docs[doc_starts], summed

    def search(self, text: str | None, filters: SearchFilters | None = None, page: int = 1) -> SearchPage:
        """Ranked results: documents matching more of the words first, then by BM25 weight, then by title.

        Each word matches the index terms it equals (full weight) or starts (3+ characters, half weight); a
        word of 4+ characters that matches neither matches terms within one or two edits (typos, 0.3
        weight)."""
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
        page = max(1, int(page))
        per_word: list[tuple[np.ndarray, np.ndarray]] = []
        approximate = []
        for word in words:
            found = [(t, MATCH_DISCOUNT[kind] * self._idf[t]) for t, kind in self._expansions(word)]
            if not found and allowed_typos(word):
                found = [(t, MATCH_DISCOUNT["typo"] * self._idf[t]) for t in self._near_spellings(word)]
                if found:
                    approximate.append(word)
            if found:
                per_word.append(self._word_scores(found))
        if approximate:
            notes.append("Not found as written, matched approximately: " + ", ".join(approximate))
        if not per_word:
            return SearchPage(words, [], 0, page, 1, notes)
        docs, scores, matched = self._combine(per_word)
        keep = self._documents.allowed(docs, filters)
        docs, scores, matched = docs[keep], scores[keep], matched[keep]
        total = len(docs)
        first, last = (page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, total)
        rows = []
        if first < total:
            shown = self._top(docs, scores, matched, last)[first:last]
            rows = [self._documents.row(int(docs[i]), int(matched[i]), float(scores[i])) for i in shown]
        return SearchPage(words, rows, total, page, max(1, -(-total // PAGE_SIZE)), notes)

    @staticmethod
    def _combine(per_word: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per document: the words' weights summed, and how many words it matched."""
        if len(per_word) == 1:
            docs, scores = per_word[0]
            return docs, scores, np.ones(len(docs), dtype=np.int64)
        docs = np.concatenate([d for d, _ in per_word])
        scores = np.concatenate([s for _, s in per_word])
        order = np.argsort(docs, kind="stable")
        docs, scores = docs[order], scores[order]
        starts = _run_starts(docs)
        matched = np.diff(np.append(starts, len(docs)))
        return docs[starts], np.add.reduceat(scores, starts), matched

    def _top(self, docs: np.ndarray, scores: np.ndarray, matched: np.ndarray, count: int) -> np.ndarray:
        """Positions of the best `count` results in order: words matched, score (both descending), title,
        doc_id. Only the few that can be among them are sorted."""
        if count < len(docs):
            key = -(matched * _WORDS_FIRST + scores)
            cut = np.partition(key, count - 1)[count - 1]
            # Every document that can be in the first `count`: ties on the rounded key are all kept.
            near = np.flatnonzero(key <= cut)
        else:
            near = np.arange(len(docs))
        order = np.lexsort((self._documents.title_rank[docs[near]], -scores[near], -matched[near]))
        return near[order[:count]]


def search(query: Query, text: str | None, filters: SearchFilters | None = None, page: int = 1) -> SearchPage:
    """One search without keeping an engine (a script's): loads the index, then searches it. Anything that
    searches more than once keeps a `SearchEngine` instead."""
    return SearchEngine.load(query).search(text, filters, page)
