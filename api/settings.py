"""The API's settings, from the environment (defaults in brackets):

- `CAMPUS_API_ISSUER` [http://127.0.0.1:8730]: the identity provider whose tokens the API accepts; its
  `/.well-known/openid-configuration` names the keys.
- `CAMPUS_API_AUDIENCE` [campus-api]: the `aud` every token must carry.
- `CAMPUS_API_RATE_PER_SECOND` [20] and `CAMPUS_API_RATE_BURST` [40]: each client's token bucket, per process.
- `CAMPUS_PUBLISH_DIR`, `CAMPUS_AUDIT_DB`, `CAMPUS_ACCESS_CONFIG`, `CAMPUS_DBT_MANIFEST`: as for the app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_ISSUER = "http://127.0.0.1:8730"
DEFAULT_AUDIENCE = "campus-api"
DEFAULT_RATE = 20.0
DEFAULT_BURST = 40.0


class SettingsError(ValueError):
    """A setting the API cannot start with; the message names the variable."""


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"{name} must be above 0, not {raw!r}")
    return value


@dataclass(frozen=True)
class ApiSettings:
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    rate_per_second: float = DEFAULT_RATE
    rate_burst: float = DEFAULT_BURST

    @classmethod
    def from_env(cls) -> ApiSettings:
        return cls(
            issuer=(os.environ.get("CAMPUS_API_ISSUER") or DEFAULT_ISSUER).rstrip("/"),
            audience=os.environ.get("CAMPUS_API_AUDIENCE") or DEFAULT_AUDIENCE,
            rate_per_second=_number("CAMPUS_API_RATE_PER_SECOND", DEFAULT_RATE),
            rate_burst=_number("CAMPUS_API_RATE_BURST", DEFAULT_BURST),
        )
