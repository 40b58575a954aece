"""Alerts on failed runs and stale sources: a JSON POST to a webhook and/or an e-mail over SMTP, with every
configured secret redacted.

Config read (environment variables; unset means that channel is off):
- `CAMPUS_ALERT_WEBHOOK_URL`: POST `application/json` here (Slack/Teams-style webhook or any receiver).
- `CAMPUS_ALERT_SMTP_HOST`, `CAMPUS_ALERT_SMTP_PORT` (default 25), `CAMPUS_ALERT_SMTP_FROM`,
  `CAMPUS_ALERT_SMTP_TO` (comma-separated). Secret, optional: `CAMPUS_ALERT_SMTP_PASSWORD` (login as
  `CAMPUS_ALERT_SMTP_FROM`; STARTTLS is used when the server offers it).
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import requests

from ingestion.runner import redact

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class AlertConfig:
    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str | None = None
    smtp_to: tuple[str, ...] = ()
    smtp_password: str | None = None

    @classmethod
    def from_env(cls) -> AlertConfig:
        env = os.environ
        return cls(
            webhook_url=env.get("CAMPUS_ALERT_WEBHOOK_URL") or None,
            smtp_host=env.get("CAMPUS_ALERT_SMTP_HOST") or None,
            smtp_port=int(env.get("CAMPUS_ALERT_SMTP_PORT") or 25),
            smtp_from=env.get("CAMPUS_ALERT_SMTP_FROM") or None,
            smtp_to=tuple(a.strip() for a in (env.get("CAMPUS_ALERT_SMTP_TO") or "").split(",") if a.strip()),
            smtp_password=env.get("CAMPUS_ALERT_SMTP_PASSWORD") or None,
        )

    @property
    def channels(self) -> list[str]:
        found = []
        if self.webhook_url:
            found.append("webhook")
        if self.smtp_host and self.smtp_from and self.smtp_to:
            found.append("smtp")
        return found


def redacted_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with every configured secret value and URL password removed, wherever it appears."""
    redacted: dict[str, Any] = json.loads(redact(json.dumps(payload, default=str)))
    return redacted


def _post_webhook(url: str, body: dict[str, Any]) -> None:
    response = requests.post(url, json=body, timeout=TIMEOUT_SECONDS)
    if response.status_code >= 300:
        # The URL itself may embed a token (Slack-style webhooks): never echo it.
        raise RuntimeError(f"alert webhook answered HTTP {response.status_code}")


def _send_mail(config: AlertConfig, subject: str, body: dict[str, Any]) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.smtp_from or ""
    message["To"] = ", ".join(config.smtp_to)
    message.set_content(json.dumps(body, indent=2))
    assert config.smtp_host is not None
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if config.smtp_password:
            smtp.login(config.smtp_from or "", config.smtp_password)
        smtp.send_message(message)


def stale_sources_alert(
    run_id: str, trigger: str, job_name: str | None, target: str | None, stale: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Subject and payload of the alert for a run that succeeded with source tables past their freshness
    threshold (`dbt source freshness` warned): `stale` is table -> verdict, as in
    `pipeline_runs.stale_sources`."""
    subject = f"Campus pipeline: {len(stale)} source table(s) stale ({job_name or trigger}, {target})"
    payload = {
        "event": "campus_sources_stale",
        "trigger": trigger,
        "run_id": run_id,
        "job_name": job_name,
        "stale_sources": stale,
    }
    return subject, payload


def send_alert(subject: str, payload: dict[str, Any], config: AlertConfig | None = None) -> list[str]:
    """Send `payload` (redacted) to every configured channel; return the channels reached.

    Raises if a configured channel cannot be reached (after trying the others): a lost alert must show up as
    an error where the sender runs (the Dagster sensor's log, `campus run`'s output), not vanish.
    """
    config = config or AlertConfig.from_env()
    body = redacted_payload({"subject": subject, **payload})
    sent, errors = [], []
    for channel in config.channels:
        try:
            if channel == "webhook":
                assert config.webhook_url is not None
                _post_webhook(config.webhook_url, body)
            else:
                _send_mail(config, redact(subject), body)
            sent.append(channel)
        except Exception as exc:
            text = f"{channel}: {type(exc).__name__}: {exc}"
            if config.webhook_url:  # may embed a token (Slack-style webhooks): never echo it
                text = text.replace(config.webhook_url, "<CAMPUS_ALERT_WEBHOOK_URL>")
            errors.append(redact(text))
    if not config.channels:
        log.warning(
            "no alert channel configured (CAMPUS_ALERT_WEBHOOK_URL / CAMPUS_ALERT_SMTP_*): %s", subject
        )
    if errors:
        raise RuntimeError("alert not delivered: " + "; ".join(errors))
    return sent
