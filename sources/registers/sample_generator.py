"""Generate the register template and the two bundled sample registers.

SAMPLE DATA. Run ``python -m sources.registers.sample_generator``; the output is deterministic.

Real: the 2024 MOOI Learning Community scheme (€1M in total) and the GroenvermogenNL regions
and named Learning Communities (Hydrogen Lab Zuidwest with HZ and Scalda, Applied Research
Team Oost, Hydrogen Valley Campus Noord, Waterstof Werkt with New Energy Coalition 2022-2027,
Noordwest with Hogeschool van Amsterdam) from docs/sources.md, and the organisations' names.
Invented: every amount, date, partner list, count of students, professionals and teachers,
LC municipality and every id. Organisation names are spelled the way a programme office
might, which often differs from NWOpen and the Topsector Energie pages; that is on purpose.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, SAMPLE_DIR, TEMPLATE
from sources.registers.schema import PARTNER_SPEC, PROJECT_SPEC

FIXED_TIME = datetime(2026, 11, 1, 9, 0, 0)  # workbook properties: stable bytes on re-runs
BANNER = (
    "SAMPLE DATA generated for LC Monitor (sources/registers/sample_generator.py); "
    "not a real programme-office register"
)
PROJECT_HEADER = [c.name for c in PROJECT_SPEC]
PARTNER_HEADER = [c.name for c in PARTNER_SPEC]

# (register_id, lc_name, region, related_grant, start, end, subsidy, students, professionals,
#  website, remark)
MOOI_LCS = [
    ("MOOI-LC-2024-01", "Learning Community HEATWISE", "Noord-Brabant", "MOOI52101",
     date(2024, 9, 1), date(2026, 8, 31), 165000, 120, 35, "https://www.heatwise.nl/lc", None),
    ("MOOI-LC-2024-02", "Learning Community NETFLEX", "Gelderland", "MOOI52104",
     "1 september 2024", "31-08-2026", "€ 170.000", None, None, None, "telling volgt"),
    ("MOOI-LC-2024-03", "Learning Community GREENSTEEL-LOOP", "Noord-Holland", "MOOI52107",
     "01-10-2024", date(2027, 9, 30), 175000, 80, 60, None, None),
    ("MOOI-LC-2024-04", "Learning Community NO-GIZMOS", "Zuid-Holland", "MOOI52109",
     date(2024, 10, 1), date(2026, 12, 31), "€ 150.000", 45, None, None, None),
    ("MOOI-LC-2024-05", "Learning Community WARMTEPOORT", "Utrecht", "MOOI52112",
     "2024-11-01", "2027-10-31", 160000, None, 25, "https://warmtepoort.nl", None),
    ("MOOI-LC-2024-06", "Learning Community H2-PROCESWARMTE", "Zeeland", "MOOI52115",
     date(2025, 1, 1), "31 december 2027", "€ 175.000", 60, 40, None, "start uitgesteld"),
]  # fmt: skip
# register_id -> (lc_municipality, teachers_reached): where the LC works and the teachers of
# its professionals; a cell left empty where the office does not know.
MOOI_LC_EXTRA = {
    "MOOI-LC-2024-01": ("Eindhoven", 12),
    "MOOI-LC-2024-02": ("Arnhem", None),
    "MOOI-LC-2024-03": ("Amsterdam", 20),
    "MOOI-LC-2024-04": ("Delft", None),
    "MOOI-LC-2024-05": ("Utrecht", 9),
    "MOOI-LC-2024-06": (None, 15),
}
# (register_id, organisation, type, role, municipality, postcode)
MOOI_PARTNERS = [
    # Types and roles typed in another case: the parser normalises them.
    ("MOOI-LC-2024-01", "Summa College", "MBO", "Penvoerder", "Eindhoven", "5611 AB"),
    ("MOOI-LC-2024-01", "Fontys Hogescholen", "hbo", "partner", "Eindhoven", "5612AP"),
    ("MOOI-LC-2024-01", "TU/e", "wo", "partner", "Eindhoven", "5612 AZ"),
    ("MOOI-LC-2024-01", "Remeha B.V.", "bedrijf", "partner", "Apeldoorn", None),
    ("MOOI-LC-2024-01", "Installatiebedrijf Van der Heijden", "bedrijf", "partner",
     "Veldhoven", "5504 DA"),
    ("MOOI-LC-2024-01", "Gemeente Eindhoven", "overheid", "partner", "Eindhoven", None),
    ("MOOI-LC-2024-02", "Rijn IJssel", "mbo", "penvoerder", "Arnhem", "6826 LV"),
    ("MOOI-LC-2024-02", "Hogeschool van Arnhem en Nijmegen", "hbo", "partner", "Arnhem",
     "6826 CC"),
    ("MOOI-LC-2024-02", "Alliander", "bedrijf", "partner", "Arnhem", "6812 AH"),
    ("MOOI-LC-2024-02", "Solarfields B.V.", "bedrijf", "partner", "Zwolle", None),
    ("MOOI-LC-2024-02", "Graafschap College", "mbo", "partner", "Doetinchem", "7004 HH"),
    ("MOOI-LC-2024-03", "Hogeschool van Amsterdam", "hbo", "penvoerder", "Amsterdam",
     "1097 DZ"),
    ("MOOI-LC-2024-03", "Nova College", "mbo", "partner", "Haarlem", "2035 RC"),
    ("MOOI-LC-2024-03", "Tata Steel IJmuiden", "bedrijf", "partner", "Velsen", "1951 JZ"),
    ("MOOI-LC-2024-03", "Dow Benelux", "bedrijf", "partner", "Terneuzen", None),
    ("MOOI-LC-2024-03", "TNO", "Kennisinstelling", "partner", "Petten", "1755 LE"),
    ("MOOI-LC-2024-03", "Techport", "overig", "partner", "Velsen", None),
    ("MOOI-LC-2024-04", "Technische Universiteit Delft", "wo", "penvoerder", "Delft",
     "2628 CN"),
    ("MOOI-LC-2024-04", "De Haagse Hogeschool", "hbo", "partner", "Den Haag", "2521 EN"),
    ("MOOI-LC-2024-04", "ROC Mondriaan", "mbo", "partner", "Den Haag", "2521 DL"),
    ("MOOI-LC-2024-04", "Stedin Netbeheer", "bedrijf", "partner", "Rotterdam", "3011 TA"),
    ("MOOI-LC-2024-05", "Hogeschool Utrecht", "hbo", "penvoerder", "Utrecht", "3584 CS"),
    ("MOOI-LC-2024-05", "MBO Utrecht", "mbo", "partner", "Utrecht", None),
    ("MOOI-LC-2024-05", "ROC Midden Nederland", "mbo", "partner", "Utrecht", "3528 BG"),
    ("MOOI-LC-2024-05", "Intergas Heating", "bedrijf", "partner", "Coevorden", "7741 KC"),
    ("MOOI-LC-2024-05", "Eneco", "bedrijf", "partner", "Rotterdam", None),
    ("MOOI-LC-2024-05", "Gemeente Utrecht", "overheid", "partner", "Utrecht", "3511 JA"),
    ("MOOI-LC-2024-06", "Scalda", "mbo", "penvoerder", "Vlissingen", "4382 NW"),
    ("MOOI-LC-2024-06", "HZ University of Applied Sciences", "hbo", "partner", "Vlissingen",
     "4382 NW"),
    ("MOOI-LC-2024-06", "Yara Sluiskil", "bedrijf", "partner", "Terneuzen", "4541 HJ"),
    ("MOOI-LC-2024-06", "Zeeland Refinery N.V.", "bedrijf", "partner", "Borssele", None),
    ("MOOI-LC-2024-06", "Smart Delta Resources", "overig", "partner", "Middelburg", None),
    ("MOOI-LC-2024-01", "Brainport Development", "overig", "partner", "Eindhoven", None),
    ("MOOI-LC-2024-02", "Aeres MBO", "mbo", "partner", "Ede", None),
    ("MOOI-LC-2024-03", "Gemeente Velsen", "overheid", "partner", "Velsen", None),
    ("MOOI-LC-2024-04", "Hogeschool Leiden", "hbo", "partner", "Leiden", None),
    ("MOOI-LC-2024-05", "Gemeente Nieuwegein", "overheid", "partner", "Nieuwegein", None),
    ("MOOI-LC-2024-06", "Gemeente Borsele", "overheid", "partner", "Borssele", None),
]  # fmt: skip

GVNL_LCS = [
    ("GVNL-LC-ZW", "Hydrogen Lab", "Zuidwest", "NGF.1623.24.001", "2025-04-01", "2029-03-31",
     "€ 3.800.000", "210", "45", "https://www.hydrogenlab.nl"),
    ("GVNL-LC-OOST", "Applied Research Team Waterstof", "Oost", "NGF.1623.24.002",
     "1 april 2024", "31 maart 2028", "€ 3,7 miljoen", "95", "", ""),
    ("GVNL-LC-NOORD-HVC", "Hydrogen Valley Campus", "Noord", "NGF.1623.24.003", "01-10-2025",
     "30-09-2029", "3900000", "", "", ""),
    ("GVNL-LC-NOORD-WW", "Waterstof Werkt", "Noord", "NGF.1623.24.004", "2022-09-01",
     "2027-08-31", "€ 3.600.000", "340", "120", "https://www.waterstofwerkt.nl"),
    ("GVNL-LC-NW", "Learning Community Waterstof Noordwest", "Noordwest", "NGF.1623.24.005",
     "2025-01-01", "2028-12-31", "€ 3.800.000", "", "30", ""),
    ("GVNL-LC-RM", "Learning Community Waterstof Rotterdam-Moerdijk", "Rotterdam-Moerdijk",
     "NGF.1623.24.006", "1 september 2024", "31 augustus 2028", "€ 4.000.000", "150", "",
     ""),
    ("GVNL-LC-LIMBURG", "Learning Community Waterstof Chemelot", "Limburg", "", "2026-01-01",
     "", "", "", "", ""),
]  # fmt: skip
GVNL_LC_EXTRA = {
    "GVNL-LC-ZW": ("Vlissingen", "18"),
    "GVNL-LC-OOST": ("Enschede", ""),
    "GVNL-LC-NOORD-HVC": ("Groningen", ""),
    "GVNL-LC-NOORD-WW": ("Assen", "40"),
    "GVNL-LC-NW": ("Amsterdam", "8"),
    "GVNL-LC-RM": ("", "25"),
    "GVNL-LC-LIMBURG": ("Sittard-Geleen", ""),
}
GVNL_PARTNERS = [
    ("GVNL-LC-ZW", "Hogeschool Zeeland", "hbo", "penvoerder", "Vlissingen", "4382NW"),
    ("GVNL-LC-ZW", "Scalda", "mbo", "partner", "Vlissingen", "4382 NW"),
    ("GVNL-LC-ZW", "Yara Sluiskil B.V.", "bedrijf", "partner", "Terneuzen", "4541 HJ"),
    ("GVNL-LC-ZW", "Zeeland Refinery", "bedrijf", "partner", "Borssele", ""),
    ("GVNL-LC-ZW", "Provincie Zeeland", "overheid", "partner", "Middelburg", "4331 CK"),
    ("GVNL-LC-ZW", "Gemeente Vlissingen", "overheid", "partner", "Vlissingen", "4381 CE"),
    ("GVNL-LC-ZW", "North Sea Port", "bedrijf", "partner", "Terneuzen", ""),
    ("GVNL-LC-OOST", "Saxion Hogeschool", "hbo", "penvoerder", "Enschede", "7513 AB"),
    ("GVNL-LC-OOST", "Universiteit Twente", "wo", "partner", "Enschede", "7522 NB"),
    ("GVNL-LC-OOST", "ROC van Twente", "mbo", "partner", "Hengelo", "7555 NH"),
    ("GVNL-LC-OOST", "Hygro", "bedrijf", "partner", "Wijk aan Zee", ""),
    ("GVNL-LC-OOST", "Kiwa Technology", "bedrijf", "partner", "Apeldoorn", "7311 AW"),
    ("GVNL-LC-OOST", "Gemeente Hengelo", "overheid", "partner", "Hengelo", ""),
    ("GVNL-LC-NOORD-HVC", "Hanzehogeschool Groningen", "hbo", "penvoerder", "Groningen",
     "9747 AS"),
    ("GVNL-LC-NOORD-HVC", "Noorderpoort", "mbo", "partner", "Groningen", "9728 JJ"),
    ("GVNL-LC-NOORD-HVC", "RUG", "wo", "partner", "Groningen", "9712 CP"),
    ("GVNL-LC-NOORD-HVC", "HyCC", "bedrijf", "partner", "Delfzijl", "9936 HD"),
    ("GVNL-LC-NOORD-HVC", "Groningen Seaports", "overheid", "partner", "Delfzijl", ""),
    ("GVNL-LC-NOORD-WW", "New Energy Coalition", "overig", "penvoerder", "Groningen",
     "9747 AA"),
    ("GVNL-LC-NOORD-WW", "Drenthe College", "mbo", "partner", "Emmen", "7811 KL"),
    ("GVNL-LC-NOORD-WW", "Hanze", "hbo", "partner", "Groningen", "9747 AS"),
    ("GVNL-LC-NOORD-WW", "Gasunie", "bedrijf", "partner", "Groningen", "9727 KC"),
    ("GVNL-LC-NOORD-WW", "Gemeente Emmen", "overheid", "partner", "Emmen", "7811 AP"),
    ("GVNL-LC-NOORD-WW", "Alfa-college", "mbo", "partner", "Hoogeveen", ""),
    ("GVNL-LC-NOORD-WW", "Vattenfall Warmte", "bedrijf", "partner", "Amsterdam", ""),
    ("GVNL-LC-NW", "Hogeschool van Amsterdam", "hbo", "penvoerder", "Amsterdam", "1091 GM"),
    ("GVNL-LC-NW", "ROC Nova College", "mbo", "partner", "Haarlem", "2035 RC"),
    ("GVNL-LC-NW", "Universiteit van Amsterdam", "wo", "partner", "Amsterdam", "1098 XH"),
    ("GVNL-LC-NW", "Nobian Industrial Chemicals", "bedrijf", "partner", "Amersfoort", ""),
    ("GVNL-LC-NW", "Port of Amsterdam", "bedrijf", "partner", "Amsterdam", "1013 ZZ"),
    ("GVNL-LC-NW", "ROC TOP", "mbo", "partner", "Amsterdam", ""),
    ("GVNL-LC-RM", "Hogeschool Rotterdam", "hbo", "penvoerder", "Rotterdam", "3015 GG"),
    ("GVNL-LC-RM", "Techniek College Rotterdam", "mbo", "partner", "Rotterdam", "3087 BM"),
    ("GVNL-LC-RM", "TU Delft", "wo", "partner", "Delft", "2628 CN"),
    ("GVNL-LC-RM", "Engie", "bedrijf", "partner", "Zwolle", ""),
    ("GVNL-LC-RM", "Nederlandse Organisatie voor Toegepast Natuurwetenschappelijk Onderzoek",
     "kennisinstelling", "partner", "Delft", "2628 XE"),
    ("GVNL-LC-RM", "Port of Rotterdam", "bedrijf", "partner", "Rotterdam", "3072 AP"),
    ("GVNL-LC-RM", "Gemeente Moerdijk", "overheid", "partner", "Zevenbergen", "4761 AA"),
    ("GVNL-LC-RM", "Albeda", "mbo", "partner", "Rotterdam", ""),
    ("GVNL-LC-LIMBURG", "Zuyd Hogeschool", "hbo", "penvoerder", "Heerlen", "6419 DJ"),
    ("GVNL-LC-LIMBURG", "Vista college", "mbo", "partner", "Sittard", "6131 BZ"),
    ("GVNL-LC-LIMBURG", "Chemelot", "overig", "partner", "Geleen", "6167 RD"),
    ("GVNL-LC-LIMBURG", "Sitech Services", "bedrijf", "partner", "Geleen", "6167 RD"),
    ("GVNL-LC-LIMBURG", "Maastricht University", "wo", "partner", "Maastricht", "6211 LK"),
    ("GVNL-LC-LIMBURG", "Gilde Opleidingen", "mbo", "partner", "Roermond", ""),
    ("GVNL-LC-LIMBURG", "Provincie Limburg", "overheid", "partner", "Maastricht", "6211 XH"),
    ("GVNL-LC-ZW", "Evides Waterbedrijf", "bedrijf", "partner", "Terneuzen", ""),
    ("GVNL-LC-ZW", "Impuls Zeeland", "overig", "partner", "Middelburg", ""),
    ("GVNL-LC-ZW", "Gemeente Terneuzen", "overheid", "partner", "Terneuzen", ""),
    ("GVNL-LC-OOST", "Oost NL", "overig", "partner", "Arnhem", ""),
    ("GVNL-LC-OOST", "Twence", "bedrijf", "partner", "Hengelo", ""),
    ("GVNL-LC-OOST", "Gemeente Almelo", "overheid", "partner", "Almelo", ""),
    ("GVNL-LC-NOORD-HVC", "EMMTEC Services", "bedrijf", "partner", "Emmen", ""),
    ("GVNL-LC-NOORD-HVC", "Gemeente Groningen", "overheid", "partner", "Groningen", ""),
    ("GVNL-LC-NOORD-WW", "Gemeente Assen", "overheid", "partner", "Assen", ""),
    ("GVNL-LC-NOORD-WW", "Entrance Centre of Expertise Energy", "kennisinstelling",
     "partner", "Groningen", ""),
    ("GVNL-LC-NW", "Gemeente Amsterdam", "overheid", "partner", "Amsterdam", ""),
    ("GVNL-LC-NW", "Amsterdam Economic Board", "overig", "partner", "Amsterdam", ""),
    ("GVNL-LC-RM", "Deltalinqs", "overig", "partner", "Rotterdam", ""),
    ("GVNL-LC-RM", "STC Group", "mbo", "partner", "Rotterdam", ""),
    ("GVNL-LC-RM", "Gemeente Rotterdam", "overheid", "partner", "Rotterdam", ""),
    ("GVNL-LC-LIMBURG", "Brightlands Chemelot Campus", "overig", "partner", "Geleen", ""),
    ("GVNL-LC-LIMBURG", "OCI Nitrogen", "bedrijf", "partner", "Geleen", ""),
    ("GVNL-LC-LIMBURG", "Gemeente Sittard-Geleen", "overheid", "partner", "Sittard", ""),
]  # fmt: skip


def _stable(workbook: openpyxl.Workbook) -> None:
    workbook.properties.creator = "LC Monitor sample generator"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME


def _readme_sheet(workbook: openpyxl.Workbook, lines: list[str]) -> None:
    sheet = workbook.create_sheet("README")
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True)


def _header(sheet, names: list[str]) -> None:
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _stable_zip(data: bytes) -> bytes:
    """The workbook with fixed zip timestamps and modified time: openpyxl stamps both with
    the time of saving, which would change the sample's bytes on every run."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()


def _save(workbook: openpyxl.Workbook, path: Path) -> None:
    _stable(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_stable_zip(buffer.getvalue()))


def write_template(path: Path = TEMPLATE) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "projects"
    _header(workbook["projects"], PROJECT_HEADER)
    _header(workbook.create_sheet("partners"), PARTNER_HEADER)
    lines = ["LC Monitor register template (see sources/registers/TEMPLATE.md)", ""]
    lines += [f"projects.{c.name}{' (verplicht)' if c.required else ''}: {c.meaning}"
              for c in PROJECT_SPEC]  # fmt: skip
    lines += [f"partners.{c.name}{' (verplicht)' if c.required else ''}: {c.meaning}"
              for c in PARTNER_SPEC]  # fmt: skip
    _readme_sheet(workbook, lines)
    workbook.active.title = "projects"
    _save(workbook, path)


def write_mooi(path: Path = MOOI_SAMPLE) -> None:
    workbook = openpyxl.Workbook()
    projects = workbook.active
    projects.title = "Projects"  # the sheet name's case differs from the template
    # A header as an office types it: other case, trailing blanks, and an extra column.
    _header(
        projects,
        [
            "Register_ID",
            "programme",
            "LC_name ",
            "region",
            "related_grant",
            "call_round",
            "start_date",
            "end_date",
            "Subsidy_EUR",
            "students_reached",
            "professionals_reached",
            "website",
            # The new template columns added at the end, as an office extends its sheet.
            "LC_Municipality",
            "teachers_reached",
            "opmerking",
        ],
    )
    for rid, name, region, grant, start, end, subsidy, students, pros, web, remark in MOOI_LCS:
        place, teachers = MOOI_LC_EXTRA[rid]
        projects.append([rid, "MOOI", name, region, grant, 2024, start, end, subsidy, students,
                         pros, web, place, teachers, remark])  # fmt: skip
    for row in projects.iter_rows(min_row=2, min_col=7, max_col=8):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "dd-mm-yyyy"
    projects.append([None] * 15)  # a trailing blank row, as spreadsheets have
    partners = workbook.create_sheet("Partners")
    # "organisation_type " with a trailing blank, as a header cell typed by hand may have.
    _header(partners, [f"{n} " if n == "organisation_type" else n for n in PARTNER_HEADER])
    for row in MOOI_PARTNERS:
        partners.append(list(row))
    _readme_sheet(
        workbook,
        [
            BANNER,
            "",
            "MOOI Learning Community supplements, 2024 round.",
            "Amounts, dates, partners and reach are invented.",
        ],
    )
    _save(workbook, path)


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # Excel's "CSV UTF-8" has a BOM


def write_gvnl(folder: Path = GVNL_SAMPLE) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    projects = [PROJECT_HEADER]
    for rid, name, region, grant, start, end, subsidy, students, pros, web in GVNL_LCS:
        place, teachers = GVNL_LC_EXTRA[rid]
        projects.append([rid, "GroenvermogenNL", name, region, place, grant,
                         "2024" if grant else "", start, end, subsidy, students, pros, teachers,
                         web])  # fmt: skip
    (folder / "projects.csv").write_bytes(_csv_bytes(projects))
    partners = [PARTNER_HEADER] + [list(row) for row in GVNL_PARTNERS]
    (folder / "partners.csv").write_bytes(_csv_bytes(partners))
    (folder / "README.md").write_text(
        f"# {BANNER}\n\nGroenvermogenNL regional Learning Communities as a programme office "
        "might export them from Excel (CSV UTF-8, `;`-separated). Regions and named LCs follow "
        "docs/sources.md; amounts, dates, partners and reach are invented.\n",
        encoding="utf-8",
    )


def write_sample_readme(folder: Path = SAMPLE_DIR) -> None:
    organisations = len({p[1] for p in MOOI_PARTNERS + GVNL_PARTNERS})
    (folder / "README.md").write_text(
        f"""# SAMPLE DATA — programme-office registers

Generated by `python -m sources.registers.sample_generator`; do not edit by hand. Both follow
[the template](../TEMPLATE.md).

- `mooi_lc_register.xlsx` ({len(MOOI_LCS)} LCs, {len(MOOI_PARTNERS)} partner rows): the MOOI
  Learning Community supplements of the 2024 round (the €1M scheme Topsector Energie added),
  each attached to a 2024 MOOI consortium. The workbook carries a README sheet saying it is
  sample data, an extra `opmerking` column, header cells in another case or with a trailing
  blank, types and roles in another case, date cells next to dates typed as text, amounts as
  numbers and as text (`€ 170.000`), a postcode without its space, and a blank last row.
- `gvnl_lc_register/` ({len(GVNL_LCS)} LCs, {len(GVNL_PARTNERS)} partner rows):
  GroenvermogenNL's regional Learning Communities as a `;`-separated "CSV UTF-8" export (with
  BOM); one region (Limburg) has no NWO grant yet.

Together: {len(MOOI_PARTNERS) + len(GVNL_PARTNERS)} partner rows, {organisations} distinct \
organisation names.

Real: the schemes, the GroenvermogenNL regions and named LCs (Hydrogen Lab, Applied Research
Team, Hydrogen Valley Campus, Waterstof Werkt) and organisation names. Invented: every amount,
date, partner list, number of students, professionals and teachers reached, LC municipality,
website and id.
Organisation names are spelled as an office might (`Hogeschool Zeeland`, `TU/e`, `RUG`),
which differs from NWOpen and the Topsector Energie pages on purpose.
""",
        encoding="utf-8",
    )


def main() -> None:
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    write_template()
    write_mooi()
    write_gvnl()
    write_sample_readme()
    partners = len(MOOI_PARTNERS) + len(GVNL_PARTNERS)
    organisations = len({p[1] for p in MOOI_PARTNERS + GVNL_PARTNERS})
    print(f"wrote {TEMPLATE.name}, {MOOI_SAMPLE.name} ({len(MOOI_LCS)} LCs) and "
          f"{GVNL_SAMPLE.name}/ ({len(GVNL_LCS)} LCs): {partners} partner rows, "
          f"{organisations} distinct organisation names")  # fmt: skip


if __name__ == "__main__":
    main()
