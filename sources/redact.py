"""Keeping credentials out of everything the project writes: one helper for every writer.

A source URL may carry a secret in its query (a share link's ``?token=``, an Azure SAS
``sig``, an S3 presigned ``X-Amz-Signature``, a Google API ``key``) or in its userinfo
(``https://user:password@host/``). ``redact_url`` replaces those values with ``***`` and
keeps everything else byte for byte, so a redacted URL still says where data came from;
``redact_text`` does the same to every URL inside free text (an exception message, a log
line) and also replaces the literal values of the secrets configured for this process
(``remember_secret``), wherever they appear. Plain Python, no Dagster: connectors and the
orchestration both use it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

MASK = "***"

# Query parameter names whose values are secrets, compared without case, '-' or '_'.
SECRET_NAMES = frozenset(
    {
        "token", "accesstoken", "refreshtoken", "idtoken", "authtoken", "sessiontoken",
        "auth", "authorization", "bearer", "jwt", "code", "ticket", "session", "sessionid",
        "key", "apikey", "accesskey", "secretkey", "privatekey", "subscriptionkey",
        "secret", "clientsecret", "password", "passwd", "pwd", "pass", "credential",
        "credentials", "sig", "signature",
        # Azure SAS: the signature is `sig`; its other fields (sv, se, sp, ...) say what the
        # signature grants and until when, which is no secret, so they stay readable.
        # S3 / GCS presigned URLs: X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
        # X-Goog-Signature, X-Goog-Credential (caught by the suffixes below).
    }
)  # fmt: skip
# A name ending in one of these is secret too (accessToken, X-Amz-Security-Token, ...).
SECRET_SUFFIXES = ("token", "secret", "signature", "password", "credential", "apikey")
# A configured secret shorter than this is not replaced in free text: it would mangle
# ordinary words, and a secret that short protects nothing anyway.
MIN_SECRET_LENGTH = 4

# A URL in free text: a scheme, '://', then up to whitespace, a quote or an angle bracket.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s<>\"'`]+")
# Punctuation that ends a sentence rather than the URL ("... failed: http://h/x?token=1.").
_TRAILING = ".,;:!?"
_CLOSING = {")": "(", "]": "[", "}": "{"}

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def is_http_url(location: str | Any) -> bool:
    """True for an http:// or https:// URL (any case); anything else is a file or folder."""
    return isinstance(location, str) and location.strip().lower().startswith(
        ("http://", "https://")
    )


def is_secret_param(name: str) -> bool:
    """True when a query parameter of this name carries a secret."""
    normal = unquote_plus(name).lower().replace("-", "").replace("_", "").strip()
    return normal in SECRET_NAMES or normal.endswith(SECRET_SUFFIXES)


def _redact_query(query: str) -> str:
    """Each ``name=value`` pair of a query (or a fragment shaped like one) with the value of
    a secret name masked; separators, order, repeats and encoding kept as they were."""
    parts = re.split(r"([&;])", query)
    for i in range(0, len(parts), 2):
        name, eq, value = parts[i].partition("=")
        if eq and value and is_secret_param(name):
            parts[i] = f"{name}={MASK}"
    return "".join(parts)


class UrlParts(NamedTuple):
    """A URL cut where its secrets can sit, each part as written (no decoding)."""

    scheme: str
    userinfo: str | None  # before the authority's last '@'
    host: str  # host and port, '[::1]:8080' included
    path: str
    query: str | None  # None: no '?'
    fragment: str | None  # None: no '#'

    def join(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo is not None else ""
        query = f"?{self.query}" if self.query is not None else ""
        fragment = f"#{self.fragment}" if self.fragment is not None else ""
        return f"{self.scheme}://{userinfo}{self.host}{self.path}{query}{fragment}"


def split_url(url: str) -> UrlParts:
    """``url`` (with '://') in parts. The authority ends at the first '/', '?' or '#'; the
    userinfo is what precedes its last '@' (an unencoded '@' in a password stays in it)."""
    scheme, _, rest = url.partition("://")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, host = authority.rpartition("@")
    tail, hash_, fragment = tail.partition("#")
    path, question, query = tail.partition("?")
    return UrlParts(
        scheme, userinfo if at else None, host, path, query if question else None,
        fragment if hash_ else None,
    )  # fmt: skip


def redact_url(url: str) -> str:
    """``url`` with userinfo and the values of secret query parameters replaced by ``***``.

    Not a URL (a file path, an empty string): returned unchanged.
    """
    if not isinstance(url, str) or "://" not in url:
        return url
    parts = split_url(url)
    fragment = parts.fragment
    if fragment is not None and "=" in fragment:  # OAuth implicit flow: #access_token=...
        fragment = _redact_query(fragment)
    return parts._replace(
        userinfo=MASK if parts.userinfo is not None else None,
        query=_redact_query(parts.query) if parts.query is not None else None,
        fragment=fragment,
    ).join()


def _split_trailing(candidate: str) -> tuple[str, str]:
    """A URL found in text, without the sentence punctuation or unbalanced closing bracket
    that follows it."""
    end = len(candidate)
    while end:
        char, head = candidate[end - 1], candidate[:end]
        unbalanced = char in _CLOSING and head.count(char) > head.count(_CLOSING[char])
        if char not in _TRAILING and not unbalanced:
            break
        end -= 1
    return candidate[:end], candidate[end:]


def remember_secret(value: str | None) -> None:
    """Have ``redact_text`` replace this configured secret wherever it appears (settings call
    this for every credential they read)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(value)


def remember_secrets(values: Iterable[str | None]) -> None:
    for value in values:
        remember_secret(value)


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted and every configured secret replaced."""
    if not isinstance(text, str) or not text:
        return text

    def one(match: re.Match[str]) -> str:
        url, trailing = _split_trailing(match.group(0))
        return redact_url(url) + trailing

    redacted = _URL_IN_TEXT.sub(one, text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)  # a longer one first: no leftovers
    for secret in secrets:
        redacted = redacted.replace(secret, MASK)
    return redacted


def redact_value(value: Any) -> Any:
    """``redact_text`` applied to every string inside lists, tuples and dicts (manifests)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item) for item in value)
    return value


class RedactingFilter(logging.Filter):
    """Redacts a log record's message before any handler writes it (httpx logs every request
    URL, query included, at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_logger(name: str) -> None:
    """Install the filter on a library's logger once (records it logs itself pass it)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
