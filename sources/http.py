"""A polite HTTP client shared by every connector.

Polite means: an honest User-Agent, a minimum interval between requests, timeouts on every call,
and retries with exponential back-off on the failures that are worth retrying (429, 5xx,
timeouts, dropped connections), honouring ``Retry-After`` when the server sends it. When the
retries run out the error names the source and the URL, so the failing asset says what broke.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from sources.errors import SourceError

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    user_agent: str
    timeout_s: float = 60.0
    max_retries: int = 5
    min_interval_s: float = 1.0
    backoff_base_s: float = 2.0
    backoff_max_s: float = 120.0


class PoliteClient:
    """Rate-limited, retrying GET client for one source."""

    def __init__(
        self,
        source: str,
        policy: HttpPolicy,
        *,
        accept: str = "application/json",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.policy = policy
        self._sleep = sleep
        self._last_request_at: float | None = None
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept": accept},
            timeout=httpx.Timeout(policy.timeout_s),
            follow_redirects=True,
        )
        self.requests_made = 0

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _wait_for_slot(self) -> None:
        if self._last_request_at is None:
            return
        remaining = self.policy.min_interval_s - (time.monotonic() - self._last_request_at)
        if remaining > 0:
            self._sleep(remaining)

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = _retry_after_seconds(response) if response is not None else None
        if retry_after is not None:
            return min(retry_after, self.policy.backoff_max_s)
        return min(self.policy.backoff_base_s * (2 ** (attempt - 1)), self.policy.backoff_max_s)

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        what: str = "",
    ) -> httpx.Response:
        """GET ``url``; return the 2xx response or raise :class:`SourceError` naming the URL.

        A 304 Not Modified is returned too: it answers a conditional request (``headers``
        with If-None-Match / If-Modified-Since) and the caller reuses what it had.
        """
        label = f" ({what})" if what else ""
        attempts = self.policy.max_retries + 1
        last_problem = "no attempt made"
        for attempt in range(1, attempts + 1):
            self._wait_for_slot()
            self._last_request_at = time.monotonic()
            self.requests_made += 1
            response: httpx.Response | None = None
            try:
                response = self._client.get(url, params=params, headers=headers)
            except httpx.TimeoutException as exc:
                last_problem = f"timed out after {self.policy.timeout_s:g} s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                last_problem = f"connection failed ({type(exc).__name__}: {exc})"
            else:
                if response.is_success or response.status_code == 304:
                    return response
                last_problem = f"HTTP {response.status_code} {response.reason_phrase}"
                if response.status_code not in RETRYABLE_STATUS:
                    raise SourceError(
                        self.source, str(response.url), f"GET{label} failed: {last_problem}"
                    )
            if attempt < attempts:
                delay = self._backoff(attempt, response)
                log.warning(
                    "%s: GET %s%s attempt %d/%d: %s; retrying in %.1f s",
                    self.source,
                    url,
                    label,
                    attempt,
                    attempts,
                    last_problem,
                    delay,
                )
                self._sleep(delay)
        full_url = str(httpx.URL(url, params=params)) if params else url
        raise SourceError(
            self.source,
            full_url,
            f"GET{label} failed after {attempts} attempts; last: {last_problem}",
            transient=True,
        )


def _retry_after_seconds(response: httpx.Response) -> float | None:
    """Parse ``Retry-After`` as seconds or as an HTTP date; ignore what cannot be parsed."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
