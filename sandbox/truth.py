"""Score what the pipeline built against the sandbox's truth files (tests and benchmarks only).

The pipeline never reads `truth/`: these functions compare its output with it afterwards.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq


def identity_scores(warehouse: Path, sandbox_dir: Path) -> dict[str, float | int]:
    """Precision and recall of the SIS-Workday links in `int_students__identity_matched` against the truth."""
    truth = pq.read_table(sandbox_dir / "truth" / "identity_map.parquet").to_pylist()
    expected = {(row["workday_student_id"], int(row["sis_student_id"])) for row in truth}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""
            select w.workday_student_id, s.sis_student_id
            from intermediate.int_students__identity_matched as w
            inner join intermediate.int_students__identity_matched as s
                on w.student_key = s.student_key
            where w.workday_student_id is not null and s.sis_student_id is not null
                and s.match_rule <> 'sis_duplicate'  -- a collapsed duplicate is not a second link
        """).fetchall()
    predicted = {(wd, int(sis)) for wd, sis in rows}
    hits = len(predicted & expected)
    return {
        "precision": hits / len(predicted) if predicted else 0.0,
        "recall": hits / len(expected) if expected else 0.0,
        "predicted_pairs": len(predicted),
        "true_pairs": len(expected),
    }
