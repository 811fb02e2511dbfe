"""Independent held-out test set for the NWOpen connector of LC Monitor.

Generates NWOpen "NWO Projects API" pages and the expected outcome (the *truth*). The truth is
built by construction while the records are made: nothing here parses its own output with the
platform's matching rules. Only the standard library is used and all randomness comes from one
``random.Random(seed)``, so the same seed gives byte-identical pages and truth.

Regenerate the committed expected file with ``python -m tests.heldout.nwopen_heldout``.
"""

from __future__ import annotations

import copy
import json
import math
import pathlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

DEFAULT_SEED = 20261130
PER_PAGE = 100
SNAPSHOT_DATE = "2026-11-30"
EXPECTED_FILE = pathlib.Path(__file__).with_name("nwopen_expected.json")

META_BASE = {
    "api_type": "NWO Projects API",
    "version": "1.0.1",
    "release_date": "2024-05-01",
    "funder": "NWO",
    "ror_id": "https://ror.org/04jsz6e67",
}

EN_DASH = "\u2013"
EM_DASH = "\u2014"
NB_HYPHEN = "\u2011"
NBSP = "\u00a0"

ENW = "Exacte en Natuurwetenschappen"
SGW = "Sociale en Geesteswetenschappen"
TTW = "Toegepaste en Technische Wetenschappen"
SIA = "Regieorgaan SIA"
NGF_DEPT = "Nationaal Groeifonds"
KIC_DEPT = "Kennis- en innovatieconvenant (KIC)"

# --------------------------------------------------------------------------------------------
# The followed calls (the specification the platform implements)
# --------------------------------------------------------------------------------------------

CALLS: dict[str, dict] = {
    "kic_lc_2021": {
        "programme": "KIC",
        "round": 2021,
        "lc": True,
        "name": "Human Capital: Learning communities als innovatieversneller",
        "cap": 1_000_000,
        "department": KIC_DEPT,
        "sub_department": "Human Capital",
        "profile": "lc",
    },
    "kic_lc_2023": {
        "programme": "KIC",
        "round": 2023,
        "lc": True,
        "name": (
            "Human Capital, learning communities nodig voor maatschappelijke en "
            "technologische transities"
        ),
        "cap": 750_000,
        "department": KIC_DEPT,
        "sub_department": "Human Capital",
        "profile": "lc",
    },
    "gvnl_lc_2024": {
        "programme": "GroenvermogenNL",
        "round": 2024,
        "lc": True,
        "name": "Learning communities als aanjagers van de groene waterstofeconomie",
        "cap": 26_800_000,
        "department": NGF_DEPT,
        "sub_department": "GroenvermogenNL",
        "profile": "gvnl_lc",
    },
    "gvnl_rd_2022": {
        "programme": "GroenvermogenNL",
        "round": 2022,
        "lc": False,
        "name": f"NGF: Transport en opslag van waterstof Groenvermogen NL {EN_DASH} Werkpakket 2",
        "cap": None,
        "department": NGF_DEPT,
        "sub_department": "GroenvermogenNL",
        "profile": "rd",
    },
}

# funding_scheme_id values used by the followed calls. kic_lc_2023 is re-coded (3018 -> 3124);
# gvnl_rd_2022 has one project under 2980, which is otherwise the id of the unfollowed
# "Werkpakket 3" scheme, and kic_lc_2021's 2640 is shared with an unfollowed decoy.
KIC21_FSID = 2640
KIC23_FSID = 3018
KIC23_FSID_RECODED = 3124
GVNL_LC_FSID = 3321
RD_FSID = 2979
RD_FSID_SHARED = 2980

# Spellings that differ from the published name only by case, whitespace, dash or NFKC.
NAME_VARIANTS: dict[str, list[str]] = {
    "kic_lc_2021": [
        "Human Capital: Learning Communities als innovatieversneller",
        "human capital: learning communities als innovatieversneller",
        "Human Capital:  Learning communities als innovatieversneller",
        "Human Capital: Learning communities als innovatieversneller ",
        f"Human Capital:{NBSP}Learning communities als innovatieversneller",
        "Human Capital\uff1a Learning communities als innovatieversneller",
    ],
    "kic_lc_2023": [
        (
            "Human Capital, Learning Communities nodig voor maatschappelijke en "
            "technologische transities"
        ),
        (
            "Human Capital, learning communities nodig voor maatschappelijke en "
            "technologische\ttransities"
        ),
        (
            "Human Capital, learning communities nodig voor maatschappelijke en "
            f"technologische transities{NBSP}"
        ),
        (
            "HUMAN CAPITAL, LEARNING COMMUNITIES NODIG VOOR MAATSCHAPPELIJKE EN "
            "TECHNOLOGISCHE TRANSITIES"
        ),
        (
            " Human Capital, learning communities nodig voor maatschappelijke  en "
            "technologische transities"
        ),
    ],
    "gvnl_lc_2024": [
        "Learning Communities als aanjagers van de groene waterstofeconomie",
        "Learning communities als aanjagers van de groene waterstof economie",
        "learning communities als aanjagers van de groene waterstofeconomie\t",
    ],
    "gvnl_rd_2022": [
        "NGF: Transport en opslag van waterstof Groenvermogen NL - Werkpakket 2",
        f"NGF: Transport en opslag van waterstof Groenvermogen NL {EM_DASH} Werkpakket 2",
        f"NGF: Transport en opslag van waterstof Groenvermogen NL {NB_HYPHEN} Werkpakket 2",
        f"NGF: Transport en opslag van waterstof GroenvermogenNL {EN_DASH} Werkpakket 2",
        "NGF:Transport en opslag van waterstof Groenvermogen NL-Werkpakket 2",
        f"NGF: transport en opslag van waterstof Groenvermogen NL {EN_DASH} werkpakket 2",
    ],
}
# how many records of each call get a variant spelling (cycled through the list above; the
# extra R&D ones use the plain hyphen "-")
VARIANT_RECORDS = {"kic_lc_2021": 7, "kic_lc_2023": 7, "gvnl_lc_2024": 3, "gvnl_rd_2022": 9}

# --------------------------------------------------------------------------------------------
# Organisations and people
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    name: str
    kind: str
    ror: str | None
    subs: tuple[str, ...]
    org_id: int


_ORGS_RAW: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    # universities (WO)
    (
        "Technische Universiteit Delft",
        "wo",
        "02e2c7k09",
        (
            "Faculteit 3mE||Process & Energy",
            "Faculteit Technische Natuurwetenschappen||Chemical Engineering",
            "Faculteit Techniek, Bestuur en Management||Engineering Systems and Services",
            "Faculteit Civiele Techniek en Geowetenschappen||Geoscience & Engineering",
        ),
    ),
    (
        "Universiteit Twente",
        "wo",
        "006hf6230",
        (
            "Faculty of Engineering Technology||Thermal and Fluid Engineering",
            "Faculty of Science and Technology||Membrane Science & Technology",
            "Faculty of Behavioural, Management and Social Sciences||ELAN",
        ),
    ),
    (
        "Technische Universiteit Eindhoven",
        "wo",
        "02c2kyt77",
        (
            "Faculteit Scheikundige Technologie||Chemical Reactor Engineering",
            "Faculteit Werktuigbouwkunde||Energy Technology",
            "Eindhoven School of Education",
        ),
    ),
    (
        "Rijksuniversiteit Groningen",
        "wo",
        "012p63287",
        (
            "Faculty of Science and Engineering||Engineering and Technology institute Groningen",
            "Faculteit Gedrags- en Maatschappijwetenschappen||Onderwijskunde",
        ),
    ),
    (
        "Universiteit Utrecht",
        "wo",
        "04pp8hn57",
        (
            "Faculteit Geowetenschappen||Copernicus Instituut voor Duurzame Ontwikkeling",
            "Faculteit Betawetenschappen||Debye Institute",
            "Faculteit Sociale Wetenschappen||Onderwijswetenschappen",
        ),
    ),
    (
        "Universiteit van Amsterdam",
        "wo",
        "04dkp9463",
        (
            "Faculteit der Natuurwetenschappen, Wiskunde en Informatica||Van 't Hoff Institute",
            "Faculteit der Maatschappij- en Gedragswetenschappen||Kinderontwikkeling en Educatie",
        ),
    ),
    (
        "Wageningen University & Research",
        "wo",
        "04qw24q55",
        ("Biobased Chemistry and Technology", "Omgevingswetenschappen||Environmental Technology"),
    ),
    ("Universiteit Leiden", "wo", "027bh9e22", ("Faculteit der Wiskunde en Natuurwetenschappen",)),
    ("Radboud Universiteit", "wo", "016xsfp80", ("Faculteit der Sociale Wetenschappen",)),
    ("Erasmus Universiteit Rotterdam", "wo", "057w15z03", ("Erasmus School of Economics",)),
    ("Vrije Universiteit Amsterdam", "wo", "008xxew50", ("Faculteit der Betawetenschappen",)),
    ("Maastricht University", "wo", "02jz4aj89", ("Faculty of Science and Engineering",)),
    (
        "Tilburg University",
        "wo",
        "04b8v1s79",
        ("Tilburg School of Social and Behavioral Sciences",),
    ),
    # universities of applied sciences (HBO)
    (
        "Hogeschool van Amsterdam",
        "hbo",
        "00y2z2s03",
        ("Faculteit Techniek||Lectoraat Energietransitie", "Centre of Expertise Urban Technology"),
    ),
    (
        "Hogeschool Utrecht",
        "hbo",
        "028z9kw20",
        (
            "Instituut voor Gebouwde Omgeving||Lectoraat Energietransitie",
            "Kenniscentrum Digital Business & Media",
            "Kenniscentrum Gezond en Duurzaam Leven",
        ),
    ),
    (
        "Hanzehogeschool Groningen",
        "hbo",
        "00xqtxw43",
        ("Centre of Expertise Energy||Lectoraat Waterstof", "Instituut voor Engineering"),
    ),
    (
        "Hogeschool Rotterdam",
        "hbo",
        "0481e1q24",
        ("Kenniscentrum Duurzame HavenStad", "Instituut voor Engineering en Applied Science"),
    ),
    ("De Haagse Hogeschool", "hbo", None, ("Faculteit Technologie, Innovatie & Samenleving",)),
    (
        "Fontys Hogescholen",
        "hbo",
        None,
        ("Fontys Engineering||Lectoraat Duurzame Energie", "Fontys Lerarenopleiding Tilburg"),
    ),
    (
        "Saxion",
        "hbo",
        None,
        ("Academie Life Science, Engineering & Design||Lectoraat Duurzame Energievoorziening",),
    ),
    (
        "Avans Hogeschool",
        "hbo",
        None,
        ("Expertisecentrum Sustainable Business", "Centre of Expertise Biobased Economy"),
    ),
    (
        "HZ University of Applied Sciences",
        "hbo",
        None,
        ("Delta Academy||Lectoraat Building with Nature", "Centre of Expertise Delta Technology"),
    ),
    (
        "Hogeschool van Arnhem en Nijmegen",
        "hbo",
        None,
        ("Academie Engineering en Automotive||Lectoraat Sustainable Electrical Energy",),
    ),
    ("NHL Stenden Hogeschool", "hbo", None, ("Lectoraat Circular Plastics",)),
    ("Hogeschool Windesheim", "hbo", None, ("Lectoraat Kunststoftechnologie",)),
    ("Zuyd Hogeschool", "hbo", None, ("Lectoraat Material Sciences",)),
    ("Hogeschool Inholland", "hbo", None, ("Domein Techniek, Ontwerpen en Informatica",)),
    ("Hogeschool Leiden", "hbo", None, ("Lectoraat Innovatie in Zorg",)),
    ("Breda University of Applied Sciences", "hbo", None, ("Academy for Built Environment",)),
    # MBO colleges
    ("ROC Midden Nederland", "mbo", None, ("College Techniek",)),
    ("Albeda", "mbo", None, ("Techniek en Technologie",)),
    ("Zadkine", "mbo", None, ()),
    ("Scalda", "mbo", None, ("Techniek & Technologie",)),
    ("Noorderpoort", "mbo", None, ("Techniek",)),
    ("Alfa-college", "mbo", None, ()),
    ("Deltion College", "mbo", None, ("Techniek",)),
    ("ROC van Twente", "mbo", None, ("Techniek",)),
    ("Graafschap College", "mbo", None, ()),
    ("Da Vinci College", "mbo", None, ()),
    ("Summa College", "mbo", None, ("Summa Techniek",)),
    ("Drenthe College", "mbo", None, ()),
    ("Rijn IJssel", "mbo", None, ("Techniek",)),
    ("Curio", "mbo", None, ()),
    ("ROC Mondriaan", "mbo", None, ("Techniek & ICT",)),
    ("Firda", "mbo", None, ()),
    # research institutes
    ("TNO", "inst", "01bnjb948", ("Energy & Materials Transition", "Unit Industrie")),
    ("DIFFER", "inst", None, ()),
    ("Deltares", "inst", None, ()),
    # companies
    ("N.V. Nederlandse Gasunie", "company", None, ("Gasunie Transport Services",)),
    ("Gasunie", "company", None, ()),
    ("Alliander N.V.", "company", None, ("Liander",)),
    ("Tata Steel Nederland", "company", None, ("R&D IJmuiden",)),
    ("Stedin Netbeheer B.V.", "company", None, ()),
    ("Enexis Netbeheer", "company", None, ()),
    ("TenneT TSO B.V.", "company", None, ()),
    ("Havenbedrijf Rotterdam N.V.", "company", None, ()),
    ("Shell Nederland B.V.", "company", None, ()),
    ("Nobian", "company", None, ("Industrial Chemicals",)),
    ("Yara Sluiskil B.V.", "company", None, ()),
    ("Dow Benelux B.V.", "company", None, ()),
    ("Koninklijke Vopak", "company", None, ()),
    ("VDL Groep", "company", None, ()),
    ("HyCC", "company", None, ()),
    ("Koninklijke BAM Groep", "company", None, ()),
    ("Heijmans N.V.", "company", None, ()),
    ("Eneco", "company", None, ()),
    ("Vattenfall Nederland", "company", None, ()),
    ("ASML Netherlands B.V.", "company", None, ()),
    ("DNV Netherlands B.V.", "company", None, ()),
    ("Technolution B.V.", "company", None, ()),
    ("Installatiebedrijf Van Dorp", "company", None, ()),
    ("Energie Samen", "company", None, ()),
    # government
    ("Gemeente Rotterdam", "gov", None, ("Cluster Stadsontwikkeling",)),
    ("Gemeente Groningen", "gov", None, ()),
    ("Gemeente Emmen", "gov", None, ()),
    ("Gemeente Eindhoven", "gov", None, ()),
    ("Gemeente Amsterdam", "gov", None, ("Ruimte en Duurzaamheid",)),
    ("Provincie Groningen", "gov", None, ()),
    ("Provincie Zeeland", "gov", None, ()),
    ("Provincie Noord-Brabant", "gov", None, ()),
    ("Provincie Gelderland", "gov", None, ()),
    ("Provincie Overijssel", "gov", None, ()),
    # other
    ("New Energy Coalition", "other", None, ()),
    ("Techniek Nederland", "other", None, ()),
    ("Brainport Development N.V.", "other", None, ()),
    ("Economic Board Utrecht", "other", None, ()),
    ("Kennispunt Twente", "other", None, ()),
    ("Smart Delta Drechtsteden", "other", None, ()),
    # health care
    ("Radboudumc", "zorg", None, ()),
    ("UMC Utrecht", "zorg", None, ()),
    ("Erasmus MC", "zorg", None, ()),
    ("Zorggroep Noorderboog", "zorg", None, ()),
]

ORGS: list[Org] = [
    Org(name, kind, f"https://ror.org/{ror}" if ror else None, subs, 10_000 + 17 * i)
    for i, (name, kind, ror, subs) in enumerate(_ORGS_RAW)
]
ORGS_BY_KIND: dict[str, list[Org]] = {}
for _org in ORGS:
    ORGS_BY_KIND.setdefault(_org.kind, []).append(_org)

FIRST_NAMES = [
    "Jan",
    "Pieter",
    "Kees",
    "Henk",
    "Willem",
    "Joost",
    "Maarten",
    "Sander",
    "Bas",
    "Thijs",
    "Ruud",
    "Sjoerd",
    "Rutger",
    "Gerrit",
    "Hans",
    "Erik",
    "Jeroen",
    "Marco",
    "Niels",
    "Koen",
    "Daan",
    "Lars",
    "Stijn",
    "Wouter",
    "Bart",
    "Arjen",
    "Frank",
    "Martijn",
    "Hidde",
    "Jelle",
    "Mohamed",
    "Yusuf",
    "Daniël",
    "Noël",
    "Anne",
    "Marieke",
    "Sanne",
    "Eline",
    "Femke",
    "Lotte",
    "Anouk",
    "Iris",
    "Esther",
    "Ingrid",
    "Karin",
    "Marloes",
    "Annemiek",
    "Petra",
    "Saskia",
    "Wendy",
    "Judith",
    "Aukje",
    "Zoë",
    "Chloë",
    "Loïs",
    "Fatima",
    "Yasmina",
    "Nienke",
    "Roos",
    "Lieke",
    "Maaike",
    "Hester",
    "Mirjam",
    "Joke",
    "Els",
    "Ilse",
    "Manon",
    "Merel",
    "Fleur",
]
PREFIXED_SURNAMES = [
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("de", "Jong"),
    ("de", "Vries"),
    ("van der", "Meer"),
    ("van der", "Wal"),
    ("van den", "Heuvel"),
    ("de", "Boer"),
    ("de", "Graaf"),
    ("ter", "Haar"),
    ("ten", "Brink"),
    ("in 't", "Veld"),
    ("van", "Leeuwen"),
    ("van der", "Linden"),
    ("van", "Beek"),
    ("de", "Wit"),
    ("de", "Bruijn"),
    ("van", "Vliet"),
    ("van der", "Heijden"),
    ("van", "Rooij"),
    ("van 't", "Hof"),
    ("van de", "Ven"),
    ("den", "Hartog"),
    ("van", "Os"),
]
PLAIN_SURNAMES = [
    "Bakker",
    "Janssen",
    "Jansen",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijkstra",
    "Kok",
    "Jacobs",
    "Verhoeven",
    "Koster",
    "Prins",
    "Huisman",
    "Postma",
    "Kuipers",
    "Veenstra",
    "Hoekstra",
    "Wijnands",
    "Schouten",
    "Timmermans",
    "Groen",
    "Bosman",
    "Kramer",
    "Verbeek",
    "Willems",
    "Maas",
    "Sanders",
    "Hermans",
    "Evers",
    "Koning",
    "Scholten",
    "Lammers",
    "Wolters",
    "Çelik",
    "Yilmaz",
    "El Amrani",
    "Bouzid",
    "Nijholt",
    "Oosterhuis",
    "Zijlstra",
    "Brinkman",
    "Haverkamp",
    "Snijders",
    "Rietveld",
]
DEGREES_PRE = [None, None, "dr.", "dr.", "prof. dr.", "ir.", "dr. ir.", "drs.", "ing.", "mr."]
DEGREES_POST = [None, None, None, None, "MSc", "PhD", "MA", "MBA", "BSc"]

ROLE_FORMS: dict[str, list[tuple[str, int]]] = {
    "main": [
        ("Main Applicant", 60),
        ("Main applicant", 10),
        ("main applicant", 5),
        ("hoofdaanvrager", 5),
        ("Hoofdaanvrager", 3),
    ],
    "pl": [
        ("Project leader", 60),
        ("Project Leader", 10),
        ("projectleider", 5),
        ("Projectleider", 3),
        ("PROJECT LEADER", 5),
    ],
    "co": [
        ("Co-applicant", 65),
        ("Co-Applicant", 10),
        ("medeaanvrager", 5),
        ("Medeaanvrager", 3),
    ],
}
DUTCH_ROLES = {"hoofdaanvrager", "projectleider", "medeaanvrager"}
PLACEHOLDER_ORCID = "https://orcid.org/-"

# (lead kinds, partner kinds, (min members, max members))
TEAM_PROFILES: dict[str, tuple[dict[str, int], dict[str, int], tuple[int, int]]] = {
    "talent": ({"wo": 95, "inst": 5}, {"wo": 100}, (1, 2)),
    "research": ({"wo": 90, "inst": 10}, {"wo": 70, "inst": 20, "company": 10}, (1, 4)),
    "consortium": (
        {"wo": 80, "inst": 10, "hbo": 10},
        {"wo": 40, "hbo": 15, "company": 25, "inst": 10, "gov": 5, "other": 5},
        (3, 8),
    ),
    "startup": ({"wo": 70, "hbo": 30}, {"company": 100}, (1, 2)),
    "sia": (
        {"hbo": 100},
        {"company": 45, "hbo": 15, "mbo": 10, "gov": 10, "other": 10, "zorg": 10},
        (2, 6),
    ),
    "edu": ({"wo": 40, "hbo": 60}, {"mbo": 40, "hbo": 30, "wo": 30}, (1, 3)),
    "lc": (
        {"hbo": 55, "wo": 30, "mbo": 15},
        {"mbo": 25, "hbo": 15, "wo": 8, "company": 30, "gov": 12, "other": 10},
        (4, 12),
    ),
    "gvnl_lc": (
        {"hbo": 70, "mbo": 10, "other": 20},
        {"mbo": 30, "hbo": 10, "wo": 10, "company": 30, "gov": 10, "other": 10},
        (5, 12),
    ),
    "rd": (
        {"wo": 70, "inst": 20, "hbo": 10},
        {"company": 50, "wo": 15, "inst": 15, "hbo": 10, "gov": 5, "other": 5},
        (3, 9),
    ),
}

# --------------------------------------------------------------------------------------------
# Unfollowed schemes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    name: str
    fsid: int
    department: str
    sub_department: str
    id_kind: str
    year: int
    profile: str
    weight: int = 0


OOS_GENERIC: list[Scheme] = [
    Scheme(
        "NWO Talentprogramma Veni ENW 2021",
        2712,
        ENW,
        "Talentprogramma",
        "veni",
        2021,
        "talent",
        12,
    ),
    Scheme(
        "NWO Talentprogramma Veni SGW 2022",
        2905,
        SGW,
        "Talentprogramma",
        "veni",
        2022,
        "talent",
        12,
    ),
    Scheme(
        "NWO Talentprogramma Veni TTW 2020", 2455, TTW, "Talentprogramma", "veni", 2020, "talent", 8
    ),
    Scheme(
        "NWO Talentprogramma Vidi ENW 2021", 2730, ENW, "Talentprogramma", "vidi", 2021, "talent", 8
    ),
    Scheme(
        "NWO Talentprogramma Vidi SGW 2022", 2911, SGW, "Talentprogramma", "vidi", 2022, "talent", 7
    ),
    Scheme(
        "NWO Talentprogramma Vici 2022",
        2940,
        "NWO-breed",
        "Talentprogramma",
        "vici",
        2022,
        "talent",
        4,
    ),
    Scheme("Rubicon 2021-2", 2788, "NWO-breed", "Talentprogramma", "rubicon", 2021, "talent", 6),
    Scheme("Rubicon 2022-1", 2921, "NWO-breed", "Talentprogramma", "rubicon", 2022, "talent", 6),
    Scheme(
        "NWA-ORC Call 2020/21",
        2560,
        "Nationale Wetenschapsagenda",
        "NWA-ORC",
        "nwa",
        2020,
        "consortium",
        6,
    ),
    Scheme(
        "NWA Onderzoek langs routes door consortia (ORC) 2022",
        2960,
        "Nationale Wetenschapsagenda",
        "NWA-ORC",
        "nwa",
        2022,
        "consortium",
        6,
    ),
    Scheme(
        "Open Competitie ENW - M-1 2021",
        2701,
        ENW,
        "Open Competitie",
        "ocenw_m",
        2021,
        "research",
        10,
    ),
    Scheme(
        "Open Competitie ENW - M-2 2022",
        2932,
        ENW,
        "Open Competitie",
        "ocenw_m",
        2022,
        "research",
        10,
    ),
    Scheme(
        "Open Competitie ENW - XL 2021",
        2745,
        ENW,
        "Open Competitie",
        "ocenw_xl",
        2021,
        "consortium",
        3,
    ),
    Scheme(
        f"Open Competitie ENW {EN_DASH} XS 2023",
        3105,
        ENW,
        "Open Competitie",
        "ocenw_xs",
        2023,
        "research",
        8,
    ),
    Scheme("XS", 3190, ENW, "Open Competitie", "ocenw_xs", 2024, "research", 5),
    Scheme(
        "KIC Missiegedreven Onderzoek, Ontwikkeling en Innovatie",
        2568,
        TTW,
        "KIC",
        "kic_mission",
        2020,
        "consortium",
        8,
    ),
    Scheme(
        "KIC Missiegedreven Onderzoek, Ontwikkeling en Innovatie 2022",
        2990,
        TTW,
        "KIC",
        "kic_mission",
        2022,
        "consortium",
        6,
    ),
    Scheme(
        "KIC Versnellingsprogramma Human Capital Energietransitie",
        3030,
        KIC_DEPT,
        "Human Capital",
        "kic_mission",
        2023,
        "lc",
        2,
    ),
    Scheme("Take-off fase 1 2022", 2925, TTW, "Take-off", "number", 2022, "startup", 6),
    Scheme("Take-off fase 2 2021", 2790, TTW, "Take-off", "number", 2021, "startup", 3),
    Scheme("Perspectief 2021/2022", 2820, TTW, "Perspectief", "perspectief", 2021, "consortium", 4),
    Scheme(
        "Open Technologieprogramma 2022",
        2930,
        TTW,
        "Open Technologieprogramma",
        "number",
        2022,
        "research",
        6,
    ),
    Scheme("Demonstrator Lab 2022", 2965, TTW, "Demonstrator Lab", "number", 2022, "research", 3),
    Scheme("RAAK-mkb 2022", 2915, SIA, "RAAK", "raak_mkb", 2022, "sia", 8),
    Scheme("RAAK-mkb 2023", 3080, SIA, "RAAK", "raak_mkb", 2023, "sia", 8),
    Scheme("RAAK-pro 2021", 2770, SIA, "RAAK", "raak_pro", 2021, "sia", 4),
    Scheme("RAAK-publiek 2022", 2916, SIA, "RAAK", "raak_pub", 2022, "sia", 4),
    Scheme("KIEM GoChem 2022", 2950, SIA, "KIEM", "kiem", 2022, "sia", 4),
    Scheme("KIEM Circulaire Economie 2023", 3060, SIA, "KIEM", "kiem", 2023, "sia", 4),
    Scheme("Regieorgaan SIA - Postdoc 2023", 3075, SIA, "Postdoc", "sia_pd", 2023, "sia", 3),
    Scheme(
        "Open Competitie SGW - M 2021", 2715, SGW, "Open Competitie", "sgw", 2021, "research", 8
    ),
    Scheme(
        "Comenius Senior Fellows 2022",
        2935,
        "Nationaal Regieorgaan Onderwijsonderzoek",
        "Comenius",
        "comenius",
        2022,
        "edu",
        3,
    ),
    Scheme("ENW-GROOT 2021", 2740, ENW, "ENW-GROOT", "groot", 2021, "consortium", 3),
    Scheme(
        "Zwaartekracht 2019",
        2310,
        "NWO-breed",
        "Zwaartekracht",
        "zwaartekracht",
        2019,
        "consortium",
        2,
    ),
    Scheme(
        "NWO-WOTRO Food & Business Applied Research Fund",
        2200,
        "WOTRO Science for Global Development",
        "Food & Business",
        "wotro",
        2018,
        "research",
        3,
    ),
    # near misses that are NOT learning-community-like by name
    Scheme("Community Learning Labs Zorg", 3260, SIA, "Zorg", "sia_lab", 2023, "sia", 2),
    Scheme(
        "Lerende gemeenschappen MBO-HBO (Regieorgaan SIA)",
        3265,
        SIA,
        "Praktijkgericht",
        "sia_lab",
        2023,
        "sia",
        2,
    ),
]
OOS_BY_FSID = {s.fsid: s for s in OOS_GENERIC}

# Other Nationaal Groeifonds programmes (and other GroenvermogenNL work packages): NGF ids, but
# unfollowed. (scheme, number of records)
NGF_SCHEMES: list[tuple[Scheme, int]] = [
    (
        Scheme(
            f"NGF: Quantum Delta NL {EN_DASH} Quantum Software",
            3140,
            NGF_DEPT,
            "Quantum Delta NL",
            "ngf:1623:23:0",
            2023,
            "research",
        ),
        9,
    ),
    (
        Scheme(
            f"NGF: Quantum Delta NL {EN_DASH} Testbeds",
            3141,
            NGF_DEPT,
            "Quantum Delta NL",
            "ngf:1623:23:1",
            2023,
            "consortium",
        ),
        6,
    ),
    (
        Scheme(
            f"Nationaal Groeifonds Oncologie {EN_DASH} Oncode-PACT",
            3150,
            NGF_DEPT,
            "Oncode-PACT",
            "ngf:1630:22:0",
            2022,
            "research",
        ),
        7,
    ),
    (
        Scheme(
            "NGF Health-RI: data-infrastructuur voor gezondheidsonderzoek",
            3155,
            NGF_DEPT,
            "Health-RI",
            "ngf:1640:23:0",
            2023,
            "research",
        ),
        6,
    ),
    (
        Scheme(
            f"NGF: AINed {EN_DASH} XS Projecten 2023",
            3160,
            NGF_DEPT,
            "AINed",
            "ngf:1607:23:0",
            2023,
            "research",
        ),
        8,
    ),
    (
        Scheme(
            f"NGF: PhotonDelta {EN_DASH} R&D programma",
            3170,
            NGF_DEPT,
            "PhotonDelta",
            "ngf:1615:22:0",
            2022,
            "consortium",
        ),
        6,
    ),
    (
        Scheme(
            f"NGF: Transport en opslag van waterstof Groenvermogen NL {EN_DASH} Werkpakket 3",
            RD_FSID_SHARED,
            NGF_DEPT,
            "GroenvermogenNL",
            "ngf:1582:22:1",
            2022,
            "rd",
        ),
        7,
    ),
    (
        Scheme(
            f"NGF: Groenvermogen NL {EN_DASH} Werkpakket 1 Groene waterstofproductie",
            2978,
            NGF_DEPT,
            "GroenvermogenNL",
            "ngf:1582:22:2",
            2022,
            "rd",
        ),
        6,
    ),
    (
        Scheme(
            f"NGF: Transport en opslag van waterstof Groenvermogen NL {EN_DASH} Werkpakket 2 "
            "(aanvulling)",
            2981,
            NGF_DEPT,
            "GroenvermogenNL",
            "ngf:1582:22:3",
            2023,
            "rd",
        ),
        3,
    ),
    (
        Scheme(
            "NGF: Nationaal Onderwijslab AI (NOLAI)",
            3180,
            NGF_DEPT,
            "NOLAI",
            "ngf:1655:22:0",
            2022,
            "edu",
        ),
        5,
    ),
    (
        Scheme(
            "NGF: Biotech Booster",
            3185,
            NGF_DEPT,
            "Biotech Booster",
            "ngf:1660:23:0",
            2023,
            "research",
        ),
        4,
    ),
]
NGF_BY_FSID = {s.fsid: s for s, _ in NGF_SCHEMES}

# Unfollowed schemes whose name looks like a learning-community call. (scheme, records)
LC_DECOYS: list[tuple[Scheme, int]] = [
    (
        Scheme(
            "Learning communities Zorg en Welzijn",
            3210,
            SIA,
            "Zorg en Welzijn",
            "lczw",
            2022,
            "sia",
        ),
        3,
    ),
    (Scheme("SIA Learning Communities pilot", 3200, SIA, "Pilot", "sialc", 2021, "sia"), 2),
    (
        Scheme(
            "KIC Human Capital: Learning communities als innovatieversneller",
            KIC21_FSID,
            KIC_DEPT,
            "Human Capital",
            "kic21like",
            2021,
            "lc",
        ),
        3,
    ),
    (
        Scheme(
            "Human Capital: Learning-communities voor de energietransitie",
            3230,
            KIC_DEPT,
            "Human Capital",
            "kic23like",
            2023,
            "lc",
        ),
        2,
    ),
    (Scheme("Learning Communities (Regieorgaan SIA)", 3240, SIA, "", "sialc", 2023, "sia"), 2),
    (
        Scheme(
            "Human Capital: Learning communities als innovatieversnellers",
            2641,
            KIC_DEPT,
            "Human Capital",
            "kic21like",
            2021,
            "lc",
        ),
        2,
    ),
    (
        Scheme(
            "Human Capital: learning communities as innovation accelerators",
            2642,
            KIC_DEPT,
            "Human Capital",
            "kic21like",
            2021,
            "lc",
        ),
        1,
    ),
    (
        Scheme(
            "Learning communities als aanjagers van de groene waterstofeconomie "
            f"{EN_DASH} regio Noord",
            3322,
            NGF_DEPT,
            "GroenvermogenNL",
            "ngf:1609:24:1",
            2024,
            "gvnl_lc",
        ),
        2,
    ),
    (
        Scheme("Learning community Onderwijs-Arbeidsmarkt MBO", 3250, SIA, "", "lcoa", 2022, "sia"),
        2,
    ),
]
DECOY_BY_FSID = {s.fsid: s for s, _ in LC_DECOYS}
DECOY_NAMES = {s.name for s, _ in LC_DECOYS}

# Titles that talk about learning communities, in schemes that are not LC-like. (fsid, title)
LC_TITLED_OOS: list[tuple[int, str]] = [
    (2905, "Learning communities in het voortgezet onderwijs: hoe docenten samen leren"),
    (2915, "Learning community duurzame installatietechniek voor het mkb"),
    (2560, "Lerende wijken: learning communities voor inclusieve energietransitie"),
    (2935, "Een learning community van lerarenopleiders rond digitale geletterdheid"),
    (2990, "Learning community Smart Industry Oost-Nederland"),
    (2715, "Professional learning communities and teacher agency in vocational education"),
    (2770, "Learning communities in de zorg: samen leren over technologie in de wijk"),
    (2950, "Verkenning van een learning community groene chemie in Zeeland"),
    (3080, "Learning community circulair bouwen met biobased materialen"),
    (2960, "Learning communities for climate adaptation in Dutch river regions"),
    (3260, "Community learning labs: een learning community voor wijkverpleging"),
    (2730, "Online learning communities and the spread of scientific misinformation"),
]

# --------------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------------

REGIONS = [
    "Noord-Nederland",
    "Twente",
    "de Achterhoek",
    "Brainport Eindhoven",
    "West-Brabant",
    "Zeeland",
    "Rotterdam-Rijnmond",
    "Haaglanden",
    "regio Utrecht",
    "Zuid-Limburg",
    "Arnhem-Nijmegen",
    "Noord-Holland Noord",
    "Amsterdam",
    "Flevoland",
    "Drenthe",
    "Friesland",
    "regio Zwolle",
    "Groningen",
    "Midden-Brabant",
    "de Drechtsteden",
]
KIC21_TOPICS = [
    "Energietransitie in de gebouwde omgeving",
    "Slimme energiesystemen",
    "Duurzame warmte in de wijk",
    "Zorgtechnologie in de wijk",
    "Digitale zorg thuis",
    "Gezond ouder worden met technologie",
    "Cybersecurity voor het mkb",
    "Data science in de maakindustrie",
    "Artificiele intelligentie in de zorg",
    "Circulaire installatietechniek",
    "Elektrificatie van de industrie",
    "Netcongestie",
    "Waterstof in de regio",
    "Digitale vaardigheden van zorgprofessionals",
    "Robotisering in de zorg",
    "Duurzame renovatie van woningen",
    "Energieneutrale bedrijventerreinen",
    "ICT-talent voor de regio",
]
KIC21_TEMPLATES = [
    "Learning community {topic} {region}",
    "{topic}: een learning community in {region}",
    "Samen leren en innoveren: {topic_l} in {region}",
    "LC {region}: {topic_l}",
    f"Learning community {{topic}} {EN_DASH} onderwijs, onderzoek en praktijk in {{region}}",
]
KIC23_TOPICS = [
    "Netcongestie en flexibiliteit",
    "Warmtetransitie",
    "Zorg op afstand",
    "AI in het beroepsonderwijs",
    "Circulair bouwen",
    "Duurzame mobiliteit",
    "Technisch vakmanschap",
    "Energiecoaches in de wijk",
    "Slimme industrie",
    "Kringlooplandbouw",
    "Natuurinclusief bouwen",
    "Digitale zorg",
    "Klimaatadaptatie",
    "Biobased bouwen",
    "Batterijtechnologie",
    "Duurzame voedselketens",
    "Installatietechniek van de toekomst",
    "Inclusieve arbeidsmarkt in de techniek",
]
KIC23_TEMPLATES = [
    "Learning community {topic} {region}",
    "{topic} in {region}: samen werken aan maatschappelijke en technologische transities",
    "Leren in de praktijk: {topic_l} in {region}",
    "{topic}: a learning community for {region}",
    "Learning community {topic_l} ({region})",
]
GVNL_LC_TITLES = [
    "Hydrogen Lab Zuidwest: learning community groene waterstof Zeeland en West-Brabant",
    "Waterstof Werkt: learning community Noord-Nederland",
    "Hydrogen Valley Campus Noord",
    "Applied Research Team Oost: learning community waterstof Gelderland en Overijssel",
    "Learning community Waterstof Rotterdam-Moerdijk",
    "Learning community Groene Chemie en Waterstof Limburg",
    "Learning community Waterstof Noordzeekanaalgebied",
    "H2 Skills Lab Noord-Brabant",
]
RD_ASPECTS = [
    "Waterstofbrosheid van",
    "Lekdetectie in",
    "Integriteitsmonitoring van",
    "Levensduurvoorspelling van",
    "Risicoanalyse van",
    "Hergebruik van",
    "Kwaliteitsborging van",
    "Digitale tweeling van",
    "Materiaalkeuze voor",
]
RD_OBJECTS = [
    "bestaande aardgasleidingen",
    "ondergrondse opslag in zoutcavernes",
    "waterstofopslag in lege gasvelden",
    "compressorstations voor waterstof",
    "afsluiters en appendages in het waterstofnet",
    "composiet drukvaten",
    "ammoniak als waterstofdrager",
    "vloeibare organische waterstofdragers (LOHC)",
    "het landelijke waterstofnetwerk",
]
RD_EN = [
    "Hydrogen embrittlement of pipeline steels under cyclic loading",
    "Cushion gas optimisation for hydrogen storage in salt caverns",
    "Purity of hydrogen after underground storage",
    "Electrochemical compression of hydrogen for grid injection",
    "Safety of hydrogen blends in the regional gas grid",
    "Metering and billing of hydrogen in transport networks",
]
OOS_ADJ = [
    "Quantum",
    "Sustainable",
    "Scalable",
    "Robust",
    "Explainable",
    "Adaptive",
    "Multiscale",
    "Circular",
    "Inclusive",
    "Data-driven",
    "Bio-inspired",
    "Low-carbon",
    "Self-healing",
    "Personalised",
    "Resilient",
]
OOS_SUBJECTS = [
    "catalysis for ammonia synthesis",
    "control of soft robots",
    "models of language change",
    "governance of urban heat",
    "imaging of neural circuits",
    "materials for solid-state batteries",
    "algorithms for graph learning",
    "coastal sediment dynamics",
    "precision oncology",
    "peatland restoration",
    "polymer recycling",
    "photonic integrated circuits",
    "microbial communities in soil",
    "memory and ageing",
    "supply chains for critical raw materials",
    "spin qubits in silicon",
    "dike safety assessment",
    "early detection of sepsis",
    "migration and citizenship",
    "heritage in the digital age",
]
OOS_ENDINGS = [
    "",
    "",
    " in the Netherlands",
    ": from theory to practice",
    " under uncertainty",
    " at the nanoscale",
    " for a changing climate",
]
OOS_NL = [
    "Veerkrachtige dijken in een veranderend klimaat",
    "Slimme sensoren voor de melkveehouderij",
    "Eenzaamheid onder ouderen in krimpregio's",
    "Circulaire verpakkingen voor de voedingsindustrie",
    "Digitale geletterdheid in het basisonderwijs",
    "Hittestress in de stad",
    "Vroege opsporing van dementie",
    "Biobased isolatiematerialen",
    "Drones voor de inspectie van bruggen",
    "Schuldhulpverlening en gedragsinzichten",
    "Zoutwaterlandbouw in Zeeland",
    "Meertaligheid in de klas",
    "Precisiebemesting met satellietdata",
    "Duurzame verlichting in de glastuinbouw",
    "Veilig fietsen voor senioren",
]


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


@dataclass
class InScopeRecord:
    call_id: str
    record: dict
    lead_org: str | None
    set_aside_rule: str | None = None
    flagged: bool = False


@dataclass
class _Stats:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _fmt(d: date | None, as_dt: bool) -> str | None:
    if d is None:
        return None
    return d.isoformat() + ("T00:00:00" if as_dt else "")


def _orcid_checksum(base15: str) -> str:
    total = 0
    for ch in base15:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.member_id = 40_000 + self.rng.randint(0, 5_000)
        self.used_pids: set[str] = set()
        self.used_titles: set[str] = set()
        self.used_grants: set[str] = set()
        self.stats = _Stats()
        self.in_scope: list[InScopeRecord] = []
        self.oos: list[dict] = []

    # ---- small helpers ---------------------------------------------------------------------

    def weighted(self, options: dict[str, int] | list[tuple[str, int]]) -> str:
        items = list(options.items()) if isinstance(options, dict) else list(options)
        return self.rng.choices([k for k, _ in items], weights=[w for _, w in items], k=1)[0]

    def pick_org(self, kinds: dict[str, int], exclude: Org | None = None) -> Org:
        while True:
            org = self.rng.choice(ORGS_BY_KIND[self.weighted(kinds)])
            if org != exclude:
                return org

    def orcid(self) -> str:
        base = (
            "0000000" + str(self.rng.choice([1, 2, 2, 3])) + f"{self.rng.randint(0, 9999999):07d}"
        )
        d = base + _orcid_checksum(base)
        return f"https://orcid.org/{d[0:4]}-{d[4:8]}-{d[8:12]}-{d[12:16]}"

    def grant_id(self, year: int) -> str | None:
        if year < 2020 or self.rng.random() < 0.25:
            return None
        while True:
            letters = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))
            code = f"{letters}{self.rng.randint(0, 99999):05d}"
            if code not in self.used_grants:
                self.used_grants.add(code)
                return f"https://doi.org/10.61686/{code}"

    def unique_title(self, make) -> str:
        for _ in range(1000):
            title = make()
            if title not in self.used_titles:
                self.used_titles.add(title)
                return title
        raise RuntimeError("could not make a unique title")

    # ---- people ----------------------------------------------------------------------------

    def member(self, role_kind: str, org: Org, *, pad: bool = False, in_scope: bool) -> dict:
        rng = self.rng
        self.member_id += rng.randint(1, 97)
        first = rng.choice(FIRST_NAMES)
        if rng.random() < 0.3:
            prefix, last = rng.choice(PREFIXED_SURNAMES)
        else:
            prefix, last = None, rng.choice(PLAIN_SURNAMES)
        initials = first[0] + "."
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            initials += rng.choice("ACEFGHJLMPRSTW") + "."
        sub = rng.choice(org.subs) if org.subs and rng.random() < 0.8 else None
        top = f" {org.name} " if pad else org.name
        path = top + (f"||{sub}" if sub else "")
        r = rng.random()
        if r < 0.05:
            orcid = PLACEHOLDER_ORCID
        elif r < 0.25:
            orcid = None
        else:
            orcid = self.orcid()
        role = self.weighted(ROLE_FORMS[role_kind])
        if in_scope:
            if orcid == PLACEHOLDER_ORCID:
                self.stats.add("in_scope_placeholder_orcid_members")
            if role.lower() in DUTCH_ROLES:
                self.stats.add("in_scope_dutch_role_members")
        dai = (
            f"info:eu-repo/dai/nl/{rng.randint(100_000_000, 999_999_999)}"
            if rng.random() < 0.5
            else None
        )
        return {
            "role": role,
            "member_id": self.member_id,
            "first_name": first,
            "initials": initials,
            "prefix": prefix,
            "last_name": last,
            "degree_pre_nominal": rng.choice(DEGREES_PRE),
            "degree_post_nominal": rng.choice(DEGREES_POST),
            "orcid": orcid,
            "dai": dai,
            "organisation": path,
            "organisation_id": org.org_id,
            "ror": org.ror,
            "active": rng.random() < 0.9,
        }

    def team(
        self,
        profile: str,
        style: str,
        *,
        in_scope: bool,
        pad_lead: bool = False,
        n: int | None = None,
    ) -> tuple[list[dict], str]:
        """Members with exactly one clear lead (or several project leaders of one organisation).

        Returns the members and the top-level organisation of the lead (by construction).
        """
        rng = self.rng
        lead_kinds, partner_kinds, (lo, hi) = TEAM_PROFILES[profile]
        if n is None:
            n = rng.randint(lo, hi)
        lead_org = self.pick_org(lead_kinds)
        members: list[dict] = []
        if style == "main":
            members.append(self.member("main", lead_org, pad=pad_lead, in_scope=in_scope))
            if n >= 3 and rng.random() < 0.35:
                other = self.pick_org(partner_kinds, exclude=lead_org)
                members.append(self.member("pl", other, in_scope=in_scope))
        elif style == "multi_pl":
            for i in range(rng.randint(2, 3)):
                members.append(
                    self.member("pl", lead_org, pad=pad_lead and i == 0, in_scope=in_scope)
                )
        elif style == "pl":
            members.append(self.member("pl", lead_org, pad=pad_lead, in_scope=in_scope))
        else:  # pragma: no cover
            raise ValueError(style)
        while len(members) < n:
            members.append(self.member("co", self.pick_org(partner_kinds), in_scope=in_scope))
        rng.shuffle(members)
        return members, lead_org.name

    # ---- record content --------------------------------------------------------------------

    def summaries(self, title: str, practice: bool) -> tuple[str | None, str | None]:
        rng = self.rng
        if not practice:
            nl = rng.choice(
                [
                    f"Dit onderzoeksproject ({title}) combineert theorie, experimenten en "
                    "modellen.",
                    f"In '{title}' wordt fundamenteel onderzoek gedaan met oog voor toepassing.",
                ]
            )
            en = rng.choice(
                [
                    f"This research project ({title}) combines theory, experiments and models.",
                    f"'{title}' carries out curiosity-driven research with an eye on use.",
                ]
            )
            return (None if rng.random() < 0.08 else nl), (None if rng.random() < 0.1 else en)
        nl = rng.choice(
            [
                f"In het project '{title}' werken onderwijs, onderzoek en praktijk samen aan "
                "vraagstukken uit de regio.",
                f"'{title}' ontwikkelt kennis en vaardigheden die direct in de beroepspraktijk "
                "worden toegepast.",
                f"Dit project ({title}) onderzoekt hoe nieuwe kennis sneller zijn weg vindt naar "
                "bedrijven en instellingen.",
            ]
        )
        en = rng.choice(
            [
                f"The project '{title}' brings together education, research and practice.",
                f"'{title}' develops knowledge and skills that are applied in professional "
                "practice.",
                f"This project ({title}) studies how new knowledge reaches companies and "
                "institutions faster.",
            ]
        )
        if rng.random() < 0.08:
            nl = None
        if rng.random() < 0.15:
            en = None
        return nl, en

    def extras(self, start_year: int) -> tuple[list, list, int | None]:
        rng = self.rng
        updates: list[dict] = []
        if rng.random() < 0.1:
            y = min(max(start_year + 1, 2019), 2026)
            updates.append(
                {
                    "submission_date": f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "update_nl": "Het project verloopt volgens plan; de eerste resultaten zijn "
                    "gedeeld met de partners.",
                    "update_en": "The project is on schedule; first results have been shared "
                    "with the partners.",
                }
            )
        products: list[dict] = []
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                product_title, product_type = rng.choice(
                    [
                        ("Tussenrapportage", "Rapport"),
                        ("Handreiking voor de praktijk", "Rapport"),
                        ("Conference paper", "Presentatie"),
                        ("Open dataset", "Dataset"),
                        ("Journal article", "Artikel"),
                    ]
                )
                products.append(
                    {
                        "title": product_title,
                        "type": product_type,
                        "year": min(start_year + rng.randint(1, 3), 2026),
                        "url": None,
                        "doi": None,
                    }
                )
        reporting_year = rng.choice([None, None, 2023, 2024, 2025])
        return updates, products, reporting_year

    def make_record(
        self,
        *,
        pid: str,
        fsid: int,
        scheme: str,
        department: str,
        sub_department: str,
        title: str,
        start: str | None,
        end: str | None,
        members: list | None,
        members_mode: str,
        amount: float | int | None,
        start_year: int,
        parent: str | None = None,
    ) -> dict:
        nl, en = self.summaries(title, practice=department in (KIC_DEPT, SIA, NGF_DEPT))
        updates, products, reporting_year = self.extras(start_year)
        record = {
            "project_id": pid,
            "grant_id": self.grant_id(start_year),
            "parent_project_id": parent,
            "title": title,
            "funding_scheme_id": fsid,
            "funding_scheme": scheme,
            "department": department,
            "sub_department": sub_department,
            "start_date": start,
            "end_date": end,
            "summary_nl": nl,
            "summary_en": en,
            "summary_updates": updates,
            "project_members": members,
            "products": products,
            "reporting_year": reporting_year,
            "award_amount": amount,
        }
        if members_mode == "empty":
            record["project_members"] = []
        elif members_mode == "null":
            record["project_members"] = None
        elif members_mode == "absent":
            del record["project_members"]
        return record

    def as_dt(self) -> bool:
        is_dt = self.rng.random() < 0.42
        return is_dt

    # ---- in-scope projects -----------------------------------------------------------------

    def in_scope_title(self, call_id: str) -> str:
        rng = self.rng
        if call_id == "kic_lc_2021":
            return self.unique_title(
                lambda: self._fill(rng.choice(KIC21_TEMPLATES), rng.choice(KIC21_TOPICS))
            )
        if call_id == "kic_lc_2023":
            return self.unique_title(
                lambda: self._fill(rng.choice(KIC23_TEMPLATES), rng.choice(KIC23_TOPICS))
            )
        if call_id == "gvnl_rd_2022":
            unused_en = [t for t in RD_EN if t not in self.used_titles]
            if unused_en and rng.random() < 0.2:
                return self.unique_title(lambda: rng.choice(unused_en))
            return self.unique_title(lambda: f"{rng.choice(RD_ASPECTS)} {rng.choice(RD_OBJECTS)}")
        raise ValueError(call_id)

    def _fill(self, template: str, topic: str) -> str:
        topic_l = topic[0].lower() + topic[1:] if not topic[:2].isupper() else topic
        return template.format(topic=topic, topic_l=topic_l, region=self.rng.choice(REGIONS))

    def lc_dates(self, call_id: str) -> tuple[date, date]:
        rng = self.rng
        if call_id == "kic_lc_2021":
            start = date(2022, rng.randint(4, 12), 1)
            years = 4
        elif call_id == "kic_lc_2023":
            start = date(2024, rng.randint(1, 10), 1)
            years = rng.choice([4, 5, 6])
        elif call_id == "gvnl_lc_2024":
            start = date(2024, 10, 1) + timedelta(days=31 * rng.randint(0, 8))
            start = start.replace(day=1)
            years = 4
        else:
            start = date(2022, 10, 1) + timedelta(days=31 * rng.randint(0, 11))
            start = start.replace(day=1)
            years = 4
        return start, _add_years(start, years) - timedelta(days=1)

    def add_in_scope(
        self,
        call_id: str,
        pid: str,
        *,
        fsid: int | None = None,
        title: str | None = None,
        style: str = "main",
        members_mode: str = "list",
        amount: float | int | None = None,
        start: str | bool | None = True,
        end: str | bool | None = True,
        rule: str | None = None,
        pad_lead: bool = False,
    ) -> InScopeRecord:
        """Add one in-scope record. ``start``/``end`` True means a normal generated date."""
        call = CALLS[call_id]
        if fsid is None:
            fsid = {
                "kic_lc_2021": KIC21_FSID,
                "kic_lc_2023": KIC23_FSID,
                "gvnl_lc_2024": GVNL_LC_FSID,
                "gvnl_rd_2022": RD_FSID,
            }[call_id]
        if title is None:
            title = self.in_scope_title(call_id)
        d_start, d_end = self.lc_dates(call_id)
        # datetimes on exactly 2 of every 5 in-scope records (placement is shuffled later)
        as_dt = len(self.in_scope) % 5 in (1, 3)
        start_s = _fmt(d_start, as_dt) if start is True else start
        end_s = _fmt(d_end, as_dt) if end is True else end
        if members_mode == "list":
            members, lead = self.team(call["profile"], style, in_scope=True, pad_lead=pad_lead)
        else:
            members, lead = None, None
        record = self.make_record(
            pid=pid,
            fsid=fsid,
            scheme=call["name"],
            department=call["department"],
            sub_department=call["sub_department"],
            title=title,
            start=start_s,
            end=end_s,
            members=members,
            members_mode=members_mode,
            amount=amount,
            start_year=d_start.year,
        )
        item = InScopeRecord(
            call_id=call_id,
            record=record,
            lead_org=lead,
            set_aside_rule=rule,
            flagged=members_mode != "list",
        )
        self.in_scope.append(item)
        if rule is None and members_mode == "list" and style == "multi_pl":
            self.stats.add("multi_pl_projects")
        return item

    def seq_ids(self, fmt: str, n: int, lo: int, hi: int, skip: tuple[int, ...] = ()) -> list[str]:
        out = []
        choices = [s for s in range(lo, hi) if s not in skip]
        for seq in sorted(self.rng.sample(choices, n)):
            pid = fmt.format(seq)
            assert pid not in self.used_pids
            self.used_pids.add(pid)
            out.append(pid)
        self.rng.shuffle(out)
        return out

    def build_in_scope(self) -> dict[str, list]:
        """Create all in-scope records. Returns handles used later (cross, recoded, repeats)."""
        rng = self.rng
        handles: dict[str, list] = {"cross": [], "recoded": [], "repeat_candidates": []}

        def kept(call_id: str, pid: str, **kw) -> InScopeRecord:
            item = self.add_in_scope(call_id, pid, **kw)
            return item

        # -- set-aside records: exactly one broken rule each, never a sibling record ----------
        set_aside_plan = [
            ("kic_lc_2021", "KICH1 HC02 21 093", "nwo_file_number", {}),
            ("kic_lc_2021", "KICH1.HC02.21.094 (oud)", "nwo_file_number", {}),
            (
                "kic_lc_2021",
                None,
                "end_not_before_start",
                {"start": "2022-09-01", "end": "2022-08-31"},
            ),
            ("kic_lc_2021", None, "unreadable_value", {"start": "2023-02-30", "end": "2026-08-31"}),
            ("kic_lc_2021", None, "subsidy_within_cap", {"amount": 1_150_000}),
            ("kic_lc_2023", "", "nwo_file_number", {}),
            ("kic_lc_2023", "KICH3.LTP..004", "nwo_file_number", {}),
            (
                "kic_lc_2023",
                None,
                "end_not_before_start",
                {"start": "2023-10-01T00:00:00", "end": "2023-09-30"},
            ),
            (
                "kic_lc_2023",
                None,
                "end_not_before_start",
                {"start": "2024-01-01", "end": "2021-06-30"},
            ),
            ("kic_lc_2023", None, "unreadable_value", {"start": "2024-02-01", "end": "31-12-2025"}),
            ("kic_lc_2023", None, "subsidy_within_cap", {"amount": 780_000}),
            ("gvnl_lc_2024", None, "subsidy_within_cap", {"amount": 27_500_000}),
            ("gvnl_rd_2022", "n.t.b.", "nwo_file_number", {}),
            ("gvnl_rd_2022", "NGF.1582.22.099/2", "nwo_file_number", {}),
            (
                "gvnl_rd_2022",
                None,
                "end_not_before_start",
                {"start": "2023-01-01", "end": "2022-12-31T00:00:00"},
            ),
            (
                "gvnl_rd_2022",
                None,
                "unreadable_value",
                {"start": "2023-03-01", "end": "binnenkort"},
            ),
            (
                "gvnl_rd_2022",
                None,
                "unreadable_value",
                {"start": "2024-13-01", "end": "2027-12-31"},
            ),
        ]
        n_needed = {"kic_lc_2021": 29, "kic_lc_2023": 53, "gvnl_lc_2024": 8, "gvnl_rd_2022": 42}
        pools = {
            "kic_lc_2021": self.seq_ids("KICH1.HC02.21.{:03d}", 40, 1, 80),
            "kic_lc_2023": self.seq_ids("KICH3.HC.23.{:03d}", 60, 1, 120),
            "gvnl_lc_2024": self.seq_ids("NGF.1609.24.{:03d}", 12, 1, 20),
            "gvnl_rd_2022": self.seq_ids("NGF.1582.22.{:03d}", 50, 1, 99, skip=(35,)),
        }
        for bad in (
            "KICH1 HC02 21 093",
            "KICH1.HC02.21.094 (oud)",
            "",
            "KICH3.LTP..004",
            "n.t.b.",
            "NGF.1582.22.099/2",
            "NGF.1623.23.012",
            "n.t.b. (WOTRO)",
        ):
            self.used_pids.add(bad)
        # valid ids of other shapes, which must be kept
        special_ids = {
            "kic_lc_2021": ["KICH1.LWV02.20.006", "KICH1-LC.21-017"],
            "kic_lc_2023": ["KICH3.LTP.23.012", "KICH3.LTP.23.019"],
            "gvnl_lc_2024": [],
            "gvnl_rd_2022": ["NGF.1582.22.035.A", "NGF.1582.22.035.B", "NGF.1623.23.012.A"],
        }
        for ids in special_ids.values():
            for pid in ids:
                assert pid not in self.used_pids
                self.used_pids.add(pid)

        def next_id(call_id: str) -> str:
            if special_ids[call_id]:
                return special_ids[call_id].pop(0)
            return pools[call_id].pop()

        gvnl_titles = list(GVNL_LC_TITLES)
        rng.shuffle(gvnl_titles)

        def title_for(call_id: str) -> str | None:
            if call_id == "gvnl_lc_2024":
                title = gvnl_titles.pop()
                self.used_titles.add(title)
                return title
            return None

        made = {c: 0 for c in CALLS}
        for call_id, pid, rule, kw in set_aside_plan:
            kw = dict(kw)
            if pid is None:
                pid = pools[call_id].pop()
            if call_id == "gvnl_lc_2024":
                kw["title"] = title_for(call_id)
            self.add_in_scope(call_id, pid, rule=rule, **kw)
            made[call_id] += 1
            self.stats.add(f"set_aside_{rule}")

        # -- flagged: no members (kept, counted with 0 partners) ------------------------------
        flag_plan = [
            ("kic_lc_2021", "empty"),
            ("kic_lc_2023", "null"),
            ("kic_lc_2023", "absent"),
            ("gvnl_lc_2024", "empty"),
            ("gvnl_rd_2022", "absent"),
        ]
        for call_id, mode in flag_plan:
            self.add_in_scope(
                call_id, pools[call_id].pop(), members_mode=mode, title=title_for(call_id)
            )
            made[call_id] += 1
            self.stats.add(f"flagged_{mode}")

        # -- re-coded scheme: kic_lc_2023 projects under 3018 and 3124 ------------------------
        for i in range(5):
            pid = pools["kic_lc_2023"].pop()
            low = self.add_in_scope("kic_lc_2023", pid, fsid=KIC23_FSID, style="main")
            base_title = low.record["title"]
            high_title = (
                f"{base_title} (herzien)" if i % 2 == 0 else f"{base_title} {EN_DASH} fase 2"
            )
            self.used_titles.add(high_title)
            high = self.add_in_scope(
                "kic_lc_2023", pid, fsid=KIC23_FSID_RECODED, title=high_title, style="pl"
            )
            assert low.lead_org is not None and high.lead_org is not None
            handles["recoded"].append((low, high))
            made["kic_lc_2023"] += 1
            self.stats.add("recoded_projects")
        for _ in range(3):  # only under the new id
            item = kept("kic_lc_2023", pools["kic_lc_2023"].pop(), fsid=KIC23_FSID_RECODED)
            made["kic_lc_2023"] += 1
            handles["repeat_candidates"].append(item)
        # one R&D project under the id that the unfollowed "Werkpakket 3" scheme also uses
        kept("gvnl_rd_2022", pools["gvnl_rd_2022"].pop(), fsid=RD_FSID_SHARED)
        made["gvnl_rd_2022"] += 1

        # -- cross projects: id also under an unfollowed scheme -------------------------------
        for call_id, other_fsid in (
            ("kic_lc_2021", 2568),
            ("kic_lc_2023", 3200),
            ("gvnl_rd_2022", 2978),
            ("gvnl_rd_2022", 2981),
        ):
            item = kept(call_id, pools[call_id].pop())
            handles["cross"].append((item, other_fsid))
            made[call_id] += 1
            self.stats.add("cross_projects")

        # -- kept records with amounts at or below the cap -------------------------------------
        amount_plan = {
            "kic_lc_2021": [1_000_000, 875_000, 962_450, 750_000],
            "kic_lc_2023": [750_000, 612_500, 749_999.99, 700_000],
            "gvnl_lc_2024": [4_466_666.67, 26_800_000],
            "gvnl_rd_2022": [31_250_000, 2_400_000],
        }
        for call_id, amounts in amount_plan.items():
            for amount in amounts:
                item = kept(call_id, next_id(call_id), amount=amount, title=title_for(call_id))
                made[call_id] += 1
                self.stats.add("kept_with_amount")
                if amount == CALLS[call_id]["cap"]:
                    self.stats.add("kept_amount_at_cap")

        # -- kept records with missing or equal dates -----------------------------------------
        date_plan = [
            ("kic_lc_2021", {"end": None}),
            ("kic_lc_2023", {"end": None}),
            ("kic_lc_2023", {"start": None}),
            ("kic_lc_2023", {"start": "2024-01-01", "end": "2024-01-01T00:00:00"}),
            ("gvnl_lc_2024", {"end": None}),
            ("gvnl_rd_2022", {"start": None, "end": None}),
            ("gvnl_rd_2022", {"end": None}),
        ]
        for call_id, kw in date_plan:
            kept(call_id, next_id(call_id), title=title_for(call_id), **kw)
            made[call_id] += 1
            self.stats.add("kept_with_null_or_equal_dates")

        # -- the rest: ordinary kept projects ------------------------------------------------
        pad_budget = 4
        multi_pl_budget = 12  # at least this many kept projects led by several project leaders
        for call_id, n in n_needed.items():
            while made[call_id] < n:
                style = self.weighted({"main": 65, "pl": 15, "multi_pl": 20})
                if multi_pl_budget > 0 and rng.random() < 0.3:
                    style = "multi_pl"
                if style == "multi_pl":
                    multi_pl_budget -= 1
                pad = pad_budget > 0 and rng.random() < 0.2
                if pad:
                    pad_budget -= 1
                item = kept(
                    call_id, next_id(call_id), style=style, title=title_for(call_id), pad_lead=pad
                )
                made[call_id] += 1
                handles["repeat_candidates"].append(item)
        assert all(not ids for ids in special_ids.values())
        assert not gvnl_titles
        return handles

    def apply_name_variants(self) -> None:
        rng = self.rng
        for call_id, k in VARIANT_RECORDS.items():
            items = [it for it in self.in_scope if it.call_id == call_id]
            chosen = rng.sample(items, k)
            variants = NAME_VARIANTS[call_id]
            for i, item in enumerate(chosen):
                name = variants[i] if i < len(variants) else variants[0]
                item.record["funding_scheme"] = name
                self.stats.add("name_variant_records")

    # ---- out-of-scope records --------------------------------------------------------------

    def oos_pid(self, kind: str, year: int) -> str:
        rng = self.rng
        yy = year % 100
        for _ in range(10_000):
            n = rng.randint(1, 299)
            if kind.startswith("ngf:"):
                _, prog, yr, hundreds = kind.split(":")
                pid = f"NGF.{prog}.{yr}.{int(hundreds) * 100 + rng.randint(1, 99):03d}"
                if rng.random() < 0.25:
                    pid += "." + rng.choice("ABC")
            elif kind == "veni":
                pid = f"VI.Veni.{yy}{rng.randint(1, 3)}.{n:03d}"
            elif kind == "vidi":
                pid = f"VI.Vidi.{yy}{rng.randint(1, 3)}.{n:03d}"
            elif kind == "vici":
                pid = f"VI.C.{yy}{rng.randint(1, 3)}.{n:03d}"
            elif kind == "rubicon":
                pid = f"019.{yy}{rng.randint(1, 2)}{rng.choice(['EN', 'SG', 'TW'])}.{n:03d}"
            elif kind == "nwa":
                pid = f"NWA.{rng.choice(['1292', '1389', '1418', '1434'])}.{yy}.{n:03d}"
            elif kind == "ocenw_m":
                pid = f"OCENW.M.{yy}.{n:03d}"
            elif kind == "ocenw_xl":
                pid = f"OCENW.XL{yy}.XL{yy}.{n:03d}"
            elif kind == "ocenw_xs":
                pid = f"OCENW.XS{yy}.{rng.randint(1, 4)}.{n:03d}"
            elif kind == "kic_mission":
                code = rng.choice(["ED04", "ED02", "GZ03", "VE01", "LWV01", "ST01"])
                pid = f"KICH1.{code}.{yy}.{n:03d}"
            elif kind == "number":
                pid = f"{rng.randint(17_000, 20_999)}"
            elif kind == "perspectief":
                pid = f"P{yy}-{rng.randint(1, 25):02d}.{rng.randint(1, 9)}"
            elif kind == "raak_mkb":
                pid = f"RAAK.MKB{rng.randint(10, 19)}.{n:03d}"
            elif kind == "raak_pro":
                pid = f"RAAK.PRO{rng.randint(1, 5):02d}.{n:03d}"
            elif kind == "raak_pub":
                pid = f"RAAK.PUB{rng.randint(8, 12)}.{n:03d}"
            elif kind == "kiem":
                pid = f"KIEM.K{yy}.{rng.randint(1, 3):02d}.{n:03d}"
            elif kind == "sia_pd":
                pid = f"PD.{yy}.{n:03d}"
            elif kind == "sgw":
                pid = f"406.{yy}.{rng.choice(['GO', 'RB', 'FT'])}.{n:03d}"
            elif kind == "comenius":
                pid = f"405.{yy}.CS.{n:03d}"
            elif kind == "groot":
                pid = f"OCENW.GROOT.{year}.{n:03d}"
            elif kind == "zwaartekracht":
                pid = f"024.00{rng.randint(1, 5)}.0{rng.randint(10, 99)}"
            elif kind == "wotro":
                pid = f"W {rng.choice(['07', '08'])}.{rng.randint(200, 399)}.{n:03d}"
            elif kind == "sia_lab":
                pid = f"SIA.LAB.{yy}.{n:03d}"
            elif kind == "lczw":
                pid = f"LCZW.{yy}.{n:03d}"
            elif kind == "sialc":
                pid = f"LC.SIA.{yy}.{n:03d}"
            elif kind == "kic21like":
                pid = f"KICH1.HC02.21.{rng.randint(100, 199):03d}"
            elif kind == "kic23like":
                pid = f"KICH3.HC.23.{rng.randint(150, 299):03d}"
            elif kind == "lcoa":
                pid = f"LCOA.{yy}.{n:03d}"
            else:  # pragma: no cover
                raise ValueError(kind)
            if pid not in self.used_pids:
                self.used_pids.add(pid)
                return pid
        raise RuntimeError(kind)  # pragma: no cover

    def oos_title(self, scheme: Scheme) -> str:
        rng = self.rng
        if scheme.name in DECOY_NAMES:
            return self._fill(rng.choice(KIC23_TEMPLATES), rng.choice(KIC23_TOPICS))
        if scheme.profile in ("sia", "edu", "lc") or rng.random() < 0.25:
            return (
                f"{rng.choice(OOS_NL)} ({rng.choice(REGIONS)})"
                if rng.random() < 0.5
                else (rng.choice(OOS_NL))
            )
        return f"{rng.choice(OOS_ADJ)} {rng.choice(OOS_SUBJECTS)}{rng.choice(OOS_ENDINGS)}"

    def add_oos(
        self,
        scheme: Scheme,
        *,
        pid: str | None = None,
        title: str | None = None,
        start: str | bool | None = True,
        end: str | bool | None = True,
        amount: float | int | bool | None = True,
        members_mode: str | None = None,
    ) -> dict:
        rng = self.rng
        if pid is None:
            pid = self.oos_pid(scheme.id_kind, scheme.year)
        if title is None:
            title = self.oos_title(scheme)
        start_year = scheme.year + rng.choice([0, 1, 1])
        d_start = date(start_year, rng.randint(1, 12), rng.choice([1, 1, 1, 15]))
        d_end = _add_years(d_start, rng.randint(1, 6)) - timedelta(days=1)
        as_dt = self.as_dt()
        start_s = _fmt(d_start, as_dt) if start is True else start
        end_s = _fmt(d_end, as_dt) if end is True else end
        if rng.random() < 0.02 and start is True and end is True:
            end_s = None
        if amount is True:
            amount = None
            if rng.random() < 0.05:
                amount = rng.choice([250_000, 280_000, 320_000, 800_000, 1_500_000, 650_000])
        if members_mode is None:
            members_mode = "list" if rng.random() > 0.01 else "empty"
        members = None
        if members_mode == "list":
            style = self.weighted({"main": 85, "pl": 10, "multi_pl": 5})
            members, _ = self.team(scheme.profile, style, in_scope=False)
        parent = None
        if pid.startswith("NGF.") and pid.count(".") == 4:
            parent = pid.rsplit(".", 1)[0]
        record = self.make_record(
            pid=pid,
            fsid=scheme.fsid,
            scheme=scheme.name,
            department=scheme.department,
            sub_department=scheme.sub_department,
            title=title,
            start=start_s,
            end=end_s,
            members=members,
            members_mode=members_mode,
            amount=amount,
            start_year=start_year,
            parent=parent,
        )
        self.oos.append(record)
        if pid.startswith("NGF."):
            self.stats.add("out_of_scope_ngf_records")
        return record

    def build_oos(self, handles: dict[str, list], n_total: int) -> list[str]:
        rng = self.rng
        decoy_names: list[str] = []
        # cross copies (same project_id, unfollowed scheme, own content)
        for item, other_fsid in handles["cross"]:
            scheme = OOS_BY_FSID.get(other_fsid) or NGF_BY_FSID.get(other_fsid)
            scheme = scheme or DECOY_BY_FSID[other_fsid]
            self.add_oos(scheme, pid=item.record["project_id"])
            if other_fsid in DECOY_BY_FSID:
                self.stats.add("decoy_records")
        # NGF programmes
        for scheme, n in NGF_SCHEMES:
            for _ in range(n):
                self.add_oos(scheme)
        # learning-community decoys
        for scheme, n in LC_DECOYS:
            decoy_names.append(scheme.name)
            for _ in range(n):
                self.add_oos(scheme)
                self.stats.add("decoy_records")
        # learning community in the title only
        for fsid, title in LC_TITLED_OOS:
            self.add_oos(OOS_BY_FSID[fsid], title=title)
            self.stats.add("lc_titled_out_of_scope_records")
        # broken content that must not matter
        weights = [s.weight for s in OOS_GENERIC]

        def any_scheme() -> Scheme:
            return rng.choices(OOS_GENERIC, weights=weights, k=1)[0]

        for kw in (
            {"start": "2023-02-30"},
            {"end": "binnenkort"},
            {"start": "2022-05-01", "end": "2021-04-30"},
            {"end": "31-12-2025"},
        ):
            self.add_oos(any_scheme(), **kw)
            self.stats.add("out_of_scope_broken_dates")
        self.add_oos(NGF_SCHEMES[0][0], amount=45_000_000)
        self.add_oos(NGF_SCHEMES[2][0], amount=32_500_000)
        self.add_oos(OOS_BY_FSID[2310], amount=18_700_000)
        self.stats.add("out_of_scope_huge_amounts", 3)
        for mode in ("empty", "null", "absent", "empty"):
            self.add_oos(any_scheme(), members_mode=mode)
            self.stats.add("out_of_scope_without_members")
        self.add_oos(OOS_BY_FSID[2200], pid="n.t.b. (WOTRO)")
        # generic fill
        remaining = n_total - len(self.oos)
        assert remaining > 1500, remaining
        for _ in range(remaining):
            self.add_oos(any_scheme())
        return decoy_names


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


def _place(rng: random.Random, in_scope: list[dict], oos: list[dict]) -> list[dict]:
    """Spread the in-scope records evenly (with jitter) among the out-of-scope ones."""
    keyed: list[tuple[float, int, dict]] = []
    for j, rec in enumerate(oos):
        keyed.append(((j + 0.5) / len(oos), 1, rec))
    for i, rec in enumerate(in_scope):
        keyed.append(((i + rng.random()) / len(in_scope), 0, rec))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [rec for _, _, rec in keyed]


def _index_of(rows: list[dict], rec: dict) -> int:
    for i, row in enumerate(rows):
        if row is rec:
            return i
    raise ValueError("record not placed")


def generate_with_stats(seed: int = DEFAULT_SEED) -> tuple[list[dict], dict, dict]:
    """Pages, truth and construction statistics (the quirk counts, for the tests)."""
    gen = _Generator(seed)
    rng = gen.rng
    handles = gen.build_in_scope()
    gen.apply_name_variants()

    n_repeats = 6
    total = rng.randint(2325, 2389)  # last page: 25-89 records
    n_oos = total - len(gen.in_scope) - n_repeats
    decoy_names = gen.build_oos(handles, n_oos)
    assert len(gen.oos) == n_oos

    in_records = [it.record for it in gen.in_scope]
    rng.shuffle(in_records)
    oos_records = list(gen.oos)
    rng.shuffle(oos_records)
    rows = _place(rng, in_records, oos_records)

    # re-coded pairs: for some, put the higher funding_scheme_id first (on an earlier position)
    for k, (low, high) in enumerate(handles["recoded"]):
        i, j = _index_of(rows, low.record), _index_of(rows, high.record)
        want_high_first = k % 2 == 0
        if (j < i) != want_high_first:
            rows[i], rows[j] = rows[j], rows[i]
        if want_high_first:
            gen.stats.add("recoded_high_id_first")

    # exact repeats of kept single-record projects on a later page
    candidates = [
        it
        for it in handles["repeat_candidates"]
        if _index_of(rows, it.record) < len(rows) - 4 * PER_PAGE
    ]
    repeats = rng.sample(candidates, n_repeats)
    for it in repeats:
        idx = _index_of(rows, it.record)
        first_allowed = (idx // PER_PAGE + 2) * PER_PAGE
        pos = rng.randint(first_allowed, len(rows))
        rows.insert(pos, copy.deepcopy(it.record))
        gen.stats.add("exact_repeats")
    assert len(rows) == total and total % PER_PAGE != 0

    # pages
    n_pages = math.ceil(total / PER_PAGE)
    pages = []
    for p in range(n_pages):
        meta = dict(META_BASE)
        meta.update(
            {
                "date": SNAPSHOT_DATE,
                "count": total,
                "per_page": PER_PAGE,
                "pages": n_pages,
                "page": p + 1,
            }
        )
        pages.append({"meta": meta, "projects": rows[p * PER_PAGE : (p + 1) * PER_PAGE]})

    # sanity of the placement (by identity, not by matching rules)
    in_ids = {id(r) for r in in_records}
    for page in pages:
        assert any(id(r) in in_ids for r in page["projects"]), "a page without in-scope records"
    for it in repeats:
        first = _index_of(rows, it.record) // PER_PAGE
        copies = [
            i // PER_PAGE for i, r in enumerate(rows) if r is not it.record and r == it.record
        ]
        assert copies and all(c > first for c in copies)

    truth = _truth(gen, total, n_pages, decoy_names)

    def is_dt(r: dict) -> bool:
        return any(isinstance(r.get(k), str) and "T" in r[k] for k in ("start_date", "end_date"))

    stats = dict(sorted(gen.stats.counts.items()))
    stats["datetime_records"] = sum(1 for r in rows if is_dt(r))
    stats["in_scope_base_records"] = len(in_records)
    stats["in_scope_datetime_records"] = sum(1 for r in in_records if is_dt(r))
    return pages, truth, stats


def _truth(gen: _Generator, total: int, n_pages: int, decoy_names: list[str]) -> dict:
    set_aside = []
    flagged = []
    groups: dict[tuple[str, str], list[InScopeRecord]] = {}
    for it in gen.in_scope:
        rec = it.record
        key = {
            "project_id": rec["project_id"],
            "funding_scheme_id": rec["funding_scheme_id"],
            "call_id": it.call_id,
        }
        if it.set_aside_rule:
            set_aside.append({**key, "rule": it.set_aside_rule})
            continue
        if it.flagged:
            flagged.append({**key, "rule": "has_members"})
        groups.setdefault((it.call_id, rec["project_id"]), []).append(it)

    projects = []
    for (call_id, pid), items in sorted(groups.items()):
        items = sorted(items, key=lambda it: it.record["funding_scheme_id"])
        first = items[0]
        call = CALLS[call_id]
        projects.append(
            {
                "project_id": pid,
                "call_id": call_id,
                "programme": call["programme"],
                "round": call["round"],
                "is_learning_community": call["lc"],
                "title": first.record["title"],
                "lead_organisation": first.lead_org.strip() if first.lead_org else None,
                "member_count": sum(len(it.record.get("project_members") or []) for it in items),
            }
        )
    by_call = {c: 0 for c in CALLS}
    for p in projects:
        by_call[p["call_id"]] += 1
    lc_by_pr: dict[str, dict[str, int]] = {}
    for call_id, call in CALLS.items():
        if call["lc"]:
            lc_by_pr.setdefault(call["programme"], {})[str(call["round"])] = by_call[call_id]

    def sort_key(d: dict) -> tuple:
        return (d["call_id"], d["project_id"], d["funding_scheme_id"], d["rule"])

    return {
        "records_total": total,
        "pages": n_pages,
        "lc_projects_by_programme_round": lc_by_pr,
        "projects_by_call": by_call,
        "set_aside": sorted(set_aside, key=sort_key),
        "flagged": sorted(flagged, key=sort_key),
        "possible_new_lc_calls": sorted(decoy_names),
        "projects": projects,
        "out_of_scope_ngf_records": gen.stats.counts.get("out_of_scope_ngf_records", 0),
    }


def generate(seed: int = DEFAULT_SEED) -> tuple[list[dict], dict]:
    """The API pages (JSON-ready page envelopes) and the truth for ``seed``."""
    pages, truth, _ = generate_with_stats(seed)
    return pages, truth


def write_pages(folder: pathlib.Path, pages: list[dict]) -> None:
    """Write ``page-001.json``, ``page-002.json`` ... into ``folder`` (UTF-8)."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        path = folder / f"page-{page['meta']['page']:03d}.json"
        path.write_text(json.dumps(page, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def dump_truth(truth: dict) -> str:
    return json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    _, truth = generate(DEFAULT_SEED)
    EXPECTED_FILE.write_text(dump_truth(truth), encoding="utf-8")
    print(f"wrote {EXPECTED_FILE}")


if __name__ == "__main__":
    main()
