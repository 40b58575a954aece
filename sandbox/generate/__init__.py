"""Generate the sandbox institution: one module per source system, mirroring `ingestion/` (`oracle_sis`,
`workday`, `tableau`, `files`), after the `catalogue` they share; `common` holds the clock, volumes and
defect rates. `generate` runs them in order and writes the truth files and the manifest.

Content depends only on (scale, seed): one random generator is drawn from in a fixed order, so a step that
moves changes every source after it. Every large table is built with numpy column operations.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from sandbox.generate.catalogue import build_catalogue
from sandbox.generate.common import SANDBOX_START, SANDBOX_VERSION, volumes
from sandbox.generate.files import write_landing
from sandbox.generate.oracle_sis import SisResult, draw_students, write_sis
from sandbox.generate.tableau import CSV_FORMAT_DEFECT, write_tableau
from sandbox.generate.workday import WorkdayResult, write_workday

__all__ = ["generate", "volumes", "write_manifest"]

TRUTH_FILES = ("identity_map", "student_affinities", "holdout_placements")


def generate(out: Path, scale: float = 0.01, seed: int = 42) -> dict[str, Any]:
    """Build the institution into `out` (replacing what was there) and return its manifest."""
    vol = volumes(scale)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for sub in ("workday", "tableau", "landing", "truth"):
        (out / sub).mkdir()
    rng = np.random.default_rng(seed)
    as_of = SANDBOX_START
    cat = build_catalogue(rng, vol)
    student_program, people = draw_students(rng, cat, vol["students"])

    sis = write_sis(out / "sis.sqlite", rng, cat, people, as_of, student_program)
    wd = write_workday(out / "workday", rng, cat, people, sis, vol, as_of)
    views = write_tableau(out / "tableau", rng, cat, people, sis, wd, vol, as_of)
    tag = str(as_of)[:10].replace("-", "")
    files, file_defects = write_landing(
        out / "landing", rng, sis.student_ids, cat.course_code, cat.program_code, vol, as_of, tag
    )
    truth = write_truth(out, wd)

    manifest: dict[str, Any] = {
        "sandbox_version": SANDBOX_VERSION,
        "scale": scale,
        "seed": seed,
        "as_of": f"{str(as_of)[:19]}Z",
        "volumes": vol,
        "sources": {
            "oracle_sis": {"database": "sis.sqlite", "tables": sis.counts},
            "workday": {"folder": "workday", "resources": wd.counts},
            "tableau": {"folder": "tableau", "views": views},
            "files": {"folder": "landing", "files": files},
        },
        "planted_defects": planted_defects(sis, wd, file_defects),
        "truth": truth,
        "advances": [],
    }
    write_manifest(out, manifest)
    return manifest


def write_truth(out: Path, wd: WorkdayResult) -> dict[str, dict[str, Any]]:
    """The truth files no source serves; their manifest entries."""
    tables = dict(zip(TRUTH_FILES, (wd.identity, wd.affinities, wd.holdout), strict=True))
    for name, table in tables.items():
        pq.write_table(table, out / "truth" / f"{name}.parquet")
    return {name: {"file": f"truth/{name}.parquet", "rows": table.num_rows} for name, table in tables.items()}


def planted_defects(
    sis: SisResult, wd: WorkdayResult, file_defects: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    return {**sis.defects, **wd.defects, **file_defects, "tableau_csv_format": CSV_FORMAT_DEFECT}


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    tmp.replace(out / "manifest.json")
