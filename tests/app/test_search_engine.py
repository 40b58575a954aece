"""The search engine (the in-memory index the app and the API share) on the session's built warehouse.

`CASES` are fixed searches of every kind the engine serves: exact words, prefixes, typos, several words, each
filter, page 2 and a page past the end. `search_expected.json` holds what the SQL scorer this engine replaced
returned for them on this warehouse (sandbox scale 0.01, seed 7), so the engine keeps its ranking: the same
documents in the same order, with the same words matched, scores, totals and notes. Two things were set
right when it was recorded: the SQL's sums came out in no fixed order, so equal scores differed in their last
bit and ties were not always broken by title (the file orders them by title), and a page past the last one
counted no hits (the file has the true total). Change the file only for a deliberate change of ranking or of
the sandbox, and review its diff.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from app.data import search
from app.data.errors import BadInput
from ingestion.destination import connect_working
from tests.warehouse import BuiltWarehouse

EXPECTED = Path(__file__).with_name("search_expected.json")
F = search.SearchFilters

CASES: dict[str, tuple[str, search.SearchFilters, int]] = {
    "last name": ("Peterson", F(), 1),
    "full name": ("Jason Peterson", F(), 1),
    "common word": ("design", F(), 1),
    "common word, page 2": ("design", F(), 2),
    "common word, past the last page": ("design", F(), 999),
    "prefix": ("anal", F(), 1),
    "short prefix, many completions": ("sta", F(), 1),
    "upper-case prefix of a name": ("PETE", F(), 1),
    "typo, one edit": ("pyhton", F(), 1),
    "typo, two edits": ("enginnering", F(), 1),
    "typo among exact words": ("desgin research", F(), 1),
    "two words": ("data engineering", F(), 1),
    "two words, page 2": ("data engineering", F(), 2),
    "three words": ("bachelor arts design", F(), 1),
    "skills in a course": ("rust javascript", F(), 1),
    "a word and a prefix": ("python anal", F(), 1),
    "more than eight words": ("a b c d e f g h python", F(), 1),
    "nothing matches": ("qqqzzz", F(), 1),
    "students only": ("design", F(doc_types=("student",)), 1),
    "jobs and courses": ("engineering", F(doc_types=("job", "course")), 1),
    "gpa range": ("engineering", F(gpa_min=3.0, gpa_max=4.0), 1),
    "gpa floor": ("data", F(gpa_min=3.5), 1),
    "programme": ("engineering", F(programs=("Bachelor of Arts in Data Engineering",)), 1),
    "location": ("analyst", F(locations=("Miami, FL", "Washington, DC")), 1),
    "skill": ("engineering", F(skills=("Python",)), 1),
    "skill in another case": ("data", F(skills=("PYTHON",)), 1),
    "two skills in list order": ("rust", F(skills=("rust; javascript",)), 1),
    "posting status": ("analyst", F(posting_statuses=("OPEN",)), 1),
    "every filter": (
        "data engineering",
        F(
            ("student", "job"),
            2.0,
            4.0,
            ("Bachelor of Arts in Data Engineering",),
            ("Miami, FL",),
            (),
            ("OPEN",),
        ),
        1,
    ),
}


def snapshot(page: search.SearchPage) -> dict[str, Any]:
    """What a search answered, as search_expected.json stores it."""
    return {
        "terms": page.terms,
        "total": page.total,
        "pages": page.pages,
        "notes": page.notes,
        "rows": [[row["doc_id"], row["words_matched"], row["score"]] for row in page.rows],
    }


@pytest.fixture(scope="module")
def engine(built_warehouse: BuiltWarehouse) -> search.SearchEngine:
    with connect_working(built_warehouse.path, read_only=True) as con:
        return search.SearchEngine.load(lambda sql, params: con.execute(sql, list(params)).df())


@pytest.mark.parametrize("case", list(CASES))
def test_the_engine_ranks_as_the_sql_scorer_did(engine: search.SearchEngine, case: str) -> None:
    expected = json.loads(EXPECTED.read_text())[case]
    found = snapshot(engine.search(*CASES[case]))
    assert {k: v for k, v in found.items() if k != "rows"} == {
        k: v for k, v in expected.items() if k != "rows"
    }
    assert [row[:2] for row in found["rows"]] == [row[:2] for row in expected["rows"]]
    assert [row[2] for row in found["rows"]] == pytest.approx([row[2] for row in expected["rows"]], rel=1e-12)


def test_the_cases_cover_every_kind_of_match_and_filter(engine: search.SearchEngine) -> None:
    """A case that stopped finding anything would prove nothing: each kind of search finds results."""
    expected = json.loads(EXPECTED.read_text())
    assert set(expected) == set(CASES)
    empty = {case for case, found in expected.items() if not found["rows"]}
    assert empty == {"common word, past the last page", "nothing matches"}
    assert all(
        expected[case]["notes"] for case in ("typo, one edit", "typo, two edits", "more than eight words")
    )
    assert expected["common word, past the last page"]["total"] == expected["common word"]["total"] > 20
    for case, (text, filters, page) in CASES.items():
        if filters != F():  # each filter leaves out some of what the words alone find
            assert 0 < expected[case]["total"] < engine.search(text, F(), page).total, case


def test_rows_and_results_agree(engine: search.SearchEngine) -> None:
    page = engine.search("data engineering")
    assert page.rows and all(tuple(row) == search.SEARCH_COLUMNS for row in page.rows)
    assert list(page.results.columns) == list(search.SEARCH_COLUMNS)
    assert list(page.results["doc_id"]) == [row["doc_id"] for row in page.rows]
    assert len(engine.search("qqqzzz").results) == 0


@pytest.mark.parametrize(
    ("text", "filters", "message"),
    [
        ("", F(), "Type a name"),
        ("x" * 201, F(), "keep it under 200"),
        ("-- !!", F(), "no letters or digits"),
        ("design", F(doc_types=()), "Pick at least one kind"),
        ("design", F(gpa_min=3.5, gpa_max=2.0), "lowest GPA is above the highest"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    engine: search.SearchEngine, text: str, filters: search.SearchFilters, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        engine.search(text, filters)


def test_one_engine_serves_many_threads_and_cannot_be_changed(engine: search.SearchEngine) -> None:
    cases = list(CASES.values())
    alone = [snapshot(engine.search(*case)) for case in cases]
    together: dict[int, list[dict[str, Any]]] = {}

    def run(worker: int) -> None:
        together[worker] = [snapshot(engine.search(*case)) for case in cases[worker:] + cases[:worker]]

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker, found in together.items():
        assert found == alone[worker:] + alone[:worker]
    with pytest.raises(AttributeError):
        engine._terms = ()  # type: ignore[misc]
    with pytest.raises(ValueError):
        engine._posting_weights[0] = 0.0
    with pytest.raises(TypeError):
        engine._trigrams["^zz"] = np.array([0])  # type: ignore[index]
    assert not any(
        isinstance(value, np.ndarray) and value.flags.writeable
        for name in search.SearchEngine.__slots__
        for value in [getattr(engine, name)]
    )


def test_the_app_loads_one_engine_per_publish(
    built_warehouse: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The app keeps one engine while the snapshot stays; a publish (a new file renamed over it) loads a new
    engine that sees the new data, and a page still holding the old engine gets the old answers."""
    from app.data import warehouse

    ((doc_id, name),) = built_warehouse.query(
        "select doc_id, title from search.search_documents where doc_type = 'student' order by doc_id limit 1"
    )
    snapshot_file = tmp_path / "campus.duckdb"
    shutil.copyfile(built_warehouse.snapshot, snapshot_file)
    monkeypatch.setenv("CAMPUS_APP_WAREHOUSE", str(snapshot_file))
    monkeypatch.setenv("CAMPUS_DESTINATION", "duckdb")
    warehouse._search_engine.clear()
    try:
        first = warehouse.search_engine()
        assert warehouse.search_engine() is first
        assert doc_id in {row["doc_id"] for row in first.search(name).rows}

        next_publish = tmp_path / "next.duckdb"
        shutil.copyfile(built_warehouse.snapshot, next_publish)
        with duckdb.connect(str(next_publish)) as con:
            con.execute("delete from search.search_documents where doc_id = ?", [doc_id])
        os.rename(next_publish, snapshot_file)

        second = warehouse.search_engine()
        assert second is not first
        assert doc_id not in {row["doc_id"] for row in second.search(name).rows}
        assert doc_id in {row["doc_id"] for row in first.search(name).rows}
    finally:
        warehouse._search_engine.clear()
        warehouse.warehouse().backend.release()
