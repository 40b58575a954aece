"""The quality layer on a built warehouse: dbt results kept, scores sane, every planted defect caught."""

from __future__ import annotations

from tests.dbt.planted_defects import planted_defect_rules
from tests.warehouse import BuiltWarehouse

# Planted-defect kinds that never reach the warehouse: dq_planted_defect_coverage counts no rows for them.
NOT_IN_WAREHOUSE = {kind for kind, rule in planted_defect_rules().items() if not rule["is_in_warehouse"]}
# Tables the sandbox plants defects in (as raw tables are named): where a quarantine reason or a warn test
# catches them.
DEFECTIVE_TABLES = {
    (rule["source_name"], rule["table_name"])
    for rule in planted_defect_rules().values()
    if rule["caught_by"] in ("quarantine", "warn_test")
}


def test_build_succeeded(built_warehouse: BuiltWarehouse) -> None:
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-3000:]


def test_results_of_this_invocation_are_persisted(built_warehouse: BuiltWarehouse) -> None:
    run_results = built_warehouse.run_results
    invocation_id = run_results["metadata"]["invocation_id"]
    # Hooks are operations, not nodes: the on-run-end hook does not see itself.
    expected = {
        r["unique_id"]: (r["status"], r.get("failures"))
        for r in run_results["results"]
        if not r["unique_id"].startswith("operation.")
    }
    stored = {
        unique_id: (status, failures)
        for unique_id, status, failures in built_warehouse.query(
            "select unique_id, status, failures from quality.dbt_test_results where invocation_id = ?",
            [invocation_id],
        )
    }
    assert stored == expected

    # The view over the table shows them too, with data and unit tests marked as tests.
    [(tests_in_view,)] = built_warehouse.query(
        "select count(*) from quality.dq_dbt_test_results where invocation_id = ? and is_test",
        [invocation_id],
    )
    assert tests_in_view == sum(1 for uid in expected if uid.split(".")[0] in ("test", "unit_test"))


def test_quality_scores_are_within_0_100(built_warehouse: BuiltWarehouse) -> None:
    for model in ("dq_table_quality_scores", "dq_load_quality_scores"):
        rows = built_warehouse.query(
            f"""
            select count(*), min(least(completeness_score, validity_score, uniqueness_score,
                                       referential_integrity_score, timeliness_score, quality_score)),
                   max(greatest(completeness_score, validity_score, uniqueness_score,
                                referential_integrity_score, timeliness_score, quality_score))
            from quality.{model}
            """
        )
        count, low, high = rows[0]
        assert count > 0, model
        assert 0 <= low <= high <= 100, (model, low, high)


def test_tables_with_planted_defects_score_lower_than_clean_ones(built_warehouse: BuiltWarehouse) -> None:
    scores = {
        (source, table): float(score)
        for source, table, score in built_warehouse.query(
            "select source_name, table_name, quality_score from quality.dq_table_quality_scores"
        )
    }
    assert scores.keys() >= DEFECTIVE_TABLES, sorted(scores)
    clean = {key: score for key, score in scores.items() if key not in DEFECTIVE_TABLES}
    assert clean and min(clean.values()) == 100.0, clean
    assert max(scores[key] for key in DEFECTIVE_TABLES) < min(clean.values())


def test_every_planted_defect_is_covered_with_the_manifest_count(built_warehouse: BuiltWarehouse) -> None:
    planted = built_warehouse.manifest["planted_defects"]
    coverage = {
        kind: (caught_by, rule, in_warehouse, rows)
        for kind, caught_by, rule, in_warehouse, rows in built_warehouse.query(
            "select defect_kind, caught_by, rule_name, is_in_warehouse, rows_caught "
            "from quality.dq_planted_defect_coverage"
        )
    }
    assert coverage.keys() == planted.keys()
    for kind, defect in planted.items():
        caught_by, _rule, in_warehouse, rows = coverage[kind]
        if kind in NOT_IN_WAREHOUSE:
            assert (caught_by, in_warehouse, rows) == ("ingestion", False, None), kind
        else:
            assert in_warehouse and rows == defect["count"], (kind, rows, defect["count"])


def test_warn_tests_named_in_coverage_ran_and_caught_the_same_rows(built_warehouse: BuiltWarehouse) -> None:
    failures_by_test = {
        r["unique_id"].split(".")[2]: r.get("failures")
        for r in built_warehouse.run_results["results"]
        if r["unique_id"].startswith("test.")
    }
    warn_rules = built_warehouse.query(
        "select rule_name, rows_caught from quality.dq_planted_defect_coverage where caught_by = 'warn_test'"
    )
    assert {rule for rule, _ in warn_rules} == {
        rule["rule_name"] for rule in planted_defect_rules().values() if rule["caught_by"] == "warn_test"
    }
    for rule, rows in warn_rules:
        assert failures_by_test.get(rule) == rows, (rule, failures_by_test.get(rule), rows)


def test_quarantine_counts_match_quarantine_records(built_warehouse: BuiltWarehouse) -> None:
    by_reason = dict(
        built_warehouse.query(
            "select quarantine_reason, sum(record_count) from quality.dq_quarantine_counts group by 1"
        )
    )
    raw = dict(
        built_warehouse.query("select quarantine_reason, count(*) from staging.quarantine_records group by 1")
    )
    assert by_reason == raw
    assert {"unknown_course", "future_dated", "missing_required_field"} <= by_reason.keys()


def test_load_scores_name_the_ingestion_run(built_warehouse: BuiltWarehouse) -> None:
    runs = {run for (run,) in built_warehouse.query("select distinct run_id from raw_meta.load_history")}
    scored = built_warehouse.query(
        "select run_id, is_latest_load from quality.dq_load_quality_scores where record_count > 0"
    )
    assert scored and all(run in runs for run, _ in scored), scored
    # One ingestion run: every table's single load is its latest.
    assert all(latest for _, latest in scored)
