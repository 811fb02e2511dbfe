"""Reading a Topsector Energie project page by its labels, not by position.

Which labels the real pages show could not be checked (shared docs/sources.md), so each field
has a list of label spellings, labels are matched regardless of case and a trailing colon,
and label/value pairs are read from ``<dl>`` (dt/dd) and ``<table>`` (th/td) alike. A missing
required label fails loudly, naming the page and the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from bs4 import BeautifulSoup, Tag

from sources import dutch
from sources.errors import SourceError
from sources.tse.site import PROJECT_PATH, SOURCE, RawDocument

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
REQUIRED = ("grant_number", "scheme", "lead")

PROJECT_COLUMNS = {
    "tse_id": "VARCHAR",
    "page_url": "VARCHAR",
    "title": "VARCHAR",
    "grant_number": "VARCHAR",
    "scheme": "VARCHAR",
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


def _require(pairs: dict[str, Tag], name: str, doc: RawDocument) -> str:
    text = _text(_find(pairs, name))
    if not text:
        raise SourceError(
            SOURCE, doc.location,
            f"required label missing: one of {', '.join(repr(x) for x in LABELS[name])}; "
            f"labels on the page: {', '.join(sorted(pairs)) or 'none'}",
            field=LABELS[name][0],
        )  # fmt: skip
    return text


def parse_project(doc: RawDocument) -> tuple[dict[str, Any], list[dict[str, Any]]] | str:
    """The project and its partners, or just the scheme's name when it is not MOOI."""
    soup = BeautifulSoup(doc.content.decode("utf-8", errors="replace"), "html.parser")
    pairs = label_values(soup)
    scheme = _require(pairs, "scheme", doc)
    if not is_mooi(scheme):
        return scheme  # other schemes' pages may carry other labels: not our concern
    title = _text(soup.find("h1"))
    if not title:
        raise SourceError(SOURCE, doc.location, "no <h1> title on the project page",
                          field="title")  # fmt: skip
    for name in REQUIRED:
        _require(pairs, name, doc)
    value = {name: _text(_find(pairs, name)) for name in LABELS if name != "partners"}

    def parsed(name: str, fn: Any) -> Any:
        try:
            return fn(value[name])
        except ValueError as exc:
            raise SourceError(SOURCE, doc.location, str(exc), field=LABELS[name][0]) from exc

    start, end = parsed("period", dutch.parse_period)
    start = start or parsed("start", dutch.parse_date)
    end = end or parsed("end", dutch.parse_date)
    lead = value["lead"]
    partner_names = [n for n in _partner_names(_find(pairs, "partners")) if n != lead]
    website = _find(pairs, "website")
    link = website.find("a", href=True) if website is not None else None
    tse_id = _tse_id(doc.url)
    project = {
        "tse_id": tse_id,
        "page_url": doc.url,
        "title": title,
        "grant_number": re.sub(r"\s+", "", value["grant_number"] or "").upper(),
        "scheme": value["scheme"],
        "call_round": _round(value["round"], value["scheme"] or ""),
        "mission": value["mission"],
        "lead_applicant": lead,
        "start_date": start,
        "end_date": end,
        "subsidy_eur": parsed("subsidy", dutch.parse_amount),
        "project_budget_eur": parsed("budget", dutch.parse_amount),
        "tki": value["tki"],
        "website": link["href"] if link is not None else value["website"],
        "partner_count": 1 + len(partner_names),
    }
    partners = [{"tse_id": tse_id, "partner_seq": 1, "organisation": lead, "is_lead": True}]
    partners += [
        {"tse_id": tse_id, "partner_seq": i, "organisation": name, "is_lead": False}
        for i, name in enumerate(partner_names, start=2)
    ]
    return project, partners


def is_mooi(scheme: str) -> bool:
    return re.search(r"\bmooi\b", scheme, re.IGNORECASE) is not None


def parse_documents(documents: list[RawDocument]) -> TseExtract:
    """Parse every project page; keep the MOOI ones (the listing mixes all schemes)."""
    extract = TseExtract()
    for doc in documents:
        if doc.kind != "project":
            continue
        extract.pages_read += 1
        parsed = parse_project(doc)
        if isinstance(parsed, str):
            extract.other_schemes[parsed] = extract.other_schemes.get(parsed, 0) + 1
            continue
        project, partners = parsed
        extract.projects.append(project)
        extract.partners.extend(partners)
    return extract
