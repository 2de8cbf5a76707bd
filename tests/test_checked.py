"""What the checks of event-scale files found, remembered across loads (cvlib.engine.checked).

A second load of unchanged files must give the same workspace without
checking them again; any change to a file, to what the checks depend on, or
to the folder of entries must lead to the files being checked again.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import duckdb
import pytest
from workspace_files import write_workspace

import cvlib
from cvlib.engine import checked, checks


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A folder of entries of the test's own; files count as settled at once."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CVLIB_CACHE_DIR", str(folder))
    monkeypatch.setattr(checked, "SETTLE_SECONDS", 0.0)
    return folder / "checks"


def _aged(root, seconds=3600):
    """Set every file's modification time ``seconds`` in the past."""
    then = time.time_ns() - int(seconds * 1e9)
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(then, then))


def _no_checks(monkeypatch):
    """Make any engine check of an event-scale file fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file was checked again")

    for name in ("check_table", "csv_profile_if_clean", "start_csv_profile"):
        monkeypatch.setattr(checks, name, refuse)


def _same(a, b):
    assert a.row_counts == b.row_counts
    assert a.profiles == b.profiles
    assert a.sources == b.sources
    assert a.settings.data_through == b.settings.data_through


def _parquet_events(root):
    csv = root / "events.csv"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) TO '{root / 'events.parquet'}'"
    )
    csv.unlink()


def test_an_unchanged_workspace_is_not_checked_again(tmp_path, cache, monkeypatch):
    root = write_workspace(tmp_path / "ws")
    _parquet_events(root)
    _aged(root)
    first = cvlib.load_workspace(root)
    # events (Parquet), surveys and accounts (CSV): one entry each
    assert len(list(cache.glob("*.json"))) == 3
    _no_checks(monkeypatch)
    again = cvlib.load_workspace(root)
    _same(first, again)
    assert again.sources["events"].kind == "parquet"


def test_a_file_rewritten_in_place_with_its_size_and_time_kept_is_checked_again(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    cvlib.load_workspace(root)
    surveys = root / "surveys.csv"
    before = os.stat(surveys)
    time.sleep(0.05)  # past the file system's clock tick of the first load
    text = surveys.read_text(encoding="utf-8")
    surveys.write_text(text.replace("2026-02-21,6,", "2026-02-21,x,"), encoding="utf-8")
    os.utime(surveys, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(surveys)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with pytest.raises(cvlib.DataError) as err:
        cvlib.load_workspace(root)
    assert [(p.file, p.line, p.column) for p in err.value.problems] == [("surveys.csv", 3, "score")]


def test_a_changed_parquet_file_is_checked_again(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _parquet_events(root)
    _aged(root)
    cvlib.load_workspace(root)
    events = root / "events.parquet"
    duckdb.sql(
        f"COPY (SELECT * REPLACE (NULL::VARCHAR AS user_id) FROM '{events}') "
        f"TO '{root / 'new.parquet'}'"
    )
    os.replace(root / "new.parquet", events)
    with pytest.raises(cvlib.DataError, match="user_id"):
        cvlib.load_workspace(root)


def test_a_file_modified_just_before_its_check_is_not_remembered(tmp_path, monkeypatch):
    monkeypatch.setenv("CVLIB_CACHE_DIR", str(tmp_path / "cache"))
    assert checked.SETTLE_SECONDS == 2.0
    root = write_workspace(tmp_path / "ws")  # just written: not settled
    cvlib.load_workspace(root)
    assert list((tmp_path / "cache" / "checks").glob("*.json")) == []
    _aged(root, seconds=10)  # its status changed just now (utime): still not settled
    cvlib.load_workspace(root)
    assert list((tmp_path / "cache" / "checks").glob("*.json")) == []


def test_off_remembers_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CVLIB_CACHE_DIR", "off")
    monkeypatch.setattr(checked, "SETTLE_SECONDS", 0.0)
    assert checked.folder() is None
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    cvlib.load_workspace(root)
    assert not (tmp_path / "home").exists()


def test_the_default_folder_is_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("CVLIB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert checked.folder() == tmp_path / "xdg" / "cvlib" / "checks"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert checked.folder() == tmp_path / "home" / ".cache" / "cvlib" / "checks"


def test_a_damaged_entry_means_the_files_are_checked_again(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    first = cvlib.load_workspace(root)
    entries = sorted(cache.glob("*.json"))
    assert len(entries) == 3  # events, surveys and accounts
    entries[0].write_text('{"format": 1, "rows": "many"', encoding="utf-8")
    entries[1].write_text('{"format": 1, "rows": 2}', encoding="utf-8")
    entries[2].write_bytes(b"\xff\xfe")
    _same(first, cvlib.load_workspace(root))


def test_an_unwritable_folder_only_means_nothing_is_remembered(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CVLIB_CACHE_DIR", str(blocker))
    monkeypatch.setattr(checked, "SETTLE_SECONDS", 0.0)
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    first = cvlib.load_workspace(root)
    _same(first, cvlib.load_workspace(root))
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_the_key_holds_what_the_checks_depend_on(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    ws = cvlib.load_workspace(root)
    surveys = ws.sources["surveys"]
    known = {"features": {"F-dark-mode", "F-audit-log"}}
    base = checked.key(surveys, known=known, timezone="Europe/Berlin")
    assert base is not None
    # the keys of a table referred to, the time zone, the file
    other_keys = {"features": {"F-dark-mode"}}
    assert checked.key(surveys, known=other_keys, timezone="Europe/Berlin") != base
    assert checked.key(surveys, known=known, timezone="UTC") != base
    os.utime(root / "surveys.csv")
    assert checked.key(surveys, known=known, timezone="Europe/Berlin") != base
    # the same inputs: the same key, whatever the order of the keys
    reordered = {"features": {"F-audit-log", "F-dark-mode"}}
    again = checked.key(surveys, known=reordered, timezone="Europe/Berlin")
    assert again == checked.key(surveys, known=known, timezone="Europe/Berlin")


def test_the_entry_holds_no_paths_or_values(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    cvlib.load_workspace(root)
    for entry in cache.glob("*.json"):
        text = entry.read_text(encoding="utf-8")
        assert str(tmp_path) not in text
        assert "surveys" not in text and "U1" not in text
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)


def _events_in_folder(root, folder="ev"):
    """events.csv as ``folder/part-0.parquet``, declared as the glob ``folder/*.parquet``."""
    (root / folder).mkdir()
    csv = root / "events.csv"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) "
        f"TO '{root / folder / 'part-0.parquet'}'"
    )
    csv.unlink()
    yaml = (root / "workspace.yaml").read_text(encoding="utf-8")
    yaml += f'sources:\n  events: {{parquet: "{folder}/*.parquet"}}\n'
    (root / "workspace.yaml").write_text(yaml, encoding="utf-8")


def test_a_hidden_file_that_the_glob_reads_is_in_the_key(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _events_in_folder(root)
    _aged(root)
    cvlib.load_workspace(root)
    # DuckDB's * matches a name with a leading dot: the file is read, so it is checked
    part = root / "ev" / "part-0.parquet"
    duckdb.sql(
        f"COPY (SELECT * REPLACE (NULL::VARCHAR AS user_id) FROM '{part}') "
        f"TO '{root / 'ev' / '.late.parquet'}'"
    )
    with pytest.raises(cvlib.DataError, match=r"user_id.*\(3 of 6 rows\)"):
        cvlib.load_workspace(root)


def test_files_that_change_during_the_checks_are_not_remembered(tmp_path, cache, monkeypatch):
    root = write_workspace(tmp_path / "ws")
    _events_in_folder(root)
    _aged(root)
    original = checks.check_table
    extra = root / "ev" / "part-1.parquet"

    def while_checking(source, **kwargs):
        if source.name == "events":  # a writer adds a file after the load listed the files
            duckdb.sql(f"COPY (SELECT * FROM '{root / 'ev' / 'part-0.parquet'}') TO '{extra}'")
        return original(source, **kwargs)

    monkeypatch.setattr(checks, "check_table", while_checking)
    assert cvlib.load_workspace(root).row_counts["events"] == 6  # the checks saw both files
    monkeypatch.setattr(checks, "check_table", original)
    extra.unlink()  # the writer gives up: the files are those the first load listed
    ws = cvlib.load_workspace(root)
    assert ws.row_counts["events"] == 3  # counted afresh, not the 6 of the write


def test_latest_instants_come_back_exactly_even_in_a_dst_gap(tmp_path, cache):
    from zoneinfo import ZoneInfo

    from cvlib.engine.sources import TableProfile

    root = write_workspace(tmp_path / "ws")
    _aged(root)
    ws = cvlib.load_workspace(root)
    found_key = checked.key(ws.sources["surveys"], known={}, timezone="Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    gap = dt.datetime(2026, 3, 29, 2, 30, tzinfo=zone)  # 02:00-03:00 does not exist that day
    folded = dt.datetime(2026, 10, 25, 2, 30, tzinfo=zone, fold=1)  # the second 02:30
    profile = TableProfile(rows=2, latest={"submitted_at": gap, "other": folded, "none": None})
    entry = checked.Checked(rows=2, profile=profile)
    assert checked.remember(found_key, entry, started=time.time())
    back = checked.recall(found_key, "Europe/Berlin").profile.latest
    for column in ("submitted_at", "other"):
        want, got = profile.latest[column], back[column]
        assert (got.replace(tzinfo=None), got.fold, got.tzinfo) == (
            want.replace(tzinfo=None),
            want.fold,
            want.tzinfo,
        )
    assert back["none"] is None


def test_a_folder_others_may_write_into_is_not_trusted(tmp_path, cache):
    root = write_workspace(tmp_path / "ws")
    _aged(root)
    ws = cvlib.load_workspace(root)
    known = {"features": set(ws.features["feature_id"])}
    found_key = checked.key(ws.sources["surveys"], known=known, timezone="Europe/Berlin")
    found = checked.recall(found_key, "Europe/Berlin")
    assert found is not None and found.rows == 2
    cache.chmod(0o777)  # anyone may plant an entry here
    assert checked.recall(found_key, "Europe/Berlin") is None
    assert not checked.remember(found_key, found, started=time.time())
    cache.chmod(0o700)
    assert checked.recall(found_key, "Europe/Berlin") == found
