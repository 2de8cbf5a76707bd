"""Customer accounts and the random holdout of a feature: ``accounts.csv``, ``exposures.csv``.

Accounts start at a rising rate since :data:`~cvlib.sample.plan.ACCOUNTS_SINCE`
(fewer at weekends), with a lognormal monthly revenue per segment. Each churns
when its share of the churn hazard is used up: the 30-day churn level of the
day (:data:`~cvlib.sample.plan.CHURN_LEVELS`) times the segment's relative risk.

A feature with a ``holdout_share`` is kept from that share of the accounts at
random: every account still a customer on its release day is assigned then
(at local midnight), every later account on the day it starts. From the
release on, a treatment account's hazard is ``churn_hazard_ratio`` times the
rest's; the draws for the holdout come after every other, so every other
draw is that of a sample without it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cvlib.sample.clock import day_index, format_utc, local_to_utc, weekdays
from cvlib.sample.plan import (
    ACCOUNT_SEGMENT_SHARES,
    ACCOUNTS_SINCE,
    CHURN_LEVELS,
    CHURN_RISK,
    DATA_THROUGH,
    FEATURES,
    SEGMENTS,
    level_on,
    release_by_id,
)

__all__ = ["draw_accounts"]


def draw_accounts(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``accounts.csv`` (every account started since ACCOUNTS_SINCE, churned or not) and
    ``exposures.csv`` (the accounts of each feature with a holdout, by group)."""
    days = np.arange(np.datetime64(ACCOUNTS_SINCE, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    n_days = len(days)
    weekday = weekdays(days)
    rate = np.linspace(1.3, 2.6, n_days) * np.where(weekday >= 5, 0.3, 1.2)
    started = np.repeat(np.arange(n_days), rng.poisson(rate))
    n = len(started)
    segment = rng.choice(3, size=n, p=ACCOUNT_SEGMENT_SHARES)
    median_mrr = np.asarray((140.0, 900.0, 4800.0))[segment]
    spread = np.asarray((0.45, 0.40, 0.35))[segment]
    mrr = np.round(median_mrr * np.exp(rng.normal(0.0, 1.0, n) * spread)).astype(int)

    monthly = np.asarray([level_on(CHURN_LEVELS, d.astype(dt.date)) for d in days])
    hazard = -np.log1p(-monthly) / 30.0  # per day
    cumulative = np.cumsum(hazard)
    threshold = cumulative[started] + rng.exponential(1.0, n) / np.asarray(CHURN_RISK)[segment]
    churned = np.searchsorted(cumulative, threshold)  # first day by which the hazard is used up
    exposures = []
    for feature in (f for f in FEATURES if f.holdout_share is not None):
        release = day_index(days, release_by_id(feature.release_id).released_on)
        assigned = np.flatnonzero(churned >= np.maximum(started, release))
        held = rng.random(len(assigned)) < feature.holdout_share
        treated = assigned[~held]
        ratio = np.where(np.arange(n_days) >= release, feature.churn_hazard_ratio, 1.0)
        slower = np.cumsum(hazard * ratio)
        # the same share of the hazard, used up more slowly from the release on
        churned[treated] = np.searchsorted(
            slower, slower[started[treated]] + (threshold[treated] - cumulative[started[treated]])
        )
        on = days[np.maximum(started[assigned], release)]
        exposures.append(
            pd.DataFrame(
                {
                    "unit_id": [f"A-{i + 1:05d}" for i in assigned],
                    "unit": "account",
                    "feature_id": feature.feature_id,
                    "group": np.where(held, "holdout", "treatment"),
                    "assigned_at": format_utc(local_to_utc(on, np.zeros(len(on), dtype=int))),
                }
            )
        )
    churned_on = np.where(
        churned < n_days,
        np.datetime_as_string(days[np.minimum(churned, n_days - 1)], unit="D"),
        "",
    )
    accounts = pd.DataFrame(
        {
            "account_id": [f"A-{i:05d}" for i in range(1, n + 1)],
            "started_on": np.datetime_as_string(days[started], unit="D"),
            "churned_on": churned_on,
            "segment": np.asarray(SEGMENTS)[segment],
            "mrr": mrr,
        }
    )
    columns = ["unit_id", "unit", "feature_id", "group", "assigned_at"]
    return accounts, pd.concat(exposures) if exposures else pd.DataFrame(columns=columns)
