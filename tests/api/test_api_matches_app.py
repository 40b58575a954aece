"""One search engine: for a fixed set of searches, the API answers with the results the app's Search page
shows, in the same order with the same scores, masked alike for the same role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Issuer
from tests.app.conftest import app_env, main_module_restored, open_page  # noqa: F401 (fixtures)
from tests.warehouse import BuiltWarehouse

SHOWN = ["doc_type", "entity_id", "title", "subtitle", "words_matched", "score"]


def searches(built: BuiltWarehouse) -> list[str]:
    """A student's last name, full name, the start of the name, the name misspelt; a job title; a skill."""
    ((first, last),) = built.query(
        "select first_name, last_name from marts.dim_student where length(last_name) >= 6"
        " and student_key in (select entity_id from search.search_documents) order by student_key limit 1"
    )
    ((title,),) = built.query("select job_title from marts.dim_job_posting order by job_posting_id limit 1")
    ((skill,),) = built.query("select skill_name from marts.student_skills order by weight desc limit 1")
    return [last, f"{first} {last}", last[:4].upper(), f"{first} {last[:2]}{last[3:]}", title, skill, "data"]


@pytest.mark.parametrize("role", ["adviser", "career_services"])
def test_the_api_and_the_search_page_answer_alike(
    app_env: BuiltWarehouse,  # noqa: F811
    client: TestClient,
    issuer: Issuer,
    role: str,
) -> None:
    for text in searches(app_env):
        at = open_page("views/search.py", role)
        at.text_input(key="search_text").input(text).run()
        assert not at.exception, at.exception
        shown = at.dataframe[0].value[SHOWN] if at.dataframe else None
        answer = client.get("/v1/search", params={"q": text}, headers=issuer.headers(role))
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        if shown is None:
            assert results == [], text
            continue
        on_page = [
            (
                r.doc_type,
                str(r.entity_id),
                r.title,
                r.subtitle,
                int(r.words_matched),
                round(float(r.score), 9),
            )
            for r in shown.itertuples()
        ]
        from_api = [
            (
                r["doc_type"],
                r["entity_id"],
                r["title"],
                r["subtitle"],
                r["words_matched"],
                round(r["score"], 9),
            )
            for r in results
        ]
        # Same page, same rows; within a tie (scores equal to 1e-9, summed in any order by the engine) the
        # order may differ, so both sides are compared in one canonical order, and the API's own order is
        # checked to be the ranking.
        assert sorted(from_api, key=canonical) == sorted(on_page, key=canonical), text
        ranking = [(-words, -round(score, 6)) for _, _, _, _, words, score in from_api]
        assert ranking == sorted(ranking), text


def canonical(row: tuple[str, str, str | None, str | None, int, float]) -> tuple[object, ...]:
    return (-row[4], -round(row[5], 6), row[2] or "", row[1])
