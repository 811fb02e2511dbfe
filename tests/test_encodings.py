"""Text encodings as the sources really send them, over real HTTP.

Project pages of the Topsector Energie database are decoded with the charset their header or
their <meta> declares (a wrong or missing declaration falls back to detection, never to a
crash) and landed byte for byte. Registers in csv are read as Dutch Excel writes them
(windows-1252 or UTF-8 with BOM, ';' and comma decimals, CRLF, quoted fields) or refused with
a message that says what was tried and how to export UTF-8. Every file below is built as
bytes, the way Excel and such sites produce them, not through the code under test.
"""

# The typographic quotes and dashes below are the test data (windows-1252 0x91-0x97).
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.encodings import decode_html
from sources.errors import SourceError
from sources.landing import MANIFEST, land_snapshot, latest_files
from sources.registers import parse_register, read_register
from sources.tse import (
    content_sha256,
    document_index,
    parse_documents,
    previous_documents,
    raw_files,
    read_site,
)

BOM = b"\xef\xbb\xbf"
# The characters where windows-1252 and latin-1 part ways (0x80-0x9F), and Dutch diacritics.
TITLE = "Warmtenet ’s-Hertogenbosch – “Samen warm”"
LEAD = "Coöperatie Warmte café De Ster U.A."
PARTNERS = ["Gemeente ’s-Hertogenbosch", "Hogeschool “De Brug”", "Zuivelfabriek Ëlsloo"]


@pytest.fixture
def catalogue() -> CallCatalogue:
    return CallCatalogue.from_csv(CALLS_SEED)


# --- Topsector Energie project pages -------------------------------------------------------


def project_page(number: int, head: str = "", subsidy: str = "€ 1.250.000") -> str:
    items = "".join(f"<li>{p}</li>" for p in PARTNERS)
    return (
        f'<!DOCTYPE html>\r\n<html lang="nl">\r\n<head>\r\n{head}'
        f"<title>{TITLE} | Projecten Topsector Energie</title>\r\n</head>\r\n<body>\r\n"
        f"<h1>{TITLE}</h1>\r\n<dl>\r\n"
        "<dt>Regeling</dt><dd>MOOI – Gebouwde omgeving</dd>\r\n"
        "<dt>Ronde</dt><dd>2022</dd>\r\n"
        f"<dt>Projectnummer</dt><dd>MOOI3220{number:02d}</dd>\r\n"
        f"<dt>Penvoerder:</dt><dd>{LEAD}</dd>\r\n"
        f"<dt>Partners</dt><dd><ul>{items}</ul></dd>\r\n"
        f"<dt>Subsidie</dt><dd>{subsidy}</dd>\r\n"
        "<dt>Looptijd</dt><dd>1 juli 2022 – 30 juni 2026</dd>\r\n"
        "</dl>\r\n</body>\r\n</html>\r\n"
    )


META_1252 = '<meta charset="windows-1252">\r\n'
META_EQUIV_LATIN1 = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">\r\n'
META_UTF8 = '<meta charset="utf-8">\r\n'

# name: (how the bytes are made, Content-Type header, <head> declaration,
#        encoding expected, what decided it)
PAGES = {
    "header-1252": ("cp1252", "text/html; charset=windows-1252", "", "windows-1252",
                    "http header"),
    # Browsers read latin-1 as windows-1252: 0x80 is € on such a page, not a control char.
    "header-latin1": ("cp1252", "text/html; charset=ISO-8859-1", "", "windows-1252",
                      "http header"),
    "meta-charset": ("cp1252", "text/html", META_1252, "windows-1252", "meta"),
    "meta-http-equiv": ("cp1252", "text/html", META_EQUIV_LATIN1, "windows-1252", "meta"),
    # A server (and a template) claiming UTF-8 for windows-1252 bytes: the claim is passed over.
    "wrong-declarations": ("cp1252", "text/html; charset=utf-8", META_UTF8, "windows-1252",
                           "detected"),
    "undeclared-1252": ("cp1252", "text/html", "", "windows-1252", "detected"),
    "header-utf8": ("utf-8", "text/html; charset=utf-8", "", "utf-8", "http header"),
    "undeclared-utf8": ("utf-8", "text/html", "", "utf-8", "valid utf-8"),
    # A byte-order mark outranks the header (as in browsers).
    "bom-utf8": ("utf-8-sig", "text/html; charset=windows-1252", "", "utf-8", "byte-order mark"),
}  # fmt: skip


def listing(paths: list[str]) -> bytes:
    links = "".join(f'<li><a href="{p}">Project</a></li>\n' for p in paths)
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><ul>\n{links}</ul>' \
        "</body></html>".encode()  # fmt: skip


def test_pages_are_decoded_as_declared_and_landed_byte_for_byte(
    httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue, tmp_path: Path
):
    served: dict[str, bytes] = {}
    expected: dict[str, tuple[str, str, str]] = {}  # tse_id -> (encoding, by, content type)
    for number, (name, (codec, content_type, head, encoding, by)) in enumerate(
        PAGES.items(), start=1
    ):
        path = f"/projecten/{name}-{number}"
        body = project_page(number, head).encode(codec)
        if codec == "cp1252":  # made the way such a site makes it: € is 0x80, ’ is 0x92
            assert b"\x80 1.250.000" in body and b"\x92s-Hertogenbosch" in body
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
        httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
        served[httpserver.url_for(path)] = body
        expected[str(number)] = (encoding, by, content_type)
    listing_body = listing(["/" + u.split("/", 3)[3] for u in served])
    httpserver.expect_request("/projecten").respond_with_data(
        listing_body, content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/projecten")

    documents = read_site(url, patient_policy)
    extract = parse_documents(documents, catalogue)

    assert len(extract.projects) == len(PAGES)
    for project in extract.projects:
        assert project.get("_problems") is None, project
        assert project["title"] == TITLE
        assert project["lead_applicant"] == LEAD
        assert project["subsidy_eur"] == 1_250_000
        assert project["scheme"] == "MOOI – Gebouwde omgeving"
        partners = [p["organisation"] for p in extract.partners if p["tse_id"] == project["tse_id"]]
        assert partners == [LEAD, *PARTNERS]
    for doc in documents:
        if doc.kind == "project":
            encoding, by, content_type = expected[doc.url.rsplit("-", 1)[1]]
            assert doc.content_type == content_type  # as the server sent it
            assert (doc.decoded.encoding, doc.decoded.declared_by) == (encoding, by), doc.url

    _, folder = land_snapshot(
        tmp_path / "raw", "tse", url, raw_files(documents),
        content_sha256=content_sha256(extract), counts={},
        extra={"documents": document_index(documents)},
    )  # fmt: skip
    on_disk = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    entries = on_disk["extra"]["documents"]
    assert len(entries) == len(served) + 1
    for entry in entries:
        landed = (folder / entry["file"]).read_bytes()
        if entry["kind"] == "listing":
            assert landed == listing_body and entry["encoding"] == "utf-8"
            continue
        assert landed == served[entry["url"]]  # the exact bytes, not re-encoded text
        encoding, by, content_type = expected[entry["url"].rsplit("-", 1)[1]]
        assert (entry["encoding"], entry["encoding_from"]) == (encoding, by)
        assert entry["content_type"] == content_type


def test_not_modified_page_is_read_in_the_charset_of_its_first_answer(
    httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue, tmp_path: Path
):
    """A 304 carries no Content-Type: the charset the page was first sent with still holds.
    ISO-8859-15 puts € at 0xA4, where windows-1252 (and a detector) reads ¤."""
    body = project_page(1).replace("’", "'").replace("“", '"').replace("”", '"')
    body = body.replace("–", "-").encode("iso8859_15")
    assert b"\xa4 1.250.000" in body
    requests: list[int] = []

    def page(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            requests.append(304)
            return Response(status=304, headers={"ETag": '"v1"'})
        requests.append(200)
        return Response(body, content_type="text/html; charset=ISO-8859-15",
                        headers={"ETag": '"v1"'})  # fmt: skip

    httpserver.expect_request("/projecten/warmtenet-1").respond_with_handler(page)
    httpserver.expect_request("/projecten").respond_with_data(
        listing(["/projecten/warmtenet-1"]), content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/projecten")
    raw = tmp_path / "raw"
    for _ in range(2):
        previous = latest_files(raw / "tse")
        documents = read_site(url, patient_policy, previous_documents(*previous) if previous
                              else None)  # fmt: skip
        extract = parse_documents(documents, catalogue)
        (project,) = extract.projects
        assert project["subsidy_eur"] == 1_250_000 and project["lead_applicant"] == LEAD
        doc = documents[-1]
        assert (doc.decoded.encoding, doc.decoded.declared_by) == ("iso8859-15", "http header")
        land_snapshot(raw, "tse", url, raw_files(documents), content_sha256=str(len(requests)),
                      counts={}, extra={"documents": document_index(documents)})  # fmt: skip
    assert requests == [200, 304]
    assert documents[-1].not_modified and documents[-1].content == body


@pytest.mark.parametrize(
    "content, content_type, text",
    [
        (random.Random(16).randbytes(3000), "text/html; charset=windows-1252", None),
        (random.Random(17).randbytes(3000), "text/html; charset=utf-8", None),
        # Undeclared (the label is unknown) and not UTF-8: read as windows-1252, whose five
        # undefined bytes are the C1 controls of their number, as browsers show them.
        (b"<p>caf\xe9 \x81\x8d\x8f\x90\x9d</p>", "text/html; charset=x-no-such-charset",
         "<p>café \x81\x8d\x8f\x90\x9d</p>"),
        (b'<meta charset="base64"><p>caf\xe9</p>', None, '<meta charset="base64"><p>café</p>'),
        ("<p>café €</p>".encode("utf-16"), "text/html", "<p>café €</p>"),
        (b"", None, ""),
    ],
    ids=["random-1252", "random-utf8", "undefined-1252-bytes", "not-a-text-codec", "utf16-bom",
         "empty"],
)  # fmt: skip
def test_a_page_always_decodes(content: bytes, content_type: str | None, text: str | None):
    decoded = decode_html(content, content_type)
    assert isinstance(decoded.text, str) and decoded.encoding
    if text is not None:
        assert decoded.text == text


STRAY = "ééntje € – ‘Coöperatie’"
# name: (bytes, Content-Type header, text expected, encoding, what decided it, bytes replaced)
STRAY_BYTES = {
    # windows-1252 declared, with a byte Python's cp1252 has no character for: the declaration
    # holds (no detour through detection to mac-roman's "ÈÈntjeù Ä ñ ëCoˆperatieí").
    **{
        f"declared-1252-{by.replace(' ', '-')}-0x{byte:02X}": (
            (head + f"<p>{STRAY}").encode("cp1252") + bytes([byte]) + b"</p>", content_type,
            f"{head}<p>{STRAY}{chr(byte)}</p>", "windows-1252", by, 0,
        )
        for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        for head, content_type, by in (
            ("", "text/html; charset=windows-1252", "http header"),
            (META_1252, "text/html", "meta"),
        )
    },
    # UTF-8 with one stray windows-1252 byte (’): UTF-8 and one U+FFFD, not "Ã©Ã©ntje".
    "undeclared-utf8-stray-byte": (
        f"<p>{STRAY}".encode() + b"\x92</p>", "text/html", f"<p>{STRAY}\ufffd</p>", "utf-8",
        "mostly utf-8", 1,
    ),
    "declared-utf8-stray-bytes": (
        f"<p>{STRAY}".encode() + b"\x92\x81</p>", "text/html; charset=utf-8",
        f"<p>{STRAY}\ufffd\ufffd</p>", "utf-8", "http header", 2,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", STRAY_BYTES.values(), ids=STRAY_BYTES.keys())
def test_stray_bytes_keep_the_charset_the_page_is_in(case: tuple):
    content, content_type, text, encoding, by, replaced = case
    decoded = decode_html(content, content_type)
    assert decoded.text == text
    assert (decoded.encoding, decoded.declared_by, decoded.replaced_bytes) == (
        encoding, by, replaced
    )  # fmt: skip


def test_stray_bytes_reach_titles_as_read_and_are_reported(
    httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue, tmp_path: Path
):
    """Over HTTP: the title and organisations as the page means them, the replaced bytes in
    the manifest and a warning naming the page."""
    pages = {
        "/projecten/declared-1": project_page(1).encode("cp1252").replace(b"</h1>", b"\x81</h1>"),
        "/projecten/stray-2": project_page(2).encode().replace(b"</h1>", b"\x92</h1>"),
    }
    types = {"/projecten/declared-1": "text/html; charset=windows-1252",
             "/projecten/stray-2": "text/html"}  # fmt: skip
    for path, body in pages.items():
        httpserver.expect_request(path).respond_with_data(body, content_type=types[path])
    httpserver.expect_request("/projecten").respond_with_data(
        listing(list(pages)), content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/projecten")

    documents = read_site(url, patient_policy)
    extract = parse_documents(documents, catalogue)

    titles = {p["tse_id"]: p["title"] for p in extract.projects}
    assert titles == {"1": TITLE + "\x81", "2": TITLE + "\ufffd"}
    for project in extract.projects:
        assert project["lead_applicant"] == LEAD
        partners = [p["organisation"] for p in extract.partners if p["tse_id"] == project["tse_id"]]
        assert partners == [LEAD, *PARTNERS]
    assert extract.warnings == [
        f"{httpserver.url_for('/projecten/stray-2')}: 1 byte(s) not utf-8 read as U+FFFD "
        "(charset from mostly utf-8)"
    ]
    entries = {e["url"].rsplit("/", 1)[1]: e for e in document_index(documents)}
    assert (entries["declared-1"]["encoding"], entries["declared-1"]["replaced_bytes"]) == (
        "windows-1252", 0
    )  # fmt: skip
    assert (entries["stray-2"]["encoding"], entries["stray-2"]["replaced_bytes"]) == ("utf-8", 1)


def test_latin1_label_means_windows_1252_not_c1_controls():
    page = "<p>€ 1.250.000 ’s-Hertogenbosch Coöperatie café</p>".encode("cp1252")
    decoded = decode_html(page, "text/html; charset=iso-8859-1")
    assert decoded.text == "<p>€ 1.250.000 ’s-Hertogenbosch Coöperatie café</p>"
    assert page.decode("latin-1") != decoded.text  # latin-1 would give U+0080, U+0092


# --- registers in csv ----------------------------------------------------------------------

PROJECT_ROWS = [
    ["register_id", "programme", "lc_name", "region", "subsidy_eur", "start_date", "opmerking"],
    ["M-1", "MOOI", "Coöperatie ’s-Hertogenbosch; warmte", "Zuid", "€ 150.000,00", "1-9-2024",
     "café “De Ster”, eerste ronde"],
    ["M-2", "MOOI", 'LC "De Brug" – Noord', "Noord", "95.000,50", "1-10-2024", ""],
]  # fmt: skip
PARTNER_ROWS = [
    ["register_id", "organisation", "organisation_type", "role", "municipality", "postcode"],
    ["M-1", "Coöperatie Warmte café U.A.", "bedrijf", "penvoerder", "’s-Hertogenbosch", "5211 AB"],
    ["M-1", "Gemeente ’s-Hertogenbosch", "overheid", "partner", "’s-Hertogenbosch", "5211ab"],
    ["M-2", "Hogeschool “De Brug”; locatie Zuid", "hbo", "penvoerder", "Eindhoven", ""],
]


def excel_csv(rows: list[list[str]], codec: str, delimiter: str, bom: bool) -> bytes:
    """As Excel saves a sheet: fields holding the delimiter or a quote quoted (quotes
    doubled), CRLF line ends, then encoded; "CSV UTF-8" puts a BOM first."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (BOM if bom else b"") + buffer.getvalue().encode(codec)


def serve_register(httpserver: HTTPServer, files: dict[str, bytes], folder: str) -> str:
    for name, body in files.items():
        # Office file shares send csv without a charset (or a wrong one): not relied on.
        httpserver.expect_request(f"/{folder}/{name}").respond_with_data(
            body, content_type="text/csv"
        )
    return httpserver.url_for(f"/{folder}")


@pytest.mark.parametrize(
    "codec, bom, delimiter",
    [
        ("cp1252", False, ";"),  # Dutch Excel, "CSV (gescheiden door lijstscheidingsteken)"
        ("utf-8", True, ";"),  # Dutch Excel, "CSV UTF-8 (door komma's gescheiden)"
        ("cp1252", False, ","),  # English Excel, "CSV (Comma delimited)"
        ("utf-8", True, ","),  # English Excel, "CSV UTF-8 (Comma delimited)"
        ("utf-8", False, ","),  # LibreOffice, Google Sheets, scripts
        ("utf-8", False, ";"),
    ],
    ids=["1252-semicolon", "utf8bom-semicolon", "1252-comma", "utf8bom-comma", "utf8-comma",
         "utf8-semicolon"],
)  # fmt: skip
def test_register_csv_as_excel_writes_it(
    httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue, tmp_path: Path,
    codec: str, bom: bool, delimiter: str,
):  # fmt: skip
    files = {
        "projects.csv": excel_csv(PROJECT_ROWS, codec, delimiter, bom),
        "partners.csv": excel_csv(PARTNER_ROWS, codec, delimiter, bom),
    }
    if codec == "cp1252":
        assert b"\x80 150.000,00" in files["projects.csv"]  # € is 0x80 in windows-1252
        assert b"Co\xf6peratie \x92s-Hertogenbosch" in files["projects.csv"]
    assert b"\r\n" in files["projects.csv"]
    url = serve_register(httpserver, files, "office")

    extract = read_register(url, source="mooi_register", catalogue=catalogue,
                            policy=patient_policy)  # fmt: skip

    assert extract.problems == []
    one, two = extract.projects
    assert one["lc_name"] == "Coöperatie ’s-Hertogenbosch; warmte"
    assert (one["subsidy_eur"], two["subsidy_eur"]) == (150_000, 95_000.5)
    assert two["lc_name"] == 'LC "De Brug" – Noord'
    assert [p["organisation"] for p in extract.partners] == [r[1] for r in PARTNER_ROWS[1:]]
    assert extract.partners[0]["municipality"] == "’s-Hertogenbosch"
    assert extract.partners[1]["postcode"] == "5211 AB"
    assert extract.extra_columns == ["projects.opmerking"]
    read_as_1252 = [w for w in extract.warnings if "windows-1252" in w]
    assert len(read_as_1252) == (2 if codec == "cp1252" else 0)
    # Landed as received: the bytes served, not the text read from them.
    _, folder = land_snapshot(tmp_path / "raw", "mooi_register", url, extract.raw_files,
                              content_sha256="x", counts={})  # fmt: skip
    for name, body in files.items():
        assert (folder / name).read_bytes() == body


def test_delimiter_is_found_from_the_template_columns_not_by_counting(
    catalogue: CallCatalogue,
):
    """A comma file whose extra column's name holds more ';' than the header has ','."""
    projects = (
        b'register_id,programme,lc_name,"opmerking; zie; bijlage; punt; 4"\r\n'
        b"M-1,MOOI,Warmte Oost,\r\n"
    )
    partners = b"register_id,organisation,organisation_type,role\r\nM-1,Saxion,hbo,penvoerder\r\n"
    assert projects.split(b"\r\n")[0].count(b";") > projects.split(b"\r\n")[0].count(b",")
    extract = parse_register({"projects.csv": projects, "partners.csv": partners},
                             source="mooi_register", catalogue=catalogue)  # fmt: skip
    assert extract.problems == []
    assert extract.projects[0]["lc_name"] == "Warmte Oost"
    assert extract.extra_columns == ["projects.opmerking; zie; bijlage; punt; 4"]


GOOD_PARTNERS = excel_csv(PARTNER_ROWS, "utf-8", ";", True)
UNDECIDABLE = {
    # Excel's "Unicode-tekst": UTF-16 LE with BOM, tab separated.
    "utf16-excel-unicode-text": "\r\n".join("\t".join(r) for r in PROJECT_ROWS).encode("utf-16"),
    "utf16-without-bom": excel_csv(PROJECT_ROWS, "utf-16-le", ";", False),
    "random-bytes": random.Random(16).randbytes(4000),
    # Bytes undefined in windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) in text that is not UTF-8.
    "undefined-in-1252": b"register_id;programme;lc_name\r\nM-1;MOOI;Caf\xe9 \x81\x9d\r\n",
    # Decodes as windows-1252, but no spreadsheet writes control characters.
    "control-characters": b"register_id;programme;lc_name\r\nM-1;MOOI;Caf\xe9\x01\x02\r\n",
    # A UTF-8 BOM before windows-1252 text: two exports glued together.
    "bom-then-1252": BOM + "register_id;programme;lc_name\r\nM-1;MOOI;café\r\n".encode("cp1252"),
}


@pytest.mark.parametrize("body", UNDECIDABLE.values(), ids=UNDECIDABLE.keys())
def test_register_csv_in_no_known_encoding_is_refused_clearly(
    httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue, body: bytes
):
    url = serve_register(httpserver, {"projects.csv": body, "partners.csv": GOOD_PARTNERS},
                         "share")  # fmt: skip
    with pytest.raises(SourceError) as caught:
        read_register(url, source="mooi_register", catalogue=catalogue, policy=patient_policy)
    message = str(caught.value)
    assert caught.value.field == "projects"
    assert message.startswith("[mooi_register] ") and "/share/projects.csv" in message
    assert "tried UTF-8 (with or without BOM) and windows-1252" in message
    assert "Opslaan als → CSV UTF-8 (door komma's gescheiden)" in message
