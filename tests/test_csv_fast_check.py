"""The engine-side fast check of event-scale CSV files never vouches for a file the
line-by-line check would reject, and its doubts never become false errors."""

from __future__ import annotations

import dataclasses

import pytest
from workspace_files import edit, problem_at, problems_of, write_workspace

import cvlib
from cvlib.contract.tables import TABLES
from cvlib.engine.checks import CSV_CHECK_BUFFER, csv_profile_if_clean, start_csv_profile
from cvlib.engine.queries import profile
from cvlib.engine.sources import Source


def spec(name, *columns):
    """The contract's spec of ``name``, with only ``columns`` (all when none are named)."""
    full = TABLES[name]
    if not columns:
        return full
    return dataclasses.replace(full, columns=tuple(c for c in full.columns if c.name in columns))


# (file, old text, new text, line, column): values the line-by-line rules reject, each
# chosen to look acceptable to a careless engine-side check.
REJECTED = [
    ("events.csv", "U1,F-dark-mode", "U1,\t", 2, "event"),  # white space only
    ("events.csv", "2026-02-16T09:00:00Z", "2026-02-16-05", 2, "timestamp"),  # offset without time
    ("events.csv", "2026-02-16T09:00:00Z", "2026-02-30T09:00:00Z", 2, "timestamp"),  # no such day
    ("events.csv", "2026-02-16T09:00:00Z", "2026-02-16T24:00:00Z", 2, "timestamp"),  # hour 24
    ("events.csv", "U1,F-dark-mode", "U 1,F-dark-mode", 2, "user_id"),
    ("surveys.csv", ",9,", ",11,", 2, "score"),
    ("surveys.csv", "F-dark-mode,SMB", "F-unknown,SMB", 2, "feature_id"),
    ("accounts.csv", "2026-02-10", "2025-06-30", 3, "churned_on"),  # before started_on
    ("accounts.csv", "1200.50", "-5", 3, "mrr"),
]


@pytest.mark.parametrize(("file", "old", "new", "line", "column"), REJECTED)
def test_a_value_the_line_check_rejects_is_reported_with_its_line(
    tmp_path, file, old, new, line, column
):
    root = write_workspace(tmp_path / "ws", edit(file, old, new))
    # the fast check must not vouch for the file ...
    if file == "events.csv":
        assert (
            csv_profile_if_clean(root / file, spec("events", "timestamp", "user_id", "event"))
            is None
        )
    # ... so the line-by-line check names the line and column
    problem_at(problems_of(root), file, line, column)


def test_a_value_only_the_fast_check_doubts_still_loads(tmp_path):
    # "+9" is a valid score for the line-by-line rules (int("+9") == 9); the fast check
    # does not accept it, falls back, and no error is invented.
    root = write_workspace(tmp_path / "ws", edit("surveys.csv", ",9,", ",+9,"))
    assert csv_profile_if_clean(root / "surveys.csv", spec("surveys", "score")) is None
    workspace = cvlib.load_workspace(root)
    assert workspace.row_counts["surveys"] == 2


def test_a_clean_file_is_counted_by_the_fast_check(tmp_path):
    root = write_workspace(tmp_path / "ws")
    assert csv_profile_if_clean(root / "events.csv", spec("events")).rows == 3


@pytest.mark.parametrize(
    ("file", "changes"),
    [
        ("events.csv", {}),  # Z, an offset and a naive timestamp (read in Europe/Berlin)
        ("events.csv", edit("events.csv", "2026-02-18 08:30:00", "2026-03-29 02:30:00")),  # DST gap
        ("surveys.csv", {}),  # a bare date as the latest value
        ("accounts.csv", {}),  # dates, one column partly empty
        ("accounts.csv", edit("accounts.csv", "2026-02-10", "")),  # a date column with no value
    ],
)
def test_the_fast_check_profiles_a_file_as_the_engine_profile_does(tmp_path, file, changes):
    # The profile found during the check replaces the engine's profile for clean CSV files:
    # the row count and every latest instant must be the same, to the second.
    root = write_workspace(tmp_path / "ws", changes)
    table = TABLES[file.removesuffix(".csv")]
    fast = csv_profile_if_clean(root / file, table, timezone="Europe/Berlin")
    engine = profile(Source(table, "csv", root / file, file), "Europe/Berlin")
    assert fast is not None
    assert fast == engine
    assert fast.rows == engine.rows > 0


def _many_surveys(n: int, comment: str) -> str:
    lines = ["response_id,user_id,submitted_at,score,comment,feature_id,segment"]
    for i in range(n):
        day = 1 + i % 28
        lines.append(
            f"R{i},U{i % 97},2026-02-{day:02d}T{i % 24:02d}:15:00Z,{i % 11},"
            f'"{comment}",F-dark-mode,SMB'
        )
    return "\r\n".join(lines) + "\r\n"


def test_a_file_of_many_check_buffers_is_profiled_as_the_engine_does(tmp_path):
    # The check reads files larger than its buffer in parallel pieces; quoted comments with
    # line breaks and doubled quotes then straddle the pieces' edges.
    comment = 'line one,\nline ""two""\r\n' + "x" * 180
    text = _many_surveys(20_000, comment)
    assert len(text.encode()) > 3 * CSV_CHECK_BUFFER
    root = write_workspace(tmp_path / "ws", {"surveys.csv": text})
    columns = spec("surveys", "response_id", "submitted_at", "score", "comment")
    fast = csv_profile_if_clean(root / "surveys.csv", columns, timezone="Europe/Berlin")
    engine = profile(Source(columns, "csv", root / "surveys.csv", "surveys.csv"), "Europe/Berlin")
    assert fast is not None
    assert fast == engine
    assert fast.rows == 20_000


@pytest.mark.parametrize("size", [200_000, CSV_CHECK_BUFFER + 10, 3_000_000])
def test_a_long_comment_is_text(tmp_path, size):
    # Python's csv module refuses fields above 131,072 characters unless told otherwise, and
    # DuckDB lines above its max_line_size: a comment of up to 10 MB is read all the same. The
    # fast check vouches for it when its line fits the check's buffer, else the line-by-line
    # check reads it; the engine's queries read it either way.
    text = _many_surveys(5, "short") + f'R-long,U1,2026-02-10,7,"{"y" * size}",F-dark-mode,SMB\r\n'
    root = write_workspace(tmp_path / "ws", {"surveys.csv": text})
    columns = spec("surveys", "response_id", "comment")
    fast = csv_profile_if_clean(root / "surveys.csv", columns)
    assert (fast is None) == (size > CSV_CHECK_BUFFER)
    ws = cvlib.load_workspace(root)
    assert ws.row_counts["surveys"] == 6
    for release_id in ws.releases["release_id"]:
        cvlib.evaluate_release(ws, release_id)


def test_a_check_started_in_a_thread_finds_what_the_direct_check_finds(tmp_path):
    root = write_workspace(tmp_path / "ws")
    started = {
        name: start_csv_profile(root / f"{name}.csv", TABLES[name], timezone="Europe/Berlin")
        for name in ("events", "surveys", "accounts")
    }
    for name, wait in started.items():
        direct = csv_profile_if_clean(root / f"{name}.csv", TABLES[name], timezone="Europe/Berlin")
        assert direct is not None
        assert wait() == direct


def test_a_started_check_raises_what_the_direct_check_raises(tmp_path):
    wait = start_csv_profile(tmp_path / "missing.csv", TABLES["surveys"])
    with pytest.raises(FileNotFoundError):
        wait()


def test_the_dates_of_the_fast_check_are_the_portable_check_dates():
    import duckdb

    from cvlib.contract.values import duckdb_is_date, sql_is_date

    texts = [
        "2024-02-29", "2023-02-29", "2100-02-29", "2000-02-29", "2021-04-31", "2021-04-30",
        "1899-12-31", "1900-01-01", "2199-12-31", "2200-01-01", "2026-1-01", "2026/01/05",
        "2026-01-05 ", "2026-13-01", "2026-00-10", "2026-01-00", "20260-1-01", "", "2026-01-0x",
    ]  # fmt: skip
    for text in texts:
        value = cvlib.engine.sql.sql_string(text)
        row = duckdb.sql(f"SELECT {sql_is_date(value)}, {duckdb_is_date(value)}").fetchone()
        assert row[0] == row[1], text


@pytest.mark.parametrize("extra", ["cvlib_trimmed_1", "CVLIB_TRIMMED_1", "cvlib_trimmed_"])
def test_an_extra_column_named_like_the_checks_own_names_hides_nothing(tmp_path, extra):
    # the fast check names the trimmed value of each column; an extra column of the file
    # (the contract allows them) with such a name must not stand in for user_id's values
    rows = [
        "timestamp,user_id,event,segment",
        "2026-02-16T09:00:00Z,U 1,F-dark-mode,SMB",
        "2026-02-17T10:00:00+01:00,U2,login,Enterprise",
        "2026-02-18 08:30:00,U2,F-dark-mode,Enterprise",
    ]
    text = "\n".join(f"{row},{extra if i == 0 else 'U9'}" for i, row in enumerate(rows)) + "\n"
    root = write_workspace(tmp_path / "ws", {"events.csv": text})
    assert csv_profile_if_clean(root / "events.csv", spec("events")) is None
    problem_at(problems_of(root), "events.csv", 2, "user_id")


@pytest.mark.parametrize(
    ("old", "new", "clean"),
    [
        ("U1,F-dark-mode", "  U1 ,F-dark-mode ", True),  # spaces around values are trimmed
        ("2026-02-16T09:00:00Z", " 2026-02-16T09:00:00Z  ", True),
        ("U1,F-dark-mode", "U1,   ", False),  # spaces only: no value
        ("U1,F-dark-mode", " U 1 ,F-dark-mode", False),  # a space inside an id stays
        ("U1,F-dark-mode", "\tU1,F-dark-mode", False),  # only spaces are trimmed here
    ],
)
def test_values_padded_with_spaces_are_read_as_the_lines_are(tmp_path, old, new, clean):
    # The fast check trims spaces (only them) at both ends of a value, as the line-by-line
    # rules do; a padded value passes and is profiled as the engine reads it.
    root = write_workspace(tmp_path / "ws", edit("events.csv", old, new))
    table = spec("events", "timestamp", "user_id", "event")
    fast = csv_profile_if_clean(root / "events.csv", table, timezone="Europe/Berlin")
    if not clean:
        assert fast is None
        return
    engine = profile(Source(table, "csv", root / "events.csv", "events.csv"), "Europe/Berlin")
    assert fast == engine
    assert fast.rows == 3
    assert cvlib.load_workspace(root).row_counts["events"] == 3
