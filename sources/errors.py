"""The one error type connectors raise for bad or unreachable input."""

from __future__ import annotations

from sources.redact import redact_text


class SourceError(RuntimeError):
    """A source could not be read or did not have the expected shape.

    The message always names the source, where it was read from (URL or file) and, when the
    problem is in the content, the field: that is what an engineer needs to fix or report it.
    Location and detail are redacted here, once (``sources.redact``): the message goes to
    logs, Dagster's event log, alerts and manifests, and no connector has to remember it.
    """

    def __init__(
        self,
        source: str,
        location: str,
        detail: str,
        *,
        field: str | None = None,
        transient: bool = False,
    ):
        self.source = source
        self.location = redact_text(location)
        self.detail = redact_text(detail)
        self.field = field
        # True when trying again later may succeed (unreachable, timeouts, 429/5xx after the
        # client's own retries); False for content that is wrong and will stay wrong.
        self.transient = transient
        field_part = f" field '{field}':" if field else ""
        super().__init__(f"[{source}] {self.location}:{field_part} {self.detail}")
