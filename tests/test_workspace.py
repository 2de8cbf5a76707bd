"""The workspace data contract: every rule, each tested by a broken workspace.

Each broken workspace is the valid ``BASE`` workspace of ``workspace_files.py`` with
one mistake, and the test asserts the exact file, physical line (1 = the
header) and column of the problem, plus the expected/found text of its
message. Line numbers refer to the ``BASE`` files of workspace_files.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from workspace_files import (
    ACCOUNTS,
    BASE,
    EVENTS,
    FEATURES,
    HYPOTHESES,
    RELEASES,
    SURVEYS,
    TASK_TIMES,
    TICKETS,
    WORKSPACE_YAML,
    edit,
    problem_at,
    problems_of,
    where,
)

import cvlib
from cvlib.contract import values
from cvlib.contract.tables import TABLES, ColumnSpec, TableSpec
from cvlib.engine import parquet_meta
from cvlib.engine.checks import check_table
from cvlib.engine.queries import profile
from cvlib.engine.scan import Scan
from cvlib.engine.sources import Source
from cvlib.errors import Problem

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC

ONE_HYPOTHESIS = """\
hypotheses:
  - id: H-reports-time
    feature_id: F-report-builder
    statement: Customers generate the reports they need in 2 minutes instead of 30.
    metric: task_time
    task: generate-report
    target: 120
"""


def _without_column(text: str, column: str) -> str:
    """``text`` (a CSV without quoted commas) with ``column`` removed."""
    lines = text.splitlines()
    index = lines[0].split(",").index(column)
    return "".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != index) + "\n"
        for line in lines
    )


# Each case: the changes to BASE, where the problem is (file, line, column), a
# regex the message must match, and whether it is the only problem (False where
# the mistake rightly has consequences elsewhere).
BROKEN = [
    # ---------------------------------------------------------------- files
    pytest.param(
        {"releases.csv": None},
        ("releases.csv", None, None),
        r"^file not found: .*\(columns: release_id, name, released_on\)$",
        True,
        id="missing-releases",
    ),
    pytest.param(
        {"features.csv": None},
        ("features.csv", None, None),
        r"^file not found: .*\(columns: feature_id, release_id, name, value_type\)$",
        True,
        id="missing-features",
    ),
    pytest.param(
        {"hypotheses.yaml": None},
        ("hypotheses.yaml", None, None),
        r"^file not found",
        True,
        id="missing-hypotheses",
    ),
    pytest.param(
        {"task_times.csv": None},
        ("task_times.csv", None, None),
        r"^file not found: required because hypotheses use completion_rate, error_rate, "
        r"task_time$",
        True,
        id="missing-task-times-for-task-metrics",
    ),
    pytest.param(
        {"events.csv": None},
        ("events.csv", None, None),
        r"^file not found: required because a hypothesis uses adoption \(or provide "
        r"events\.parquet\)$",
        True,
        id="missing-events-for-adoption",
    ),
    pytest.param(
        {"surveys.csv": None},
        ("surveys.csv", None, None),
        r"uses nps \(or provide surveys\.parquet\)$",
        True,
        id="missing-surveys-for-nps",
    ),
    pytest.param(
        {"accounts.csv": None},
        ("accounts.csv", None, None),
        r"uses churn \(or provide accounts\.parquet\)$",
        True,
        id="missing-accounts-for-churn",
    ),
    pytest.param(
        {"features.csv": ""},
        ("features.csv", None, None),
        r"^file is empty: expected a header line with the columns feature_id, release_id, "
        r"name, value_type$",
        False,  # hypotheses then name features that are not listed
        id="empty-csv",
    ),
    pytest.param(
        {"releases.csv": "\n  \n\n"},
        ("releases.csv", None, None),
        r"^file is empty",
        False,
        id="csv-of-blank-lines",
    ),
    pytest.param(
        {"hypotheses.yaml": ""},
        ("hypotheses.yaml", None, None),
        r"^file is empty: expected a top-level 'hypotheses:' list$",
        True,
        id="empty-hypotheses-yaml",
    ),
    pytest.param(
        {"releases.csv": "release_id,name,released_on\n"},
        ("releases.csv", None, None),
        r"^expected at least one release, found none$",
        False,  # every feature then names an unknown release
        id="no-releases",
    ),
    pytest.param(
        {"events.csv": EVENTS, "events.parquet": b"PAR1"},
        ("events.csv", None, None),
        r"^expected one of events\.csv or events\.parquet, found both \(remove one\)$",
        True,
        id="events-csv-and-parquet",
    ),
    # ---------------------------------------------------------------- CSV dialect
    pytest.param(
        {"features.csv": FEATURES.replace(",", ";")},
        ("features.csv", 1, None),
        r"^expected comma-separated columns, found ';' as the separator",
        False,
        id="semicolon-separated",
    ),
    pytest.param(
        {"task_times.csv": TASK_TIMES.replace(",", "\t")},
        ("task_times.csv", 1, None),
        r"^expected comma-separated columns, found a tab as the separator",
        True,
        id="tab-separated",
    ),
    pytest.param(
        edit("task_times.csv", "1720.5", '"1720,5"'),
        ("task_times.csv", 3, "seconds"),
        r"^expected a number with a decimal point \(\.\), found '1720,5' \(a decimal comma",
        True,
        id="decimal-comma-quoted",
    ),
    pytest.param(
        edit("task_times.csv", "1720.5", "1720,5"),
        ("task_times.csv", 3, "seconds"),
        r"^expected a number with a decimal point \(\.\), found '1720,5' \(an unquoted decimal "
        r"comma splits the record into 9 fields instead of 8",
        True,
        id="decimal-comma-unquoted",
    ),
    pytest.param(
        # 130,5,1,0 could also be read as 130 | 5,1 | 0 or 130 | 5 | 1,0: only the first
        # gives a valid row (completed 1, errors 0)
        edit("task_times.csv", "after,130,1,0", "after,130,5,1,0"),
        ("task_times.csv", 4, "seconds"),
        r"found '130,5' \(an unquoted decimal comma",
        True,
        id="decimal-comma-unquoted-among-digits",
    ),
    pytest.param(
        edit("accounts.csv", "1200.50", "1200,50"),
        ("accounts.csv", 3, "mrr"),
        r"found '1200,50' \(an unquoted decimal comma",
        True,
        id="decimal-comma-unquoted-in-streamed-table",
    ),
    pytest.param(
        edit("features.csv", "efficiency,8", 'efficiency,"2,5"'),
        ("features.csv", 2, "effort_points"),
        r"^expected a number with a decimal point \(\.\), found '2,5'",
        True,
        id="decimal-comma-effort-points",
    ),
    pytest.param(
        {"features.csv": FEATURES.replace("Dark mode", "Dark mod\u00e9").encode("latin-1")},
        ("features.csv", 3, None),
        r"^expected UTF-8 text, found byte 0xe9 at character 29 \(save the file as 'CSV UTF-8'\)$",
        False,
        id="latin-1-csv",
    ),
    pytest.param(
        {
            "hypotheses.yaml": HYPOTHESES.replace("NPS reaches", "NPS \u00e9reaches").encode(
                "cp1252"
            )
        },
        ("hypotheses.yaml", 31, None),
        r"^expected UTF-8 text, found a byte that is not UTF-8$",
        True,
        id="latin-1-yaml",
    ),
    pytest.param(
        edit("tickets.csv", '"Export to PDF cuts the last column"', '"Export to PDF cuts'),
        ("tickets.csv", 2, None),
        r"^expected a well-formed CSV record, found unexpected end of data "
        r"\(an unclosed quote\?\)$",
        True,
        id="unclosed-quote-reported-where-the-record-starts",
    ),
    pytest.param(
        {"releases.csv": RELEASES + "2026.03,March release\n"},
        ("releases.csv", 4, None),
        r"^expected 3 fields as in the header, found 2$",
        True,
        id="short-record",
    ),
    pytest.param(
        {
            "tickets.csv": TICKETS
            + 'T3,2026-02-02T10:00:00Z,F-dark-mode,bug,"Dark mode, once on,\nforgets itself\n'
            'after a restart"\nT4,02/02/2026,F-dark-mode,bug,Crash\n'
        },
        ("tickets.csv", 7, "created_at"),
        r"found '02/02/2026'$",
        True,
        id="record-after-a-multi-line-quoted-field",
    ),
    # ---------------------------------------------------------------- columns
    pytest.param(
        edit("features.csv", "value_type", "type"),
        ("features.csv", 1, "value_type"),
        r"^expected a column named 'value_type', found columns feature_id, release_id, name, "
        r"type, effort_points$",
        False,
        id="missing-column",
    ),
    pytest.param(
        edit("features.csv", "value_type", "Value Type"),
        ("features.csv", 1, "value_type"),
        r"\(did you mean 'Value Type'\?\)$",
        False,
        id="missing-column-with-a-close-name",
    ),
    pytest.param(
        {
            "releases.csv": "release_id,name,released_on,name\n2026.01,a,2026-01-15,b\n"
            "2026.02,c,2026-02-16,d\n"
        },
        ("releases.csv", 1, "name"),
        r"^expected each column once, found it twice$",
        False,
        id="duplicate-column",
    ),
    pytest.param(
        {"task_times.csv": _without_column(TASK_TIMES, "errors")},
        ("task_times.csv", 1, "errors"),
        r"^expected a column named 'errors' \(required because a hypothesis uses error_rate\), "
        r"found columns release_id, task, participant_id, phase, seconds, completed, segment$",
        True,
        id="errors-column-needed-by-error-rate",
    ),
    # ---------------------------------------------------------------- ids
    pytest.param(
        {"releases.csv": RELEASES + ".,Dot,2026-03-01\n"},
        ("releases.csv", 4, "release_id"),
        r"^expected an id of 1-64 ASCII letters, digits, '\.', '_' or '-' starting with a "
        r"letter or digit, found '\.'$",
        True,
        id="id-dot",
    ),
    pytest.param(
        {"releases.csv": RELEASES + "..,Dot dot,2026-03-01\n"},
        ("releases.csv", 4, "release_id"),
        r"found '\.\.'$",
        True,
        id="id-dot-dot",
    ),
    pytest.param(
        {"releases.csv": RELEASES + "2026/03,Slash,2026-03-01\n"},
        ("releases.csv", 4, "release_id"),
        r"found '2026/03'$",
        True,
        id="id-slash",
    ),
    pytest.param(
        {"features.csv": FEATURES + "F-" + "x" * 63 + ",2026.02,Long,social,1\n"},
        ("features.csv", 5, "feature_id"),
        r"^expected an id of 1-64 ASCII",
        True,
        id="id-65-characters",
    ),
    pytest.param(
        {"features.csv": FEATURES + "F share,2026.02,Share,social,1\n"},
        ("features.csv", 5, "feature_id"),
        r"found 'F share'$",
        True,
        id="id-with-space",
    ),
    pytest.param(
        {"features.csv": FEATURES + "-share,2026.02,Share,social,1\n"},
        ("features.csv", 5, "feature_id"),
        r"found '-share'$",
        True,
        id="id-starting-with-dash",
    ),
    pytest.param(
        edit("task_times.csv", "P03", "P\u00e9"),
        ("task_times.csv", 4, "participant_id"),
        r"found 'P\u00e9'$",
        True,
        id="id-not-ascii",
    ),
    pytest.param(
        edit("hypotheses.yaml", "id: H-dark-nps", "id: H dark nps"),
        ("hypotheses.yaml", 29, "id"),
        r"found 'H dark nps'$",
        True,
        id="hypothesis-id-with-spaces",
    ),
    pytest.param(
        {"releases.csv": RELEASES + "2026.01,Again,2026-03-01\n"},
        ("releases.csv", 4, "release_id"),
        r"^expected unique values, found '2026\.01' again \(first on line 2\)$",
        True,
        id="duplicate-release-id",
    ),
    pytest.param(
        {"features.csv": FEATURES + "F-dark-mode,2026.01,Dark mode again,experience,1\n"},
        ("features.csv", 5, "feature_id"),
        r"found 'F-dark-mode' again \(first on line 3\)$",
        True,
        id="duplicate-feature-id",
    ),
    pytest.param(
        edit("hypotheses.yaml", "id: H-dark-nps", "id: H-dark-adoption"),
        ("hypotheses.yaml", 29, "id"),
        r"^expected unique hypothesis ids, found 'H-dark-adoption' again \(first on line 23\)$",
        True,
        id="duplicate-hypothesis-id",
    ),
    pytest.param(
        {"surveys.csv": SURVEYS + "R1,U3,2026-02-22T10:00:00Z,10,,,SMB\n"},
        ("surveys.csv", 4, "response_id"),
        r"found 'R1' again \(first on line 2\)$",
        True,
        id="duplicate-response-id",
    ),
    pytest.param(
        {"accounts.csv": ACCOUNTS + "A1,2025-08-01,,SMB,49\n"},
        ("accounts.csv", 4, "account_id"),
        r"found 'A1' again \(first on line 2\)$",
        True,
        id="duplicate-account-id",
    ),
    pytest.param(
        {"tickets.csv": TICKETS + "T1,2026-02-03T10:00:00Z,,bug,Again\n"},
        ("tickets.csv", 4, "ticket_id"),
        r"found 'T1' again \(first on line 2\)$",
        True,
        id="duplicate-ticket-id",
    ),
    # ---------------------------------------------------------------- cross-references
    pytest.param(
        edit("features.csv", "F-audit-log,2026.02", "F-audit-log,2026.03"),
        ("features.csv", 4, "release_id"),
        r"^expected a release_id listed in releases\.csv, found '2026\.03'$",
        True,
        id="feature-of-unknown-release",
    ),
    pytest.param(
        edit("hypotheses.yaml", "feature_id: F-audit-log", "feature_id: F-audit"),
        ("hypotheses.yaml", 35, "feature_id"),
        r"^expected a feature_id listed in features\.csv, found 'F-audit'$",
        True,
        id="hypothesis-of-unknown-feature",
    ),
    pytest.param(
        edit("task_times.csv", "2026.01,generate-report,P04", "2026.09,generate-report,P04"),
        ("task_times.csv", 5, "release_id"),
        r"^expected a release_id listed in releases\.csv, found '2026\.09'$",
        True,
        id="task-time-of-unknown-release",
    ),
    pytest.param(
        edit("surveys.csv", "F-dark-mode,SMB", "F-darkmode,SMB"),
        ("surveys.csv", 2, "feature_id"),
        r"^expected a feature_id listed in features\.csv or nothing, found 'F-darkmode'$",
        True,
        id="survey-comment-on-unknown-feature",
    ),
    pytest.param(
        edit("tickets.csv", "F-report-builder,bug", "F-reports,bug"),
        ("tickets.csv", 2, "feature_id"),
        r"found 'F-reports'$",
        True,
        id="ticket-on-unknown-feature",
    ),
    # ---------------------------------------------------------------- hypotheses.yaml
    pytest.param(
        edit("hypotheses.yaml", "metric: nps", "metric: net_promoter"),
        ("hypotheses.yaml", 32, "metric"),
        r"^expected one of adoption, churn, completion_rate, error_rate, feature_retention, nps, "
        r"task_time, "
        r"found 'net_promoter'$",
        True,
        id="unknown-metric",
    ),
    pytest.param(
        edit("hypotheses.yaml", "metric: nps", "metric: NPS"),
        ("hypotheses.yaml", 32, "metric"),
        r"found 'NPS' \(did you mean 'nps'\?\)$",
        True,
        id="metric-in-capitals",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    metric: nps\n", "    metric: [nps\n"),
        ("hypotheses.yaml", 33, None),
        r"^expected valid YAML, found a syntax error: expected ',' or '\]', but got ':' while "
        r"parsing a flow sequence \(started on line 32\)$",
        True,
        id="yaml-syntax-error",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    metric: nps\n", "\tmetric: nps\n"),
        ("hypotheses.yaml", 32, None),
        r"^expected valid YAML, found a syntax error: found character '\\t' that cannot start "
        r"any token",
        True,
        id="yaml-tab-indent",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    target: 30\n", "    target: 30\n    target: 40\n"),
        ("hypotheses.yaml", 34, None),
        r"the key 'target' appears twice in one mapping \(first on line 33\)$",
        True,
        id="yaml-duplicate-key",
    ),
    pytest.param(
        {"hypotheses.yaml": "- id: H1\n  feature_id: F-dark-mode\n"},
        ("hypotheses.yaml", 1, None),
        r"^expected a top-level 'hypotheses:' list, found a list$",
        True,
        id="hypotheses-without-top-level-key",
    ),
    pytest.param(
        {"hypotheses.yaml": "hypotheses: H-dark-nps\n"},
        ("hypotheses.yaml", 1, "hypotheses"),
        r"^expected a list, found 'H-dark-nps'$",
        True,
        id="hypotheses-not-a-list",
    ),
    pytest.param(
        {"hypotheses.yaml": ONE_HYPOTHESIS + "  - H-dark-nps\n"},
        ("hypotheses.yaml", 8, None),
        r"^expected each hypothesis to be a mapping of keys, found 'H-dark-nps'$",
        True,
        id="hypothesis-not-a-mapping",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    target: 30\n", "    target: 30\n    windows_days: 14\n"),
        ("hypotheses.yaml", 34, "windows_days"),
        r"^expected one of the keys id, feature_id, .*, found 'windows_days' "
        r"\(did you mean 'window_days'\?\)$",
        True,
        id="unknown-hypothesis-key",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    statement: NPS reaches 30.\n", ""),
        ("hypotheses.yaml", 29, "statement"),
        r"^expected a value, found nothing \(the key is missing or empty\)$",
        True,
        id="statement-missing",
    ),
    pytest.param(
        edit(
            "hypotheses.yaml", "    task: generate-report\n    target: 0.9\n", "    target: 0.9\n"
        ),
        ("hypotheses.yaml", 11, "task"),
        r"^expected the task measured \(metric completion_rate needs one\), found nothing$",
        True,
        id="task-required-for-task-metric",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    metric: nps\n", "    metric: nps\n    task: checkout\n"),
        ("hypotheses.yaml", 33, "task"),
        r"^expected no task for metric nps \(only task metrics use one\), found 'checkout'$",
        True,
        id="task-on-a-survey-metric",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    metric: nps\n", "    metric: nps\n    design: paired\n"),
        ("hypotheses.yaml", 33, "design"),
        r"^expected design: paired only with metric task_time, found it with nps$",
        True,
        id="paired-design-on-nps",
    ),
    pytest.param(
        edit(
            "hypotheses.yaml",
            "    metric: error_rate\n",
            "    metric: error_rate\n    design: paired\n",
        ),
        ("hypotheses.yaml", 21, "design"),
        r"found it with error_rate$",
        True,
        id="paired-design-on-error-rate",
    ),
    pytest.param(
        edit("hypotheses.yaml", "design: independent", "design: crossover"),
        ("hypotheses.yaml", 8, "design"),
        r"^expected independent or paired, found 'crossover'$",
        True,
        id="unknown-design",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 120", "target: 0"),
        ("hypotheses.yaml", 7, "target"),
        r"^expected a target in seconds > 0 for task_time, found 0$",
        True,
        id="target-task-time-zero",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 0.9", "target: 1.5"),
        ("hypotheses.yaml", 16, "target"),
        r"^expected a proportion from 0 to 1 for completion_rate "
        r"\(e\.g\. 0\.8 for 80%\), found 1\.5$",
        True,
        id="target-completion-rate-above-1",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 0.2", "target: -0.1"),
        ("hypotheses.yaml", 22, "target"),
        r"for error_rate .*found -0\.1$",
        True,
        id="target-error-rate-negative",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 0.33", "target: 33"),
        ("hypotheses.yaml", 27, "target"),
        r"for adoption .*found 33$",
        True,
        id="target-adoption-as-percent",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 0.05", "target: 5%"),
        ("hypotheses.yaml", 38, "target"),
        r"^expected a number, found '5%'$",
        True,
        id="target-churn-with-percent-sign",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 0.05", "target: 1.05"),
        ("hypotheses.yaml", 38, "target"),
        r"for churn .*found 1\.05$",
        True,
        id="target-churn-above-1",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 30", "target: 101"),
        ("hypotheses.yaml", 33, "target"),
        r"^expected NPS points from -100 to 100, found 101$",
        True,
        id="target-nps-above-100",
    ),
    pytest.param(
        edit("hypotheses.yaml", "target: 30", "target: -100.5"),
        ("hypotheses.yaml", 33, "target"),
        r"found -100\.5$",
        True,
        id="target-nps-below-minus-100",
    ),
    pytest.param(
        edit("hypotheses.yaml", "window_days: 30", "window_days: 0"),
        ("hypotheses.yaml", 28, "window_days"),
        r"^expected a whole number of days from 1 to 365, found 0$",
        True,
        id="window-days-zero",
    ),
    pytest.param(
        edit("hypotheses.yaml", "window_days: 90", "window_days: 366"),
        ("hypotheses.yaml", 39, "window_days"),
        r"found 366$",
        True,
        id="window-days-above-365",
    ),
    pytest.param(
        edit("hypotheses.yaml", "window_days: 30", "window_days: 7.5"),
        ("hypotheses.yaml", 28, "window_days"),
        r"found 7\.5$",
        True,
        id="window-days-fractional",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    tasks_per_month: 5000\n", "    window_days: 30\n"),
        ("hypotheses.yaml", 9, "window_days"),
        r"^expected no window_days for metric task_time",
        True,
        id="window-days-on-task-metric",
    ),
    pytest.param(
        edit("hypotheses.yaml", "tasks_per_month: 5000", "tasks_per_month: -5"),
        ("hypotheses.yaml", 9, "tasks_per_month"),
        r"^expected a number >= 0, found -5$",
        True,
        id="tasks-per-month-negative",
    ),
    pytest.param(
        edit("hypotheses.yaml", "    metric: nps\n", "    metric: nps\n    tasks_per_month: 50\n"),
        ("hypotheses.yaml", 33, "tasks_per_month"),
        r"^expected tasks_per_month only with metric task_time, found it with nps$",
        True,
        id="tasks-per-month-on-nps",
    ),
    pytest.param(
        edit("hypotheses.yaml", "created_on: 2026-01-02", "created_on: 2026-02-30"),
        ("hypotheses.yaml", 10, "created_on"),
        r"^expected a valid calendar date \(YYYY-MM-DD\), found '2026-02-30'$",
        True,
        id="created-on-impossible-date",
    ),
    pytest.param(
        edit("hypotheses.yaml", "created_on: 2026-01-02", "created_on: 02/01/2026"),
        ("hypotheses.yaml", 10, "created_on"),
        r"^expected a date as YYYY-MM-DD, found '02/01/2026'$",
        True,
        id="created-on-not-iso",
    ),
    # ---------------------------------------------------------------- values
    pytest.param(
        edit("releases.csv", "2026-02-16", "16/02/2026"),
        ("releases.csv", 3, "released_on"),
        r"^expected a date as YYYY-MM-DD, found '16/02/2026'$",
        True,
        id="date-not-iso",
    ),
    pytest.param(
        edit("releases.csv", "2026-02-16", "2026-02-30"),
        ("releases.csv", 3, "released_on"),
        r"^expected a valid calendar date \(YYYY-MM-DD\), found '2026-02-30'$",
        True,
        id="date-impossible",
    ),
    pytest.param(
        edit("releases.csv", "2026-02-16", "2026-02-16T09:00:00Z"),
        ("releases.csv", 3, "released_on"),
        r"^expected a date as YYYY-MM-DD, found '2026-02-16T09:00:00Z'$",
        True,
        id="date-with-a-time",
    ),
    pytest.param(
        edit("releases.csv", "January release", ""),
        ("releases.csv", 2, "name"),
        r"^expected a value, found nothing \(empty\)$",
        True,
        id="required-value-empty",
    ),
    pytest.param(
        edit("events.csv", "2026-02-18 08:30:00", "18.02.2026 08:30"),
        ("events.csv", 4, "timestamp"),
        r"^expected an ISO 8601 timestamp such as 2026-03-04T10:15:00Z \(or with an offset like "
        r"\+01:00, or a bare date\), found '18\.02\.2026 08:30'$",
        True,
        id="timestamp-not-iso",
    ),
    pytest.param(
        edit("events.csv", "2026-02-18 08:30:00", "2026-02-18T25:30:00"),
        ("events.csv", 4, "timestamp"),
        r"^expected a valid ISO 8601 timestamp, found '2026-02-18T25:30:00'$",
        True,
        id="timestamp-impossible-hour",
    ),
    pytest.param(
        edit("surveys.csv", "2026-02-21", "21 Feb 2026"),
        ("surveys.csv", 3, "submitted_at"),
        r"found '21 Feb 2026'$",
        True,
        id="survey-timestamp",
    ),
    pytest.param(
        edit("tickets.csv", "2026-01-20T08:00:00Z", "yesterday"),
        ("tickets.csv", 2, "created_at"),
        r"found 'yesterday'$",
        True,
        id="ticket-timestamp",
    ),
    pytest.param(
        edit("features.csv", "experience", "Experience"),
        ("features.csv", 3, "value_type"),
        r"^expected one of functional, efficiency, experience, economic, risk_reduction, social, "
        r"found 'Experience' \(did you mean 'experience'\?\)$",
        True,
        id="value-type-in-capitals",
    ),
    pytest.param(
        edit("features.csv", "experience", "delight"),
        ("features.csv", 3, "value_type"),
        r"found 'delight'$",
        True,
        id="value-type-unknown",
    ),
    pytest.param(
        edit("features.csv", "efficiency,8", "efficiency,-8"),
        ("features.csv", 2, "effort_points"),
        r"^expected a number >= 0, found '-8'$",
        True,
        id="effort-points-negative",
    ),
    pytest.param(
        edit("task_times.csv", "P03,after", "P03,After"),
        ("task_times.csv", 4, "phase"),
        r"^expected one of before, after, found 'After' \(did you mean 'after'\?\)$",
        True,
        id="phase-in-capitals",
    ),
    pytest.param(
        edit("task_times.csv", "130,1,", "130,y,"),
        ("task_times.csv", 4, "completed"),
        r"^expected true/false, 1/0 or yes/no, found 'y'$",
        True,
        id="completed-unknown-word",
    ),
    pytest.param(
        edit("task_times.csv", "130,1,", "130,,"),
        ("task_times.csv", 4, "completed"),
        r"^expected a value, found nothing \(empty\)$",
        True,
        id="completed-empty",
    ),
    pytest.param(
        edit("task_times.csv", "P03,after,130,1", "P03,after,,1"),
        ("task_times.csv", 4, "seconds"),
        r"^expected the task time in seconds \(> 0\) for a completed attempt, found nothing",
        True,
        id="seconds-required-when-completed",
    ),
    pytest.param(
        edit("task_times.csv", "P03,after,130,1", "P03,after,0,1"),
        ("task_times.csv", 4, "seconds"),
        r"^expected a number > 0, found '0'$",
        True,
        id="seconds-zero",
    ),
    pytest.param(
        edit("task_times.csv", "P04,after,,false", "P04,after,-5,false"),
        ("task_times.csv", 5, "seconds"),
        r"^expected a number > 0, found '-5'$",
        True,
        id="seconds-negative-on-failed-attempt",
    ),
    pytest.param(
        edit("task_times.csv", "true,2,", "true,-1,"),
        ("task_times.csv", 2, "errors"),
        r"^expected a whole number >= 0, found '-1'$",
        True,
        id="errors-negative",
    ),
    pytest.param(
        edit("task_times.csv", "true,2,", "true,1.5,"),
        ("task_times.csv", 2, "errors"),
        r"^expected a whole number >= 0, found '1\.5'$",
        True,
        id="errors-fractional",
    ),
    pytest.param(
        edit("task_times.csv", "true,2,", "true,,"),
        ("task_times.csv", 2, "errors"),
        r"^expected a value, found nothing \(empty\)$",
        True,
        id="errors-empty-in-present-column",
    ),
    pytest.param(
        edit("surveys.csv", ",9,", ",11,"),
        ("surveys.csv", 2, "score"),
        r"^expected a whole number from 0 to 10, found '11'$",
        True,
        id="score-above-10",
    ),
    pytest.param(
        edit("surveys.csv", ",6,", ",-1,"),
        ("surveys.csv", 3, "score"),
        r"found '-1'$",
        True,
        id="score-negative",
    ),
    pytest.param(
        edit("surveys.csv", ",9,", ",7.5,"),
        ("surveys.csv", 2, "score"),
        r"found '7\.5'$",
        True,
        id="score-fractional",
    ),
    pytest.param(
        edit("accounts.csv", "2025-07-01,2026-02-10", "2025-07-01,2025-06-30"),
        ("accounts.csv", 3, "churned_on"),
        r"^expected a date on or after started_on \(2025-07-01\), found 2025-06-30$",
        True,
        id="churned-before-started",
    ),
    pytest.param(
        edit("accounts.csv", "A1,2025-06-01", "A1,"),
        ("accounts.csv", 2, "started_on"),
        r"^expected a value, found nothing \(empty\)$",
        True,
        id="started-on-empty",
    ),
    # ---------------------------------------------------------------- workspace.yaml
    pytest.param(
        edit("workspace.yaml", "0.9", "0.4"),
        ("workspace.yaml", 4, "confidence_level"),
        r"^expected a number from 0\.5 to 0\.999, found 0\.4$",
        True,
        id="confidence-level-below-0.5",
    ),
    pytest.param(
        edit("workspace.yaml", "0.9", "0.9995"),
        ("workspace.yaml", 4, "confidence_level"),
        r"found 0\.9995$",
        True,
        id="confidence-level-above-0.999",
    ),
    pytest.param(
        edit("workspace.yaml", "0.9", "95"),
        ("workspace.yaml", 4, "confidence_level"),
        r"found 95$",
        True,
        id="confidence-level-as-percent",
    ),
    pytest.param(
        edit("workspace.yaml", "0.9", "95%"),
        ("workspace.yaml", 4, "confidence_level"),
        r"found '95%'$",
        True,
        id="confidence-level-text",
    ),
    pytest.param(
        edit("workspace.yaml", "Europe/Berlin", "Berlin"),
        ("workspace.yaml", 5, "timezone"),
        r"^expected an IANA time zone such as Europe/Berlin, found 'Berlin'$",
        True,
        id="timezone-not-iana",
    ),
    pytest.param(
        edit("workspace.yaml", "Europe/Berlin", "'+01:00'"),
        ("workspace.yaml", 5, "timezone"),
        r"found '\+01:00'$",
        True,
        id="timezone-offset",
    ),
    pytest.param(
        edit("workspace.yaml", "42.5", "-1"),
        ("workspace.yaml", 3, "hourly_cost"),
        r"^expected a number >= 0, found -1$",
        True,
        id="hourly-cost-negative",
    ),
    pytest.param(
        edit("workspace.yaml", "42.5", "42,5"),
        ("workspace.yaml", 3, "hourly_cost"),
        r"found '42,5'$",
        True,
        id="hourly-cost-decimal-comma",
    ),
    pytest.param(
        edit("workspace.yaml", "EUR", "euro"),
        ("workspace.yaml", 2, "currency"),
        r"^expected a 3-letter ISO currency code such as EUR, found 'euro'$",
        True,
        id="currency-not-iso",
    ),
    pytest.param(
        {"workspace.yaml": WORKSPACE_YAML + "confidence: 0.8\n"},
        ("workspace.yaml", 6, "confidence"),
        r"^expected one of the keys product, currency, hourly_cost, confidence_level, timezone, "
        r"data_through, multiplicity, sources, found 'confidence' "
        r"\(did you mean 'confidence_level'\?\)$",
        True,
        id="unknown-setting",
    ),
    pytest.param(
        {"workspace.yaml": WORKSPACE_YAML + "data_through: 2026-02-30\n"},
        ("workspace.yaml", 6, "data_through"),
        r"^expected a valid calendar date \(YYYY-MM-DD\), found '2026-02-30'$",
        True,
        id="data-through-impossible-date",
    ),
    pytest.param(
        {"workspace.yaml": WORKSPACE_YAML + "product: Other\n"},
        ("workspace.yaml", 6, None),
        r"the key 'product' appears twice in one mapping \(first on line 1\)$",
        True,
        id="setting-given-twice",
    ),
    pytest.param(
        {"workspace.yaml": "- product: Ledgerly\n"},
        ("workspace.yaml", 1, None),
        r"^expected a mapping of settings, found a list$",
        True,
        id="settings-not-a-mapping",
    ),
    pytest.param(
        {"workspace.yaml": "product: Ledgerly\nhourly_cost: [42\n"},
        ("workspace.yaml", 3, None),
        r"^expected valid YAML, found a syntax error: .*\(started on line 2\)$",
        True,
        id="settings-yaml-syntax-error",
    ),
]


@pytest.mark.parametrize(("changes", "position", "message", "alone"), BROKEN)
def test_broken_workspace_names_file_line_and_column(workspace, changes, position, message, alone):
    problems = problems_of(workspace(changes))
    problem = problem_at(problems, *position)
    assert re.search(message, problem.message), problem.message
    if alone:
        assert where(problems) == {position}, "\n".join(str(p) for p in problems)


def test_there_are_at_least_thirty_distinct_broken_workspaces():
    # the contract promises the exact position for at least 15 distinct mistakes
    assert len(BROKEN) >= 30
    assert len({p.id for p in BROKEN}) == len(BROKEN)


# ------------------------------------------------------------------ valid input
def test_base_workspace_is_valid(workspace):
    ws = cvlib.load_workspace(workspace())
    assert ws.summary_line() == (
        "2 releases, 3 features, 6 hypotheses; rows: releases 2, features 3, task_times 4, "
        "events 3, surveys 2, accounts 2, tickets 2"
    )
    assert ws.warnings == []
    assert ws.settings.product == "Ledgerly"
    assert ws.settings.currency == "EUR"
    assert ws.settings.hourly_cost == 42.5
    assert ws.settings.confidence_level == 0.9
    assert ws.settings.timezone == "Europe/Berlin"
    h = ws.hypotheses[0]
    assert (h.id, h.metric, h.task, h.target, h.design, h.tasks_per_month) == (
        "H-reports-time",
        "task_time",
        "generate-report",
        120.0,
        "independent",
        5000.0,
    )
    assert h.created_on == dt.date(2026, 1, 2)
    assert h.line == 2
    assert [x.window_days for x in ws.hypotheses[3:]] == [30, 30, 90]
    assert [x.id for x in ws.hypotheses_for("2026.02")] == [
        "H-dark-adoption",
        "H-dark-nps",
        "H-audit-churn",
    ]
    assert sorted(ws.sources) == ["accounts", "events", "surveys"]


def test_defaults_without_workspace_yaml(workspace):
    ws = cvlib.load_workspace(workspace({"workspace.yaml": None}))
    s = ws.settings
    assert (s.product, s.currency, s.hourly_cost, s.confidence_level, s.timezone) == (
        None,
        "USD",
        None,
        0.95,
        "UTC",
    )
    assert ws.releases.loc[0, "released_at"] == pd.Timestamp("2026-01-15T00:00:00Z")


def test_empty_workspace_yaml_means_defaults(workspace):
    # an optional settings file that is empty sets nothing: every default applies
    ws = cvlib.load_workspace(workspace({"workspace.yaml": "# settings come later\n"}))
    assert ws.settings.confidence_level == 0.95


@pytest.mark.parametrize(
    ("key", "value"),
    [("confidence_level", 0.5), ("confidence_level", 0.999), ("hourly_cost", 0)],
)
def test_settings_at_the_bounds_are_accepted(workspace, key, value):
    text = re.sub(rf"{key}: .*\n", f"{key}: {value}\n", WORKSPACE_YAML)
    ws = cvlib.load_workspace(workspace({"workspace.yaml": text}))
    assert getattr(ws.settings, key) == value


def test_releases_take_effect_at_midnight_in_the_workspace_timezone(workspace):
    ws = cvlib.load_workspace(workspace())
    released_at = ws.releases.set_index("release_id")["released_at"]
    assert released_at["2026.01"] == pd.Timestamp("2026-01-15T00:00:00", tz=BERLIN)
    assert released_at["2026.01"] == pd.Timestamp("2026-01-14T23:00:00Z")
    assert ws.releases.loc[0, "released_on"] == dt.date(2026, 1, 15)


def test_naive_timestamps_and_bare_dates_are_read_in_the_workspace_timezone(workspace):
    tickets = (
        "ticket_id,created_at,feature_id,category,text\n"
        "T1,2026-01-20T08:00:00,,bug,naive\n"
        "T2,2026-01-20,,bug,bare date\n"
        "T3,2026-01-20T08:00:00Z,,bug,utc\n"
        "T4,2026-01-20T08:00:00-05:00,,bug,offset\n"
        "T5,2026-01-20 08:00,,bug,space and no seconds\n"
        "T6,2026-07-20T08:00:00,,bug,naive in summer time\n"
    )
    ws = cvlib.load_workspace(workspace({"tickets.csv": tickets}))
    got = [ts.tz_convert("UTC") for ts in ws.tickets["created_at"]]
    assert got == [
        pd.Timestamp("2026-01-20T07:00:00Z"),
        pd.Timestamp("2026-01-19T23:00:00Z"),
        pd.Timestamp("2026-01-20T08:00:00Z"),
        pd.Timestamp("2026-01-20T13:00:00Z"),
        pd.Timestamp("2026-01-20T07:00:00Z"),
        pd.Timestamp("2026-07-20T06:00:00Z"),
    ]
    assert str(ws.tickets["created_at"].dt.tz) == "Europe/Berlin"


def test_utf8_byte_order_mark_is_accepted(workspace):
    bom = b"\xef\xbb\xbf"
    ws = cvlib.load_workspace(
        workspace(
            {
                "releases.csv": bom + RELEASES.encode(),
                "events.csv": bom + EVENTS.encode(),
                "hypotheses.yaml": bom + HYPOTHESES.encode(),
                "workspace.yaml": bom + WORKSPACE_YAML.encode(),
            }
        )
    )
    assert list(ws.releases["release_id"]) == ["2026.01", "2026.02"]
    assert ws.row_counts["events"] == 3


def test_windows_line_endings_are_accepted(workspace):
    changes = {name: text.replace("\n", "\r\n") for name, text in BASE.items()}
    ws = cvlib.load_workspace(workspace(changes))
    assert ws.summary_line() == cvlib.load_workspace(workspace()).summary_line()


def test_quoted_fields_hold_commas_quotes_and_newlines(workspace):
    tickets = TICKETS + (
        'T3,2026-02-02T10:00:00Z,F-dark-mode,bug,"Dark mode, once on,\r\nforgets ""itself""\n'
        'after a restart"\n'
        "T4,2026-02-03T10:00:00Z,F-dark-mode,question,Plain\n"
    )
    ws = cvlib.load_workspace(workspace({"tickets.csv": tickets}))
    text = ws.tickets.set_index("ticket_id")["text"]
    assert text["T1"] == "Export to PDF cuts the last column"
    assert text["T3"] == 'Dark mode, once on,\r\nforgets "itself"\nafter a restart'
    assert text["T4"] == "Plain"


def test_extra_and_reordered_columns_are_ignored(workspace):
    releases = (
        "owner,released_on,notes,name,release_id\n"
        'Ann,2026-01-15,"freeze, then ship",January release,2026.01\n'
        "Bob,2026-02-16,,February release,2026.02\n"
    )
    ws = cvlib.load_workspace(workspace({"releases.csv": releases}))
    assert list(ws.releases.columns) == ["release_id", "name", "released_on", "released_at"]
    assert list(ws.releases["name"]) == ["January release", "February release"]


def test_optional_columns_may_be_left_out(workspace):
    hypotheses = HYPOTHESES.split("  - id: H-reports-errors")[0]  # no error_rate
    ws = cvlib.load_workspace(
        workspace(
            {
                "features.csv": _without_column(FEATURES, "effort_points"),
                "task_times.csv": _without_column(_without_column(TASK_TIMES, "errors"), "segment"),
                "hypotheses.yaml": hypotheses,
                "tickets.csv": None,
                "events.csv": None,
                "surveys.csv": None,
                "accounts.csv": None,
            }
        )
    )
    # a frame has the columns its file has: a column left out is not invented
    assert "effort_points" not in ws.features
    assert "errors" not in ws.task_times
    assert ws.tickets is None
    assert ws.sources == {}


def test_optional_values_may_be_empty(workspace):
    ws = cvlib.load_workspace(workspace())
    # F-audit-log has no effort_points, P04 no seconds (it did not complete), A1 has not churned
    assert ws.features["effort_points"].isna().tolist() == [False, False, True]
    assert ws.task_times["seconds"].isna().tolist() == [False, False, False, True]


def test_task_times_are_typed(workspace):
    frame = cvlib.load_workspace(workspace()).task_times
    assert frame["seconds"].tolist()[:3] == [1500.0, 1720.5, 130.0]
    assert frame["completed"].dtype == bool
    assert str(frame["errors"].dtype) == "Int64"
    assert frame["errors"].tolist() == [2, 0, 0, 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("Yes", True),
        ("YES", True),
        (" yes ", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
        ("No", False),
        ("NO", False),
    ],
)
def test_completed_accepts_true_false_1_0_yes_no_in_any_case(workspace, text, expected):
    task_times = TASK_TIMES + f"2026.01,generate-report,P05,after,90,{text},0,SMB\n"
    frame = cvlib.load_workspace(workspace({"task_times.csv": task_times})).task_times
    assert frame["completed"].tolist()[-1] is expected


def test_values_at_the_bounds_are_accepted(workspace):
    changes = {
        "hypotheses.yaml": HYPOTHESES.replace("F-dark-mode", "F" + "x" * 63)
        .replace("target: 30", "target: -100")
        .replace("window_days: 90", "window_days: 365")
        .replace("design: independent", "design: paired")
        .replace("target: 0.9", "target: 1")
        .replace("target: 0.2", "target: 0"),
        "surveys.csv": SURVEYS.replace("F-dark-mode", "F" + "x" * 63)
        .replace(",9,", ",10,")
        .replace(",6,", ",0,"),
        "accounts.csv": ACCOUNTS.replace("2025-07-01,2026-02-10", "2025-07-01,2025-07-01"),
        "task_times.csv": TASK_TIMES.replace("true,2,", "true,0,").replace("1720.5", "0.001"),
        # a 64-character id, effort_points 0
        "features.csv": FEATURES.replace("F-dark-mode", "F" + "x" * 63).replace(",8\n", ",0\n"),
    }
    ws = cvlib.load_workspace(workspace(changes))
    by_id = {h.id: h for h in ws.hypotheses}
    assert by_id["H-dark-nps"].target == -100
    assert by_id["H-audit-churn"].window_days == 365
    assert by_id["H-reports-time"].design == "paired"


def test_ids_are_kept_as_written_in_yaml(workspace):
    # YAML would read 1.10 as the number 1.1 and 2026-03-01 as a date: ids stay text
    features = FEATURES + "1.10,2026.02,Numbered feature,social,\n"
    hypotheses = HYPOTHESES + (
        "  - id: 2026-03-01\n"
        "    feature_id: 1.10\n"
        "    statement: Sharing is used.\n"
        "    metric: adoption\n"
        "    target: 0.1\n"
    )
    ws = cvlib.load_workspace(workspace({"features.csv": features, "hypotheses.yaml": hypotheses}))
    assert (ws.hypotheses[-1].id, ws.hypotheses[-1].feature_id) == ("2026-03-01", "1.10")


def test_yaml_merge_keys_may_be_overridden(workspace):
    # a key written twice is an error, but overriding one brought in by <<: is what YAML intends
    # anchors live under a top-level key starting with x- (any other key is a mistake)
    hypotheses = "x-defaults: &survey\n  metric: nps\n  window_days: 60\n" + HYPOTHESES.replace(
        "  - id: H-dark-nps\n", "  - <<: *survey\n    id: H-dark-nps\n    window_days: 14\n"
    ).replace("    metric: nps\n", "")
    ws = cvlib.load_workspace(workspace({"hypotheses.yaml": hypotheses}))
    nps = next(h for h in ws.hypotheses if h.id == "H-dark-nps")
    assert (nps.metric, nps.window_days) == ("nps", 14)


def test_every_problem_is_reported_at_once(workspace):
    problems = problems_of(
        workspace(
            {
                **edit("workspace.yaml", "0.9", "2"),
                **edit("releases.csv", "2026-02-16", "2026-13-01"),
                **edit("hypotheses.yaml", "metric: nps", "metric: NPS"),
                **edit("task_times.csv", "TRUE", "maybe"),
                **edit("surveys.csv", ",6,", ",12,"),
                **edit("tickets.csv", "T2,", "T1,"),
            }
        )
    )
    assert [(p.file, p.line, p.column) for p in problems] == [
        ("workspace.yaml", 4, "confidence_level"),
        ("releases.csv", 3, "released_on"),
        ("hypotheses.yaml", 32, "metric"),
        ("task_times.csv", 3, "completed"),
        ("surveys.csv", 3, "score"),
        ("tickets.csv", 3, "ticket_id"),
    ]


def test_problems_in_one_column_are_listed_up_to_twenty_then_counted(workspace):
    rows = "".join(f"E{i},,F-dark-mode,bug,text\n" for i in range(25))
    problems = problems_of(workspace({"tickets.csv": TICKETS + rows}))
    assert [p.line for p in problems] == [*range(4, 24), None]
    assert problems[-1].column == "created_at"
    assert problems[-1].message.startswith("... and 5 more rows with problems in this column")


def test_problem_reads_file_line_column_message():
    problem = Problem("task_times.csv", 3, "seconds", "expected a number > 0, found '0'")
    assert str(problem) == "task_times.csv:3: seconds: expected a number > 0, found '0'"
    assert (
        str(Problem("releases.csv", None, None, "file not found")) == "releases.csv: file not found"
    )


def test_data_error_is_a_value_error_listing_every_problem(workspace):
    with pytest.raises(
        ValueError,
        match=r"(?m)^releases\.csv:3: released_on: .*\n"
        r"task_times\.csv:3: completed: ",
    ):
        cvlib.load_workspace(
            workspace(
                {
                    **edit("releases.csv", "2026-02-16", "2026-13-01"),
                    **edit("task_times.csv", "TRUE", "maybe"),
                }
            )
        )


def test_a_path_that_is_not_a_folder_is_a_data_error(tmp_path):
    (tmp_path / "file.csv").write_text("x\n")
    for path, found in [(tmp_path / "missing", "nothing"), (tmp_path / "file.csv", "a file")]:
        with pytest.raises(cvlib.DataError) as info:
            cvlib.load_workspace(path)
        [problem] = info.value.problems
        assert (problem.file, problem.line, problem.column) == (str(path), None, None)
        assert problem.message == f"expected a workspace folder, found {found}"


# ------------------------------------------------------------------ warnings
def test_hypothesis_without_task_rows_yet_is_a_warning(workspace):
    ws = cvlib.load_workspace(
        workspace(
            {
                "features.csv": FEATURES + "F-export,2026.02,Export,efficiency,2\n",
                "hypotheses.yaml": HYPOTHESES
                + (
                    "  - id: H-export\n"
                    "    feature_id: F-export\n"
                    "    statement: Exports take under a minute.\n"
                    "    metric: task_time\n"
                    "    task: export\n"
                    "    target: 60\n"
                ),
            }
        )
    )
    assert [(w.file, w.line, w.column) for w in ws.warnings] == [("hypotheses.yaml", 40, None)]
    assert ws.warnings[0].message == (
        "hypothesis H-export: no task_times rows yet for task 'export' in release 2026.02"
    )
    assert "H-export" in [h.id for h in ws.hypotheses]


@pytest.mark.parametrize(
    ("instant", "warned"),
    [
        ("2026-02-15T22:59:59Z", True),  # 23:59:59 on 15 February in Berlin: before the release
        ("2026-02-15T23:00:00Z", False),  # 00:00 on 16 February in Berlin: the release
    ],
)
def test_no_events_after_the_release_yet_is_a_warning(workspace, instant, warned):
    events = f"timestamp,user_id,event\n{instant},U1,F-dark-mode\n"
    ws = cvlib.load_workspace(workspace({"events.csv": events}))
    messages = [w.message for w in ws.warnings]
    expected = ["hypothesis H-dark-adoption: no events on or after the release date of 2026.02 yet"]
    assert messages == (expected if warned else [])


def test_no_survey_responses_after_the_release_yet_is_a_warning(workspace):
    surveys = "response_id,user_id,submitted_at,score\nR1,U1,2026-02-01,9\n"
    ws = cvlib.load_workspace(workspace({"surveys.csv": surveys}))
    assert [(w.line, w.message) for w in ws.warnings] == [
        (29, "hypothesis H-dark-nps: no surveys on or after the release date of 2026.02 yet")
    ]


# ------------------------------------------------------------------ data_through
def test_data_through_defaults_to_the_latest_date_in_the_workspace_timezone(workspace):
    # 23:30 UTC on 28 February is 00:30 on 1 March in Berlin
    events = EVENTS + "2026-02-28T23:30:00Z,U3,login,SMB\n"
    ws = cvlib.load_workspace(workspace({"events.csv": events}))
    assert ws.settings.data_through == dt.date(2026, 3, 1)
    assert ws.settings.data_through_source == "latest date in the data"

    in_utc = WORKSPACE_YAML.replace("Europe/Berlin", "UTC")
    ws = cvlib.load_workspace(workspace({"events.csv": events, "workspace.yaml": in_utc}))
    assert ws.settings.data_through == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, dt.date(2026, 2, 21)),  # the last survey response
        ({"surveys.csv": SURVEYS.replace("2026-02-2", "2026-01-2")}, dt.date(2026, 2, 18)),
        ({"accounts.csv": ACCOUNTS.replace("2026-02-10", "2026-03-05")}, dt.date(2026, 3, 5)),
    ],
    ids=["surveys", "events", "accounts"],
)
def test_data_through_looks_at_events_surveys_and_accounts(workspace, changes, expected):
    # tickets and task times do not count: a ticket from later changes nothing
    changes = {**changes, "tickets.csv": TICKETS + "T9,2026-12-31T10:00:00Z,,bug,later\n"}
    assert cvlib.load_workspace(workspace(changes)).settings.data_through == expected


def test_data_through_from_workspace_yaml_wins(workspace):
    ws = cvlib.load_workspace(
        workspace({"workspace.yaml": WORKSPACE_YAML + "data_through: 2026-02-19\n"})
    )
    assert ws.settings.data_through == dt.date(2026, 2, 19)
    assert ws.settings.data_through_source == "workspace.yaml"


def test_lower_case_z_is_utc_in_every_table(workspace):
    events = EVENTS + "2026-02-28T23:30:00z,U3,login,SMB\n"
    ws = cvlib.load_workspace(workspace({"events.csv": events}))
    assert ws.settings.data_through == dt.date(2026, 3, 1)


# ------------------------------------------------------------------ Parquet
def _parquet(table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _events_table(**columns):
    base = {
        "timestamp": pa.array(
            [
                dt.datetime(2026, 2, 16, 9, tzinfo=UTC),
                dt.datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
                dt.datetime(2026, 2, 20, 12, tzinfo=UTC),
            ],
            pa.timestamp("us", tz="UTC"),
        ),
        "user_id": ["U1", "U2", "U3"],
        "event": ["F-dark-mode", "login", "login"],
    }
    base.update(columns)
    return pa.table({k: v for k, v in base.items() if v is not None})


def test_parquet_events_are_accepted(workspace):
    ws = cvlib.load_workspace(
        workspace({"events.csv": None, "events.parquet": _parquet(_events_table())})
    )
    assert ws.sources["events"].kind == "parquet"
    assert ws.row_counts["events"] == 3
    assert ws.settings.data_through == dt.date(2026, 3, 1)  # 23:30 UTC is 1 March in Berlin


def test_parquet_naive_timestamps_are_read_in_the_workspace_timezone(workspace):
    naive = pa.array([dt.datetime(2026, 2, 28, 23, 30)], pa.timestamp("us"))
    table = pa.table({"timestamp": naive, "user_id": ["U1"], "event": ["F-dark-mode"]})
    ws = cvlib.load_workspace(workspace({"events.csv": None, "events.parquet": _parquet(table)}))
    assert ws.settings.data_through == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("table", "column", "message"),
    [
        (
            _events_table(user_id=["U1", None, ""]),
            "user_id",
            r"^expected a value, found nothing \(null or empty\) \(2 of 3 rows\)$",
        ),
        (
            _events_table(timestamp=["2026-02-16T09:00:00Z", "yesterday", "2026-02-20"]),
            "timestamp",
            r"^expected ISO 8601 timestamps from 1900 to 2199, found values that are not "
            r"\(1 of 3 rows\)$",
        ),
        (
            _events_table(timestamp=[1, 2, 3]),
            "timestamp",
            r"^expected a timestamp column, found type int64$",
        ),
        (
            _events_table(user_id=None),
            "user_id",
            r"^expected a column named 'user_id', found columns timestamp, event$",
        ),
    ],
    ids=["empty-values", "bad-timestamp-text", "wrong-type", "missing-column"],
)
def test_parquet_problems_name_file_column_and_rows_affected(workspace, table, column, message):
    problems = problems_of(workspace({"events.csv": None, "events.parquet": _parquet(table)}))
    assert where(problems) == {("events.parquet", None, column)}
    assert re.search(message, problems[0].message), problems[0].message


def test_parquet_surveys_and_accounts_follow_the_same_table_rules(workspace):
    surveys = pa.table(
        {
            "response_id": ["R1", "R1", "R2"],
            "user_id": ["U1", "U2", "U3"],
            "submitted_at": ["2026-02-20T10:00:00Z", "2026-02-21", "2026-02-22T10:00:00+01:00"],
            "score": pa.array([9, 11, 5], pa.int8()),
            "feature_id": ["F-dark-mode", "F-nope", None],
        }
    )
    accounts = pa.table(
        {
            "account_id": ["A1", "A2"],
            "started_on": pa.array([dt.date(2025, 1, 1), dt.date(2025, 6, 1)]),
            "churned_on": pa.array([None, dt.date(2025, 5, 1)], pa.date32()),
        }
    )
    problems = problems_of(
        workspace(
            {
                "surveys.csv": None,
                "surveys.parquet": _parquet(surveys),
                "accounts.csv": None,
                "accounts.parquet": _parquet(accounts),
            }
        )
    )
    got = {(p.file, p.column): p.message for p in problems}
    assert got == {
        ("surveys.parquet", "score"): "expected whole numbers from 0 to 10, found values outside "
        "(1 of 3 rows)",
        ("surveys.parquet", "response_id"): "expected unique values, found values that repeat an "
        "earlier row (1 of 3 rows)",
        ("surveys.parquet", "feature_id"): "expected a feature_id listed in features.csv or "
        "nothing, found others (1 of 3 rows)",
        ("accounts.parquet", "churned_on"): "expected churned_on on or after started_on, found "
        "earlier dates (1 of 2 rows)",
    }
    assert all(p.line is None for p in problems)


def test_parquet_dates_held_as_text_follow_the_csv_rules(workspace):
    # an empty optional date is no date, as an empty CSV field (not churned); a value that is
    # not YYYY-MM-DD (or no calendar day) is counted
    accounts = pa.table(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "started_on": ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"],
            "churned_on": ["", None, "2025-13-01", " 2025-05-01 "],
        }
    )
    files = {"accounts.csv": None, "accounts.parquet": _parquet(accounts)}
    problems = problems_of(workspace(files))
    assert [(p.file, p.column, p.message) for p in problems] == [
        (
            "accounts.parquet",
            "churned_on",
            "expected dates as YYYY-MM-DD from 1900 to 2199, found values that are not "
            "(1 of 4 rows)",
        ),
    ]
    accounts = accounts.set_column(2, "churned_on", pa.array(["", None, "", " 2025-05-01 "]))
    files["accounts.parquet"] = _parquet(accounts)
    assert cvlib.load_workspace(workspace(files)).row_counts["accounts"] == 4


def test_unreadable_parquet_file_is_reported(workspace):
    problems = problems_of(workspace({"events.csv": None, "events.parquet": b"not parquet"}))
    [problem] = problems
    assert (problem.file, problem.line, problem.column) == ("events.parquet", None, None)
    assert problem.message.startswith("expected a readable Parquet file, found: ")


def test_parquet_id_format_is_checked_for_csv_only(workspace):
    # docs/data-contract.md: a regex over every row of an event table is a full scan, so
    # Parquet and connection sources get no id format check (CSV files do)
    table = _events_table(user_id=["U1", "U 2", "U3"])
    root = workspace({"events.csv": None, "events.parquet": _parquet(table)})
    assert cvlib.load_workspace(root).row_counts["events"] == 3
    (root / "events.parquet").unlink()
    csv = EVENTS + "2026-02-20T10:00:00Z,U 2,login,SMB\n"
    problems = problems_of(workspace({"events.csv": csv}))
    assert where(problems) == {("events.csv", 5, "user_id")}


# ------------------------------------------------------------------ Parquet footers
# check_table and profile answer from the Parquet footers (row count, null counts, min/max per
# row group) and count with a query only where a statistic is missing or shows a broken rule.
# Each case is checked three ways: footers, footers absent (write_statistics=False), and the
# query path alone; all must give the same problems and counts.
def _spec(name, *columns):
    """The contract's spec of table ``name`` with only ``columns`` (all when none are named)."""
    full = TABLES[name]
    if not columns:
        return full
    return dataclasses.replace(full, columns=tuple(c for c in full.columns if c.name in columns))


_EVENT_RULES = _spec("events")
_SURVEY_RULES = _spec(
    "surveys", "response_id", "user_id", "submitted_at", "score", "comment", "segment"
)
_ACCOUNT_RULES = _spec("accounts", "account_id", "started_on", "churned_on", "mrr")


def _instants(*hours):
    return pa.array(
        [None if h is None else dt.datetime(2026, 2, 16, h, tzinfo=UTC) for h in hours],
        pa.timestamp("us", tz="UTC"),
    )


def _footer_cases():
    events = pa.table(
        {
            "timestamp": _instants(9, None, 11, 12, None, 14),
            "user_id": ["U1", "U2", None, "", "U5", "U6"],
            "event": ["login", " \t", "login", "login", "x", "login"],  # white space only: empty
            "segment": ["smb", None, "", "ent", "smb", "smb"],
        }
    )
    surveys = pa.table(
        {
            "response_id": ["R1", "R2", "R3", "R3", "R5", "R6"],
            "user_id": ["U1", "U2", "U3", "U4", "U5", "U6"],
            "submitted_at": _instants(9, 10, 11, 12, 13, 14),
            "score": pa.array([9, 11, None, -1, 10, 0], pa.int16()),
            "comment": ["", None, "ok", "", "fine", None],
            "segment": ["smb"] * 6,
        }
    )
    accounts = pa.table(
        {
            "account_id": ["A1", "A2", "A3", "A4"],
            "started_on": pa.array(
                [dt.date(2025, 1, 1), None, dt.date(2025, 3, 1), dt.date(2025, 4, 1)]
            ),
            "churned_on": pa.array(
                [None, None, dt.date(2025, 2, 1), dt.date(2025, 5, 1)], pa.date32()
            ),
            "mrr": pa.array([10.5, -2.0, None, -0.5]),
        }
    )
    clean = pa.table(
        {
            "timestamp": _instants(9, 10, 11, 12),
            "user_id": ["U1", "U2", "U3", "U4"],
            "event": ["login"] * 4,
            "segment": [None, None, "smb", "ent"],  # optional: nulls allowed; an all-null row group
        }
    )
    return {
        "events": (
            events,
            _EVENT_RULES,
            [
                "timestamp: expected a value, found nothing (null or empty) (2 of 6 rows)",
                "user_id: expected a value, found nothing (null or empty) (2 of 6 rows)",
                "event: expected a value, found nothing (null or empty) (1 of 6 rows)",
            ],
        ),
        "surveys": (
            surveys,
            _SURVEY_RULES,
            [
                "score: expected a value, found nothing (null or empty) (1 of 6 rows)",
                "score: expected whole numbers from 0 to 10, found values outside (2 of 6 rows)",
                "response_id: expected unique values, found values that repeat an earlier row "
                "(1 of 6 rows)",
            ],
        ),
        "accounts": (
            accounts,
            _ACCOUNT_RULES,
            [
                "started_on: expected a value, found nothing (null or empty) (1 of 4 rows)",
                "mrr: expected numbers >= 0, found negative values (2 of 4 rows)",
                "churned_on: expected churned_on on or after started_on, found earlier dates "
                "(1 of 4 rows)",
            ],
        ),
        "clean": (clean, _EVENT_RULES, []),
    }


def _check_three_ways(tmp_path, monkeypatch, name, case):
    table, spec, _ = case
    found = {}
    for way in ("footers", "no statistics", "query"):
        path = tmp_path / f"{name}-{way}.parquet"
        pq.write_table(table, path, row_group_size=2, write_statistics=way != "no statistics")
        source = Source(spec, "parquet", path, "x.parquet")
        with monkeypatch.context() as m:
            if way == "query":
                m.setattr(parquet_meta, "applies", lambda *args: False)
            problems, rows, _ = check_table(source)
        found[way] = (sorted(f"{p.column}: {p.message}" for p in problems), rows)
    return found


@pytest.mark.parametrize("name", ["events", "surveys", "accounts", "clean"])
def test_parquet_footer_checks_match_the_query_path(tmp_path, monkeypatch, name):
    case = _footer_cases()[name]
    found = _check_three_ways(tmp_path, monkeypatch, name, case)
    expected = (sorted(case[2]), case[0].num_rows)
    assert found == {"footers": expected, "no statistics": expected, "query": expected}


def test_clean_parquet_with_statistics_is_checked_without_a_scan(tmp_path, monkeypatch):
    table = _footer_cases()["clean"][0]
    path = tmp_path / "events.parquet"
    pq.write_table(table, path, row_group_size=2)
    source = Source(_EVENT_RULES, "parquet", path, "events.parquet")

    queries = []
    rows = Scan.rows

    def counted(self, expr):
        queries.append(expr)
        return rows(self, expr)

    monkeypatch.setattr(Scan, "rows", counted)
    assert check_table(source) == ([], 4, None)
    prof = profile(source, "Europe/Berlin")
    assert prof.rows == 4
    assert prof.latest["timestamp"] == dt.datetime(
        2026, 2, 16, 13, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert queries == []
    # without statistics the same file needs the queries (and gets the same answers)
    pq.write_table(table, path, write_statistics=False)
    assert check_table(source) == ([], 4, None)
    assert profile(source, "Europe/Berlin") == prof
    assert len(queries) == 2


@pytest.mark.parametrize(
    "column",
    [
        pa.array(
            [dt.datetime(2026, 3, 29, 1, 30, 15), None, dt.datetime(2026, 3, 28, 23)],
            pa.timestamp("us"),
        ),  # naive: wall-clock time in the workspace zone
        pa.array(
            [
                dt.datetime(2026, 3, 29, 1, 30, 15, tzinfo=UTC),
                None,
                dt.datetime(2026, 3, 28, 23, tzinfo=UTC),
            ],
            pa.timestamp("ms", tz="UTC"),
        ),
        pa.array([dt.date(2026, 3, 29), None, dt.date(2026, 3, 28)]),
        pa.array([None, None, None], pa.timestamp("us", tz="UTC")),
    ],
    ids=["naive", "aware", "date", "all-null"],
)
def test_parquet_profile_from_footers_matches_the_query(tmp_path, monkeypatch, column):
    table = pa.table({"t": column, "x": [1, 2, 3]})
    spec = TableSpec("events", (ColumnSpec("t", values.TIMESTAMP),))
    found = []
    for way in ("footers", "no statistics", "query"):
        path = tmp_path / f"{way}.parquet"
        pq.write_table(table, path, row_group_size=2, write_statistics=way != "no statistics")
        source = Source(spec, "parquet", path, "events.parquet")
        with monkeypatch.context() as m:
            if way == "query":
                m.setattr(parquet_meta, "applies", lambda *args: False)
            found.append(profile(source, "Europe/Berlin"))
    assert found[0] == found[1] == found[2]
    assert found[0].rows == 3
