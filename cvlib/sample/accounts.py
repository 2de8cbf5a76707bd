"""Customer accounts: ``accounts.csv``.

Accounts start at a rising rate since :data:`~cvlib.sample.plan.ACCOUNTS_SINCE`
(fewer at weekends), with a lognormal monthly revenue per segment. Each churns
when its share of the churn hazard is used up: the 30-day churn level of the
day (:data:`~cvlib.sample.plan.CHURN_LEVELS`) times the segment's relative risk.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cvlib.sample.clock import weekdays
from cvlib.sample.plan import (
    ACCOUNT_SEGMENT_SHARES,
    ACCOUNTS_SINCE,
    CHURN_LEVELS,
    CHURN_RISK,
    DATA_THROUGH,
    SEGMENTS,
    level_on,
)

__all__ = ["draw_accounts"]


def draw_accounts(rng: np.random.Generator) -> pd.DataFrame:
    """``accounts.csv``: every account started since ACCOUNTS_SINCE, churned or not."""
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
