"""Checking an event-scale table in the engine, from its :class:`~cvlib.contract.tables.TableSpec`.

Two checks, both derived from the table's declaration (its columns' kinds,
key, references and not-before rules), neither reading rows into Python:

- :func:`check_table` for Parquet files and database tables: the schema, then
  one aggregate query counting the rows that break each rule (Parquet footer
  statistics answer what they can, without a scan);
- :func:`csv_profile_if_clean` for a CSV file: one DuckDB scan that vouches
  for a clean file (and profiles it), or hands it to the line-by-line check
  of :mod:`cvlib.contract.csvfile`, which names the line of every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cvlib.contract.csvfile import MAX_FIELD_CHARS
from cvlib.engine import database as db
from cvlib.engine import parquet_meta
from cvlib.engine import sql as q
from cvlib.engine.scan import (
    SourceError,
    csv_header,
    csv_relation,
    remember,
    text_instants_problem,
    time_meaning,
)
from cvlib.engine.scan import scan as open_scan
from cvlib.engine.sources import Source, TableProfile
from cvlib.errors import Problem

if TYPE_CHECKING:  # pragma: no cover
    from cvlib.contract.tables import TableSpec

__all__ = [
    "CSV_CHECK_BUFFER",
    "check_scan",
    "check_table",
    "csv_profile_if_clean",
    "distinct_rows",
    "start_csv_profile",
    "footers",
]


def footers(scan, source: Source):
    """Footer statistics of every column of a Parquet source, cached until its files change."""

    def read():
        cursor = db.cursor()
        try:
            return parquet_meta.footer_stats(cursor, source.parquet_pattern(), list(scan.kinds))
        finally:
            cursor.close()

    return read() if scan.key is None else remember(scan.key + ("footers",), read)


def _allowed(spec: TableSpec, known: dict) -> dict:
    """Column -> (the values a reference may take, the file listing them), for the
    referenced tables that could be read (a table that failed is already reported)."""
    out = {}
    for ref in spec.references:
        if known.get(ref.table) is not None:
            out[ref.column] = (known[ref.table], f"{ref.table}.csv")
    return out


def _words(names) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _conflicts_sql(table: str, value: str, within: list[str]) -> str:
    """The groups of rows agreeing on ``within`` but not on ``value`` (SQL expressions)."""
    by = ", ".join(within)
    return f"SELECT 1 AS x FROM {table} GROUP BY {by} HAVING min({value}) <> max({value})"


def distinct_rows(source: Source, columns) -> set[tuple]:
    """The distinct combinations of ``columns`` in ``source``, as trimmed text.

    For answers that stay small (a feature's units and groups in ``exposures``):
    every combination is returned. Raises :class:`SourceError` when the source
    cannot be queried.
    """
    with open_scan(source) as scan:
        selected = ", ".join(f"{scan.text(c)} AS c{i}" for i, c in enumerate(columns))
        rows = scan.rows(f"SELECT DISTINCT {selected} FROM {scan.name}")
    return {tuple(row[f"c{i}"] for i in range(len(columns))) for row in rows}


def check_table(source: Source, *, known: dict | None = None, timezone: str | None = None):
    """Check a Parquet or connection source by its schema and aggregate queries, never reading rows.

    Parameters
    ----------
    source : Source
        Its ``spec`` gives the columns, kinds and rules.
    known : dict of str to set, optional
        Table -> its keys, for the references of ``source.spec``; a table
        missing here (it could not be read) is not checked against.
    timezone : str, optional
        The workspace time zone. Given, an engine other than the embedded one
        also profiles the table in the checks' query (its latest instants):
        one scan of a warehouse table instead of two.

    Returns
    -------
    (list of Problem, int or None, TableProfile or None)
        The problems (each naming the source, the column and how many rows are
        affected), the row count (``None`` when the source cannot be read) and
        the profile, when it came with the checks.

    Notes
    -----
    Id formats are checked for CSV files only: a regular expression over
    every row of an event table costs a full scan (``docs/data-contract.md``).
    Instants held as text are read by DuckDB only: on another engine they
    are a problem that says how to store them.
    """
    file = source.display
    try:
        with open_scan(source) as scan:
            stats = None
            if parquet_meta.applies(source, scan.embedded):  # nulls and ranges from the footers
                stats = footers(scan, source)
            latest = ()
            aware, text = time_meaning(source, scan.kinds, scan.files)
            if timezone is not None and not scan.embedded and not text:
                latest = tuple(c for c in source.spec.time_columns if scan.has(c))
            problems, rows, readings = check_scan(
                scan, source.spec, file, _allowed(source.spec, known or {}), stats, latest=latest
            )
            if not scan.duckdb:  # then the values' own problems, if any
                problems += [Problem(file, None, None, text_instants_problem(c)) for c in text]
    except SourceError as exc:
        if exc.whole:
            return [Problem(file, None, None, exc.reason)], None, None
        if source.kind == "parquet":
            what = "a readable Parquet file"
        else:
            what = f"a readable table {source.table!r}"
        return [Problem(file, None, None, f"expected {what}, found: {exc.reason}")], None, None
    found = None
    if readings is not None and not problems:
        found = TableProfile(
            rows=rows,
            latest={
                c: None
                if readings.get(c) is None
                else q.instant(readings[c], aware.get(c, False), timezone)
                for c in source.spec.time_columns
            },
        )
    return problems, rows, found


def check_scan(scan, spec, file: str, references: dict, stats=None, *, latest=()):
    """The problems of ``scan`` under ``spec``, its row count, and the latest readings of the
    time columns ``latest`` (see :func:`check_table`), in one query.

    ``references``: column -> (allowed values, the file listing them);
    ``stats``: the Parquet footers' statistics, which answer what they can.
    The readings (column -> :meth:`Scan.wall_clock` value) are ``None`` when
    ``latest`` is empty or no query ran.
    """
    kinds = scan.kinds
    problems = []
    # (column, SQL condition true for a bad row, or the count the footers give, message)
    checks = []

    def check(name, rule, cond, message):
        # cond: a function making the condition, only when the footers do not answer
        known = parquet_meta.bad_rows(stats, name, rule, text=kinds[name] == "text")
        checks.append((name, cond() if known is None else known, message))

    for column in spec.columns:
        name, kind = column.name, column.kind
        if name not in kinds:
            if column.required:
                found = ", ".join(kinds)
                message = f"expected a column named {name!r}, found columns {found}"
                problems.append(Problem(file, None, name, message))
            continue
        col = q.quote_ident(name)
        typ = kinds[name]
        if column.value_required:  # only text can be empty: other types skip the trim

            def empty(col=col, typ=typ):
                return f"{col} IS NULL OR {q.trim(col)} = ''" if typ == "text" else f"{col} IS NULL"

            check(name, "value", empty, "expected a value, found nothing (null or empty)")
        if kind.stored is None:
            continue
        if typ not in kind.stored:
            message = f"expected {kind.stored_as}, found type {scan.shown[name]}"
            problems.append(Problem(file, None, name, message))
        elif typ == "text" and kind.text_rule is not None:
            rule, message = kind.text_rule
            text = q.trim(col)
            # empty text is no value (an optional one may be empty; a required one is
            # reported as missing above), as in CSV files
            checks.append((name, f"{col} IS NOT NULL AND {text} <> '' AND ({rule(text)})", message))
        elif kind.range_rule is not None:
            rule, message, footer_rule = kind.range_rule
            check(name, footer_rule, lambda col=col, rule=rule: rule(col), message)
    # Checks on the whole table, counted by aggregates: (column, count (SQL or int), message).
    counted = [
        (name, cond if isinstance(cond, int) else q.count_if(cond), message)
        for name, cond, message in checks
    ]
    if spec.key is not None and spec.key in kinds:
        col = q.quote_ident(spec.key)
        counted.append(
            (
                spec.key,
                f"count({col}) - count(DISTINCT {col})",
                "expected unique values, found values that repeat an earlier row",
            )
        )
    for name, (allowed, other) in references.items():
        if name in kinds:
            text = scan.text(name)
            values = ", ".join(q.sql_string(v) for v in sorted(allowed) or [""])
            counted.append(
                (
                    name,
                    q.count_if(f"{text} <> '' AND {text} NOT IN ({values})"),
                    f"expected a {name} listed in {other} or nothing, found others",
                )
            )
    for rule in spec.not_before:
        if rule.later in kinds and rule.earlier in kinds:
            later, earlier = scan.date(rule.later), scan.date(rule.earlier)
            counted.append(
                (
                    rule.later,
                    q.count_if(f"{later} < {earlier}"),
                    f"expected {rule.later} on or after {rule.earlier}, found earlier dates",
                )
            )
    valid = [c for c in counted if not any(p.column == c[0] for p in problems)]
    queried = "".join(
        f", {count} AS c{i}" for i, (_, count, _) in enumerate(valid) if not isinstance(count, int)
    )
    # rows that agree on some columns but not on another: counted by groups, in the same query
    consistent = [
        rule
        for rule in spec.consistent
        if all(n in kinds and not any(p.column == n for p in problems) for n in _names(rule))
    ]
    queried += "".join(
        f", (SELECT count(*) FROM ({_conflicts(scan, rule)}) AS g) AS k{i}"
        for i, rule in enumerate(consistent)
    )
    queried += "".join(f", max({scan.wall_clock(c)}) AS m{i}" for i, c in enumerate(latest))
    readings = None
    if stats is not None and not queried:  # everything answered by the footers: no scan
        row = {"n": stats.rows}
    else:
        row = scan.rows(f"SELECT count(*) AS n{queried} FROM {scan.name}")[0]
        if latest:
            readings = {c: row[f"m{i}"] for i, c in enumerate(latest)}
    rows = int(row["n"])
    for i, (name, count, message) in enumerate(valid):
        bad = count if isinstance(count, int) else int(row[f"c{i}"] or 0)
        if bad:
            problems.append(Problem(file, None, name, f"{message} ({bad:,} of {rows:,} rows)"))
    broken = {p.column for p in problems}  # a column with bad values: its groups would be too
    for i, rule in enumerate(consistent):
        bad = int(row[f"k{i}"] or 0)
        if bad and not broken.intersection(_names(rule)):
            problems.append(Problem(file, None, rule.column, _conflict_message(scan, rule, bad)))
    return problems, rows, readings


def _names(rule) -> tuple[str, ...]:
    return (rule.column, *rule.within)


def _conflicts(scan, rule) -> str:
    return _conflicts_sql(scan.name, scan.text(rule.column), [scan.text(n) for n in rule.within])


def _conflict_message(scan, rule, bad: int) -> str:
    """The message of a :class:`~cvlib.contract.tables.Consistent` rule broken by ``bad``
    groups of rows, naming the first of them (in the order of its values)."""
    value = scan.text(rule.column)
    by = [scan.text(n) for n in rule.within]
    aliases = ", ".join(f"{b} AS b{j}" for j, b in enumerate(by))
    order = ", ".join(f"b{j}" for j in range(len(by)))
    first = scan.rows(
        f"SELECT {aliases}, min({value}) AS lo, max({value}) AS hi FROM {scan.name} "
        f"GROUP BY {', '.join(by)} HAVING min({value}) <> max({value}) ORDER BY {order} LIMIT 1"
    )[0]
    named = ", ".join(f"{n} {first[f'b{j}']!r}" for j, n in enumerate(rule.within))
    return (
        f"expected one {rule.column} for each {_words(rule.within)} ({rule.rule}), "
        f"found {bad:,} with several, the first: {named} ({first['lo']!r} and {first['hi']!r})"
    )


# ---------------------------------------------------------------- CSV fast check
#: Buffer of the CSV check's reads: files above it are checked by every DuckDB thread. A
#: line longer than this fails the scan, and the line-by-line check takes over.
CSV_CHECK_BUFFER = 1 << 20


def csv_profile_if_clean(
    path: Path, spec: TableSpec, *, known: dict | None = None, timezone: str = "UTC"
) -> TableProfile | None:
    """Count and profile a CSV file if one DuckDB scan finds nothing to report, else ``None``.

    The line-by-line check names the line of every problem but runs in
    Python; this scan runs in the engine and applies the rules of each
    column's kind (:attr:`cvlib.contract.values.Kind.csv_doubt`), which are as
    strict or stricter (ASCII digits only, plain decimals, spaces only
    trimmed), so a file it passes has no problem the line-by-line check
    would report. Anything it cannot vouch for (a byte-order mark, an odd
    header, any value it doubts, a parse error) returns ``None`` and the
    caller runs the line-by-line check, which gives the exact messages.

    Parameters
    ----------
    path : pathlib.Path
    spec : TableSpec
        The table's columns, key, references and not-before rules.
    known : dict of str to set, optional
        As for :func:`check_table`.
    timezone : str
        IANA name in which naive timestamps and dates are read.

    Returns
    -------
    TableProfile or None
        The row count and the latest instant of each time column, equal to
        what :func:`cvlib.engine.queries.profile` returns for the file.
    """
    import duckdb

    header = csv_header(path)
    if header is None:
        return None
    present = set(header)
    if any(c.required and c.name not in present for c in spec.columns):
        return None
    # every column trimmed once, in a subquery, for the rules to read (DuckDB would trim it
    # again for every condition naming it: half the scan's time), and only a value that
    # starts or ends with a space is copied to be trimmed; the names are kept apart from
    # every header name, since DuckDB renames a repeated name (ignoring case) rather than
    # failing
    prefix = "cvlib_trimmed_"
    while any(name.lower().startswith(prefix) for name in header):
        prefix += "_"
    trimmed = {name: q.quote_ident(f"{prefix}{i}") for i, name in enumerate(header)}
    latest_sql = []  # the latest instants, as epoch seconds
    for name in spec.time_columns:
        if name not in present:
            latest_sql.append("NULL")
        elif spec.column(name).kind.time == "day":
            value = f"TRY_CAST({trimmed[name]} AS DATE)"
            latest_sql.append(f"epoch(CAST(max({value}) AS TIMESTAMP))")
        else:  # an instant: offset honoured, naive read in the time zone (as the scans)
            latest_sql.append(f"epoch(max({q.timestamp_sql(name, timezone)}))")
    con = db.cursor()
    try:
        relation = csv_relation(path, strict=True, header=header, buffer_size=CSV_CHECK_BUFFER)
        relation = (
            "(SELECT *, "
            + ", ".join(f"{q.space_trimmed(q.quote_ident(n))} AS {t}" for n, t in trimmed.items())
            + f" FROM {relation}) AS r"
        )
        conditions = []
        for column in spec.columns:
            if column.name not in present:
                continue
            raw, value = q.quote_ident(column.name), trimmed[column.name]
            bad = column.kind.csv_doubt(value, raw)
            if column.kind.blank_only and not column.value_required:
                bad = "false"
            empty = f"({raw} IS NULL OR {value} = '')"
            if column.value_required and column.required_if is None:
                conditions.append(f"{empty} OR ({bad})")
            else:
                conditions.append(f"NOT {empty} AND ({bad})")
            if (
                column.kind.free_text
            ):  # Python's csv module refuses longer fields (in bytes: stricter)
                conditions.append(f"strlen({raw}) > {MAX_FIELD_CHARS}")
        for name, (allowed, _) in _allowed(spec, known or {}).items():
            if name in present:
                values = ", ".join(
                    q.sql_string(x) for x in sorted(a for a in allowed if isinstance(a, str))
                )
                value = trimmed[name]
                conditions.append(f"{value} <> '' AND {value} NOT IN ({values or 'NULL'})")
        for rule in spec.not_before:
            if rule.later in present and rule.earlier in present:
                later, earlier = (
                    f"TRY_CAST({trimmed[c]} AS DATE)" for c in (rule.later, rule.earlier)
                )
                conditions.append(f"{later} < {earlier}")
        bad_rows = " OR ".join(f"({c})" for c in conditions) or "false"
        groups = [
            _conflicts_sql(relation, trimmed[rule.column], [trimmed[n] for n in rule.within])
            for rule in spec.consistent
            if all(n in present for n in _names(rule))
        ]
        conflicts = "".join(f" + (SELECT count(*) FROM ({g}) AS g)" for g in groups)
        if spec.key in present:
            distinct = f"count(DISTINCT {trimmed[spec.key]})"
        else:
            distinct = "count(*)"
        latest = "".join(f", {x}" for x in latest_sql)
        rows, bad, distinct_count, *ends = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {bad_rows}){conflicts}, {distinct}{latest} "
            f"FROM {relation}"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if bad or distinct_count != rows:
        return None
    return TableProfile(
        rows=int(rows),
        latest={
            name: None
            if end is None
            else q.instant(end, spec.column(name).kind.time != "day", timezone)
            for name, end in zip(spec.time_columns, ends, strict=True)
        },
    )


def start_csv_profile(path: Path, spec: TableSpec, *, known: dict | None = None, timezone="UTC"):
    """Start :func:`csv_profile_if_clean` in a thread; return a function that waits for it.

    DuckDB runs outside Python's lock, so the checks of several CSV files (and
    of Parquet footers) run at the same time; each is one query of its own
    cursor. The waiting function returns what :func:`csv_profile_if_clean`
    returns, or raises what it raised.
    """
    import threading

    db.database()  # made (or waited for) in the caller's thread, where its warnings belong
    out: dict = {}

    def run():
        try:
            out["found"] = csv_profile_if_clean(path, spec, known=known, timezone=timezone)
        except BaseException as exc:  # noqa: BLE001 - raised again by the waiting caller
            out["error"] = exc

    thread = threading.Thread(target=run, name="cvlib-csv-check", daemon=True)
    thread.start()

    def wait():
        thread.join()
        if "error" in out:
            raise out["error"]
        return out["found"]

    return wait
