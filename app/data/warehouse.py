"""Running the app's statements: parameterised, portable (DuckDB and Snowflake), cached per warehouse.

Values from users only ever travel as `?` parameters. An identifier that varies (a table to download) is never
taken from user text: it must be one dbt lists in `operations.ops_reader_relations` (`checked_relation`).

Caching: reference lists (programmes, skills) 10 minutes, profiles 2 minutes, quality and pipeline views 1
minute. The warehouse label is part of every cache key, so two warehouses never share results. Search has one
engine per published snapshot (`search_engine`), loaded on the first search after a publish.
Settings are read by `app.connection` (`CAMPUS_DESTINATION`, `CAMPUS_WAREHOUSE`, ...).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from app.connection import resolve_settings, warehouse
from app.data.errors import BadInput
from app.data.search import Query, SearchEngine

SHORT_TTL = 60
MEDIUM_TTL = 120
LONG_TTL = 600

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")


def run(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one statement now, uncached."""
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
    """Run one statement through the cache of `ttl` seconds (SHORT_TTL, MEDIUM_TTL or LONG_TTL)."""
    cached = {SHORT_TTL: _cached_short, MEDIUM_TTL: _cached_medium, LONG_TTL: _cached_long}[ttl]
    return cached(resolve_settings().label, sql, tuple(params))


def cached(ttl: int = MEDIUM_TTL) -> Query:
    """`fetch` with this cache, as the `query` function `app.data.search` takes."""

    def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return fetch(sql, params, ttl)

    return query


def search_engine() -> SearchEngine:
    """The search engine of the snapshot the app reads now. Its key is the published file's identity (its
    inode), so a publish loads a new engine and the old one is dropped; Snowflake's label names no publish,
    so there the engine is reloaded every LONG_TTL seconds."""
    settings = resolve_settings()
    identity = settings.label
    if settings.kind != "duckdb":
        identity += f":{int(time.time() // LONG_TTL)}"
    engine, loaded_from = _search_engine(identity)
    if settings.kind == "duckdb" and loaded_from != identity:
        # Read from the publish before (still open for a query in flight): load the new one next time.
        _search_engine.clear()
    return engine


@st.cache_resource(max_entries=1, show_spinner="Loading the search index...")
def _search_engine(identity: str) -> tuple[SearchEngine, str]:
    with warehouse().backend.one_snapshot() as (loaded_from, query):
        return SearchEngine.load(query), loaded_from


def clear_cache() -> None:
    for function in (_cached_short, _cached_medium, _cached_long):
        function.clear()


def reader_relations() -> pd.DataFrame:
    """The reader-facing relations dbt builds (schema_name, relation_name), as dbt lists them."""
    return fetch(
        """
        select schema_name, relation_name
        from operations.ops_reader_relations
        order by schema_name, relation_name
        """,
        (),
        SHORT_TTL,
    )


def has_relation(schema: str, name: str) -> bool:
    found = reader_relations()
    return bool(((found["schema_name"] == schema.lower()) & (found["relation_name"] == name.lower())).any())


def checked_relation(schema: str, name: str) -> str:
    """`schema.name` for a relation dbt lists as reader-facing; anything else is refused."""
    if not (IDENTIFIER.match(schema) and IDENTIFIER.match(name)) or not has_relation(schema, name):
        raise BadInput(f"There is no table {schema}.{name} in the warehouse.")
    return f"{schema.lower()}.{name.lower()}"


def relation_rows(schema: str, name: str, limit: int = 1_000_000) -> pd.DataFrame:
    """Rows of one reader-facing relation (the Files page's download)."""
    return fetch(f"select * from {checked_relation(schema, name)} limit ?", (int(limit),), SHORT_TTL)
