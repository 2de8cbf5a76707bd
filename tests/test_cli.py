"""The command line as an analyst runs it: exit status, stdout and stderr.

Every test starts a real process, through ``python -m cvlib`` and through the
``cvlib`` console script, so the exit status and the absence of a Python
traceback are those a shell sees.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from workspace_files import FEATURES, HYPOTHESES, edit, write_workspace

SCRIPT = Path(sys.executable).with_name("cvlib")

COMMANDS = [
    pytest.param([sys.executable, "-m", "cvlib"], id="python-m-cvlib"),
    pytest.param(
        [str(SCRIPT)],
        id="console-script",
        marks=pytest.mark.skipif(not SCRIPT.exists(), reason="cvlib is not installed as a script"),
    ),
]


def run(command: list[str], *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*command, *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_validate_valid_workspace_exits_0_with_a_one_line_summary(tmp_path, command):
    ws = write_workspace(tmp_path / "ws")
    result = run(command, "validate", ws)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        (
            f"{ws}: valid: 2 releases, 3 features, 6 hypotheses; rows: releases 2, features 3, "
            "task_times 4, events 3, surveys 2, accounts 2, tickets 2"
        ),
        "data through 2026-02-21 (latest date in the data)",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_validate_broken_workspace_exits_1_listing_every_problem(tmp_path, command):
    ws = write_workspace(
        tmp_path / "ws",
        {
            **edit("task_times.csv", "1720.5", '"1720,5"'),
            **edit("hypotheses.yaml", "metric: nps", "metric: net_promoter"),
            "features.csv": FEATURES.replace(",", ";"),
        },
    )
    result = run(command, "validate", ws)
    assert result.returncode == 1
    assert result.stdout == ""
    assert_no_traceback(result)
    assert result.stderr.splitlines() == [
        (
            "features.csv:1: expected comma-separated columns, found ';' as the separator "
            "(export the file as 'CSV UTF-8 (comma delimited)')"
        ),
        (
            "hypotheses.yaml:32: metric: expected one of adoption, churn, completion_rate, "
            "error_rate, feature_retention, nps, task_time, found 'net_promoter'"
        ),
        (
            "task_times.csv:3: seconds: expected a number with a decimal point (.), found '1720,5' "
            "(a decimal comma: export the file with '.' as the decimal separator)"
        ),
        f"{ws}: 3 problems found; nothing was changed",
    ]


def test_validate_reports_problems_of_every_kind_without_traceback(tmp_path):
    ws = write_workspace(
        tmp_path / "ws",
        {
            "releases.csv": None,
            "features.csv": FEATURES.replace("Dark mode", "Dark mod\u00e9").encode("latin-1"),
            **edit("hypotheses.yaml", "    metric: nps\n", "    metric: [nps\n"),
            "events.csv": None,
            "events.parquet": b"not a parquet file",
            **edit("workspace.yaml", "Europe/Berlin", "Mars/Olympus"),
        },
    )
    result = run([sys.executable, "-m", "cvlib"], "validate", ws)
    assert result.returncode == 1
    assert_no_traceback(result)
    lines = result.stderr.splitlines()
    assert lines[:4] == [
        (
            "workspace.yaml:5: timezone: expected an IANA time zone such as Europe/Berlin, "
            "found 'Mars/Olympus'"
        ),
        (
            "releases.csv: file not found: every workspace lists its releases "
            "(columns: release_id, name, released_on)"
        ),
        (
            "features.csv:3: expected UTF-8 text, found byte 0xe9 at character 29 "
            "(save the file as 'CSV UTF-8')"
        ),
        (
            "hypotheses.yaml:33: expected valid YAML, found a syntax error: expected ',' or ']', "
            "but got ':' while parsing a flow sequence (started on line 32)"
        ),
    ]
    assert lines[4].startswith("events.parquet: expected a readable Parquet file, found: ")
    assert lines[5] == f"{ws}: 5 problems found; nothing was changed"


def test_validate_prints_warnings_and_still_exits_0(tmp_path):
    ws = write_workspace(
        tmp_path / "ws",
        {
            "features.csv": FEATURES + "F-export,2026.02,Export,efficiency,2\n",
            "hypotheses.yaml": HYPOTHESES
            + "  - id: H-export\n    feature_id: F-export\n    statement: Exports are quick.\n"
            "    metric: task_time\n    task: export\n    target: 60\n",
        },
    )
    result = run([sys.executable, "-m", "cvlib"], "validate", ws)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "warning: hypotheses.yaml:40: hypothesis H-export: no task_times rows yet for task "
        "'export' in release 2026.02"
    )


def test_validate_a_missing_folder_is_a_data_problem(tmp_path):
    result = run([sys.executable, "-m", "cvlib"], "validate", tmp_path / "nowhere")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'nowhere'}: expected a workspace folder, found nothing"
    )


def test_validate_accepts_a_relative_path(tmp_path):
    write_workspace(tmp_path / "ws")
    result = run([sys.executable, "-m", "cvlib"], "validate", "ws", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ws: valid: ")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["validate"], "the following arguments are required: PATH"),
        (["sample"], "the following arguments are required: OUT"),
        (["validate", "ws", "--strict"], "unrecognized arguments: --strict"),
        (["sample", "out", "--seed", "abc"], "argument --seed: invalid int value: 'abc'"),
    ],
    ids=[
        "no-command",
        "unknown-command",
        "validate-without-path",
        "sample-without-out",
        "unknown-option",
        "seed-not-a-number",
    ],
)
def test_usage_errors_exit_2(tmp_path, command, args, expected):
    result = run(command, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert_no_traceback(result)
    assert result.stderr.startswith("usage: cvlib")
    assert expected in result.stderr
    assert not (tmp_path / "out").exists()


def test_help_and_version_exit_0():
    result = run([sys.executable, "-m", "cvlib"], "--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "sample" in result.stdout
    result = run([sys.executable, "-m", "cvlib"], "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("cvlib ")
