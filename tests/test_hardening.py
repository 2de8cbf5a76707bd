"""Inputs a broken export produces: each gets a file:line message, never a traceback or a hang.

Every case here made ``cvlib validate`` print a traceback, hang, or accept a
workspace that ``cvlib report`` could not compute, before the contract's
checks refused it.
"""

from __future__ import annotations

import datetime as dt
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from workspace_files import BASE, edit, problem_at, problems_of, write_workspace

import cvlib
from cvlib.contract.problems import MAX_FOUND_CHARS, MAX_PROBLEMS_PER_FILE

TZ_MESSAGE = "expected an IANA time zone such as Europe/Berlin, found "


def _one(tmp_path, changes, file, line, column):
    return problem_at(problems_of(write_workspace(tmp_path / "ws", changes)), file, line, column)


# -- time zones and numbers in workspace.yaml ------------------------------------------------
@pytest.mark.parametrize("zone", ["Europe", "A" * 5000, "../../etc/passwd", ""])
def test_a_time_zone_that_is_not_one_is_a_problem(tmp_path, zone):
    changes = edit("workspace.yaml", "Europe/Berlin", zone or "''")
    problem = _one(tmp_path, changes, "workspace.yaml", 5, "timezone")
    assert problem.message.startswith(TZ_MESSAGE)
    assert len(problem.message) <= len(TZ_MESSAGE) + MAX_FOUND_CHARS + 1


def test_an_integer_of_thousands_of_digits_is_not_a_number_here(tmp_path):
    changes = edit("workspace.yaml", "42.5", "9" * 5000)
    problem = _one(tmp_path, changes, "workspace.yaml", 3, "hourly_cost")
    assert problem.message.startswith("expected a number >= 0, found '999")
    assert problem.message.endswith("…") and len(problem.message) < 300


# -- file kinds ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["releases.csv", "events.csv", "surveys.csv", "hypotheses.yaml"])
def test_a_directory_where_a_file_is_expected(tmp_path, name):
    root = write_workspace(tmp_path / "ws", {name: None})
    (root / name).mkdir()
    problem = problem_at(problems_of(root), name, None, None)
    assert problem.message == "expected a regular file, found a directory"


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    root = write_workspace(tmp_path / "ws", {"tickets.csv": None})
    os.mkfifo(root / "tickets.csv")  # opening it to read would wait for a writer for ever
    problem = problem_at(problems_of(root), "tickets.csv", None, None)
    assert problem.message == "expected a regular file, found a FIFO (named pipe)"


def test_a_device_is_refused(tmp_path):
    root = write_workspace(tmp_path / "ws", {"surveys.csv": None})
    (root / "surveys.csv").symlink_to("/dev/zero")  # reading it never ends
    problem = problem_at(problems_of(root), "surveys.csv", None, None)
    assert problem.message == "expected a regular file, found a device"


def test_a_dangling_workspace_yaml_is_not_an_absent_one(tmp_path):
    # absent, the time zone would silently fall back to UTC
    root = write_workspace(tmp_path / "ws", {"workspace.yaml": None})
    (root / "workspace.yaml").symlink_to(root / "elsewhere.yaml")
    problem = problem_at(problems_of(root), "workspace.yaml", None, None)
    assert problem.message == "expected a regular file, found a link to nothing (a dangling link)"


def test_a_link_that_loops_is_refused(tmp_path):
    root = write_workspace(tmp_path / "ws", {"features.csv": None})
    (root / "features.csv").symlink_to(root / "features.csv")
    problem = problem_at(problems_of(root), "features.csv", None, None)
    assert problem.message == "expected a regular file, found a link that loops"


# -- one grammar: what Python's int() and float() accept and DuckDB does not ------------------
@pytest.mark.parametrize("seconds", ["１５00", "١٥٠٠", "1_500", "nan", "inf", "1,500.0"])
def test_numbers_are_ascii_decimals(tmp_path, seconds):
    changes = edit("task_times.csv", ",1500,", f',"{seconds}",')
    problem = _one(tmp_path, changes, "task_times.csv", 2, "seconds")
    assert "expected a number" in problem.message


@pytest.mark.parametrize("score", ["９", "1_0", "+ 9"])
def test_scores_are_ascii_whole_numbers(tmp_path, score):
    # surveys are checked by the engine first: its answer must be the line-by-line check's
    changes = edit("surveys.csv", "Z,9,", f'Z,"{score}",')
    problem = _one(tmp_path, changes, "surveys.csv", 2, "score")
    assert problem.message.startswith("expected a whole number from 0 to 10")


@pytest.mark.parametrize("value", [".5", "5.", "1e3", "+9"])
def test_decimals_of_the_grammar_are_numbers(tmp_path, value):
    root = write_workspace(tmp_path / "ws", edit("task_times.csv", ",1500,", f",{value},"))
    cvlib.load_workspace(root)  # no problem


@pytest.mark.parametrize(
    ("text", "column", "table"),
    [
        ("9999-12-31T23:59:59Z", "timestamp", "events.csv"),
        ("0000-01-01T00:00:00Z", "timestamp", "events.csv"),
        ("1899-12-31T23:00:00Z", "timestamp", "events.csv"),
        ("2200-01-01", "started_on", "accounts.csv"),
    ],
)
def test_dates_are_from_1900_to_2199(tmp_path, text, column, table):
    old = {"events.csv": "2026-02-16T09:00:00Z", "accounts.csv": "2025-06-01"}[table]
    problem = _one(tmp_path, edit(table, old, text), table, 2, column)
    assert problem.message.startswith("expected a date from 1900-01-01 to 2199-12-31")


def test_a_far_future_timestamp_in_parquet_is_a_problem(tmp_path):
    ts = [dt.datetime(2026, 2, 16, 9, tzinfo=dt.UTC), dt.datetime(2250, 1, 1, tzinfo=dt.UTC)]
    table = pa.table(
        {
            "timestamp": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "user_id": ["U1", "U2"],
            "event": ["F-dark-mode", "login"],
        }
    )
    root = write_workspace(tmp_path / "ws", {"events.csv": None})
    pq.write_table(table, root / "events.parquet")
    problem = problem_at(problems_of(root), "events.parquet", None, "timestamp")
    assert problem.message == (
        "expected dates from 1900-01-01 to 2199-12-31, found values outside (1 of 2 rows)"
    )


# -- hypotheses.yaml ------------------------------------------------------------------------------
def test_unknown_top_level_keys_of_hypotheses_yaml_are_problems(tmp_path):
    hypotheses = BASE["hypotheses.yaml"] + "hypothesis:\n  - id: H-lost\n"
    problem = _one(tmp_path, {"hypotheses.yaml": hypotheses}, "hypotheses.yaml", 40, "hypothesis")
    assert problem.message == (
        "expected one of the keys hypotheses, found 'hypothesis' (did you mean 'hypotheses'?)"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("target: 0.9", "target: .nan", 16, "target"),
        # a task_time target has no upper bound, so only the finiteness rule catches these
        (
            "task: generate-report\n    target: 120",
            "task: generate-report\n    target: .inf",
            7,
            "target",
        ),
        (
            "task: generate-report\n    target: 120",
            "task: generate-report\n    target: .nan",
            7,
            "target",
        ),
        ("tasks_per_month: 5000", "tasks_per_month: .inf", 9, "tasks_per_month"),
        ("tasks_per_month: 5000", "tasks_per_month: .nan", 9, "tasks_per_month"),
    ],
)
def test_nan_and_inf_are_not_numbers(tmp_path, old, new, line, column):
    problem = _one(tmp_path, edit("hypotheses.yaml", old, new), "hypotheses.yaml", line, column)
    assert "found nan" in problem.message or "found inf" in problem.message


@pytest.mark.parametrize(("value", "found"), [(".inf", "inf"), (".nan", "nan")])
def test_an_infinite_hourly_cost_is_a_problem(tmp_path, value, found):
    problem = _one(
        tmp_path, edit("workspace.yaml", "42.5", value), "workspace.yaml", 3, "hourly_cost"
    )
    assert problem.message == f"expected a number >= 0, found {found}"


@pytest.mark.parametrize("task", ["[a, b]", "{a: 1}"])
def test_a_task_is_a_name(tmp_path, task):
    changes = edit(
        "hypotheses.yaml",
        "task: generate-report\n    target: 120",
        f"task: {task}\n    target: 120",
    )
    problem = _one(tmp_path, changes, "hypotheses.yaml", 6, "task")
    assert problem.message.startswith("expected the name of a task, found a ")


# -- bounded output -----------------------------------------------------------------------------
def _bomb(levels: str) -> str:
    bomb = "x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for name, prev in zip(levels, "a" + levels, strict=False):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    return bomb


def test_an_alias_bomb_gives_a_short_message(tmp_path):
    # the statement stands for 9**4 = 6,561 values: under the limit, read, and quoted shortly
    hypotheses = BASE["hypotheses.yaml"].replace(
        "statement: Nine in ten customers finish a report.", "statement: *d"
    )
    root = write_workspace(tmp_path / "ws", {"hypotheses.yaml": _bomb("bcd") + hypotheses})
    messages = [str(p) for p in problems_of(root)]
    assert any("statement" in m for m in messages)
    assert sum(map(len, messages)) < 5_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 300 bytes for 672,610 values (by hand: the lists a..f expand to 10, 91, 820, 7,381,
        # 66,430 and 597,871 nodes, each n = 1 + 9 * previous; plus the mapping and its 6 keys),
        # of which 22 are written: refused before anything walks them
        (
            _bomb("bcdef"),
            "hypotheses.yaml:1: expected aliases (*name) to bring in at most 100,000 values, "
            "found 672,588 (aliases of aliases)",
        ),
        (
            "x-loop: &loop [1, *loop]\nhypotheses: []\n",
            "hypotheses.yaml:1: expected values that do not contain themselves, found an alias "
            "inside the value it names",
        ),
    ],
)
def test_aliases_are_read_with_a_limit(tmp_path, text, expected):
    root = write_workspace(tmp_path / "ws", {"hypotheses.yaml": text})
    messages = [str(p) for p in problems_of(root)]
    assert expected in messages


def test_at_most_200_problems_are_listed_per_file():
    from cvlib.contract.problems import Problems

    problems = Problems()
    for i in range(300):  # 20 per column at most: 15 columns
        problems.add("a.csv", i + 2, f"c{i % 15}", f"expected a number, found {'9' * 500!r}")
    problems.add("b.csv", 2, "x", "expected a number, found 'y'")
    out = problems.finish()
    listed = [p for p in out if p.file == "a.csv" and p.line is not None]
    assert len(listed) == MAX_PROBLEMS_PER_FILE
    assert all(
        len(p.message) <= len("expected a number, found ") + MAX_FOUND_CHARS + 1 for p in listed
    )
    assert [p.message for p in out if p.file == "a.csv" and p.line is None] == [
        "... and 100 more problems in this file (at most 200 per file and 200 in all are listed)"
    ]
    # b.csv's problem came after 200 were listed: it is counted
    assert [p.message for p in out if p.file == "b.csv"] == [
        "... and 1 more problems in this file (at most 200 per file and 200 in all are listed)"
    ]


def test_the_output_of_validate_stays_under_100_kb(tmp_path, capsys):
    from cvlib import cli

    # nine tables of bad rows: each column's 20 problems, in every file
    bad = {
        "task_times.csv": "x,y,z,w,-1,maybe,-2,\n" * 500,
        "surveys.csv": "R,U,never,99,,F-none,\n" * 500,
        "accounts.csv": "A,never,never,,-5\n" * 500,
        "tickets.csv": "T,never,F-none,what,\n" * 500,
    }
    changes = {name: BASE[name] + rows for name, rows in bad.items()}
    root = write_workspace(tmp_path / "ws", changes)
    assert cli.main(["validate", str(root)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert len((out.out + out.err).encode()) < 100_000


# -- long text is text ----------------------------------------------------------------------------
def test_a_text_field_longer_than_pythons_csv_limit_is_read(tmp_path):
    text = "x" * 200_000
    tickets = BASE["tickets.csv"] + f'T3,2026-01-22T08:00:00Z,F-report-builder,bug,"{text}"\n'
    ws = cvlib.load_workspace(write_workspace(tmp_path / "ws", {"tickets.csv": tickets}))
    assert ws.tickets["text"].str.len().max() == 200_000


def test_an_ignored_column_of_megabytes_is_read_and_queried(tmp_path):
    events = BASE["events.csv"].replace("event,segment\n", "event,segment,note\n")
    lines = events.splitlines()
    lines[1] += "," + "y" * 5_000_000
    lines[2] += ","
    lines[3] += ","
    root = write_workspace(tmp_path / "ws", {"events.csv": "\n".join(lines) + "\n"})
    ws = cvlib.load_workspace(root)
    for release_id in ws.releases["release_id"]:
        cvlib.evaluate_release(ws, release_id)  # the engine reads the long line too


def test_a_field_over_10_mb_says_so(tmp_path):
    text = "z" * (10 * 1024 * 1024 + 1)
    tickets = BASE["tickets.csv"] + f'T3,2026-01-22T08:00:00Z,F-report-builder,bug,"{text}"\n'
    problem = _one(tmp_path, {"tickets.csv": tickets}, "tickets.csv", 4, None)
    assert problem.message == (
        "expected fields of at most 10,485,760 characters (10 MB), found a longer one "
        "(or a quote that is never closed)"
    )


# -- secrets in connection URLs -----------------------------------------------------------------
PASSWORD = "p@ss/w#rd:1"


def _connection_workspace(tmp_path, monkeypatch, password):
    if password is None:
        monkeypatch.delenv("CVLIB_TEST_PGPASSWORD", raising=False)
    else:
        monkeypatch.setenv("CVLIB_TEST_PGPASSWORD", password)
    sources = "sources:\n" + "".join(
        f"  {t}:\n    connection: postgres://analyst:${{CVLIB_TEST_PGPASSWORD}}@127.0.0.1:9/db\n"
        f"    table: {t}\n"
        for t in ("events", "surveys", "accounts")
    )
    changes = {"workspace.yaml": BASE["workspace.yaml"] + sources}
    changes |= {"events.csv": None, "surveys.csv": None, "accounts.csv": None}
    return write_workspace(tmp_path / "ws", changes)


def test_a_password_with_url_characters_is_encoded_and_never_shown(tmp_path, monkeypatch):
    from cvlib.contract.problems import Problems
    from cvlib.contract.settings import read_settings

    root = _connection_workspace(tmp_path, monkeypatch, PASSWORD)
    found = read_settings(root, Problems())
    url = found.sources["events"].value
    assert url == "postgres://analyst:p%40ss%2Fw%23rd%3A1@127.0.0.1:9/db"
    # no server listens there: the messages name the source, without the password
    messages = "\n".join(str(p) for p in problems_of(root))
    assert "postgres://analyst@127.0.0.1:9/db table events" in messages
    for form in (PASSWORD, "p%40ss", "w#rd", "ss/w"):
        assert form not in messages


def test_an_unset_variable_stops_at_its_declaration(tmp_path, monkeypatch):
    root = _connection_workspace(tmp_path, monkeypatch, None)
    problems = problems_of(root)
    assert {p.file for p in problems} == {"workspace.yaml"}, [str(p) for p in problems]
    assert all("CVLIB_TEST_PGPASSWORD" in p.message for p in problems)


# -- found by the fuzzer ------------------------------------------------------------------------
def test_a_line_of_spaces_is_blank_to_the_engine_too(tmp_path):
    accounts = BASE["accounts.csv"].replace("\nA2,", "\n   \nA2,")
    ws = cvlib.load_workspace(write_workspace(tmp_path / "ws", {"accounts.csv": accounts}))
    assert ws.row_counts["accounts"] == 2
    for release_id in ws.releases["release_id"]:
        cvlib.evaluate_release(ws, release_id)


def test_a_blank_line_above_the_header_is_skipped_by_the_engine_too(tmp_path):
    ws = cvlib.load_workspace(
        write_workspace(tmp_path / "ws", {"accounts.csv": "\n" + BASE["accounts.csv"]})
    )
    assert ws.row_counts["accounts"] == 2
    for release_id in ws.releases["release_id"]:
        cvlib.evaluate_release(ws, release_id)


def test_a_control_character_in_a_column_name_is_a_problem(tmp_path):
    accounts = BASE["accounts.csv"].replace(",segment,", ",seg\x00ment,", 1)
    problem = _one(tmp_path, {"accounts.csv": accounts}, "accounts.csv", 1, None)
    assert problem.message == "expected column names of text, found 'seg\\x00ment'"


# -- YAML numbers follow the contract's grammar, not YAML 1.1's ---------------------------------
@pytest.mark.parametrize("value", ["1_000", "0x1F", "0o17", "1:30", "1_0.5"])
def test_yaml_numbers_of_other_grammars_are_problems(tmp_path, value):
    changes = edit("hypotheses.yaml", "tasks_per_month: 5000", f"tasks_per_month: {value}")
    problem = _one(tmp_path, changes, "hypotheses.yaml", 9, "tasks_per_month")
    assert problem.message == f"expected a number >= 0, found '{value}'"


@pytest.mark.parametrize(("value", "read"), [("1e3", 1000.0), ("017", 17.0), ("+5", 5.0)])
def test_yaml_numbers_of_the_grammar(tmp_path, value, read):
    root = write_workspace(tmp_path / "ws", edit("workspace.yaml", "42.5", value))
    assert cvlib.load_workspace(root).settings.hourly_cost == read
