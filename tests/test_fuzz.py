"""A fuzzer: copies of a valid workspace with one file mutated, as a broken export arrives.

For each copy, ``cvlib validate`` runs in-process and must exit 0 or 1 with no
exception escaping and its output under 100 KB; when it passes,
``load_workspace`` and ``evaluate_release`` of every release must raise
nothing. ``make test`` runs about 300 examples (derandomized, so CI is
repeatable); ``make fuzz`` runs 2,000 or more with a fresh seed, which it
prints (``CVLIB_FUZZ_EXAMPLES``, ``--hypothesis-seed``). A failure found is
kept below as an explicit ``@example``.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from workspace_files import BASE, write_workspace

import cvlib
from cvlib import cli

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("CVLIB_FUZZ_EXAMPLES", "300"))
FRESH = "CVLIB_FUZZ_EXAMPLES" in os.environ  # make fuzz: a new seed each run
MAX_OUTPUT = 100_000

FILES = sorted(BASE)
LONG = "<200 000 x>"  # stands for a field of 200,000 characters (keeps reprs short)
TRICKY = [
    "",
    " ",
    "５",
    "1_000",
    "nan",
    ".inf",
    "-1",
    "1e999",
    "9" * 5000,
    "0000-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-02-16T25:00:00Z",
    "+14:00",
    '"',
    '""',
    "'",
    ",",
    "\\",
    "\x00",
    "\r",
    "ü",
    "€",
    "\ufeff",
    "*a",
    "&a x",
    "[a, b]",
    "{a: 1}",
    "~",
    "null",
    "yes",
    "- x",
    ": x",
    "<script>",
    "../..",
    "${HOME}",
    "${CVLIB_NO_SUCH_VARIABLE}",
    LONG,
]

values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20))

# optional keys the base files leave out, added by the "key" mutation with a value that may
# fit them: a hypothesis's kind, margin, expected, planned_n and comparison; the settings'
# multiplicity
OPTIONAL_KEYS = {
    "hypotheses.yaml": ("kind", "margin", "expected", "planned_n", "comparison"),
    "workspace.yaml": ("multiplicity",),
}
FITTING = [
    "level", "improvement", "non_inferiority", "holm", "bh", "none", "0.05", "1.1", "5",
    "auto", "holdout", "interrupted_time_series", "before_after",
]  # fmt: skip


@st.composite
def mutations(draw):
    """(file, how, detail): one change to one file of the base workspace."""
    name = draw(st.sampled_from(FILES))
    hows = [
        "value",
        "value",
        "value",
        "line",
        "drop_line",
        "dup_line",
        "bytes",
        "truncate",
        "encoding",
        "remove",
        "empty",
        "directory",
        "dangling",
    ]
    if name in OPTIONAL_KEYS:
        hows += ["key", "key"]
    how = draw(st.sampled_from(hows))
    lines = BASE[name].splitlines()
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    if how == "key":
        key = draw(st.sampled_from(OPTIONAL_KEYS[name]))
        return name, how, (line, key, draw(st.one_of(st.sampled_from(FITTING), values)))
    if how == "value":
        return name, how, (line, draw(st.integers(0, 12)), draw(values))
    if how == "line":
        return name, how, (line, draw(values))
    if how == "bytes":
        size = len(BASE[name].encode())
        return name, how, (draw(st.integers(0, size)), draw(st.binary(min_size=1, max_size=8)))
    if how == "truncate":
        return name, how, draw(st.integers(0, len(BASE[name].encode())))
    if how == "encoding":
        return name, how, draw(st.sampled_from(["utf-16", "latin-1", "cp1252", "utf-8-sig"]))
    return name, how, line


def _mutated(root: Path, change) -> Path:
    name, how, detail = change
    if isinstance(detail, tuple) and detail[-1] == LONG:
        detail = (*detail[:-1], "x" * 200_000)
    text = BASE[name]
    lines = text.splitlines()
    files: dict = {}
    if how == "value":
        row, index, value = detail
        sep = ": " if name.endswith(".yaml") else ","
        cells = lines[row].split(sep) if lines else [""]
        cells[index % len(cells)] = value
        lines[row] = sep.join(cells)
        files[name] = "\n".join(lines) + "\n"
    elif how == "line":
        row, value = detail
        lines[row] = value
        files[name] = "\n".join(lines) + "\n"
    elif how == "key":  # after line row, indented as a hypothesis's keys are
        row, key, value = detail
        indent = "    " if name == "hypotheses.yaml" else ""
        lines[row + 1 : row + 1] = [f"{indent}{key}: {value}"]
        files[name] = "\n".join(lines) + "\n"
    elif how in ("drop_line", "dup_line"):
        lines[detail:detail] = [] if how == "drop_line" else [lines[detail]]
        if how == "drop_line":
            del lines[detail]
        files[name] = "\n".join(lines) + "\n"
    elif how == "bytes":
        at, raw = detail
        data = text.encode()
        files[name] = data[:at] + raw + data[at:]
    elif how == "truncate":
        files[name] = text.encode()[:detail]
    elif how == "encoding":
        files[name] = text.replace("Report", "Rüport").encode(detail, errors="replace")
    elif how in ("remove", "directory", "dangling"):
        files[name] = None
    elif how == "empty":
        files[name] = ""
    ws = write_workspace(root, files)
    if how == "directory":
        (ws / name).mkdir()
    elif how == "dangling":
        (ws / name).symlink_to(ws / "nowhere")
    return ws


def _validate(ws: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["validate", str(ws)])
    return status, out.getvalue() + err.getvalue()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not FRESH,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations())
@example(("workspace.yaml", "value", (4, 1, "Europe")))  # a tz database folder
@example(("workspace.yaml", "value", (2, 1, "9" * 5000)))  # beyond int() of text
@example(("events.csv", "directory", 0))
@example(("tickets.csv", "value", (1, 4, LONG)))  # above Python's csv field limit
@example(("events.csv", "value", (1, 0, "9999-12-31T23:59:59Z")))  # far future
@example(("task_times.csv", "value", (1, 4, "１５00")))  # other scripts' digits
@example(("hypotheses.yaml", "line", (0, "defaults:")))  # hypotheses under another key
@example(("workspace.yaml", "dangling", 0))
@example(("hypotheses.yaml", "value", (20, 1, LONG)))  # a long task name in a warning
@example(("accounts.csv", "value", (0, 3, "\x00")))  # a NUL in a column name
@example(("accounts.csv", "bytes", (0, b"\n")))  # a blank line above the header
@example(("accounts.csv", "line", (1, " ")))  # a line of spaces, blank to the contract
@example(("hypotheses.yaml", "key", (1, "kind", "non_inferiority")))  # and no margin
@example(("hypotheses.yaml", "key", (28, "margin", "5")))  # margin with the default kind
@example(("workspace.yaml", "key", (0, "multiplicity", "none")))
def test_a_mutated_workspace_is_valid_or_gets_messages(change):
    with tempfile.TemporaryDirectory() as tmp:
        ws = _mutated(Path(tmp) / "ws", change)
        status, output = _validate(ws)
        assert status in (0, 1), output
        assert "Traceback" not in output
        assert len(output.encode()) < MAX_OUTPUT
        if status == 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cvlib.CvlibWarning)
                workspace = cvlib.load_workspace(ws)
                for release_id in workspace.releases["release_id"]:
                    cvlib.evaluate_release(workspace, release_id)
