"""Turning NWOpen pages into project and member records, handling the API's known quirks.

A project is kept when its funding scheme is a call of the catalogue (``sources.calls``), by
name only: file numbers say nothing about the programme (``NGF.`` numbers belong to every
Nationaal Groeifonds programme). Schemes that are not followed are summarised in
``unfollowed_schemes`` so that a new call can be spotted.

Quirks (see shared docs/sources.md) and what is done about them:
- ``project_id`` is not unique: the key is (project_id, funding_scheme_id).
- The same project can come back on two pages: exact repeats of a key are dropped and counted.
- Several members can hold "Project leader": one lead by a fixed rule (``_lead_sort_key``).
- The placeholder ORCID ``https://orcid.org/-`` means "none" and becomes null.
- Organisations are ``University||Faculty||Department`` paths: the top level is split off.
- Dates come as ``2022-09-01`` or ``2022-09-01T00:00:00``: both become a date.
- ``project_members`` may be empty, null or absent: a project without members (flagged later).

What cannot be read in one record (an impossible date, a field missing from it) is noted on
that record (``sources.problems``) and the record is set aside by the quality step; a field
missing from every record, or dates unreadable everywhere, means the API changed: the pull
fails naming the field.

``PageParser`` takes one page at a time and keeps only the in-scope records and running
counts for those checks across the pull, never the pages (``parse_pages``: all at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.nwopen.pages import SOURCE, RawPage
from sources.problems import FIELD_MISSING, PROBLEMS, UNREADABLE, note

SOURCE_SYSTEM = "nwopen"  # the calls' source_system in the catalogue
# Needed to decide whether a record is in scope and what it is: every record should carry them.
KEY_FIELDS = ("project_id", "funding_scheme_id", "funding_scheme")
REQUIRED_PROJECT_FIELDS = (*KEY_FIELDS, "title")
# Not every record has a value, but the API always has the field: absent from every record of
# a pull means it was renamed or removed.
EXPECTED_PROJECT_FIELDS = ("start_date", "end_date", "project_members")
REQUIRED_MEMBER_FIELDS = ("role", "last_name", "organisation")

PLACEHOLDER_ORCIDS = frozenset({"https://orcid.org/-", "http://orcid.org/-", "-", ""})

ROLE_ALIASES = {
    "main applicant": "main_applicant",
    "hoofdaanvrager": "main_applicant",
    "project leader": "project_leader",
    "projectleider": "project_leader",
    "co-applicant": "co_applicant",
    "co applicant": "co_applicant",
    "medeaanvrager": "co_applicant",
}
# Lower ranks lead. The main applicant (hoofdaanvrager) is the consortium's lead; older
# projects only name project leaders.
_LEAD_RANK = {"main_applicant": 0, "project_leader": 1, "co_applicant": 2}

# Column types of the records below, used for the raw warehouse tables.
PROJECT_COLUMNS = {
    "project_id": "VARCHAR",
    "funding_scheme_id": "VARCHAR",
    "funding_scheme": "VARCHAR",
    "call_id": "VARCHAR",
    "grant_id": "VARCHAR",
    "parent_project_id": "VARCHAR",
    "title": "VARCHAR",
    "department": "VARCHAR",
    "sub_department": "VARCHAR",
    "start_date": "DATE",
    "end_date": "DATE",
    "summary_nl": "VARCHAR",
    "summary_en": "VARCHAR",
    "award_amount": "DOUBLE",
    "reporting_year": "INTEGER",
    "member_count": "INTEGER",
    "source_page": "INTEGER",
}
MEMBER_COLUMNS = {
    "project_id": "VARCHAR",
    "funding_scheme_id": "VARCHAR",
    "member_position": "INTEGER",
    "member_id": "VARCHAR",
    "role": "VARCHAR",
    "role_normalised": "VARCHAR",
    "is_lead": "BOOLEAN",
    "first_name": "VARCHAR",
    "initials": "VARCHAR",
    "prefix": "VARCHAR",
    "last_name": "VARCHAR",
    "orcid": "VARCHAR",
    "dai": "VARCHAR",
    "organisation": "VARCHAR",
    "organisation_top": "VARCHAR",
    "organisation_id": "VARCHAR",
    "ror": "VARCHAR",
    "active": "BOOLEAN",
}
# One row per funding scheme that is *not* followed, per pull: what the catalogue may lack.
UNFOLLOWED_SCHEME_COLUMNS = {
    "funding_scheme_id": "VARCHAR",
    "funding_scheme": "VARCHAR",
    "record_count": "INTEGER",
    "example_project_id": "VARCHAR",
    "example_title": "VARCHAR",
}

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass
class NWOpenExtract:
    projects: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    unfollowed_schemes: list[dict[str, Any]] = field(default_factory=list)
    records_seen: int = 0
    repeated_records: int = 0  # same key again (the page-overlap quirk)
    distinct_projects: int = 0
    records_without_scheme: int = 0  # no scheme name: cannot be placed in any call
    api_version: str | None = None

    @property
    def in_scope(self) -> int:
        return len(self.projects)

    @property
    def records_with_problems(self) -> int:
        return sum(1 for r in (*self.projects, *self.members) if r.get(PROBLEMS))


def normalise_role(role: str | None) -> str:
    if not role:
        return "other"
    return ROLE_ALIASES.get(re.sub(r"\s+", " ", str(role)).strip().casefold(), "other")


def clean_orcid(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text in PLACEHOLDER_ORCIDS else text


def organisation_top(path: str | None) -> str | None:
    """First level of an ``a||b||c`` organisation path."""
    if not path:
        return None
    top = str(path).split("||", 1)[0].strip()
    return top or None


def read_date(value: Any) -> date | None:
    """An ISO date or datetime as a date; None when empty. Raises ValueError otherwise."""
    if value in (None, ""):
        return None
    match = _ISO_DATE.match(str(value).strip())
    if not match:
        raise ValueError(f"not an ISO date: {value!r}")
    return datetime.strptime(match.group(1), "%Y-%m-%d").date()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class _Dates:
    """Counts dates over the whole pull: unreadable everywhere means the format changed."""

    def __init__(self) -> None:
        self.read = 0
        self.unreadable = 0
        self.first_unreadable: tuple[str, str, Any] | None = None  # (location, field, value)

    def parse(self, value: Any, *, location: str, name: str, record: dict | None) -> date | None:
        try:
            parsed = read_date(value)
        except ValueError:
            self.unreadable += 1
            if self.first_unreadable is None:
                self.first_unreadable = (location, name, value)
            if record is not None:
                note(record, name, value, "unreadable date", UNREADABLE)
            return None
        if parsed is not None:
            self.read += 1
        return parsed

    def check(self) -> None:
        if self.first_unreadable is not None and not self.read:
            location, name, value = self.first_unreadable
            raise SourceError(
                SOURCE,
                location,
                f"no date in the pull could be read ({self.unreadable} values, e.g. "
                f"{value!r}): has the API changed its date format?",
                field=name,
            )


def _number(record: dict[str, Any], raw: dict[str, Any], name: str, kind: type) -> Any:
    value = raw.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        note(record, name, value, "not a number", UNREADABLE)
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        note(record, name, value, "not a number", UNREADABLE)
        return None


def _lead_sort_key(member: dict[str, Any]) -> tuple:
    return (
        _LEAD_RANK.get(member["role_normalised"], 9),
        str(member.get("member_id") or "~"),  # members with an id before those without
        member.get("last_name") or "",
        member.get("initials") or "",
        member.get("organisation") or "",
    )


def _members(
    raw_members: list[Any], *, project_id: str, funding_scheme_id: str
) -> list[dict[str, Any]]:
    members = []
    for position, raw in enumerate(raw_members, start=1):
        raw = raw if isinstance(raw, dict) else {}
        member: dict[str, Any] = {
            "project_id": project_id,
            "funding_scheme_id": funding_scheme_id,
            "member_position": position,
            "member_id": _text(raw.get("member_id")),
            "role": _text(raw.get("role")),
            "role_normalised": normalise_role(raw.get("role")),
            "is_lead": False,
            "first_name": _text(raw.get("first_name")),
            "initials": _text(raw.get("initials")),
            "prefix": _text(raw.get("prefix")),
            "last_name": _text(raw.get("last_name")),
            "orcid": clean_orcid(raw.get("orcid")),
            "dai": _text(raw.get("dai")),
            "organisation": _text(raw.get("organisation")),
            "organisation_top": organisation_top(raw.get("organisation")),
            "organisation_id": _text(raw.get("organisation_id")),
            "ror": _text(raw.get("ror")) or None,
            "active": raw.get("active") if isinstance(raw.get("active"), bool) else None,
        }
        if not raw:
            note(member, "project_members", raw, f"member {position} is not an object", UNREADABLE)
        for name in REQUIRED_MEMBER_FIELDS:
            if raw and name not in raw:
                note(member, name, None, "field missing from this member", FIELD_MISSING)
        members.append(member)
    leads = [m for m in members if not m.get(PROBLEMS)]
    if leads:
        min(leads, key=_lead_sort_key)["is_lead"] = True
    return members


class _Fields:
    """Which expected fields any record of the pull carried: a field absent from every record
    was renamed or removed by the API. Kept as sets, not as the records."""

    PROJECT = (*REQUIRED_PROJECT_FIELDS, *EXPECTED_PROJECT_FIELDS)
    EXAMPLES = 50  # records whose fields the message lists

    def __init__(self) -> None:
        self.projects = 0
        self.project_fields: set[str] = set()
        self.example_fields: set[str] = set()
        self.members = 0
        self.member_fields: set[str] = set()

    def add(self, raw: dict[str, Any], raw_members: Any) -> None:
        if self.projects < self.EXAMPLES:
            self.example_fields.update(raw)
        self.projects += 1
        if len(self.project_fields) < len(self.PROJECT):  # once all are seen, nothing to learn
            self.project_fields.update(name for name in self.PROJECT if name in raw)
        if self.members and len(self.member_fields) == len(REQUIRED_MEMBER_FIELDS):
            return
        for member in raw_members if isinstance(raw_members, list) else []:
            if isinstance(member, dict):
                self.members += 1
                self.member_fields.update(n for n in REQUIRED_MEMBER_FIELDS if n in member)

    def check(self, location: str, pages: int) -> None:
        for name in self.PROJECT if self.projects else ():
            if name not in self.project_fields:
                present = sorted(self.example_fields)
                raise SourceError(
                    SOURCE,
                    location,
                    f"no project on any of the {pages} pages has the field '{name}' (renamed or "
                    f"removed by the API?); fields present: {', '.join(present)}",
                    field=name,
                )
        for name in REQUIRED_MEMBER_FIELDS if self.members else ():
            if name not in self.member_fields:
                raise SourceError(
                    SOURCE,
                    location,
                    f"no project member has the field '{name}' (renamed or removed by the API?)",
                    field=name,
                )


class PageParser:
    """Parses the pages of a pull one at a time (``add``), then checks across them
    (``finish``); holds the in-scope records, not the pages."""

    def __init__(self, catalogue: CallCatalogue) -> None:
        self.catalogue = catalogue
        self.extract = NWOpenExtract()
        self._seen_keys: set[tuple[str, str]] = set()
        self._unfollowed: dict[tuple[str, str], dict[str, Any]] = {}
        self._dates = _Dates()
        self._fields = _Fields()
        self._pages = 0
        self._first_location = ""

    def add(self, page: RawPage) -> None:
        """Parse every project on the page; keep those whose call is in the catalogue."""
        extract = self.extract
        if not self._pages:
            self._first_location = page.location
        self._pages += 1
        extract.api_version = extract.api_version or page.payload["meta"].get("version")
        for index, raw in enumerate(page.projects, start=1):
            extract.records_seen += 1
            if not isinstance(raw, dict):
                raise SourceError(SOURCE, page.location, f"project {index} is not an object")
            self._fields.add(raw, raw.get("project_members"))
            self._project(raw, page)

    def _project(self, raw: dict[str, Any], page: RawPage) -> None:
        extract, dates = self.extract, self._dates
        raw_members = raw.get("project_members")
        project_id = str(raw.get("project_id") or "").strip()
        scheme_id = str(raw.get("funding_scheme_id") or "").strip()
        key = (project_id, scheme_id)
        if project_id and key in self._seen_keys:
            extract.repeated_records += 1
            return
        self._seen_keys.add(key)
        scheme = raw.get("funding_scheme")
        call = self.catalogue.match_name(SOURCE_SYSTEM, scheme)
        if call is None:
            # Out of scope. Its dates still count towards spotting a changed date format.
            for name in ("start_date", "end_date"):
                dates.parse(raw.get(name), location=page.location, name=name, record=None)
            if scheme:
                entry = self._unfollowed.setdefault(
                    (scheme_id, str(scheme)),
                    {"funding_scheme_id": scheme_id, "funding_scheme": str(scheme),
                     "record_count": 0, "example_project_id": project_id,
                     "example_title": _text(raw.get("title"))},
                )  # fmt: skip
                entry["record_count"] += 1
            else:
                extract.records_without_scheme += 1
            return
        project: dict[str, Any] = {"project_id": project_id}
        for name in REQUIRED_PROJECT_FIELDS:
            if name not in raw:
                note(project, name, None, "field missing from this record", FIELD_MISSING)
        if raw_members is not None and not isinstance(raw_members, list):
            note(project, "project_members", raw_members, "not a list", UNREADABLE)
        members = _members(
            raw_members if isinstance(raw_members, list) else [],
            project_id=project_id,
            funding_scheme_id=scheme_id,
        )
        project.update(
            {
                "funding_scheme_id": scheme_id,
                "funding_scheme": str(scheme),
                "call_id": call.call_id,
                "grant_id": _text(raw.get("grant_id")) or None,
                "parent_project_id": _text(raw.get("parent_project_id")) or None,
                "title": _text(raw.get("title")),
                "department": _text(raw.get("department")),
                "sub_department": _text(raw.get("sub_department")),
                "start_date": dates.parse(
                    raw.get("start_date"),
                    location=page.location,
                    name="start_date",
                    record=project,
                ),
                "end_date": dates.parse(
                    raw.get("end_date"),
                    location=page.location,
                    name="end_date",
                    record=project,
                ),
                "summary_nl": _text(raw.get("summary_nl")),
                "summary_en": _text(raw.get("summary_en")),
                "award_amount": _number(project, raw, "award_amount", float),
                "reporting_year": _number(project, raw, "reporting_year", int),
                "member_count": len(members),
                "source_page": page.number,
            }
        )
        extract.projects.append(project)
        extract.members.extend(members)

    def finish(self) -> NWOpenExtract:
        """The checks across the pull (a field absent everywhere, dates unreadable everywhere),
        then the extract."""
        if self._pages:
            self._fields.check(self._first_location, self._pages)
        self._dates.check()
        extract = self.extract
        extract.distinct_projects = len(self._seen_keys)
        extract.unfollowed_schemes = sorted(
            self._unfollowed.values(), key=lambda s: (-s["record_count"], s["funding_scheme"])
        )
        return extract


def parse_pages(pages: Iterable[RawPage], catalogue: CallCatalogue) -> NWOpenExtract:
    """Parse every project on every page; keep those whose call is in the catalogue."""
    parser = PageParser(catalogue)
    for page in pages:
        parser.add(page)
    return parser.finish()
