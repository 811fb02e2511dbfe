"""Turning NWOpen pages into project and member records, handling the API's known quirks.

Quirks (see shared docs/sources.md) and what is done about them:
- ``project_id`` is not unique: the key is (project_id, funding_scheme_id).
- The same project can come back on two pages: exact repeats of a key are dropped and counted.
- Several members can hold "Project leader": the lead is chosen by a fixed rule (``_lead_rank``).
- The placeholder ORCID ``https://orcid.org/-`` means "none" and becomes null.
- Organisations are ``University||Faculty||Department`` paths: the top level is split off.
- Dates come as ``2022-09-01`` or ``2022-09-01T00:00:00``: both become a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sources.errors import SourceError
from sources.nwopen.calls import CallCatalogue
from sources.nwopen.pages import SOURCE, RawPage

# A renamed or missing one of these means the API changed: fail rather than load nulls.
REQUIRED_PROJECT_FIELDS = ("project_id", "title", "funding_scheme_id", "funding_scheme")
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

_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass
class NWOpenExtract:
    projects: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    records_seen: int = 0
    repeated_records: int = 0  # same key again (the page-overlap quirk)
    distinct_projects: int = 0
    api_version: str | None = None

    @property
    def in_scope(self) -> int:
        return len(self.projects)


def normalise_role(role: str | None) -> str:
    if not role:
        return "other"
    return ROLE_ALIASES.get(re.sub(r"\s+", " ", role).strip().casefold(), "other")


def clean_orcid(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text in PLACEHOLDER_ORCIDS else text


def organisation_top(path: str | None) -> str | None:
    """First level of an ``a||b||c`` organisation path."""
    if not path:
        return None
    top = path.split("||", 1)[0].strip()
    return top or None


def parse_date(value: Any, *, location: str, project_id: str, name: str) -> date | None:
    if value in (None, ""):
        return None
    match = _ISO_DATE.match(str(value).strip())
    if match:
        try:
            return datetime.strptime(match.group(1), "%Y-%m-%d").date()
        except ValueError:
            pass
    raise SourceError(
        SOURCE, location, f"project {project_id}: unreadable date {value!r}", field=name
    )


def _require(record: dict[str, Any], names: tuple[str, ...], *, location: str, what: str) -> None:
    for name in names:
        if name not in record:
            raise SourceError(
                SOURCE,
                location,
                f"{what} has no field '{name}' (renamed or removed by the API?); "
                f"fields present: {', '.join(sorted(record))}",
                field=name,
            )


def _number(record: dict[str, Any], name: str, kind: type, location: str) -> Any:
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE,
            location,
            f"project {record.get('project_id')}: not a number: {value!r}",
            field=name,
        ) from exc


def _lead_sort_key(member: dict[str, Any]) -> tuple:
    return (
        _LEAD_RANK.get(member["role_normalised"], 9),
        str(member.get("member_id") or "~"),  # members with an id before those without
        member.get("last_name") or "",
        member.get("initials") or "",
        member.get("organisation") or "",
    )


def _members(
    raw_members: Any, *, project_id: str, funding_scheme_id: Any, location: str
) -> list[dict[str, Any]]:
    if raw_members is None:
        raw_members = []
    if not isinstance(raw_members, list):
        raise SourceError(
            SOURCE, location, f"project {project_id}: not a list", field="project_members"
        )
    members = []
    for position, raw in enumerate(raw_members, start=1):
        _require(
            raw,
            REQUIRED_MEMBER_FIELDS,
            location=location,
            what=f"member {position} of project {project_id}",
        )
        members.append(
            {
                "project_id": project_id,
                "funding_scheme_id": str(funding_scheme_id),
                "member_position": position,
                "member_id": None if raw.get("member_id") is None else str(raw["member_id"]),
                "role": raw.get("role"),
                "role_normalised": normalise_role(raw.get("role")),
                "is_lead": False,
                "first_name": raw.get("first_name"),
                "initials": raw.get("initials"),
                "prefix": raw.get("prefix"),
                "last_name": raw.get("last_name"),
                "orcid": clean_orcid(raw.get("orcid")),
                "dai": raw.get("dai"),
                "organisation": raw.get("organisation"),
                "organisation_top": organisation_top(raw.get("organisation")),
                "organisation_id": None
                if raw.get("organisation_id") is None
                else str(raw["organisation_id"]),
                "ror": raw.get("ror") or None,
                "active": raw.get("active"),
            }
        )
    if members:
        min(members, key=_lead_sort_key)["is_lead"] = True
    return members


def parse_pages(pages: list[RawPage], catalogue: CallCatalogue) -> NWOpenExtract:
    """Parse every project on every page; keep those whose call is in the catalogue."""
    extract = NWOpenExtract()
    seen_keys: set[tuple[str, str]] = set()
    for page in pages:
        extract.api_version = extract.api_version or page.payload["meta"].get("version")
        for index, raw in enumerate(page.projects, start=1):
            extract.records_seen += 1
            if not isinstance(raw, dict):
                raise SourceError(SOURCE, page.location, f"project {index} is not an object")
            _require(
                raw,
                REQUIRED_PROJECT_FIELDS,
                location=page.location,
                what=f"project {index} on page {page.number}",
            )
            project_id = str(raw["project_id"]).strip()
            key = (project_id, str(raw["funding_scheme_id"]))
            if key in seen_keys:
                extract.repeated_records += 1
                continue
            seen_keys.add(key)
            call = catalogue.match(raw["funding_scheme"], project_id)
            # Parse dates of every project, in scope or not: a format change shows at once.
            start = parse_date(
                raw.get("start_date"),
                location=page.location,
                project_id=project_id,
                name="start_date",
            )
            end = parse_date(
                raw.get("end_date"), location=page.location, project_id=project_id, name="end_date"
            )
            members = _members(
                raw.get("project_members"),
                project_id=project_id,
                funding_scheme_id=raw["funding_scheme_id"],
                location=page.location,
            )
            if call is None:
                continue
            extract.projects.append(
                {
                    "project_id": project_id,
                    "funding_scheme_id": key[1],
                    "funding_scheme": raw["funding_scheme"],
                    "call_id": call.call_id,
                    "grant_id": raw.get("grant_id") or None,
                    "parent_project_id": raw.get("parent_project_id") or None,
                    "title": raw["title"],
                    "department": raw.get("department"),
                    "sub_department": raw.get("sub_department"),
                    "start_date": start,
                    "end_date": end,
                    "summary_nl": raw.get("summary_nl"),
                    "summary_en": raw.get("summary_en"),
                    "award_amount": _number(raw, "award_amount", float, page.location),
                    "reporting_year": _number(raw, "reporting_year", int, page.location),
                    "member_count": len(members),
                    "source_page": page.number,
                }
            )
            extract.members.extend(members)
    extract.distinct_projects = len(seen_keys)
    return extract
