"""The exposures table, a feature's holdout share and a hypothesis's comparison.

Each broken workspace is the valid ``BASE`` workspace of ``workspace_files.py`` with
exposures added and one mistake; line numbers count the header as line 1. Exposures
are checked as events are: a CSV file line by line (each problem at its line), a
Parquet file or a database table by aggregate queries (each problem naming the
source, the column and what breaks the rule).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from workspace_files import BASE, FEATURES, HYPOTHESES, edit, problem_at, problems_of, where

import cvlib
from cvlib.contract.hypotheses import Hypothesis
from cvlib.contract.tables import TABLES
from cvlib.engine.checks import csv_profile_if_clean

UTC = dt.UTC

EXPOSURES = """\
unit_id,unit,feature_id,group,assigned_at
U1,user,F-dark-mode,treatment,2026-02-16T09:00:00Z
U2,user,F-dark-mode,holdout,2026-02-16 10:00
A1,account,F-audit-log,treatment,2026-02-16
A2,account,F-audit-log,treatment,2026-02-17T08:00:00+01:00
"""

#: features.csv with holdout_share: F-dark-mode holds 10% of its users out.
FEATURES_WITH_SHARE = """\
feature_id,release_id,name,value_type,effort_points,holdout_share
F-report-builder,2026.01,Report builder,efficiency,8,
F-dark-mode,2026.02,Dark mode,experience,3,0.1
F-audit-log,2026.02,Audit log,risk_reduction,,
"""


def exposures(old: str | None = None, new: str | None = None, *, add: str = "") -> str:
    """``EXPOSURES`` with ``old`` replaced by ``new`` (exactly once) and ``add`` appended."""
    text = EXPOSURES
    if old is not None:
        if text.count(old) != 1:
            raise ValueError(f"{old!r} must occur exactly once in EXPOSURES")
        text = text.replace(old, new)
    return text + add


def with_exposures(text: str = EXPOSURES, **changes) -> dict:
    """Changes to ``BASE``: these exposures, and features.csv with holdout shares."""
    return {"exposures.csv": text, "features.csv": FEATURES_WITH_SHARE, **changes}


def _parquet(table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _exposures_table(**columns):
    base = {
        "unit_id": ["U1", "U2", "A1"],
        "unit": ["user", "user", "account"],
        "feature_id": ["F-dark-mode", "F-dark-mode", "F-audit-log"],
        "group": ["treatment", "holdout", "treatment"],
        "assigned_at": pa.array(
            [dt.datetime(2026, 2, 16, 9, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC")
        ),
    }
    base.update(columns)
    return pa.table({k: v for k, v in base.items() if v is not None})


def _comparison(metric: str, value: str) -> dict:
    """hypotheses.yaml with ``comparison: value`` added to the hypothesis of ``metric``."""
    return edit("hypotheses.yaml", f"    metric: {metric}\n", f"    metric: {metric}\n{value}")


# ------------------------------------------------------------------ valid input
def test_exposures_are_a_streamed_table():
    spec = TABLES["exposures"]
    assert spec.streamed
    assert spec.column_names == ("unit_id", "unit", "feature_id", "group", "assigned_at")
    assert spec.instant_columns == ("assigned_at",)
    assert spec.column("unit").kind.choices == ("user", "account")
    assert spec.column("group").kind.choices == ("treatment", "holdout")


def test_exposures_are_optional(workspace):
    ws = cvlib.load_workspace(workspace())
    assert "exposures" not in ws.sources
    assert "exposures" not in ws.row_counts


def test_valid_exposures_are_a_source_and_count_toward_data_through(workspace):
    late = exposures(add="U3,user,F-dark-mode,treatment,2026-03-05T23:30:00Z\n")
    ws = cvlib.load_workspace(workspace(with_exposures(late)))
    assert ws.sources["exposures"].kind == "csv"
    assert ws.row_counts["exposures"] == 5
    assert list(ws.row_counts) == [
        "releases", "features", "task_times", "events", "surveys", "accounts", "exposures",
        "tickets",
    ]  # fmt: skip
    assert ws.profiles["exposures"].latest["assigned_at"] == dt.datetime(
        2026, 3, 6, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")
    )
    # 23:30 UTC is 6 March in Berlin: later than every event, survey and account
    assert ws.settings.data_through == dt.date(2026, 3, 6)
    assert ws.features["holdout_share"].tolist()[1] == 0.1
    assert ws.warnings == []


def test_a_unit_may_repeat_within_its_group(workspace):
    again = exposures(add="U1,user,F-dark-mode,treatment,2026-02-18T09:00:00Z\n")
    assert cvlib.load_workspace(workspace(with_exposures(again))).row_counts["exposures"] == 5


def test_one_unit_id_in_both_groups_of_different_features_is_fine(workspace):
    other = exposures(add="U2,user,F-report-builder,treatment,2026-02-18\n")
    assert cvlib.load_workspace(workspace(with_exposures(other))).row_counts["exposures"] == 5


def test_a_clean_exposures_file_is_vouched_for_by_one_scan(workspace):
    root = workspace(with_exposures())
    spec = TABLES["exposures"]
    known = {"features": {"F-report-builder", "F-dark-mode", "F-audit-log"}}
    found = csv_profile_if_clean(root / "exposures.csv", spec, known=known, timezone="UTC")
    assert found is not None and found.rows == 4


@pytest.mark.parametrize(
    "extra",
    [
        "U1,user,F-dark-mode,holdout,2026-02-18\n",  # U1 in both groups
        "A3,user,F-audit-log,treatment,2026-02-18\n",  # a user among the accounts
    ],
    ids=["both-groups", "mixed-units"],
)
def test_the_fast_check_hands_a_broken_rule_to_the_line_by_line_check(workspace, extra):
    root = workspace(with_exposures(exposures(add=extra)))
    known = {"features": {"F-report-builder", "F-dark-mode", "F-audit-log"}}
    spec = TABLES["exposures"]
    assert csv_profile_if_clean(root / "exposures.csv", spec, known=known) is None


# ------------------------------------------------------------------ broken CSV files
BROKEN = [
    pytest.param(
        exposures("A2,account,F-audit-log,", "A2,account,F-nope,"),
        ("exposures.csv", 5, "feature_id"),
        "expected a feature_id listed in features.csv, found 'F-nope'",
        id="unknown-feature",
    ),
    pytest.param(
        exposures("U2,user,F-dark-mode,holdout,", "U2,user,F-dark-mode,control,"),
        ("exposures.csv", 3, "group"),
        "expected one of treatment, holdout, found 'control'",
        id="bad-group",
    ),
    pytest.param(
        exposures("U2,user,F-dark-mode,holdout,", "U2,user,F-dark-mode,Holdout,"),
        ("exposures.csv", 3, "group"),
        "expected one of treatment, holdout, found 'Holdout' (did you mean 'holdout'?)",
        id="group-in-capitals",
    ),
    pytest.param(
        exposures("A1,account,", "A1,customer,"),
        ("exposures.csv", 4, "unit"),
        "expected one of user, account, found 'customer' (did you mean 'user'?)",
        id="bad-unit",
    ),
    pytest.param(
        exposures("U1,user,", ",user,"),
        ("exposures.csv", 2, "unit_id"),
        "expected a value, found nothing (empty)",
        id="empty-unit-id",
    ),
    pytest.param(
        exposures(add="U1,user,F-dark-mode,holdout,2026-02-18\n"),
        ("exposures.csv", 6, "group"),
        "expected 'treatment' (line 2 has the same feature_id 'F-dark-mode', unit 'user' and "
        "unit_id 'U1': a unit is in one group of a feature), found 'holdout'",
        id="unit-in-both-groups",
    ),
    pytest.param(
        exposures(add="U9,user,F-audit-log,treatment,2026-02-18\n"),
        ("exposures.csv", 6, "unit"),
        "expected 'account' (line 4 has the same feature_id 'F-audit-log': a feature's "
        "exposures are all of one unit), found 'user'",
        id="feature-with-two-units",
    ),
    pytest.param(
        exposures("2026-02-16T09:00:00Z", "16.02.2026 09:00"),
        ("exposures.csv", 2, "assigned_at"),
        "expected an ISO 8601 timestamp such as 2026-03-04T10:15:00Z (or with an offset like "
        "+01:00, or a bare date), found '16.02.2026 09:00'",
        id="day-first-timestamp",
    ),
    pytest.param(
        exposures("2026-02-16T09:00:00Z", "2200-01-01T00:00:00Z"),
        ("exposures.csv", 2, "assigned_at"),
        "expected a date from 1900-01-01 to 2199-12-31, found '2200-01-01T00:00:00Z'",
        id="timestamp-after-2199",
    ),
    pytest.param(
        EXPOSURES.replace(",group,", ",arm,"),
        ("exposures.csv", 1, "group"),
        "expected a column named 'group', found columns unit_id, unit, feature_id, arm, "
        "assigned_at",
        id="missing-column",
    ),
]


@pytest.mark.parametrize(("text", "position", "message"), BROKEN)
def test_broken_exposures_name_file_line_and_column(workspace, text, position, message):
    problems = problems_of(workspace(with_exposures(text)))
    assert where(problems) == {position}, "\n".join(str(p) for p in problems)
    assert problem_at(problems, *position).message == message


def test_a_unit_in_both_groups_is_reported_at_every_later_line(workspace):
    text = exposures(
        add="U1,user,F-dark-mode,holdout,2026-02-18\nU1,user,F-dark-mode,holdout,2026-02-19\n"
    )
    problems = problems_of(workspace(with_exposures(text)))
    assert where(problems) == {("exposures.csv", 6, "group"), ("exposures.csv", 7, "group")}
    assert all("(line 2 has the same" in p.message for p in problems)


def test_a_bad_value_is_not_also_reported_as_a_second_group(workspace):
    # the bad group is reported; it is no second group of U1
    text = exposures(add="U1,user,F-dark-mode,hold-out,2026-02-18\n")
    problems = problems_of(workspace(with_exposures(text)))
    assert [str(p) for p in problems] == [
        "exposures.csv:6: group: expected one of treatment, holdout, found 'hold-out' "
        "(did you mean 'holdout'?)"
    ]


def test_exposures_of_a_feature_are_checked_when_no_hypothesis_needs_them(workspace):
    # a file that is present is always checked
    changes = with_exposures(exposures("A1,account,", "A1,acount,"))
    changes["hypotheses.yaml"] = "hypotheses: []\n"
    problems = problems_of(workspace(changes))
    assert where(problems) == {("exposures.csv", 4, "unit")}


def test_exposures_csv_and_parquet_together_are_a_problem(workspace):
    changes = with_exposures(**{"exposures.parquet": _parquet(_exposures_table())})
    problems = problems_of(workspace(changes))
    assert [str(p) for p in problems] == [
        "exposures.csv: expected one of exposures.csv or exposures.parquet, found both (remove one)"
    ]


# ------------------------------------------------------------------ features.holdout_share
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "expected a number > 0 and < 1, found '0'"),
        ("1", "expected a number > 0 and < 1, found '1'"),
        ("-0.1", "expected a number > 0 and < 1, found '-0.1'"),
        ("10%", "expected a number, found '10%'"),
        ("0,1", "expected a number with a decimal point (.), found '0,1' (a decimal comma: "
         "export the file with '.' as the decimal separator)"),
    ],
    ids=["zero", "one", "negative", "percent", "decimal-comma"],
)  # fmt: skip
def test_holdout_share_is_strictly_between_0_and_1(workspace, value, message):
    features = FEATURES_WITH_SHARE.replace(",3,0.1\n", f',3,"{value}"\n')
    problems = problems_of(workspace({"features.csv": features}))
    assert where(problems) == {("features.csv", 3, "holdout_share")}
    assert problems[0].message == message


def test_holdout_share_may_be_left_out_without_holdout_exposures(workspace):
    treated = (
        "unit_id,unit,feature_id,group,assigned_at\nU1,user,F-dark-mode,treatment,2026-02-16\n"
    )
    ws = cvlib.load_workspace(workspace({"exposures.csv": treated}))
    assert "holdout_share" not in ws.features
    assert ws.row_counts["exposures"] == 1


def test_holdout_share_is_required_for_a_feature_with_holdout_exposures(workspace):
    empty = FEATURES_WITH_SHARE.replace(",3,0.1\n", ",3,\n")
    problems = problems_of(workspace(with_exposures(**{"features.csv": empty})))
    assert [str(p) for p in problems] == [
        "features.csv:3: holdout_share: expected the share of the feature's units held out, "
        "a number > 0 and < 1 (exposures.csv has holdout exposures of 'F-dark-mode'), "
        "found nothing (empty)"
    ]


def test_holdout_share_column_is_required_with_holdout_exposures(workspace):
    problems = problems_of(workspace(with_exposures(**{"features.csv": FEATURES})))
    assert [str(p) for p in problems] == [
        "features.csv:1: holdout_share: expected a column named 'holdout_share' (required "
        "because exposures.csv has holdout exposures of F-dark-mode), found columns "
        "feature_id, release_id, name, value_type, effort_points"
    ]


def test_holdout_share_is_not_asked_for_while_the_exposures_have_problems(workspace):
    # the exposures are reported; which features they hold out is not known yet
    broken = exposures("A1,account,", "A1,acount,")
    problems = problems_of(workspace(with_exposures(broken, **{"features.csv": FEATURES})))
    assert where(problems) == {("exposures.csv", 4, "unit")}


def test_a_bad_holdout_share_is_reported_once(workspace):
    bad = FEATURES_WITH_SHARE.replace(",3,0.1\n", ",3,2\n")
    problems = problems_of(workspace(with_exposures(**{"features.csv": bad})))
    assert [str(p) for p in problems] == [
        "features.csv:3: holdout_share: expected a number > 0 and < 1, found '2'"
    ]


# ------------------------------------------------------------------ Parquet exposures
def test_parquet_exposures_are_accepted(workspace):
    changes = {
        "features.csv": FEATURES_WITH_SHARE,
        "exposures.parquet": _parquet(_exposures_table()),
    }
    ws = cvlib.load_workspace(workspace(changes))
    assert ws.sources["exposures"].kind == "parquet"
    assert ws.row_counts["exposures"] == 3


def test_parquet_exposures_from_sources(workspace):
    changes = {
        "features.csv": FEATURES_WITH_SHARE,
        "workspace.yaml": BASE["workspace.yaml"] + "sources: {exposures: {parquet: assigned}}\n",
    }
    root = workspace(changes)
    (root / "assigned").mkdir()
    (root / "assigned" / "part-0.parquet").write_bytes(_parquet(_exposures_table()))
    ws = cvlib.load_workspace(root)
    assert (ws.sources["exposures"].kind, ws.sources["exposures"].display) == (
        "parquet",
        "assigned",
    )


PARQUET_BROKEN = [
    pytest.param(
        _exposures_table(unit_id=["U1", "U2", "A1", "U1"], unit=["user", "user", "account", "user"],
                         feature_id=["F-dark-mode"] * 2 + ["F-audit-log", "F-dark-mode"],
                         group=["treatment", "holdout", "treatment", "holdout"],
                         assigned_at=pa.array([dt.datetime(2026, 2, 16, tzinfo=UTC)] * 4,
                                              pa.timestamp("us", tz="UTC"))),
        "group",
        "expected one group for each feature_id, unit and unit_id (a unit is in one group of a "
        "feature), found 1 with several, the first: feature_id 'F-dark-mode', unit 'user', "
        "unit_id 'U1' ('holdout' and 'treatment')",
        id="unit-in-both-groups",
    ),
    pytest.param(
        _exposures_table(unit=["user", "account", "account"]),
        "unit",
        "expected one unit for each feature_id (a feature's exposures are all of one unit), "
        "found 1 with several, the first: feature_id 'F-dark-mode' ('account' and 'user')",
        id="feature-with-two-units",
    ),
    pytest.param(
        _exposures_table(group=["treatment", "control", "treatment"]),
        "group",
        "expected one of treatment, holdout, found other values (1 of 3 rows)",
        id="bad-group",
    ),
    pytest.param(
        _exposures_table(unit=pa.array([1, 1, 2], pa.int8())),
        "unit",
        "expected a text column, found type int8",
        id="unit-not-text",
    ),
    pytest.param(
        _exposures_table(feature_id=["F-dark-mode", "F-dark-mode", "F-nope"]),
        "feature_id",
        "expected a feature_id listed in features.csv or nothing, found others (1 of 3 rows)",
        id="unknown-feature",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("table", "column", "message"), PARQUET_BROKEN)
def test_parquet_exposures_problems_name_file_column_and_rule(workspace, table, column, message):
    changes = {"features.csv": FEATURES_WITH_SHARE, "exposures.parquet": _parquet(table)}
    problems = problems_of(workspace(changes))
    assert [(p.file, p.line, p.column, p.message) for p in problems] == [
        ("exposures.parquet", None, column, message)
    ]


def test_exposures_behind_a_connection_follow_the_same_rules(workspace):
    import duckdb

    root = workspace(
        {
            "features.csv": FEATURES_WITH_SHARE,
            "workspace.yaml": BASE["workspace.yaml"]
            + "sources: {exposures: {connection: 'duckdb://w.duckdb', table: assigned}}\n",
        }
    )
    con = duckdb.connect(str(root / "w.duckdb"))
    con.execute(
        "CREATE TABLE assigned AS SELECT * FROM (VALUES "
        "('U1', 'user', 'F-dark-mode', 'treatment', TIMESTAMPTZ '2026-02-16 09:00:00+00'), "
        "('U1', 'user', 'F-dark-mode', 'holdout', TIMESTAMPTZ '2026-02-17 09:00:00+00')) "
        'AS t(unit_id, unit, feature_id, "group", assigned_at)'
    )
    con.close()
    problems = problems_of(root)
    assert [(p.file, p.line, p.column, p.message) for p in problems] == [
        (
            "duckdb://w.duckdb table assigned",
            None,
            "group",
            "expected one group for each feature_id, unit and unit_id (a unit is in one group "
            "of a feature), found 1 with several, the first: feature_id 'F-dark-mode', unit "
            "'user', unit_id 'U1' ('holdout' and 'treatment')",
        )
    ]


def test_parquet_bad_groups_are_not_also_reported_as_second_groups(workspace):
    table = _exposures_table(group=["treatment", None, "treatment"], unit_id=["U1", "U1", "A1"])
    problems = problems_of(
        workspace({"features.csv": FEATURES_WITH_SHARE, "exposures.parquet": _parquet(table)})
    )
    assert [p.message for p in problems] == [
        "expected a value, found nothing (null or empty) (1 of 3 rows)"
    ]


def test_parquet_holdout_exposures_require_a_holdout_share(workspace):
    problems = problems_of(workspace({"exposures.parquet": _parquet(_exposures_table())}))
    assert [str(p) for p in problems] == [
        "features.csv:1: holdout_share: expected a column named 'holdout_share' (required "
        "because exposures.parquet has holdout exposures of F-dark-mode), found columns "
        "feature_id, release_id, name, value_type, effort_points"
    ]


# ------------------------------------------------------------------ hypotheses: comparison
def test_comparison_defaults_to_auto_and_stays_out_of_the_definition(workspace):
    ws = cvlib.load_workspace(workspace())
    assert {h.comparison for h in ws.hypotheses} == {"auto"}
    assert all("comparison" not in h.definition() for h in ws.hypotheses)


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("nps", "holdout"),
        ("churn", "holdout"),
        ("nps", "interrupted_time_series"),
        ("churn", "interrupted_time_series"),
        ("task_time", "before_after"),
        ("nps", "before_after"),
        ("adoption", "auto"),
    ],
)
def test_comparison_is_read_into_the_hypothesis_and_its_definition(workspace, metric, value):
    changes = with_exposures(**_comparison(metric, f"    comparison: {value}\n"))
    ws = cvlib.load_workspace(workspace(changes))
    h = next(h for h in ws.hypotheses if h.metric == metric)
    assert h.comparison == value
    assert h.definition().get("comparison", "auto") == value


def test_an_empty_comparison_means_auto(workspace):
    ws = cvlib.load_workspace(workspace(_comparison("nps", "    comparison:\n")))
    assert next(h for h in ws.hypotheses if h.metric == "nps").comparison == "auto"


def test_a_named_comparison_changes_the_definition():
    auto = Hypothesis("H", "F", "Kept.", "churn", 0.05)
    named = Hypothesis("H", "F", "Kept.", "churn", 0.05, comparison="holdout")
    assert named.definition() == {**auto.definition(), "comparison": "holdout"}


COMPARISON_BROKEN = [
    pytest.param(
        "nps",
        "    comparison: holdot\n",
        33,
        "expected auto, holdout, interrupted_time_series or before_after, found 'holdot' "
        "(did you mean 'holdout'?)",
        id="misspelt",
    ),
    pytest.param(
        "nps",
        "    comparison: Before_After\n",
        33,
        "expected auto, holdout, interrupted_time_series or before_after, found "
        "'Before_After' (did you mean 'before_after'?)",
        id="capitals",
    ),
    pytest.param(
        "nps",
        "    comparison: [holdout]\n",
        33,
        "expected auto, holdout, interrupted_time_series or before_after, found a list",
        id="a-list",
    ),
    pytest.param(
        "adoption",
        "    comparison: interrupted_time_series\n",
        27,
        "expected comparison: interrupted_time_series only with metric churn and nps (a metric "
        "with a history before the release), found it with adoption",
        id="time-series-without-history",
    ),
    pytest.param(
        "task_time",
        "    comparison: holdout\n",
        6,
        "expected comparison: holdout only with metric churn and nps (a metric compared between "
        "a holdout's groups), found it with task_time",
        id="holdout-without-a-unit",
    ),
    pytest.param(
        "adoption",
        "    comparison: holdout\n",
        27,
        "expected comparison: holdout only with metric churn and nps (a metric compared between "
        "a holdout's groups), found it with adoption",
        id="holdout-of-a-share-the-holdout-cannot-have",
    ),
    pytest.param(
        "adoption",
        "    comparison: before_after\n",
        27,
        "expected comparison: before_after only with metric churn, completion_rate, "
        "error_rate, nps and task_time (a metric with a before-release value), found it with "
        "adoption",
        id="before-after-without-a-before",
    ),
]


@pytest.mark.parametrize(("metric", "line_text", "line", "message"), COMPARISON_BROKEN)
def test_bad_comparison_names_the_line(workspace, metric, line_text, line, message):
    problems = problems_of(workspace(_comparison(metric, line_text)))
    assert [(p.file, p.line, p.column, p.message) for p in problems] == [
        ("hypotheses.yaml", line, "comparison", message)
    ]


def test_comparison_is_a_known_key(workspace):
    text = HYPOTHESES.replace("    metric: nps\n", "    metric: nps\n    comparision: holdout\n")
    problems = problems_of(workspace({"hypotheses.yaml": text}))
    assert len(problems) == 1
    assert re.search(r"found 'comparision' \(did you mean 'comparison'\?\)$", problems[0].message)


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        pytest.param(
            {},
            "hypotheses.yaml:29: hypothesis H-dark-nps: comparison holdout needs user exposures "
            "of feature F-dark-mode in both groups (treatment and holdout), found none yet",
            id="no-exposures-file",
        ),
        pytest.param(
            {"exposures.csv": exposures("U2,user,F-dark-mode,holdout,",
                                        "U2,user,F-dark-mode,treatment,")},
            "hypotheses.yaml:29: hypothesis H-dark-nps: comparison holdout needs user exposures "
            "of feature F-dark-mode in both groups (treatment and holdout), found treatment only",
            id="treatment-only",
        ),
        pytest.param(
            {"exposures.csv": EXPOSURES.replace("U1,user,F-dark-mode", "U1,account,F-dark-mode")
             .replace("U2,user,F-dark-mode", "U2,account,F-dark-mode")},
            "hypotheses.yaml:29: hypothesis H-dark-nps: comparison holdout needs user exposures "
            "of feature F-dark-mode in both groups (treatment and holdout), found account "
            "exposures",
            id="exposures-of-accounts",
        ),
    ],
)  # fmt: skip
def test_holdout_without_its_exposures_is_a_warning(workspace, changes, warning):
    files = {"features.csv": FEATURES_WITH_SHARE, **changes}
    files.update(_comparison("nps", "    comparison: holdout\n"))
    ws = cvlib.load_workspace(workspace(files))
    assert [str(w) for w in ws.warnings] == [warning]


def test_holdout_with_exposures_in_both_groups_has_no_warning(workspace):
    changes = with_exposures(**_comparison("nps", "    comparison: holdout\n"))
    assert cvlib.load_workspace(workspace(changes)).warnings == []


def test_churn_holdout_needs_exposures_of_accounts(workspace):
    changes = with_exposures(**_comparison("churn", "    comparison: holdout\n"))
    ws = cvlib.load_workspace(workspace(changes))
    # F-audit-log has account exposures, all in treatment
    assert [str(w) for w in ws.warnings] == [
        "hypotheses.yaml:34: hypothesis H-audit-churn: comparison holdout needs account "
        "exposures of feature F-audit-log in both groups (treatment and holdout), found "
        "treatment only"
    ]
