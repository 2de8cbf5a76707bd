"""The in-app NPS survey: ``surveys.csv``.

Every day a Poisson number of the users who exist that day answer (fewer at
weekends). Scores follow the NPS of the day (:func:`~cvlib.sample.plan.nps_on`:
the steps of :data:`~cvlib.sample.plan.NPS_LEVELS` on a steady upward trend)
with a third passives; some responses
carry a comment, detractors more often, and some comments are about a feature
already released, recent ones more likely (texts from
:mod:`cvlib.sample.texts`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cvlib.sample.clock import format_utc, local_to_utc, weekdays
from cvlib.sample.events import Users
from cvlib.sample.plan import (
    FEATURES,
    PASSIVE_SHARE,
    SEGMENTS,
    nps_on,
    release_by_id,
)
from cvlib.sample.texts import FEATURE_COMMENTS, GENERIC_COMMENTS

__all__ = ["draw_surveys"]


def _score(rng, nps: float) -> tuple[int, str]:
    """A score and the kind of respondent, drawn so that the expected NPS is ``nps``."""
    promoters = (1.0 - PASSIVE_SHARE + nps / 100.0) / 2.0
    detractors = (1.0 - PASSIVE_SHARE - nps / 100.0) / 2.0
    kind = rng.choice(3, p=(promoters, PASSIVE_SHARE, detractors))
    if kind == 0:
        return int(rng.choice((9, 10), p=(0.55, 0.45))), "promoter"
    if kind == 1:
        return int(rng.choice((7, 8), p=(0.45, 0.55))), "passive"
    weights = np.asarray((1, 1, 1, 2, 3, 5, 7), dtype=float)
    return int(rng.choice(7, p=weights / weights.sum())), "detractor"


def draw_surveys(rng: np.random.Generator, users: Users) -> pd.DataFrame:
    """``surveys.csv``: in-app NPS responses of ``users``, some with a comment."""
    weekday = weekdays(users.days)
    rows = {"user": [], "day": [], "sec": [], "score": [], "comment": [], "feature_id": []}
    for i, day in enumerate(users.days):
        date = day.astype(dt.date)
        n = rng.poisson(14.0 if weekday[i] >= 5 else 50.0)
        eligible = np.flatnonzero((users.joined <= i) & (users.left > i))
        released = [f for f in FEATURES if release_by_id(f.release_id).released_on <= date]
        nps = nps_on(date)
        for user in rng.choice(eligible, size=n):
            score, kind = _score(rng, nps)
            comment, feature_id = "", ""
            if rng.random() < (0.45 if kind == "detractor" else 0.30):
                options = [f for f in released if kind in FEATURE_COMMENTS.get(f.feature_id, {})]
                if options and rng.random() < 0.45:
                    age = np.asarray(
                        [(date - release_by_id(f.release_id).released_on).days for f in options]
                    )
                    weights = 1.0 + 4.0 * np.exp(-age / 45.0)
                    feature = options[rng.choice(len(options), p=weights / weights.sum())]
                    texts = FEATURE_COMMENTS[feature.feature_id][kind]
                    comment, feature_id = texts[rng.integers(len(texts))], feature.feature_id
                else:
                    texts = GENERIC_COMMENTS[kind]
                    comment = texts[rng.integers(len(texts))]
            rows["user"].append(user)
            rows["day"].append(i)
            rows["sec"].append(int(rng.integers(8 * 3600, 20 * 3600)))
            rows["score"].append(score)
            rows["comment"].append(comment)
            rows["feature_id"].append(feature_id)
    user = np.asarray(rows["user"], dtype=np.int64)
    utc = local_to_utc(users.days[np.asarray(rows["day"])], np.asarray(rows["sec"]))
    order = np.lexsort((user, utc))
    return pd.DataFrame(
        {
            "response_id": [f"R-{i:05d}" for i in range(1, len(order) + 1)],
            "user_id": users.ids[user[order]],
            "submitted_at": format_utc(utc[order]),
            "score": np.asarray(rows["score"])[order],
            "comment": np.asarray(rows["comment"], dtype=object)[order],
            "feature_id": np.asarray(rows["feature_id"], dtype=object)[order],
            "segment": np.asarray(SEGMENTS)[users.segment[user[order]]],
        }
    )
