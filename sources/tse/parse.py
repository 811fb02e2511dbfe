"""Reading a Topsector Energie project page by its labels, not by position.

Which labels the real pages show could not be checked (shared docs/sources.md), so each field
has a list of label spellings, labels are matched regardless of case and a trailing colon,
and label/value pairs are read from ``<dl>`` (dt/dd) and ``<table>`` (th/td) alike. A required
label missing on one page sets that project aside (a record problem); missing on every page,
it fails the crawl, naming the label. Each project gets the ``call_id`` of its MOOI round from
the call catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from bs4 import BeautifulSoup, Tag

from sources import dutch
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.problems import PROBLEMS, REQUIRED_EMPTY, UNREADABLE, note
from sources.tse.site import PROJECT_PATH, SOURCE, RawDocument, page_soup

SOURCE_SYSTEM = "tse"  # the MOOI rounds' source_system in the call catalogue

LABELS: dict[str, tuple[str, ...]] = {
    "grant_number": ("projectnummer", "mooi-nummer", "dossiernummer", "subsidienummer"),
    "scheme": ("regeling", "subsidieregeling", "programma"),
    "round": ("ronde", "openstelling", "jaar van toekenning"),
    "mission": ("missie", "thema", "programmalijn"),
    "lead": ("penvoerder", "aanvrager", "coördinator", "coordinator"),
    "partners": ("partners", "projectpartners", "consortium", "consortiumpartners"),
    "period": ("looptijd", "projectperiode", "periode"),
    "start": ("startdatum", "start"),
    "end": ("einddatum", "eind"),
    "subsidy": ("subsidie", "subsidiebedrag", "toegekende subsidie"),
    "budget": ("projectbudget", "totale projectkosten", "projectomvang", "totale kosten"),
    "tki": ("tki",),
    "website": ("website", "projectwebsite"),
}
# Required labels and the raw column each fills.
REQUIRED = {"grant_number": "grant_number", "scheme": "scheme", "lead": "lead_applicant"}

PROJECT_COLUMNS = {
    "tse_id": "VARCHAR",
    "page_url": "VARCHAR",
    "title": "VARCHAR",
    "grant_number": "VARCHAR",
    "scheme": "VARCHAR",
    "call_id": "VARCHAR",
    "call_round": "INTEGER",
    "mission": "VARCHAR",
    "lead_applicant": "VARCHAR",
    "start_date": "DATE",
    "end_date": "DATE",
    "subsidy_eur": "DOUBLE",
    "project_budget_eur": "DOUBLE",
    "tki": "VARCHAR",
    "website": "VARCHAR",
    "partner_count": "INTEGER",
}
PARTNER_COLUMNS = {
    "tse_id": "VARCHAR",
    "partner_seq": "INTEGER",
    "organisation": "VARCHAR",
    "is_lead": "BOOLEAN",
}


@dataclass
class TseExtract:
    projects: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    pages_read: int = 0
    other_schemes: dict[str, int] = field(default_factory=dict)  # skipped, by scheme
    warnings: list[str] = field(default_factory=list)  # loaded anyway, said in the metadata


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().casefold()


def label_values(soup: BeautifulSoup) -> dict[str, Tag]:
    """Every label -> value element pair on the page, from dl lists and two-cell table rows."""
    pairs: dict[str, Tag] = {}
    for dt in soup.find_all("dt"):
        dd = dt.find_next_sibling("dd")
        if dd is not None:
            pairs.setdefault(_norm_label(dt.get_text(" ")), dd)
    for row in soup.find_all("tr"):
        cells = row.find_all(["th", "td"], recursive=False)
        if len(cells) == 2:
            pairs.setdefault(_norm_label(cells[0].get_text(" ")), cells[1])
    return pairs


def _text(tag: Tag | None) -> str | None:
    if tag is None:
        return None
    text = re.sub(r"\s+", " ", tag.get_text(" ")).strip()
    return text or None


def _find(pairs: dict[str, Tag], name: str) -> Tag | None:
    return next((pairs[label] for label in LABELS[name] if label in pairs), None)


def _partner_names(tag: Tag | None) -> list[str]:
    if tag is None:
        return []
    items = [_text(li) for li in tag.find_all("li")]
    if not items:
        items = re.split(r"\s*[;\n]\s*|\s*,\s+(?=[A-Z0-9])", tag.get_text("\n").strip())
    names: list[str] = []
    for item in items:
        name = re.sub(r"\s+", " ", item or "").strip(" ,;")
        if name and name not in names:
            names.append(name)
    return names


def _round(text: str | None, scheme: str) -> int | None:
    for candidate in (text, scheme):
        if candidate and (match := re.search(r"\b(20\d{2})\b", candidate)):
            return int(match.group(1))
    return None


def _tse_id(url: str) -> str:
    match = PROJECT_PATH.match(urlparse(url).path)
    return match.group(1) if match else url


def parse_project(
    doc: RawDocument, catalogue: CallCatalogue
) -> tuple[dict[str, Any], list[dict[str, Any]]] | str:
    """The project and its partners, or just the scheme's name when it is not MOOI.

    A label or value that cannot be read is noted on the project (``sources.problems``): the
    quality step sets it aside; a label missing from *every* page fails the crawl
    (``parse_documents``).
    """
    soup = page_soup(doc)
    pairs = label_values(soup)
    value = {name: _text(_find(pairs, name)) for name in LABELS if name != "partners"}
    scheme = value["scheme"]
    if scheme is not None and not is_mooi(scheme):
        return scheme  # other schemes' pages may carry other labels: not our concern
    tse_id = _tse_id(doc.url)
    project: dict[str, Any] = {"tse_id": tse_id}
    for name, column in REQUIRED.items():
        if not value[name]:
            note(
                project,
                column,
                None,
                f"required label missing: {_label_list(name)}",
                REQUIRED_EMPTY,
            )
    title = _text(soup.find("h1"))
    if not title:
        note(project, "title", None, "no <h1> title on the project page", REQUIRED_EMPTY)

    def parsed(name: str, fn: Any, column: str) -> Any:
        try:
            return fn(value[name])
        except ValueError as exc:
            note(project, column, value[name], str(exc), UNREADABLE)
            return None

    # An unreadable period names both dates: which one is wrong cannot be told.
    start, end = parsed("period", dutch.parse_period, "start_date, end_date") or (None, None)
    start = start or parsed("start", dutch.parse_date, "start_date")
    end = end or parsed("end", dutch.parse_date, "end_date")
    lead = value["lead"]
    partner_names = [n for n in _partner_names(_find(pairs, "partners")) if n != lead]
    website = _find(pairs, "website")
    link = website.find("a", href=True) if website is not None else None
    call_round = _round(value["round"], scheme or "")
    call = catalogue.match_round(SOURCE_SYSTEM, call_round)
    project.update(
        {
            "page_url": doc.url,
            "title": title,
            "grant_number": re.sub(r"\s+", "", value["grant_number"] or "").upper() or None,
            "scheme": scheme,
            "call_id": call.call_id if call else None,
            "call_round": call_round,
            "mission": value["mission"],
            "lead_applicant": lead,
            "start_date": start,
            "end_date": end,
            "subsidy_eur": parsed("subsidy", dutch.parse_amount, "subsidy_eur"),
            "project_budget_eur": parsed("budget", dutch.parse_amount, "project_budget_eur"),
            "tki": value["tki"],
            "website": link["href"] if link is not None else value["website"],
            "partner_count": (1 if lead else 0) + len(partner_names),
        }
    )
    partners = []
    if lead:
        partners.append({"tse_id": tse_id, "partner_seq": 1, "organisation": lead, "is_lead": True})
    partners += [
        {"tse_id": tse_id, "partner_seq": i, "organisation": name, "is_lead": False}
        for i, name in enumerate(partner_names, start=len(partners) + 1)
    ]
    return project, partners


def is_mooi(scheme: str) -> bool:
    return re.search(r"\bmooi\b", scheme, re.IGNORECASE) is not None


def parse_documents(documents: list[RawDocument], catalogue: CallCatalogue) -> TseExtract:
    """Parse every project page; keep the MOOI ones (the listing mixes all schemes).

    A required label that no MOOI page carries means the site's HTML changed: that fails the
    crawl, naming the label and a page. On some pages only, it is a problem of those pages.
    """
    extract = TseExtract()
    for doc in documents:
        if doc.kind != "project":
            continue
        extract.pages_read += 1
        parsed = parse_project(doc, catalogue)
        if isinstance(parsed, str):
            extract.other_schemes[parsed] = extract.other_schemes.get(parsed, 0) + 1
            continue
        project, partners = parsed
        if replaced := doc.decoded.replaced_bytes:
            # Stray bytes its charset has no character for: shown as U+FFFD, not as mojibake.
            extract.warnings.append(
                f"{doc.url}: {replaced} byte(s) not {doc.decoded.encoding} read as U+FFFD "
                f"(charset from {doc.decoded.declared_by})"
            )
        extract.projects.append(project)
        extract.partners.extend(partners)
    _check_labels(extract.projects)
    return extract


def _label_list(name: str) -> str:
    return "one of " + ", ".join(repr(x) for x in LABELS[name])


def _check_labels(projects: list[dict[str, Any]]) -> None:
    what = {"title": "no <h1> title"} | {
        column: f"required label missing ({_label_list(name)})" for name, column in REQUIRED.items()
    }
    for column, problem in what.items():
        if projects and all(
            any(x["column"] == column for x in p.get(PROBLEMS, ())) for p in projects
        ):
            raise SourceError(
                SOURCE,
                projects[0]["page_url"],
                f"{problem} on every one of the {len(projects)} project pages that are not of "
                "another scheme: has the site's HTML changed?",
                field=column,
            )
