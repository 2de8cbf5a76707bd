"""The engine's own queries of a table: its profile (rows, latest instants) and survey comments.

The queries of the metrics live with each metric (:mod:`cvlib.metrics`); all
return aggregates or a bounded number of rows, never whole tables.
"""

from __future__ import annotations

import datetime as dt

from cvlib.engine import parquet_meta
from cvlib.engine import sql as q
from cvlib.engine.checks import footers
from cvlib.engine.scan import scan as open_scan
from cvlib.engine.sources import Source, TableProfile

__all__ = ["comments_sql", "feature_comments", "fingerprint", "profile", "profile_sql"]


def profile(source: Source, timezone: str) -> TableProfile:
    """Count the rows of ``source`` and find the latest instant of each of its time columns.

    Parameters
    ----------
    source : Source
        The table (its ``spec`` names the time columns).
    timezone : str
        IANA name in which naive values are read.

    Returns
    -------
    TableProfile
        ``rows`` and ``latest`` (column -> aware :class:`datetime.datetime` in
        ``timezone``, or ``None`` for an empty column), to the second.
    """
    time_columns = source.spec.time_columns
    with open_scan(source, timezone) as scan:
        present = [c for c in time_columns if scan.has(c)]
        row = None
        if parquet_meta.applies(
            source, scan.embedded
        ):  # the footers, when their statistics suffice
            row = parquet_meta.profile_row(footers(scan, source), present)
        if row is None:
            row = scan.rows(profile_sql(scan, present))[0]
            row["rows"] = row.pop("n")
        latest = dict.fromkeys(time_columns)
        for i, column in enumerate(present):
            value = row[f"m{i}"]
            if value is not None:
                latest[column] = scan.instant(column, value)
    return TableProfile(rows=int(row["rows"]), latest=latest)


def profile_sql(scan, columns: list[str]) -> str:
    """The row count ``n`` and the latest reading ``m0``, ``m1``... of each time column."""
    latest = "".join(f", max({scan.wall_clock(c)}) AS m{i}" for i, c in enumerate(columns))
    return f"SELECT count(*) AS n{latest} FROM {scan.name}"


def fingerprint(prof: TableProfile) -> str:
    """A cheap fingerprint of a table from its profile: the row count and latest instants.

    A nightly run against a live warehouse sees a new fingerprint when rows
    arrive, without reading them.

    Examples
    --------
    >>> import datetime as dt
    >>> fingerprint(TableProfile(3, {"t": dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "u": None}))
    '3|2026-01-02T00:00:00+00:00|'
    """
    return "|".join(
        [str(prof.rows), *("" if v is None else v.isoformat() for v in prof.latest.values())]
    )


def comments_sql(scan, feature_ids: list[str], limit: int) -> str:
    """The newest ``limit`` comments of each of ``feature_ids`` (ties: the smaller response_id)."""
    comment = scan.text("comment", strip=False)
    features = ", ".join(q.sql_string(f) for f in feature_ids)
    feature = scan.text("feature_id")
    return f"""
        SELECT feature_id, submitted, score, comment FROM (
            SELECT feature_id, submitted, score, comment,
                   row_number() OVER (
                       PARTITION BY feature_id ORDER BY ts DESC, response_id
                   ) AS rn
            FROM (
                SELECT {feature} AS feature_id, {q.quote_ident("submitted_at")} AS ts,
                       {scan.wall_clock("submitted_at")} AS submitted,
                       {scan.text("response_id")} AS response_id,
                       CAST({q.quote_ident("score")} AS BIGINT) AS score, {comment} AS comment
                FROM {scan.name}
                WHERE {feature} IN ({features}) AND {comment} IS NOT NULL
                  AND {q.trim(comment)} <> ''
            ) AS s
        ) AS r
        WHERE rn <= {int(limit)} ORDER BY feature_id, rn"""


def feature_comments(source: Source, feature_ids: list[str], timezone: str, *, limit: int = 50):
    """Survey comments tied to the given features (at most ``limit`` per feature, newest first).

    Returns
    -------
    list of dict
        ``feature_id``, ``submitted_at`` (ISO text, UTC), ``score``, ``comment``.
    """
    if not feature_ids:
        return []
    with open_scan(source, timezone) as scan:
        if not scan.has("feature_id") or not scan.has("comment"):
            return []
        rows = scan.rows(comments_sql(scan, feature_ids, limit))
        aware = scan.aware.get("submitted_at", True)
    out = []
    for row in rows:
        when = q.instant(row["submitted"], aware, timezone).astimezone(dt.UTC)
        out.append(
            {
                "feature_id": row["feature_id"],
                "submitted_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "score": int(row["score"]),
                "comment": row["comment"],
            }
        )
    return out
