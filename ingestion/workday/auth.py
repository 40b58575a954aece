"""OAuth2 for Workday's REST API: the refresh-token grant (client credentials when no refresh token is set),
re-authentication on a 401 mid-run, and errors that name the credential to fix without ever showing it."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlsplit

import pendulum
from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from requests import PreparedRequest, Response

from ingestion.workday.settings import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_REFRESH_TOKEN

# Refresh this long before the server's expiry (capped at a fifth of the lifetime for very short tokens), so a
# token does not lapse between being attached to a request and the request arriving.
EXPIRY_SKEW_SECONDS = 30.0
MAX_DESCRIPTION_CHARS = 300


class WorkdayAuthError(RuntimeError):
    """Workday refused our credentials; the message says which configuration value to fix."""


@configspec
class WorkdayOAuth2(OAuth2ClientCredentials):
    """`OAuth2ClientCredentials` speaking Workday's dialect: client authentication by HTTP Basic, the
    `refresh_token` grant when a refresh token is configured, and one re-authentication per request on a
    401."""

    refresh_token: TSecretStrValue | None = None
    request_timeout: float = 60.0

    def build_access_token_request(self) -> dict[str, Any]:
        data: dict[str, Any] = (
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
            if self.refresh_token
            else {"grant_type": "client_credentials"}
        )
        return {
            "headers": {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Authorization": self._basic_client_auth(),
            },
            "data": {**data, **self.access_token_request_data},
            "timeout": self.request_timeout,
        }

    def _basic_client_auth(self) -> str:
        # RFC 6749 2.3.1: id and secret are form-encoded before joining, so a ':' in either survives.
        pair = f"{quote(str(self.client_id), safe='')}:{quote(str(self.client_secret), safe='')}"
        return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")

    def obtain_token(self) -> None:
        response = self.session.post(self.access_token_url, **self.build_access_token_request())
        if response.status_code != 200:
            raise WorkdayAuthError(self._token_failure_message(response))
        try:
            payload = response.json()
            token = payload["access_token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise WorkdayAuthError(
                f"Workday's token endpoint {self.access_token_url} answered 200 without an access_token; "
                "check SOURCES__WORKDAY__BASE_URL and SOURCES__WORKDAY__TENANT point at the Workday tenant."
            ) from exc
        self.parse_native_representation(str(token))
        lifetime = self._lifetime_seconds(payload)
        self.token_expiry = pendulum.now().add(
            seconds=max(0.0, lifetime - min(EXPIRY_SKEW_SECONDS, lifetime / 5))
        )

    def _lifetime_seconds(self, payload: Any) -> float:
        try:
            return float(payload.get("expires_in", self.default_token_expiration))
        except (TypeError, ValueError):
            return float(self.default_token_expiration)

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request = super().__call__(request)
        # Runs before dlt's response hooks and retry loop, so they only see the re-authenticated answer.
        request.register_hook("response", self._reauthenticate_on_401)
        return request

    def _reauthenticate_on_401(self, response: Response, **send_kwargs: Any) -> Response:
        """Workday can end a token's life early (revocation, tenant refresh): renew it once and resend."""
        if response.status_code != 401 or response.request is None:
            return response
        sent_with = response.request.headers.get("Authorization")
        if sent_with == f"Bearer {self.access_token}":
            self.obtain_token()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.access_token}"
        response.content  # noqa: B018 - drain the body so the connection can be reused
        response.close()
        connection = response.connection  # the transport adapter that sent the original request
        second: Response = connection.send(retry, **send_kwargs)
        second.history.append(response)
        if second.status_code == 401:
            second.close()
            resource = urlsplit(retry.url or "").path.rstrip("/").rsplit("/", 1)[-1]
            raise WorkdayAuthError(
                f"Workday refused a freshly issued access token for resource {resource!r} (401 twice in "
                f"a row): the API client ({ENV_CLIENT_ID}) is not permitted to read it, or the token was "
                f"revoked as it was issued. Grant the API client access to {resource!r} in Workday, or "
                f"issue a new {ENV_REFRESH_TOKEN}."
            )
        return second

    def _token_failure_message(self, response: Response) -> str:
        error, description = self._oauth_error(response)
        detail = f"{error}: {description}" if description else error
        if response.status_code == 401 or error == "invalid_client":
            return (
                f"Workday rejected the API client credentials ({ENV_CLIENT_ID} / {ENV_CLIENT_SECRET}): "
                f"{detail}. Check both against the API client registered in Workday."
            )
        if error == "invalid_grant" and self.refresh_token:
            return (
                f"Workday rejected the refresh token ({ENV_REFRESH_TOKEN}): {detail}. Generate a new refresh "
                f"token for the API client in Workday and set {ENV_REFRESH_TOKEN}."
            )
        if error in ("invalid_grant", "unauthorized_client", "unsupported_grant_type"):
            return (
                f"Workday refused the client-credentials grant for the API client ({ENV_CLIENT_ID}): "
                f"{detail}. Set {ENV_REFRESH_TOKEN} to use the refresh-token grant, or enable this grant "
                "for the client."
            )
        return (
            f"Workday's token endpoint {self.access_token_url} answered HTTP {response.status_code}: "
            f"{detail}. Check SOURCES__WORKDAY__BASE_URL and SOURCES__WORKDAY__TENANT, or retry later if "
            "Workday is down."
        )

    def _oauth_error(self, response: Response) -> tuple[str, str]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        error = str(body.get("error") or f"HTTP {response.status_code}")
        description = str(body.get("error_description") or "")[:MAX_DESCRIPTION_CHARS]
        return self._redact(error), self._redact(description)

    def _redact(self, text: str) -> str:
        """Belt and braces: a server that echoes what it was sent must not put a secret into our message."""
        for secret in (self.client_secret, self.refresh_token, self.access_token):
            if secret:
                text = text.replace(str(secret), "***")
        return text
