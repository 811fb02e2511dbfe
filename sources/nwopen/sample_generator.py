"""Generates the bundled NWOpen sample snapshot (SAMPLE DATA, not real NWO records).

Run ``python -m sources.nwopen.sample_generator`` to rewrite ``sources/nwopen/sample/``. The
output is deterministic. Call names, the file-number format, the envelope and every known quirk
follow shared docs/sources.md; organisation names are real Dutch organisations, but titles,
people, file numbers, ORCIDs, dates and amounts are invented for testing and demonstration.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "sample"
PER_PAGE = 100

CALL_KIC_2021 = "Human Capital: Learning communities als innovatieversneller"
CALL_KIC_2023 = (
    "Human Capital, learning communities nodig voor maatschappelijke en technologische transities"
)
CALL_GVNL = "Learning communities als aanjagers van de groene waterstofeconomie"

# (organisation path as NWOpen writes it, ROR id or None)
UNIVERSITIES = [
    (
        "Universiteit Twente||Faculty of Engineering Technology||Thermal and Fluid Engineering",
        "https://ror.org/006hf6230",
    ),
    (
        "University of Twente||Faculty of Behavioural, Management and Social Sciences",
        "https://ror.org/006hf6230",
    ),
    (
        "Technische Universiteit Eindhoven||Department of Electrical Engineering",
        "https://ror.org/02c2kyt77",
    ),
    (
        "Eindhoven University of Technology||Department of Mechanical Engineering",
        "https://ror.org/02c2kyt77",
    ),
    (
        "Technische Universiteit Delft||Faculteit Technische Natuurwetenschappen",
        "https://ror.org/02e2c7k09",
    ),
    (
        "Delft University of Technology||Faculty of Electrical Engineering, Mathematics and "
        "Computer Science",
        "https://ror.org/02e2c7k09",
    ),
    (
        "Rijksuniversiteit Groningen||Faculty of Science and Engineering",
        "https://ror.org/012p63287",
    ),
    (
        "Universiteit Utrecht||Faculteit Geowetenschappen||Copernicus Institute",
        "https://ror.org/04pp8hn57",
    ),
    ("Wageningen University & Research||Environmental Sciences Group", "https://ror.org/04qw24q55"),
    (
        "Universiteit van Amsterdam||Faculteit der Natuurwetenschappen, Wiskunde en Informatica",
        "https://ror.org/04dkp9463",
    ),
    ("Vrije Universiteit Amsterdam||Faculty of Science", "https://ror.org/008xxew50"),
    ("Radboud Universiteit||Faculteit der Natuurwetenschappen", "https://ror.org/016xsfp80"),
    (
        "Universiteit Leiden||Faculteit der Wiskunde en Natuurwetenschappen",
        "https://ror.org/027bh9e22",
    ),
    ("Maastricht University||Faculty of Science and Engineering", "https://ror.org/02jz4aj89"),
    ("Erasmus Universiteit Rotterdam||Erasmus School of Economics", "https://ror.org/057w15z03"),
    ("Tilburg University||Tilburg School of Economics and Management", "https://ror.org/04b8v1s79"),
]
HOGESCHOLEN = [
    ("Hanzehogeschool Groningen||Kenniscentrum Energie", None),
    ("Hanze University of Applied Sciences||Centre of Expertise Energy", None),
    ("Saxion||Lectoraat Duurzame Energievoorziening", None),
    ("Fontys Hogescholen||Fontys Engineering", None),
    ("Hogeschool van Arnhem en Nijmegen||Academie Engineering en Automotive", None),
    ("HAN University of Applied Sciences", None),
    ("Hogeschool Utrecht||Kenniscentrum Duurzame Ontwikkeling", None),
    ("Hogeschool van Amsterdam||Faculteit Techniek", None),
    ("Hogeschool Rotterdam||Kenniscentrum Duurzame HavenStad", None),
    ("HZ University of Applied Sciences||Lectoraat Delta Power", None),
    ("Avans Hogeschool||Centre of Expertise Biobased Economy", None),
    ("Hogeschool Windesheim||Lectoraat Energietransitie", None),
    ("NHL Stenden Hogeschool||Lectoraat Energietransitie", None),
    ("Zuyd Hogeschool||Lectoraat Energietransitie", None),
    ("Hogeschool Inholland", None),
    ("De Haagse Hogeschool||Lectoraat Energie in Transitie", None),
    ("Hogeschool Saxion", None),
]
MBO = [
    ("Scalda", None),
    ("Noorderpoort", None),
    ("ROC van Twente", None),
    ("Graafschap College", None),
    ("Da Vinci College", None),
    ("ROC Midden Nederland", None),
    ("Albeda", None),
    ("Zadkine", None),
    ("Alfa-college", None),
    ("Drenthe College", None),
    ("Deltion College", None),
    ("Summa College", None),
    ("Curio", None),
    ("Rijn IJssel", None),
    ("Techniek College Rotterdam", None),
    ("ROC Nova College", None),
]
INSTITUTES = [
    ("TNO", "https://ror.org/01bnjb948"),
    (
        "Nederlandse Organisatie voor Toegepast Natuurwetenschappelijk Onderzoek TNO||Energy "
        "Transition",
        "https://ror.org/01bnjb948",
    ),
    ("DIFFER", None),
    ("Deltares", None),
    ("Nationaal Lucht- en Ruimtevaartlaboratorium", None),
]
COMPANIES = [
    ("Gasunie", None),
    ("N.V. Nederlandse Gasunie", None),
    ("Alliander N.V.", None),
    ("Stedin", None),
    ("Enexis Groep", None),
    ("TenneT TSO B.V.", None),
    ("Yara Sluiskil B.V.", None),
    ("Dow Benelux B.V.", None),
    ("Nobian", None),
    ("VDL Energy Systems", None),
    ("Alfen N.V.", None),
    ("Shell Nederland B.V.", None),
    ("Eneco", None),
    ("Vattenfall", None),
    ("Hygro", None),
    ("HyCC", None),
    ("Zeeland Refinery", None),
    ("Engie Nederland", None),
    ("Royal HaskoningDHV", None),
    ("Witteveen+Bos", None),
    ("Siemens Energy B.V.", None),
    ("Bosch Rexroth B.V.", None),
]
OTHERS = [
    ("New Energy Coalition", None),
    ("Provincie Groningen", None),
    ("Gemeente Enschede", None),
    ("Provincie Zeeland", None),
    ("Smart Delta Resources", None),
    ("Energy Innovation NL", None),
]

FIRST = [
    "Anna",
    "Bram",
    "Carlijn",
    "Daan",
    "Eva",
    "Floor",
    "Gijs",
    "Hanna",
    "Ilse",
    "Jeroen",
    "Kim",
    "Lars",
    "Maud",
    "Niels",
    "Olga",
    "Pieter",
    "Rosa",
    "Sander",
    "Tessa",
    "Ruben",
    "Wouter",
    "Yara",
    "Zoë",
    "Mehmet",
    "Fatima",
    "Sanne",
    "Thijs",
    "Lotte",
    "Joris",
    "Noor",
]
LAST = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("", "Yilmaz"),
    ("el", "Amrani"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
]

# Titles of sample Learning Communities (invented) with the organisations that take part.
LC_KIC_2021 = [
    ("Learning Community Elektrificatie Industrie Noord", [0, "Hanze", "Noorderpoort", "Gasunie"]),
    (
        "Learning Community Warmtetransitie in de Wijk",
        ["Hogeschool Utrecht", 7, "ROC Midden", "Eneco"],
    ),
    (
        "Learning Community Netcongestie en Flexibiliteit",
        [1, "Saxion", "ROC van Twente", "Alliander", "Enexis"],
    ),
]
LC_KIC_2023 = [
    ("Learning Community Waterstof in de Maakindustrie", [3, "Fontys", "Summa", "VDL"]),
    ("Learning Community Slimme Energiesystemen Oost", [0, "Saxion", "Graafschap", "Alfen"]),
    (
        "Learning Community Duurzame Haven Rotterdam",
        [14, "Hogeschool Rotterdam", "Albeda", "Shell"],
    ),
    ("Learning Community Circulaire Chemie Zuid", [13, "Zuyd", "Dow"]),
    (
        "Learning Community Energieke Gebouwde Omgeving",
        [9, "Hogeschool van Amsterdam", "Eneco", "Gemeente Enschede"],
    ),
    ("Learning Community Offshore Wind Skills", [4, "Hogeschool Inholland", "TenneT", "Siemens"]),
    ("Learning Community Biobased Bouwen", [8, "Avans", "Da Vinci", "Witteveen"]),
    ("Learning Community Digitale Netten", [2, "HAN University", "Rijn IJssel", "Stedin"]),
    (
        "Learning Community Energietransitie Friesland",
        [6, "NHL Stenden", "Alfa-college", "Provincie Groningen"],
    ),
    ("Learning Community Warmtenetten Midden", ["Hogeschool Utrecht", 7, "Vattenfall", "Curio"]),
    ("Learning Community Elektrische Mobiliteit", [5, "De Haagse", "ROC Nova", "Bosch Rexroth"]),
]
LC_GVNL = [
    (
        "Hydrogen Lab Zuidwest",
        ["HZ University", "Scalda", "Yara", "Zeeland Refinery", "Smart Delta"],
    ),
    ("Applied Research Team Waterstof Oost", [0, "Saxion", "ROC van Twente", "Hygro"]),
    ("Hydrogen Valley Campus Noord", [6, "Hanze University", "Noorderpoort", "New Energy", "HyCC"]),
    ("Waterstof Werkt", ["Hanzehogeschool", "Drenthe College", "New Energy", "Gasunie"]),
    ("Learning Community Waterstof Noordwest", [9, "Hogeschool van Amsterdam", "Nova", "Nobian"]),
    (
        "Learning Community Waterstof Rotterdam-Moerdijk",
        [4, "Hogeschool Rotterdam", "Techniek College", "Engie", "TNO"],
    ),
]

OTHER_SCHEMES = [
    # (funding_scheme_id, funding_scheme, file-number prefix, department)
    (301, "NWO Talentprogramma Veni ENW", "VI.Veni", "ENW"),
    (302, "NWO Talentprogramma Vidi TTW", "VI.Vidi", "TTW"),
    (303, "Open Competitie ENW - XS", "OCENW.XS", "ENW"),
    (304, "KIC Sleuteltechnologieën", "KICH1.ST", "TTW"),
    (305, "KIC Energietransitie en Duurzaamheid", "KICH1.ED", "TTW"),
    (306, "Nationale Wetenschapsagenda - Onderzoek op Routes door Consortia", "NWA.1389", "NWA"),
    (307, "Take-off fase 1", "TOF.TTW", "TTW"),
    (308, "RAAK-mkb", "RAAK.MKB", "SIA"),
    (309, "Perspectief", "PERSP.TTW", "TTW"),
    # GroenvermogenNL's R&D call for work package 2 (Staatscourant 2022, 31338).
    (
        310,
        "NGF: Transport en opslag van waterstof Groenvermogen NL \u2013 Werkpakket 2",
        "NGF.1582",
        "ENW",
    ),
]
TOPICS = [
    "zonnecellen",
    "batterijopslag",
    "warmtepompen",
    "windturbines",
    "elektrolyse",
    "netstabiliteit",
    "CO2-opslag",
    "biobrandstoffen",
    "smart grids",
    "warmtenetten",
    "waterstofopslag",
    "membraantechnologie",
    "katalyse",
    "perovskieten",
    "geothermie",
    "energiegemeenschappen",
    "elektrische voertuigen",
    "vraagsturing",
    "thermische opslag",
    "supergeleiders",
    "kernfusie",
    "procesintensificatie",
    "ammoniak als brandstof",
]
TEMPLATES = [
    "Nieuwe materialen voor {t}",
    "Modellering van {t} in stedelijke systemen",
    "Betrouwbare {t} voor de energietransitie",
    "{t}: van laboratorium naar praktijk",
    "Sociale acceptatie van {t}",
    "Kosteneffectieve {t} in de industrie",
    "Data-gedreven optimalisatie van {t}",
    "Veilige en circulaire {t}",
]


def _find(pool: list[tuple[str, str | None]], needle: str | int) -> tuple[str, str | None]:
    if isinstance(needle, int):
        return UNIVERSITIES[needle]
    for org in pool:
        if org[0].lower().startswith(needle.lower()) or needle.lower() in org[0].lower():
            return org
    raise KeyError(needle)


ALL_ORGS = UNIVERSITIES + HOGESCHOLEN + MBO + INSTITUTES + COMPANIES + OTHERS


class Generator:
    def __init__(self, seed: int = 20261124):
        self.rng = random.Random(seed)
        self.member_seq = 100000

    def person(self, role: str, org: tuple[str, str | None]) -> dict[str, Any]:
        rng = self.rng
        first = rng.choice(FIRST)
        prefix, last = rng.choice(LAST)
        self.member_seq += rng.randint(1, 40)
        orcid_roll = rng.random()
        if orcid_roll < 0.55:
            orcid = (
                f"https://orcid.org/0000-0000-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
            )
        elif orcid_roll < 0.75:
            orcid = "https://orcid.org/-"  # the API's placeholder for "no ORCID"
        else:
            orcid = None
        return {
            "role": role,
            "member_id": self.member_seq,
            "first_name": first,
            "initials": first[0] + ".",
            "prefix": prefix or None,
            "last_name": last,
            "degree_pre_nominal": rng.choice(["dr.", "prof. dr.", "ir.", "dr. ir.", None]),
            "degree_post_nominal": None,
            "orcid": orcid,
            "dai": None,
            "organisation": org[0],
            "organisation_id": None,
            "ror": org[1],
            "active": True,
        }

    def dates(self, start_year: int, years: int, iso_datetime: bool) -> tuple[str, str | None]:
        month = self.rng.choice([1, 3, 4, 9, 10])
        start = f"{start_year}-{month:02d}-01"
        end = f"{start_year + years}-{month:02d}-01" if years else None
        if iso_datetime:
            start = start + "T00:00:00"
            end = end + "T00:00:00" if end else None
        return start, end

    def project(
        self,
        *,
        project_id: str,
        title: str,
        scheme_id: int,
        scheme: str,
        department: str,
        start_year: int,
        years: int,
        members: list[dict[str, Any]],
        award: float | None = None,
    ) -> dict[str, Any]:
        start, end = self.dates(start_year, years, iso_datetime=self.rng.random() < 0.5)
        grant = (
            f"https://doi.org/10.61686/{self.rng.randint(10000, 99999)}"
            if start_year >= 2022
            else None
        )
        return {
            "project_id": project_id,
            "grant_id": grant,
            "parent_project_id": None,
            "title": title,
            "funding_scheme_id": scheme_id,
            "funding_scheme": scheme,
            "department": department,
            "sub_department": None,
            "start_date": start,
            "end_date": end,
            "summary_nl": f"SAMPLE DATA. Voorbeeldsamenvatting van '{title}'.",
            "summary_en": f"SAMPLE DATA. Example summary of '{title}'.",
            "summary_updates": [],
            "project_members": members,
            "products": [],
            "reporting_year": None,
            "award_amount": award,
        }

    def lc_projects(self) -> list[dict[str, Any]]:
        projects = []
        calls = [
            (LC_KIC_2021, "KICH4.LC.21", 7021, CALL_KIC_2021, 2022, 4),
            (LC_KIC_2023, "KICH4.LC.23", 7023, CALL_KIC_2023, 2024, 6),
            (LC_GVNL, "NGF.1623.24", 7124, CALL_GVNL, 2024, 4),
        ]
        for items, prefix, scheme_id, scheme, start_year, years in calls:
            for seq, (title, partners) in enumerate(items, start=1):
                orgs = [_find(ALL_ORGS, p) for p in partners]
                members = [self.person("Main Applicant", orgs[0])]
                for org in orgs[1:]:
                    members.append(self.person("Co-applicant", org))
                projects.append(
                    self.project(
                        project_id=f"{prefix}.{seq:03d}",
                        title=title,
                        scheme_id=scheme_id,
                        scheme=scheme,
                        department="SGW" if "KIC" in prefix else "ENW",
                        start_year=start_year + (seq % 2),
                        years=years,
                        members=members,
                    )
                )
        return projects

    def other_projects(self, count: int) -> list[dict[str, Any]]:
        projects = []
        for n in range(count):
            scheme_id, scheme, prefix, department = OTHER_SCHEMES[n % len(OTHER_SCHEMES)]
            year = 2016 + self.rng.randint(0, 8)
            if prefix.startswith("NGF"):
                year = 2022 + year % 3  # the Groeifonds programme started in 2022
            topic = self.rng.choice(TOPICS)
            title = self.rng.choice(TEMPLATES).format(t=topic)
            title = title[0].upper() + title[1:]
            lead_pool = UNIVERSITIES + HOGESCHOLEN + INSTITUTES
            members = [
                self.person(
                    self.rng.choice(
                        ["Project leader", "Main Applicant", "hoofdaanvrager", "projectleider"]
                    ),
                    self.rng.choice(lead_pool),
                )
            ]
            for _ in range(self.rng.randint(0, 3)):
                members.append(
                    self.person(
                        self.rng.choice(["Co-applicant", "medeaanvrager"]),
                        self.rng.choice(ALL_ORGS),
                    )
                )
            projects.append(
                self.project(
                    project_id=f"{prefix}.{year % 100:02d}.{n + 1:03d}",
                    title=title,
                    scheme_id=scheme_id,
                    scheme=scheme,
                    department=department,
                    start_year=year,
                    years=self.rng.choice([0, 2, 4, 5]),
                    members=members,
                )
            )
        return projects


def apply_quirks(gen: Generator, lc: list[dict[str, Any]], other: list[dict[str, Any]]) -> None:
    """Put every known quirk of the real API into the sample, in known places."""
    # 1. Call names as NWO writes them vary in case and spacing.
    lc[1]["funding_scheme"] = "Human Capital:  Learning Communities als innovatieversneller "
    lc[5]["funding_scheme"] = CALL_KIC_2023.replace("technologische", "technologische ").lower()
    # 2. Several "Project leader"s on one project (and no main applicant).
    for project in (lc[0], lc[4], lc[15]):
        for member in project["project_members"][:2]:
            member["role"] = "Project leader"
    # 3. Dutch role names.
    lc[6]["project_members"][0]["role"] = "hoofdaanvrager"
    lc[7]["project_members"][0]["role"] = "projectleider"
    lc[7]["project_members"][1]["role"] = "medeaanvrager"
    # 4. Placeholder ORCID on an LC lead.
    lc[2]["project_members"][0]["orcid"] = "https://orcid.org/-"
    # 5. Same project_id under another funding scheme, with another leader (a non-LC scheme).
    twin = json.loads(json.dumps(lc[3]))
    twin["funding_scheme_id"], twin["funding_scheme"] = 305, "KIC Energietransitie en Duurzaamheid"
    twin["project_members"] = [gen.person("Project leader", UNIVERSITIES[10])]
    other.insert(37, twin)
    # 6. Same project_id twice within the LC call itself, under two scheme ids (NWO re-coded
    #    the scheme): two rows in the list, each with its own leader.
    recoded = json.loads(json.dumps(lc[2]))
    recoded["funding_scheme_id"] = 7022
    recoded["funding_scheme"] = "human capital: learning communities als innovatieversneller"
    recoded["project_members"] = [
        gen.person("Main Applicant", HOGESCHOLEN[6]),
        gen.person("Co-applicant", MBO[5]),
    ]
    lc.append(recoded)
    # 7. No end date yet, and no members at all (non-LC).
    lc[12]["end_date"] = None
    other[5]["project_members"] = []
    # 8. A few award amounts (mostly null, as in the real API).
    lc[9]["award_amount"] = 650000
    other[11]["award_amount"] = "250000"


def build() -> list[dict[str, Any]]:
    gen = Generator()
    lc = gen.lc_projects()
    other = gen.other_projects(360)
    apply_quirks(gen, lc, other)
    # Spread the LC projects among the others.
    projects = list(other)
    step = len(projects) // (len(lc) + 1)
    for i, project in enumerate(lc):
        projects.insert((i + 1) * step + i, project)
    return projects


def paginate(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pages_content = [projects[i : i + PER_PAGE] for i in range(0, len(projects), PER_PAGE)]
    # 9. The same project on two pages: the list shifted while a client paged through it, so
    #    page 3 starts with page 2's last project (an LC one) and page 3's last project moved
    #    on to page 4.
    lc_index = next(
        i
        for i, p in enumerate(pages_content[1])
        if "LC" in p["project_id"] or p["project_id"].startswith("NGF.1623")
    )
    pages_content[1][lc_index], pages_content[1][-1] = (
        pages_content[1][-1],
        pages_content[1][lc_index],
    )
    pages_content[2].insert(0, pages_content[1][-1])
    pages_content[3].insert(0, pages_content[2].pop())
    total = sum(len(p) for p in pages_content)
    envelopes = []
    for number, content in enumerate(pages_content, start=1):
        envelopes.append(
            {
                "meta": {
                    "api_type": "NWO Projects API",
                    "version": "1.0.1",
                    "release_date": "2024-05-01",
                    "funder": "NWO (SAMPLE DATA - not real records)",
                    "ror_id": "https://ror.org/04jsz6e67",
                    "date": "2026-11-01",
                    "count": total,
                    "per_page": PER_PAGE,
                    "pages": len(pages_content),
                    "page": number,
                },
                "projects": content,
            }
        )
    return envelopes


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("page-*.json"):
        old.unlink()
    for envelope in paginate(build()):
        path = OUT / f"page-{envelope['meta']['page']:03d}.json"
        path.write_text(json.dumps(envelope, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path, len(envelope["projects"]))


if __name__ == "__main__":
    main()
