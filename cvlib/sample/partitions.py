"""Events at scale (``write_sample(..., events=N)``): Parquet files partitioned by month.

:func:`write_event_partitions` simulates users chunk by chunk with the model of
:mod:`cvlib.sample.events` (adopters drawn with the designed probability rather
than in exact shares) and appends each chunk's events to one Parquet file per
UTC month, so memory stays bounded whatever the number of events.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from zoneinfo import ZoneInfo

import numpy as np

from cvlib.sample.events import GENERIC_EVENTS, GENERIC_WEIGHTS, feature_uses, user_draws
from cvlib.sample.plan import DATA_THROUGH, FEATURES, FIRST_DAY, SEGMENTS, TIMEZONE, release_by_id

__all__ = ["write_event_partitions"]

_CHUNK_USERS = 32_768  # users per chunk: about 2.2 million events, a few hundred MB of arrays
_EVENTS_PER_USER = 60  # a little below the mean (about 67), to size a small run's only chunk


def write_event_partitions(folder: pathlib.Path, rng: np.random.Generator, n_events: int) -> None:
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

    names = pa.array(["login", *GENERIC_EVENTS, *(f.feature_id for f in FEATURES)])
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

    The model of :func:`~cvlib.sample.events.draw_users` and
    :func:`~cvlib.sample.events.draw_events`, for a chunk of users and in
    bounded memory; adopters are drawn with the designed probability per
    segment (no exact shares).
    """
    n_days = len(days)
    segment, joined, left, rate, day_factor = user_draws(rng, n, days)
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
    generic = rng.choice(len(GENERIC_EVENTS), size=len(rep), p=GENERIC_WEIGHTS)
    ev_code.append((1 + generic).astype(np.int8))
    del rep, generic

    for code, feature in enumerate(FEATURES, start=1 + len(GENERIC_EVENTS)):
        released = np.datetime64(release_by_id(feature.release_id).released_on, "D")
        first_day = int((released - days[0]).astype(int))
        adopters = np.flatnonzero(rng.random(n) < np.asarray(feature.adoption)[segment])
        if first_day >= n_days or len(adopters) == 0:
            continue
        u, d = feature_uses(rng, active, adopters, first_day, feature.use_rate, np.float32)
        ev_user.append(u)
        ev_day.append(d)
        ev_sec.append(start[session[u, d]] + rng.integers(20, 5400, len(u)))
        ev_code.append(np.full(len(u), code, dtype=np.int8))
    del session, active

    ev_day = np.concatenate(ev_day)
    ev_sec = np.minimum(np.concatenate(ev_sec), 22 * 3600)
    utc = midnight_utc[ev_day] + ev_sec
    return np.concatenate(ev_user), utc, np.concatenate(ev_code), segment
