"""Synthetic people and their hidden skill affinities, shared by generation and `advance`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox import vocabulary as vocab
from sandbox.frames import Rng, ascii_slug, top_k_by_weight, zipf_weights

SKILLS: list[str] = [skill for skills in vocab.SKILL_DOMAINS.values() for skill in skills]
DOMAINS: list[str] = list(vocab.SKILL_DOMAINS)
SKILLS_PER_DOMAIN = 20
SKILL_DOMAIN = np.repeat(np.arange(len(DOMAINS)), SKILLS_PER_DOMAIN)
# Popularity of a skill inside its domain (Zipf): drives course content, job requirements and interests alike.
SKILL_POPULARITY = np.tile(zipf_weights(SKILLS_PER_DOMAIN), len(DOMAINS))
TOP_SKILLS = 8
# How strongly a student leans on their k-th strongest skill.
TOP_SKILL_STRENGTH = np.array([0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.06, 0.04])

FIRST_ASCII = ascii_slug(vocab.FIRST_NAMES)
LAST_ASCII = ascii_slug(vocab.LAST_NAMES)


@dataclass
class People:
    """Columns of n synthetic people (index i is one person)."""

    first_idx: np.ndarray
    last_idx: np.ndarray
    birth_date: np.ndarray  # datetime64[D]
    city_idx: np.ndarray
    primary_domain: np.ndarray
    secondary_domain: np.ndarray
    top_skills: np.ndarray  # n x TOP_SKILLS skill indices, strongest first
    ability: np.ndarray  # latent academic ability, about N(0, 0.35)

    def __len__(self) -> int:
        return len(self.first_idx)

    @property
    def first_names(self) -> np.ndarray:
        return np.asarray(vocab.FIRST_NAMES, dtype=object)[self.first_idx]

    @property
    def last_names(self) -> np.ndarray:
        return np.asarray(vocab.LAST_NAMES, dtype=object)[self.last_idx]

    def emails(self, suffixes: np.ndarray, domain: str) -> np.ndarray:
        local = np.char.add(np.char.add(FIRST_ASCII[self.first_idx], "."), LAST_ASCII[self.last_idx])
        return np.char.add(np.char.add(local, np.char.mod("%d", suffixes)), "@" + domain)


def make_people(rng: Rng, n: int, primary_domain: np.ndarray, born_from: str, born_to: str) -> People:
    n_domains = len(DOMAINS)
    secondary = (primary_domain + rng.integers(1, n_domains, size=n)) % n_domains
    # Weight skills: the primary domain three times the secondary, popularity inside the domain.
    weights = np.zeros((n, len(SKILLS)))
    weights += 3.0 * (SKILL_DOMAIN[None, :] == primary_domain[:, None])
    weights += 1.0 * (SKILL_DOMAIN[None, :] == secondary[:, None])
    weights *= SKILL_POPULARITY[None, :] * 0.5 + 0.5 / SKILLS_PER_DOMAIN
    top = top_k_by_weight(rng, weights, TOP_SKILLS)
    start = np.datetime64(born_from, "D").astype(np.int64)
    end = np.datetime64(born_to, "D").astype(np.int64)
    return People(
        first_idx=rng.integers(0, len(vocab.FIRST_NAMES), size=n),
        last_idx=rng.integers(0, len(vocab.LAST_NAMES), size=n),
        birth_date=rng.integers(start, end, size=n).astype("datetime64[D]"),
        city_idx=rng.integers(0, len(vocab.LOCATIONS), size=n),
        primary_domain=primary_domain,
        secondary_domain=secondary,
        top_skills=top,
        ability=rng.normal(0.0, 0.35, size=n),
    )


def interests_from_affinity(rng: Rng, people: People) -> list[list[str]]:
    """2-5 career interests per person, drawn from their strongest skills."""
    n = len(people)
    how_many = rng.integers(2, 6, size=n)
    order = top_k_by_weight(rng, np.tile(TOP_SKILL_STRENGTH, (n, 1)), TOP_SKILLS)
    chosen = np.take_along_axis(people.top_skills, order, axis=1)
    skills = np.asarray(SKILLS, dtype=object)[chosen]
    return [list(row[:k]) for row, k in zip(skills, how_many, strict=True)]


def concat_people(base: People, rows: np.ndarray, extra: People) -> People:
    """The people at `rows` of `base`, followed by every person in `extra`."""
    return People(
        *(
            np.concatenate([getattr(base, f)[rows], getattr(extra, f)])
            for f in (
                "first_idx",
                "last_idx",
                "birth_date",
                "city_idx",
                "primary_domain",
                "secondary_domain",
                "top_skills",
                "ability",
            )
        )
    )
