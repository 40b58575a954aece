"""Rates of change per sandbox day, and how the rows to change are chosen, for every source's `advance`."""

from __future__ import annotations

from typing import Any

import numpy as np

from sandbox.frames import Rng

UPDATE_RATE = 0.01
INSERT_RATE = 0.002
DELETE_RATE = 0.0005


def choose(rng: Rng, keys: np.ndarray, rate: float, protected: set[Any]) -> np.ndarray:
    """Sorted keys of about `rate` of the rows (at least one), none of them `protected`."""
    pool = keys[~np.isin(keys, np.array(sorted(protected), dtype=keys.dtype))] if protected else keys
    count = min(len(pool), max(1, round(len(keys) * rate)))
    return np.sort(rng.choice(pool, size=count, replace=False)) if count else pool[:0]
