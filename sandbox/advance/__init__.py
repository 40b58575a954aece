"""Move the sandbox institution forward in time: about 1% of records change, new ones arrive, a few
are soft-deleted, in every source, so incremental loads have real work to do. Planted defects stay put.

One module per source system, as in `sandbox.generate`; the file drops reuse its writer for the new day.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from sandbox import sis_store
from sandbox.advance.oracle_sis import advance_sis
from sandbox.advance.tableau import advance_tableau
from sandbox.advance.workday import advance_workday
from sandbox.generate import write_manifest
from sandbox.generate.files import write_landing

__all__ = ["advance"]


def advance(data_dir: Path, days: int = 1) -> dict[str, Any]:
    """Advance the sandbox in `data_dir` by `days` and return the updated manifest."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    manifest = json.loads((data_dir / "manifest.json").read_text())
    number = len(manifest["advances"]) + 1
    rng = np.random.default_rng([manifest["seed"], number])
    old = np.datetime64(manifest["as_of"].rstrip("Z"), "us")
    new = old + np.timedelta64(days, "D")
    protected = protected_ids(manifest)

    changes: dict[str, Any] = {}
    con = sis_store.connect(data_dir / "sis.sqlite")
    changes["oracle_sis"] = advance_sis(con, rng, old, new, protected)
    con.commit()
    counts = sis_store.row_counts(con)
    student_ids = np.array([r[0] for r in con.execute('SELECT "STUDENT_ID" FROM "STUDENTS"')])
    course_codes = np.array([r[0] for r in con.execute('SELECT "COURSE_CODE" FROM "COURSES"')])
    con.close()
    changes["workday"] = advance_workday(data_dir / "workday", rng, old, new, protected)
    changes["tableau"] = advance_tableau(data_dir / "tableau", rng)
    programs = pq.read_table(data_dir / "workday" / "academicPrograms.parquet", columns=["programCode"])
    tag = str(new)[:10].replace("-", "")
    files, _ = write_landing(
        data_dir / "landing",
        rng,
        student_ids,
        course_codes,
        programs["programCode"].to_numpy(zero_copy_only=False),
        manifest["volumes"],
        new,
        tag,
    )
    changes["files"] = {"inserted": files}

    sources = manifest["sources"]
    sources["oracle_sis"]["tables"] = counts
    sources["workday"]["resources"] = {
        name: pq.read_metadata(data_dir / "workday" / f"{name}.parquet").num_rows
        for name in sources["workday"]["resources"]
    }
    sources["files"]["files"].update(files)
    manifest["as_of"] = f"{str(new)[:19]}Z"
    manifest["advances"].append(
        {"number": number, "days": days, "as_of": manifest["as_of"], "changes": changes}
    )
    write_manifest(data_dir, manifest)
    return manifest


def protected_ids(manifest: dict[str, Any]) -> dict[str, set[Any]]:
    """Planted defect rows per table: advance never edits or deletes them, so the defect list stays true."""
    out: dict[str, set[Any]] = {}
    for defect in manifest["planted_defects"].values():
        out.setdefault(defect["table"], set()).update(defect["ids"])
        out[defect["table"]].update(defect.get("duplicate_of", []))
    return out
