"""Who may do what: the roles, what each role may see and do, and the mapping from identity-provider claims.

Config read: `CAMPUS_ACCESS_CONFIG` (default `app/access.toml`), a TOML file with `[access]`: `role_claim`
(the ID-token claim holding the person's groups, default `groups`), `session_hours` (default 8) and
`[access.role_map]` (claim value -> role). No Streamlit import: the app and the API share it (decision 011).
Fail closed: a missing claim, an unmapped value, an unreadable or malformed file all give no role.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger("app.access")

DEFAULT_CONFIG = Path(__file__).resolve().parent / "access.toml"
DEFAULT_SESSION_HOURS = 8.0

# Capabilities: one per page, plus the personal fields and each action a page offers.
SEARCH = "search"
STUDENT_PROFILE = "student_profile"
PERSONAL_FIELDS = "personal_fields"
JOBS = "jobs"
QUALITY = "quality"
PIPELINE = "pipeline"
DOWNLOAD = "download"
UPLOAD_AND_LOAD = "upload_and_load"
AUDIT = "audit"

# The role matrix (README "Who sees what"). Personal fields only for a legitimate educational interest.
ROLE_CAPABILITIES: Mapping[str, frozenset[str]] = {
    "adviser": frozenset({SEARCH, STUDENT_PROFILE, PERSONAL_FIELDS, JOBS}),
    "registrar": frozenset({SEARCH, STUDENT_PROFILE, PERSONAL_FIELDS, JOBS, QUALITY, DOWNLOAD}),
    "career_services": frozenset({SEARCH, STUDENT_PROFILE, JOBS}),
    "leadership": frozenset({SEARCH, JOBS, QUALITY, DOWNLOAD}),
    "data_steward": frozenset({SEARCH, JOBS, QUALITY, PIPELINE, DOWNLOAD, UPLOAD_AND_LOAD}),
    "admin": frozenset({SEARCH, STUDENT_PROFILE, JOBS, QUALITY, PIPELINE, DOWNLOAD, UPLOAD_AND_LOAD, AUDIT}),
}
ROLES = tuple(ROLE_CAPABILITIES)


class AccessDenied(PermissionError):
    """The person's roles do not allow this; the message names the capability, never a personal value."""


@dataclass(frozen=True)
class AccessConfig:
    role_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)
    session_hours: float = DEFAULT_SESSION_HOURS
    problem: str | None = None  # why the file could not be used (then no claim maps to a role)


@dataclass(frozen=True)
class Person:
    """A signed-in person as the app knows them: an identifier for the audit, and their roles."""

    subject: str
    email: str | None
    name: str | None
    roles: frozenset[str]

    @property
    def actor(self) -> str:
        """Who, in the audit: the provider's e-mail for staff, else its subject."""
        return self.email or self.subject

    @property
    def capabilities(self) -> frozenset[str]:
        return (
            frozenset().union(*(ROLE_CAPABILITIES[role] for role in self.roles))
            if self.roles
            else frozenset()
        )

    def may(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def sees_personal_fields(self) -> bool:
        return self.may(PERSONAL_FIELDS)


def config_path() -> Path:
    return Path(os.environ.get("CAMPUS_ACCESS_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path | None = None) -> AccessConfig:
    path = path or config_path()
    try:
        mtime = path.stat().st_mtime
    except OSError as error:
        return _unusable(path, f"cannot read it ({error.strerror})")
    return _load(str(path), mtime)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> AccessConfig:
    try:
        section = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("access")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return _unusable(Path(path), f"it is not valid TOML ({error})")
    if not isinstance(section, dict):
        return _unusable(Path(path), "it has no [access] section")
    claim, role_map, hours = (
        section.get("role_claim", "groups"),
        section.get("role_map"),
        section.get("session_hours"),
    )
    if not isinstance(claim, str) or not claim or not isinstance(role_map, dict):
        return _unusable(Path(path), "[access] needs a role_claim string and a [access.role_map] table")
    unknown = sorted({str(role) for role in role_map.values()} - set(ROLES))
    if unknown:
        return _unusable(Path(path), f"role_map names roles the app does not have: {', '.join(unknown)}")
    try:
        session_hours = float(hours) if hours is not None else DEFAULT_SESSION_HOURS
    except (TypeError, ValueError):
        return _unusable(Path(path), "session_hours must be a number")
    return AccessConfig(claim, {str(key): str(value) for key, value in role_map.items()}, session_hours)


def _unusable(path: Path, why: str) -> AccessConfig:
    problem = f"The access configuration {path} cannot be used: {why}. Nobody gets a role until it is fixed."
    log.error(problem)
    return AccessConfig(role_map={}, problem=problem)


def roles_from_claims(claims: Mapping[str, Any], config: AccessConfig) -> frozenset[str]:
    """The app roles the claim's values map to; none when the claim is missing or maps to nothing."""
    value = claims.get(config.role_claim)
    if isinstance(value, str):
        values = [part for part in value.replace(",", " ").split() if part]
    elif isinstance(value, list | tuple):
        values = [item for item in value if isinstance(item, str)]
    else:
        values = []
    return frozenset(config.role_map[item] for item in values if item in config.role_map)


def person_from_claims(claims: Mapping[str, Any], config: AccessConfig | None = None) -> Person | None:
    """The person an ID token's claims describe, or None when they carry no subject."""
    config = config or load_config()
    subject = claims.get("sub")
    email = claims.get("email")
    if not isinstance(subject, str) or not subject:
        if not isinstance(email, str) or not email:
            return None
        subject = email
    name = claims.get("name")
    return Person(
        subject=subject,
        email=email if isinstance(email, str) and email else None,
        name=name if isinstance(name, str) and name else None,
        roles=roles_from_claims(claims, config),
    )
