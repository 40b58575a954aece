"""Stand-in for dbt's `model` node in sqlfluff's jinja templater: no code of its own, and as its config the
meta of dq_planted_defect_coverage (the one model that reads its own meta), so that model lints with its rows.
Linting only."""

from pathlib import Path
from types import SimpleNamespace

import yaml

raw_code = ""

_QUALITY_MODELS = Path(__file__).resolve().parent.parent / "models" / "quality" / "_quality__models.yml"
_COVERAGE = next(
    model
    for model in yaml.safe_load(_QUALITY_MODELS.read_text())["models"]
    if model["name"] == "dq_planted_defect_coverage"
)
config = SimpleNamespace(meta=_COVERAGE["config"]["meta"])
