"""Bearer tokens: JWT access tokens from the identity provider, checked against the keys its discovery
document publishes, and the per-client rate limit.

Settings (read by `api.settings`): `CAMPUS_API_ISSUER`, `CAMPUS_API_AUDIENCE`, `CAMPUS_API_RATE_PER_SECOND`,
`CAMPUS_API_RATE_BURST`. A verified token is cached by its text until it expires, so a client's repeated
requests cost one dict lookup, not an RSA verification. Error messages name what is wrong with a token, never
the token or a claim's value.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from cachetools import TLRUCache
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

log = logging.getLogger("api.auth")

ALGORITHMS = ["RS256"]
# A token whose key id the cached key set lacks refetches it, at most this often (a flood of forged key
# ids must not become a flood of requests to the provider).
REFETCH_SECONDS = 30.0
HTTP_TIMEOUT = 5.0
LEEWAY_SECONDS = 5
TOKEN_CACHE_SIZE = 10_000


class InvalidToken(Exception):
    """401: the message says what is wrong (missing, expired, wrongly signed, wrong audience)."""


class ProviderUnavailable(Exception):
    """503: the provider's discovery document or keys cannot be fetched."""


def _expiry(_key: str, claims: Mapping[str, Any], _now: float) -> float:
    return float(claims["exp"])


class TokenVerifier:
    """Verifies RS256 access tokens for one issuer and audience; thread-safe."""

    def __init__(self, issuer: str, audience: str, refetch_seconds: float = REFETCH_SECONDS) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.refetch_seconds = refetch_seconds
        self._keys: KeySet | None = None
        self._fetched_at = -math.inf
        self._lock = threading.Lock()
        self._verified: TLRUCache[str, Mapping[str, Any]] = TLRUCache(
            maxsize=TOKEN_CACHE_SIZE, ttu=_expiry, timer=time.time
        )
        self._claims = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
        )

    def _fetch_keys(self) -> KeySet:
        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            discovery = requests.get(url, timeout=HTTP_TIMEOUT)
            discovery.raise_for_status()
            keys = requests.get(discovery.json()["jwks_uri"], timeout=HTTP_TIMEOUT)
            keys.raise_for_status()
            key_set = KeySet.import_key_set(keys.json())
        except (requests.RequestException, ValueError, KeyError, TypeError, JoseError) as error:
            log.warning("cannot fetch the signing keys from %s (%s)", url, type(error).__name__)
            raise ProviderUnavailable(
                "The identity provider's signing keys cannot be fetched; try again shortly."
            ) from error
        self._fetched_at = time.monotonic()
        return key_set

    def _key_set(self) -> KeySet:
        with self._lock:
            if self._keys is None:
                self._keys = self._fetch_keys()
            return self._keys

    def _refreshed_key_set(self) -> KeySet | None:
        """The provider's keys fetched again, unless they were fetched in the last refetch_seconds (then
        None: the key id stays unknown)."""
        with self._lock:
            if time.monotonic() - self._fetched_at < self.refetch_seconds:
                return None
            self._keys = self._fetch_keys()
            return self._keys

    def prefetch(self) -> None:
        """Fetch the keys ahead of the first request (in the background at start-up); a failure is retried
        by the first request that needs them."""
        with contextlib.suppress(ProviderUnavailable):
            self._key_set()

    def verify(self, token: str) -> Mapping[str, Any]:
        """The token's claims, or InvalidToken saying why not."""
        cached = self._verified.get(token)
        if cached is not None:
            return cached
        keys = self._key_set()
        try:
            try:
                decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
            except InvalidKeyIdError:
                # A rotated key: fetch the provider's keys again (bounded), then try once more.
                refreshed = self._refreshed_key_set()
                if refreshed is None:
                    raise
                decoded = jwt.decode(token, refreshed, algorithms=ALGORITHMS)
            self._claims.validate(decoded.claims)
        except ExpiredTokenError as error:
            raise InvalidToken("The access token has expired.") from error
        except ClaimError as error:
            claim = getattr(error, "claim", "a claim")
            raise InvalidToken(f"The access token's {claim} claim is missing or wrong.") from error
        except InvalidKeyIdError as error:
            raise InvalidToken(
                "The access token is signed with a key the issuer does not publish."
            ) from error
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidToken("The access token is malformed or its signature does not verify.") from error
        claims = decoded.claims
        if not isinstance(claims.get("exp"), int | float):
            raise InvalidToken("The access token has no expiry.")
        self._verified[token] = claims
        return claims


def client_of(claims: Mapping[str, Any]) -> str:
    """Whose rate limit a request counts against: the token's client, else its subject."""
    for name in ("client_id", "azp", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return "(unknown)"


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client: `rate` requests a second on average, bursts up to `burst`. Per process:
    with N workers a client may reach N times the rate (decision 016)."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> float:
        """0 when the request may go ahead (and takes a token), else the seconds until one is free."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate if self.rate > 0 else math.inf
