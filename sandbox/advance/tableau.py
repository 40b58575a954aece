"""A sandbox day at the Tableau stand-in: the Student Analytics extract refreshes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sandbox.advance.common import UPDATE_RATE
from sandbox.frames import Rng
from sandbox.generate.common import csv_bytes
from sandbox.generate.tableau import BOM


def advance_tableau(folder: Path, rng: Rng) -> dict[str, int]:
    """Engagement scores move for about 1% of students; the rest of the extract is unchanged."""
    path = folder / "student_analytics.csv"
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in ("GPA", "Attendance Rate", "Tuition Balance")},
            strings_can_be_null=False,
        ),
    )
    mask = rng.random(table.num_rows) < UPDATE_RATE
    scores = pa.array(np.round(rng.uniform(20, 100, table.num_rows), 1))
    index = table.schema.get_field_index("Engagement Score")
    table = table.set_column(index, "Engagement Score", pc.if_else(pa.array(mask), scores, table[index]))
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_bytes(BOM + csv_bytes(table))
    tmp.replace(path)
    return {"Student Analytics": int(mask.sum())}
