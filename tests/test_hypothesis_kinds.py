"""What counts as success, and the study plan: ``kind``, ``margin``, ``expected`` and
``planned_n`` in hypotheses.yaml, ``multiplicity`` in workspace.yaml, ``attempted_at``
in task_times.csv.

Each broken workspace is the valid ``BASE`` of workspace_files.py with keys added to
one hypothesis (right after its ``id:`` line) or one setting changed; the test asserts
the file, line and key of the only problem and the text of its message.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import pandas as pd
import pytest
from workspace_files import HYPOTHESES, TASK_TIMES, WORKSPACE_YAML, problem_at, problems_of, where

import cvlib
from cvlib.contract.hypotheses import Hypothesis
from cvlib.metrics.units import NPS_POINTS, PROPORTION, SECONDS

HYPOTHESIS_OF = {
    "task_time": "H-reports-time",
    "completion_rate": "H-reports-done",
    "error_rate": "H-reports-errors",
    "adoption": "H-dark-adoption",
    "nps": "H-dark-nps",
    "churn": "H-audit-churn",
}


def _start(hid: str) -> int:
    """The line of ``- id: hid`` in the base hypotheses.yaml."""
    return HYPOTHESES.splitlines().index(f"  - id: {hid}") + 1


def _added(additions: dict[str, str]) -> dict[str, str]:
    """Changes to BASE: ``additions`` maps a metric to the YAML lines (without indentation)
    added to its hypothesis right after the ``id:`` line."""
    text = HYPOTHESES
    for metric, lines in additions.items():
        marker = f"  - id: {HYPOTHESIS_OF[metric]}\n"
        body = "".join(f"    {line}\n" for line in lines.splitlines())
        text = text.replace(marker, marker + body)
    return {"hypotheses.yaml": text}


def _by_id(ws) -> dict[str, Hypothesis]:
    return {h.id: h for h in ws.hypotheses}


# ------------------------------------------------------------------ valid hypotheses
def test_kind_defaults_to_improvement_where_the_metric_has_a_before(workspace):
    ws = cvlib.load_workspace(workspace())
    kinds = {h.metric: h.kind for h in ws.hypotheses}
    assert kinds == {
        "task_time": "improvement",
        "completion_rate": "improvement",
        "error_rate": "improvement",
        "adoption": "level",
        "nps": "improvement",
        "churn": "improvement",
    }
    for h in ws.hypotheses:
        assert (h.margin, h.expected, h.planned_n) == (None, None, None), h.id


def test_a_feature_retention_hypothesis_defaults_to_level():
    h = Hypothesis("H1", "F1", "It sticks.", "feature_retention", 0.4)
    assert h.kind == "level"


def test_the_new_keys_are_read(workspace):
    ws = cvlib.load_workspace(
        workspace(
            _added(
                {
                    "task_time": "kind: non_inferiority\nmargin: 1.10\nexpected: 110\n"
                    "planned_n: 24",
                    "completion_rate": "kind: level\nexpected: 0.95\nplanned_n: 30",
                    "error_rate": "kind: non_inferiority\nmargin: 0.05",
                    "adoption": "kind: level\nexpected: 0.4",
                    "nps": "kind: non_inferiority\nmargin: 5\nexpected: 35",
                    "churn": "kind: improvement",
                }
            )
        )
    )
    h = _by_id(ws)
    time = h["H-reports-time"]
    assert (time.kind, time.margin, time.expected, time.planned_n) == (
        "non_inferiority",
        1.1,
        110.0,
        24,
    )
    assert isinstance(time.planned_n, int)
    assert isinstance(time.expected, float)
    done = h["H-reports-done"]
    assert (done.kind, done.margin, done.expected, done.planned_n) == ("level", None, 0.95, 30)
    assert (h["H-reports-errors"].kind, h["H-reports-errors"].margin) == ("non_inferiority", 0.05)
    assert (h["H-dark-adoption"].kind, h["H-dark-adoption"].expected) == ("level", 0.4)
    nps = h["H-dark-nps"]
    assert (nps.kind, nps.margin, nps.expected) == ("non_inferiority", 5.0, 35.0)
    assert h["H-audit-churn"].kind == "improvement"


def test_planned_n_counts_pairs_in_a_paired_design(workspace):
    changes = _added({"task_time": "planned_n: 12"})
    changes["hypotheses.yaml"] = changes["hypotheses.yaml"].replace(
        "design: independent", "design: paired"
    )
    h = _by_id(cvlib.load_workspace(workspace(changes)))["H-reports-time"]
    assert (h.design, h.planned_n) == ("paired", 12)


def test_an_empty_kind_means_the_default(workspace):
    ws = cvlib.load_workspace(workspace(_added({"task_time": "kind:", "adoption": "kind:"})))
    h = _by_id(ws)
    assert (h["H-reports-time"].kind, h["H-dark-adoption"].kind) == ("improvement", "level")


@pytest.mark.parametrize(
    ("metric", "margin"),
    [
        ("completion_rate", 0.001),
        ("completion_rate", 0.999),
        ("churn", 0.5),
        ("nps", 0.5),
        ("nps", 199.5),
        ("task_time", 1.0001),
        ("task_time", 3),
    ],
)
def test_margins_inside_the_range_are_accepted(workspace, metric, margin):
    ws = cvlib.load_workspace(
        workspace(_added({metric: f"kind: non_inferiority\nmargin: {margin}"}))
    )
    assert _by_id(ws)[HYPOTHESIS_OF[metric]].margin == margin


@pytest.mark.parametrize(
    ("metric", "value"),
    [("task_time", 0.5), ("completion_rate", 0), ("completion_rate", 1), ("nps", -100)],
)
def test_expected_at_the_bounds_of_target_is_accepted(workspace, metric, value):
    ws = cvlib.load_workspace(workspace(_added({metric: f"expected: {value}"})))
    assert _by_id(ws)[HYPOTHESIS_OF[metric]].expected == value


# ------------------------------------------------------------------ definition()
def test_definition_is_the_pre_registered_plan_as_plain_values(workspace):
    ws = cvlib.load_workspace(
        workspace(
            _added({"task_time": "kind: non_inferiority\nmargin: 1.1\nexpected: 110\nplanned_n: 8"})
        )
    )
    h = _by_id(ws)
    assert h["H-reports-time"].definition() == {
        "metric": "task_time",
        "task": "generate-report",
        "target": 120.0,
        "kind": "non_inferiority",
        "margin": 1.1,
        "expected": 110.0,
        "planned_n": 8,
        "design": "independent",
    }
    assert h["H-audit-churn"].definition() == {
        "metric": "churn",
        "task": None,
        "target": 0.05,
        "kind": "improvement",
        "margin": None,
        "window_days": 90,
        "expected": None,
        "planned_n": None,
        "design": "independent",
    }
    for x in ws.hypotheses:
        definition = x.definition()
        assert json.loads(json.dumps(definition)) == definition
        assert ("window_days" in definition) is x.spec.windowed


def test_definition_changes_with_what_counts_as_success_only(workspace):
    base = _by_id(cvlib.load_workspace(workspace()))["H-dark-nps"]
    other = _by_id(cvlib.load_workspace(workspace(_added({"nps": "kind: level"}))))["H-dark-nps"]
    assert base.definition() != other.definition()
    reworded = Hypothesis(
        base.id,
        base.feature_id,
        "NPS reaches 30 (reworded).",
        base.metric,
        base.target,
        window_days=base.window_days,
        line=99,
    )
    assert reworded.definition() == base.definition()


# ------------------------------------------------------------------ broken hypotheses
# (metric whose hypothesis gets the lines, the lines, the line of the problem counted from
# the hypothesis's id line, the key, a regex of the message)
BROKEN = [
    pytest.param(
        "task_time",
        "kind: non-inferiority",
        1,
        "kind",
        r"^expected level, improvement or non_inferiority, found 'non-inferiority' "
        r"\(did you mean 'non_inferiority'\?\)$",
        id="kind-misspelt",
    ),
    pytest.param(
        "nps",
        "kind: [level]",
        1,
        "kind",
        r"^expected level, improvement or non_inferiority, found a list$",
        id="kind-a-list",
    ),
    pytest.param(
        "adoption",
        "kind: improvement",
        1,
        "kind",
        r"^metric adoption has no before-release value to compare with: use kind: level "
        r"\(found improvement\)$",
        id="improvement-without-before",
    ),
    pytest.param(
        "adoption",
        "kind: non_inferiority\nmargin: 0.05",
        1,
        "kind",
        r"^metric adoption has no before-release value to compare with: use kind: level "
        r"\(found non_inferiority\)$",
        id="non-inferiority-without-before",
    ),
    pytest.param(
        "nps",
        "kind: non_inferiority",
        0,
        "margin",
        r"^expected a margin with kind: non_inferiority \(how much worse than before still "
        r"counts\), found nothing$",
        id="non-inferiority-without-margin",
    ),
    pytest.param(
        "completion_rate",
        "margin: 0.05",
        1,
        "margin",
        r"^expected margin only with kind: non_inferiority, found it with kind: improvement$",
        id="margin-with-the-default-kind",
    ),
    pytest.param(
        "task_time",
        "kind: level\nmargin: 1.1",
        2,
        "margin",
        r"^expected margin only with kind: non_inferiority, found it with kind: level$",
        id="margin-with-level",
    ),
    pytest.param(
        "adoption",
        "margin: 0.05",
        1,
        "margin",
        r"^expected margin only with kind: non_inferiority, found it with kind: level$",
        id="margin-on-a-metric-without-before",
    ),
    pytest.param(
        "completion_rate",
        "kind: non_inferiority\nmargin: 5%",
        2,
        "margin",
        r"^expected a number, found '5%'$",
        id="margin-percent-sign",
    ),
    pytest.param(
        "nps",
        "kind: non_inferiority\nmargin: .nan",
        2,
        "margin",
        r"^expected a number, found nan$",
        id="margin-nan",
    ),
    pytest.param(
        "completion_rate",
        "kind: non_inferiority\nmargin: 0",
        2,
        "margin",
        r"^expected a margin in \(0, 1\) for completion_rate, a difference of proportions "
        r"\(0\.05 for 5 points\), found 0$",
        id="rate-margin-zero",
    ),
    pytest.param(
        "error_rate",
        "kind: non_inferiority\nmargin: 5",
        2,
        "margin",
        r"^expected a margin in \(0, 1\) for error_rate, a difference of proportions "
        r"\(0\.05 for 5 points\), found 5$",
        id="rate-margin-in-points",
    ),
    pytest.param(
        "churn",
        "kind: non_inferiority\nmargin: 1",
        2,
        "margin",
        r"^expected a margin in \(0, 1\) for churn, .*, found 1$",
        id="rate-margin-one",
    ),
    pytest.param(
        "nps",
        "kind: non_inferiority\nmargin: 200",
        2,
        "margin",
        r"^expected a margin in \(0, 200\) NPS points, found 200$",
        id="nps-margin-200",
    ),
    pytest.param(
        "nps",
        "kind: non_inferiority\nmargin: -5",
        2,
        "margin",
        r"^expected a margin in \(0, 200\) NPS points, found -5$",
        id="nps-margin-negative",
    ),
    pytest.param(
        "task_time",
        "kind: non_inferiority\nmargin: 1",
        2,
        "margin",
        r"^expected a margin > 1 for task_time, a ratio after / before \(1\.1 for at most 10% "
        r"slower\), found 1$",
        id="time-margin-one",
    ),
    pytest.param(
        "task_time",
        "kind: non_inferiority\nmargin: 0.1",
        2,
        "margin",
        r"^expected a margin > 1 for task_time, .*, found 0\.1$",
        id="time-margin-as-a-share",
    ),
    pytest.param(
        "task_time",
        "kind: non_inferiority\nmargin: .inf",
        2,
        "margin",
        r"^expected a number, found inf$",
        id="time-margin-infinite",
    ),
    pytest.param(
        "completion_rate",
        "expected: 95",
        1,
        "expected",
        r"^expected a proportion from 0 to 1 for completion_rate \(e\.g\. 0\.8 for 80%\), "
        r"found 95$",
        id="expected-in-percent",
    ),
    pytest.param(
        "task_time",
        "expected: 0",
        1,
        "expected",
        r"^expected a target in seconds > 0 for task_time, found 0$",
        id="expected-zero-seconds",
    ),
    pytest.param(
        "nps",
        "expected: 101",
        1,
        "expected",
        r"^expected NPS points from -100 to 100, found 101$",
        id="expected-nps-too-high",
    ),
    pytest.param(
        "adoption",
        "expected: a third",
        1,
        "expected",
        r"^expected a number, found 'a third'$",
        id="expected-text",
    ),
    pytest.param(
        "task_time",
        "planned_n: 0",
        1,
        "planned_n",
        r"^expected a whole number from 1 to 1,000,000, found 0$",
        id="planned-n-zero",
    ),
    pytest.param(
        "completion_rate",
        "planned_n: 12.5",
        1,
        "planned_n",
        r"^expected a whole number from 1 to 1,000,000, found 12\.5$",
        id="planned-n-fraction",
    ),
    pytest.param(
        "error_rate",
        "planned_n: true",
        1,
        "planned_n",
        r"^expected a whole number from 1 to 1,000,000, found True$",
        id="planned-n-boolean",
    ),
    pytest.param(
        "task_time",
        "planned_n: 2000000",
        1,
        "planned_n",
        r"^expected a whole number from 1 to 1,000,000, found 2000000$",
        id="planned-n-too-large",
    ),
    pytest.param(
        "nps",
        "planned_n: 400",
        1,
        "planned_n",
        r"^expected planned_n only with metric completion_rate, error_rate and task_time, "
        r"found it with nps$",
        id="planned-n-without-a-task",
    ),
]


@pytest.mark.parametrize(("metric", "lines", "offset", "key", "message"), BROKEN)
def test_a_broken_hypothesis_key_is_one_problem_at_its_line(
    workspace, metric, lines, offset, key, message
):
    problems = problems_of(workspace(_added({metric: lines})))
    position = ("hypotheses.yaml", _start(HYPOTHESIS_OF[metric]) + offset, key)
    problem = problem_at(problems, *position)
    assert re.search(message, problem.message), problem.message
    assert where(problems) == {position}, "\n".join(str(p) for p in problems)


def test_the_message_reads_file_line_key_expected_found(workspace):
    problems = problems_of(workspace(_added({"adoption": "kind: improvement"})))
    assert [str(p) for p in problems] == [
        "hypotheses.yaml:24: kind: metric adoption has no before-release value to compare "
        "with: use kind: level (found improvement)"
    ]


def test_every_broken_key_of_every_hypothesis_is_reported_at_once(workspace):
    problems = problems_of(
        workspace(
            _added(
                {
                    "task_time": "kind: non_inferiority",
                    "adoption": "kind: improvement\nplanned_n: 3",
                    "nps": "expected: 300",
                }
            )
        )
    )
    # each added line moves the hypotheses below it down by one
    assert {(p.line, p.column) for p in problems} == {
        (2, "margin"),  # the start of H-reports-time: a missing key
        (25, "kind"),  # H-dark-adoption starts on line 23 + 1
        (26, "planned_n"),
        (33, "expected"),  # H-dark-nps starts on line 29 + 3
    }


# ------------------------------------------------------------------ the units' margins
@pytest.mark.parametrize(
    ("unit", "margin", "lower_is_better", "null"),
    [
        (PROPORTION, 0.05, False, -0.05),  # completion_rate: at most 5 points lower
        (PROPORTION, 0.05, True, 0.05),  # error_rate, churn: at most 5 points higher
        (NPS_POINTS, 10, False, -10.0),
        (SECONDS, 1.1, True, 1.1),  # task_time: at most 10% slower
        (SECONDS, 1.25, False, 0.8),  # a ratio where higher is better: 1 / margin
    ],
)
def test_the_null_of_a_non_inferiority_claim(unit, margin, lower_is_better, null):
    assert unit.margin_null(margin, lower_is_better) == pytest.approx(null, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "margin"), [(PROPORTION, 0), (PROPORTION, 1), (NPS_POINTS, 200), (SECONDS, 1)]
)
def test_the_null_of_an_impossible_margin_is_a_value_error(unit, margin):
    with pytest.raises(ValueError, match=r"margin must be in \("):
        unit.margin_null(margin, True)


@pytest.mark.parametrize(
    ("unit", "margin", "ok"),
    [
        (PROPORTION, 1e-9, True),
        (PROPORTION, 1 - 1e-9, True),
        (PROPORTION, 0.0, False),
        (PROPORTION, 1.0, False),
        (NPS_POINTS, 199.99, True),
        (NPS_POINTS, 200.0, False),
        (SECONDS, 1 + 1e-9, True),
        (SECONDS, 1.0, False),
        (SECONDS, math.inf, False),
    ],
)
def test_margin_problem_keeps_both_ends_out(unit, margin, ok):
    assert (unit.margin_problem("m", margin) is None) is ok


# ------------------------------------------------------------------ multiplicity
def test_multiplicity_defaults_to_holm(workspace):
    assert cvlib.load_workspace(workspace()).settings.multiplicity == "holm"
    ws = cvlib.load_workspace(workspace({"workspace.yaml": None}))
    assert ws.settings.multiplicity == "holm"


@pytest.mark.parametrize(("text", "value"), [("holm", "holm"), ("bh", "bh"), ("none", "none")])
def test_multiplicity_is_read(workspace, text, value):
    ws = cvlib.load_workspace(
        workspace({"workspace.yaml": WORKSPACE_YAML + f"multiplicity: {text}\n"})
    )
    assert ws.settings.multiplicity == value


def test_an_empty_multiplicity_means_the_default(workspace):
    ws = cvlib.load_workspace(workspace({"workspace.yaml": WORKSPACE_YAML + "multiplicity:\n"}))
    assert ws.settings.multiplicity == "holm"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bonferroni", r"^expected holm, bh or none, found 'bonferroni'$"),
        ("BH", r"^expected holm, bh or none, found 'BH' \(did you mean 'bh'\?\)$"),
        ("no", r"^expected holm, bh or none, found False \(did you mean 'none'\?\)$"),
        ("[holm, bh]", r"^expected holm, bh or none, found a list$"),
        ("0.05", r"^expected holm, bh or none, found 0\.05$"),
    ],
    ids=["unknown", "capitals", "yaml-no", "list", "number"],
)
def test_a_broken_multiplicity_names_the_line(workspace, text, message):
    problems = problems_of(
        workspace({"workspace.yaml": WORKSPACE_YAML + f"multiplicity: {text}\n"})
    )
    problem = problem_at(problems, "workspace.yaml", 6, "multiplicity")
    assert re.search(message, problem.message), problem.message
    assert where(problems) == {("workspace.yaml", 6, "multiplicity")}


# ------------------------------------------------------------------ attempted_at
def _with_attempted_at(values: list[str]) -> dict[str, str]:
    lines = TASK_TIMES.splitlines()
    rows = [lines[0] + ",attempted_at"] + [
        f"{line},{value}" for line, value in zip(lines[1:], values, strict=True)
    ]
    return {"task_times.csv": "\n".join(rows) + "\n"}


def test_attempted_at_is_read_as_an_instant_in_the_workspace_timezone(workspace):
    ws = cvlib.load_workspace(
        workspace(
            _with_attempted_at(
                [
                    "2026-01-10T09:00:00Z",
                    "2026-01-10T10:00:00+01:00",
                    "2026-01-20 09:30",  # naive: Europe/Berlin
                    "2026-01-21",  # a bare date: 00:00 in Europe/Berlin
                ]
            )
        )
    )
    column = ws.task_times["attempted_at"]
    assert list(column.dt.tz_convert("UTC")) == [
        pd.Timestamp("2026-01-10T09:00:00Z"),
        pd.Timestamp("2026-01-10T09:00:00Z"),
        pd.Timestamp("2026-01-20T08:30:00Z"),
        pd.Timestamp("2026-01-20T23:00:00Z"),
    ]
    assert column.iloc[2].to_pydatetime().utcoffset() == dt.timedelta(hours=1)


def test_attempted_at_may_be_left_out(workspace):
    ws = cvlib.load_workspace(workspace())
    assert "attempted_at" not in ws.task_times


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.01.2026 09:00", r"^expected an ISO 8601 timestamp such as 2026-03-04T10:15:00Z"),
        ("", r"^expected a value, found nothing"),
        ("2026-02-30T09:00:00Z", r"^expected a valid ISO 8601 timestamp, found '2026-02-30"),
    ],
    ids=["day-first", "empty", "impossible-day"],
)
def test_a_broken_attempted_at_names_file_line_and_column(workspace, value, message):
    values = ["2026-01-10T09:00:00Z", value, "2026-01-20T09:00:00Z", "2026-01-20T09:30:00Z"]
    problems = problems_of(workspace(_with_attempted_at(values)))
    problem = problem_at(problems, "task_times.csv", 3, "attempted_at")
    assert re.search(message, problem.message), problem.message
    assert where(problems) == {("task_times.csv", 3, "attempted_at")}
