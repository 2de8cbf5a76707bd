"""Users, their activity and the product events of the default sample: ``events.csv``.

:func:`draw_users` draws 1,300 users (segment, the days they join and leave,
an activity rate) and the days on which each is active; :func:`draw_events`
turns those into events: a ``login`` per active day, a few generic events per
session, and one event named by the ``feature_id`` each day an adopter uses a
feature from its release on. For features with an adoption hypothesis the
share of adopters among the users active in the window is exact per segment.
The large variant (:mod:`cvlib.sample.partitions`) draws from the same model
with :func:`user_draws` and :func:`feature_uses`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cvlib.sample.clock import day_index, format_utc, local_to_utc, weekdays
from cvlib.sample.plan import (
    DATA_THROUGH,
    FEATURES,
    FIRST_DAY,
    HYPOTHESES,
    SEGMENTS,
    USER_SEGMENT_SHARES,
    Feature,
    release_by_id,
)

__all__ = [
    "GENERIC_EVENTS",
    "GENERIC_WEIGHTS",
    "Users",
    "draw_events",
    "draw_users",
    "feature_uses",
    "user_draws",
]


@dataclass(frozen=True, slots=True)
class Users:
    ids: np.ndarray  # "u-00001", ...
    segment: np.ndarray  # index into SEGMENTS
    joined: np.ndarray  # day index from which the user exists
    left: np.ndarray  # day index from which the user is gone
    active: np.ndarray  # (users, days) bool: any event that day
    days: np.ndarray  # datetime64[D], FIRST_DAY .. DATA_THROUGH


_N_USERS = 1300
GENERIC_EVENTS = ("view_dashboard", "view_invoices", "create_invoice", "search", "open_settings")
GENERIC_WEIGHTS = (0.34, 0.30, 0.16, 0.14, 0.06)


def user_draws(rng: np.random.Generator, n: int, days: np.ndarray):
    """The per-user model of both generators, drawn in one order: segment, the day a user
    joins and the day they leave (10% leave), their activity rate, and the weekday factor
    of each day (weekends 0.12)."""
    n_days = len(days)
    weekday = weekdays(days)  # 0 = Monday
    segment = rng.choice(3, size=n, p=USER_SEGMENT_SHARES)
    joined = np.where(rng.random(n) < 0.8, 0, rng.integers(1, n_days, n))
    leaves = rng.random(n) < 0.1
    left = np.where(leaves, np.minimum(joined + rng.integers(30, n_days, n), n_days), n_days)
    rate = rng.beta(2.0, 24.0, n) * np.asarray((1.0, 1.1, 1.2))[segment]
    day_factor = np.where(weekday >= 5, 0.12, 1.0)
    return segment, joined, left, rate, day_factor


def draw_users(rng: np.random.Generator) -> Users:
    """The users of the default sample and the days on which each is active."""
    days = np.arange(np.datetime64(FIRST_DAY, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    n_days = len(days)
    segment, joined, left, rate, day_factor = user_draws(rng, _N_USERS, days)
    active = rng.random((_N_USERS, n_days)) < rate[:, None] * day_factor[None, :]
    day = np.arange(n_days)[None, :]
    active &= (day >= joined[:, None]) & (day < left[:, None])
    ids = np.array([f"u-{i:05d}" for i in range(1, _N_USERS + 1)])
    return Users(ids, segment, joined, left, active, days)


def _adopters(rng, users: Users, feature: Feature) -> np.ndarray:
    """Which users take a feature up (bool per user).

    For a feature with an adoption hypothesis, the share of adopters among the
    users active in the hypothesis window is exactly the designed one, per segment.
    """
    p = np.asarray(feature.adoption)[users.segment]
    adopters = rng.random(len(p)) < p
    released = release_by_id(feature.release_id).released_on
    for h in HYPOTHESES:
        if h.feature_id != feature.feature_id or h.metric != "adoption":
            continue
        start = day_index(users.days, released)
        end = min(start + h.window_days, len(users.days))
        in_window = users.active[:, start:end].any(axis=1)
        for s in range(len(SEGMENTS)):
            idx = np.flatnonzero(in_window & (users.segment == s))
            k = int(np.floor(feature.adoption[s] * len(idx) + 0.5))
            adopters[idx] = False
            adopters[rng.permutation(idx)[:k]] = True
    return adopters


def feature_uses(rng, active, adopters, first_day, use_rate, dtype=np.float64):
    """The (user, day index) pairs on which ``adopters`` use a feature released on ``first_day``.

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


def draw_events(rng: np.random.Generator, users: Users) -> pd.DataFrame:
    """``events.csv``: a login per active day, generic events, and feature use by adopters."""
    user, day = np.nonzero(users.active)
    n_sessions = len(user)
    session = np.full(users.active.shape, -1, dtype=np.int64)
    session[user, day] = np.arange(n_sessions)
    start = rng.integers(7 * 3600, 17 * 3600, n_sessions)  # local seconds after midnight

    names = ["login", *GENERIC_EVENTS, *(f.feature_id for f in FEATURES)]
    ev_user = [user]
    ev_day = [day]
    ev_sec = [start]
    ev_name = [np.zeros(n_sessions, dtype=np.int64)]

    k = rng.poisson(1.3, n_sessions)
    rep = np.repeat(np.arange(n_sessions), k)
    ev_user.append(user[rep])
    ev_day.append(day[rep])
    ev_sec.append(start[rep] + rng.integers(20, 5400, len(rep)))
    ev_name.append(1 + rng.choice(len(GENERIC_EVENTS), size=len(rep), p=GENERIC_WEIGHTS))

    for code, feature in enumerate(FEATURES, start=1 + len(GENERIC_EVENTS)):
        adopters = np.flatnonzero(_adopters(rng, users, feature))
        first_day = day_index(users.days, release_by_id(feature.release_id).released_on)
        if first_day >= len(users.days):
            continue
        u, d = feature_uses(rng, users.active, adopters, first_day, feature.use_rate)
        ev_user.append(u)
        ev_day.append(d)
        ev_sec.append(start[session[u, d]] + rng.integers(20, 5400, len(u)))
        ev_name.append(np.full(len(u), code, dtype=np.int64))

    ev_user = np.concatenate(ev_user)
    ev_day = np.concatenate(ev_day)
    ev_sec = np.minimum(np.concatenate(ev_sec), 22 * 3600)
    ev_name = np.concatenate(ev_name)
    utc = local_to_utc(users.days[ev_day], ev_sec)
    order = np.lexsort((ev_name, ev_user, utc))
    return pd.DataFrame(
        {
            "timestamp": format_utc(utc[order]),
            "user_id": users.ids[ev_user[order]],
            "event": np.asarray(names)[ev_name[order]],
            "segment": np.asarray(SEGMENTS)[users.segment[ev_user[order]]],
        }
    )
