"""Alerts on failed runs and stale data, end to end: a real failing run on a persistent Dagster
instance, the real sensors evaluated against it, e-mail taken by a real SMTP server
(aiosmtpd) and the webhook by a real HTTP server, both on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pytest_httpserver import HTTPServer

from orchestration.defs.alerts import (
    WATCHED,
    AlertNotDelivered,
    alert_on_run_failure,
    alert_on_stale_data,
)
from orchestration.settings import ConfigError, check_environment, load_alert_config

HOOK = "/hooks/lc-monitor"
SOURCE_ERROR = "[NWOpen] http://127.0.0.1:9/api/Projects: unreachable after 5 attempts"


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received, and the logins it accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret")


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    server = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,  # the test server has no certificate
    )
    server.start()
    try:
        yield box, port
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def no_alert_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a developer's environment says, each test configures its own channels."""
    for name in [name for name in os.environ if name.startswith(("LCM_ALERT_", "LCM_UI_URL"))]:
        monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    """A persistent instance (SQLite run and event storage) of the test's own."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    instance = dg.DagsterInstance.local_temp(str(home))
    try:
        yield instance
    finally:
        instance.dispose()


def email_on(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("LCM_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LCM_ALERT_SMTP_PORT", str(port))
    monkeypatch.setenv("LCM_ALERT_SMTP_TLS", "off")  # the test server has no certificate
    monkeypatch.setenv("LCM_ALERT_SMTP_USER", "lcm")
    monkeypatch.setenv("LCM_ALERT_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("LCM_ALERT_EMAIL_FROM", "LC Monitor <lcm@example.org>")
    monkeypatch.setenv("LCM_ALERT_EMAIL_TO", "ops@example.org, data@example.org")
    monkeypatch.setenv("LCM_ALERT_TIMEOUT", "5")


@dg.op
def pull_nwopen() -> None:
    try:
        raise ConnectionError(SOURCE_ERROR)
    except ConnectionError as exc:
        raise dg.Failure(description="NWOpen pull failed", allow_retries=False) from exc


@dg.op
def build_marts() -> int:
    return 1


@dg.job
def refresh_nightly_test() -> None:
    pull_nwopen()
    build_marts()


def failed_run_and_tick(instance: dg.DagsterInstance) -> tuple[str, Any]:
    """Start the sensor (its first tick marks where it begins), fail a run, tick again."""
    first = alert_on_run_failure.evaluate_tick(dg.build_sensor_context(instance=instance))
    result = refresh_nightly_test.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    tick = alert_on_run_failure.evaluate_tick(
        dg.build_sensor_context(instance=instance, cursor=first.cursor)
    )
    return result.run_id, tick


def test_a_failed_run_is_mailed_and_posted(instance, inbox, httpserver: HTTPServer, monkeypatch):
    box, port = inbox
    email_on(monkeypatch, port)
    monkeypatch.setenv("LCM_ALERT_WEBHOOK_URL", httpserver.url_for(HOOK))
    monkeypatch.setenv("LCM_UI_URL", "http://lcm.example.org:3000/")
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")

    run_id, tick = failed_run_and_tick(instance)

    (reaction,) = tick.dagster_run_reactions
    assert reaction.error is None and reaction.dagster_run.run_id == run_id
    run_url = f"http://lcm.example.org:3000/runs/{run_id}"
    # The e-mail: to both recipients, after logging in, naming job, run, step and its error.
    assert box.logins == [("lcm", "s3cret")]
    ((recipients, mail),) = box.messages
    assert recipients == ["ops@example.org", "data@example.org"]
    assert mail["Subject"] == f"[LC Monitor] Run failed: refresh_nightly_test ({run_id[:8]})"
    assert mail["From"] == "LC Monitor <lcm@example.org>"
    body = mail.get_content()
    assert f"Run {run_id} of job refresh_nightly_test failed at" in body
    # The innermost error, below Dagster's and our own wrappers: what the source said.
    assert f"- pull_nwopen: ConnectionError: {SOURCE_ERROR}" in body
    assert "build_marts" not in body and run_url in body
    # The webhook: the same text for people, and fields for machines.
    ((request, response),) = httpserver.log
    assert response.status_code == 200
    posted = request.get_json()
    assert posted["text"].startswith("[LC Monitor] Run failed: refresh_nightly_test")
    assert SOURCE_ERROR in posted["text"] and run_url in posted["text"]
    fields = posted["alert"]
    assert fields["kind"] == "run_failure" and fields["job"] == "refresh_nightly_test"
    assert fields["run_id"] == run_id and fields["url"] == run_url
    assert fields["failed_steps"] == [
        {"step": "pull_nwopen", "error": f"ConnectionError: {SOURCE_ERROR}"}
    ]
    assert "pull_nwopen" in fields["message"] and fields["when"].endswith("+00:00")


def test_alerts_are_off_unless_a_channel_is_configured(instance, httpserver: HTTPServer):
    _, tick = failed_run_and_tick(instance)
    assert tick.skip_message.startswith("alerts off: no channel configured (LCM_ALERT_")
    assert "LCM_ALERT_WEBHOOK_URL" in tick.skip_message
    assert not tick.dagster_run_reactions and not tick.run_requests
    stale = alert_on_stale_data.evaluate_tick(dg.build_sensor_context(instance=instance))
    assert stale.skip_message == tick.skip_message and stale.cursor is None
    assert httpserver.log == []
    # Both sensors exist and run by default: they only do something once a channel is set.
    assert alert_on_run_failure.default_status == dg.DefaultSensorStatus.RUNNING
    assert alert_on_stale_data.default_status == dg.DefaultSensorStatus.RUNNING
    assert alert_on_stale_data.minimum_interval_seconds == 15 * 60


def test_a_webhook_that_is_down_is_reported_and_the_email_still_goes(instance, inbox, monkeypatch):
    box, port = inbox
    email_on(monkeypatch, port)
    closed = free_port()
    monkeypatch.setenv("LCM_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{closed}/hooks/secret-token")

    run_id, tick = failed_run_and_tick(instance)

    ((_, mail),) = box.messages  # the e-mail went out
    assert run_id in mail.get_content()
    # The tick fails, saying which channel took the alert and which did not (and why).
    (reaction,) = tick.dagster_run_reactions
    assert reaction.error is not None
    said = str(reaction.error.to_string())
    assert f"NOT sent by webhook at 127.0.0.1:{closed}: ConnectError" in said
    assert "sent by e-mail to ops@example.org, data@example.org" in said
    assert "secret-token" not in said  # a webhook URL is a secret


def test_stale_data_alerts_once_per_episode(instance, httpserver: HTTPServer, monkeypatch):
    monkeypatch.setenv("LCM_ALERT_WEBHOOK_URL", httpserver.url_for(HOOK))
    # 3.6 seconds: what is reported now is fresh, and old after a short wait.
    monkeypatch.setenv("LCM_ALERT_STALE_HOURS", "0.001")
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    _publication, *sources = WATCHED

    def tick(cursor: str | None) -> Any:
        return alert_on_stale_data.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=cursor)
        )

    def posted() -> list[dict[str, Any]]:
        return [request.get_json()["alert"] for request, _ in httpserver.log]

    for key in sources:  # every source pulled just now; nothing ever published
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    first = tick(None)
    (alert,) = posted()
    assert alert["kind"] == "stale" and [s["asset"] for s in alert["stale"]] == [
        "serving/lc_monitor"
    ]
    assert alert["stale"][0]["last"] is None and alert["max_age_hours"] == 0.001
    assert "stale alert on serving/lc_monitor: sent by webhook" in first.skip_message

    second = tick(first.cursor)  # still stale: no second alert
    assert len(posted()) == 1 and second.skip_message.startswith("still stale")

    time.sleep(3.8)  # the sources' pulls are old now: one alert naming them, not the marts
    third = tick(second.cursor)
    stale_sources = posted()[1]["stale"]
    assert [s["asset"] for s in stale_sources] == [key.to_user_string() for key in sources]
    assert all(s["last"] is not None for s in stale_sources)
    assert tick(third.cursor).skip_message.startswith("still stale") and len(posted()) == 2

    for key in WATCHED:  # a run refreshes and publishes everything: told once
        instance.report_runless_asset_event(dg.AssetMaterialization(key))
    fourth = tick(third.cursor)
    fresh = posted()[2]
    assert fresh["kind"] == "fresh_again" and len(fresh["fresh"]) == len(WATCHED)
    assert json.loads(fourth.cursor) == {"stale": []}
    assert tick(fourth.cursor).skip_message == "fresh" and len(posted()) == 3


def test_a_stale_alert_no_channel_took_is_tried_again(instance, httpserver, monkeypatch):
    down = free_port()
    monkeypatch.setenv("LCM_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{down}/hook")
    with pytest.raises(AlertNotDelivered, match=rf"NOT sent by webhook at 127\.0\.0\.1:{down}"):
        alert_on_stale_data.evaluate_tick(dg.build_sensor_context(instance=instance))
    # The tick failed, so its cursor was not kept: the next tick, with the hook back, sends.
    monkeypatch.setenv("LCM_ALERT_WEBHOOK_URL", httpserver.url_for(HOOK))
    httpserver.expect_request(HOOK, method="POST").respond_with_data("ok")
    tick = alert_on_stale_data.evaluate_tick(dg.build_sensor_context(instance=instance))
    ((request, _),) = httpserver.log
    assert len(request.get_json()["alert"]["stale"]) == len(WATCHED)
    assert len(json.loads(tick.cursor)["stale"]) == len(WATCHED)


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        (
            {"LCM_ALERT_SMTP_HOST": "smtp.example.org", "LCM_ALERT_EMAIL_TO": "ops@example.org"},
            "e-mail alerts half-configured: LCM_ALERT_SMTP_HOST, LCM_ALERT_EMAIL_TO set, "
            "LCM_ALERT_EMAIL_FROM missing",
        ),
        (
            {"LCM_ALERT_SMTP_PASSWORD": "hunter2"},
            "LCM_ALERT_SMTP_HOST, LCM_ALERT_EMAIL_FROM, LCM_ALERT_EMAIL_TO missing",
        ),
        (
            {
                "LCM_ALERT_SMTP_HOST": "smtp.example.org",
                "LCM_ALERT_EMAIL_FROM": "lcm@example.org",
                "LCM_ALERT_EMAIL_TO": "ops@example.org",
                "LCM_ALERT_SMTP_PASSWORD": "hunter2",
            },
            "SMTP login half-configured: LCM_ALERT_SMTP_USER missing",
        ),
        ({"LCM_ALERT_EMAIL_TO": "ops at example.org"}, "not an e-mail address"),
        ({"LCM_ALERT_WEBHOOK_URL": "hooks.slack.com/services/T0"}, "not an http:// or"),
        ({"LCM_ALERT_SMTP_TLS": "yes"}, "allowed: starttls, ssl or off"),
        ({"LCM_UI_URL": "http://"}, "a URL without a host"),
    ],
)
def test_alert_settings_are_checked(environ, says):
    check = check_environment(environ)
    assert any(says in error for error in check.errors), check.errors
    assert "hunter2" not in " ".join(check.errors)  # a password is never printed
    with pytest.raises(ConfigError, match="configuration: "):
        load_alert_config(environ)


def test_alert_settings_build_the_channels():
    assert load_alert_config({}).off_reason is not None
    config = load_alert_config(
        {
            "LCM_ALERT_SMTP_HOST": "smtp.example.org",
            "LCM_ALERT_EMAIL_FROM": "lcm@example.org",
            "LCM_ALERT_EMAIL_TO": "ops@example.org,data@example.org",
            "LCM_ALERT_SMTP_TLS": "SSL",
            "LCM_ALERT_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/secret",
        }
    )
    email_channel, webhook = config.channels
    assert email_channel.port == 465 and email_channel.tls == "ssl"  # port follows TLS mode
    assert email_channel.recipients == ("ops@example.org", "data@example.org")
    assert webhook.name == "webhook at hooks.slack.com" and "secret" not in repr(webhook)
    assert config.stale_hours == 26 and config.ui_url == "http://127.0.0.1:3000"
    assert config.off_reason is None


def test_the_code_location_has_both_sensors_running_by_default():
    from orchestration.definitions import defs

    sensors = {sensor.name: sensor for sensor in defs().sensors}
    for name in ("alert_on_run_failure", "alert_on_stale_data"):
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING
