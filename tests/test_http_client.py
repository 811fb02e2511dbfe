"""The polite HTTP client against a real local server: retries, back-off, rate, User-Agent."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from werkzeug import Request, Response

from sources.errors import SourceError
from sources.http import PoliteClient


def test_sends_user_agent_and_keeps_minimum_interval(httpserver, fast_policy):
    httpserver.expect_request("/x").respond_with_data("ok")
    policy = replace(fast_policy, min_interval_s=0.3)
    started = time.monotonic()
    with PoliteClient("Test", policy) as client:
        for _ in range(3):
            client.get(httpserver.url_for("/x"))
    elapsed = time.monotonic() - started
    assert elapsed >= 0.6 - 0.02  # two waits between three requests
    agents = {request.headers["User-Agent"] for request, _ in httpserver.log}
    assert agents == {fast_policy.user_agent}


def test_429_honours_retry_after_then_succeeds(httpserver, fast_policy):
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_request("/x").respond_with_data("ok")
    started = time.monotonic()
    with PoliteClient("Test", fast_policy) as client:
        response = client.get(httpserver.url_for("/x"))
    assert response.text == "ok"
    assert time.monotonic() - started >= 0.95  # waited as told, not the 0.01 s back-off
    assert len(httpserver.log) == 2


def test_5xx_until_retries_run_out_names_source_and_url(httpserver, fast_policy):
    httpserver.expect_request("/x").respond_with_data("boom", status=503)
    with PoliteClient("Test", fast_policy) as client, pytest.raises(SourceError) as err:
        client.get(httpserver.url_for("/x"), params={"page": 2}, what="page 2")
    message = str(err.value)
    assert "[Test]" in message
    assert httpserver.url_for("/x") + "?page=2" in message
    assert "page 2" in message and "HTTP 503" in message and "3 attempts" in message
    assert len(httpserver.log) == fast_policy.max_retries + 1
    assert err.value.transient  # worth trying again later (the asset's retry policy)


def test_client_error_is_not_retried(httpserver, fast_policy):
    httpserver.expect_request("/x").respond_with_data("gone", status=404)
    with (
        PoliteClient("Test", fast_policy) as client,
        pytest.raises(SourceError, match="404") as err,
    ):
        client.get(httpserver.url_for("/x"))
    assert len(httpserver.log) == 1
    assert not err.value.transient


def test_slow_server_times_out_and_is_retried(httpserver, fast_policy):
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    policy = replace(fast_policy, timeout_s=0.3, max_retries=1)
    with PoliteClient("Test", policy) as client, pytest.raises(SourceError) as err:
        client.get(httpserver.url_for("/slow"))
    assert "timed out after 0.3 s" in str(err.value)
    assert "2 attempts" in str(err.value) and err.value.transient
    time.sleep(0.7)  # let the server finish the abandoned requests before the next test


def test_unreachable_host_is_reported(fast_policy):
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    with PoliteClient("Test", fast_policy) as client, pytest.raises(SourceError) as err:
        client.get("http://127.0.0.1:9/x")
    assert "connection failed" in str(err.value)
    assert "http://127.0.0.1:9/x" in str(err.value)
    assert err.value.transient
