"""Support tickets: ``tickets.csv``.

About one ticket per working day from the first release on. Most are about a
feature already released, chosen by its relative ticket volume and more often
soon after its release; some are signed, and a few contain an e-mail address
or a phone number (invented, from ranges reserved for examples and fiction),
which reports must redact. Texts from :mod:`cvlib.sample.texts`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cvlib.sample.clock import format_utc, local_to_utc, weekdays
from cvlib.sample.plan import DATA_THROUGH, FEATURES, RELEASES, release_by_id
from cvlib.sample.texts import (
    FEATURE_TICKETS,
    FIRST_NAMES,
    GENERIC_TICKETS,
    LAST_NAMES,
    MAIL_DOMAINS,
    PHONES,
)

__all__ = ["draw_tickets"]


def _contact(rng) -> str:
    """A line with an e-mail address or a phone number, for a ticket."""
    first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
    if rng.random() < 0.5:
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        domain = MAIL_DOMAINS[rng.integers(len(MAIL_DOMAINS))]
        mail = f"{first.lower().replace('ö', 'oe')}.{last}@{domain}"
        return f"Please reply to {mail}, I am not the account owner."
    pattern = PHONES[rng.integers(len(PHONES))]
    number = pattern.format(int(rng.integers(100)))
    return f"Call me back on {number} if that is easier. {first}"


def draw_tickets(rng: np.random.Generator) -> pd.DataFrame:
    """``tickets.csv``: support tickets from the first release to DATA_THROUGH."""
    first = min(r.released_on for r in RELEASES)
    days = np.arange(np.datetime64(first, "D"), np.datetime64(DATA_THROUGH, "D") + 1)
    weekday = weekdays(days)
    records = []
    for i, day in enumerate(days):
        date = day.astype(dt.date)
        n = rng.poisson(0.1 if weekday[i] >= 5 else 1.0)
        released = [f for f in FEATURES if release_by_id(f.release_id).released_on <= date]
        age = np.asarray([(date - release_by_id(f.release_id).released_on).days for f in released])
        weights = np.asarray([f.tickets for f in released]) * (0.3 + 3.0 * np.exp(-age / 30.0))
        for _ in range(n):
            if rng.random() < 0.15:
                chosen = GENERIC_TICKETS[rng.integers(len(GENERIC_TICKETS))]
                feature_id = ""
            else:
                feature = released[rng.choice(len(released), p=weights / weights.sum())]
                options = FEATURE_TICKETS[feature.feature_id]
                chosen = options[rng.integers(len(options))]
                feature_id = feature.feature_id
            category, text = chosen.category, chosen.text
            if rng.random() < 0.25:
                name = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
                text = f"Hi support team,\n\n{text}\n\nThanks, {name}"
            if rng.random() < 0.04:
                text = f"{text}\n{_contact(rng)}"
            records.append((i, int(rng.integers(7 * 3600, 19 * 3600)), feature_id, category, text))
    day = np.asarray([r[0] for r in records])
    utc = local_to_utc(days[day], np.asarray([r[1] for r in records]))
    order = np.argsort(utc, kind="stable")
    return pd.DataFrame(
        {
            "ticket_id": [f"T-{10001 + i}" for i in range(len(order))],
            "created_at": format_utc(utc[order]),
            "feature_id": [records[j][2] for j in order],
            "category": [records[j][3] for j in order],
            "text": [records[j][4] for j in order],
        }
    )
