"""Spreadsheets and archives past a bound are refused before parsing (sources/archives.py).

The zip bombs here are real: the bundled MOOI register with its Projects sheet padded by
hundreds of megabytes of spaces before its closing tag (valid XML), written streaming at
deflate level 9, so a 1 GiB sheet is about a megabyte on disk and never in memory.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.registers import REGISTERS, build_register_asset
from orchestration.settings import CALLS_SEED, check_environment, load_settings
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import WarehouseResource
from sources.archives import MB, ArchiveLimits
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, parse_register, read_register

GIB = 1 << 30
SHEET = "xl/worksheets/sheet1.xml"  # the sample's Projects sheet
CLOSING = b"</worksheet>"
SPACES = b" " * (1 << 20)


@pytest.fixture
def catalogue() -> CallCatalogue:
    return CallCatalogue.from_csv(CALLS_SEED)


def padded_workbook(path: Path, pad: int, extra_members: int = 0) -> Path:
    """The MOOI sample with ``pad`` bytes of spaces in its Projects sheet (and empty extra
    members), written member by member and the padding chunk by chunk."""
    with (
        zipfile.ZipFile(MOOI_SAMPLE) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename != SHEET:
                out.writestr(info.filename, data)
                continue
            head = data[: data.rindex(CLOSING)]
            with out.open(SHEET, "w") as member:
                member.write(head)
                for start in range(0, pad, len(SPACES)):
                    member.write(SPACES[: min(len(SPACES), pad - start)])
                member.write(CLOSING)
        for n in range(extra_members):
            out.writestr(f"xl/media/empty{n}.bin", b"")
    return path


def lie_about(path: Path, member: str, size: int, crc: int | None = None) -> None:
    """Make the zip's central directory and local header declare ``size`` (and ``crc``)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    while data[at : at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = (
            int.from_bytes(data[at + o : at + o + 2], "little") for o in (28, 30, 32)
        )
        if data[at + 46 : at + 46 + name_len].decode() == member:
            local = int.from_bytes(data[at + 42 : at + 46], "little")
            for field_at in (at + 24, local + 22):  # uncompressed size
                data[field_at : field_at + 4] = size.to_bytes(4, "little")
            if crc is not None:
                for field_at in (at + 16, local + 14):
                    data[field_at : field_at + 4] = crc.to_bytes(4, "little")
        at += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


def refused(read, *args, **kwargs) -> tuple[SourceError, float, int]:
    """The SourceError ``read`` raises, the seconds it took and its peak of Python memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SourceError) as caught:
            read(*args, **kwargs)
        return caught.value, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def gib_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return padded_workbook(tmp_path_factory.mktemp("bomb") / "mooi_register.xlsx", GIB)


def test_a_workbook_inflating_to_1_gib_is_refused_from_its_directory(
    gib_bomb: Path, catalogue: CallCatalogue
):
    assert gib_bomb.stat().st_size < 2 * MB  # a real bomb: about a thousand to one
    with zipfile.ZipFile(gib_bomb) as archive:
        assert archive.getinfo(SHEET).file_size > GIB
    error, seconds, peak = refused(
        read_register, gib_bomb, source="mooi_register", catalogue=catalogue
    )
    message = str(error)
    assert message.startswith(f"[mooi_register] {gib_bomb}: unpacks to 1,073,")
    assert "above the bound of 200,000,000 bytes (200.0 MB)" in message
    assert f"largest member '{SHEET}'" in message and "refused before parsing" in message
    assert error.source == "mooi_register" and error.location == str(gib_bomb)
    assert not error.transient  # the same file fails the same way: not retried
    # Measured for the issue: the file (about 1 MB) is read, nothing is inflated.
    print(f"\n1 GiB-inflating workbook refused in {seconds * 1000:.1f} ms, "
          f"peak Python memory {peak / MB:.1f} MB")  # fmt: skip
    assert seconds < 2 and peak < 10 * MB


def test_a_member_compressed_past_the_ratio_is_refused(tmp_path: Path, catalogue: CallCatalogue):
    # 50 MB is under the size bound: the ratio catches it.
    bomb = padded_workbook(tmp_path / "ratio.xlsx", 50 * MB)
    error, seconds, _ = refused(read_register, bomb, source="mooi_register", catalogue=catalogue)
    assert str(error).startswith(f"[mooi_register] {bomb}: member '{SHEET}' is compressed ")
    assert "above the bound of 100:1 for members from 1,000,000 bytes" in str(error)
    assert seconds < 2
    # The bound is configurable: a looser one lets the same (valid) workbook through.
    loose = ArchiveLimits(max_ratio=2000)
    extract = read_register(bomb, source="mooi_register", catalogue=catalogue, limits=loose)
    assert len(extract.projects) == 6


def test_too_many_members_are_refused_even_when_the_end_record_understates_them(
    tmp_path: Path, catalogue: CallCatalogue
):
    crowded = padded_workbook(tmp_path / "crowded.xlsx", 0, extra_members=10_001)
    error, _, _ = refused(read_register, crowded, source="mooi_register", catalogue=catalogue)
    assert str(error) == (
        f"[mooi_register] {crowded}: 10,012 members, above the bound of 10,000; "
        "refused before parsing"
    )
    # An end record that claims 12 members: zipfile lists them all, and they are counted.
    data = bytearray(crowded.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8 : end + 12] = (12).to_bytes(2, "little") * 2
    understated = tmp_path / "understated.xlsx"
    understated.write_bytes(bytes(data))
    error, _, _ = refused(read_register, understated, source="mooi_register", catalogue=catalogue)
    assert "10,012 members, above the bound of 10,000" in str(error)


def test_a_directory_that_lies_about_sizes_is_refused_or_read_only_as_far_as_it_says(
    tmp_path: Path, catalogue: CallCatalogue
):
    with zipfile.ZipFile(MOOI_SAMPLE) as sample:
        declared = sample.getinfo(SHEET).file_size  # the honest sheet's few kB
    # The sheet inflates to 300 MB, but the directory declares the sample's size: the size
    # and ratio bounds pass, and the member's checksum at that size does not.
    liar = padded_workbook(tmp_path / "liar.xlsx", 300 * MB)
    lie_about(liar, SHEET, declared)
    error, seconds, peak = refused(read_register, liar, source="mooi_register", catalogue=catalogue)
    assert str(error).startswith(
        f"[mooi_register] {liar}: member '{SHEET}' does not inflate to its declared "
        f"{declared:,} bytes"
    )
    assert "Bad CRC-32" in str(error) and "refused before parsing" in str(error)
    assert seconds < 2 and peak < 10 * MB

    # A consistent lie (the checksum of the first 4,641 bytes): zipfile hands out no more
    # than the declared bytes, so openpyxl reads a truncated sheet and the register fails.
    prefix = _sheet_head() + b" " * len(CLOSING)
    consistent = padded_workbook(tmp_path / "consistent_liar.xlsx", 300 * MB)
    lie_about(consistent, SHEET, declared, crc=zlib.crc32(prefix[:declared]))
    error, seconds, peak = refused(
        read_register, consistent, source="mooi_register", catalogue=catalogue
    )
    assert str(error).startswith(f"[mooi_register] {consistent}: cannot read sheet 'Projects'")
    assert seconds < 2 and peak < 10 * MB


def _sheet_head() -> bytes:
    with zipfile.ZipFile(MOOI_SAMPLE) as sample:
        data = sample.read(SHEET)
    return data[: data.rindex(CLOSING)]


def test_csv_registers_are_bounded_by_their_size(tmp_path: Path, catalogue: CallCatalogue):
    folder = Path(shutil.copytree(GVNL_SAMPLE, tmp_path / "gvnl"))
    with (folder / "partners.csv").open("ab") as partners:
        partners.write((b" " * 998 + b"\r\n") * 1100)  # blank rows: a valid 1.1 MB register
    small = ArchiveLimits(max_unpacked_bytes=1 * MB)
    error, _, _ = refused(
        read_register, folder, source="gvnl_register", catalogue=catalogue, limits=small
    )
    assert str(error).startswith(f"[gvnl_register] {folder}: 1,10")
    assert "above the bound of 1,000,000 bytes (1.0 MB) for a register" in str(error)
    # The same files already in memory (e.g. fetched by URL) meet the same bound.
    files = {n: (folder / n).read_bytes() for n in ("projects.csv", "partners.csv")}
    error, _, _ = refused(
        parse_register, files, source="gvnl_register", catalogue=catalogue, limits=small
    )
    assert "projects.csv + partners.csv: 1,10" in str(error)
    # Under the default bound the blank rows are skipped as always.
    assert len(read_register(folder, source="gvnl_register", catalogue=catalogue).projects) > 0


def test_the_bundled_registers_pass_the_default_bounds(catalogue: CallCatalogue):
    mooi = read_register(MOOI_SAMPLE, source="mooi_register", catalogue=catalogue)
    gvnl = read_register(GVNL_SAMPLE, source="gvnl_register", catalogue=catalogue)
    assert (len(mooi.projects), len(mooi.partners)) == (6, 38)
    assert len(gvnl.projects) > 0 and not mooi.problems and not gvnl.problems


def test_bounds_come_from_settings_and_are_checked(monkeypatch: pytest.MonkeyPatch):
    assert load_settings().archive_limits == ArchiveLimits()
    monkeypatch.setenv("LCM_MAX_UNPACKED_MB", "5")
    monkeypatch.setenv("LCM_MAX_COMPRESSION_RATIO", "50")
    monkeypatch.setenv("LCM_MAX_ARCHIVE_MEMBERS", "100")
    assert load_settings().archive_limits == ArchiveLimits(
        max_unpacked_bytes=5 * MB, max_ratio=50.0, max_members=100
    )
    check = check_environment({"LCM_MAX_UNPACKED_MB": "0", "LCM_MAX_COMPRESSION_RATIO": "lots"})
    assert check.errors == [
        "LCM_MAX_COMPRESSION_RATIO='lots': not a number; allowed: a number, 1 or more",
        "LCM_MAX_UNPACKED_MB='0': below 1; allowed: megabytes, a whole number, 1 or more",
    ]


def test_the_register_asset_fails_at_once_naming_source_file_and_bound(
    gib_bomb: Path, isolated_data: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LCM_MOOI_REGISTER", str(gib_bomb))
    (mooi,) = [r for r in REGISTERS if r.source == "mooi_register"]
    started = time.perf_counter()
    result = dg.materialize(
        [build_register_asset(mooi)],
        resources={"warehouse": WarehouseResource(), "settings": SettingsResource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success and time.perf_counter() - started < 30
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith(f"[mooi_register] {gib_bomb}: unpacks to 1,073,")
    assert "above the bound of 200,000,000 bytes" in description
    assert not [e for e in result.all_events if e.is_step_up_for_retry]  # not retried
    assert not (isolated_data / "raw" / "mooi_register").exists()  # nothing landed
