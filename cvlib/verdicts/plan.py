"""The release's query plan: the engine aggregates its hypotheses need, from the metric registry.

Every metric with an engine query (:attr:`~cvlib.metrics.base.MetricSpec.aggregate`)
gets one call with all the periods of the release's hypotheses of that metric,
so each table is scanned once per metric. The queries of the largest tables
start first: on the embedded engine each runs on a cursor of its own while
the others are built and run, and while the hypotheses measured without the
engine (task studies) are evaluated.
"""

from __future__ import annotations

from cvlib.metrics.base import Context
from cvlib.verdicts import designs

__all__ = ["start_queries"]


def start_queries(ctx: Context, hypotheses) -> callable:
    """Start the engine queries of ``hypotheses``; return a function that waits for them all
    and puts their counts in ``ctx.aggregates`` (Period -> counts).

    A metric whose table the workspace lacks gets no query (its hypotheses
    then report the data as absent). If a query fails, the function still
    waits for the others (no query is left running) and raises the first error.
    """
    ws = ctx.workspace
    wanted: dict[str, tuple] = {}
    for h in hypotheses:
        spec = h.spec
        if spec.aggregate is None or spec.table not in ws.sources:
            continue
        wanted.setdefault(spec.name, (spec, []))[1].extend(
            dict.fromkeys(spec.periods(h, ctx) + designs.periods(h, ctx))
        )
    plan = sorted(wanted.values(), key=lambda item: -ws.row_counts.get(item[0].table, 0))
    waiting = []
    try:
        for spec, periods in plan:
            waiting.append(spec.aggregate(ws.sources[spec.table], periods, ws.settings.timezone))
        waiting.extend(designs.start_queries(ctx, hypotheses))
    except BaseException:
        _wait_all(waiting)  # no query is left running; this error is the one raised
        raise

    def finish() -> None:
        error = _wait_all(waiting, ctx.aggregates)
        if error is not None:
            raise error

    return finish


def _wait_all(waiting, into: dict | None = None) -> BaseException | None:
    """Wait for every started query; return the first error (the others are dropped)."""
    first = None
    for wait in waiting:
        try:
            counts = wait()
        except BaseException as exc:  # noqa: BLE001 - returned to the caller
            first = first or exc
            continue
        if into is not None:
            into.update(counts)
    return first
