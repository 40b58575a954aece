"""The institution's academic catalogue: programmes and courses, and the skills each course teaches. The SIS
(courses) and Workday (academic programmes) each publish their part of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox import vocabulary as vocab
from sandbox.frames import Rng, top_k_by_weight, wids
from sandbox.people import DOMAINS, SKILL_DOMAIN, SKILL_POPULARITY, SKILLS

PROGRAM_YEARS = {"BSC": 4, "BA": 4, "MSC": 2, "MA": 2, "CERT": 1, "PHD": 5}
# A course teaches 2-4 skills: its main skill fully, the others in part.
MAX_COURSE_SKILLS = 4


@dataclass
class Catalogue:
    program_domain: np.ndarray
    program_code: np.ndarray
    program_name: np.ndarray
    program_degree: np.ndarray
    program_wid: np.ndarray
    course_id: np.ndarray
    course_code: np.ndarray
    course_domain: np.ndarray
    course_credits: np.ndarray
    course_level: np.ndarray
    course_skill_weight: np.ndarray  # courses x skills, 0 where the course does not teach the skill


@dataclass
class Programs:
    domain: np.ndarray
    code: np.ndarray
    name: np.ndarray
    degree: np.ndarray


def build_catalogue(rng: Rng, vol: dict[str, int]) -> Catalogue:
    programs = draw_programs(rng, vol["programs"])
    n_courses = vol["courses"]
    course_domain = course_domains(rng, n_courses)
    skill_weight = course_skills(rng, course_domain)
    level = rng.choice([100, 200, 300, 400], size=n_courses, p=[0.35, 0.3, 0.2, 0.15])
    return Catalogue(
        program_domain=programs.domain,
        program_code=programs.code,
        program_name=programs.name,
        program_degree=programs.degree,
        program_wid=wids(rng, len(programs.code)),
        course_id=np.arange(10_001, 10_001 + n_courses),
        course_code=course_codes(course_domain, level),
        course_domain=course_domain,
        course_credits=rng.choice([2, 3, 4], size=n_courses, p=[0.15, 0.6, 0.25]),
        course_level=level,
        course_skill_weight=skill_weight,
    )


def draw_programs(rng: Rng, wanted: int) -> Programs:
    """Up to `wanted` distinct (field, degree) programmes, coded like 'CS-BSC-001'."""
    combos = [
        (d, field, code)
        for d, domain in enumerate(DOMAINS)
        for field in vocab.PROGRAM_FIELDS[domain]
        for code, _ in vocab.DEGREES
    ]
    n_programs = min(wanted, len(combos))
    chosen = np.sort(rng.choice(len(combos), size=n_programs, replace=False))
    degree_names = dict(vocab.DEGREES)
    domain = np.array([combos[i][0] for i in chosen])
    degree = np.array([combos[i][2] for i in chosen])
    name = np.array([f"{degree_names[combos[i][2]]} in {combos[i][1]}" for i in chosen])
    prefixes = np.array([vocab.DOMAIN_CODES[DOMAINS[d]] for d in domain])
    code = np.char.add(
        np.char.add(np.char.add(prefixes, "-"), degree),
        np.char.mod("-%03d", np.arange(1, n_programs + 1)),
    )
    return Programs(domain, code, name, degree)


def course_domains(rng: Rng, n_courses: int) -> np.ndarray:
    # Round-robin domains first so every domain has courses even at the smallest scale.
    return np.concatenate([np.arange(len(DOMAINS)), rng.integers(0, len(DOMAINS), n_courses)])[:n_courses]


def course_skills(rng: Rng, course_domain: np.ndarray) -> np.ndarray:
    """Courses x skills weights: popular skills of the course's domain, the main one at 1.0."""
    n_courses = len(course_domain)
    weights = (SKILL_DOMAIN[None, :] == course_domain[:, None]) * SKILL_POPULARITY[None, :]
    taught = top_k_by_weight(rng, weights, MAX_COURSE_SKILLS)
    how_many = rng.integers(2, MAX_COURSE_SKILLS + 1, size=n_courses)
    skill_weight = np.zeros((n_courses, len(SKILLS)), dtype=np.float32)
    for k in range(MAX_COURSE_SKILLS):
        rows = np.nonzero(how_many > k)[0]
        skill_weight[rows, taught[rows, k]] = 1.0 if k == 0 else 0.5
    skill_weight[np.arange(n_courses), taught[:, 1]] = np.round(rng.uniform(0.4, 0.9, n_courses), 2)
    return skill_weight


def course_codes(course_domain: np.ndarray, level: np.ndarray) -> np.ndarray:
    """'CS101'-style codes, numbered within each domain from the course's level ('CS101-1' past 100)."""
    code_prefix = np.array([vocab.DOMAIN_CODES[DOMAINS[d]] for d in course_domain])
    serial = np.zeros(len(course_domain), dtype=np.int64)
    for d in range(len(DOMAINS)):
        idx = np.nonzero(course_domain == d)[0]
        serial[idx] = np.arange(len(idx))
    course_code = np.char.add(code_prefix, np.char.mod("%03d", level + serial % 100))
    return np.char.add(course_code, np.where(serial >= 100, np.char.mod("-%d", serial // 100), ""))


def course_titles(rng: Rng, cat: Catalogue) -> list[str]:
    main_skill = np.argmax(cat.course_skill_weight, axis=1)
    prefix = rng.integers(0, len(vocab.COURSE_PREFIXES), size=len(main_skill))
    return [f"{vocab.COURSE_PREFIXES[p]} {SKILLS[s]}" for p, s in zip(prefix, main_skill, strict=True)]
