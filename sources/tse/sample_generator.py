"""Generate the bundled Topsector Energie sample: listing pages and project pages as HTML.

SAMPLE DATA. Run ``python -m sources.tse.sample_generator``; the output is deterministic.

What is real and what is invented (see docs/sources.md): the rounds, missions, the €4M cap and
the grant-number format follow what RVO and Topsector Energie published; the named projects
SmoothEMS met GridShield (MOOI32005), ROBUST (MOOI32014), TROEF (MOOI32025), NO-GIZMOS
(MOOI52109), local4local, Ecofactorij and ORKEST carry their published partners and, where
published, amounts (local4local's €4.6M is shown as project budget: it exceeds the €4M subsidy
cap). Every other title, partner list, amount, date and page id is invented for the sample.
The real site's markup could not be seen, so pages use two layouts (``<dl>`` and ``<table>``)
and varying label spellings, which the parser must read by label.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

OUT = Path(__file__).resolve().parent / "sample"
PER_LISTING_PAGE = 12
BANNER = (
    "SAMPLE DATA generated for LC Monitor (sources/tse/sample_generator.py); "
    "not the Topsector Energie project database"
)

SCHEME = "MOOI - Missiegedreven Onderzoek, Ontwikkeling en Innovatie"
TKI = {
    "Wind op zee": "TKI Wind op Zee",
    "Hernieuwbare elektriciteit op land": "TKI Urban Energy",
    "Gebouwde omgeving": "TKI Urban Energy",
    "Industrie": "TKI Energie en Industrie",
    "SIGOHE": "TKI Urban Energy",
    "A Elektriciteit": "TKI Urban Energy",
    "B Gebouwde omgeving": "TKI Urban Energy",
    "C Industrie": "TKI Energie en Industrie",
}

# Organisation pools per kind. Spellings deliberately differ from the NWOpen sample and the
# registers (Universiteit Twente / University of Twente, TNO / its full name, TU/e ...).
KNOWLEDGE = [
    "Universiteit Twente", "TU Eindhoven", "TU Delft", "TNO", "Rijksuniversiteit Groningen",
    "Wageningen University & Research", "Universiteit Utrecht", "Deltares", "DIFFER",
    "Nederlandse Organisatie voor toegepast-natuurwetenschappelijk onderzoek TNO",
    "Technische Universiteit Eindhoven", "Delft University of Technology",
]  # fmt: skip
UAS = [
    "Hogeschool Utrecht", "Saxion Hogeschool", "Hanzehogeschool Groningen", "Fontys",
    "Hogeschool van Amsterdam", "De Haagse Hogeschool", "HAN", "Hogeschool Rotterdam",
    "Avans Hogeschool", "HZ University of Applied Sciences", "Windesheim",
]  # fmt: skip
COMPANIES = {
    "Wind op zee": [
        "Van Oord", "Boskalis", "Heerema Marine Contractors", "Sif Netherlands",
        "Siemens Gamesa Renewable Energy", "TenneT TSO", "Eneco", "Vattenfall",
        "Huisman Equipment", "Damen Shipyards", "IHC Offshore", "Deltares", "Jan De Nul",
        "Seaway7", "Smulders", "Bredenoord", "Windpark Fryslân", "Ørsted Nederland",
    ],
    "Hernieuwbare elektriciteit op land": [
        "GroenLeven", "Solarfields", "Sunrock", "Exasun", "Solarge", "Alliander",
        "Enexis Netbeheer", "Stedin", "Eneco", "Tempress Systems", "Alfen", "Heliox",
        "Zonnepanelen Delen", "Powerfield", "Giga Storage", "Skoon Energy", "Dutch Solar Systems",
    ],
    "Gebouwde omgeving": [
        "Itho Daalderop", "Remeha", "Intergas", "Daikin Nederland", "Heijmans",
        "BAM Bouw en Techniek", "VolkerWessels", "Dura Vermeer", "Ennatuurlijk", "Eteck",
        "Kingspan Unidek", "Saint-Gobain Nederland", "Croonwolter&dros", "Woonbedrijf",
        "Factory Zero", "Ymere", "Portaal", "Nathan Systems", "Alkondor", "Inventum",
    ],
    "Industrie": [
        "Tata Steel Nederland", "Nouryon", "Dow Benelux", "Yara Sluiskil", "Shell Nederland",
        "Nobian", "Gasunie", "HyCC", "Sitech Services", "Chemelot", "Yokogawa Europe",
        "Bronkhorst High-Tech", "Stork", "Witteveen+Bos", "AVEBE", "Cosun Beet Company",
        "FrieslandCampina", "Smurfit Westrock", "Holland Malt", "Kropman",
    ],
}  # fmt: skip
COMPANIES["SIGOHE"] = COMPANIES["Gebouwde omgeving"][:7] + COMPANIES[
    "Hernieuwbare elektriciteit op land"][:6]  # fmt: skip
COMPANIES["A Elektriciteit"] = COMPANIES["Hernieuwbare elektriciteit op land"] + COMPANIES[
    "Wind op zee"][:6]  # fmt: skip
COMPANIES["B Gebouwde omgeving"] = COMPANIES["Gebouwde omgeving"]
COMPANIES["C Industrie"] = COMPANIES["Industrie"]


@dataclass
class Page:
    title: str
    grant: str
    round_text: str
    mission: str
    lead: str
    partners: list[str]
    start: str | None = None  # Dutch notation as the page shows it
    end: str | None = None
    period: str | None = None
    subsidy: str | None = None
    budget: str | None = None
    website: str | None = None
    layout: str = "dl"  # "dl" or "table"
    lead_label: str = "Penvoerder"
    partner_style: str = "list"  # "list" or "text"
    scheme: str = SCHEME
    summary: str = ""
    page_id: int = 0
    real: bool = False  # a project named in docs/sources.md: no invented partners or amounts
    extra: dict[str, str] = field(default_factory=dict)


# The real projects named in docs/sources.md, with their published partners.
REAL = [
    Page("SmoothEMS met GridShield", "MOOI32005", "2020", "Hernieuwbare elektriciteit op land",
         "Universiteit Twente", ["ElaadNL", "AmperaPark"]),
    Page("ROBUST", "MOOI32014", "2020", "Hernieuwbare elektriciteit op land",
         "TNO", []),
    Page("TROEF", "MOOI32025", "2020", "Gebouwde omgeving", "TNO", ["Hogeschool Utrecht"],
         lead_label="Aanvrager"),
    Page("ORKEST", "MOOI32031", "2020", "Hernieuwbare elektriciteit op land", "Stedin",
         ["DNV", "Netbeheer Nederland", "Phase to Phase", "Technolution", "TU Eindhoven"],
         layout="table", partner_style="text"),
    Page("local4local", "MOOI322014", "MOOI 2022", "A Elektriciteit", "Energie Samen", [],
         budget="€ 4,6 miljoen"),
    Page("Ecofactorij", "MOOI322009", "2022", "A Elektriciteit",
         "Parkmanagement Coöperatie Ecofactorij",
         ["VDL Energy Systems", "Scholt Energy", "Firan", "Universiteit Twente", "Saxion"],
         subsidy="€ 1,8 miljoen", layout="table"),
    Page("NO-GIZMOS", "MOOI52109", "2024", "A Elektriciteit", "TU Delft", []),
]  # fmt: skip

# Invented projects: (title, grant, round label, mission).
INVENTED = [
    ("OFFSHORE-FLEX", "MOOI32002", "2020", "Wind op zee"),
    ("Kabelvrij Fundament", "MOOI32008", "2020", "Wind op zee"),
    ("Zon op Water Noord", "MOOI32011", "2020", "Hernieuwbare elektriciteit op land"),
    ("Wijkwarmte 2030", "MOOI32017", "2020", "Gebouwde omgeving"),
    ("Renovatie in een Dag", "MOOI32020", "2020", "Gebouwde omgeving"),
    ("ELECTRIFY-PROCESS", "MOOI32028", "2020", "Industrie"),
    ("Restwarmte Rijnmond", "MOOI32034", "2020", "Industrie"),
    ("Slimme Buurtbatterij", "MOOI41003", "2021 (SIGOHE)", "SIGOHE"),
    ("Warmtepomp als Netbuffer", "MOOI41007", "2021 (SIGOHE)", "SIGOHE"),
    ("Energiehub Bedrijventerrein", "MOOI41011", "2021 (SIGOHE)", "SIGOHE"),
    ("GRIDREADY Wijken", "MOOI41015", "2021 (SIGOHE)", "SIGOHE"),
    ("CONGESTIE-NL", "MOOI322003", "2022", "A Elektriciteit"),
    ("Hybride Zonneparken", "MOOI322021", "2022", "A Elektriciteit"),
    ("Isolatie op Maat", "MOOI322027", "2022", "B Gebouwde omgeving"),
    ("Collectief Lage Temperatuur", "MOOI322033", "2022", "B Gebouwde omgeving"),
    ("Prefab Energiemodule", "MOOI322039", "2022", "B Gebouwde omgeving"),
    ("ElektroKraken", "MOOI322045", "2022", "C Industrie"),
    ("H2-Ready Fornuizen", "MOOI322051", "2022", "C Industrie"),
    ("CIRCULAIR CO2", "MOOI322057", "2022", "C Industrie"),
    ("HEATWISE", "MOOI52101", "2024", "B Gebouwde omgeving"),
    ("NETFLEX", "MOOI52104", "2024", "A Elektriciteit"),
    ("GREENSTEEL-LOOP", "MOOI52107", "2024", "C Industrie"),
    ("WARMTEPOORT", "MOOI52112", "2024", "B Gebouwde omgeving"),
    ("H2-PROCESWARMTE", "MOOI52115", "2024", "C Industrie"),
    ("Windpark als Batterij", "MOOI52118", "2024", "A Elektriciteit"),
    ("Stoomloos Drogen", "MOOI52121", "2024", "C Industrie"),
    ("Seriematig Verduurzamen", "MOOI52124", "2024", "B Gebouwde omgeving"),
]

# Pages of other schemes in the same database: the connector must skip them. Their labels
# differ (no penvoerder on some), which is why the scheme is read first.
OTHER = [
    ("Demo Groen Gas Hub", "DEI+: Demonstratie Energie- en Klimaatinnovatie", "DEI1234567"),
    ("Zonnedak Demonstrator", "DEI+: Demonstratie Energie- en Klimaatinnovatie", "DEI2234567"),
    ("Proeftuin Aquathermie", "HER+: Hernieuwbare Energietransitie", "HER3200123"),
    ("Biomassa Vergasser Pilot", "HER+: Hernieuwbare Energietransitie", "HER3200456"),
    ("TKI Toeslag Warmtenet", "PPS-toeslag Onderzoek en Innovatie", "TKITOE1921"),
    ("Waterstof Compressie Studie", "TSE Industrie Studies", "TEIS120005"),
]

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]  # fmt: skip


def _round_year(round_text: str) -> int:
    match = re.search(r"20\d{2}", round_text)
    assert match
    return int(match.group())


def _fill(page: Page, rng: random.Random, index: int) -> Page:
    """Complete an invented page deterministically: partners, dates, amounts, layout."""
    year = _round_year(page.round_text)
    if not page.partners and not page.real:
        companies = rng.sample(COMPANIES[page.mission], rng.randint(3, 5))
        knowledge = rng.sample(KNOWLEDGE, rng.randint(1, 2))
        uas = rng.sample(UAS, rng.randint(0, 2))
        page.partners = [c for c in companies + knowledge + uas if c != page.lead]
    start_month = rng.choice([1, 3, 4, 6, 7, 9, 10])
    start_year = year + 1 if year != 2021 else 2022
    years = rng.choice([3, 4, 4, 5])
    style = index % 4
    if style == 0:
        page.period = f"1 {MONTHS[start_month - 1]} {start_year} - 31 december {start_year + years}"
    elif style == 1:
        page.start = f"01-{start_month:02d}-{start_year}"
        page.end = f"30-06-{start_year + years}"
    elif style == 2:
        page.period = f"{MONTHS[start_month - 1]} {start_year} t/m {start_year + years}-12-31"
    else:
        page.start = f"1 {MONTHS[start_month - 1]} {start_year}"
        page.end = f"{start_year + years}-{start_month:02d}-01"
    # Some pages show no amount at all.
    if page.subsidy is None and not page.real and index % 7 != 3:
        amount = rng.randrange(900_000, 4_000_001, 1_000)
        page.subsidy = [
            f"€ {amount:,}".replace(",", "."),
            f"€ {amount / 1e6:.1f} miljoen".replace(".", ","),
            f"€\u00a0{amount:,},-".replace(",", ".").replace(".-", ",-"),
            f"EUR {amount:,}".replace(",", "."),
        ][index % 4]
    if page.budget is None and not page.real and index % 3 == 0 and page.subsidy:
        page.budget = f"€ {rng.randrange(4_500_000, 9_000_000, 10_000):,}".replace(",", ".")
    slug = _slug(page.title)
    if index % 5 != 2:
        page.website = f"https://www.{slug.replace('-', '')}.nl"
    if page.layout == "dl" and index % 3 == 1:
        page.layout = "table"
    if index % 6 == 4:
        page.partner_style = "text"
    if index % 9 == 5:
        page.lead_label = "Aanvrager"
    page.summary = (
        f"{page.title} is een MOOI-project in de missie {page.mission}. "
        "Deze tekst is voorbeelddata."
    )
    return page


def _slug(title: str) -> str:
    text = title.lower().replace("ö", "o").replace("&", "en")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def build_pages() -> list[Page]:
    rng = random.Random(20241124)
    pages: list[Page] = []
    for page in REAL:
        page.real = True
        pages.append(page)
    for title, grant, round_text, mission in INVENTED:
        lead_pool = COMPANIES[mission] + KNOWLEDGE[:4]
        pages.append(Page(title, grant, round_text, mission, rng.choice(lead_pool), []))
    for index, page in enumerate(pages):
        _fill(page, rng, index)
    # Stable but unordered ids, as a CMS hands them out.
    ids = rng.sample(range(31000, 39999), len(pages) + len(OTHER))
    for page, page_id in zip(pages, ids, strict=False):
        page.page_id = page_id
    others = []
    for (title, scheme, number), page_id in zip(OTHER, ids[len(pages) :], strict=True):
        other = Page(title, number, "2023", "", rng.choice(COMPANIES["Industrie"]), [],
                     scheme=scheme, page_id=page_id, period="1 maart 2023 - 28 februari 2025",
                     subsidy="€ 750.000")  # fmt: skip
        other.extra = {"Type project": "Demonstratie"}
        others.append(other)
    merged = pages + others
    rng.shuffle(merged)
    return merged


def _value_rows(page: Page) -> list[tuple[str, str]]:
    partners = (
        "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in page.partners) + "</ul>"
        if page.partner_style == "list"
        else escape(", ".join(page.partners))
    )
    rows = [("Regeling", escape(page.scheme))]
    if page.scheme == SCHEME:
        rows += [
            ("Projectnummer", page.grant),
            ("Openstelling" if "SIGOHE" in page.round_text else "Ronde", page.round_text),
            ("Missie" if page.mission[0] in "ABC" and page.mission[1] == " " else "Thema",
             escape(page.mission)),
            (page.lead_label, escape(page.lead)),
        ]  # fmt: skip
        if page.partners:
            rows.append(("Partners", partners))
    else:
        rows.append(("Dossiernummer", page.grant))
        rows += list(page.extra.items())
    if page.period:
        rows.append(("Looptijd", page.period))
    if page.start:
        rows.append(("Startdatum", page.start))
    if page.end:
        rows.append(("Einddatum", page.end))
    if page.subsidy:
        rows.append(("Subsidie", escape(page.subsidy)))
    if page.budget:
        rows.append(("Projectbudget", escape(page.budget)))
    if page.scheme == SCHEME:
        rows.append(("TKI", TKI[page.mission]))
    if page.website:
        rows.append(("Website", f'<a href="{page.website}" rel="nofollow">{page.website}</a>'))
    return rows


def _layout(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{escape(title)} | Projecten Topsector Energie</title>
<meta name="robots" content="noindex">
</head>
<body>
<div class="sample-banner" role="note">{BANNER}</div>
<header><nav><a href="/">Home</a> <a href="/projecten">Projecten</a> <a href="/over">Over</a></nav>
</header>
<main>
{body}
</main>
<footer><p>&copy; Topsector Energie (voorbeeld)</p><script>window.dataLayer=[];</script></footer>
</body>
</html>
"""


def project_html(page: Page) -> str:
    rows = _value_rows(page)
    if page.layout == "dl":
        # Label case and a trailing colon vary between templates.
        details = (
            '<dl class="project-details">\n'
            + "\n".join(f"  <dt>{label}:</dt>\n  <dd>{value}</dd>" for label, value in rows)
            + "\n</dl>"
        )
    else:
        details = "<table class=\"kenmerken\">\n<tbody>\n" + "\n".join(
            f"<tr><th scope=\"row\">{label.upper() if label == 'TKI' else label}</th>"
            f"<td>{value}</td></tr>" for label, value in rows
        ) + "\n</tbody>\n</table>"  # fmt: skip
    body = f"""<article class="project">
<h1>
  {escape(page.title)}
</h1>
<p class="intro">{escape(page.summary or "Projectomschrijving volgt.")}</p>
<section class="details">
<h2>Projectgegevens</h2>
{details}
</section>
<aside><h2>Gerelateerd</h2><a href="/nieuws/energie-innovatie">Nieuws over energie-innovatie</a>
</aside>
</article>"""
    return _layout(page.title, body)


def listing_html(pages: list[Page], number: int, total: int) -> str:
    items = "\n".join(
        f'<li class="project-card"><a href="/projecten/{_slug(p.title)}-{p.page_id}">'
        f'{escape(p.title)}</a> <span class="regeling">{escape(p.scheme.split(" ")[0])}</span>'
        "</li>"
        for p in pages
    )
    featured = ""
    if number == 1:
        # A "featured" box repeats a project link that the list also holds (absolute URL).
        first = pages[0]
        featured = (
            '<section class="uitgelicht"><a href="https://projecten.topsectorenergie.nl/'
            f'projecten/{_slug(first.title)}-{first.page_id}">Uitgelicht: '
            f"{escape(first.title)}</a></section>\n"
        )
    nav = '<nav class="pager">'
    if number > 1:
        previous = "/projecten" if number == 2 else f"/projecten?page={number - 1}"
        nav += f'<a href="{previous}" rel="prev">Vorige</a> '
    if number < total:
        # The last "next" link is text-only (no rel): the crawler must find it by its text.
        rel = ' rel="next"' if number < total - 1 else ""
        nav += f'<a href="/projecten?page={number + 1}"{rel}>Volgende</a>'
    nav += "</nav>"
    body = (
        f"<h1>Projecten</h1>\n{featured}<p>Pagina {number} van {total}</p>\n"
        f'<ul class="projecten">\n{items}\n</ul>\n{nav}'
    )
    return _layout("Projecten", body)


def main() -> None:
    pages = build_pages()
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "projecten").mkdir(parents=True)
    chunks = [pages[i : i + PER_LISTING_PAGE] for i in range(0, len(pages), PER_LISTING_PAGE)]
    for number, chunk in enumerate(chunks, start=1):
        name = "projecten.html" if number == 1 else f"projecten.page-{number}.html"
        (OUT / name).write_text(listing_html(chunk, number, len(chunks)), encoding="utf-8")
    for page in pages:
        path = OUT / "projecten" / f"{_slug(page.title)}-{page.page_id}.html"
        path.write_text(project_html(page), encoding="utf-8")
    mooi = sum(p.scheme == SCHEME for p in pages)
    (OUT / "README.md").write_text(
        f"""# SAMPLE DATA — Topsector Energie project database (MOOI)

Generated by `python -m sources.tse.sample_generator`; do not edit by hand.
The folder mirrors the site's paths: `projecten.html` is `/projecten`,
`projecten.page-N.html` is `/projecten?page=N`, `projecten/<slug>-<id>.html` is
`/projecten/<slug>-<id>`.

{len(chunks)} listing pages, {len(pages)} project pages: {mooi} MOOI projects and
{len(pages) - mooi} of other schemes (DEI+, HER+, ...), which the connector skips.

Real: the rounds and missions, the grant-number format, and the projects SmoothEMS met
GridShield (MOOI32005), ROBUST (MOOI32014), TROEF (MOOI32025), NO-GIZMOS (MOOI52109),
local4local, Ecofactorij and ORKEST with their published partners and published amounts.
Invented: every other title, grant number, partner list, date, amount and page id, and for the
real projects the lead where none was published (ROBUST, TROEF, NO-GIZMOS, ORKEST's order),
their dates and the grant numbers of local4local, Ecofactorij and ORKEST. The real
site's markup could not be checked; pages use `<dl>` and `<table>` layouts and varying labels.
""",
        encoding="utf-8",
    )
    print(f"wrote {len(chunks)} listing pages and {len(pages)} project pages to {OUT}")


if __name__ == "__main__":
    main()
