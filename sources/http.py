"""A polite HTTP client shared by every connector.

Polite means: an honest User-Agent, a minimum interval between requests, timeouts on every call,
and retries with exponential back-off on the failures that are worth retrying (429, 5xx,
timeouts, dropped connections), honouring ``Retry-After`` when the server sends it. When the
retries run out the error names the source and the URL, so the failing asset says what broke.
Every request is bounded (``sources.http_bounds``): a total deadline (``deadline_s``, beside the
per-read ``timeout_s``) and a maximum body size after decoding (``max_bytes``).
A source's credentials (``HttpPolicy.credentials``: query parameters, headers, basic auth) go
with every request and into no URL the client reports (``recorded_url``, errors, log lines).
Redirects are followed here, not by httpx: a 3xx body is never read (httpx would inflate it
whole, outside the size bound), every hop counts against ``MAX_REDIRECTS`` and the request's one
deadline, and credentials go only to the origin (scheme, host, port) the request was made to.
"""

from __future__ import annotations

import email.utils
import logging
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote

import httpx

from sources.errors import SourceError
from sources.http_bounds import (
    ACCEPT_ENCODING,
    BadEncoding,
    Deadline,
    TooLarge,
    read_body,
    with_body,
)
from sources.redact import (
    is_http_url,
    is_secret_param,
    redact_logger,
    redact_text,
    redact_url,
    split_url,
)

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO, credentials in the query included.
for _name in ("httpx", "httpcore"):
    redact_logger(_name)

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5  # hops per request; more is a loop or a misconfigured server


@dataclass(frozen=True)
class Credentials:
    """What a source's server wants to see, sent with every request and recorded nowhere:
    query parameters the client adds itself, headers, and HTTP basic auth."""

    params: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    basic: tuple[str, str] | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.params or self.headers or self.basic)

    def secrets(self) -> list[str]:
        """Every secret value, for ``sources.redact.remember_secrets``."""
        values = [v for _, v in self.params] + [v for _, v in self.headers]
        if self.basic:
            values.append(self.basic[1])
        # "Bearer <token>": the token alone may show up elsewhere too.
        return values + [v.split(" ", 1)[1] for _, v in self.headers if " " in v]


NO_CREDENTIALS = Credentials()


def split_credentials(url: str) -> tuple[str, Credentials]:
    """A configured URL split into what may be recorded and what may only be sent: the query
    parameters with secret names (``token``, ``sig``, ...) and ``user:password@`` move into
    :class:`Credentials`; the URL keeps everything else as written."""
    if not is_http_url(url):
        return url, NO_CREDENTIALS
    parts = split_url(url)
    basic = None
    if parts.userinfo is not None:
        user, _, password = parts.userinfo.partition(":")
        basic = (unquote(user), unquote(password))
    kept, secret = [], []
    for part in (parts.query or "").split("&"):
        if part and is_secret_param(part.partition("=")[0]):
            secret += parse_qsl(part, keep_blank_values=True)
        elif part:
            kept.append(part)
    public = parts._replace(userinfo=None, query="&".join(kept) if kept else None).join()
    return public, Credentials(params=tuple(secret), basic=basic)


@dataclass(frozen=True)
class HttpPolicy:
    user_agent: str
    timeout_s: float = 60.0
    max_retries: int = 5
    min_interval_s: float = 1.0
    backoff_base_s: float = 2.0
    backoff_max_s: float = 120.0
    # Bounds per request (settings LCM_HTTP_DEADLINE, LCM_HTTP_MAX_MB): its total time,
    # however slowly the server sends, and its body's size after decompression.
    deadline_s: float = 120.0
    max_bytes: int = 200_000_000
    # One source's credentials (settings.Settings.http_for); none by default.
    credentials: Credentials = NO_CREDENTIALS


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
        credentials = policy.credentials
        # Sent per hop, only on the request's own origin (never client defaults, which would
        # follow a redirect anywhere); query parameters never go into a recorded URL.
        self._params = credentials.params
        self._auth_headers = dict(credentials.headers)
        self._basic = credentials.basic
        self._client = httpx.Client(
            headers={
                "User-Agent": policy.user_agent,
                "Accept": accept,
                # Only what sources.http_bounds decodes, in bounded slices.
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(policy.timeout_s),
            follow_redirects=False,  # followed in _bounded_get, bodies unread
        )
        self.requests_made = 0
        self._sockets: list[socket.socket] = []  # connections opened, for the deadline

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

    def _hop(
        self, url: httpx.URL, origin: tuple[str, str, int | None], headers: Mapping[str, str]
    ) -> tuple[httpx.URL, dict[str, str], tuple[str, str] | None]:
        """What one hop sends: the credentials only on ``origin``; elsewhere none, and this
        client's credential parameters taken out of the URL too (a Location may echo them)."""
        if (url.scheme, url.host, url.port) == origin:
            sent = url.copy_merge_params(self._params) if self._params else url
            return sent, {**headers, **self._auth_headers}, self._basic
        for name in {name for name, _ in self._params}:
            url = url.copy_remove_param(name)
        return url, dict(headers), None

    def _bounded_get(
        self, url: httpx.URL, headers: Mapping[str, str] | None, label: str
    ) -> httpx.Response:
        """One GET, redirects included, within the deadline; a 2xx body read whole, within
        ``max_bytes`` decoded. Any other answer (a 3xx too) is returned or followed unread:
        only its status and headers are used."""
        asked, origin = url, (url.scheme, url.host, url.port)
        with Deadline(self.policy.deadline_s, self._sockets) as deadline:
            try:
                for _ in range(MAX_REDIRECTS + 1):
                    sent, sent_headers, auth = self._hop(url, origin, headers or {})
                    with self._client.stream(
                        "GET", sent, headers=sent_headers, auth=auth,
                        extensions={"trace": deadline.trace},
                    ) as streamed:  # fmt: skip
                        location = streamed.headers.get("Location")
                        if streamed.status_code in REDIRECT_STATUS and location:
                            url = url.join(location)  # relative or absolute
                            continue  # closed unread
                        if not streamed.is_success:
                            return streamed
                        body = read_body(streamed, self.policy.max_bytes, deadline)
                    break
                else:
                    raise SourceError(
                        self.source,
                        self._recorded(asked),
                        f"GET{label} failed: more than {MAX_REDIRECTS} redirects (the last "
                        f"to {self._recorded(url)})",
                    )
            except (httpx.TransportError, TimeoutError):
                if deadline.expired:
                    raise _DeadlinePassed from None
                raise
            except TooLarge as exc:
                raise SourceError(
                    self.source,
                    self.recorded_url(streamed),
                    f"GET{label}: the response is too large: {exc}, above the bound of "
                    f"{self.policy.max_bytes:,} bytes (LCM_HTTP_MAX_MB); refused, not read "
                    "further",
                ) from None
            except BadEncoding as exc:
                raise SourceError(
                    self.source, self.recorded_url(streamed), f"GET{label}: {exc}"
                ) from None
        return with_body(streamed, body)

    def recorded_url(self, response: httpx.Response) -> str:
        """Where a response came from, as it may be written down: without the credentials
        this client added, and redacted."""
        return self._recorded(response.url)

    def _recorded(self, url: httpx.URL) -> str:
        for name in {name for name, _ in self._params}:
            url = url.copy_remove_param(name)
        return redact_url(str(url))

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
        # The URL's own query is kept (httpx would replace it with ``params``): a crawler's
        # "?page=2" and the credentials both go.
        shown = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)
        attempts = self.policy.max_retries + 1
        last_problem = "no attempt made"
        for attempt in range(1, attempts + 1):
            self._wait_for_slot()
            self._last_request_at = time.monotonic()
            self.requests_made += 1
            response: httpx.Response | None = None
            try:
                response = self._bounded_get(shown, headers, label)
            except httpx.TimeoutException as exc:
                last_problem = f"timed out after {self.policy.timeout_s:g} s ({type(exc).__name__})"
            except (httpx.TransportError, TimeoutError) as exc:
                last_problem = (
                    f"connection failed ({type(exc).__name__}: {redact_text(str(exc))})"
                    if not isinstance(exc, _DeadlinePassed)
                    else f"not complete within the deadline of {self.policy.deadline_s:g} s per "
                    "request (LCM_HTTP_DEADLINE): the server sends too slowly"
                )
            else:
                if response.is_success or response.status_code == 304:
                    return response
                last_problem = f"HTTP {response.status_code} {response.reason_phrase}"
                if response.status_code not in RETRYABLE_STATUS:
                    raise SourceError(
                        self.source,
                        self.recorded_url(response),
                        f"GET{label} failed: {last_problem}",
                    )
            if attempt < attempts:
                delay = self._backoff(attempt, response)
                log.warning(
                    "%s: GET %s%s attempt %d/%d: %s; retrying in %.1f s",
                    self.source,
                    redact_url(url),
                    label,
                    attempt,
                    attempts,
                    last_problem,
                    delay,
                )
                self._sleep(delay)
        raise SourceError(
            self.source,
            str(shown),  # without the credentials this client adds
            f"GET{label} failed after {attempts} attempts; last: {last_problem}",
            transient=True,
        )


class _DeadlinePassed(TimeoutError):
    """The request's total deadline passed (not one read's timeout)."""


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
