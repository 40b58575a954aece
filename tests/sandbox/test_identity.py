"""The sandbox identity provider over real HTTP: JWT access tokens for systems and people (decision 014)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from joserfc import jwt
from joserfc.errors import ExpiredTokenError
from joserfc.jwk import KeySet

from sandbox.identity import AUDIENCE, CLIENT_ID, CLIENT_SECRET, SYSTEM_CLIENTS, IdentityServer, describe

REDIRECT_URI = "http://127.0.0.1:8501/oauth2callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityServer]:
    with IdentityServer() as server:
        yield server


def verified_claims(provider: IdentityServer, token: str) -> dict[str, Any]:
    """Verify as a resource server would: the key from the published JWKS, issuer and audience required."""
    discovery = requests.get(provider.discovery_url, timeout=10).json()
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["typ"] == "at+jwt"
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        sub={"essential": True},
        client_id={"essential": True},
        leeway=0,
    ).validate(decoded.claims)
    return dict(decoded.claims)


def person_tokens(provider: IdentityServer, subject: str) -> dict[str, Any]:
    """The authorization-code flow as the app's sign-in runs it: authorize, pick an account, swap the code."""
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "s1",
        "nonce": "n1",
    }
    authorize = f"{provider.url}/oauth2/authorize"
    page = requests.get(authorize, params=params, timeout=10)
    assert page.status_code == 200, page.text[:500]
    chosen = requests.post(authorize, params=params, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert chosen.status_code == 302, chosen.text[:500]
    callback = parse_qs(urlparse(chosen.headers["Location"]).query)
    assert callback["state"] == ["s1"]
    response = requests.post(
        provider.token_url,
        data={"grant_type": "authorization_code", "code": callback["code"][0], "redirect_uri": REDIRECT_URI},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


@pytest.mark.parametrize("client_id", sorted(SYSTEM_CLIENTS))
def test_a_system_gets_a_jwt_with_its_groups_verifiable_against_the_published_key(
    provider: IdentityServer, client_id: str
) -> None:
    claims = verified_claims(provider, provider.client_token(client_id))
    assert claims["sub"] == claims["client_id"] == client_id
    assert claims["iss"] == provider.url
    assert claims["groups"] == SYSTEM_CLIENTS[client_id]["groups"]
    assert claims["exp"] - claims["iat"] == 3600


def test_the_secret_may_come_in_the_body(provider: IdentityServer) -> None:
    response = requests.post(
        provider.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "careers-portal",
            "client_secret": SYSTEM_CLIENTS["careers-portal"]["secret"],
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and "refresh_token" not in body
    assert verified_claims(provider, body["access_token"])["groups"] == ["campus-career-services"]


@pytest.mark.parametrize("in_body", [False, True], ids=["basic", "post"])
@pytest.mark.parametrize(
    ("client_id", "secret"),
    [
        ("advising-crm", "not-the-secret"),
        ("advising-crm", SYSTEM_CLIENTS["careers-portal"]["secret"]),  # another system's secret
        ("unknown-system", "anything"),
        (CLIENT_ID, CLIENT_SECRET),  # the app signs people in; it gets no token of its own
    ],
)
def test_a_wrong_secret_or_an_unregistered_client_is_refused(
    provider: IdentityServer, client_id: str, secret: str, in_body: bool
) -> None:
    form = {"grant_type": "client_credentials"}
    if in_body:
        response = requests.post(
            provider.token_url, data={**form, "client_id": client_id, "client_secret": secret}, timeout=10
        )
    else:
        response = requests.post(provider.token_url, data=form, auth=(client_id, secret), timeout=10)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()
    assert secret not in response.text
    with pytest.raises(RuntimeError, match="HTTP 401") as refused:
        provider.client_token(client_id, secret)
    assert secret not in str(refused.value)


def test_discovery_names_the_grant_and_both_ways_of_sending_the_secret(provider: IdentityServer) -> None:
    discovery = requests.get(provider.discovery_url, timeout=10).json()
    assert "client_credentials" in discovery["grant_types_supported"]
    assert "authorization_code" in discovery["grant_types_supported"]
    assert set(discovery["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert discovery["token_endpoint"] == provider.token_url


def test_a_person_signing_in_gets_a_jwt_access_token_with_their_groups(provider: IdentityServer) -> None:
    tokens = person_tokens(provider, "rui.registrar")
    claims = verified_claims(provider, tokens["access_token"])
    assert claims["sub"] == "rui.registrar"
    assert claims["client_id"] == CLIENT_ID
    assert claims["groups"] == ["campus-registrar"]
    # The rest of the sign-in the app relies on is as before: an ID token, a refresh token, userinfo.
    assert tokens["id_token"] and tokens["refresh_token"]
    userinfo = requests.get(
        f"{provider.url}/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert userinfo.status_code == 200
    assert userinfo.json()["groups"] == ["campus-registrar"]
    refreshed = requests.post(
        provider.token_url,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert refreshed.status_code == 200, refreshed.text
    assert verified_claims(provider, refreshed.json()["access_token"])["sub"] == "rui.registrar"


def test_a_typed_subject_that_is_no_account_gets_no_groups(provider: IdentityServer) -> None:
    claims = verified_claims(provider, person_tokens(provider, "someone.else")["access_token"])
    assert claims["sub"] == "someone.else"
    assert claims["groups"] == []


def test_tokens_expire_after_the_configured_lifetime() -> None:
    with IdentityServer(token_max_age=timedelta(seconds=2)) as short:
        token = short.client_token("advising-crm")
        claims = verified_claims(short, token)
        assert claims["exp"] - claims["iat"] == 2
        time.sleep(max(0.0, claims["exp"] - time.time()) + 1.1)
        with pytest.raises(ExpiredTokenError):
            verified_claims(short, token)


def test_a_token_signed_by_another_provider_does_not_verify(provider: IdentityServer) -> None:
    with IdentityServer() as other:
        foreign = other.client_token("advising-crm")
    with pytest.raises(Exception, match=re.compile("signature|key", re.IGNORECASE)):
        verified_claims(provider, foreign)


def test_serve_prints_the_system_clients_and_their_sandbox_secrets(provider: IdentityServer) -> None:
    printed = "\n".join(describe(provider))
    for client_id, system in SYSTEM_CLIENTS.items():
        line = next(line for line in printed.splitlines() if line.strip().startswith(client_id))
        assert system["secret"] in line and ", ".join(system["groups"]) in line
    assert provider.token_url in printed
