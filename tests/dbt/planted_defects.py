"""The planted-defect map as the tests read it: each kind of defect the sandbox plants -> the rule that
catches it. Written once, in the meta of dq_planted_defect_coverage
(dbt_project/models/quality/_quality__models.yml), which that model reads too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

QUALITY_MODELS = Path(__file__).resolve().parents[2] / "dbt_project/models/quality/_quality__models.yml"


def planted_defect_rules() -> dict[str, dict[str, Any]]:
    """defect kind -> {source_name, table_name, caught_by, rule_name, is_in_warehouse, how_caught}."""
    [model] = [m for m in yaml.safe_load(QUALITY_MODELS.read_text())["models"]
               if m["name"] == "dq_planted_defect_coverage"]  # fmt: skip
    return {rule["defect_kind"]: rule for rule in model["config"]["meta"]["planted_defects"]}


def rules_caught_by(caught_by: str) -> dict[str, dict[str, Any]]:
    """The kinds one kind of rule catches (quarantine, warn_test, ingestion, parsing)."""
    return {kind: rule for kind, rule in planted_defect_rules().items() if rule["caught_by"] == caught_by}
