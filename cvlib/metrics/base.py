"""What a metric is: a :class:`MetricSpec`, registered once, that every other layer reads.

A metric module (one per metric in :mod:`cvlib.metrics`) declares its spec and
registers it with :func:`register`. Validation of ``hypotheses.yaml``, the
release's query plan, evaluation, presentation and charts loop over the
registry (:func:`cvlib.metrics.get`, :func:`cvlib.metrics.all_metrics`) and
never branch on a metric's name. Adding a metric is one module plus its tests.

The types a metric works with are here too: the :class:`Window` and
:class:`Period` of a measurement, the counts the engine returns
(:class:`Shares`), the :class:`Context` of a release, and what a metric
measures (:class:`Measurement`), from which :mod:`cvlib.verdicts` derives the
verdict.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cvlib.errors import CvlibWarning
from cvlib.metrics.units import Unit

if TYPE_CHECKING:  # pragma: no cover
    from cvlib.stats.results import Comparison, Estimate

__all__ = [
    "Before",
    "Context",
    "Measurement",
    "MetricSpec",
    "Period",
    "Saving",
    "Shares",
    "Window",
    "probe_all",
    "proof_periods",
    "probe_by_start",
    "quiet",
    "register",
    "registered",
]


# ---------------------------------------------------------------- periods and counts
@dataclass(frozen=True, slots=True)
class Window:
    """A half-open period ``[start, stop)`` of aware instants in the workspace time zone.

    Examples
    --------
    >>> import datetime as dt
    >>> w = Window(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 31, tzinfo=dt.UTC))
    >>> w.days, w.following().start == w.stop, w.preceding().stop == w.start
    (30, True, True)
    """

    start: dt.datetime
    stop: dt.datetime

    @property
    def days(self) -> int:
        """Length in calendar days."""
        return (self.stop.date() - self.start.date()).days

    def following(self) -> Window:
        """The window of the same number of days that starts where this one stops."""
        return Window(self.stop, self.stop + dt.timedelta(days=self.days))

    def preceding(self) -> Window:
        """The window of the same number of days that stops where this one starts."""
        return Window(self.start - dt.timedelta(days=self.days), self.start)


@dataclass(frozen=True, slots=True)
class Period:
    """What one aggregate of a release measures: a hypothesis, a phase and its window."""

    hypothesis_id: str
    phase: Literal["after", "before", "placebo", "history", "holdout"]
    window: Window
    feature_id: str | None = None


@dataclass(frozen=True, slots=True)
class Shares:
    """Counts of a share: ``hits`` of ``n`` (adopters of active users, churned of accounts...).

    ``segments`` holds the same counts per segment (empty without a segment
    column); the overall counts are the sums over segments.
    """

    hits: int = 0
    n: int = 0
    segments: Mapping[str, Shares] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """One release as the metrics see it.

    Attributes
    ----------
    workspace : cvlib.Workspace
    release_id : str
    released_at : datetime.datetime
        00:00 of the release day in the workspace time zone.
    released_on : datetime.date
    confidence_level : float
    aggregates : dict
        :class:`Period` -> the counts the engine returned for it.
    """

    workspace: Any
    release_id: str
    released_at: dt.datetime
    released_on: dt.date
    confidence_level: float
    aggregates: dict = field(default_factory=dict)

    def window(self, days: int) -> Window:
        """The ``days`` days from the release."""
        return Window(self.released_at, self.released_at + dt.timedelta(days=days))


@dataclass(frozen=True, slots=True)
class Before:
    """The value before the release and the size of its sample."""

    estimate: float
    n: int


#: What a change compares with unless a design says otherwise (:attr:`Measurement.baseline`).
BEFORE_RELEASE = "before the release"
#: :attr:`Measurement.baseline` under a holdout.
HOLDOUT_GROUP = "the holdout group"


@dataclass(frozen=True, slots=True)
class Measurement:
    """What a metric measured for one hypothesis (or one segment of it).

    Attributes
    ----------
    n : int
        Size of the after-release population (the metric's unit).
    after : cvlib.Estimate or None
        After-release estimate and interval; ``None`` when absent or not
        computable.
    before : Before or None
    comparison : cvlib.Comparison or None
        The change against before.
    change_undefined : str or None
        A before exists but the change cannot be computed: the method and
        why (the change is then unclear, never treated as no before).
    pairs_dropped : int or None
        Paired designs: participants left out for lack of a pair.
    absent : str or None
        Why there is nothing to measure yet.
    why : str or None
        Why the after interval is undefined.
    pending : str or None
        Why the measurement is not final yet (a planned sample still being collected):
        the verdict waits.
    target_test : callable or None
        ``target_test(null, alternative) -> float``: the one-sided p-value of the
        after-release value against ``null`` (the dual of the ``after`` interval).
    change_test : callable or None
        ``change_test(null, alternative) -> float``: the one-sided p-value of the
        change against ``null`` (the dual of the ``comparison`` interval); ``None``
        without a computable change.
    dropped : int or None
        Observations the metric's unit of analysis left out (a user's earlier
        responses, a participant's later attempts), with ``dropped_what`` in words.
    dropped_what : str or None
    sensitivity : object
        A second analysis beside the main one (task time: the worst-rank result).
    detail : object
        The metric's own data, for its planning, savings and charts.
    baseline : str
        What the change compares with, in words ("before the release"; a design
        sets "the holdout group" or "the forecast").
    """

    n: int = 0
    after: Estimate | None = None
    before: Before | None = None
    comparison: Comparison | None = None
    change_undefined: str | None = None
    pairs_dropped: int | None = None
    absent: str | None = None
    why: str | None = None
    pending: str | None = None
    target_test: Callable | None = None
    change_test: Callable | None = None
    dropped: int | None = None
    dropped_what: str | None = None
    sensitivity: Any = None
    detail: Any = None
    baseline: str = BEFORE_RELEASE


@dataclass(frozen=True, slots=True)
class Saving:
    """Customer time saved per task, in seconds, with its interval.

    ``draws`` are the interval's pivotal (or bootstrap) draws of the saving, so
    that a release total over independent studies sums them; ``method`` says how.
    """

    seconds: float
    ci_low: float
    ci_high: float
    method: str
    draws: Any = field(default=None, compare=False, repr=False)


def quiet(fn, *args, **kwargs):
    """Call a statistics function; undefined results come back as nan (their warning is
    turned into a verdict reason by the caller)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


# ---------------------------------------------------------------- the spec
def _window_days(h) -> int:
    return h.window_days


def _none(*_args):
    return ()


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """Everything the other layers need to know of a metric.

    Attributes
    ----------
    name : str
        As written in ``hypotheses.yaml``.
    label : str
        In words ("time on task").
    unit : Unit
        How values and changes read, the possible targets, the chart axis.
    counts : str
        What ``n`` counts ("participants", "users").
    table : str
        The table it reads (a table of :data:`cvlib.contract.tables.TABLES`).
    lower_is_better : bool
    min_n : int
        Smallest after-release population that gets a verdict.
    method : str
        The method and its references, for a report's methods section.
    measure : callable
        ``measure(context, hypothesis) -> Measurement``.
    segments : callable
        ``segments(context, hypothesis) -> list of (segment, Measurement)``.
    plan : callable
        ``plan(hypothesis, measurement, claim, confidence_level)``: the
        :class:`cvlib.stats.planning.Plan` of one claim
        (:class:`cvlib.verdicts.claims.Claim`) at the hypothesis's
        ``expected`` value: the total after-release sample for 80% power of its
        one-sided test, with the before sample fixed; ``None`` when the data
        give nothing to plan with. Raises ``ValueError`` when ``expected`` does
        not lie past the claim's null.
    windowed : bool
        Measured in a window of ``window_days`` after the release.
    measured_days : callable
        ``measured_days(hypothesis)``: days after the release the
        measurement needs (the window is complete when the last of them is
        on or before ``data_through``).
    has_before : bool
        Compared with a before period.
    has_history : bool
        The table holds the metric's history before the release (a time series).
    needs_task : bool
        Hypotheses name the ``task`` measured.
    designs : tuple of str
        The ``design`` values allowed.
    options : tuple of str
        Further optional keys of a hypothesis it takes (``tasks_per_month``).
    required_columns : tuple of str
        Optional columns of its table that it needs.
    data_after_release : bool
        Without data on or after the release there is nothing to measure
        (a warning at load time).
    periods : callable or None
        ``periods(hypothesis, context) -> tuple of Period``, for the engine.
    aggregate : callable or None
        ``aggregate(source, periods, timezone)`` starts the engine's query for
        all periods of a release and returns a function that waits for its
        result: Period -> counts.
    probe : callable or None
        ``probe(scan, plan)``: the rows of the metric's engine query over the
        fixture of :mod:`cvlib.engine.proof` (its windows and features), run
        on DuckDB and on any other engine before the first real query, so
        that an engine that computes otherwise is refused
        (:func:`probe_by_start`, :func:`probe_all`).
    scope : callable
        ``scope(hypothesis)``: the words after the label in a sentence ("in
        the 30 days after the release").
    flags : callable
        ``flags(hypothesis, measurement) -> tuple of str``.
    flag_texts : mapping
        Flag -> what it means.
    saving : callable or None
        ``saving(context, hypothesis) -> Saving or None``: customer time
        saved per task, for economic value (hypotheses with
        ``tasks_per_month``).
    chart : {"estimate", "attempts"}
        The chart of a hypothesis: estimates against the target, or every
        attempt's time.
    compare_counts : callable or None
        ``compare_counts(context, later, earlier) -> Measurement``: the
        measurement of the counts of one period against an earlier one (the
        before/after design's placebo change).
    history : callable or None
        ``history(hypothesis, context) -> (pre, window)``: the periods of the
        metric's time series before the release (oldest first) and in the
        hypothesis's window, for the interrupted time series design.
    series_value : callable or None
        ``series_value(counts) -> (value, weight, variance)`` of one period of
        the series (the value in the unit of the change, its sample size and
        sampling variance), or ``None`` without observations.
    split : callable or None
        ``split(scan, units, window) -> str``: the SQL of the metric's counts in ``window``
        per group of a holdout, for the holdout design. ``units`` is a subquery of the
        assigned units (columns ``uid``, ``grp``) on the same engine; the rows are one per
        group and segment (columns ``grp``, ``seg``) with the columns of one period.
    split_counts : callable or None
        ``split_counts(rows, has_segment) -> counts``: one group's rows of ``split`` as the
        metric's counts (those ``compare_counts`` takes).
    """

    name: str
    label: str
    unit: Unit
    counts: str
    table: str
    lower_is_better: bool
    min_n: int
    method: str
    measure: Callable
    segments: Callable
    plan: Callable
    windowed: bool = False
    measured_days: Callable = _window_days
    has_before: bool = True
    has_history: bool = False
    needs_task: bool = False
    designs: tuple[str, ...] = ("independent",)
    options: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = ()
    data_after_release: bool = True
    periods: Callable | None = None
    aggregate: Callable | None = None
    probe: Callable | None = None
    scope: Callable = _none
    flags: Callable = _none
    flag_texts: Mapping[str, str] = field(default_factory=dict)
    saving: Callable | None = None
    chart: str = "estimate"
    compare_counts: Callable | None = None
    history: Callable | None = None
    series_value: Callable | None = None
    split: Callable | None = None
    split_counts: Callable | None = None


_REGISTRY: dict[str, MetricSpec] = {}


def register(spec: MetricSpec) -> MetricSpec:
    """Add ``spec`` to the registry (once per name) and return it."""
    if not isinstance(spec, MetricSpec):
        raise TypeError(f"spec must be a MetricSpec, got {type(spec).__name__}")
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"a metric named {spec.name!r} is registered already")
    _REGISTRY[spec.name] = spec
    return spec


def registered() -> dict[str, MetricSpec]:
    """Registered metrics by name (a copy); :mod:`cvlib.metrics` registers every metric module."""
    return dict(_REGISTRY)


# ---------------------------------------------------------------- shared measurements
def share_test(hits: int, n: int):
    """``target_test`` of a share: the Wilson score test against a null in (0, 1)
    (:func:`cvlib.stats.proportions.score_test`); at a null of 0 or 1, where the score test
    is undefined, the p-value the Wilson interval implies (it reaches 0 only with no hits,
    1 only with no misses)."""
    from cvlib.stats import proportions

    def test(null: float, alternative: str) -> float:
        if 0.0 < null < 1.0:
            return quiet(
                proportions.score_test, hits, n, null=null, alternative=alternative
            ).p_value
        # the value cannot lie beyond 0 or 1; it lies past them on the inside unless every
        # trial sits at that edge
        beyond = (alternative == "less") == (null <= 0.0)
        at_edge = hits == (0 if null <= 0.0 else n)
        return 1.0 if beyond or at_edge else 0.0

    return test


def measure_shares(
    after: Shares,
    before: Shares | None,
    confidence_level: float,
    *,
    absent: str,
) -> Measurement:
    """A share after the release, its Wilson interval and score test, and its change against
    before with the Miettinen-Nurminen score interval and test.

    The interval is :func:`cvlib.stats.proportions.interval` (``wilson``), the dual of the
    score test against a target (:func:`share_test`); the change is the difference
    after - before (:func:`cvlib.stats.proportions.score_compare`), when ``before`` has any
    observation. ``absent`` is the reason when ``after.n`` is 0.
    """
    from cvlib.stats import proportions

    if after.n == 0:
        return Measurement(n=0, absent=absent)
    estimate = quiet(
        proportions.interval,
        after.hits,
        after.n,
        method="wilson",
        confidence_level=confidence_level,
    )
    found = {"n": after.n, "after": estimate, "target_test": share_test(after.hits, after.n)}
    if before is None or before.n == 0:
        return Measurement(**found)
    counts = (before.hits, before.n, after.hits, after.n)

    def change_test(null: float, alternative: str) -> float:
        return quiet(
            proportions.score_compare,
            *counts,
            null=null,
            confidence_level=confidence_level,
            alternative=alternative,
        ).p_value

    return Measurement(
        **found,
        before=Before(before.hits / before.n, before.n),
        comparison=quiet(proportions.score_compare, *counts, confidence_level=confidence_level),
        change_test=change_test,
    )


def plan_shares(h, m: Measurement, claim, confidence_level: float):
    """:attr:`MetricSpec.plan` of a share (:func:`cvlib.stats.planning.proportion_after_n`):
    against the target, or the change against the fixed before sample."""
    from cvlib.stats import planning

    options = {"null": claim.null, "confidence_level": confidence_level}
    if claim.name == "target":
        return planning.proportion_after_n(h.expected, alternative=claim.alternative, **options)
    if m.before is None:
        return None
    return planning.proportion_after_n(
        h.expected,
        p_before=m.before.estimate,
        n_before=m.before.n,
        alternative=claim.alternative,
        **options,
    )


#: Periods of a metric's history that the time-series design asks for, at most.
HISTORY_PERIODS = 52


def history_windows(h, ctx: Context, days: int) -> tuple[tuple, tuple]:
    """:attr:`MetricSpec.history` of periods of ``days`` days: up to :data:`HISTORY_PERIODS`
    periods ending at the release (oldest first), and the whole periods of the hypothesis's
    window after it (at least one)."""
    step = dt.timedelta(days=days)
    start = ctx.released_at
    pre = tuple(
        Period(h.id, "history", Window(start - k * step, start - (k - 1) * step))
        for k in range(HISTORY_PERIODS, 0, -1)
    )
    count = max(h.window_days // days, 1)
    window = tuple(
        Period(h.id, "history", Window(start + k * step, start + (k + 1) * step))
        for k in range(count)
    )
    return pre, window


def share_value(c: Shares):
    """:attr:`MetricSpec.series_value` of a share: the share, its n, and p(1 - p) / n."""
    if c is None or c.n == 0:
        return None
    p = c.hits / c.n
    return p, float(c.n), p * (1 - p) / c.n


def in_window(h) -> str:
    """:attr:`MetricSpec.scope` of a windowed metric."""
    return f"in the {h.window_days} days after the release"


def same_window_before(h, ctx: Context, feature: bool = False) -> tuple[Period, ...]:
    """:attr:`MetricSpec.periods`: the window after the release and the one before it."""
    after = ctx.window(h.window_days)
    feature_id = h.feature_id if feature else None
    return (
        Period(h.id, "after", after, feature_id),
        Period(h.id, "before", after.preceding(), feature_id),
    )


# ---------------------------------------------------------------- the proof's probes
def proof_periods(plan, *, before: bool = True) -> list[Period]:
    """One period per window (and, with ``before``, per window before) and feature of a
    proof's plan (:class:`cvlib.engine.proof.Plan`)."""
    windows = plan.windows + (plan.before if before else ())
    return [
        Period("proof", "after", Window(start, stop), feature)
        for start, stop in windows
        for feature in plan.features
    ]


def probe_by_start(query):
    """The probe of a metric whose ``query(scan, start, periods)`` takes the periods sharing
    one start: one query per distinct start, as :func:`start_share_queries` sends them."""

    def probe(scan, plan):
        by_start: dict = {}
        for p in proof_periods(plan, before=False):
            by_start.setdefault(p.window.start, []).append(p)
        return [scan.rows(query(scan, start, group)) for start, group in by_start.items()]

    return probe


def probe_all(query):
    """The probe of a metric whose ``query(scan, periods)`` takes every period at once."""
    return lambda scan, plan: scan.rows(query(scan, proof_periods(plan)))


# ---------------------------------------------------------------- shares of users (events)
def start_share_queries(source, periods, timezone: str, query, *, hits: str, n: str):
    """Start one query per distinct window start of ``periods``; return a function that
    waits for them all: Period -> :class:`Shares`, overall and per segment.

    ``query(scan, start, group)`` is the SQL of the periods in ``group`` (those
    starting at ``start``); its rows are one per segment (column ``seg``,
    ``''`` for none) with, for the ``i``-th period of the group, the columns
    ``{hits}{i}`` and ``{n}{i}``. A segment without anyone counted is left out.
    """
    from cvlib.engine.scan import scan as open_scan

    by_start: dict = {}
    for p in periods:
        by_start.setdefault(p.window.start, []).append(p)
    with open_scan(source, timezone) as scan:
        has_segment = scan.has("segment")
        pending = [
            (group, scan.start(query(scan, start, group))) for start, group in by_start.items()
        ]

    return lambda: sum_shares(pending, periods, has_segment, hits=hits, n=n)


def sum_shares(pending, periods, has_segment: bool, *, hits: str, n: str) -> dict:
    """Wait for the started queries and sum their rows: Period -> :class:`Shares`.

    ``pending`` holds ``(group, rows)``: the periods one query counted, and the
    function waiting for its rows (one per segment, column ``seg``; for the
    ``i``-th period of the group, ``{hits}{i}`` and ``{n}{i}``). A segment
    without anyone counted is left out.
    """
    totals = {p: [0, 0, {}] for p in periods}
    for group, rows in pending:
        for row in rows():
            for i, p in enumerate(group):
                k, m = int(row[f"{hits}{i}"] or 0), int(row[f"{n}{i}"] or 0)
                if m == 0:
                    continue
                entry = totals[p]
                entry[0] += k
                entry[1] += m
                if has_segment and row["seg"]:
                    entry[2][row["seg"]] = Shares(k, m)
    return {p: Shares(k, m, segments) for p, (k, m, segments) in totals.items()}


def share_measures(periods, *, no_table: str, no_one: str):
    """``(measure, segments)`` of a metric whose one period is a :class:`Shares` with no
    before: the Wilson interval overall and per segment.

    ``periods`` is the metric's :attr:`MetricSpec.periods`; ``no_table`` the
    reason when the workspace has no such table, ``no_one`` when nobody was counted.
    """

    def counts(ctx, h) -> Shares | None:
        (period,) = periods(h, ctx)
        return ctx.aggregates.get(period)

    def one(ctx, c: Shares) -> Measurement:
        if c.n == 0:
            return Measurement(absent=no_one)
        return measure_shares(c, None, ctx.confidence_level, absent="")

    def measure(ctx, h) -> Measurement:
        c = counts(ctx, h)
        return Measurement(absent=no_table) if c is None else one(ctx, c)

    def segments(ctx, h) -> list:
        c = counts(ctx, h)
        return [] if c is None else [(s, one(ctx, x)) for s, x in sorted(c.segments.items())]

    return measure, segments
