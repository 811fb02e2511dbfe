"""Raw landing: immutable timestamped snapshots, manifests, change detection, raw tables."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sources.landing import (
    MANIFEST,
    ContentHasher,
    RawFile,
    StagedFiles,
    content_hash,
    land_snapshot,
    new_snapshot_id,
    sha256,
)
from sources.raw_tables import attach_raw_views, rows_sha256, write_snapshot

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def _land(raw: Path, content: bytes, when: datetime, records=None):
    return land_snapshot(
        raw,
        "demo",
        "https://example.invalid/api",
        [RawFile("page-0001.json", content, "https://example.invalid/api?page=1")],
        content_sha256=content_hash(records if records is not None else content.decode()),
        counts={"records": 1},
        fetched_at=when,
    )


def test_snapshot_has_files_and_manifest(tmp_path: Path):
    manifest, folder = _land(tmp_path, b'{"a": 1}', T0)
    assert folder == tmp_path / "demo" / manifest.snapshot_id
    assert (folder / "page-0001.json").read_bytes() == b'{"a": 1}'
    written = json.loads((folder / MANIFEST).read_text())
    assert written["location"] == "https://example.invalid/api"
    assert written["fetched_at"].startswith("2026-11-01T02:00:00")
    assert written["files"][0]["sha256"] == sha256(b'{"a": 1}')
    assert written["counts"] == {"records": 1}
    assert written["changed"] is True and written["previous_snapshot_id"] is None
    assert not os.access(folder / "page-0001.json", os.W_OK) or os.geteuid() == 0
    assert oct((folder / "page-0001.json").stat().st_mode)[-3:] == "444"


def test_second_pull_is_new_snapshot_recorded_as_unchanged(tmp_path: Path):
    first, folder1 = _land(tmp_path, b'{"a": 1}', T0, records=[1])
    second, folder2 = _land(
        tmp_path, b'{"a": 1, "date": "other"}', T0 + timedelta(days=1), records=[1]
    )
    third, _ = _land(tmp_path, b'{"a": 2}', T0 + timedelta(days=2), records=[2])
    assert folder1 != folder2 and folder1.exists() and folder2.exists()
    assert second.changed is False and second.previous_snapshot_id == first.snapshot_id
    assert third.changed is True and third.previous_snapshot_id == second.snapshot_id
    assert (folder1 / "page-0001.json").read_bytes() == b'{"a": 1}'  # untouched


def test_never_overwrites_an_existing_snapshot(tmp_path: Path):
    _land(tmp_path, b"1", T0)
    with pytest.raises(FileExistsError):
        _land(tmp_path, b"2", T0)
    assert not [p for p in (tmp_path / "demo").iterdir() if p.name.startswith(".")]


def test_record_files_are_written_once_per_snapshot_and_read_through_views(tmp_path: Path):
    columns = {"id": "VARCHAR", "n": "INTEGER"}
    records = tmp_path / "records"
    m1, f1 = _land(tmp_path, b"1", T0)
    m2, f2 = _land(tmp_path, b"2", T0 + timedelta(hours=1))
    assert write_snapshot(records, m1, str(f1), {"raw.t": (columns, [{"id": "a", "n": 1}])}, 1)
    assert write_snapshot(
        records, m2, str(f2), {"raw.t": (columns, [{"id": "a", "n": 2}, {"id": "b", "n": 3}])}, 2
    )
    assert not write_snapshot(records, m2, str(f2), {"raw.t": (columns, [{"id": "z"}])}, 1)
    assert sorted(p.name for p in (records / "demo" / m2.snapshot_id).iterdir()) == [
        "snapshots.parquet", "t.parquet",
    ]  # fmt: skip
    assert not (records / "demo" / ".writing").exists()  # nothing half-written left
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert attach_raw_views(con, records) == ["snapshots", "t"]
        rows = con.execute("SELECT _snapshot_id, id, n FROM raw.t ORDER BY n").fetchall()
        snapshots = con.execute(
            "SELECT snapshot_id, record_count, changed FROM raw.snapshots ORDER BY 1"
        ).fetchall()
        kinds = con.execute(
            "SELECT DISTINCT table_type FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
    assert rows == [(m1.snapshot_id, "a", 1), (m2.snapshot_id, "a", 2), (m2.snapshot_id, "b", 3)]
    assert snapshots == [(m1.snapshot_id, 1, True), (m2.snapshot_id, 2, True)]
    assert kinds == [("VIEW",)]  # the warehouse holds no copy of the records


def test_a_column_a_newer_connector_adds_is_null_in_older_snapshots(tmp_path: Path):
    records = tmp_path / "records"
    m1, f1 = _land(tmp_path, b"1", T0)
    m2, f2 = _land(tmp_path, b"2", T0 + timedelta(hours=1))
    write_snapshot(records, m1, str(f1), {"raw.t": ({"id": "VARCHAR"}, [{"id": "a"}])}, 1)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        attach_raw_views(con, records)
        wider = {"id": "VARCHAR", "d": "DATE"}
        write_snapshot(
            records, m2, str(f2), {"raw.t": (wider, [{"id": "b", "d": "2024-05-01"}])}, 1
        )
        attach_raw_views(con, records)  # as the next validation step does
        rows = con.execute("SELECT id, d FROM raw.t ORDER BY id").fetchall()
    assert rows == [("a", None), ("b", date(2024, 5, 1))]


def test_a_warehouse_with_raw_tables_of_the_earlier_version_keeps_every_row(tmp_path: Path):
    """Before the records were files they were tables raw.<table>: the first attach writes
    each snapshot's rows to its folder, drops the tables and reads the same rows through the
    views, and the next snapshot is compared with the last of them."""
    records = tmp_path / "records"
    m1, _ = _land(tmp_path, b"1", T0)
    m2, _ = _land(tmp_path, b"2", T0 + timedelta(hours=1))
    db = str(tmp_path / "w.duckdb")
    with duckdb.connect(db) as con:  # as sources/raw_tables.py wrote them before
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.t (_snapshot_id VARCHAR, _loaded_at TIMESTAMPTZ,"
            " _record_no INTEGER, _problems VARCHAR, id VARCHAR, n INTEGER)"
        )
        con.execute(
            "INSERT INTO raw.t VALUES (?, now(), 2, NULL, 'b', 2), (?, now(), 1, NULL, 'a', 1),"
            " (?, now(), 1, '{}', 'c', 3)",
            [m1.snapshot_id, m1.snapshot_id, m2.snapshot_id],
        )
        con.execute(
            "CREATE TABLE raw.snapshots (snapshot_id VARCHAR, source VARCHAR,"
            " rows_snapshot_id VARCHAR, rows_sha256 VARCHAR)"
        )
        digest = rows_sha256({"raw.t": ({"id": "VARCHAR", "n": "INTEGER"}, [{"id": "c", "n": 3}])})
        con.execute(
            "INSERT INTO raw.snapshots VALUES (?, 'demo', ?, 'x'), (?, 'demo', ?, ?)",
            [m1.snapshot_id, m1.snapshot_id, m2.snapshot_id, m2.snapshot_id, digest],
        )
        before = con.execute("SELECT * FROM raw.t ORDER BY _snapshot_id, _record_no").fetchall()
        attach_raw_views(con, records)
        after = con.execute("SELECT * FROM raw.t ORDER BY _snapshot_id, _record_no").fetchall()
        kinds = con.execute(
            "SELECT DISTINCT table_type FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
        facts = con.execute("SELECT snapshot_id, source FROM raw.snapshots ORDER BY 1").fetchall()
    assert after == before and len(after) == 3
    assert kinds == [("VIEW",)]
    assert facts == [(m1.snapshot_id, "demo"), (m2.snapshot_id, "demo")]
    assert (records / "demo" / m1.snapshot_id / "t.parquet").is_file()
    # The next pull with the rows of the last migrated snapshot writes none of its own.
    m3, f3 = _land(tmp_path, b"3", T0 + timedelta(hours=2))
    same = {"raw.t": ({"id": "VARCHAR", "n": "INTEGER"}, [{"id": "c", "n": 3}])}
    assert write_snapshot(records, m3, str(f3), same, 1) == m2.snapshot_id
    assert [p.name for p in (records / "demo" / m3.snapshot_id).iterdir()] == ["snapshots.parquet"]


def test_content_hash_of_a_list_is_the_hash_of_its_whole_json_text():
    """Hashed item by item (no 300 MB string at 150,000 records), a list still gets the hash
    of its JSON text as one piece, which earlier manifests recorded: an unchanged source stays
    recognised as unchanged across the upgrade."""
    from .conftest import sample_pages

    records = [p for page in sample_pages() for p in page["projects"]]
    records.append({"when": datetime(2024, 1, 1, tzinfo=UTC), "empty": [], "none": None})
    whole = json.dumps(records, sort_keys=True, default=str, separators=(",", ":"))
    assert content_hash(records) == sha256(whole.encode("utf-8"))
    assert content_hash([]) == sha256(b"[]")
    assert content_hash("text") == sha256(b'"text"')
    assert content_hash(records) != content_hash(records[:-1])


def test_the_incremental_hash_is_content_hash_of_the_whole_list():
    """A streamed pull hashes its records as they come: the digest must be the one
    ``content_hash`` gives the whole list, which earlier manifests recorded."""
    from .conftest import sample_pages

    hasher = ContentHasher()
    assert hasher.hexdigest() == content_hash([])
    records: list = []
    for page in sample_pages():
        for record in page["projects"]:
            hasher.add(record)
            records.append(record)
        assert hasher.hexdigest() == content_hash(records)  # asked midway, it goes on right
    hasher.add({"when": datetime(2024, 1, 1, tzinfo=UTC), "none": None})
    records.append({"when": datetime(2024, 1, 1, tzinfo=UTC), "none": None})
    assert hasher.hexdigest() == content_hash(records)
    assert len(records) > 300


def _staged(raw: Path, pages: dict[str, bytes], when: datetime) -> StagedFiles:
    staged = StagedFiles(raw, "demo", started=when)
    for name, content in pages.items():
        staged.write(name, content, f"https://example.invalid/api?{name}&token=s3cret")
    return staged


def _land_staged(raw: Path, staged: StagedFiles, when: datetime, records: list):
    return land_snapshot(
        raw, "demo", "https://example.invalid/api", [], staged=staged,
        content_sha256=content_hash(records), counts={"pages": 2}, fetched_at=when,
    )  # fmt: skip


def hidden(raw: Path) -> list[str]:
    return [p.name for p in (raw / "demo").iterdir() if p.name.startswith(".")]


def test_staged_files_are_moved_into_the_snapshot(tmp_path: Path):
    pages = {"page-0001.json": b'{"p": 1}', "page-0002.json": b'{"p": 2}'}
    staged = _staged(tmp_path, {**pages, "page-0002.json": b"first read"}, T0)
    staged.write("page-0002.json", pages["page-0002.json"], "https://example.invalid/api?2")
    assert staged.folder.parent == tmp_path / "demo" and staged.folder.name.startswith(".")
    manifest, folder = _land_staged(tmp_path, staged, T0 + timedelta(minutes=1), [1, 2])
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, *pages]
    for name, content in pages.items():
        assert (folder / name).read_bytes() == content  # the last write of a name
        assert oct((folder / name).stat().st_mode)[-3:] == "444"
    assert [(f["name"], f["bytes"], f["sha256"]) for f in manifest.files] == [
        (name, len(content), sha256(content)) for name, content in pages.items()
    ]
    assert manifest.files[1]["location"] == "https://example.invalid/api?2"
    assert "s3cret" not in (folder / MANIFEST).read_text()
    assert not staged.folder.exists() and hidden(tmp_path) == []


def test_an_unchanged_staged_pull_stores_only_its_manifest(tmp_path: Path):
    pages = {"page-0001.json": b'{"p": 1}'}
    first, folder1 = _land_staged(tmp_path, _staged(tmp_path, pages, T0), T0, [1])
    later = T0 + timedelta(days=1)
    staged = _staged(tmp_path, {"page-0001.json": b'{"p": 1, "date": "other"}'}, later)
    second, folder2 = _land_staged(tmp_path, staged, later, [1])
    assert second.changed is False and second.files == []
    assert second.files_snapshot_id == first.snapshot_id
    assert [p.name for p in folder2.iterdir()] == [MANIFEST]  # no page file twice
    assert not staged.folder.exists() and hidden(tmp_path) == []
    assert (folder1 / "page-0001.json").read_bytes() == b'{"p": 1}'


def test_staged_files_never_overwrite_a_snapshot(tmp_path: Path):
    _land_staged(tmp_path, _staged(tmp_path, {"page-0001.json": b"1"}, T0), T0, [1])
    staged = _staged(tmp_path, {"page-0001.json": b"2"}, T0 + timedelta(seconds=1))
    with pytest.raises(FileExistsError):
        _land_staged(tmp_path, staged, T0, [2])
    assert (tmp_path / "demo" / new_snapshot_id(T0) / "page-0001.json").read_bytes() == b"1"
    assert hidden(tmp_path) == []  # the staged pages went with the refusal


def test_a_table_of_the_earlier_layout_without_rows_stays_a_view_with_its_columns(
    tmp_path: Path,
):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.t (_snapshot_id VARCHAR, _record_no INTEGER, id VARCHAR)")
        attach_raw_views(con, tmp_path / "records")
        columns = con.execute("SELECT * FROM raw.t").description
        rows = con.execute("SELECT count(*) FROM raw.t").fetchone()
    assert [c[0] for c in columns] == ["_snapshot_id", "_record_no", "id"] and rows == (0,)


def test_a_snapshot_id_of_the_earlier_layout_never_becomes_a_path_outside_the_records(
    tmp_path: Path,
):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.t (_snapshot_id VARCHAR, _record_no INTEGER)")
        con.execute("INSERT INTO raw.t VALUES ('../../escaped', 1)")
        with pytest.raises(ValueError, match=r"snapshot '../../escaped' .* not written out"):
            attach_raw_views(con, tmp_path / "records")
        kept = con.execute("SELECT count(*) FROM raw.t").fetchone()
    assert kept == (1,)  # the table stays until it can be written out
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_records_folder_with_pattern_characters_is_refused(tmp_path: Path):
    m1, f1 = _land(tmp_path, b"1", T0)
    records = tmp_path / "data[1]" / "records"
    with pytest.raises(ValueError, match=r"data\[1\]/records: the characters"):
        write_snapshot(records, m1, str(f1), {"raw.t": ({"id": "VARCHAR"}, [{"id": "a"}])}, 1)
    assert not records.exists()


def test_a_half_written_snapshot_left_by_a_crash_goes_after_a_day(tmp_path: Path):
    records = tmp_path / "records"
    crashed = records / "demo" / ".writing" / "20240101T000000.000000Z"
    crashed.mkdir(parents=True)
    (crashed / "t.parquet").write_bytes(b"PAR1 cut short")
    recent = crashed.with_name("20240102T000000.000000Z")
    recent.mkdir()
    day_old = time.time() - 25 * 3600
    os.utime(crashed, (day_old, day_old))
    m1, f1 = _land(tmp_path, b"1", T0)
    write_snapshot(records, m1, str(f1), {"raw.t": ({"id": "VARCHAR"}, [{"id": "a"}])}, 1)
    assert not crashed.exists() and recent.exists()  # one still being written elsewhere stays
    with duckdb.connect() as con:
        attach_raw_views(con, records)
        assert con.execute("SELECT id FROM raw.t").fetchall() == [("a",)]
