"""Why a run failed, in the words that help fix it: one place for `lc-monitor run`'s closing
message and the failed-run alert (orchestration/defs/alerts.py).

A step's error reaches us as Dagster's chain of wrappers ("Error occurred while executing op",
``Failure``, "Exceeded max_retries") around what the code raised, itself often raised ``from``
a library's exception (``JSONDecodeError``, ``UnicodeDecodeError``, ``FileNotFoundError``,
defusedxml's). The line to show is the deepest error raised by this project's own code: a
connector's ``SourceError`` names the source, the URL or file and the field, where the bottom
exception names none of them. A blocking check that failed is shown by its failed rules with
their descriptions; a check that could not record its results says so, as it is no verdict on
the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Packages whose exception classes are "ours" (a cause chain carries class names only).
OUR_PACKAGES = ("sources", "orchestration")
# How orchestration/quality/checks.py says a check's results were not written.
NOT_RECORDED = "could not be recorded"
BLOCKING_CHECK_FAILED = "DagsterAssetCheckFailedError"


def _our_error_names() -> frozenset[str]:
    """Names of the exception classes defined in our packages (those imported by now: a run
    or a sensor has loaded the definitions, hence every connector)."""
    names, pending = set(), [BaseException]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in OUR_PACKAGES:
                names.add(sub.__name__)
    return frozenset(names)


def error_chain(error: Any) -> list[Any]:
    """A serialized error and its causes, outermost first (``raise ... from``, else the
    exception being handled when it was raised)."""
    chain: list[Any] = []
    while error is not None and all(error is not seen for seen in chain):
        chain.append(error)
        error = error.cause if error.cause is not None else error.context
    return chain


def _said(error: Any) -> str:
    """``Class: message``, without the module path Dagster's message may repeat."""
    name = error.cls_name or "Error"
    head, colon, rest = error.message.strip().partition(": ")
    said = rest if colon and head.rsplit(".", 1)[-1] == name else error.message.strip()
    return f"{name}: {said}"


def cause_line(error: Any) -> str:
    """What to tell about a step's error: the deepest error of our own code, else the bottom
    one; the library error below ours is named in brackets when ours does not name it."""
    chain = error_chain(error)
    ours = _our_error_names()
    chosen = next((e for e in reversed(chain) if e.cls_name in ours), chain[-1])
    line = _said(chosen)
    bottom = chain[-1]
    if bottom is not chosen and bottom.cls_name not in line:
        line += f" (caused by {bottom.cls_name})"
    return line


def _value(metadata: Mapping[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def check_failure_lines(evaluation: Any, indent: str = "  ") -> list[str]:
    """A failed check: the rules that failed (expectation, column, what was found) with each
    rule's description; or that it could not run, or could not record its results."""
    metadata = evaluation.metadata or {}
    name = f"{evaluation.check_name} on {evaluation.asset_key.to_user_string()}"
    error = str(_value(metadata, "error") or "")
    if NOT_RECORDED in error:
        return [
            f"{indent}check {name} could not record its results, so it failed without a "
            f"verdict on the data: {error}",
            f"{indent}    free the disk or release the warehouse, then run again.",
        ]
    if error:
        return [f"{indent}check {name} could not run: {error}"]
    lines = [f"{indent}check {name} failed ({evaluation.severity.value}):"]
    failed = [r for r in _value(metadata, "results") or [] if not r.get("success", True)]
    for result in sorted(failed, key=lambda r: r.get("severity") != "ERROR"):
        column = f", column {result['column']}" if result.get("column") else ""
        found = (
            f"raised {result['exception']}"
            if result.get("exception")
            else f"{result['unexpected_count']} unexpected"
            if result.get("unexpected_count") is not None
            else f"observed {result.get('observed_value')}"
        )
        lines.append(
            f"{indent}    {result.get('severity', '')} rule {result['rule']} "
            f"({result.get('expectation')}{column}): {found}"
        )
        if result.get("description"):
            lines.append(f"{indent}        {result['description']}")
    if not failed and evaluation.description:  # a dbt test, or a check without GX results
        lines.append(f"{indent}    {evaluation.description.strip()}")
    return lines


def failure_lines(events: Iterable[Any], indent: str = "  ") -> list[str]:
    """Every failed step of a run with its cause; a step failed by blocking checks with the
    checks that failed with ERROR, rule by rule."""
    events = list(events)
    blocking = {}
    for event in events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.asset_check_evaluation_data
            if not check.passed and check.severity.value == "ERROR":
                blocking.setdefault(event.step_key, []).append(check)
    lines = []
    for event in events:
        if not (event.is_step_failure and event.step_failure_data.error):
            continue
        error = event.step_failure_data.error
        checks = blocking.get(event.step_key, [])
        if error_chain(error)[-1].cls_name == BLOCKING_CHECK_FAILED and checks:
            lines.append(f"{indent}{event.step_key}: blocking check failed")
            for check in checks:
                lines += check_failure_lines(check, indent + "  ")
        else:
            lines.append(f"{indent}{event.step_key}: {cause_line(error)}")
    return lines
