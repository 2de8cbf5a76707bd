"""Proof on connect: an engine other than DuckDB computes what DuckDB computes, or is refused.

cvlib writes each query once, in DuckDB SQL, and sqlglot translates it for
other engines (:mod:`cvlib.engine.scan`). A translation can be wrong without
failing: SQLite reads ``CAST(ts AS TIMESTAMP)`` as the number 2026, and every
instant comes out in 1970. So before the first query on a connection or a
non-DuckDB engine, :func:`prove` runs the production queries -- the
contract's checks with the profile, every metric's aggregate (:attr:`MetricSpec.probe
<cvlib.metrics.base.MetricSpec.probe>`), the survey comments -- over a small
fixture given inline as a ``SELECT ... UNION ALL`` table (no table is created,
so read-only roles work), once on that engine and once on the embedded
DuckDB, and compares the results. A mismatch refuses the source with one
line; no number is computed there.

The fixture holds what trips engines up: events at a window's start and stop
instants, one microsecond before a window, on the day summer time starts
(2026-03-29, wall-clock times read in the workspace zone), two events of one
user at one instant in different segments (the tie-break), empty and null
segments; survey scores at every band edge and comments tied in time;
accounts started and churned on cut-off days, a leap day, text dates with
spaces and empty text. Its columns have the types the real table has (a
``timestamptz`` table gets instants, a ``date`` column dates, text dates
text), so the proof exercises the SQL the real table gets.

A proof that passed is kept for the process (per engine, table and column
types).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from cvlib.engine import sql
from cvlib.engine.backends import SourceError, is_duckdb_url
from cvlib.engine.scan import scan as open_scan

__all__ = ["Plan", "fixture_sql", "needs_proof", "prove"]

#: The fixture's release day: summer time starts that night in Europe.
_DAY = dt.date(2026, 3, 29)
_FEATURES = ("F1", "F2")
_PROVEN: set = set()


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """What a metric's probe measures over the fixture.

    Attributes
    ----------
    windows : tuple of (datetime, datetime)
        Half-open windows, aware in the workspace zone, sharing one start (a
        metric that sends one query per start sends one).
    before : tuple of (datetime, datetime)
        Windows that stop where those start (for metrics that take every
        period in one query).
    features : tuple of str
        The features whose use is counted.
    """

    windows: tuple
    before: tuple = ()
    features: tuple[str, ...] = _FEATURES


def _rows(tz: ZoneInfo) -> dict[str, list[dict]]:
    """The fixture's rows per table: aware instants, dates, text and numbers."""
    a = dt.datetime(_DAY.year, _DAY.month, _DAY.day, tzinfo=tz)
    us, hour, day = dt.timedelta(microseconds=1), dt.timedelta(hours=1), dt.timedelta(days=1)
    wall = dt.datetime(2026, 3, 29, 2, 30, tzinfo=tz)  # none such in Europe: as Python reads it

    def ev(when, user, event, segment):
        return {"timestamp": when, "user_id": user, "event": event, "segment": segment}

    events = [
        ev(a, "u1", "login", "b"),
        ev(a, "u1", "F1", "a"),  # the same instant, another segment: "a" wins
        ev(a + hour, "u1", "F2", "b"),
        ev(a - us, "u2", "F1", "a"),  # just before the window
        ev(wall + 3 * day, "u2", "login", "a"),
        ev(wall, "u6", "F2", "c"),
        ev(a + 7 * day, "u3", "F1", "c"),  # at the 7-day window's stop: outside it
        ev(a + 7 * day - us, "u3", "login", None),
        ev(a + 8 * day, "u1", "F1", "b"),  # back in the second window
        ev(a + 2 * day, "u4", "F1", ""),
        ev(a + 10 * day, "u5", "F2", "c"),
        ev(a - 3 * day, "u5", "F2", "a"),
        ev(a - 3 * day, "u5", "login", "a"),
    ]

    def sv(rid, user, when, score, comment, feature, segment):
        return {
            "response_id": rid,
            "user_id": user,
            "submitted_at": when,
            "score": score,
            "comment": comment,
            "feature_id": feature,
            "segment": segment,
        }

    surveys = [
        sv("r1", "u1", a, 10, "good", "F1", "a"),
        sv("r2", "u2", a + 7 * day - us, 9, None, "F1", "b"),
        sv("r3", "u3", a + 7 * day, 8, "late", "F2", "a"),
        sv("r4", "u4", a - us, 0, "bad", "F1", None),
        sv("r5", "u5", a + day, 7, "", "F1", "b"),
        sv("r6", "u6", a + 2 * day, 6, "meh", None, "a"),
        sv("r7", "u6", a + 2 * day, 5, "tie", "F1", "a"),
        sv("r8", "u7", a + 2 * day, 3, "tie too", "F1", ""),
        sv("r9", "u8", wall, 9, "summer time", "F2", "c"),
        sv("r10", "u9", a - 6 * day, 2, "before", "F2", "b"),
        sv("r11", "u1", a + 3 * day, 4, "again", "F1", "b"),  # a second answer: the latest counts
    ]

    def ac(aid, started, churned, segment, mrr):
        return {
            "account_id": aid,
            "started_on": started,
            "churned_on": churned,
            "segment": segment,
            "mrr": mrr,
        }

    d = _DAY
    accounts = [
        ac("a1", d - 30 * day, None, "a", 10.5),
        ac("a2", d - 30 * day, d, "b", 0.0),  # churned on the cut-off day: at risk, churned
        ac("a3", d - day, d + 7 * day, "a", 3.25),  # churned on the stop day: not churned
        ac("a4", d, None, None, 1.0),  # started on the cut-off day: not at risk
        ac("a5", dt.date(2024, 2, 29), d + 3 * day, "", 2.0),
        ac("a6", d - 10 * day, d - 3 * day, "b", 4.0),
        ac("a7", d + day, d, "a", 5.0),  # churned before it started: the checks count it
        ac("a8", d - 8 * day, d - day, "c", 0.5),
    ]

    def ex(unit_id, unit, feature, group, when):
        return {
            "unit_id": unit_id,
            "unit": unit,
            "feature_id": feature,
            "group": group,
            "assigned_at": when,
        }

    exposures = [
        ex("u1", "user", "F1", "treatment", a - day),
        ex("u1", "user", "F1", "treatment", a + day),  # assigned twice: one unit
        ex("u2", "user", "F1", "holdout", a + 7 * day - us),  # just inside the 7-day window
        ex("u3", "user", "F1", "holdout", a + 7 * day),  # at its stop: left out
        ex("u6", "user", "F1", "treatment", wall),
        ex("a2", "account", "F2", "holdout", a),
        ex("a3", "account", "F2", "treatment", a - us),
        ex("a5", "account", "F2", "treatment", a + 3 * day),
    ]
    return {"events": events, "surveys": surveys, "accounts": accounts, "exposures": exposures}


def _literal(value, kind: str, tz: ZoneInfo) -> str:
    """``value`` as a literal of the storage ``kind`` (a date column's value is a date)."""
    types = {
        "text": "VARCHAR",
        "integer": "BIGINT",
        "number": "DOUBLE",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "timestamptz": "TIMESTAMPTZ",
        "boolean": "BOOLEAN",
    }
    typ = types.get(kind, "VARCHAR")
    if value is None:
        return f"CAST(NULL AS {typ})"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if kind == "text":  # as a person writes it: with spaces around one of them
            text = f"{value:%Y-%m-%d}"
            return sql.sql_string(f" {text} " if value.day == 29 else text)
        value = dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, dt.datetime):
        if kind == "date":
            return sql.date_literal(value.astimezone(tz).date())
        if kind == "text":
            return sql.sql_string(value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        return sql.time_literal(value, kind == "timestamptz", tz.key, kind)
    if kind == "text":
        return sql.sql_string(value)
    if isinstance(value, str) and kind in ("date", "timestamp", "timestamptz"):
        return f"CAST(NULL AS {typ})"  # empty text in a typed column: no value
    return f"CAST({sql.sql_string(value) if isinstance(value, str) else value!r} AS {typ})"


def fixture_sql(table: str, kinds: dict, tz: ZoneInfo, days: set) -> str:
    """The fixture of ``table`` as one ``SELECT ... UNION ALL ...`` with columns of ``kinds``.

    Only the columns in ``kinds`` are given, each as the real table holds
    it; ``days`` names the date columns. An empty text date stays empty text.
    """
    rows = _rows(tz)[table]
    columns = [c for c in rows[0] if c in kinds]
    selects = []
    for row in rows:
        values = []
        for c in columns:
            value = row[c]
            if value == "" and c in days and kinds[c] == "text":
                values.append("''")
                continue
            if value == "" and c in days:
                value = None
            values.append(f"{_literal(value, kinds[c], tz)} AS {sql.quote_ident(c)}")
        selects.append("SELECT " + ", ".join(values))
    return " UNION ALL ".join(selects)


def _plan(tz: ZoneInfo) -> Plan:
    a = dt.datetime(_DAY.year, _DAY.month, _DAY.day, tzinfo=tz)
    day = dt.timedelta(days=1)
    return Plan(windows=((a, a + day), (a, a + 7 * day)), before=((a - 7 * day, a),))


def _normal(value):
    """A result value comparable across engines and drivers."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) or (isinstance(value, float) and value.is_integer()):
        return int(value)
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _normalized(result):
    """Rows (dicts) with lower-case names and comparable values, in a fixed order."""
    if isinstance(result, dict):
        return sorted((str(k).lower(), _normalized(v)) for k, v in result.items())
    if isinstance(result, (list, tuple)):
        items = [_normalized(r) for r in result]
        if items and all(isinstance(r, dict) for r in result):
            return sorted(items, key=repr)
        return items
    return _normal(result)


def needs_proof(source) -> bool:
    """Whether ``source`` is read by an engine other than DuckDB (the proof applies)."""
    if source.kind == "connection":
        return not is_duckdb_url(source.url)
    return source.kind == "parquet" and source.engine not in (None, "duckdb")


def _engine_probes(spec) -> list[tuple[str, Callable]]:
    """The engine's own queries of ``spec``'s table as it sends them to such an engine: the
    checks with the profile in one query, and the survey comments."""
    from cvlib.engine.checks import check_scan
    from cvlib.engine.queries import comments_sql

    def checks(scan, _plan):
        latest = [c for c in spec.time_columns if scan.has(c)]
        problems, rows, readings = check_scan(scan, spec, "fixture", {}, latest=latest)
        return {"problems": sorted(str(p) for p in problems), "rows": rows, "latest": readings}

    probes = [("the checks and latest times", checks)]
    if {"feature_id", "comment", "submitted_at"} <= set(spec.column_names):

        def comments(scan, plan):
            if not (scan.has("feature_id") and scan.has("comment")):
                return []
            return scan.rows(comments_sql(scan, list(plan.features), 2))

        probes.append(("the survey comments", comments))
    return probes


def prove(source, timezone: str, probes: list[tuple[str, Callable]]) -> None:
    """Refuse ``source`` unless its engine gives DuckDB's results on the fixture.

    Parameters
    ----------
    source : Source
        A connection table or Parquet files on a non-DuckDB engine.
    timezone : str
        The workspace time zone (naive fixture times are read in it).
    probes : list of (str, callable)
        The metrics' probes of this table: ``(what, probe(scan, plan))``; the
        engine's own (profile, checks, comments) are added.

    Raises
    ------
    SourceError
        When a result differs (or the engine fails on a query): one line
        naming the source and the first query that differed.
    """
    spec = source.spec
    tz = ZoneInfo(timezone)
    with open_scan(source) as real:
        kinds = {c: real.kinds[c] for c in spec.column_names if c in real.kinds}
        for column in spec.columns:
            if column.required and column.name not in kinds:
                return  # the checks report the missing column
            stored = column.kind.stored
            if column.name in kinds and stored is not None and kinds[column.name] not in stored:
                return  # the checks report the type
        if any(kinds.get(c) == "text" for c in spec.instant_columns):
            return  # the checks report text instants (DuckDB only)
        key = (os.getpid(), source.url or repr(source.engine), source.display, timezone)
        key += (tuple(sorted(kinds.items())),)
        if key in _PROVEN:
            return
        days = {c.name for c in spec.columns if c.kind.time == "day"}
        relation = f"({fixture_sql(spec.name, kinds, tz, days)}) AS {sql.quote_ident('fixture')}"
        aware = {c: kinds[c] == "timestamptz" for c in spec.instant_columns if c in kinds}
        common = {"name": relation, "kinds": kinds, "aware": aware, "timezone": timezone}
        theirs = dataclasses.replace(real, **common, csv=False, key=None)
        ours = dataclasses.replace(real, **common, con=None, csv=False, key=None)
        plan = _plan(tz)
        for what, probe in _engine_probes(spec) + list(probes):
            expected = _normalized(probe(ours, plan))
            try:
                found = _normalized(probe(theirs, plan))
            except SourceError as exc:
                found = f"an error: {exc.reason}"
            if found != expected:
                raise SourceError(
                    f"expected this engine to compute {what} as DuckDB does on cvlib's test "
                    f"rows, found {_first_difference(expected, found)}: cvlib does not compute "
                    "on it (export the table to Parquet, or use DuckDB or PostgreSQL)",
                    source.display,
                    whole=True,
                )
    _PROVEN.add(key)


def _first_difference(expected, found) -> str:
    """The first value that differs, shortly (for the message)."""
    if isinstance(found, str):
        return found[:200]
    for want, got in zip(_flat(expected), _flat(found), strict=False):
        if want != got:
            return f"{got!r} where DuckDB gives {want!r}"[:200]
    return f"{len(_flat(found))} values where DuckDB gives {len(_flat(expected))}"


def _flat(value) -> list:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flat(v)]
    return [value]
