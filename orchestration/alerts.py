"""Alerts: a message about a failed run or stale data, sent through every configured channel
(SMTP e-mail, a JSON webhook that Slack, Mattermost or a Teams workflow accepts).

Plain Python, no Dagster: the sensors in ``orchestration/defs/alerts.py`` read Dagster's records
and build the alerts here; ``settings.load_alert_config()`` builds the channels from the
environment. A channel that fails is logged and reported in the result, and never stops the
others: someone should hear about a failed night even when the mail server is down.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import httpx

from sources.redact import redact_text

# Times are shown in the zone of the nightly schedule: the people reading them are Dutch.
DISPLAY_TZ = ZoneInfo("Europe/Amsterdam")
SMTP_TLS_MODES = ("starttls", "ssl", "off")
SMTP_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "off": 25}
MAX_ERROR_CHARS = 500  # a stack of messages in a chat line helps nobody; the UI has the rest

log = logging.getLogger("lc_monitor.alerts")


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failure, stale or fresh_again
    subject: str
    text: str  # what a person reads: the e-mail body, the chat message
    fields: Mapping[str, Any] = field(default_factory=dict)  # the same, for machines

    def payload(self) -> dict[str, Any]:
        """The webhook body. Slack and Mattermost incoming webhooks show ``text``; the
        structured fields sit under one key so that they clash with none of theirs."""
        return {
            "text": f"{self.subject}\n{self.text}",
            "alert": {"kind": self.kind, "subject": self.subject, **self.fields},
        }


@dataclass(frozen=True)
class FailedStep:
    step: str
    error: str  # the bottom-most error message: what the source or check itself said


@dataclass(frozen=True)
class Staleness:
    key: str  # asset key as in the UI, e.g. serving/lc_monitor
    label: str  # what it means to a reader
    last: datetime | None  # newest materialization; None if never


def shown(when: datetime) -> str:
    return when.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M:%S %Z")


def clipped(message: str) -> str:
    one_line = " ".join(redact_text(message).split())
    return one_line if len(one_line) <= MAX_ERROR_CHARS else one_line[: MAX_ERROR_CHARS - 1] + "…"


def run_failure_alert(
    *,
    job: str,
    run_id: str,
    failed_steps: Sequence[FailedStep],
    run_message: str,
    when: datetime,
    run_url: str,
) -> Alert:
    lines = [f"Run {run_id} of job {job} failed at {shown(when)}."]
    if failed_steps:
        lines.append("Failed steps:")
        lines += [f"- {step.step}: {step.error}" for step in failed_steps]
    else:  # the run died or was stopped before a step failed
        lines.append(clipped(run_message))
    lines.append(f"Run in the UI: {run_url}")
    return Alert(
        kind="run_failure",
        subject=f"[LC Monitor] Run failed: {job} ({run_id[:8]})",
        # Errors come from the event log, already redacted where they were raised; again
        # here, since an alert leaves the machine.
        text=redact_text("\n".join(lines)),
        fields={
            "job": job,
            "run_id": run_id,
            "failed_steps": [{"step": s.step, "error": redact_text(s.error)} for s in failed_steps],
            "message": redact_text(run_message),
            "when": when.isoformat(),
            "url": run_url,
        },
    )


def _age(item: Staleness, now: datetime) -> str:
    if item.last is None:
        return "never refreshed"
    return f"last {shown(item.last)} ({(now - item.last).total_seconds() / 3600:.1f} h ago)"


def stale_alert(
    stale: Sequence[Staleness], *, max_age_hours: float, now: datetime, ui_url: str
) -> Alert:
    lines = [f"Older than {max_age_hours:g} hours (the nightly refresh runs at 02:00):"]
    lines += [f"- {item.label} ({item.key}): {_age(item, now)}" for item in stale]
    lines.append(f"Runs in the UI: {ui_url}/runs")
    return Alert(
        kind="stale",
        subject=f"[LC Monitor] Stale data: {', '.join(item.key for item in stale)}",
        text="\n".join(lines),
        fields={
            "max_age_hours": max_age_hours,
            "stale": [_staleness_fields(item) for item in stale],
            "when": now.isoformat(),
            "url": f"{ui_url}/runs",
        },
    )


def fresh_again_alert(recovered: Sequence[Staleness], *, now: datetime, ui_url: str) -> Alert:
    lines = ["Refreshed again:"]
    lines += [f"- {item.label} ({item.key}): {_age(item, now)}" for item in recovered]
    return Alert(
        kind="fresh_again",
        subject=f"[LC Monitor] Fresh again: {', '.join(item.key for item in recovered)}",
        text="\n".join(lines),
        fields={
            "fresh": [_staleness_fields(item) for item in recovered],
            "when": now.isoformat(),
            "url": f"{ui_url}/runs",
        },
    )


def _staleness_fields(item: Staleness) -> dict[str, Any]:
    return {
        "asset": item.key,
        "label": item.label,
        "last": item.last.isoformat() if item.last else None,
    }


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, alert: Alert) -> None: ...


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    tls: str = "starttls"  # one of SMTP_TLS_MODES
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 10.0

    @property
    def name(self) -> str:
        return f"e-mail to {', '.join(self.recipients)} via {self.host}:{self.port}"

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"] = alert.subject
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="lc-monitor")
        message.set_content(alert.text)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
            if self.tls == "ssl"
            else smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        )
        with smtp:
            if self.tls == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password or "")
            refused = smtp.send_message(message)
        if refused:  # some recipients accepted, some not: still a failure to report
            raise smtplib.SMTPRecipientsRefused(refused)


@dataclass(frozen=True)
class WebhookChannel:
    url: str = field(repr=False)  # a Slack or Teams webhook URL is a secret: never logged
    timeout_s: float = 10.0

    @property
    def name(self) -> str:
        return f"webhook at {urlparse(self.url).netloc}"

    def send(self, alert: Alert) -> None:
        try:
            response = httpx.post(self.url, json=alert.payload(), timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            # httpx names the URL in some messages; say what happened without the secret.
            raise WebhookError(f"{type(exc).__name__}: {exc}".replace(self.url, "<url>")) from None
        if response.is_error:
            raise WebhookError(f"HTTP {response.status_code}: {clipped(response.text[:200])}")


class WebhookError(RuntimeError):
    """The webhook did not take the alert."""


@dataclass(frozen=True)
class Delivery:
    sent: list[str]
    failed: dict[str, str]  # channel name -> what went wrong

    def summary(self) -> str:
        parts = [f"sent by {name}" for name in self.sent]
        parts += [f"NOT sent by {name}: {problem}" for name, problem in self.failed.items()]
        return "; ".join(parts)


def deliver(alert: Alert, channels: Sequence[Channel]) -> Delivery:
    """Send through every channel; a failure is logged and returned, never raised."""
    sent, failed = [], {}
    for channel in channels:
        try:
            channel.send(alert)
        except Exception as exc:  # one channel failing must not keep the alert from the others
            said = str(exc) if isinstance(exc, WebhookError) else f"{type(exc).__name__}: {exc}"
            failed[channel.name] = clipped(said)
            log.error("alert %r not sent by %s: %s", alert.subject, channel.name, exc)
        else:
            sent.append(channel.name)
    return Delivery(sent, failed)
