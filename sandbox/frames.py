"""Vectorised building blocks of the sandbox generator: ids, dates, categorical draws and string columns."""

from __future__ import annotations

import unicodedata

import numpy as np

Rng = np.random.Generator

EPOCH_US = np.datetime64("1970-01-01T00:00:00", "us")


def wids(rng: Rng, n: int) -> np.ndarray:
    """Workday-style 32-hex-digit ids (WIDs)."""
    hi = rng.integers(0, 2**62, size=n, dtype=np.int64)
    lo = rng.integers(0, 2**62, size=n, dtype=np.int64)
    return np.char.add(np.char.mod("%016x", hi), np.char.mod("%016x", lo))


def zipf_weights(n: int, exponent: float = 0.9) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def top_k_by_weight(rng: Rng, weights: np.ndarray, k: int) -> np.ndarray:
    """Per row of `weights` (rows x items), k distinct items drawn without replacement, by weight.

    The Gumbel-top-k trick: one vectorised argsort instead of a Python loop per row.
    """
    gumbel = -np.log(-np.log(rng.random(weights.shape)))
    keys = np.log(np.maximum(weights, 1e-12)) + gumbel
    return np.argsort(-keys, axis=1)[:, :k]


def timestamps_between(
    rng: Rng, start: np.ndarray | np.datetime64, end: np.ndarray | np.datetime64, n: int
) -> np.ndarray:
    """Uniform random datetime64[us] in [start, end) (bounds may be arrays of length n)."""
    start_us = (np.asarray(start, dtype="datetime64[us]") - EPOCH_US).astype(np.int64)
    end_us = (np.asarray(end, dtype="datetime64[us]") - EPOCH_US).astype(np.int64)
    span = np.maximum(end_us - start_us, 1)
    offset = (rng.random(n) * span).astype(np.int64)
    return EPOCH_US + (start_us + offset).astype("timedelta64[us]")


def oracle_timestamp_text(values: np.ndarray) -> list[str]:
    """ISO text SQLite stores for an Oracle TIMESTAMP column ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    text = np.datetime_as_string(values.astype("datetime64[us]"), unit="us")
    return np.char.replace(text, "T", " ").tolist()


def oracle_date_text(values: np.ndarray) -> list[str]:
    return np.datetime_as_string(values.astype("datetime64[D]"), unit="D").tolist()


def ascii_slug(words: list[str]) -> np.ndarray:
    """Lower-case ASCII form of names for e-mail addresses ('Zoë' -> 'zoe', "O'Brien" -> 'obrien')."""
    out = []
    for word in words:
        folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        out.append("".join(ch for ch in folded.lower() if ch.isalnum()))
    return np.array(out)


def pick(rng: Rng, mask_size: int, rate: float, exclude: np.ndarray | None = None) -> np.ndarray:
    """Sorted positions of about `rate` of `mask_size` rows, none of them in `exclude` (at least one)."""
    pool = np.arange(mask_size)
    if exclude is not None and len(exclude):
        pool = np.setdiff1d(pool, exclude)
    count = min(len(pool), max(1, round(mask_size * rate)))
    return np.sort(rng.choice(pool, size=count, replace=False))


def csr(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Members of each group: (members sorted by group, offsets) so group g is members[off[g]:off[g+1]]."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    return order, np.concatenate([[0], np.cumsum(counts)])


def pick_in_group(
    rng: Rng, members: np.ndarray, offsets: np.ndarray, groups: np.ndarray, fallback: int
) -> np.ndarray:
    """One uniformly chosen member of each requested group (the fallback member where a group is empty)."""
    sizes = offsets[groups + 1] - offsets[groups]
    position = offsets[groups] + (rng.random(len(groups)) * np.maximum(sizes, 1)).astype(np.int64)
    chosen = members[np.minimum(position, len(members) - 1)]
    return np.where(sizes > 0, chosen, fallback)
