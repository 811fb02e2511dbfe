"""Decoding bytes into text as their source declares them: web pages and csv registers.

Web pages (the order browsers use, simplified from the WHATWG Encoding Standard): a byte-order
mark, then the charset of the HTTP ``Content-Type`` header, then the page's own ``<meta>``
declaration, then UTF-8 when the bytes are (mostly) UTF-8, then detection among the encodings
Dutch sites use, and windows-1252 as the last resort. A declared single-byte charset is always
kept and read as browsers read it (windows-1252's five undefined bytes are C1 controls); UTF-8,
declared or not, holds despite a few stray bytes (shown as U+FFFD and counted in
``replaced_bytes``); only a UTF-8 declaration on bytes that are not mostly UTF-8 (a server that
says UTF-8 and serves windows-1252) is passed over. A page always decodes.

csv registers are data typed by people, so they are decoded deterministically or not at all:
UTF-8 (with or without BOM), else windows-1252 (what Dutch Excel's plain "CSV" writes) when
the text is plausible; anything else is refused (:class:`UndecidedEncoding`) rather than
loaded as mojibake.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from charset_normalizer import from_bytes

UTF_8 = "utf-8"
WINDOWS_1252 = "windows-1252"
# Labels that browsers read as windows-1252 (WHATWG): a page that says latin-1 and holds
# € or curly quotes (0x80-0x9F) means windows-1252, as every browser shows it.
_READ_AS_WINDOWS_1252 = frozenset(
    {"ascii", "us-ascii", "latin1", "latin-1", "l1", "iso-8859-1", "iso8859-1", "iso_8859-1",
     "iso-ir-100", "cp819", "ibm819", "csisolatin1", "cp1252", "windows-1252", "x-cp1252"}
)  # fmt: skip
# Detection is held to the encodings of Dutch and Western web pages: unconstrained, a short
# Dutch page in windows-1252 is "detected" as cp1250 or even cp932.
_DETECT_AMONG = ["cp1252", "iso8859_15", "mac_roman", "cp850", "utf_16_le", "utf_16_be"]
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_META_SCAN_BYTES = 4096  # browsers look in the first 1024; generous for long <head>s
# C0 controls that no spreadsheet export holds (tab, LF, CR excepted): NULs mean UTF-16.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # e.g. "utf-8", "windows-1252"
    declared_by: str  # what decided it: "byte-order mark", "http header", "meta", ...
    replaced_bytes: int = 0  # bytes shown as U+FFFD: text that could not be read


def codec_for(label: str | None) -> str | None:
    """The codec for a declared charset label, or None when Python has no text codec for it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _READ_AS_WINDOWS_1252:
        return WINDOWS_1252
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # "base64" or "rot13" are codecs too, but not text encodings a page can declare.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return UTF_8 if info.name == "utf-8" else info.name


def header_charset(content_type: str | None) -> str | None:
    """The charset label of a ``Content-Type`` header value, as written."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def meta_charset(content: bytes) -> str | None:
    """The charset label a page declares in a ``<meta>`` element, as written."""
    match = _META_CHARSET.search(content[:_META_SCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _bom(content: bytes) -> str | None:
    return next((codec for bom, codec in _BOMS if content.startswith(bom)), None)


def _c1_or_replace(exc: UnicodeError) -> tuple[str, int]:
    """WHATWG's single-byte decoders: a byte windows-1252 leaves undefined (0x81, 0x8D,
    0x8F, 0x90, 0x9D) is the C1 control of that number, as every browser shows it."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    span = exc.object[exc.start : exc.end]
    return "".join(chr(b) if 0x80 <= b <= 0x9F else "\ufffd" for b in span), exc.end


_C1_OR_REPLACE = "lcm-c1-or-replace"
codecs.register_error(_C1_OR_REPLACE, _c1_or_replace)
_ALL_BYTES = bytes(range(256))
# Bytes that fail UTF-8 decoding, one surrogate per byte under "surrogateescape".
_ESCAPED = re.compile("[\udc80-\udcff]")


@cache
def _single_byte(codec: str) -> bool:
    """Whether every byte is one character in ``codec`` (windows-125x, iso-8859-x, ...)."""
    try:
        return len(_ALL_BYTES.decode(codec, _C1_OR_REPLACE)) == len(_ALL_BYTES)
    except (LookupError, UnicodeError):
        return False


@dataclass(frozen=True)
class _Utf8:
    text: str  # with U+FFFD for each invalid sequence, as browsers show it
    replaced_bytes: int
    mostly: bool  # more valid non-ASCII characters than invalid bytes: stray bytes only


def _utf8(content: bytes) -> _Utf8:
    escaped = content.decode(UTF_8, "surrogateescape")
    replaced = len(_ESCAPED.findall(escaped))
    if not replaced:
        return _Utf8(escaped, 0, True)
    non_ascii = sum(ch > "\x7f" for ch in escaped) - replaced
    # windows-1252 text almost never forms a valid UTF-8 sequence (é followed by two
    # continuation bytes): valid ones outnumbering the invalid mean UTF-8 with stray bytes.
    mostly = non_ascii >= replaced
    return _Utf8(content.decode(UTF_8, "replace"), replaced, mostly)


def _declared(content: bytes, codec: str | None, declared_by: str) -> Decoded | None:
    """The page read in its declared charset, or None when the declaration is passed over:
    a UTF-8 declaration on bytes that are not mostly UTF-8, or a multi-byte charset the
    bytes do not fit."""
    if codec is None:
        return None
    if codec == UTF_8:
        utf8 = _utf8(content)
        return Decoded(utf8.text, UTF_8, declared_by, utf8.replaced_bytes) if utf8.mostly else None
    if _single_byte(codec):  # never abandoned: every byte reads as something
        text = content.decode(codec, _C1_OR_REPLACE)
        return Decoded(text, codec, declared_by, text.count("\ufffd"))
    text = _strict(content, codec)
    return None if text is None else Decoded(text, codec, declared_by)


def decode_html(content: bytes, content_type: str | None = None) -> Decoded:
    """The page's text and the encoding it was read in; never fails."""
    bom = _bom(content)
    if bom is not None and (text := _strict(content, bom)) is not None:
        return Decoded(text, UTF_8 if bom == "utf-8-sig" else bom, "byte-order mark")
    declared = codec_for(meta_charset(content))
    if declared in ("utf-16", "utf-16-le", "utf-16-be"):
        declared = UTF_8  # bytes that could be read to find this <meta> are not UTF-16
    for codec, declared_by in (
        (codec_for(header_charset(content_type)), "http header"),
        (declared, "meta"),
    ):
        if (decoded := _declared(content, codec, declared_by)) is not None:
            return decoded
    utf8 = _utf8(content)
    if utf8.mostly:
        by = "valid utf-8" if not utf8.replaced_bytes else "mostly utf-8"
        return Decoded(utf8.text, UTF_8, by, utf8.replaced_bytes)
    best = from_bytes(content, cp_isolation=_DETECT_AMONG).best()
    if best is not None:
        codec = codec_for(best.encoding) or best.encoding
        if (text := _strict(content, codec)) is not None:
            return Decoded(text, codec, "detected")
    text = content.decode(WINDOWS_1252, _C1_OR_REPLACE)
    return Decoded(text, WINDOWS_1252, "fallback", text.count("\ufffd"))


class UndecidedEncoding(ValueError):
    """Bytes that are neither UTF-8 nor plausible windows-1252; the message says why."""


TRIED_FOR_CSV = ("UTF-8 (with or without BOM)", WINDOWS_1252)


def _implausible(text: str) -> str | None:
    match = _CONTROL.search(text)
    if match is None:
        return None
    return f"control character U+{ord(match.group()):04X} at character {match.start()}"


def decode_csv(content: bytes) -> Decoded:
    """A csv file's text: UTF-8 (BOM or clean decode) first, else windows-1252 when every
    byte is defined there and no control characters appear; else :class:`UndecidedEncoding`."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UndecidedEncoding(
            "it is UTF-16 (it starts with a UTF-16 byte-order mark, as Excel's "
            "'Unicode-tekst' writes), not UTF-8 or windows-1252"
        )
    has_bom = content.startswith(codecs.BOM_UTF8)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if has_bom:
            raise UndecidedEncoding(
                f"it starts with a UTF-8 byte-order mark but byte 0x{content[exc.start]:02X} "
                f"at position {exc.start} is not UTF-8"
            ) from None
        utf8_problem = f"byte 0x{content[exc.start]:02X} at position {exc.start} is not UTF-8"
    else:
        problem = _implausible(text)
        if problem is None:
            return Decoded(text, UTF_8, "byte-order mark" if has_bom else "valid utf-8")
        raise UndecidedEncoding(f"as UTF-8 it holds a {problem}: not text as a spreadsheet "
                                "writes it (UTF-16 without BOM?)")  # fmt: skip
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in windows-1252.
        raise UndecidedEncoding(
            f"{utf8_problem}, and byte 0x{content[exc.start]:02X} at position {exc.start} "
            f"is undefined in windows-1252"
        ) from None
    problem = _implausible(text)
    if problem is not None:
        raise UndecidedEncoding(f"{utf8_problem}, and as windows-1252 it holds a {problem}")
    return Decoded(text, WINDOWS_1252, "not utf-8, plausible windows-1252")


def sniff_delimiter(text: str, known_columns: Collection[str], candidates: str = ";,") -> str:
    """The delimiter that splits the header line into the most known column names. A header
    of no known names (the wrong file) falls back to the more frequent candidate, so that the
    missing-column error shows the header split as the file most likely meant it."""
    first_line = text.split("\n", 1)[0].rstrip("\r")
    known = {c.casefold() for c in known_columns}

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(c.strip().casefold() in known for c in cells), first_line.count(delimiter)

    return max(candidates, key=score)
