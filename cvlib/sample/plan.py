"""The design of the sample: settings, releases, features, hypotheses, usability studies, timelines.

The tables are the data files ``releases.yaml``, ``features.yaml``,
``hypotheses.yaml`` and ``studies.yaml`` (package data under
``cvlib/sample/data/``), read once on import into frozen dataclasses; the
numbers of the simulation (segment shares, NPS and churn levels over time)
are constants here. Every other module of :mod:`cvlib.sample` reads the design
from this one, so the generated data, ``hypotheses.yaml`` and the README
cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cvlib.sample.resources import build, load

#: Seed used by :func:`~cvlib.sample.write_sample` (and ``cvlib sample``) unless told otherwise.
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
USER_SEGMENT_SHARES = (0.55, 0.30, 0.15)
ACCOUNT_SEGMENT_SHARES = (0.60, 0.30, 0.10)
PARTICIPANT_SEGMENT_SHARES = (0.50, 0.30, 0.20)

VALIDATED, NOT_VALIDATED = "validated", "not_validated"
INCONCLUSIVE, INSUFFICIENT = "inconclusive", "insufficient_data"
VERDICTS = (VALIDATED, NOT_VALIDATED, INCONCLUSIVE, INSUFFICIENT)


@dataclass(frozen=True, slots=True)
class Release:
    release_id: str
    name: str
    released_on: dt.date


@dataclass(frozen=True, slots=True)
class Feature:
    feature_id: str
    release_id: str
    name: str
    value_type: str
    effort_points: int
    adoption: tuple[float, float, float]  # share of users who take it up, per segment
    use_rate: float  # chance an adopter uses it again on a later active day
    tickets: float  # relative support-ticket volume
    holdout_share: float | None = None  # accounts kept from it at random (exposures.csv)
    churn_hazard_ratio: float | None = None  # churn hazard of its treatment accounts after it


@dataclass(frozen=True, slots=True)
class Hypothesis:
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
    kind: str | None = None
    margin: float | None = None
    expected: float | None = None
    planned_n: int | None = None
    registered: dict | None = None  # the keys whose first published value differed


@dataclass(frozen=True, slots=True)
class Phase:
    attempts: int  # rows
    gm: float  # geometric mean seconds of completed attempts
    sdlog: float  # spread of ln(seconds)
    completed: int | None = None  # exact number of completed attempts, or
    p_completed: float = 0.92  # ... the chance that an attempt is completed
    with_errors: int | None = None  # exact number of attempts with errors >= 1, or
    p_errors: float = 0.15  # ... the chance of one
    repeats: int = 0  # participants with a second attempt in this phase


@dataclass(frozen=True, slots=True)
class Study:
    release_id: str
    task: str
    before: Phase
    after: Phase
    paired: bool = False
    calibrate: bool = False  # shift times so the geometric means are exactly gm


def _records(name: str, cls, prepare=None) -> tuple:
    """The list under the key named like the file ``name``, each record as ``cls``."""
    key = name.removesuffix(".yaml")
    records = []
    for i, record in enumerate(load(name)[key]):
        where = f"{name}: {key}[{i}]"
        if prepare is not None and isinstance(record, dict):
            record = prepare(where, record)
        records.append(build(cls, record, where))
    return tuple(records)


def _adoption_per_segment(where: str, record: dict) -> dict:
    shares = record.get("adoption")
    if not isinstance(shares, dict) or set(shares) != set(SEGMENTS):
        raise ValueError(
            f"{where}: adoption: expected a share per segment ({', '.join(SEGMENTS)}), "
            f"found {shares!r}"
        )
    return {**record, "adoption": tuple(shares[s] for s in SEGMENTS)}


def _phases(where: str, record: dict) -> dict:
    phases = {key: build(Phase, record.get(key), f"{where}: {key}") for key in ("before", "after")}
    return {**record, **phases}


def _refers(where: str, field: str, value: str, known) -> None:
    if value not in known:
        raise ValueError(f"{where}: {field}: expected one of {', '.join(known)}, found {value!r}")


def _design():
    releases = _records("releases.yaml", Release)
    features = _records("features.yaml", Feature, _adoption_per_segment)
    hypotheses = _records("hypotheses.yaml", Hypothesis)
    studies = _records("studies.yaml", Study, _phases)
    release_ids = [r.release_id for r in releases]
    feature_ids = [f.feature_id for f in features]
    for i, f in enumerate(features):
        _refers(f"features.yaml: features[{i}]", "release_id", f.release_id, release_ids)
    for i, h in enumerate(hypotheses):
        _refers(f"hypotheses.yaml: hypotheses[{i}]", "feature_id", h.feature_id, feature_ids)
        _refers(f"hypotheses.yaml: hypotheses[{i}]", "intended", h.intended, VERDICTS)
    for i, s in enumerate(studies):
        _refers(f"studies.yaml: studies[{i}]", "release_id", s.release_id, release_ids)
    return releases, features, hypotheses, studies


RELEASES, FEATURES, HYPOTHESES, STUDIES = _design()

# NPS level from each date on (surveys): promoters - detractors, in points, before the trend.
NPS_LEVELS = (
    (FIRST_DAY, 0),
    (dt.date(2026, 5, 5), -12),
    (dt.date(2026, 8, 11), 8),
)
# NPS climbs this many points a week from FIRST_DAY on, release or not (word of mouth): a
# before/after comparison reads the climb as an effect of whatever shipped; the time series
# forecasts it.
NPS_TREND_PER_WEEK = 1.0
PASSIVE_SHARE = 0.33

# 30-day churn probability from each date on, for an account of average risk.
CHURN_LEVELS = (
    (ACCOUNTS_SINCE, 0.036),
    (dt.date(2026, 5, 5), 0.012),
    (dt.date(2026, 7, 1), 0.036),
)
CHURN_RISK = (1.25, 0.80, 0.40)  # relative churn risk of smb, mid_market, enterprise


def release_by_id(release_id: str) -> Release:
    """The release ``release_id`` of :data:`RELEASES`."""
    return next(r for r in RELEASES if r.release_id == release_id)


def feature_by_id(feature_id: str) -> Feature:
    """The feature ``feature_id`` of :data:`FEATURES`."""
    return next(f for f in FEATURES if f.feature_id == feature_id)


def nps_on(date: dt.date) -> float:
    """The NPS the surveys are drawn around on ``date``: its step level plus the trend.

    >>> nps_on(FIRST_DAY), nps_on(FIRST_DAY + dt.timedelta(days=70))
    (0.0, 10.0)
    """
    return level_on(NPS_LEVELS, date) + NPS_TREND_PER_WEEK * (date - FIRST_DAY).days / 7.0


def level_on(levels, date: dt.date) -> float:
    """The value of a timeline such as :data:`NPS_LEVELS` on ``date``.

    >>> level_on(((dt.date(2026, 1, 1), 10), (dt.date(2026, 6, 1), 20)), dt.date(2026, 6, 1))
    20
    """
    value = levels[0][1]
    for since, level in levels:
        if date >= since:
            value = level
    return value
