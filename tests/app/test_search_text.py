"""How the search module reads search text: words, trigrams and edit distance match dbt's search models."""

from __future__ import annotations

import pytest

from app.data import search


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("garcia", "garcia", 0),
        ("gacia", "garcia", 1),  # a letter dropped
        ("garcxia", "garcia", 1),  # a letter added
        ("garcoa", "garcia", 1),  # a letter changed
        ("gracia", "garcia", 1),  # two letters swapped
        ("grcaia", "garcia", 2),
        ("", "abc", 3),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert search.edit_distance(a, b) == distance
    assert search.edit_distance(b, a) == distance


def test_short_words_allow_no_typos_and_long_ones_two() -> None:
    assert [search.allowed_typos(w) for w in ("sql", "java", "garcia", "statistics")] == [0, 1, 1, 2]


def test_trigrams_cover_the_ends_of_a_word_as_search_trigrams_does() -> None:
    assert search.trigrams("sql") == ["^sq", "sql", "ql$"]


def test_query_words_are_lower_cased_accent_free_and_unique() -> None:
    assert search.search_terms("José  GARCÍA-lópez josé") == ["jose", "garcia", "lopez"]
