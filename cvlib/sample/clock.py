"""Days and times of the sample: day indices, local working hours to UTC, ``...Z`` timestamps."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cvlib.sample.plan import TIMEZONE

__all__ = ["day_index", "format_utc", "local_to_utc", "weekdays"]


def day_index(days: np.ndarray, date: dt.date) -> int:
    """The position of ``date`` in the consecutive ``datetime64[D]`` days ``days``."""
    return int((np.datetime64(date, "D") - days[0]).astype(int))


def weekdays(days: np.ndarray) -> np.ndarray:
    """The weekday of each of the ``datetime64[D]`` days ``days``: 0 = Monday, 6 = Sunday."""
    return (days - np.datetime64("1970-01-05", "D")).astype(int) % 7


def local_to_utc(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Local wall-clock times in TIMEZONE -> UTC as datetime64[s] (no times in DST gaps)."""
    local = days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    index = pd.DatetimeIndex(local).tz_localize(TIMEZONE).tz_convert("UTC").tz_localize(None)
    return index.to_numpy().astype("datetime64[s]")


def format_utc(values: np.ndarray) -> np.ndarray:
    """``datetime64`` values as ISO 8601 text in UTC with ``Z``: ``2026-02-03T08:15:00Z``."""
    return np.char.add(np.datetime_as_string(values.astype("datetime64[s]"), unit="s"), "Z")
