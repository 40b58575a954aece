"""A sandbox day at the Workday stand-in: each resource's records change (a student moves, a posting closes),
a few go inactive, and new ones arrive, each with a fresh `updatedAt`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sandbox import vocabulary as vocab
from sandbox.advance.common import DELETE_RATE, INSERT_RATE, UPDATE_RATE, choose
from sandbox.frames import Rng, timestamps_between, wids
from sandbox.generate.common import PERSONAL_EMAIL
from sandbox.generate.workday import utc, write_parquet
from sandbox.people import DOMAINS, interests_from_affinity, make_people


def advance_workday(
    folder: Path, rng: Rng, old: np.datetime64, new: np.datetime64, protected: dict[str, set[Any]]
) -> dict[str, dict[str, int]]:
    changes: dict[str, dict[str, int]] = {}
    for resource in ("academicPrograms", "students", "jobPostings", "jobPlacements"):
        table = pq.read_table(folder / f"{resource}.parquet")
        ids = table["id"].to_numpy(zero_copy_only=False)
        active = ids[~table["inactive"].to_numpy(zero_copy_only=False)]
        chosen = choose(rng, active, UPDATE_RATE + DELETE_RATE, protected.get(resource, set()))
        n_del = max(1, round(len(ids) * DELETE_RATE)) if resource != "academicPrograms" else 0
        deleted, updated = chosen[:n_del], chosen[n_del:]
        touched = np.isin(ids, chosen)
        stamps = timestamps_between(rng, old, new, len(ids))
        updated_at = pc.if_else(pa.array(touched), utc(stamps), table["updatedAt"])
        inactive = pc.or_(table["inactive"], pa.array(np.isin(ids, deleted)))
        table = table.set_column(table.schema.get_field_index("updatedAt"), "updatedAt", updated_at)
        table = table.set_column(table.schema.get_field_index("inactive"), "inactive", inactive)
        table = change_fields(table, resource, np.isin(ids, updated), rng)
        additions = new_workday_rows(table, resource, rng, old, new)
        if additions is not None:
            table = pa.concat_tables([table, additions.cast(table.schema)])
        write_parquet(table.sort_by("id"), folder / f"{resource}.parquet")
        changes[resource] = {
            "updated": len(updated),
            "deleted": len(deleted),
            "inserted": 0 if additions is None else additions.num_rows,
        }
    return changes


def change_fields(table: pa.Table, resource: str, mask: np.ndarray, rng: Rng) -> pa.Table:
    """The business change behind an update: a student moves, a posting closes, a programme is renamed."""
    column, values = {
        "students": ("location", lambda n: [vocab.LOCATIONS[i][0] for i in rng.integers(0, 20, (n,))]),
        "jobPostings": ("status", lambda n: ["CLOSED"] * n),
        "jobPlacements": ("placementType", lambda n: ["Full-time"] * n),
        "academicPrograms": ("durationYears", lambda n: rng.integers(1, 6, n).tolist()),
    }[resource]
    field = table.schema.field(column)
    replacement = pa.array(values(table.num_rows), field.type)
    return table.set_column(
        table.schema.get_field_index(column), field, pc.if_else(pa.array(mask), replacement, table[column])
    )


def new_workday_rows(
    table: pa.Table, resource: str, rng: Rng, old: np.datetime64, new: np.datetime64
) -> pa.Table | None:
    """New records: copies of existing rows under new ids, with the person fields of new people."""
    if resource == "academicPrograms":
        return None
    n = max(1, round(table.num_rows * INSERT_RATE))
    sample = table.take(pa.array(np.sort(rng.choice(table.num_rows, n, replace=False))))
    sample = sample.set_column(0, "id", pa.array(wids(rng, n)))
    sample = sample.set_column(
        sample.schema.get_field_index("updatedAt"), "updatedAt", utc(timestamps_between(rng, old, new, n))
    )
    sample = sample.set_column(
        sample.schema.get_field_index("inactive"), "inactive", pa.array(np.zeros(n, dtype=bool))
    )
    if resource == "students":
        people = make_people(rng, n, rng.integers(0, len(DOMAINS), n), "1995-01-01", "2008-09-01")
        for column, values in (
            ("firstName", people.first_names.tolist()),
            ("lastName", people.last_names.tolist()),
            ("email", people.emails(rng.integers(10, 99, n), PERSONAL_EMAIL).tolist()),
            ("dateOfBirth", pa.array(people.birth_date, pa.date32())),
            ("careerInterests", interests_from_affinity(rng, people)),
        ):
            index = sample.schema.get_field_index(column)
            sample = sample.set_column(
                index, sample.schema.field(index), pa.array(values, sample.schema.field(index).type)
            )
    if resource == "jobPostings":
        posted = pa.array(np.full(n, new.astype("datetime64[D]")), pa.date32())
        sample = sample.set_column(sample.schema.get_field_index("postedDate"), "postedDate", posted)
        sample = sample.set_column(sample.schema.get_field_index("status"), "status", pa.array(["OPEN"] * n))
        reqs = np.char.mod("R-%06d", rng.integers(900_000, 999_999, n))
        sample = sample.set_column(
            sample.schema.get_field_index("requisitionId"), "requisitionId", pa.array(reqs)
        )
    return sample
