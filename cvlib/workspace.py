"""Load and validate a workspace: the only place that knows file names and columns.

A workspace is a folder holding a team's release data (see
``docs/data-contract.md``). :func:`load_workspace` checks every rule of the
contract, reports every problem at once as a :class:`cvlib.DataError`, and
returns a :class:`Workspace` with the small tables as typed pandas frames. The
event-scale tables (events, surveys, accounts) are checked row by row while
streaming and otherwise only described by a :class:`cvlib.aggregate.Source`:
their aggregation belongs to :mod:`cvlib.aggregate`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import numbers
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cvlib import _tables as t
from cvlib.aggregate import ENGINES, Source, profile
from cvlib.errors import DataError, Problem

__all__ = [
    "LOWER_IS_BETTER",
    "METRICS",
    "TASK_METRICS",
    "VALUE_TYPES",
    "Hypothesis",
    "Settings",
    "Workspace",
    "load_workspace",
]

METRICS = ("task_time", "completion_rate", "error_rate", "adoption", "nps", "churn")
TASK_METRICS = ("task_time", "completion_rate", "error_rate")
WINDOW_METRICS = ("adoption", "nps", "churn")
LOWER_IS_BETTER = frozenset({"task_time", "error_rate", "churn"})
VALUE_TYPES = ("functional", "efficiency", "experience", "economic", "risk_reduction", "social")
PHASES = ("before", "after")
DESIGNS = ("independent", "paired")
MAX_WINDOW_DAYS = 365

WORKSPACE_FILE = "workspace.yaml"
HYPOTHESES_FILE = "hypotheses.yaml"
SETTINGS_KEYS = (
    "product", "currency", "hourly_cost", "confidence_level", "timezone", "data_through", "sources",
)
EVENT_TABLES = ("events", "surveys", "accounts")
SOURCE_KINDS = ("csv", "parquet", "connection")
SOURCE_KEYS = (*EVENT_TABLES, "engine")
HYPOTHESIS_KEYS = (
    "id", "feature_id", "statement", "metric", "task", "target", "design",
    "window_days", "tasks_per_month", "created_on",
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Workspace-wide settings from ``workspace.yaml`` (all optional).

    Attributes
    ----------
    product : str or None
    currency : str
        ISO currency code for money values (default ``USD``).
    hourly_cost : float or None
        Cost of one hour of a customer's time, for economic value.
    confidence_level : float
        Coverage of every interval in the reports (default 0.95).
    timezone : str
        IANA name in which dates and naive timestamps are read (default UTC).
    data_through : datetime.date or None
        The last complete day of data; ``None`` until resolved from the data.
    data_through_source : str
        ``workspace.yaml`` or ``latest date in the data``.
    """

    product: str | None = None
    currency: str = "USD"
    hourly_cost: float | None = None
    confidence_level: float = 0.95
    timezone: str = "UTC"
    data_through: dt.date | None = None
    data_through_source: str = "workspace.yaml"


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One value hypothesis from ``hypotheses.yaml``.

    Attributes
    ----------
    id, feature_id, statement, metric : str
    target : float
        Success threshold for the after-release value (seconds for task_time,
        a proportion in [0, 1] for rates, NPS points for nps).
    task : str or None
        Task name for task metrics.
    design : str
        ``independent`` or ``paired`` (task_time only).
    window_days : int
        Measurement window for adoption, nps and churn (default 30).
    tasks_per_month : float or None
        Task executions per month (task_time only), for economic value.
    created_on : datetime.date or None
        When the hypothesis was written.
    line : int
        Line of ``hypotheses.yaml`` where it starts.
    """

    id: str
    feature_id: str
    statement: str
    metric: str
    target: float
    task: str | None = None
    design: str = "independent"
    window_days: int = 30
    tasks_per_month: float | None = None
    created_on: dt.date | None = None
    line: int = 0

    @property
    def lower_is_better(self) -> bool:
        """True for task_time, error_rate and churn."""
        return self.metric in LOWER_IS_BETTER


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
        ``feature_id``, ``release_id``, ``name``, ``value_type``, ``effort_points``.
    hypotheses : list of Hypothesis
    task_times : pandas.DataFrame or None
        ``release_id``, ``task``, ``participant_id``, ``phase``, ``seconds``
        (nan where absent), ``completed`` (bool), ``errors`` (nullable Int64,
        when given), ``segment`` (when given).
    tickets : pandas.DataFrame or None
    sources : dict of str to Source
        The event-scale tables present (events, surveys, accounts).
    row_counts : dict of str to int
    profiles : dict of str to cvlib.aggregate.TableProfile
        Row count and latest instants of each event-scale table, read when
        the workspace was loaded (the fingerprint of a connection table).
    warnings : list of Problem
        Things worth knowing that do not stop the work (hypotheses whose data
        is not there yet).
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


# ------------------------------------------------------------------ loading
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
        raise DataError([Problem(str(path), None, None, f"expected a workspace folder, found {what}")])
    if engine is not None and isinstance(engine, str) and engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)} or an ibis backend, got {engine!r}")
    return _Loader(root, engine).load()


class _Loader:
    def __init__(self, root: Path, engine=None):
        self.root = root
        self.engine = engine  # from the caller; else sources.engine in workspace.yaml; else duckdb
        self.source_specs: dict = {}  # table -> (kind, value, table name, line)
        self.problems = t.Problems()
        self.warnings: list[Problem] = []
        self.failed: set[str] = set()  # files that could not be read as tables
        self.profiles: dict = {}  # table -> TableProfile found while checking it

    # -- helpers
    def _problem(self, file, line, column, message):
        self.problems.add(file, line, column, message)

    def load(self) -> Workspace:

        settings, tz = self._settings()
        releases = self._releases(tz)
        features = self._features(releases)
        hypotheses = self._hypotheses(features)
        metrics = {h.metric for h in hypotheses}
        task_times = self._task_times(releases, metrics, tz)
        feature_ids = set(features["feature_id"]) if features is not None else set()
        sources, counts = self._event_tables(metrics, feature_ids, tz)
        tickets = self._tickets(feature_ids, tz)

        if self.problems:
            raise DataError(_sorted(self.problems.finish()))

        row_counts = {"releases": len(releases), "features": len(features)}
        if task_times is not None:
            row_counts["task_times"] = len(task_times)
        row_counts.update(counts)
        if tickets is not None:
            row_counts["tickets"] = len(tickets)

        profiles = {
            name: self.profiles.get(name) or profile(src, _TIME_COLUMNS[name], settings.timezone)
            for name, src in sources.items()
        }
        if settings.data_through is None:
            latest = [
                value.date()
                for prof in profiles.values()
                for value in prof.latest.values()
                if value is not None
            ]
            settings = _replace(
                settings,
                data_through=max(latest) if latest else None,
                data_through_source="latest date in the data",
            )
        self._measurement_warnings(hypotheses, releases, features, task_times, profiles, sources)
        return Workspace(
            root=self.root,
            settings=settings,
            releases=releases,
            features=features,
            hypotheses=hypotheses,
            task_times=task_times,
            tickets=tickets,
            sources=sources,
            row_counts=row_counts,
            warnings=self.warnings,
            profiles=profiles,
        )

    # -- workspace.yaml
    def _settings(self):
        file = WORKSPACE_FILE
        path = self.root / file
        values = {}
        if path.exists():
            data = t.read_yaml(path, file, self.problems)
            if data is None:
                data = t.LineDict()
                data.lines = {}
            if not isinstance(data, dict):
                self._problem(file, 1, None, f"expected a mapping of settings, found {_kind(data)}")
                data = t.LineDict()
                data.lines = {}
            lines = getattr(data, "lines", {})
            for key, value in data.items():
                line = lines.get(key)
                if key not in SETTINGS_KEYS:
                    self._unknown_key(file, line, key, SETTINGS_KEYS)
                    continue
                if key == "sources":
                    self._sources_block(file, line, value)
                    continue
                parsed = self._setting(file, line, key, value)
                if parsed is not None:
                    values[key] = parsed
        settings = Settings(**values)
        try:
            tz = ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("UTC")
        return settings, tz

    # -- workspace.yaml: sources
    def _sources_block(self, file, line, value):
        """Read ``sources:``: where events, surveys and accounts live, and the engine."""
        if value is None:
            return
        if not isinstance(value, dict):
            self._problem(file, line, "sources", f"expected a mapping of {', '.join(SOURCE_KEYS)}, found {_kind(value)}")
            return
        lines = getattr(value, "lines", {})
        for key, spec in value.items():
            where = lines.get(key, line)
            column = f"sources.{key}"
            if key not in SOURCE_KEYS:
                hint = difflib.get_close_matches(str(key), SOURCE_KEYS, n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                self._problem(file, where, "sources", f"expected one of the keys {', '.join(SOURCE_KEYS)}, found {key!r}{extra}")
                continue
            if key == "engine":
                if spec not in ENGINES:
                    self._problem(file, where, column, f"expected one of {', '.join(ENGINES)}, found {spec!r}")
                elif self.engine is None:
                    self.engine = spec
                continue
            example = f'{{parquet: "{key}/*.parquet"}}, {{csv: {key}.csv}} or {{connection: URL, table: NAME}}'
            if not isinstance(spec, dict):
                self._problem(file, where, column, f"expected a mapping such as {example}, found {_kind(spec)}")
                continue
            spec_lines = getattr(spec, "lines", {})
            kinds = [k for k in SOURCE_KINDS if k in spec]
            unknown = [k for k in spec if k not in (*SOURCE_KINDS, "table")]
            if unknown:
                self._problem(file, spec_lines.get(unknown[0], where), column,
                              f"expected the keys csv, parquet or connection (and table with connection), found {unknown[0]!r}")
                continue
            if len(kinds) != 1:
                found = "none of them" if not kinds else " and ".join(kinds)
                self._problem(file, where, column, f"expected exactly one of csv, parquet or connection, found {found}")
                continue
            kind = kinds[0]
            ok = True
            values = {}
            for k in (kind, "table"):
                if k not in spec:
                    continue
                v = spec[k]
                k_line = spec_lines.get(k, where)
                if not isinstance(v, str) or not v.strip():
                    self._problem(file, k_line, column, f"expected {k} to be text, found {_kind(v)}")
                    ok = False
                    continue
                v = self._substitute(file, k_line, column, v.strip())
                if v is None:
                    ok = False
                values[k] = v
            if kind == "connection" and "table" not in spec:
                self._problem(file, where, column, "expected a table name with connection (table: NAME), found none")
                ok = False
            elif kind != "connection" and "table" in spec:
                self._problem(file, spec_lines.get("table", where), column, f"expected table only with connection, found it with {kind}")
                ok = False
            if ok:
                self.source_specs[key] = (kind, values[kind], values.get("table"), where)

    def _substitute(self, file, line, column, text):
        """Replace ``${NAME}`` from the environment; a missing variable is a problem."""
        missing = [m.group(1) for m in re.finditer(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text) if m.group(1) not in os.environ]
        if missing:
            self._problem(file, line, column, f"expected the environment variable {missing[0]} to be set (used as ${{{missing[0]}}}), found it unset")
            return None
        return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: os.environ[m.group(1)], text)

    def _setting(self, file, line, key, value):
        if value is None:
            return None
        if key in ("product", "currency"):
            if not isinstance(value, str) or not value.strip():
                return self._problem(file, line, key, f"expected text, found {value!r}")
            if key == "currency" and not (len(value) == 3 and value.isalpha() and value.isupper()):
                return self._problem(
                    file, line, key, f"expected a 3-letter ISO currency code such as EUR, found {value!r}"
                )
            return value
        if key == "hourly_cost":
            if not _is_number(value) or value < 0:
                return self._problem(file, line, key, f"expected a number >= 0, found {value!r}")
            return float(value)
        if key == "confidence_level":
            if not _is_number(value) or not 0.5 <= value <= 0.999:
                return self._problem(
                    file, line, key, f"expected a number from 0.5 to 0.999, found {value!r}"
                )
            return float(value)
        if key == "timezone":
            try:
                ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                return self._problem(
                    file, line, key,
                    f"expected an IANA time zone name such as Europe/Berlin or UTC, found {value!r}",
                )
            return str(value)
        if key == "data_through":
            return self._yaml_date(file, line, key, value)
        return None  # pragma: no cover - keys are checked by the caller

    def _yaml_date(self, file, line, key, value):
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        if isinstance(value, dt.date):
            return value
        try:
            return t.parse_date(str(value))
        except t.ValueProblem as exc:
            self._problem(file, line, key, str(exc))
            return None

    def _unknown_key(self, file, line, key, known):
        hint = difflib.get_close_matches(str(key), known, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        self._problem(file, line, str(key), f"expected one of the keys {', '.join(known)}, found {key!r}{extra}")

    # -- releases.csv, features.csv
    def _required_csv(self, file, columns, why):
        path = self.root / file
        if not path.exists():
            names = ", ".join(c.name for c in columns if c.column_required)
            self._problem(file, None, None, f"file not found: {why} (columns: {names})")
            self.failed.add(file)
            return None
        table = t.read_csv(path, file, columns, self.problems)
        if table is None:
            self.failed.add(file)
        return table

    def _releases(self, tz):
        import pandas as pd

        columns = [
            t.Column("release_id", t.parse_id),
            t.Column("name", t.parse_text),
            t.Column("released_on", t.parse_date),
        ]
        table = self._required_csv("releases.csv", columns, "every workspace lists its releases")
        rows = table.rows if table else []
        if table is not None:
            self._unique(table, "release_id")
            if not rows:
                self._problem(table.file, None, None, "expected at least one release, found none")
        frame = pd.DataFrame(rows, columns=[c.name for c in columns])
        frame["released_at"] = [
            pd.Timestamp(dt.datetime.combine(d, dt.time(), tzinfo=tz)) if d is not None else pd.NaT
            for d in frame["released_on"]
        ]
        return frame

    def _features(self, releases):
        import pandas as pd

        columns = [
            t.Column("feature_id", t.parse_id),
            t.Column("release_id", t.parse_id),
            t.Column("name", t.parse_text),
            t.Column("value_type", t.make_choice_parser(VALUE_TYPES)),
            t.Column("effort_points", t.parse_nonnegative, column_required=False, value_required=False),
        ]
        table = self._required_csv("features.csv", columns, "every workspace lists its features")
        rows = table.rows if table else []
        if table is not None:
            self._unique(table, "feature_id")
            self._references(table, "release_id", set(releases["release_id"].dropna()), "releases.csv")
        frame = pd.DataFrame(rows, columns=[c.name for c in columns])
        frame["effort_points"] = pd.to_numeric(frame["effort_points"], errors="coerce").astype(float)
        return frame

    # -- hypotheses.yaml
    def _hypotheses(self, features):
        file = HYPOTHESES_FILE
        path = self.root / file
        if not path.exists():
            self._problem(file, None, None, "file not found: every workspace states its value hypotheses")
            return []
        reported = len(self.problems.items)
        data = t.read_yaml(path, file, self.problems)
        if data is None:
            if len(self.problems.items) == reported:  # not a YAML error: nothing in the file
                self._problem(file, None, None, "file is empty: expected a top-level 'hypotheses:' list")
            return []
        if not isinstance(data, dict) or "hypotheses" not in data:
            self._problem(
                file, getattr(data, "line", 1) or 1, None,
                f"expected a top-level 'hypotheses:' list, found {_kind(data)}",
            )
            return []
        items = data["hypotheses"]
        if items is None:
            return []
        if not isinstance(items, list):
            self._problem(file, data.lines.get("hypotheses"), "hypotheses", f"expected a list, found {_kind(items)}")
            return []
        feature_ids = set(features["feature_id"].dropna())
        seen: dict[str, int] = {}
        result = []
        item_lines = getattr(items, "lines", [None] * len(items))
        for item, line in zip(items, item_lines):
            hypothesis = self._hypothesis(file, item, line, feature_ids, seen)
            if hypothesis is not None:
                result.append(hypothesis)
        return result

    def _hypothesis(self, file, item, line, feature_ids, seen):
        if not isinstance(item, dict):
            self._problem(file, line, None, f"expected each hypothesis to be a mapping of keys, found {_kind(item)}")
            return None
        raw = getattr(item, "raw", {})
        for key in ("id", "feature_id", "task"):
            # ids as written: YAML would read 1.10 as the number 1.1 and yes as true
            if item.get(key) is not None and not isinstance(item[key], str) and key in raw:
                item[key] = raw[key]
        lines = item.lines
        start = item.line
        ok = True

        def bad(key, message):
            nonlocal ok
            ok = False
            self._problem(file, lines.get(key, start), key, message)

        for key in item:
            if key not in HYPOTHESIS_KEYS:
                ok = False
                self._unknown_key(file, lines.get(key, start), key, HYPOTHESIS_KEYS)
        for key in ("id", "feature_id", "statement", "metric", "target"):
            if item.get(key) is None:
                bad(key, "expected a value, found nothing (the key is missing or empty)")

        hid = item.get("id")
        if hid is not None:
            hid = str(hid)
            if not t.ID_PATTERN.fullmatch(hid):
                try:
                    t.parse_id(hid)
                except t.ValueProblem as exc:
                    bad("id", str(exc))
            elif hid in seen:
                bad("id", f"expected unique hypothesis ids, found {hid!r} again (first on line {seen[hid]})")
            else:
                seen[hid] = start
        feature_id = item.get("feature_id")
        if feature_id is not None:
            feature_id = str(feature_id)
            if feature_id not in feature_ids and "features.csv" not in self.failed:
                bad("feature_id", f"expected a feature_id listed in features.csv, found {feature_id!r}")
        statement = item.get("statement")
        if statement is not None and (not isinstance(statement, str) or not statement.strip()):
            bad("statement", f"expected a sentence, found {statement!r}")
        metric = item.get("metric")
        if metric is not None and metric not in METRICS:
            hint = difflib.get_close_matches(str(metric).strip().lower(), METRICS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            bad("metric", f"expected one of {', '.join(METRICS)}, found {metric!r}{extra}")
            metric = None

        target = item.get("target")
        if target is not None:
            if not _is_number(target):
                bad("target", f"expected a number, found {target!r}")
                target = None
            elif metric is not None:
                message = _target_problem(metric, float(target))
                if message:
                    bad("target", message)

        task = item.get("task")
        if metric in TASK_METRICS:
            if task is None or not str(task).strip():
                bad("task", f"expected the task measured (metric {metric} needs one), found nothing")
            else:
                task = str(task)
        elif task is not None and metric is not None:
            bad("task", f"expected no task for metric {metric} (only task metrics use one), found {task!r}")

        design = item.get("design", "independent")
        if design is None:
            design = "independent"
        if design not in DESIGNS:
            bad("design", f"expected independent or paired, found {design!r}")
        elif design == "paired" and metric is not None and metric != "task_time":
            bad("design", f"expected design: paired only with metric task_time, found it with {metric}")

        window = item.get("window_days", 30)
        if window is None:
            window = 30
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW_DAYS:
            bad("window_days", f"expected a whole number of days from 1 to {MAX_WINDOW_DAYS}, found {window!r}")
        elif "window_days" in item and metric in TASK_METRICS:
            bad("window_days", f"expected no window_days for metric {metric} (only adoption, nps and churn use one), found {window!r}")

        tasks_per_month = item.get("tasks_per_month")
        if tasks_per_month is not None:
            if not _is_number(tasks_per_month) or tasks_per_month < 0:
                bad("tasks_per_month", f"expected a number >= 0, found {tasks_per_month!r}")
            elif metric is not None and metric != "task_time":
                bad("tasks_per_month", f"expected tasks_per_month only with metric task_time, found it with {metric}")

        created_on = item.get("created_on")
        if created_on is not None:
            before = len(self.problems.items)
            created_on = self._yaml_date(file, lines.get("created_on", start), "created_on", created_on)
            if len(self.problems.items) != before:
                ok = False

        if not ok:
            return None
        return Hypothesis(
            id=hid,
            feature_id=feature_id,
            statement=statement.strip(),
            metric=metric,
            target=float(target),
            task=task,
            design=design,
            window_days=int(window),
            tasks_per_month=None if tasks_per_month is None else float(tasks_per_month),
            created_on=created_on,
            line=start,
        )

    # -- task_times.csv
    def _task_times(self, releases, metrics, tz):
        import pandas as pd

        file = "task_times.csv"
        path = self.root / file
        columns = [
            t.Column("release_id", t.parse_id),
            t.Column("task", t.parse_text),
            t.Column("participant_id", t.parse_id),
            t.Column("phase", t.make_choice_parser(PHASES)),
            t.Column("seconds", t.parse_positive, value_required=False),
            t.Column("completed", t.parse_bool),
            t.Column("errors", t.parse_count, column_required=False),
            t.Column("segment", t.parse_text, column_required=False, value_required=False),
        ]
        if not path.exists():
            used = sorted(metrics & set(TASK_METRICS))
            if used:
                self._problem(
                    file, None, None,
                    f"file not found: required because hypotheses use {', '.join(used)}",
                )
            return None
        table = t.read_csv(path, file, columns, self.problems)
        if table is None:
            return None
        self._references(table, "release_id", set(releases["release_id"].dropna()), "releases.csv")
        if "error_rate" in metrics and "errors" not in table.columns:
            self._problem(
                file, table.header_line, "errors",
                f"expected a column named 'errors' (required because a hypothesis uses error_rate), "
                f"found columns {', '.join(table.columns)}",
            )
        for row, line in zip(table.rows, table.lines):
            if row.get("completed") is True and row.get("seconds") is None and "seconds" in table.columns:
                if line not in self._lines_with_problem(file, "seconds"):
                    self._problem(file, line, "seconds", "expected the task time in seconds (> 0) for a completed attempt, found nothing (empty)")
        present = [c.name for c in columns if c.name in table.columns]
        frame = pd.DataFrame(table.rows, columns=present)
        frame["seconds"] = pd.to_numeric(frame["seconds"], errors="coerce").astype(float)
        frame["completed"] = frame["completed"].astype(bool)
        if "errors" in frame:
            frame["errors"] = pd.array(frame["errors"], dtype="Int64")
        return frame

    def _lines_with_problem(self, file, column):
        return {p.line for p in self.problems.items if p.file == file and p.column == column}

    # -- events, surveys, accounts (streamed: only checked here)
    def _event_tables(self, metrics, feature_ids, tz):
        parse_ts = t.make_timestamp_parser(tz)
        specs = {
            "events": (
                [
                    t.Column("timestamp", parse_ts, kind="timestamp"),
                    t.Column("user_id", t.parse_id, kind="id"),
                    t.Column("event", t.parse_text),
                    t.Column("segment", t.parse_text, column_required=False, value_required=False),
                ],
                "adoption",
                None,
            ),
            "surveys": (
                [
                    t.Column("response_id", t.parse_id, kind="id"),
                    t.Column("user_id", t.parse_id, kind="id"),
                    t.Column("submitted_at", parse_ts, kind="timestamp"),
                    t.Column("score", t.parse_score, kind="score"),
                    t.Column("comment", str, column_required=False, value_required=False),
                    t.Column("feature_id", t.parse_id, column_required=False, value_required=False, kind="id"),
                    t.Column("segment", t.parse_text, column_required=False, value_required=False),
                ],
                "nps",
                "response_id",
            ),
            "accounts": (
                [
                    t.Column("account_id", t.parse_id, kind="id"),
                    t.Column("started_on", t.parse_date, kind="date"),
                    t.Column("churned_on", t.parse_date, value_required=False, kind="date"),
                    t.Column("segment", t.parse_text, column_required=False, value_required=False),
                    t.Column("mrr", t.parse_nonnegative, column_required=False, value_required=False, kind="nonnegative"),
                ],
                "churn",
                "account_id",
            ),
        }
        sources: dict[str, Source] = {}
        counts: dict[str, int] = {}
        engine = self.engine or "duckdb"
        for name, (columns, metric, key) in specs.items():
            csv_path = self.root / f"{name}.csv"
            parquet_path = self.root / f"{name}.parquet"
            declared = self.source_specs.get(name)
            if declared is not None:
                kind, value, table_name, line = declared
                if kind == "csv":
                    csv_path, parquet_path = self.root / value, None
                else:
                    if kind == "parquet":
                        source = Source(name, "parquet", self.root / value, value, engine=engine)
                        if not source.files():
                            self._problem(WORKSPACE_FILE, line, f"sources.{name}",
                                          f"expected Parquet files at {value} (a file, a directory or a glob), found none")
                            continue
                    else:
                        url = _resolve_url(value, self.root)
                        source = Source(name, "connection", None, f"{_safe_url(value)} table {table_name}",
                                        url=url, table=table_name)
                    rows = self._check_parquet(source, columns, key, feature_ids)
                    if rows is not None:
                        sources[name] = source
                        counts[name] = rows
                    continue
            elif csv_path.exists() and parquet_path.exists():
                self._problem(
                    f"{name}.csv", None, None,
                    f"expected one of {name}.csv or {name}.parquet, found both (remove one)",
                )
                continue
            if parquet_path is not None and parquet_path.exists():
                source = Source(name, "parquet", parquet_path, parquet_path.name, engine=engine)
                rows = self._check_parquet(source, columns, key, feature_ids)
                if rows is not None:
                    sources[name] = source
                    counts[name] = rows
                continue
            if not csv_path.exists():
                if declared is not None:
                    self._problem(declared[1], None, None, "file not found (declared in workspace.yaml sources)")
                elif metric in metrics:
                    self._problem(
                        f"{name}.csv", None, None,
                        f"file not found: required because a hypothesis uses {metric} "
                        f"(or provide {name}.parquet)",
                    )
                continue
            file = declared[1] if declared is not None else csv_path.name
            # one engine scan first: a clean file (the usual case) needs no line-by-line pass
            found = _fast_csv_profile(csv_path, columns, key, name, feature_ids, self.failed, tz.key)
            if found is not None:
                sources[name] = Source(name, "csv", csv_path, file)
                counts[name] = found.rows
                self.profiles[name] = found
                continue
            seen: dict[str, int] = {}
            count = 0

            def on_row(row, line, file=file, key=key, seen=seen, name=name):
                nonlocal count
                count += 1
                if key is not None and row.get(key) is not None:
                    value = row[key]
                    if value in seen:
                        self._problem(file, line, key, f"expected unique values, found {value!r} again (first on line {seen[value]})")
                    else:
                        seen[value] = line
                if (
                    name == "surveys"
                    and row.get("feature_id") is not None
                    and row["feature_id"] not in feature_ids
                    and "features.csv" not in self.failed
                ):
                    self._problem(file, line, "feature_id", f"expected a feature_id listed in features.csv or nothing, found {row['feature_id']!r}")
                if name == "accounts" and row.get("churned_on") is not None and row.get("started_on") is not None:
                    if row["churned_on"] < row["started_on"]:
                        self._problem(
                            file, line, "churned_on",
                            f"expected a date on or after started_on ({row['started_on']}), found {row['churned_on']}",
                        )

            table = t.read_csv(csv_path, file, columns, self.problems, keep_rows=False, on_row=on_row)
            if table is not None:
                sources[name] = Source(name, "csv", csv_path, file)
                counts[name] = count
        return sources, counts

    def _check_parquet(self, source, columns, key, feature_ids):
        from cvlib.aggregate import check_table

        # the same table rules as for CSV: unique keys, known features, churn after start
        references = {}
        if source.name == "surveys" and "features.csv" not in self.failed:
            references["feature_id"] = (feature_ids, "features.csv")
        not_before = ("churned_on", "started_on") if source.name == "accounts" else None
        problems, rows = check_table(
            source,
            [(c.name, c.kind, c.column_required, c.value_required) for c in columns],
            unique=key,
            references=references,
            not_before=not_before,
        )
        self.problems.extend(problems)
        return None if problems else rows

    # -- tickets.csv
    def _tickets(self, feature_ids, tz):
        import pandas as pd

        file = "tickets.csv"
        path = self.root / file
        if not path.exists():
            return None
        columns = [
            t.Column("ticket_id", t.parse_id),
            t.Column("created_at", t.make_timestamp_parser(tz)),
            t.Column("feature_id", t.parse_id, value_required=False),
            t.Column("category", t.parse_text, value_required=False),
            t.Column("text", t.parse_text),
        ]
        table = t.read_csv(path, file, columns, self.problems)
        if table is None:
            return None
        self._unique(table, "ticket_id")
        self._references(table, "feature_id", feature_ids, "features.csv", optional=True)
        frame = pd.DataFrame(table.rows, columns=[c.name for c in columns])
        frame["created_at"] = pd.to_datetime(
            [row["created_at"] for row in table.rows], utc=True
        ).tz_convert(tz) if len(frame) else pd.Series([], dtype=f"datetime64[ns, {tz.key}]")
        return frame

    # -- cross-table checks
    def _unique(self, table, column):
        seen: dict[str, int] = {}
        for row, line in zip(table.rows, table.lines):
            value = row.get(column)
            if value is None:
                continue
            if value in seen:
                self._problem(table.file, line, column, f"expected unique values, found {value!r} again (first on line {seen[value]})")
            else:
                seen[value] = line

    def _references(self, table, column, known, other, *, optional=False):
        if other in self.failed:
            return  # already reported: checking against it would only repeat that
        for row, line in zip(table.rows, table.lines):
            value = row.get(column)
            if value is None or value in known:
                continue
            extra = " or nothing" if optional else ""
            self._problem(table.file, line, column, f"expected a {column} listed in {other}{extra}, found {value!r}")

    def _measurement_warnings(self, hypotheses, releases, features, task_times, profiles, sources):
        released = dict(zip(releases["release_id"], releases["released_at"]))
        release_of = dict(zip(features["feature_id"], features["release_id"]))
        for h in hypotheses:
            release_id = release_of.get(h.feature_id)
            start = released.get(release_id)
            where = (HYPOTHESES_FILE, h.line, None)
            if h.metric in TASK_METRICS:
                if task_times is None or not (
                    (task_times["release_id"] == release_id) & (task_times["task"] == h.task)
                ).any():
                    self.warnings.append(Problem(*where, f"hypothesis {h.id}: no task_times rows yet for task {h.task!r} in release {release_id}"))
                continue
            table, column = {"adoption": ("events", "timestamp"), "nps": ("surveys", "submitted_at"), "churn": ("accounts", "started_on")}[h.metric]
            latest = profiles[table].latest.get(column) if table in profiles else None
            if h.metric == "churn":
                continue  # the population is accounts started before the release: any data counts
            if latest is None or start is None or latest < start.to_pydatetime():
                self.warnings.append(Problem(*where, f"hypothesis {h.id}: no {table} on or after the release date of {release_id} yet"))


def _resolve_url(url: str, root: Path) -> str:
    """An ibis URL with a relative database file (duckdb, sqlite) resolved against ``root``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme or "file"
    if scheme not in ("duckdb", "sqlite", "file"):
        return url
    path = parts.netloc + parts.path
    if not path or path == ":memory:" or Path(path).is_absolute():
        return url
    resolved = (root / path).resolve()
    query = f"?{parts.query}" if parts.query else ""
    if scheme == "file":
        return str(resolved) + query
    return f"{scheme}://{resolved}{query}"


_SECRET_PARAMS = re.compile(r"(?i)^(password|passwd|pwd|token|secret|access_token|api_key|private_key.*)$")


def _safe_url(url: str) -> str:
    """The URL as messages and summary.json show it: without a password or secret parameters."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user = parts.username or ""
        host = netloc.rsplit("@", 1)[1]
        netloc = f"{user}@{host}" if user else host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _SECRET_PARAMS.match(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_TIME_COLUMNS = {
    "events": ["timestamp"],
    "surveys": ["submitted_at"],
    "accounts": ["started_on", "churned_on"],
}


def _fast_csv_profile(path, columns, key, name, feature_ids, failed, timezone):
    """Row count and latest instants of an event-scale CSV file that one engine scan finds clean, else None."""
    from cvlib.aggregate import csv_profile_if_clean

    references = {}
    if name == "surveys" and "features.csv" not in failed:
        references["feature_id"] = (feature_ids, "features.csv")
    return csv_profile_if_clean(
        path,
        [(c.name, c.kind, c.column_required, c.value_required) for c in columns],
        unique=key,
        references=references,
        not_before=("churned_on", "started_on") if name == "accounts" else None,
        time_columns=_TIME_COLUMNS[name],
        timezone=timezone,
    )


def _target_problem(metric: str, target: float) -> str | None:
    if metric == "task_time" and not target > 0:
        return f"expected a target in seconds > 0 for task_time, found {target:g}"
    if metric in ("completion_rate", "error_rate", "adoption", "churn") and not 0 <= target <= 1:
        return f"expected a proportion from 0 to 1 for {metric} (e.g. 0.8 for 80%), found {target:g}"
    if metric == "nps" and not -100 <= target <= 100:
        return f"expected NPS points from -100 to 100, found {target:g}"
    return None


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _replace(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {}
    for p in problems:
        order.setdefault(p.file, len(order))
    return sorted(problems, key=lambda p: (order[p.file], p.line if p.line is not None else 10**12))
