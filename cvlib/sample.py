"""A year of made-up data for *Tallyhive*, a fictional B2B SaaS, as a workspace.

:func:`write_sample` writes a complete workspace that follows the data contract
(``docs/data-contract.md``): eight releases from December 2025 to November 2026,
25 features of all six value types, 22 value hypotheses using all six metrics,
usability-study task attempts, product events, survey responses, accounts and
support tickets for three customer segments. ``data/sample/`` in the
repository is exactly what ``write_sample("data/sample")`` writes.

The generating parameters are chosen so that the verdict rules give a known
mix of outcomes: some hypotheses clearly validated, some clearly not, some too
close to call, one with too little data, and the latest release too recent for
its 30-day windows to be complete. The design of each hypothesis (target, the
true value the data is drawn from, the intended verdict and why) is written to
the workspace's ``README.md`` from the same tables that drive the generator, so
description and data cannot drift apart.

Everything is drawn from ``numpy.random.default_rng(seed)``; nothing depends on
today's date, the hash seed or the machine, so a seed always gives the same
bytes (with the same numpy and pandas versions: if an upgrade changes numpy's
random stream, regenerate ``data/sample`` in the same commit).
"""

from __future__ import annotations

import datetime as dt
import numbers
import os
import pathlib
import shutil
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import yaml

__all__ = ["DEFAULT_SEED", "write_sample"]

#: Seed used by :func:`write_sample` (and ``cvlib sample``) unless told otherwise.
#: ``data/sample/`` is written with it. It is the date the sample was designed.
DEFAULT_SEED = 20261122

PRODUCT = "Tallyhive"
CURRENCY = "EUR"
HOURLY_COST = 55
CONFIDENCE_LEVEL = 0.95
TIMEZONE = "Europe/Berlin"
FIRST_DAY = dt.date(2025, 11, 1)  # first day of events, surveys and tickets
DATA_THROUGH = dt.date(2026, 11, 20)  # last complete day of data
ACCOUNTS_SINCE = dt.date(2021, 1, 4)  # first account start

SEGMENTS = ("smb", "mid_market", "enterprise")
_USER_SEGMENT_SHARES = (0.55, 0.30, 0.15)
_ACCOUNT_SEGMENT_SHARES = (0.60, 0.30, 0.10)
_PARTICIPANT_SEGMENT_SHARES = (0.50, 0.30, 0.20)

# --------------------------------------------------------------------------
# The design: releases, features, hypotheses, usability studies, timelines
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Release:
    release_id: str
    name: str
    released_on: dt.date


@dataclass(frozen=True, slots=True)
class _Feature:
    feature_id: str
    release_id: str
    name: str
    value_type: str
    effort_points: int
    adoption: tuple[float, float, float]  # share of users who take it up, per segment
    use_rate: float  # chance an adopter uses it again on a later active day
    tickets: float  # relative support-ticket volume


@dataclass(frozen=True, slots=True)
class _Hypothesis:
    id: str
    feature_id: str
    statement: str
    metric: str
    target: float
    truth: str  # what the data is drawn from, for the README
    intended: str  # the verdict the design aims at
    why: str  # one sentence for the README
    task: str | None = None
    design: str | None = None
    window_days: int | None = None
    tasks_per_month: int | None = None
    created_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class _Phase:
    attempts: int  # rows
    gm: float  # geometric mean seconds of completed attempts
    sdlog: float  # spread of ln(seconds)
    completed: int | None = None  # exact number of completed attempts, or
    p_completed: float = 0.92  # ... the chance that an attempt is completed
    with_errors: int | None = None  # exact number of attempts with errors >= 1, or
    p_errors: float = 0.15  # ... the chance of one
    repeats: int = 0  # participants with a second attempt in this phase


@dataclass(frozen=True, slots=True)
class _Study:
    release_id: str
    task: str
    before: _Phase
    after: _Phase
    paired: bool = False
    calibrate: bool = False  # shift times so the geometric means are exactly gm


_D = dt.date

RELEASES = (
    _Release("2025.12", "Month-end reporting", _D(2025, 12, 2)),
    _Release("2026.02", "Approvals", _D(2026, 2, 3)),
    _Release("2026.03", "Safer payments", _D(2026, 3, 17)),
    _Release("2026.05", "Insights", _D(2026, 5, 5)),
    _Release("2026.06", "Automation", _D(2026, 6, 23)),
    _Release("2026.08", "On the go", _D(2026, 8, 11)),
    _Release("2026.10", "Bank feeds", _D(2026, 10, 1)),
    _Release("2026.11", "Assistant", _D(2026, 11, 3)),
)

# fmt: off
FEATURES = (
    _Feature("F-report-builder", "2025.12", "Report builder", "efficiency", 13, (0.45, 0.55, 0.60), 0.25, 1.2),
    _Feature("F-bulk-import", "2025.12", "Bulk customer import", "efficiency", 8, (0.10, 0.15, 0.20), 0.05, 1.5),
    _Feature("F-dark-mode", "2025.12", "Dark mode", "experience", 2, (0.25, 0.20, 0.15), 0.50, 0.4),
    _Feature("F-invoice-matching", "2026.02", "Invoice matching", "efficiency", 13, (0.30, 0.45, 0.50), 0.30, 1.0),
    _Feature("F-approval-flows", "2026.02", "Approval flows", "functional", 8, (0.38, 0.52, 0.58), 0.30, 1.0),
    _Feature("F-sso", "2026.02", "Single sign-on", "risk_reduction", 5, (0.02, 0.25, 0.70), 0.60, 0.8),
    _Feature("F-payment-checks", "2026.03", "Payment checks", "risk_reduction", 8, (0.35, 0.45, 0.50), 0.15, 0.8),
    _Feature("F-onboarding-checklist", "2026.03", "Onboarding checklist", "experience", 5, (0.05, 0.04, 0.03), 0.30, 0.5),
    _Feature("F-team-comments", "2026.03", "Team comments", "social", 5, (0.08, 0.15, 0.22), 0.20, 0.4),
    _Feature("F-cash-forecast", "2026.05", "Cash forecast", "economic", 13, (0.30, 0.35, 0.40), 0.20, 0.8),
    _Feature("F-dashboard-redesign", "2026.05", "Dashboard redesign", "experience", 8, (0.70, 0.70, 0.70), 0.40, 1.8),
    _Feature("F-csv-export", "2026.05", "CSV export", "functional", 2, (0.15, 0.20, 0.20), 0.10, 0.4),
    _Feature("F-smart-categorize", "2026.06", "Smart expense categories", "efficiency", 8, (0.35, 0.40, 0.40), 0.30, 1.0),
    _Feature("F-shared-dashboards", "2026.06", "Shared dashboards", "social", 5, (0.25, 0.25, 0.25), 0.15, 0.4),
    _Feature("F-vat-rules", "2026.06", "VAT rule checks", "risk_reduction", 5, (0.10, 0.15, 0.20), 0.05, 0.6),
    _Feature("F-audit-log", "2026.06", "Audit log", "risk_reduction", 3, (0.02, 0.06, 0.15), 0.05, 0.3),
    _Feature("F-annual-plans", "2026.08", "Annual plans", "economic", 5, (0.04, 0.04, 0.02), 0.02, 0.8),
    _Feature("F-mobile-approvals", "2026.08", "Mobile approvals", "experience", 8, (0.20, 0.30, 0.35), 0.30, 0.8),
    _Feature("F-referral-program", "2026.08", "Referral programme", "social", 3, (0.16, 0.16, 0.16), 0.05, 0.3),
    _Feature("F-bank-feeds", "2026.10", "Live bank feeds", "functional", 13, (0.50, 0.50, 0.50), 0.35, 4.0),
    _Feature("F-approval-rules-v2", "2026.10", "Approval rule editor", "functional", 8, (0.10, 0.20, 0.30), 0.10, 3.0),
    _Feature("F-2fa-enforcement", "2026.10", "Two-factor sign-in", "risk_reduction", 5, (0.68, 0.80, 0.92), 0.30, 1.0),
    _Feature("F-ai-assistant", "2026.11", "AI assistant", "functional", 13, (0.30, 0.30, 0.30), 0.25, 1.5),
    _Feature("F-workspace-templates", "2026.11", "Workspace templates", "social", 5, (0.08, 0.12, 0.15), 0.05, 0.5),
    _Feature("F-invoice-designer", "2026.11", "Invoice designer", "experience", 5, (0.15, 0.20, 0.20), 0.10, 0.8),
)
# fmt: on

VALIDATED, NOT_VALIDATED = "validated", "not_validated"
INCONCLUSIVE, INSUFFICIENT = "inconclusive", "insufficient_data"

HYPOTHESES = (
    _Hypothesis(
        "H-reports-time",
        "F-report-builder",
        "Finance teams generate the month-end reports they need in 2 minutes instead of 30.",
        "task_time",
        120,
        task="generate-report",
        design="independent",
        tasks_per_month=1200,
        created_on=_D(2025, 10, 6),
        truth="geometric mean 100 s after (1800 s before)",
        intended=VALIDATED,
        why="the whole interval sits well below 120 s and the time fell about 18-fold",
    ),
    _Hypothesis(
        "H-import-completion",
        "F-bulk-import",
        "Customers bring their customer list in from a spreadsheet on their own: "
        "at least 85% of imports succeed without help.",
        "completion_rate",
        0.85,
        task="import-customers",
        created_on=_D(2025, 10, 20),
        truth="86 of 90 imports succeed after (37 of 60 before)",
        intended=VALIDATED,
        why="95.6% completed; the lower bound is about 0.89",
    ),
    _Hypothesis(
        "H-matching-time",
        "F-invoice-matching",
        "Accountants match a batch of supplier invoices to payments in under 5 minutes instead of 12.",
        "task_time",
        300,
        task="match-invoices",
        design="paired",
        tasks_per_month=3000,
        created_on=_D(2025, 12, 15),
        truth="the same 26 accountants before and after: geometric mean 720 s before, 210 s after; "
        "one has no after attempt and one failed it, so 24 pairs",
        intended=VALIDATED,
        why="paired study; the after interval sits well below 300 s",
    ),
    _Hypothesis(
        "H-approvals-adoption",
        "F-approval-flows",
        "Teams route purchases for approval inside Tallyhive instead of by e-mail: "
        "at least 30% of active users use approval flows in their first month.",
        "adoption",
        0.30,
        window_days=30,
        created_on=_D(2025, 12, 10),
        truth="38% of active smb users, 52% mid-market, 58% enterprise (about 45% overall)",
        intended=VALIDATED,
        why="about 800 active users in the window: the interval is a few points wide, far above 30%",
    ),
    _Hypothesis(
        "H-sso-signin",
        "F-sso",
        "With single sign-on, at least 90% of sign-in attempts succeed at the first try.",
        "completion_rate",
        0.90,
        task="sign-in",
        truth="98 of 100 sign-ins succeed both before and after",
        intended=INCONCLUSIVE,
        why="the target is met, but sign-in already worked before: no detectable improvement",
    ),
    _Hypothesis(
        "H-payment-errors",
        "F-payment-checks",
        "Automatic checks catch wrong IBANs and duplicate payments before money leaves: "
        "fewer than 10% of payment runs contain an error.",
        "error_rate",
        0.10,
        task="submit-payment-run",
        created_on=_D(2026, 2, 2),
        truth="2 of 120 payment runs with an error after (22 of 80 before)",
        intended=VALIDATED,
        why="the upper bound is about 0.06, well below 0.10",
    ),
    _Hypothesis(
        "H-onboarding-completion",
        "F-onboarding-checklist",
        "New customers finish setting up their company on their own: 90% complete the setup checklist.",
        "completion_rate",
        0.90,
        task="first-setup",
        created_on=_D(2026, 2, 2),
        truth="135 of 150 setups completed after (47 of 60 before): exactly 90%",
        intended=INCONCLUSIVE,
        why="the true value is the target, so the interval straddles it",
    ),
    _Hypothesis(
        "H-comments-adoption",
        "F-team-comments",
        "Teams discuss invoices where they are instead of in e-mail threads: "
        "35% of active users comment within a month.",
        "adoption",
        0.35,
        window_days=30,
        created_on=_D(2026, 2, 9),
        truth="8% of active smb users, 15% mid-market, 22% enterprise (about 12% overall)",
        intended=NOT_VALIDATED,
        why="far below target and below half of it, so it is also flagged low_adoption",
    ),
    _Hypothesis(
        "H-forecast-churn",
        "F-cash-forecast",
        "Customers who can see their cash runway stay with us: 30-day churn falls below 2.5%.",
        "churn",
        0.025,
        window_days=30,
        created_on=_D(2026, 3, 30),
        truth="about 1% of the accounts at risk leave in the 30 days after (about 3% in the 30 days before)",
        intended=VALIDATED,
        why="about 1,500 accounts at risk; the upper bound is well below 2.5% and churn fell",
    ),
    _Hypothesis(
        "H-dashboard-nps",
        "F-dashboard-redesign",
        "Customers find the redesigned dashboard clearer and recommend us more: NPS reaches at least 35.",
        "nps",
        35,
        window_days=30,
        created_on=_D(2026, 3, 30),
        truth="NPS drawn at 18 in the 30 days after (22 before)",
        intended=NOT_VALIDATED,
        why="about 400 responses per window; the whole interval is below 35",
    ),
    _Hypothesis(
        "H-categorize-time",
        "F-smart-categorize",
        "Bookkeepers categorise a month of expenses in a minute instead of two and a half.",
        "task_time",
        60,
        task="categorize-expenses",
        design="independent",
        tasks_per_month=8000,
        created_on=_D(2026, 5, 18),
        truth="geometric mean 66 s after (150 s before), just above the 60 s target",
        intended=INCONCLUSIVE,
        why="a clear improvement, but the interval straddles 60 s: the report says about how many "
        "more participants would settle it",
    ),
    _Hypothesis(
        "H-shared-adoption",
        "F-shared-dashboards",
        "Managers share live dashboards instead of exporting slides: "
        "a quarter of active users open a shared dashboard in the first month.",
        "adoption",
        0.25,
        window_days=30,
        created_on=_D(2026, 5, 18),
        truth="exactly 25% of active users in every segment",
        intended=INCONCLUSIVE,
        why="the true value is the target, so the interval straddles it",
    ),
    _Hypothesis(
        "H-vat-errors",
        "F-vat-rules",
        "VAT returns are filed without mistakes: fewer than 5% of filings need a correction.",
        "error_rate",
        0.05,
        task="file-vat-return",
        created_on=_D(2026, 5, 25),
        truth="0 of 3 filings with an error after (9 of 30 before)",
        intended=INSUFFICIENT,
        why="only 3 after-release attempts were observed (fewer than 5)",
    ),
    _Hypothesis(
        "H-annual-churn",
        "F-annual-plans",
        "Customers on annual plans stay with us: 30-day churn stays below 1.5%.",
        "churn",
        0.015,
        window_days=30,
        created_on=_D(2026, 7, 6),
        truth="about 4% of the accounts at risk leave in the 30 days after (a price increase on "
        "2026-07-01 pushed churn back up; about 4% before too)",
        intended=NOT_VALIDATED,
        why="the whole interval is above 1.5%",
    ),
    _Hypothesis(
        "H-mobile-nps",
        "F-mobile-approvals",
        "Approvers can say yes from their phone, and customers recommend us for it: NPS of at least 30.",
        "nps",
        30,
        window_days=30,
        created_on=_D(2026, 7, 6),
        truth="NPS drawn at 48 in the 30 days after (18 before)",
        intended=VALIDATED,
        why="the interval sits above 30 and NPS rose by about 30 points",
    ),
    _Hypothesis(
        "H-referral-adoption",
        "F-referral-program",
        "Happy customers invite their peers: at least 10% of active users send a referral within 60 days.",
        "adoption",
        0.10,
        window_days=60,
        created_on=_D(2026, 9, 2),
        truth="16% of active users in every segment",
        intended=VALIDATED,
        why="clearly above 10%, but written three weeks after the release (flag written_after_release)",
    ),
    _Hypothesis(
        "H-bankfeeds-time",
        "F-bank-feeds",
        "Bookkeepers reconcile a bank account in under 5 minutes with live bank feeds.",
        "task_time",
        300,
        task="reconcile-account",
        design="independent",
        tasks_per_month=2500,
        created_on=_D(2026, 8, 24),
        truth="geometric mean 520 s after (400 s before): duplicated feed lines slow people down",
        intended=NOT_VALIDATED,
        why="the whole interval is above 300 s, and it got worse",
    ),
    _Hypothesis(
        "H-bankfeeds-adoption",
        "F-bank-feeds",
        "Customers connect their bank instead of uploading statements: "
        "30% of active users use bank feeds in the first month.",
        "adoption",
        0.30,
        window_days=30,
        created_on=_D(2026, 8, 24),
        truth="50% of active users in every segment",
        intended=VALIDATED,
        why="well used, but its time hypothesis fails, so the feature does not count as validated",
    ),
    _Hypothesis(
        "H-rules-completion",
        "F-approval-rules-v2",
        "Admins set up an approval rule on their own: 80% succeed at the first try.",
        "completion_rate",
        0.80,
        task="set-up-approval-rule",
        created_on=_D(2026, 8, 24),
        truth="53 of 80 succeed after (69 of 80 before)",
        intended=NOT_VALIDATED,
        why="the whole interval is below 80%, and it is worse than the old editor",
    ),
    _Hypothesis(
        "H-2fa-adoption",
        "F-2fa-enforcement",
        "Accounts are protected against takeover: 60% of active users turn on two-factor sign-in "
        "within 30 days.",
        "adoption",
        0.60,
        window_days=30,
        created_on=_D(2026, 9, 7),
        truth="68% of active smb users, 80% mid-market, 92% enterprise (about 75% overall)",
        intended=VALIDATED,
        why="the interval sits well above 60%",
    ),
    _Hypothesis(
        "H-assistant-adoption",
        "F-ai-assistant",
        "Customers ask the assistant instead of writing to support: "
        "20% of active users try it in the first month.",
        "adoption",
        0.20,
        window_days=30,
        created_on=_D(2026, 10, 5),
        truth="30% of active users",
        intended=INSUFFICIENT,
        why="released 2026-11-03: the window runs to 2026-12-02, after data_through 2026-11-20",
    ),
    _Hypothesis(
        "H-templates-nps",
        "F-workspace-templates",
        "Teams start from shared workspace templates and recommend us to their peers: NPS of at least 40.",
        "nps",
        40,
        window_days=30,
        created_on=_D(2026, 10, 5),
        truth="NPS drawn at 50 (48 before)",
        intended=INSUFFICIENT,
        why="released 2026-11-03: the window runs to 2026-12-02, after data_through 2026-11-20",
    ),
)

STUDIES = (
    _Study(
        "2025.12",
        "generate-report",
        before=_Phase(36, 1800, 0.35, p_completed=0.89, p_errors=0.35),
        after=_Phase(37, 100, 0.40, p_completed=0.95, p_errors=0.10, repeats=3),
        calibrate=True,
    ),
    _Study(
        "2025.12",
        "import-customers",
        before=_Phase(60, 900, 0.45, completed=37, p_errors=0.40),
        after=_Phase(90, 240, 0.40, completed=86, p_errors=0.08),
    ),
    _Study(
        "2026.02",
        "match-invoices",
        before=_Phase(27, 720, 0.35, p_completed=1.0, p_errors=0.30, repeats=1),
        after=_Phase(25, 210, 0.35, completed=24, p_errors=0.10),
        paired=True,
        calibrate=True,
    ),
    _Study(
        "2026.02",
        "sign-in",
        before=_Phase(100, 25, 0.50, completed=98, p_errors=0.05),
        after=_Phase(100, 12, 0.40, completed=98, p_errors=0.05),
    ),
    _Study(
        "2026.03",
        "submit-payment-run",
        before=_Phase(80, 300, 0.40, p_completed=0.95, with_errors=22),
        after=_Phase(120, 240, 0.40, p_completed=0.96, with_errors=2),
    ),
    _Study(
        "2026.03",
        "first-setup",
        before=_Phase(60, 1500, 0.45, completed=47, p_errors=0.30),
        after=_Phase(150, 900, 0.40, completed=135, p_errors=0.20, repeats=4),
    ),
    _Study(
        "2026.06",
        "categorize-expenses",
        before=_Phase(30, 150, 0.45, p_completed=0.93, p_errors=0.25),
        after=_Phase(40, 66, 0.50, p_completed=0.93, p_errors=0.15, repeats=2),
        calibrate=True,
    ),
    _Study(
        "2026.06",
        "file-vat-return",
        before=_Phase(30, 1200, 0.40, p_completed=1.0, with_errors=9),
        after=_Phase(3, 900, 0.40, p_completed=1.0, with_errors=0),
    ),
    _Study(
        "2026.10",
        "set-up-approval-rule",
        before=_Phase(80, 240, 0.45, completed=69, p_errors=0.15),
        after=_Phase(80, 420, 0.50, completed=53, p_errors=0.35),
    ),
    _Study(
        "2026.10",
        "reconcile-account",
        before=_Phase(32, 400, 0.40, p_completed=0.94, p_errors=0.20),
        after=_Phase(32, 520, 0.40, p_completed=0.91, p_errors=0.30),
        calibrate=True,
    ),
)

# NPS level from each date on (surveys): promoters - detractors, in points.
_NPS_LEVELS = (
    (FIRST_DAY, 22),
    (_D(2026, 5, 5), 18),
    (_D(2026, 8, 11), 48),
    (_D(2026, 11, 3), 50),
)
_PASSIVE_SHARE = 0.33

# 30-day churn probability from each date on, for an account of average risk.
_CHURN_LEVELS = (
    (ACCOUNTS_SINCE, 0.036),
    (_D(2026, 5, 5), 0.012),
    (_D(2026, 7, 1), 0.036),
)
_CHURN_RISK = (1.25, 0.80, 0.40)  # relative churn risk of smb, mid_market, enterprise


# --------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------


def write_sample(
    out_dir, *, seed: int = DEFAULT_SEED, events: int | None = None, overwrite: bool = False
) -> pathlib.Path:
    """Write the sample workspace for the fictional B2B SaaS Tallyhive.

    Simulates a year of one product (eight releases from 2025-12-02 to
    2026-11-03, ``data_through`` 2026-11-20) in the workspace format of the
    data contract: ``workspace.yaml``, ``releases.csv``, ``features.csv``,
    ``hypotheses.yaml``, ``task_times.csv``, ``events.csv``, ``surveys.csv``,
    ``accounts.csv``, ``tickets.csv`` and a ``README.md`` describing what is
    simulated and which verdict each hypothesis is designed to get.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder to create. Missing parent folders are created. It must not
        exist or be empty, unless ``overwrite`` is true.
    seed : int, default 20261122
        Seed of ``numpy.random.default_rng``; a non-negative integer. The same
        seed always writes the same bytes. ``data/sample/`` is written with
        the default, :data:`DEFAULT_SEED` (the day the sample was designed).
    events : int, optional
        Write a large workspace instead: exactly this many product events as
        Parquet files partitioned by month (``events/month=2025-11/part-0.parquet``,
        hive-style, one file per month), declared in ``workspace.yaml`` as
        ``sources: events: {parquet: "events/*/*.parquet"}``, in place of
        ``events.csv``. Every other file is the one the default sample has
        (surveys, accounts, ... are small). For benchmarks: see Notes.
    overwrite : bool, default False
        Replace ``out_dir`` and everything in it if it exists and is not empty.

    Returns
    -------
    pathlib.Path
        ``out_dir`` as a path.

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists and is not a folder, or is a non-empty folder
        and ``overwrite`` is false.
    TypeError
        If ``out_dir`` is not a path, ``seed`` or ``events`` not an integer or
        ``overwrite`` not a bool.
    ValueError
        If ``seed`` is negative or ``events`` is less than 1.

    Notes
    -----
    The files are written into a temporary sibling folder which is renamed
    into place at the end, so an interrupted run leaves no half-written
    workspace behind (an existing folder is replaced only after the new one is
    complete).

    The data are drawn from one ``numpy.random.default_rng(seed)``, split with
    ``Generator.spawn`` into one stream per table. Task times are lognormal.
    In the task studies behind the completion-rate and error-rate hypotheses
    the number of completed attempts, or of attempts with errors, is fixed
    (which attempts is random), and the times of task-time studies are shifted
    so that the geometric mean of completed attempts (participant means of
    ln seconds) equals the designed value; for adoption hypotheses the number
    of adopters among the users active in the window is fixed per segment. So
    those hypotheses get their designed verdict for every seed. NPS and churn
    are left to chance, with margins that hold for the default seed (and most
    others).

    With ``events``, the events are drawn from the same model (user segments,
    join and leave days, a beta-distributed activity rate, a login per active
    day, generic events, feature use by adopters after the release) for as
    many users as it takes to reach ``events`` rows: about 67 events per user,
    so 1,500,000 users for 100 million events. Users are drawn in chunks of at
    most 32,768, each chunk from its own child of the seed's generator, and
    each chunk's events are appended to the month files as row groups, so
    memory stays bounded (a few hundred MB) whatever ``events`` is; the last
    chunk is cut after the ``events``-th row in (user, time) order, so its
    last user's history ends early. Adopters are drawn independently with the
    feature's adoption probability per segment, so adoption shares among
    active users are the designed ones in distribution (within sampling
    error) rather than exactly. Strings are dictionary-encoded and
    ``timestamp`` is a Parquet ``TIMESTAMP`` adjusted to UTC (millisecond
    unit; DuckDB reads it as ``TIMESTAMP WITH TIME ZONE``). The same
    ``(seed, events)`` always gives the same rows.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> from cvlib.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_sample(pathlib.Path(tmp) / "sample")
    ...     print(sorted(p.name for p in path.iterdir()))
    ...     releases = pd.read_csv(path / "releases.csv", dtype=str)
    ['README.md', 'accounts.csv', 'events.csv', 'features.csv', 'hypotheses.yaml', 'releases.csv', 'surveys.csv', 'task_times.csv', 'tickets.csv', 'workspace.yaml']
    >>> releases["release_id"].tolist()
    ['2025.12', '2026.02', '2026.03', '2026.05', '2026.06', '2026.08', '2026.10', '2026.11']
    """
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(
            f"out_dir must be a path (str or os.PathLike), got {type(out_dir).__name__}"
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if events is not None:
        if isinstance(events, bool) or not isinstance(events, numbers.Integral):
            raise TypeError(f"events must be an integer or None, got {events!r}")
        if events < 1:
            raise ValueError(f"events must be >= 1, got {events}")
        events = int(events)
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False, got {overwrite!r}")

    out = pathlib.Path(out_dir)
    if out.is_symlink():
        raise FileExistsError(f"{out} is a symbolic link; give the folder it points to")
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a folder; choose another output folder")
        if any(out.iterdir()) and not overwrite:
            raise FileExistsError(
                f"{out} exists and is not empty; choose a new or empty folder, "
                "or pass overwrite=True to replace it"
            )

    target = pathlib.Path(os.path.abspath(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    for leftover in (tmp, old):  # from an earlier run of this process that was killed
        if leftover.exists():
            shutil.rmtree(leftover)
    tmp.mkdir()
    try:
        _write_workspace(tmp, int(seed), events)
        if target.exists() and not any(target.iterdir()):
            # Keep an empty folder (it may be the working directory): move the files in.
            for path in sorted(tmp.iterdir()):
                path.replace(target / path.name)
            tmp.rmdir()
        else:
            if target.exists():
                target.rename(old)
            tmp.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)  # put the previous folder back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return out


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _write_workspace(folder: pathlib.Path, seed: int, events: int | None = None) -> None:
    rng = np.random.default_rng(seed)
    task_rng, user_rng, survey_rng, account_rng, ticket_rng = rng.spawn(5)

    tables = {
        "releases.csv": _releases_table(),
        "features.csv": _features_table(),
        "task_times.csv": _task_times(task_rng),
    }
    users = _users(user_rng)
    if events is None:
        tables["events.csv"] = _events(user_rng, users)
    tables["surveys.csv"] = _surveys(survey_rng, users)
    tables["accounts.csv"] = _accounts(account_rng)
    tables["tickets.csv"] = _tickets(ticket_rng)

    _write_text(folder / "workspace.yaml", _workspace_yaml(parquet_events=events is not None))
    _write_text(folder / "hypotheses.yaml", _hypotheses_yaml())
    for name, table in tables.items():
        table.to_csv(folder / name, index=False, lineterminator="\n", encoding="utf-8")
    if events is not None:
        # A seventh stream (the first five above and Generator.spawn's counter are untouched
        # by it, so the default sample does not change), split again per chunk of users.
        (event_rng,) = rng.spawn(1)
        _write_event_partitions(folder / "events", event_rng, events)
    _write_text(folder / "README.md", _readme(seed, tables, events=events))


def _write_text(path: pathlib.Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _workspace_yaml(*, parquet_events: bool = False) -> str:
    text = (
        f"# Sample workspace written by cvlib.sample (see README.md).\n"
        f"product: {PRODUCT}\n"
        f"currency: {CURRENCY}\n"
        f"hourly_cost: {HOURLY_COST}\n"
        f"confidence_level: {CONFIDENCE_LEVEL}\n"
        f"timezone: {TIMEZONE}\n"
        f"data_through: {DATA_THROUGH.isoformat()}\n"
    )
    if parquet_events:
        text += 'sources:\n  events: {parquet: "events/*/*.parquet"}\n'
    return text


class _IndentedDumper(yaml.SafeDumper):
    """SafeDumper that indents list items under their key (``  - id: ...``)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _hypotheses_yaml() -> str:
    items = []
    for h in HYPOTHESES:
        item = {
            "id": h.id,
            "feature_id": h.feature_id,
            "statement": h.statement,
            "metric": h.metric,
        }
        if h.task is not None:
            item["task"] = h.task
        item["target"] = h.target
        for key in ("design", "window_days", "tasks_per_month", "created_on"):
            value = getattr(h, key)
            if value is not None:
                item[key] = value
        items.append(item)
    body = yaml.dump(
        {"hypotheses": items},
        Dumper=_IndentedDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=False,
    )
    return "# Value hypotheses of the sample workspace (see README.md for the design).\n" + body


def _releases_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "release_id": [r.release_id for r in RELEASES],
            "name": [r.name for r in RELEASES],
            "released_on": [r.released_on.isoformat() for r in RELEASES],
        }
    )


def _features_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feature_id": [f.feature_id for f in FEATURES],
            "release_id": [f.release_id for f in FEATURES],
            "name": [f.name for f in FEATURES],
            "value_type": [f.value_type for f in FEATURES],
            "effort_points": [f.effort_points for f in FEATURES],
        }
    )


# --------------------------------------------------------------------------
# Task studies
# --------------------------------------------------------------------------


def _task_times(rng: np.random.Generator) -> pd.DataFrame:
    parts = []
    next_id = 1
    for study in STUDIES:
        frame, next_id = _study_rows(rng, study, next_id)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _owners(n_people: int, repeats: int, first: int = 0) -> np.ndarray:
    """Participant index of each attempt: everyone once, the first ``repeats`` twice."""
    return first + np.sort(np.concatenate([np.arange(n_people), np.arange(repeats)]))


def _study_rows(rng, study: _Study, next_id: int) -> tuple[pd.DataFrame, int]:
    """Attempts of one usability study; participant numbers start at ``next_id``."""
    if study.paired:
        # The same people in both phases, each with their own speed; the last one
        # has no after attempt (dropped from the paired comparison).
        n_people = study.before.attempts - study.before.repeats
        if study.after.attempts > n_people - 1 or study.after.completed is None:
            raise ValueError(
                f"{study.task}: a paired study needs a dropout and an exact after count"
            )
        plan = [
            ("before", study.before, _owners(n_people, study.before.repeats)),
            ("after", study.after, np.arange(study.after.attempts)),
        ]
        speed = rng.normal(0.0, 0.30, n_people)
        noise = 0.6  # share of sdlog that varies within a person
    else:
        n_before = study.before.attempts - study.before.repeats
        n_after = study.after.attempts - study.after.repeats
        plan = [
            ("before", study.before, _owners(n_before, study.before.repeats)),
            ("after", study.after, _owners(n_after, study.after.repeats, n_before)),
        ]
        n_people = n_before + n_after
        speed = np.zeros(n_people)
        noise = 1.0
    segment = np.asarray(SEGMENTS)[rng.choice(3, size=n_people, p=_PARTICIPANT_SEGMENT_SHARES)]

    frames = []
    for name, phase, owner in plan:
        n = phase.attempts
        logs = np.log(phase.gm) + speed[owner] + rng.normal(0.0, phase.sdlog * noise, n)
        second = np.zeros(n, dtype=bool)
        second[1:] = owner[1:] == owner[:-1]
        logs -= 0.15 * second  # a second attempt by the same person is a little faster

        if phase.completed is not None:
            completed = np.zeros(n, dtype=bool)
            completed[rng.permutation(n)[: phase.completed]] = True
        else:
            completed = rng.random(n) < phase.p_completed
        if study.calibrate and completed.any():
            # Shift so that the geometric mean over participants (mean of each one's
            # ln seconds, completed attempts only) is exactly gm.
            per_person = pd.Series(logs[completed]).groupby(owner[completed]).mean()
            logs += np.log(phase.gm) - per_person.mean()

        # Failed attempts: half were stopped without a time, half gave up after a while.
        seconds = np.exp(logs) * np.where(completed, 1.0, 1.6)
        timed = completed | (rng.random(n) < 0.5)
        text_seconds = [f"{max(x, 1.0):.1f}" if t else "" for x, t in zip(seconds, timed)]

        if phase.with_errors is not None:
            has_errors = np.zeros(n, dtype=bool)
            has_errors[rng.permutation(n)[: phase.with_errors]] = True
        else:
            p = np.where(completed, phase.p_errors, min(1.0, 2.0 * phase.p_errors))
            has_errors = rng.random(n) < p
        errors = np.where(has_errors, 1 + rng.poisson(0.5, n), 0)

        frames.append(
            pd.DataFrame(
                {
                    "release_id": study.release_id,
                    "task": study.task,
                    "participant_id": [f"P-{next_id + i:04d}" for i in owner.tolist()],
                    "phase": name,
                    "seconds": text_seconds,
                    "completed": np.where(completed, "true", "false"),
                    "errors": errors.astype(int),
                    "segment": segment[owner],
                }
            )
        )
    return pd.concat(frames, ignore_index=True), next_id + n_people


# --------------------------------------------------------------------------
# Users, activity and events
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Users:
    ids: np.ndarray  # "u-00001", ...
    segment: np.ndarray  # index into SEGMENTS
    joined: np.ndarray  # day index from which the user exists
    left: np.ndarray  # day index from which the user is gone
    active: np.ndarray  # (users, days) bool: any event that day
    days: np.ndarray  # datetime64[D], FIRST_DAY .. DATA_THROUGH


_N_USERS = 1300
_GENERIC_EVENTS = ("view_dashboard", "view_invoices", "create_invoice", "search", "open_settings")
_GENERIC_WEIGHTS = (0.34, 0.30, 0.16, 0.14, 0.06)


def _day_index(days: np.ndarray, date: dt.date) -> int:
    return int((np.datetime64(date, "D") - days[0]).astype(int))


def _user_draws(rng: np.random.Generator, n: int, days: np.ndarray):
    """The per-user model of both generators, drawn in one order: segment, the day a user
    joins and the day they leave (10% leave), their activity rate, and the weekday factor
    of each day (weekends 0.12)."""
    n_days = len(days)
    weekday = (days - np.datetime64("1970-01-05", "D")).astype(int) % 7  # 0 = Monday
    segment = rng.choice(3, size=n, p=_USER_SEGMENT_SHARES)
    joined = np.where(rng.random(n) < 0.8, 0, rng.integers(1, n_days, n))
    leaves = rng.random(n) < 0.1
    left = np.where(leaves, np.minimum(joined + rng.integers(30, n_days, n), n_days), n_days)
    rate = rng.beta(2.0, 24.0, n) * np.asarray((1.0, 1.1, 1.2))[segment]
    day_factor = np.where(weekday >= 5, 0.12, 1.0)
    return segment, joined, left, rate, day_factor


def _users(rng: np.random.Generator) -> _Users:
    days = np.arange(np.datetime64(FIRST_DAY, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    n_days = len(days)
    segment, joined, left, rate, day_factor = _user_draws(rng, _N_USERS, days)
    active = rng.random((_N_USERS, n_days)) < rate[:, None] * day_factor[None, :]
    day = np.arange(n_days)[None, :]
    active &= (day >= joined[:, None]) & (day < left[:, None])
    ids = np.array([f"u-{i:05d}" for i in range(1, _N_USERS + 1)])
    return _Users(ids, segment, joined, left, active, days)


def _adopters(rng, users: _Users, feature: _Feature) -> np.ndarray:
    """Which users take a feature up (bool per user).

    For a feature with an adoption hypothesis, the share of adopters among the
    users active in the hypothesis window is exactly the designed one, per segment.
    """
    p = np.asarray(feature.adoption)[users.segment]
    adopters = rng.random(len(p)) < p
    release = _release(feature.release_id).released_on
    for h in HYPOTHESES:
        if h.feature_id != feature.feature_id or h.metric != "adoption":
            continue
        start = _day_index(users.days, release)
        end = min(start + h.window_days, len(users.days))
        in_window = users.active[:, start:end].any(axis=1)
        for s in range(len(SEGMENTS)):
            idx = np.flatnonzero(in_window & (users.segment == s))
            k = int(np.floor(feature.adoption[s] * len(idx) + 0.5))
            adopters[idx] = False
            adopters[rng.permutation(idx)[:k]] = True
    return adopters


def _feature_uses(rng, active, adopters, first_day, use_rate, dtype=np.float64):
    """The (user, day index) pairs on which ``adopters`` use a feature released on day ``first_day``.

    Each active day from the release on is a use with probability ``use_rate``;
    an adopter always uses it on their first active day. ``dtype`` is that of the
    random draws (float32 halves the memory of a large sample).
    """
    sub = active[adopters, first_day:]
    uses = sub & (rng.random(sub.shape, dtype=dtype) < use_rate)
    has = sub.any(axis=1)
    first = np.argmax(sub, axis=1)
    uses[np.flatnonzero(has), first[has]] = True  # an adopter uses it on their first active day
    rows, cols = np.nonzero(uses)
    return adopters[rows], cols + first_day


def _events(rng: np.random.Generator, users: _Users) -> pd.DataFrame:
    user, day = np.nonzero(users.active)
    n_sessions = len(user)
    session = np.full(users.active.shape, -1, dtype=np.int64)
    session[user, day] = np.arange(n_sessions)
    start = rng.integers(7 * 3600, 17 * 3600, n_sessions)  # local seconds after midnight

    names = ["login", *_GENERIC_EVENTS, *(f.feature_id for f in FEATURES)]
    ev_user = [user]
    ev_day = [day]
    ev_sec = [start]
    ev_name = [np.zeros(n_sessions, dtype=np.int64)]

    k = rng.poisson(1.3, n_sessions)
    rep = np.repeat(np.arange(n_sessions), k)
    ev_user.append(user[rep])
    ev_day.append(day[rep])
    ev_sec.append(start[rep] + rng.integers(20, 5400, len(rep)))
    ev_name.append(1 + rng.choice(len(_GENERIC_EVENTS), size=len(rep), p=_GENERIC_WEIGHTS))

    for code, feature in enumerate(FEATURES, start=1 + len(_GENERIC_EVENTS)):
        adopters = np.flatnonzero(_adopters(rng, users, feature))
        first_day = _day_index(users.days, _release(feature.release_id).released_on)
        if first_day >= len(users.days):
            continue
        u, d = _feature_uses(rng, users.active, adopters, first_day, feature.use_rate)
        ev_user.append(u)
        ev_day.append(d)
        ev_sec.append(start[session[u, d]] + rng.integers(20, 5400, len(u)))
        ev_name.append(np.full(len(u), code, dtype=np.int64))

    ev_user = np.concatenate(ev_user)
    ev_day = np.concatenate(ev_day)
    ev_sec = np.minimum(np.concatenate(ev_sec), 22 * 3600)
    ev_name = np.concatenate(ev_name)
    utc = _local_to_utc(users.days[ev_day], ev_sec)
    order = np.lexsort((ev_name, ev_user, utc))
    return pd.DataFrame(
        {
            "timestamp": _format_utc(utc[order]),
            "user_id": users.ids[ev_user[order]],
            "event": np.asarray(names)[ev_name[order]],
            "segment": np.asarray(SEGMENTS)[users.segment[ev_user[order]]],
        }
    )


def _local_to_utc(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Local wall-clock times in TIMEZONE -> UTC as datetime64[s] (no times in DST gaps)."""
    local = days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    index = pd.DatetimeIndex(local).tz_localize(TIMEZONE).tz_convert("UTC").tz_localize(None)
    return index.to_numpy().astype("datetime64[s]")


def _format_utc(values: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(values.astype("datetime64[s]"), unit="s"), "Z")


# --------------------------------------------------------------------------
# Events at scale (write_sample(..., events=N)): Parquet partitioned by month
# --------------------------------------------------------------------------

_CHUNK_USERS = 32_768  # users per chunk: about 2.2 million events, a few hundred MB of arrays
_EVENTS_PER_USER = 60  # a little below the mean (about 67), to size a small run's only chunk


def _write_event_partitions(folder: pathlib.Path, rng: np.random.Generator, n_events: int) -> None:
    """Write exactly ``n_events`` events to ``folder/month=YYYY-MM/part-0.parquet``.

    Users are simulated chunk by chunk (each chunk from its own child generator,
    spawned in order from ``rng``) until ``n_events`` rows are reached; each
    chunk's rows go to the month files as one row group per month, sorted by
    time. Months are UTC months (events happen in local working hours, so
    never near midnight).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    days = np.arange(np.datetime64(FIRST_DAY, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    zone = ZoneInfo(TIMEZONE)
    offset = np.asarray(
        [
            zone.utcoffset(dt.datetime.combine(day, dt.time(12))).total_seconds()
            for day in days.astype(dt.date)
        ],
        dtype=np.int64,
    )
    midnight_utc = days.astype("datetime64[s]").astype(np.int64) - offset  # epoch seconds
    months = np.arange(days[0].astype("datetime64[M]"), days[-1].astype("datetime64[M]") + 1)
    month_start = months.astype("datetime64[s]").astype(np.int64)

    names = pa.array(["login", *_GENERIC_EVENTS, *(f.feature_id for f in FEATURES)])
    segments = pa.array(SEGMENTS)
    schema = pa.schema(
        [
            ("timestamp", pa.timestamp("ms", tz="UTC")),
            ("user_id", pa.dictionary(pa.int32(), pa.string())),
            ("event", pa.dictionary(pa.int8(), pa.string())),
            ("segment", pa.dictionary(pa.int8(), pa.string())),
        ]
    )
    chunk_users = min(_CHUNK_USERS, n_events // _EVENTS_PER_USER + 64)
    writers: dict[int, pq.ParquetWriter] = {}
    written = 0
    first_user = 0
    try:
        while written < n_events:
            (chunk_rng,) = rng.spawn(1)
            user, utc, code, segment = _event_chunk(chunk_rng, chunk_users, days, midnight_utc)
            if written + len(user) > n_events:
                # Keep the first rows in (user, time) order: only the last user's history is cut.
                keep = np.sort(np.lexsort((code, utc, user))[: n_events - written])
                user, utc, code = user[keep], utc[keep], code[keep]
            order = np.lexsort((code, user, utc))
            user, utc, code = user[order], utc[order], code[order]
            ids = pa.array([f"u-{first_user + i:05d}" for i in range(1, chunk_users + 1)])
            table = pa.Table.from_arrays(
                [
                    pa.array(utc * 1000, type=pa.int64()).cast(schema.field("timestamp").type),
                    pa.DictionaryArray.from_arrays(pa.array(user, type=pa.int32()), ids),
                    pa.DictionaryArray.from_arrays(pa.array(code, type=pa.int8()), names),
                    pa.DictionaryArray.from_arrays(
                        pa.array(segment[user], type=pa.int8()), segments
                    ),
                ],
                schema=schema,
            )
            bounds = np.searchsorted(utc, month_start)
            bounds = np.append(bounds, len(utc))
            for m in range(len(months)):
                lo, hi = int(bounds[m]), int(bounds[m + 1])
                if lo == hi:
                    continue
                if m not in writers:
                    part = folder / f"month={months[m]}"
                    part.mkdir(parents=True)
                    writers[m] = pq.ParquetWriter(part / "part-0.parquet", schema)
                writers[m].write_table(table.slice(lo, hi - lo))
            written += len(user)
            first_user += chunk_users
    finally:
        for writer in writers.values():
            writer.close()


def _event_chunk(rng: np.random.Generator, n: int, days: np.ndarray, midnight_utc: np.ndarray):
    """Events of ``n`` new users: (user index, UTC epoch seconds, event code, segment per user).

    The model of :func:`_users` and :func:`_events`, for a chunk of users and
    in bounded memory; adopters are drawn with the designed probability per
    segment (no exact shares).
    """
    n_days = len(days)
    segment, joined, left, rate, day_factor = _user_draws(rng, n, days)
    chance = (rate[:, None] * day_factor[None, :]).astype(np.float32)
    active = rng.random((n, n_days), dtype=np.float32) < chance
    del chance
    day = np.arange(n_days)[None, :]
    active &= (day >= joined[:, None]) & (day < left[:, None])
    user, day = np.nonzero(active)
    n_sessions = len(user)
    session = np.full(active.shape, -1, dtype=np.int32)
    session[user, day] = np.arange(n_sessions, dtype=np.int32)
    start = rng.integers(7 * 3600, 17 * 3600, n_sessions)

    ev_user, ev_day, ev_sec = [user], [day], [start]
    ev_code = [np.zeros(n_sessions, dtype=np.int8)]
    k = rng.poisson(1.3, n_sessions)
    rep = np.repeat(np.arange(n_sessions), k)
    ev_user.append(user[rep])
    ev_day.append(day[rep])
    ev_sec.append(start[rep] + rng.integers(20, 5400, len(rep)))
    generic = rng.choice(len(_GENERIC_EVENTS), size=len(rep), p=_GENERIC_WEIGHTS)
    ev_code.append((1 + generic).astype(np.int8))
    del rep, generic

    for code, feature in enumerate(FEATURES, start=1 + len(_GENERIC_EVENTS)):
        released = np.datetime64(_release(feature.release_id).released_on, "D")
        first_day = int((released - days[0]).astype(int))
        adopters = np.flatnonzero(rng.random(n) < np.asarray(feature.adoption)[segment])
        if first_day >= n_days or len(adopters) == 0:
            continue
        u, d = _feature_uses(rng, active, adopters, first_day, feature.use_rate, np.float32)
        ev_user.append(u)
        ev_day.append(d)
        ev_sec.append(start[session[u, d]] + rng.integers(20, 5400, len(u)))
        ev_code.append(np.full(len(u), code, dtype=np.int8))
    del session, active

    ev_day = np.concatenate(ev_day)
    ev_sec = np.minimum(np.concatenate(ev_sec), 22 * 3600)
    utc = midnight_utc[ev_day] + ev_sec
    return np.concatenate(ev_user), utc, np.concatenate(ev_code), segment


def _release(release_id: str) -> _Release:
    return next(r for r in RELEASES if r.release_id == release_id)


def _feature(feature_id: str) -> _Feature:
    return next(f for f in FEATURES if f.feature_id == feature_id)


def _level(levels, date: dt.date) -> float:
    value = levels[0][1]
    for since, level in levels:
        if date >= since:
            value = level
    return value


# --------------------------------------------------------------------------
# Surveys
# --------------------------------------------------------------------------

_GENERIC_COMMENTS = {
    "promoter": (
        "Saves me a lot of time at month-end.",
        "Support answered within the hour, great service.",
        "Simple, fast, does what we need.",
        "Our tax advisor loves that she can log in and see everything.",
        "Best finance tool we have used, and we tried three.",
        "Clean, quick, and the team listens to feedback.",
    ),
    "passive": (
        "Good overall, but the mobile app is limited.",
        "Fine for invoicing, reporting could be better.",
        "Does the job. Pricing is a bit high for a small team.",
        "Works well, but it took a while to learn.",
        "Solid. I would like more integrations with German banks.",
    ),
    "detractor": (
        "Too expensive for what it does.",
        "Slow when we have many invoices open.",
        "Hard to find things, the menu structure is confusing.",
        "We lost half a day because of an outage.",
        "Support took three days to answer a simple question.",
        "Export to our accountant's software (DATEV) still needs manual work.",
    ),
}

_FEATURE_COMMENTS = {
    "F-report-builder": {
        "promoter": (
            "The new report builder is brilliant, month-end reports take minutes now.",
            "Reports finally look like what our board wants to see.",
        ),
        "passive": ("Report builder is good, but I miss a PDF export with our logo.",),
    },
    "F-bulk-import": {
        "promoter": ("Importing our 3,000 customers from Excel just worked.",),
        "detractor": ("The import choked on our Excel file, I had to split it into five.",),
    },
    "F-dark-mode": {"promoter": ("Dark mode, thank you!",)},
    "F-invoice-matching": {
        "promoter": ("Matching invoices to payments is so much faster now.",),
        "passive": ("Matching is nice but sometimes suggests the wrong payment.",),
    },
    "F-approval-flows": {
        "promoter": ("Approvals in the tool instead of e-mail ping-pong, finally!",),
    },
    "F-payment-checks": {
        "promoter": ("The IBAN check saved us from paying the wrong supplier.",),
    },
    "F-team-comments": {
        "passive": ("Comments are nice, but nobody on my team uses them.",),
        "detractor": ("Didn't even know there were comments. We still use e-mail.",),
    },
    "F-cash-forecast": {
        "promoter": (
            "The cash forecast is the reason we stay with you.",
            "Cash forecast = peace of mind.",
        ),
    },
    "F-dashboard-redesign": {
        "detractor": (
            "The new dashboard is pretty, but I can't find anything.",
            "Please bring back the old dashboard, the overdue list is gone.",
            "Too much white space on the new dashboard, I have to scroll for everything.",
        ),
        "passive": ("New dashboard looks modern, but it is slower.",),
    },
    "F-smart-categorize": {
        "promoter": ("Auto-categorising receipts is mostly right, a real time saver.",),
        "passive": ("Categorisation is hit and miss, I still check every line.",),
    },
    "F-shared-dashboards": {"passive": ("Shared dashboards are handy for our CEO.",)},
    "F-mobile-approvals": {
        "promoter": (
            "Approving from my phone on the train is a game changer.",
            "Mobile approvals: no more waiting until I'm back in the office.",
            "I approved 20 invoices at the airport. Love it.",
        ),
    },
    "F-referral-program": {
        "promoter": ("Recommended you to two friends, the referral credit was a nice touch.",),
    },
    "F-bank-feeds": {
        "detractor": (
            "Bank feeds create duplicates, reconciliation takes longer than before.",
            "The bank feed disconnects every few days.",
        ),
        "promoter": ("Love not having to upload bank statements anymore.",),
    },
    "F-approval-rules-v2": {
        "detractor": (
            "The new approval rule editor is confusing, it took ages to set up one rule.",
        ),
        "passive": ("The new rule editor can do more, but the old one was easier.",),
    },
    "F-2fa-enforcement": {"passive": ("Two-factor is a bit annoying, but I understand why.",)},
    "F-ai-assistant": {
        "promoter": ("The assistant found an old invoice for me in seconds.",),
        "detractor": ("The assistant gave me a wrong answer about VAT.",),
    },
    "F-workspace-templates": {
        "promoter": ("The templates got our new subsidiary set up in an afternoon.",),
    },
    "F-invoice-designer": {"promoter": ("Our invoices finally look professional.",)},
}


def _score(rng, nps: float) -> tuple[int, str]:
    promoters = (1.0 - _PASSIVE_SHARE + nps / 100.0) / 2.0
    detractors = (1.0 - _PASSIVE_SHARE - nps / 100.0) / 2.0
    kind = rng.choice(3, p=(promoters, _PASSIVE_SHARE, detractors))
    if kind == 0:
        return int(rng.choice((9, 10), p=(0.55, 0.45))), "promoter"
    if kind == 1:
        return int(rng.choice((7, 8), p=(0.45, 0.55))), "passive"
    weights = np.asarray((1, 1, 1, 2, 3, 5, 7), dtype=float)
    return int(rng.choice(7, p=weights / weights.sum())), "detractor"


def _surveys(rng: np.random.Generator, users: _Users) -> pd.DataFrame:
    weekday = (users.days - np.datetime64("1970-01-05", "D")).astype(int) % 7
    rows = {"user": [], "day": [], "sec": [], "score": [], "comment": [], "feature_id": []}
    for i, day in enumerate(users.days):
        date = day.astype(dt.date)
        n = rng.poisson(5.0 if weekday[i] >= 5 else 18.0)
        eligible = np.flatnonzero((users.joined <= i) & (users.left > i))
        released = [f for f in FEATURES if _release(f.release_id).released_on <= date]
        nps = _level(_NPS_LEVELS, date)
        for user in rng.choice(eligible, size=n):
            score, kind = _score(rng, nps)
            comment, feature_id = "", ""
            if rng.random() < (0.45 if kind == "detractor" else 0.30):
                options = [f for f in released if kind in _FEATURE_COMMENTS.get(f.feature_id, {})]
                if options and rng.random() < 0.45:
                    age = np.asarray(
                        [(date - _release(f.release_id).released_on).days for f in options]
                    )
                    weights = 1.0 + 4.0 * np.exp(-age / 45.0)
                    feature = options[rng.choice(len(options), p=weights / weights.sum())]
                    texts = _FEATURE_COMMENTS[feature.feature_id][kind]
                    comment, feature_id = texts[rng.integers(len(texts))], feature.feature_id
                else:
                    texts = _GENERIC_COMMENTS[kind]
                    comment = texts[rng.integers(len(texts))]
            rows["user"].append(user)
            rows["day"].append(i)
            rows["sec"].append(int(rng.integers(8 * 3600, 20 * 3600)))
            rows["score"].append(score)
            rows["comment"].append(comment)
            rows["feature_id"].append(feature_id)
    user = np.asarray(rows["user"], dtype=np.int64)
    utc = _local_to_utc(users.days[np.asarray(rows["day"])], np.asarray(rows["sec"]))
    order = np.lexsort((user, utc))
    return pd.DataFrame(
        {
            "response_id": [f"R-{i:05d}" for i in range(1, len(order) + 1)],
            "user_id": users.ids[user[order]],
            "submitted_at": _format_utc(utc[order]),
            "score": np.asarray(rows["score"])[order],
            "comment": np.asarray(rows["comment"], dtype=object)[order],
            "feature_id": np.asarray(rows["feature_id"], dtype=object)[order],
            "segment": np.asarray(SEGMENTS)[users.segment[user[order]]],
        }
    )


# --------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------


def _accounts(rng: np.random.Generator) -> pd.DataFrame:
    days = np.arange(np.datetime64(ACCOUNTS_SINCE, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    n_days = len(days)
    weekday = (days - np.datetime64("1970-01-05", "D")).astype(int) % 7
    rate = np.linspace(1.3, 2.6, n_days) * np.where(weekday >= 5, 0.3, 1.2)
    started = np.repeat(np.arange(n_days), rng.poisson(rate))
    n = len(started)
    segment = rng.choice(3, size=n, p=_ACCOUNT_SEGMENT_SHARES)
    median_mrr = np.asarray((140.0, 900.0, 4800.0))[segment]
    spread = np.asarray((0.45, 0.40, 0.35))[segment]
    mrr = np.round(median_mrr * np.exp(rng.normal(0.0, 1.0, n) * spread)).astype(int)

    monthly = np.asarray([_level(_CHURN_LEVELS, d.astype(dt.date)) for d in days])
    hazard = -np.log1p(-monthly) / 30.0  # per day
    cumulative = np.cumsum(hazard)
    threshold = cumulative[started] + rng.exponential(1.0, n) / np.asarray(_CHURN_RISK)[segment]
    churned = np.searchsorted(cumulative, threshold)  # first day by which the hazard is used up
    churned_on = np.where(
        churned < n_days,
        np.datetime_as_string(days[np.minimum(churned, n_days - 1)], unit="D"),
        "",
    )
    return pd.DataFrame(
        {
            "account_id": [f"A-{i:05d}" for i in range(1, n + 1)],
            "started_on": np.datetime_as_string(days[started], unit="D"),
            "churned_on": churned_on,
            "segment": np.asarray(SEGMENTS)[segment],
            "mrr": mrr,
        }
    )


# --------------------------------------------------------------------------
# Support tickets
# --------------------------------------------------------------------------

_GENERIC_TICKETS = (
    ("question", "How do I add a new user to our company account?"),
    ("question", "Where can I download last year's invoices as PDF for our auditor?"),
    ("billing", "Our invoice from you shows 12 seats, but we only have 9 users."),
    ("billing", "Please send the invoice to our accounts payable address instead of to me."),
    ("bug", "The page shows 'Something went wrong' (error 500) when I open the settings."),
    ("complaint", "Everything was very slow this morning between 9 and 10."),
)

_FEATURE_TICKETS = {
    "F-report-builder": (
        (
            "bug",
            "The month-end P&L report shows last month's figures twice when I group by cost centre.",
        ),
        (
            "bug",
            "Report builder times out when I add more than 12 columns. Happens in Chrome and Firefox.",
        ),
        ("question", "How do I save a report layout so that my colleague sees it too?"),
        ("question", "Can the report builder show amounts net of VAT?"),
        (
            "feature_request",
            "Please let us schedule a report to be e-mailed on the first working day of the month.",
        ),
    ),
    "F-bulk-import": (
        (
            "bug",
            "Import fails on row 214 with 'invalid postcode', but the postcode is fine (it is Austrian, 4 digits).",
        ),
        (
            "bug",
            "Umlauts in customer names turn into ? after importing our CSV (Müller becomes M?ller).",
        ),
        (
            "question",
            "Which date format does the customer import expect? Our old system exports 31.12.2025.",
        ),
    ),
    "F-dark-mode": (
        ("bug", "In dark mode negative amounts are dark red on black and hard to read."),
    ),
    "F-invoice-matching": (
        ("bug", "Matching suggests the same payment for two different invoices."),
        ("question", "Can I undo a match I confirmed by mistake?"),
    ),
    "F-approval-flows": (
        ("question", "How do I add a second approver for purchases above 5,000 EUR?"),
        (
            "feature_request",
            "Approvals should skip a manager who is on holiday and go to their deputy.",
        ),
    ),
    "F-sso": (
        (
            "bug",
            "SSO sign-in loops back to the login page for users in our Azure AD group 'Finance-EU'.",
        ),
        ("question", "Do you support SAML with Okta, or only OpenID Connect?"),
    ),
    "F-payment-checks": (
        (
            "bug",
            "The duplicate check flags two different rent payments of the same amount as duplicates.",
        ),
        (
            "question",
            "Why was our payment run blocked with 'IBAN checksum failed'? The supplier says the IBAN is right.",
        ),
    ),
    "F-onboarding-checklist": (
        (
            "question",
            "The setup checklist says 'connect your chart of accounts'. We use SKR03, what do I pick?",
        ),
    ),
    "F-team-comments": (
        (
            "feature_request",
            "Comments should notify people by e-mail, nobody looks at the bell icon.",
        ),
        ("question", "Can our external accountant see the comments on invoices?"),
    ),
    "F-cash-forecast": (
        ("question", "How does the cash forecast treat invoices that are already overdue?"),
        ("bug", "The cash forecast ignores our second bank account."),
    ),
    "F-dashboard-redesign": (
        (
            "complaint",
            "The new dashboard hides the overdue invoices widget. We used it every morning. Please bring it back.",
        ),
        (
            "complaint",
            "Too much white space on the new dashboard, I now have to scroll to see anything useful.",
        ),
        ("bug", "Dashboard charts are empty for users with the read-only role."),
    ),
    "F-csv-export": (("question", "The CSV export uses semicolons, can I get commas instead?"),),
    "F-smart-categorize": (
        ("bug", "Auto-categorisation puts all our fuel receipts under 'Travel - hotels'."),
        ("question", "Can I teach the categoriser our own expense categories?"),
    ),
    "F-shared-dashboards": (
        ("question", "How do I share a dashboard with someone who has no login?"),
    ),
    "F-vat-rules": (
        (
            "question",
            "Does the VAT check cover reverse charge for services from other EU countries?",
        ),
        ("bug", "The VAT check warns about 7% on food deliveries, but 7% is correct for us."),
    ),
    "F-audit-log": (
        ("question", "How long do you keep the audit log? Our auditor asks for 10 years."),
    ),
    "F-annual-plans": (
        (
            "billing",
            "If we switch to the annual plan in the middle of the month, is the current month refunded?",
        ),
        ("complaint", "We were charged for the annual plan although we only asked for a quote."),
    ),
    "F-mobile-approvals": (
        ("bug", "The approve button in the mobile app does nothing on Android 14."),
        ("question", "Can I approve invoices from my phone without the app, in the browser?"),
    ),
    "F-referral-program": (
        ("question", "Where can I see whether my referral credit was applied?"),
    ),
    "F-bank-feeds": (
        (
            "bug",
            "The bank feed for our Sparkasse account stopped syncing on Tuesday. Transactions since then are missing.",
        ),
        ("bug", "Every transaction from the bank feed shows up twice in reconciliation."),
        ("bug", "The bank feed asks us to re-authenticate every single day."),
        (
            "complaint",
            "Reconciliation got slower since bank feeds: I now have 300 unmatched lines instead of 40.",
        ),
        (
            "complaint",
            "Reconciling used to take me 5 minutes. With the feed it takes 10 because of all the duplicates.",
        ),
        (
            "question",
            "Which banks are supported by the live bank feed? Ours (Volksbank) is not in the list.",
        ),
    ),
    "F-approval-rules-v2": (
        ("question", "I can't find where to set the amount threshold in the new approval rules."),
        (
            "question",
            "What is the difference between 'any of' and 'all of' approvers in the new rule editor?",
        ),
        (
            "complaint",
            "The new rule editor is much harder than the old one. It took me 40 minutes to set up one rule.",
        ),
        (
            "bug",
            "Saving an approval rule with two conditions fails with 'invalid rule', no further details.",
        ),
    ),
    "F-2fa-enforcement": (
        (
            "question",
            "One of our users lost her phone and cannot sign in because of two-factor. How do we reset it?",
        ),
        ("question", "Can we use hardware keys (YubiKey) instead of the authenticator app?"),
    ),
    "F-ai-assistant": (
        (
            "bug",
            "The assistant answered with invoices from last year when I asked for open invoices.",
        ),
        ("question", "Does the assistant send our data to a third party? Our DPO needs to know."),
    ),
    "F-workspace-templates": (
        ("question", "Can we make our own template from an existing workspace?"),
    ),
    "F-invoice-designer": (
        ("feature_request", "Please allow a second logo in the invoice footer."),
        ("bug", "The invoice designer cuts off long addresses after the second line."),
    ),
}

_FIRST_NAMES = (
    "Jana",
    "Tobias",
    "Aylin",
    "Marek",
    "Sophie",
    "Lukas",
    "Priya",
    "Jörg",
    "Elena",
    "Finn",
)
_LAST_NAMES = ("weber", "novak", "kaya", "schmidt", "olsen", "brandt", "rossi", "meyer")
_MAIL_DOMAINS = ("example.com", "example.org", "example.net")
# Phone numbers from ranges reserved for fiction (Ofcom drama numbers, US 555-01xx).
_PHONES = ("+44 20 7946 0{:03d}", "+1 202 555 01{:02d}", "(020) 7946 0{:03d}")


def _contact(rng) -> str:
    first = _FIRST_NAMES[rng.integers(len(_FIRST_NAMES))]
    if rng.random() < 0.5:
        last = _LAST_NAMES[rng.integers(len(_LAST_NAMES))]
        domain = _MAIL_DOMAINS[rng.integers(len(_MAIL_DOMAINS))]
        mail = f"{first.lower().replace('ö', 'oe')}.{last}@{domain}"
        return f"Please reply to {mail}, I am not the account owner."
    pattern = _PHONES[rng.integers(len(_PHONES))]
    number = pattern.format(int(rng.integers(100)))
    return f"Call me back on {number} if that is easier. {first}"


def _tickets(rng: np.random.Generator) -> pd.DataFrame:
    first = min(r.released_on for r in RELEASES)
    days = np.arange(np.datetime64(first, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    weekday = (days - np.datetime64("1970-01-05", "D")).astype(int) % 7
    records = []
    for i, day in enumerate(days):
        date = day.astype(dt.date)
        n = rng.poisson(0.1 if weekday[i] >= 5 else 1.0)
        released = [f for f in FEATURES if _release(f.release_id).released_on <= date]
        age = np.asarray([(date - _release(f.release_id).released_on).days for f in released])
        weights = np.asarray([f.tickets for f in released]) * (0.3 + 3.0 * np.exp(-age / 30.0))
        for _ in range(n):
            if rng.random() < 0.15:
                category, text = _GENERIC_TICKETS[rng.integers(len(_GENERIC_TICKETS))]
                feature_id = ""
            else:
                feature = released[rng.choice(len(released), p=weights / weights.sum())]
                options = _FEATURE_TICKETS[feature.feature_id]
                category, text = options[rng.integers(len(options))]
                feature_id = feature.feature_id
            if rng.random() < 0.25:
                name = _FIRST_NAMES[rng.integers(len(_FIRST_NAMES))]
                text = f"Hi support team,\n\n{text}\n\nThanks, {name}"
            if rng.random() < 0.04:
                text = f"{text}\n{_contact(rng)}"
            records.append((i, int(rng.integers(7 * 3600, 19 * 3600)), feature_id, category, text))
    day = np.asarray([r[0] for r in records])
    utc = _local_to_utc(days[day], np.asarray([r[1] for r in records]))
    order = np.argsort(utc, kind="stable")
    return pd.DataFrame(
        {
            "ticket_id": [f"T-{10001 + i}" for i in range(len(order))],
            "created_at": _format_utc(utc[order]),
            "feature_id": [records[j][2] for j in order],
            "category": [records[j][3] for j in order],
            "text": [records[j][4] for j in order],
        }
    )


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------


def _format_target(h: _Hypothesis) -> str:
    if h.metric == "task_time":
        return f"<= {h.target:g} s"
    if h.metric in ("completion_rate", "adoption"):
        return f">= {h.target:.0%}"
    if h.metric in ("error_rate", "churn"):
        return f"<= {h.target:.1%}".replace(".0%", "%")
    return f">= {h.target:g}"


def _readme(seed: int, tables: dict[str, pd.DataFrame], *, events: int | None = None) -> str:
    hypotheses_of = {}
    for h in HYPOTHESES:
        hypotheses_of.setdefault(h.feature_id, []).append(h.id)
    written_by = (
        f"`cvlib sample data/sample` (`cvlib.sample.write_sample`) with seed {seed}"
        if events is None
        else f"`cvlib sample OUT --events {events}` (`cvlib.sample.write_sample`) with seed {seed}"
    )
    lines = [
        f"# Sample workspace: {PRODUCT}",
        "",
        f"A year of made-up data for **{PRODUCT}**, a fictional B2B SaaS for finance teams of small and",
        "mid-sized companies (invoicing, payments, expenses, reporting). Written by",
        written_by
        + (" (the default)." if seed == DEFAULT_SEED else f" (the default is {DEFAULT_SEED})."),
    ]
    if events is None:
        lines += [
            "Do not edit these files by hand: change `cvlib/sample.py` and regenerate, a test compares",
            "`data/sample/` with a fresh run byte for byte.",
        ]
    else:
        lines += [
            f"This is the large variant: {events:,} product events as Parquet files partitioned by month",
            "(`events/month=YYYY-MM/part-0.parquet`, declared under `sources` in `workspace.yaml`) instead",
            "of `events.csv`; every other file is the one of the default sample. The events come from the",
            "same model for as many users as it takes (about 67 events per user), with adopters drawn at",
            "each feature's designed rate: adoption shares match the design in distribution, not exactly,",
            "so adoption verdicts near their target (H-shared-adoption) may differ from the table below.",
        ]
    lines += [
        "",
        "Nothing here is real: people, companies, e-mail addresses (`example.com/.org/.net`) and",
        "phone numbers (ranges reserved for fiction) are invented.",
        "",
        "## Settings (`workspace.yaml`)",
        "",
        f"- product {PRODUCT}, currency {CURRENCY}, hourly cost {HOURLY_COST}, confidence level {CONFIDENCE_LEVEL},",
        f"  timezone {TIMEZONE}.",
        f"- `data_through: {DATA_THROUGH.isoformat()}` is set explicitly, so no verdict depends on today's date.",
        f"- Events, surveys and tickets run from {FIRST_DAY.isoformat()} to {DATA_THROUGH.isoformat()}; accounts",
        f"  start from {ACCOUNTS_SINCE.isoformat()}. Events and survey responses happen during local working",
        "  hours (no times near midnight), written in UTC with `Z`.",
        "",
        "## Releases and features",
        "",
        "| release | released on | feature | value type | effort | hypotheses |",
        "|---|---|---|---|---|---|",
    ]
    for r in RELEASES:
        for f in FEATURES:
            if f.release_id != r.release_id:
                continue
            hyps = ", ".join(hypotheses_of.get(f.feature_id, [])) or "none"
            lines.append(
                f"| {r.release_id} {r.name} | {r.released_on.isoformat()} | {f.feature_id} | "
                f"{f.value_type} | {f.effort_points} | {hyps} |"
            )
    no_hypothesis = [f.feature_id for f in FEATURES if f.feature_id not in hypotheses_of]
    lines += [
        "",
        f"{len(RELEASES)} releases, {len(FEATURES)} features; {len(no_hypothesis)} features have",
        f"no hypothesis ({', '.join(no_hypothesis)}): shipped output with no stated",
        "outcome. F-bank-feeds has two hypotheses with different outcomes, so the feature does not",
        "count as validated.",
        "",
        "## Hypotheses and their designed outcome",
        "",
        '"True value" is what the data are drawn from; the intended verdict follows from the rules',
        "of issue 4 (95% intervals). Task-time, completion-rate, error-rate and adoption hypotheses get",
        "their verdict for every seed by construction (exact counts, calibrated geometric means, exact",
        "adopter shares among users active in the window); NPS and churn are drawn at random with",
        "margins that hold for the default seed.",
        "",
        "| hypothesis | metric | target | true value | intended verdict | why |",
        "|---|---|---|---|---|---|",
    ]
    for h in HYPOTHESES:
        lines.append(
            f"| {h.id} | {h.metric} | {_format_target(h)} | {h.truth} | **{h.intended}** | {h.why} |"
        )
    counts = {}
    for h in HYPOTHESES:
        counts[h.intended] = counts.get(h.intended, 0) + 1
    late = [
        h.id
        for h in HYPOTHESES
        if h.created_on and h.created_on > _release(_feature(h.feature_id).release_id).released_on
    ]
    paired = [h.id for h in HYPOTHESES if h.design == "paired"]
    latest = RELEASES[-1]
    last_day = latest.released_on + dt.timedelta(days=29)
    lines += [
        "",
        "Intended: "
        + ", ".join(
            f"{counts.get(v, 0)} {v}"
            for v in (VALIDATED, NOT_VALIDATED, INCONCLUSIVE, INSUFFICIENT)
        )
        + f". Paired design: {', '.join(paired)}. Written after its release: {', '.join(late)}.",
        "",
        "## The incomplete latest release",
        "",
        f'{latest.release_id} "{latest.name}" shipped on {latest.released_on.isoformat()}; its 30-day',
        f"windows end on {last_day.isoformat()}, after `data_through` {DATA_THROUGH.isoformat()}. Events",
        "and survey responses after the release are there, but its adoption and NPS hypotheses are",
        "`insufficient_data` until the windows are complete.",
        "",
        "## Segments",
        "",
        "Three segments: `smb`, `mid_market`, `enterprise` (users about 55/30/15%, accounts 60/30/10%).",
        "Enterprise users are a little more active and adopt security and collaboration features more;",
        "smb accounts churn about three times as often as enterprise ones.",
        "",
        "## Files",
        "",
        "| file | rows | what |",
        "|---|---|---|",
    ]
    describe = {
        "releases.csv": "one row per release",
        "features.csv": "one row per feature, with `effort_points`",
        "task_times.csv": "moderated usability studies: one row per attempt of a task, before (old version) and "
        "after (new version); lognormal times rounded to 0.1 s; failed attempts with or without a time; "
        "some participants try twice",
        "events.csv": "product analytics: `login` and generic events (`view_dashboard`, `view_invoices`, "
        "`create_invoice`, `search`, `open_settings`) plus one event named by the `feature_id` each day "
        "a user uses a feature",
        "surveys.csv": "in-app NPS survey (0-10), many comments empty, some about a feature (`feature_id`)",
        "accounts.csv": "customer accounts with start, churn date (empty: still a customer), segment and "
        "monthly revenue (`mrr`, EUR)",
        "tickets.csv": "support tickets, most about a feature; a few contain e-mail addresses or phone "
        "numbers, which reports must redact; some span several lines",
    }
    for name, text in describe.items():
        if name == "events.csv" and events is not None:
            lines.append(f"| `events/month=YYYY-MM/part-0.parquet` | {events:,} | {text} |")
            continue
        lines.append(f"| `{name}` | {len(tables[name]):,} | {text} |")
    lines.append("")
    return "\n".join(lines)
