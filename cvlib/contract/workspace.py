"""Load and validate a workspace: every rule of the contract, every problem at once.

A workspace is a folder holding a team's release data (see
``docs/data-contract.md``). :func:`load_workspace` reads ``workspace.yaml``
and ``hypotheses.yaml`` and checks every table of
:data:`cvlib.contract.tables.TABLES` by its declaration: the small tables are
read line by line into typed pandas frames; the event-scale tables are
checked by the query engine (one scan of a CSV file, or aggregate queries of
Parquet files and database tables) and kept as a
:class:`~cvlib.engine.sources.Source`. Every problem is reported at once as a
:class:`cvlib.DataError`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from cvlib import metrics
from cvlib.contract import designs
from cvlib.contract.csvfile import read_csv
from cvlib.contract.files import ABSENT, REGULAR, check_regular
from cvlib.contract.hypotheses import read_hypotheses
from cvlib.contract.problems import Problems, in_file_order
from cvlib.contract.readiness import measurement_warnings
from cvlib.contract.settings import WORKSPACE_FILE, Settings, read_settings
from cvlib.contract.tables import STREAMED, TABLES, TableSpec
from cvlib.engine import checked, database
from cvlib.engine.sources import ENGINES, Source, resolve_url, safe_url
from cvlib.errors import DataError, Problem

__all__ = ["Workspace", "load_workspace"]


@dataclass
class Workspace:
    """A validated workspace.

    Attributes
    ----------
    root : pathlib.Path
    settings : Settings
    releases : pandas.DataFrame
        ``release_id``, ``name``, ``released_on`` (date), ``released_at``
        (aware timestamp: 00:00 of ``released_on`` in the workspace time zone).
    features : pandas.DataFrame
        ``feature_id``, ``release_id``, ``name``, ``value_type``, and
        ``effort_points`` (float) when the file has it.
    hypotheses : list of Hypothesis
    task_times : pandas.DataFrame or None
        ``release_id``, ``task``, ``participant_id``, ``phase``, ``seconds``
        (nan where absent), ``completed`` (bool), ``errors`` (nullable Int64)
        and ``segment`` when the file has them.
    tickets : pandas.DataFrame or None
        ``created_at`` as aware timestamps in the workspace time zone.
    sources : dict of str to Source
        The event-scale tables present (events, surveys, accounts, exposures).
    row_counts : dict of str to int
    profiles : dict of str to TableProfile
        Row count and latest instants of each event-scale table, read when
        the workspace was loaded (the fingerprint of a connection table).
    warnings : list of Problem
        Things worth knowing that do not stop the work (hypotheses whose data
        is not there yet).
    exposed : dict or None
        Feature -> unit -> the groups it has exposures in (``None`` without
        exposures): which features a holdout comparison can judge.
    """

    root: Path
    settings: Settings
    releases: object
    features: object
    hypotheses: list
    task_times: object = None
    tickets: object = None
    sources: dict = field(default_factory=dict)
    row_counts: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    profiles: dict = field(default_factory=dict)
    exposed: dict | None = None

    def release(self, release_id: str) -> dict:
        """Return one release as a dict, or raise ``KeyError`` naming the id."""
        match = self.releases[self.releases["release_id"] == release_id]
        if match.empty:
            known = ", ".join(self.releases["release_id"])
            raise KeyError(f"release_id {release_id!r} is not in releases.csv (known: {known})")
        return match.iloc[0].to_dict()

    def hypotheses_for(self, release_id: str) -> list:
        """Hypotheses of the features shipped in ``release_id``, in file order."""
        ids = set(self.features.loc[self.features["release_id"] == release_id, "feature_id"])
        return [h for h in self.hypotheses if h.feature_id in ids]

    def summary_line(self) -> str:
        """One line: releases, features, hypotheses and rows per table."""
        tables = ", ".join(f"{name} {count:,}" for name, count in self.row_counts.items())
        return (
            f"{len(self.releases)} releases, {len(self.features)} features, "
            f"{len(self.hypotheses)} hypotheses; rows: {tables}"
        )


def load_workspace(path, *, engine=None) -> Workspace:
    """Load and validate the workspace folder ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The workspace folder.
    engine : {"duckdb", "pyspark"} or ibis backend, optional
        What aggregates the Parquet sources: embedded DuckDB (the default),
        PySpark (the active SparkSession, or a new local one; needs the
        ``spark`` extra) or an ibis backend object such as
        ``ibis.pyspark.connect(spark)``. Overrides ``sources: engine:`` in
        ``workspace.yaml``. CSV files are always aggregated by embedded
        DuckDB and connection tables by their own database.

    Returns
    -------
    Workspace
        Settings, releases, features, hypotheses, the small tables as typed
        frames, the sources of the event-scale tables, and warnings.

    Raises
    ------
    DataError
        Listing every problem found, each with file, line, column and message.

    Examples
    --------
    >>> import cvlib, tempfile
    >>> from cvlib.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ws = cvlib.load_workspace(write_sample(tmp + "/ws"))
    ...     len(ws.releases) >= 6
    True
    """
    root = Path(path)
    if not root.is_dir():
        what = "a file" if root.exists() else "nothing"
        raise DataError(
            [Problem(str(path), None, None, f"expected a workspace folder, found {what}")]
        )
    if engine is not None and isinstance(engine, str) and engine not in ENGINES:
        raise ValueError(
            f"engine must be one of {', '.join(ENGINES)} or an ibis backend, got {engine!r}"
        )
    return _Loader(root, engine).load()


class _Loader:
    def __init__(self, root: Path, engine=None):
        self.root = root
        self.engine = engine  # from the caller; else sources.engine in workspace.yaml; else duckdb
        self.problems = Problems()
        self.warnings: list[Problem] = []
        self.failed: set[str] = set()  # tables that could not be read
        self.known: dict[str, set] = {}  # table -> its keys, for references
        self.profiles: dict = {}  # table -> TableProfile found while checking it
        self.used: set[str] = set()  # the metrics of the hypotheses
        self.tables: dict = {}  # table -> its rows as read line by line (the small tables)
        self.started: dict | None = None  # table -> (path, known, wait) of its CSV check
        self.checking = time.time()  # wall time before any file is read
        self.to_remember: dict = {}  # table -> (key, source, known keys) of checks run here
        self.combinations: dict = {}  # table -> [(columns, their distinct rows)] queried

    def load(self) -> Workspace:
        from cvlib.engine.scan import forget_schemas

        forget_schemas()  # a connection table's columns are read afresh by every load
        found = read_settings(self.root, self.problems)
        settings, self.tz = found.settings, found.tz
        self.declared = found.sources
        self.broken = found.broken
        self.engine = self.engine or found.engine or "duckdb"
        kinds = {name: declared.kind for name, declared in self.declared.items()}
        if any(kinds.get(name) != "connection" for name in STREAMED):
            # an event-scale table read from files: the embedded engine is made meanwhile
            database.start_database()

        frames: dict = {}
        hypotheses: list = []
        sources: dict[str, Source] = {}
        counts: dict[str, int] = {}
        measured = {m.table for m in metrics.all_metrics()}
        # the tables the event-scale ones refer to: once read, the engine scans of the
        # event-scale CSV files start, beside the reading of the other small tables
        referred = {r.table for s in TABLES.values() if s.streamed for r in s.references}
        read = False
        for spec in TABLES.values():
            if spec.name in measured and not read:
                # before the first table a metric reads: whether it is required depends on the
                # hypotheses, which name features (read already)
                hypotheses = read_hypotheses(
                    self.root,
                    self.problems,
                    self.known.get("features", set()),
                    "features" in self.failed,
                )
                self.used = {h.metric for h in hypotheses}
                read = True
            if spec.streamed:
                if self.started is None:
                    self.started = self._start_csv_checks()
                found = self._streamed(spec)
                if found is not None:
                    sources[spec.name], counts[spec.name] = found
            else:
                frame = self._small(spec)
                if frame is not None:
                    frames[spec.name] = frame
                    counts[spec.name] = len(frame)
                referred.discard(spec.name)
                if self.started is None and not referred:
                    self.started = self._start_csv_checks()
        # the exposures' combinations first: the holdout rules project them (one query)
        exposed = designs.exposed(self._distinct(sources, "exposures", designs.EXPOSED))
        for spec in TABLES.values():
            self._required_by(spec, sources)
        if self.problems:
            raise DataError(in_file_order(self.problems.finish()))

        from cvlib.engine.queries import profile

        releases = frames["releases"]
        releases["released_at"] = [_midnight(day, self.tz) for day in releases["released_on"]]
        profiles = {
            name: self.profiles.get(name) or profile(src, settings.timezone)
            for name, src in sources.items()
        }
        self._remember(sources, counts, profiles)
        if settings.data_through is None:
            latest = [
                value.date()
                for prof in profiles.values()
                for value in prof.latest.values()
                if value is not None
            ]
            settings = replace(
                settings,
                data_through=max(latest) if latest else None,
                data_through_source="latest date in the data",
            )
        workspace = Workspace(
            root=self.root,
            settings=settings,
            releases=releases,
            features=frames["features"],
            hypotheses=hypotheses,
            task_times=frames.get("task_times"),
            tickets=frames.get("tickets"),
            sources=sources,
            row_counts={name: counts[name] for name in TABLES if name in counts},
            warnings=self.warnings,
            profiles=profiles,
            exposed=exposed,
        )
        self.warnings.extend(measurement_warnings(workspace, frames))
        self.warnings.extend(designs.comparison_warnings(hypotheses, exposed, sources))
        return workspace

    # -- the tables read line by line
    def _needed_by(self, spec: TableSpec) -> list[str]:
        return sorted(
            m.name for m in metrics.all_metrics() if m.table == spec.name and m.name in self.used
        )

    def _small(self, spec: TableSpec):
        file = spec.file
        path = self.root / file
        found = check_regular(path, file, self.problems)
        if found != REGULAR:
            self.failed.add(spec.name)
        if found not in (ABSENT, REGULAR):
            return None
        if found == ABSENT:
            if spec.required:
                names = ", ".join(c.name for c in spec.columns if c.required)
                self.problems.add(
                    file, None, None, f"file not found: {spec.required} (columns: {names})"
                )
            elif self._needed_by(spec):
                used = ", ".join(self._needed_by(spec))
                self.problems.add(
                    file, None, None, f"file not found: required because hypotheses use {used}"
                )
            return None
        table = read_csv(path, file, spec.readers(self.tz), self.problems)
        if table is None:
            self.failed.add(spec.name)
            return None
        self._unique(spec, table)
        self._references(spec, table)
        for m in metrics.all_metrics():
            if m.table != spec.name or m.name not in self.used:
                continue
            for column in m.required_columns:
                if column not in table.columns:
                    self.problems.add(
                        file,
                        table.header_line,
                        column,
                        f"expected a column named {column!r} (required because a hypothesis uses "
                        f"{m.name}), found columns {', '.join(table.columns)}",
                    )
        self._required_if(spec, table)
        if len(table.rows) < spec.min_rows:
            self.problems.add(
                file, None, None, f"expected at least one {spec.name[:-1]}, found none"
            )
        if spec.key is not None:
            self.known[spec.name] = {
                row[spec.key] for row in table.rows if row.get(spec.key) is not None
            }
        self.tables[spec.name] = table
        return _frame(spec, table, self.tz)

    def _unique(self, spec, table):
        if spec.key is None:
            return
        seen: dict[str, int] = {}
        for row, line in zip(table.rows, table.lines, strict=True):
            self._check_unique(spec, table.file, row, line, seen)

    def _check_unique(self, spec, file, row, line, seen):
        value = row.get(spec.key)
        if value is None:
            return
        if value in seen:
            message = f"expected unique values, found {value!r} again (first on line {seen[value]})"
            self.problems.add(file, line, spec.key, message)
        else:
            seen[value] = line

    def _references(self, spec, table):
        for ref in spec.references:
            if ref.table in self.failed:
                continue  # already reported: checking against it would only repeat that
            known = self.known.get(ref.table, set())
            optional = not spec.column(ref.column).value_required
            for row, line in zip(table.rows, table.lines, strict=True):
                self._check_reference(ref, optional, known, table.file, row, line)

    def _check_reference(self, ref, optional, known, file, row, line):
        value = row.get(ref.column)
        if value is None or value in known:
            return
        extra = " or nothing" if optional else ""
        message = f"expected a {ref.column} listed in {ref.table}.csv{extra}, found {value!r}"
        self.problems.add(file, line, ref.column, message)

    def _check_consistent(self, rule, first: dict, file, row, line):
        """Report ``row`` where its ``rule.column`` differs from that of the first row agreeing
        with it on ``rule.within`` (``first``: those values -> (value, line))."""
        value = row.get(rule.column)
        key = tuple(row.get(n) for n in rule.within)
        if value is None or None in key:
            return  # a missing or bad value is reported already
        earlier, at = first.setdefault(key, (value, line))
        if earlier != value:
            named = designs.and_([f"{n} {k!r}" for n, k in zip(rule.within, key, strict=True)])
            message = (
                f"expected {earlier!r} (line {at} has the same {named}: {rule.rule}), "
                f"found {value!r}"
            )
            self.problems.add(file, line, rule.column, message)

    def _required_if(self, spec, table):
        for column in spec.columns:
            rule = column.required_if
            if rule is None or column.name not in table.columns:
                continue
            reported = {
                p.line
                for p in self.problems.items
                if p.file == table.file and p.column == column.name
            }
            for row, line in zip(table.rows, table.lines, strict=True):
                if (
                    row.get(rule.column) is True
                    and row.get(column.name) is None
                    and line not in reported
                ):
                    message = f"expected {rule.expected}, found nothing (empty)"
                    self.problems.add(table.file, line, column.name, message)

    def _required_by(self, spec, sources):
        """Values required because another table refers to the row (a feature's holdout_share
        where exposures hold it out), once that table passed its checks."""
        table = self.tables.get(spec.name)
        for column in spec.columns:
            rule = column.required_by
            if rule is None or table is None:
                continue
            keys = self._referring(rule, spec.name, sources)
            if not keys:
                continue
            display, file = sources[rule.table].display, table.file
            if column.name not in table.columns:
                shown = ", ".join(sorted(keys)[:5]) + (", ..." if len(keys) > 5 else "")
                message = (
                    f"expected a column named {column.name!r} (required because {display} has "
                    f"{rule.rows} of {shown}), found columns {', '.join(table.columns)}"
                )
                self.problems.add(file, table.header_line, column.name, message)
                continue
            reported = {
                p.line for p in self.problems.items if (p.file, p.column) == (file, column.name)
            }
            for row, line in zip(table.rows, table.lines, strict=True):
                key = row.get(spec.key)
                if key in keys and row.get(column.name) is None and line not in reported:
                    message = (
                        f"expected {rule.expected} ({display} has {rule.rows} of {key!r}), "
                        "found nothing (empty)"
                    )
                    self.problems.add(file, line, column.name, message)

    def _referring(self, rule, name: str, sources) -> set:
        """The keys of table ``name`` that rows of ``rule.table`` with ``rule.column`` equal
        to ``rule.value`` refer to."""
        ref = next(r for r in TABLES[rule.table].references if r.table == name)
        found = self._distinct(sources, rule.table, (ref.column, rule.column)) or ()
        return {key for key, value in found if value == rule.value}

    def _distinct(self, sources, name: str, columns) -> set | None:
        """The distinct combinations of ``columns`` in the event-scale table ``name``; ``None``
        when it is absent or has problems (which are reported). Columns among those of an
        earlier answer are projected from it, without a query."""
        from cvlib.engine.checks import distinct_rows
        from cvlib.engine.scan import SourceError

        source = sources.get(name)
        if source is None or any(p.file == source.display for p in self.problems.items):
            return None
        for wider, rows in self.combinations.get(name, ()):
            if set(columns) <= set(wider):
                at = [wider.index(c) for c in columns]
                return {tuple(row[i] for i in at) for row in rows}
        try:
            rows = distinct_rows(source, columns)
        except SourceError as exc:
            self.problems.extend(exc.problems)
            return None
        self.combinations.setdefault(name, []).append((tuple(columns), rows))
        return rows

    # -- the event-scale tables
    def _streamed(self, spec: TableSpec):
        """``(Source, rows)`` of an event-scale table that passed its checks, else ``None``."""
        name = spec.name
        if name in self.broken:  # its declaration is reported: no "file not found" after it
            self.failed.add(name)
            return None
        csv_path, parquet_path = self.root / spec.file, self.root / f"{name}.parquet"
        declared = self.declared.get(name)
        if declared is not None:
            if declared.kind == "csv":
                csv_path, parquet_path = self.root / declared.value, None
            elif declared.kind == "parquet":
                source = Source(
                    spec, "parquet", self.root / declared.value, declared.value, engine=self.engine
                )
                if not source.file_names():
                    self.problems.add(
                        WORKSPACE_FILE,
                        declared.line,
                        f"sources.{name}",
                        f"expected Parquet files at {declared.value} "
                        "(a file, a directory or a glob), found none",
                    )
                    return None
                return self._recalled(source) or self._checked(source)
            else:
                url = resolve_url(declared.value, self.root)
                shown = f"{safe_url(declared.value)} table {declared.table}"
                return self._checked(
                    Source(spec, "connection", None, shown, url=url, table=declared.table)
                )
        csv_file = declared.value if declared is not None else csv_path.name
        csv_kind = check_regular(csv_path, csv_file, self.problems)
        parquet_kind = ABSENT
        if parquet_path is not None:  # a file, or a folder of Parquet files
            parquet_kind = check_regular(
                parquet_path, parquet_path.name, self.problems, folder=True
            )
        if {csv_kind, parquet_kind} - {ABSENT, REGULAR}:
            self.failed.add(name)
            return None
        if csv_kind == REGULAR and parquet_kind == REGULAR:
            message = f"expected one of {name}.csv or {name}.parquet, found both (remove one)"
            self.problems.add(spec.file, None, None, message)
            return None
        if parquet_kind == REGULAR:
            source = Source(spec, "parquet", parquet_path, parquet_path.name, engine=self.engine)
            return self._recalled(source) or self._checked(source)
        if csv_kind == ABSENT:
            self.failed.add(name)
            if declared is not None:
                self.problems.add(
                    declared.value,
                    None,
                    None,
                    "file not found (declared in workspace.yaml sources)",
                )
            elif self._needed_by(spec):
                self.problems.add(
                    spec.file,
                    None,
                    None,
                    "file not found: required because a hypothesis uses "
                    f"{', '.join(self._needed_by(spec))} (or provide {name}.parquet)",
                )
            return None
        return self._checked_csv(spec, csv_path, csv_file)

    def _recalled(self, source: Source):
        """``(Source, rows)`` when these very files passed these checks before
        (:mod:`cvlib.engine.checked`), else ``None``; the checks' key is kept for
        :meth:`_remember`."""
        known = self._known()
        found_key = checked.key(source, known=known, timezone=self.tz.key)
        found = checked.recall(found_key, self.tz.key)
        if found is None:
            if found_key is not None:
                self.to_remember[source.name] = (found_key, source, known)
            return None
        self.to_remember.pop(source.name, None)
        self.profiles[source.name] = found.profile
        source = replace(source, max_line=found.max_line, blank_records=found.blank_records)
        return source, found.rows

    def _remember(self, sources: dict, counts: dict, profiles: dict) -> None:
        """Keep what the checks of this load found, for the next load of the same files."""
        for name, (found_key, keyed, known) in self.to_remember.items():
            source = sources.get(name)
            # the files as they are now must be those the checks began with: a file that came
            # or went, or changed, during the checks leaves nothing remembered
            now = checked.key(keyed, known=known, timezone=self.tz.key)
            if source is not None and now == found_key:
                found = checked.Checked(
                    counts[name], profiles[name], source.max_line, source.blank_records
                )
                checked.remember(found_key, found, started=self.checking)

    def _checked(self, source: Source):
        from cvlib.engine import proof
        from cvlib.engine.checks import check_table
        from cvlib.engine.scan import SourceError

        if proof.needs_proof(source):  # before its first query: the engine computes as DuckDB
            probes = [
                (f"the {m.label} query", m.probe)
                for m in metrics.all_metrics()
                if m.table == source.name and m.probe is not None
            ]
            try:
                proof.prove(source, self.tz.key, probes)
            except SourceError as exc:
                self.problems.extend(exc.problems)
                return None
        problems, rows, found = check_table(source, known=self._known(), timezone=self.tz.key)
        self.problems.extend(problems)
        if found is not None:  # profiled with the checks (a warehouse table: one scan)
            self.profiles[source.name] = found
        return None if problems else (source, rows)

    def _known(self) -> dict:
        return {name: keys for name, keys in self.known.items() if name not in self.failed}

    def _start_csv_checks(self) -> dict:
        """Start the engine scans of the event-scale CSV files, which run beside the reading
        of the small tables left and the checks of the event tables before them; they use
        the keys of the small tables read so far, which are all that they refer to (a scan
        whose keys changed since is run again)."""
        from cvlib.engine.checks import start_csv_profile

        started, tz = {}, self.tz.key
        for spec in TABLES.values():
            declared = self.declared.get(spec.name)
            if not spec.streamed or spec.name in self.broken:
                continue
            if declared is not None and declared.kind != "csv":
                continue
            file = declared.value if declared is not None else spec.file
            path = self.root / file
            if path.is_file() and not (self.root / f"{spec.name}.parquet").exists():
                known = self._known()
                found_key = checked.key(Source(spec, "csv", path, file), known=known, timezone=tz)
                if checked.recall(found_key, tz) is not None:
                    continue  # these very bytes passed before: no scan
                wait = start_csv_profile(path, spec, known=known, timezone=tz)
                started[spec.name] = (path, known, wait)
        return started

    def _checked_csv(self, spec: TableSpec, path: Path, file: str):
        from cvlib.engine.checks import csv_profile_if_clean

        recalled = self._recalled(Source(spec, "csv", path, file))
        if recalled is not None:
            return recalled
        # one engine scan first: a clean file (the usual case) needs no line-by-line pass
        early = (self.started or {}).pop(spec.name, None)
        if early is not None and early[0] == path and early[1] == self._known():
            found = early[2]()
        else:
            found = csv_profile_if_clean(path, spec, known=self._known(), timezone=self.tz.key)
        if found is not None:
            self.profiles[spec.name] = found
            return Source(spec, "csv", path, file), found.rows
        seen: dict[str, int] = {}
        count = 0
        consistent = [(rule, {}) for rule in spec.consistent]
        checks = [
            (ref, not spec.column(ref.column).value_required, self.known.get(ref.table, set()))
            for ref in spec.references
            if ref.table not in self.failed
        ]

        def on_row(row, line):
            nonlocal count
            count += 1
            if spec.key is not None:
                self._check_unique(spec, file, row, line, seen)
            for ref, optional, known in checks:
                self._check_reference(ref, optional, known, file, row, line)
            for rule, first in consistent:
                self._check_consistent(rule, first, file, row, line)
            for rule in spec.not_before:
                later, earlier = row.get(rule.later), row.get(rule.earlier)
                if later is not None and earlier is not None and later < earlier:
                    message = (
                        f"expected a date on or after {rule.earlier} ({earlier}), found {later}"
                    )
                    self.problems.add(file, line, rule.later, message)

        table = read_csv(
            path, file, spec.readers(self.tz), self.problems, keep_rows=False, on_row=on_row
        )
        if table is None:
            self.failed.add(spec.name)
            return None
        found = Source(spec, "csv", path, file, max_line=table.longest, blank_records=table.blank)
        return found, count


def _midnight(day, tz):
    import pandas as pd

    return (
        pd.Timestamp(dt.datetime.combine(day, dt.time(), tzinfo=tz)) if day is not None else pd.NaT
    )


def _frame(spec: TableSpec, table, tz):
    """The rows of a table read line by line as a typed frame: its required columns and the
    optional ones the file has."""
    import pandas as pd

    names = [c.name for c in spec.columns if c.required or c.name in table.columns]
    frame = pd.DataFrame(table.rows, columns=names)
    for column in spec.columns:
        if column.name not in frame:
            continue
        dtype, values = column.kind.dtype, frame[column.name]
        if dtype == "float":
            frame[column.name] = pd.to_numeric(values, errors="coerce").astype(float)
        elif dtype == "Int64":
            frame[column.name] = pd.array(values, dtype="Int64")
        elif dtype == "bool":
            frame[column.name] = values.astype(bool)
        elif dtype == "instant":
            if len(frame):
                frame[column.name] = pd.to_datetime(list(values), utc=True).tz_convert(tz)
            else:
                frame[column.name] = pd.Series([], dtype=f"datetime64[ns, {tz.key}]")
    return frame
