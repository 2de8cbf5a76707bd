"""Small workspaces for the tests, built in a temporary folder.

``BASE`` is a minimal valid workspace using every table and every metric. A
test copies it with :func:`write_workspace`, changing or removing one file, so
each broken workspace differs from a valid one by exactly the mistake under
test. Line numbers in the tests count the header as line 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cvlib

WORKSPACE_YAML = """\
product: Ledgerly
currency: EUR
hourly_cost: 42.5
confidence_level: 0.9
timezone: Europe/Berlin
"""

RELEASES = """\
release_id,name,released_on
2026.01,January release,2026-01-15
2026.02,February release,2026-02-16
"""

FEATURES = """\
feature_id,release_id,name,value_type,effort_points
F-report-builder,2026.01,Report builder,efficiency,8
F-dark-mode,2026.02,Dark mode,experience,3
F-audit-log,2026.02,Audit log,risk_reduction,
"""

HYPOTHESES = """\
hypotheses:
  - id: H-reports-time
    feature_id: F-report-builder
    statement: Customers generate the reports they need in 2 minutes instead of 30.
    metric: task_time
    task: generate-report
    target: 120
    design: independent
    tasks_per_month: 5000
    created_on: 2026-01-02
  - id: H-reports-done
    feature_id: F-report-builder
    statement: Nine in ten customers finish a report.
    metric: completion_rate
    task: generate-report
    target: 0.9
  - id: H-reports-errors
    feature_id: F-report-builder
    statement: Fewer than one in five attempts has an error.
    metric: error_rate
    task: generate-report
    target: 0.2
  - id: H-dark-adoption
    feature_id: F-dark-mode
    statement: A third of active users switch on dark mode in the first month.
    metric: adoption
    target: 0.33
    window_days: 30
  - id: H-dark-nps
    feature_id: F-dark-mode
    statement: NPS reaches 30.
    metric: nps
    target: 30
  - id: H-audit-churn
    feature_id: F-audit-log
    statement: Fewer than 5% of accounts leave in the quarter after the audit log.
    metric: churn
    target: 0.05
    window_days: 90
"""

TASK_TIMES = """\
release_id,task,participant_id,phase,seconds,completed,errors,segment
2026.01,generate-report,P01,before,1500,true,2,SMB
2026.01,generate-report,P02,before,1720.5,TRUE,0,Enterprise
2026.01,generate-report,P03,after,130,1,0,SMB
2026.01,generate-report,P04,after,,false,1,Mid-market
"""

EVENTS = """\
timestamp,user_id,event,segment
2026-02-16T09:00:00Z,U1,F-dark-mode,SMB
2026-02-17T10:00:00+01:00,U2,login,Enterprise
2026-02-18 08:30:00,U2,F-dark-mode,Enterprise
"""

SURVEYS = """\
response_id,user_id,submitted_at,score,comment,feature_id,segment
R1,U1,2026-02-20T12:00:00Z,9,"Love it, especially at night",F-dark-mode,SMB
R2,U2,2026-02-21,6,,,Enterprise
"""

ACCOUNTS = """\
account_id,started_on,churned_on,segment,mrr
A1,2025-06-01,,SMB,99
A2,2025-07-01,2026-02-10,Enterprise,1200.50
"""

TICKETS = """\
ticket_id,created_at,feature_id,category,text
T1,2026-01-20T08:00:00Z,F-report-builder,bug,"Export to PDF cuts the last column"
T2,2026-02-01T09:30:00+01:00,,question,How do I share a report?
"""

BASE: dict[str, str] = {
    "workspace.yaml": WORKSPACE_YAML,
    "releases.csv": RELEASES,
    "features.csv": FEATURES,
    "hypotheses.yaml": HYPOTHESES,
    "task_times.csv": TASK_TIMES,
    "events.csv": EVENTS,
    "surveys.csv": SURVEYS,
    "accounts.csv": ACCOUNTS,
    "tickets.csv": TICKETS,
}


def write_workspace(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """Write ``BASE`` with ``changes`` applied into ``root`` and return it.

    A change maps a file name to its new content (``str`` is written as UTF-8,
    ``bytes`` as they are) or to ``None`` to leave the file out.
    """
    files: dict[str, str | bytes | None] = {**BASE, **(changes or {})}
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def edit(name: str, old: str, new: str) -> dict[str, str]:
    """A change replacing exactly one occurrence of ``old`` by ``new`` in base file ``name``."""
    text = BASE[name]
    if text.count(old) != 1:
        raise ValueError(f"{old!r} must occur exactly once in {name}, found {text.count(old)}")
    return {name: text.replace(old, new)}


def problems_of(root: Path) -> list[cvlib.Problem]:
    """Load ``root``, which must be broken, and return its problems."""
    with pytest.raises(cvlib.DataError) as info:
        cvlib.load_workspace(root)
    return info.value.problems


def where(problems) -> set[tuple]:
    """The (file, line, column) of each problem."""
    return {(p.file, p.line, p.column) for p in problems}


def problem_at(problems, file: str, line: int | None, column: str | None) -> cvlib.Problem:
    """The one problem at ``file``, ``line``, ``column``; fails listing all of them if absent."""
    found = [p for p in problems if (p.file, p.line, p.column) == (file, line, column)]
    listing = "\n".join(str(p) for p in problems)
    if len(found) != 1:
        pytest.fail(f"expected one problem at {file}:{line}: {column}, got:\n{listing}")
    return found[0]
