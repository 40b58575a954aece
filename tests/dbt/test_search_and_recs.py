"""Recommendations and search on the session's built warehouse (scale 0.01): shape, honest explanations,
search hits for names and partial words, and quality against the held-out placements."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bench.recommendations import evaluate
from ingestion.destination import connect_working
from sandbox.advance import advance
from tests.warehouse import BuiltWarehouse, Ingested, copy_working, ingest_into, run_dbt

TOP_K = 10


def _split(skills: str | None) -> set[str]:
    return {s for s in (skills or "").split("; ") if s}


def test_build_succeeded(built_warehouse: BuiltWarehouse) -> None:
    ours = [
        r
        for r in built_warehouse.run_results["results"]
        if r["unique_id"].split(".")[0] in ("model", "test", "unit_test")
        and any(n in r["unique_id"] for n in ("rec_student_", "int_recs__", "search_", "skills__weighted"))
    ]
    assert ours, "none of the recommendation/search nodes ran"
    failed = [r["unique_id"] for r in ours if r["status"] not in ("success", "pass")]
    assert not failed, failed


def test_every_student_has_at_most_k_ranked_distinct_jobs(built_warehouse: BuiltWarehouse) -> None:
    rows = built_warehouse.query(
        """
        select student_key, count(*), count(distinct job_posting_id),
            min(rank), max(rank), count(distinct rank)
        from recommendations.rec_student_jobs group by student_key
        """
    )
    assert len(rows) > 100
    for key, n, jobs, lo, hi, ranks in rows:
        assert n <= TOP_K and jobs == n and lo == 1 and hi == n and ranks == n, key


def test_matched_and_missing_skills_are_true(built_warehouse: BuiltWarehouse) -> None:
    recs = built_warehouse.query(
        "select student_key, job_posting_id, matched_skills, missing_skills"
        " from recommendations.rec_student_jobs"
    )
    student_skills: dict[str, set[str]] = {}
    for key, skill in built_warehouse.query(
        "select student_key, skill_name from intermediate.int_student_skills__weighted where weight > 0"
    ):
        student_skills.setdefault(key, set()).add(skill)
    job_skills: dict[str, set[str]] = {}
    for job, skill in built_warehouse.query(
        "select job_posting_id, skill_name from staging.stg_workday__job_postings__skills"
        " where not is_deleted"
    ):
        job_skills.setdefault(job, set()).add(skill)
    for key, job, matched, missing in recs:
        matched_set, missing_set = _split(matched), _split(missing)
        assert matched_set, (key, job)
        assert matched_set <= student_skills[key] & job_skills[job], (key, job)
        assert missing_set <= job_skills[job] - student_skills[key], (key, job)
        assert matched_set | missing_set == job_skills[job], (key, job)


def test_recommended_courses_are_new_and_close_a_missing_skill(built_warehouse: BuiltWarehouse) -> None:
    bad_taken = built_warehouse.query(
        """
        select c.student_key, c.course_id
        from recommendations.rec_student_courses as c
        inner join intermediate.int_students__identity_matched as i on i.student_key = c.student_key
        inner join staging.stg_oracle_sis__academic_records as r
            on r.student_id = i.sis_student_id and r.course_id = c.course_id and not r.is_deleted
        """
    )
    assert not bad_taken
    courses = built_warehouse.query(
        "select student_key, course_id, closes_skills from recommendations.rec_student_courses"
    )
    assert courses
    missing: dict[str, set[str]] = {}
    for key, skills in built_warehouse.query(
        "select student_key, missing_skills from recommendations.rec_student_jobs"
    ):
        missing.setdefault(key, set()).update(_split(skills))
    taught: dict[int, set[str]] = {}
    for course, skill in built_warehouse.query(
        "select course_id, skill_name from staging.stg_oracle_sis__course_skills where not is_deleted"
    ):
        taught.setdefault(course, set()).add(skill)
    for key, course, closes in courses:
        closes_set = _split(closes)
        assert closes_set, (key, course)
        assert closes_set <= missing[key] & taught[course], (key, course)


def _search(built_warehouse: BuiltWarehouse, words: list[str], limit: int = 10) -> list[tuple[str, str, str]]:
    """Documents holding a term that equals or starts with one of the words, by idf x boost x tf (the
    index's contract; the app's own ranking is tested through app.data.search)."""
    return built_warehouse.query(
        """
        select d.doc_id, d.doc_type, d.title
        from search.search_vocabulary as v
        inner join search.search_terms as t on t.term = v.term
        inner join search.search_documents as d on d.doc_id = t.doc_id
        where exists (select 1 from unnest(?) as w (word) where v.term like w.word || '%')
        group by d.doc_id, d.doc_type, d.title
        order by sum(v.idf * t.boost * t.term_frequency) desc, d.doc_id
        limit ?
        """,
        [words, limit],
    )


def test_search_finds_a_student_by_last_name(built_warehouse: BuiltWarehouse) -> None:
    # a last name that is a single plain word and shared by few students, so "top results" is meaningful
    key, last_name = built_warehouse.query(
        """
        select student_key, last_name from marts.dim_student
        where regexp_matches(last_name, '^[A-Za-z]+$')
        qualify count(*) over (partition by lower(last_name)) <= 3
        order by student_key limit 1
        """
    )[0]
    hits = _search(built_warehouse, [last_name.lower()])
    assert f"student:{key}" in [h[0] for h in hits], (last_name, hits)


def test_partial_skill_word_finds_jobs_needing_it(built_warehouse: BuiltWarehouse) -> None:
    skill, jobs_with_skill = built_warehouse.query(
        """
        select skill_name, list(distinct job_posting_id)
        from staging.stg_workday__job_postings__skills
        where regexp_matches(skill_name, '^[A-Za-z]{6,}$') and not is_deleted
        group by skill_name order by count(*) desc, skill_name limit 1
        """
    )[0]
    hits = _search(built_warehouse, [skill[:4].lower()], limit=20)
    found_jobs = [h[0].removeprefix("job:") for h in hits if h[1] == "job"]
    assert found_jobs and set(found_jobs) & set(jobs_with_skill), (skill, hits)


def test_a_misspelt_skill_has_the_skill_among_its_trigram_candidates(built_warehouse: BuiltWarehouse) -> None:
    term = built_warehouse.query(
        "select term from search.search_vocabulary where term_length >= 8"
        " order by doc_count desc, term limit 1"
    )[0][0]
    typo = term[:3] + term[4] + term[3] + term[5:]  # two letters swapped
    padded = f"^{typo}$"
    grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
    best = built_warehouse.query(
        """
        select term from search.search_trigrams where trigram in (select unnest(?))
        group by term order by count(*) desc, term limit 5
        """,
        [grams],
    )
    assert term in [row[0] for row in best], (typo, best)


def test_recommendations_beat_popularity(built_warehouse: BuiltWarehouse) -> None:
    result = evaluate(built_warehouse.path, built_warehouse.sandbox_dir)
    model, baseline = result["model"], result["popularity"]
    assert model["users"] >= 20, result
    # 2x is the target (bench: 4.3x at 0.01 seed 42, 17x at 1.0); at ~80 held-out students one hit moves the
    # rate by >1 point, so the test asks for a clear win and leaves the 2x figure to `make bench`.
    assert model["hit_rate"] > baseline["hit_rate"], result
    assert model["hits"] >= 5, result


def private_sandbox_and_warehouse(ingested: Ingested, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the session's sandbox, to advance, and of the warehouse its first ingestion loaded."""
    return ingested.copy_to(tmp_path)


def rows_of(warehouse: Path, sql: str) -> set[tuple[object, ...]]:
    with connect_working(warehouse, read_only=True) as con:
        return set(con.execute(sql).fetchall())


def test_incremental_search_index_equals_a_full_rebuild(ingested: Ingested, tmp_path: Path) -> None:
    """Build the index, advance the sandbox three days, re-index only what changed: the result must equal an
    index rebuilt from scratch, row for row."""
    sandbox, warehouse = private_sandbox_and_warehouse(ingested, tmp_path)
    select = ["--select", "+search_terms"]

    rows = partial(rows_of, warehouse)

    index = (
        "select term, doc_id, doc_type, field, boost, term_frequency, field_length, doc_hash"
        " from search.search_terms"
    )
    assert run_dbt(warehouse, tmp_path / "dbt", "run", *select).returncode == 0
    before = rows("select doc_id, doc_hash from search.search_documents")

    advance(sandbox, days=3)
    ingest_into(sandbox, warehouse)
    incremental = run_dbt(warehouse, tmp_path / "dbt", "run", *select)
    assert incremental.returncode == 0, incremental.stdout[-4000:]
    after = rows("select doc_id, doc_hash from search.search_documents")
    assert after - before, "the scenario must change or add documents"
    assert {d for d, _ in after} == {r[0] for r in rows("select distinct doc_id from search.search_terms")}
    incremental_rows = rows(index)

    full = run_dbt(warehouse, tmp_path / "dbt", "run", "--select", "search_terms", "--full-refresh")
    assert full.returncode == 0, full.stdout[-4000:]
    assert incremental_rows == rows(index)


def test_incremental_shortlist_equals_a_full_rescoring(ingested: Ingested, tmp_path: Path) -> None:
    """Build the recommendations, advance the sandbox a day, build again: only students whose inputs changed
    are rescored, and the shortlist, job and course recommendations equal ones rebuilt from scratch with the
    same fitted statistics. A refit (forced here by refit_days 0) renews both statistics (decision 007)."""
    sandbox, warehouse = private_sandbox_and_warehouse(ingested, tmp_path)
    select = ["--select", "+rec_student_courses"]

    rows = partial(rows_of, warehouse)

    def fingerprints() -> dict[object, object]:
        kept = (
            "select distinct student_key, inputs_fingerprint"
            " from recommendations.int_recs__student_job_shortlist"
        )
        return {key: fingerprint for key, fingerprint in rows(kept)}

    shortlist = (
        "select student_key, job_posting_id, round(score, 9)"
        " from recommendations.int_recs__student_job_shortlist"
    )
    recommendations = (
        "select student_key, job_posting_id, rank, matched_skills, reason"
        " from recommendations.rec_student_jobs"
    )
    courses = (
        "select student_key, course_id, rank, closes_skills, reason from recommendations.rec_student_courses"
    )
    fit = "select skill_name, rarity, fitted_at from recommendations.int_recs__skill_rarity"

    assert run_dbt(warehouse, tmp_path / "dbt", "run", *select).returncode == 0
    first_fit, before = rows(fit), fingerprints()

    advance(sandbox, days=1)
    ingest_into(sandbox, warehouse)
    daily = run_dbt(warehouse, tmp_path / "dbt", "run", *select)
    assert daily.returncode == 0, daily.stdout[-4000:]
    assert rows(fit) == first_fit, "a day is not a refit: the statistics stay as fitted"
    after = fingerprints()
    rescored = {key for key, fingerprint in after.items() if before.get(key) != fingerprint}
    assert rescored and len(rescored) < len(after) / 2, "the day must rescore some students and keep most"
    incremental_shortlist, incremental_recommendations = rows(shortlist), rows(recommendations)
    incremental_courses = rows(courses)

    rescoring = ["int_recs__student_job_shortlist", "int_recs__student_top_jobs", "rec_student_jobs"]
    rescoring += ["rec_student_courses"]
    full = run_dbt(warehouse, tmp_path / "dbt", "run", "--select", *rescoring, "--full-refresh")
    assert full.returncode == 0, full.stdout[-4000:]
    assert rows(fit) == first_fit
    assert incremental_shortlist == rows(shortlist)
    assert incremental_recommendations == rows(recommendations)
    assert incremental_courses == rows(courses)

    refit = run_dbt(warehouse, tmp_path / "dbt", "run", *select, "--vars", '{"campus:recs:refit_days": 0}')
    assert refit.returncode == 0, refit.stdout[-4000:]
    refitted = rows(fit)
    assert refitted != first_fit
    assert rows("select distinct fitted_at from recommendations.int_recs__skill_co_holding") == {
        (fitted_at,) for _, _, fitted_at in refitted
    }, "the co-holding shares are refitted with the rarity"
    assert set(fingerprints().items()) != set(after.items()), (
        "students whose contributions moved are rescored"
    )


def test_a_shortlist_built_before_fingerprints_is_rescored_whole(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """A warehouse from before decision 007 holds the shortlist as a plain table keyed by one run's integer
    numbers, no fitted statistics, and job recommendations without fingerprints. Its next build must rebuild
    every student (the old rows carry no fingerprint) and give the same rows: it keeps none it cannot vouch
    for."""
    warehouse = tmp_path / "campus.duckdb"
    copy_working(built_warehouse.path, warehouse)
    shortlist = (
        "select student_key, job_posting_id, round(score, 9)"
        " from recommendations.int_recs__student_job_shortlist"
    )
    recommendations = "select student_key, job_posting_id, rank, reason from recommendations.rec_student_jobs"
    # The chain's private models are in the working file (`campus`), the published one in the readers' file.
    with connect_working(warehouse) as con:
        expected = set(con.execute(shortlist).fetchall())
        expected_recommendations = set(con.execute(recommendations).fetchall())
        con.execute("alter table recommendations.rec_student_jobs drop column inputs_fingerprint")
        con.execute(
            """
            create or replace table campus.recommendations.int_recs__student_job_shortlist as
            select students.student_number, postings.job_number, shortlist.score
            from recommendations.int_recs__student_job_shortlist as shortlist
            inner join (select distinct student_key, student_number
                from recommendations.int_recs__student_profile) as students using (student_key)
            inner join (select distinct job_posting_id, job_number
                from recommendations.int_recs__job_skill_index) as postings using (job_posting_id)
            """
        )
        con.execute("drop table campus.recommendations.int_recs__skill_rarity")
        con.execute("drop table campus.recommendations.int_recs__skill_co_holding")

    chain = ["int_recs__skill_rarity", "int_recs__skill_co_holding", "int_recs__student_profile"]
    chain += ["int_recs__job_skill_index", "int_recs__student_job_shortlist", "int_recs__student_top_jobs"]
    chain += ["rec_student_jobs"]
    upgraded = run_dbt(warehouse, tmp_path / "dbt", "run", "--select", *chain)
    assert upgraded.returncode == 0, upgraded.stdout[-4000:]
    with connect_working(warehouse, read_only=True) as con:
        assert set(con.execute(shortlist).fetchall()) == expected
        assert set(con.execute(recommendations).fetchall()) == expected_recommendations
        assert con.execute(
            "select count(*) from recommendations.rec_student_jobs where inputs_fingerprint is null"
        ).fetchall() == [(0,)]
        assert con.execute(
            "select count(*) from recommendations.int_recs__student_job_shortlist"
            " where inputs_fingerprint is null or student_key is null"
        ).fetchall() == [(0,)]


def test_a_recommended_course_the_student_enrolls_in_is_no_longer_recommended(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """Enrolling in a recommended course takes it out of the student's course recommendations at the next
    build (the courses a student has taken are read each run), and leaves other students' as they were."""
    warehouse = tmp_path / "campus.duckdb"
    copy_working(built_warehouse.path, warehouse)
    with connect_working(warehouse) as con:
        student_key, sis_student_id, course_id = con.execute(
            """
            select courses.student_key, identity.sis_student_id, courses.course_id
            from recommendations.rec_student_courses as courses
            inner join intermediate.int_students__identity_matched as identity using (student_key)
            where identity.sis_student_id is not null and courses.rank = 1
            order by courses.student_key
            limit 1
            """
        ).fetchall()[0]
        con.execute(
            """
            insert into raw_oracle_sis.enrollments
            select max(enrollment_id) + 1, ?, ?, max(term_code), current_date, 'ENROLLED', 0,
                max(updated_at), max(_dlt_load_id)
            from raw_oracle_sis.enrollments
            """,
            [sis_student_id, course_id],
        )
        kept = con.execute(
            "select count(*) from recommendations.rec_student_courses where student_key <> ?", [student_key]
        ).fetchall()
    # the enrollment reaches the recommendations through its staging tables
    rebuilt = run_dbt(
        warehouse, tmp_path / "dbt", "run", "--select", "base_oracle_sis__enrollments", "rec_student_courses"
    )
    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]
    with connect_working(warehouse, read_only=True) as con:
        courses = {
            r[0]
            for r in con.execute(
                "select course_id from recommendations.rec_student_courses where student_key = ?",
                [student_key],
            ).fetchall()
        }
        assert course_id not in courses
        assert (
            con.execute(
                "select count(*) from recommendations.rec_student_courses where student_key <> ?",
                [student_key],
            ).fetchall()
            == kept
        )
