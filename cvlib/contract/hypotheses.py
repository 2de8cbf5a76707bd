"""``hypotheses.yaml``: the value each feature promised, how it is measured, what counts as success.

What a hypothesis may say depends on its metric, and is read from the metric's
:class:`~cvlib.metrics.base.MetricSpec`: whether it names a task, which designs
and options it takes, whether it has a window, whether it has a before to
compare with, whether it has a history or a unit (the comparisons it allows),
and the ranges of its target and margin.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Literal

from cvlib import metrics
from cvlib.contract import values
from cvlib.contract.files import ABSENT, REGULAR, check_regular
from cvlib.contract.problems import Problems
from cvlib.contract.yamlfile import describe, is_number, read_yaml, unknown_key, yaml_date

__all__ = [
    "COMPARISONS",
    "HYPOTHESES_FILE",
    "KINDS",
    "MAX_WINDOW_DAYS",
    "Hypothesis",
    "read_hypotheses",
]

HYPOTHESES_FILE = "hypotheses.yaml"
MAX_WINDOW_DAYS = 365
DEFAULT_WINDOW_DAYS = 30
MAX_PLANNED_N = 1_000_000
DESIGNS = ("independent", "paired")
KINDS = ("level", "improvement", "non_inferiority")
COMPARISONS = ("auto", "holdout", "interrupted_time_series", "before_after")
#: What a named comparison needs of the metric: a test of its MetricSpec, and those words.
_COMPARISON_NEEDS = {
    "holdout": (
        lambda spec: spec.split is not None,
        "a metric compared between a holdout's groups",
    ),
    "interrupted_time_series": (
        lambda spec: spec.has_history,
        "a metric with a history before the release",
    ),
    "before_after": (lambda spec: spec.has_before, "a metric with a before-release value"),
}
KEYS = (
    "id", "feature_id", "statement", "metric", "task", "target", "kind", "margin", "expected",
    "design", "planned_n", "window_days", "comparison", "tasks_per_month", "created_on",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One value hypothesis from ``hypotheses.yaml``.

    Attributes
    ----------
    id, feature_id, statement, metric : str
    target : float
        Success threshold for the after-release value, in the metric's unit
        (seconds, a proportion in [0, 1], NPS points).
    task : str or None
        The task measured, for metrics that name one.
    design : str
        ``independent`` or ``paired``, as the metric allows.
    window_days : int
        Measurement window for windowed metrics (default 30).
    kind : {"level", "improvement", "non_inferiority"}
        What success means: ``level``, the target alone; ``improvement``,
        the target and better than before; ``non_inferiority``, the target
        and not worse than before by more than :attr:`margin`. ``None``
        (the default) is resolved from the metric on construction:
        ``improvement`` when it has a before
        (:attr:`~cvlib.metrics.base.MetricSpec.has_before`), ``level``
        otherwise.
    margin : float or None
        With ``kind: non_inferiority`` only: how much worse than before
        still counts, in the units of the change (an absolute difference
        for proportions and NPS points, a ratio after / before for times;
        :meth:`~cvlib.metrics.units.Unit.margin_problem`).
    expected : float or None
        The value the team expects after the release, in the metric's unit
        (for planning; the same range as ``target``).
    planned_n : int or None
        For metrics that name a task: the after-phase participants (pairs
        with ``design: paired``) at which the study is decided.
    comparison : {"auto", "holdout", "interrupted_time_series", "before_after"}
        How the after-release value is compared: ``auto`` (the default)
        leaves the choice to the verdicts, by the data there is; ``holdout``,
        the feature's treatment and holdout units (``exposures``; a metric
        of users or accounts); ``interrupted_time_series``, the trend before
        the release (a metric with a history); ``before_after``, the
        before-release value.
    tasks_per_month : float or None
        Task executions per month, for economic value.
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
    window_days: int = DEFAULT_WINDOW_DAYS
    kind: Literal["level", "improvement", "non_inferiority"] | None = None
    margin: float | None = None
    expected: float | None = None
    planned_n: int | None = None
    comparison: Literal["auto", "holdout", "interrupted_time_series", "before_after"] = "auto"
    tasks_per_month: float | None = None
    created_on: dt.date | None = None
    line: int = 0

    def __post_init__(self):
        if self.kind is None:
            object.__setattr__(self, "kind", default_kind(self.spec))

    @property
    def spec(self):
        """The metric's :class:`~cvlib.metrics.base.MetricSpec`."""
        return metrics.get(self.metric)

    @property
    def lower_is_better(self) -> bool:
        """Whether a lower value of the metric is better."""
        return self.spec.lower_is_better

    def definition(self) -> dict:
        """The pre-registered definition: what is measured and what counts as success.

        Returns
        -------
        dict
            Plain JSON values: ``metric``, ``task``, ``target``, ``kind``,
            ``margin``, ``window_days`` (only for a windowed metric),
            ``expected``, ``planned_n``, ``design`` (``None`` where a key
            was not given) and ``comparison`` (only when it is not
            ``auto``, so a definition written before the key existed is
            unchanged). Two runs measure the same hypothesis when their
            definitions are equal; the statement, ``tasks_per_month`` and
            ``created_on`` are not part of it.

        Examples
        --------
        >>> h = Hypothesis("H1", "F1", "Faster.", "task_time", 120, task="export")
        >>> h.definition()  # doctest: +NORMALIZE_WHITESPACE
        {'metric': 'task_time', 'task': 'export', 'target': 120.0, 'kind': 'improvement',
         'margin': None, 'expected': None, 'planned_n': None, 'design': 'independent'}
        >>> Hypothesis("H2", "F1", "Used.", "adoption", 0.3).definition()["window_days"]
        30
        >>> Hypothesis("H3", "F1", "Kept.", "churn", 0.05, comparison="holdout").definition()[
        ...     "comparison"
        ... ]
        'holdout'
        """
        found = {
            "metric": self.metric,
            "task": self.task,
            "target": float(self.target),
            "kind": self.kind,
            "margin": None if self.margin is None else float(self.margin),
        }
        if self.spec.windowed:
            found["window_days"] = int(self.window_days)
        found.update(
            expected=None if self.expected is None else float(self.expected),
            planned_n=None if self.planned_n is None else int(self.planned_n),
            design=self.design,
        )
        if self.comparison != "auto":
            found["comparison"] = self.comparison
        return found


def default_kind(spec) -> str:
    """The ``kind`` of a hypothesis that gives none: ``improvement`` when the metric has a
    before to compare with, ``level`` otherwise."""
    return "improvement" if spec.has_before else "level"


def read_hypotheses(
    root, problems: Problems, feature_ids: set, features_failed: bool
) -> list[Hypothesis]:
    """Read and check ``root/hypotheses.yaml``; problems go to ``problems``.

    ``feature_ids`` are the features a hypothesis may name (not checked when
    ``features_failed``: features.csv could not be read, which is reported).
    """
    file = HYPOTHESES_FILE
    path = root / file
    found = check_regular(path, file, problems)
    if found == ABSENT:
        problems.add(
            file, None, None, "file not found: every workspace states its value hypotheses"
        )
    if found != REGULAR:
        return []
    reported = len(problems.items)
    data = read_yaml(path, file, problems)
    if data is None:
        if len(problems.items) == reported:  # not a YAML error: nothing in the file
            problems.add(file, None, None, "file is empty: expected a top-level 'hypotheses:' list")
        return []
    if not isinstance(data, dict) or "hypotheses" not in data:
        line = getattr(data, "line", 1) or 1
        problems.add(
            file, line, None, f"expected a top-level 'hypotheses:' list, found {describe(data)}"
        )
        return []
    for key in data:
        # hypotheses written under another key ('defaults:') would vanish; a key starting with
        # x- holds YAML anchors for merge keys (<<: *defaults), as in docker compose files
        if key != "hypotheses" and not str(key).startswith("x-"):
            unknown_key(problems, file, data.lines.get(key), key, ("hypotheses",))
    items = data["hypotheses"]
    if items is None:
        return []
    if not isinstance(items, list):
        problems.add(
            file,
            data.lines.get("hypotheses"),
            "hypotheses",
            f"expected a list, found {describe(items)}",
        )
        return []
    reader = _Reader(problems, feature_ids, features_failed)
    result = []
    for item, line in zip(items, getattr(items, "lines", [None] * len(items)), strict=True):
        hypothesis = reader.hypothesis(item, line)
        if hypothesis is not None:
            result.append(hypothesis)
    return result


def _and(words) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _or(words) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


class _Reader:
    def __init__(self, problems: Problems, feature_ids: set, features_failed: bool):
        self.problems = problems
        self.feature_ids = feature_ids
        self.features_failed = features_failed
        self.seen: dict[str, int] = {}

    def hypothesis(self, item, line) -> Hypothesis | None:
        file = HYPOTHESES_FILE
        if not isinstance(item, dict):
            self.problems.add(
                file,
                line,
                None,
                f"expected each hypothesis to be a mapping of keys, found {describe(item)}",
            )
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
            self.problems.add(file, lines.get(key, start), key, message)

        for key in item:
            if key not in KEYS:
                ok = False
                unknown_key(self.problems, file, lines.get(key, start), key, KEYS)
        for key in ("id", "feature_id", "statement", "metric", "target"):
            if item.get(key) is None:
                bad(key, "expected a value, found nothing (the key is missing or empty)")

        hid = item.get("id")
        if hid is not None:
            hid = str(hid)
            if not values.ID_PATTERN.fullmatch(hid):
                try:
                    values.parse_id(hid)
                except values.ValueProblem as exc:
                    bad("id", str(exc))
            elif hid in self.seen:
                bad(
                    "id",
                    f"expected unique hypothesis ids, found {hid!r} again "
                    f"(first on line {self.seen[hid]})",
                )
            else:
                self.seen[hid] = start
        feature_id = item.get("feature_id")
        if feature_id is not None:
            feature_id = str(feature_id)
            if feature_id not in self.feature_ids and not self.features_failed:
                bad(
                    "feature_id",
                    f"expected a feature_id listed in features.csv, found {feature_id!r}",
                )
        statement = item.get("statement")
        if statement is not None and (not isinstance(statement, str) or not statement.strip()):
            bad("statement", f"expected a sentence, found {statement!r}")

        spec = None
        metric = item.get("metric")
        if metric is not None:
            known = metrics.names()
            if metric in known:
                spec = metrics.get(metric)
            else:
                hint = difflib.get_close_matches(str(metric).strip().lower(), known, n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                bad("metric", f"expected one of {', '.join(known)}, found {metric!r}{extra}")

        target = item.get("target")
        if target is not None:
            if not is_number(target):
                bad("target", f"expected a number, found {target!r}")
                target = None
            elif spec is not None:
                message = spec.unit.target_problem(spec.name, float(target))
                if message:
                    bad("target", message)

        task = item.get("task")
        if spec is not None and spec.needs_task:
            if task is None or isinstance(task, str) and not task.strip():
                bad(
                    "task", f"expected the task measured (metric {metric} needs one), found nothing"
                )
            elif isinstance(task, list | dict):
                bad("task", f"expected the name of a task, found {describe(task)}")
            else:
                task = str(task)
        elif task is not None and spec is not None:
            bad(
                "task",
                f"expected no task for metric {metric} (only task metrics use one), found {task!r}",
            )

        design = item.get("design", "independent")
        if design is None:
            design = "independent"
        if design not in DESIGNS:
            bad("design", f"expected independent or paired, found {design!r}")
        elif spec is not None and design not in spec.designs:
            allowed = [m.name for m in metrics.all_metrics() if design in m.designs]
            bad(
                "design",
                f"expected design: {design} only with metric {_and(allowed)}, "
                f"found it with {metric}",
            )

        kind = item.get("kind")
        kind_ok = True
        if kind is None:
            kind = None if spec is None else default_kind(spec)
        elif kind not in KINDS:
            kind_ok = False
            text = kind.strip().lower() if isinstance(kind, str) else ""
            hint = difflib.get_close_matches(text, KINDS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            bad(
                "kind",
                f"expected level, improvement or non_inferiority, found {describe(kind)}{extra}",
            )
        elif kind != "level" and spec is not None and not spec.has_before:
            kind_ok = False
            bad(
                "kind",
                f"metric {metric} has no before-release value to compare with: use kind: level "
                f"(found {kind})",
            )

        margin = item.get("margin")
        if margin is not None and not is_number(margin):
            bad("margin", f"expected a number, found {margin!r}")
        elif kind_ok and kind == "non_inferiority" and margin is None:
            bad(
                "margin",
                "expected a margin with kind: non_inferiority (how much worse than before "
                "still counts), found nothing",
            )
        elif kind_ok and margin is not None and kind != "non_inferiority" and spec is not None:
            bad(
                "margin",
                f"expected margin only with kind: non_inferiority, found it with kind: {kind}",
            )
        elif kind_ok and margin is not None and spec is not None:
            message = spec.unit.margin_problem(spec.name, float(margin))
            if message:
                bad("margin", message)

        expected = item.get("expected")
        if expected is not None:
            if not is_number(expected):
                bad("expected", f"expected a number, found {expected!r}")
            elif spec is not None:
                message = spec.unit.target_problem(spec.name, float(expected))
                if message:
                    bad("expected", message)

        planned_n = item.get("planned_n")
        if planned_n is not None:
            if (
                isinstance(planned_n, bool)
                or not isinstance(planned_n, int)
                or not 1 <= planned_n <= MAX_PLANNED_N
            ):
                bad(
                    "planned_n",
                    f"expected a whole number from 1 to {MAX_PLANNED_N:,}, found {planned_n!r}",
                )
            elif spec is not None and not spec.needs_task:
                allowed = _and(m.name for m in metrics.all_metrics() if m.needs_task)
                bad(
                    "planned_n",
                    f"expected planned_n only with metric {allowed}, found it with {metric}",
                )

        window = item.get("window_days", DEFAULT_WINDOW_DAYS)
        if window is None:
            window = DEFAULT_WINDOW_DAYS
        if (
            isinstance(window, bool)
            or not isinstance(window, int)
            or not 1 <= window <= MAX_WINDOW_DAYS
        ):
            bad(
                "window_days",
                f"expected a whole number of days from 1 to {MAX_WINDOW_DAYS}, found {window!r}",
            )
        elif "window_days" in item and spec is not None and not spec.windowed:
            windowed = _and(m.name for m in metrics.all_metrics() if m.windowed)
            bad(
                "window_days",
                f"expected no window_days for metric {metric} (only {windowed} use one), "
                f"found {window!r}",
            )

        comparison = item.get("comparison", "auto")
        if comparison is None:
            comparison = "auto"
        if comparison not in COMPARISONS:
            text = comparison.strip().lower() if isinstance(comparison, str) else ""
            hint = difflib.get_close_matches(text, COMPARISONS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            bad(
                "comparison",
                f"expected {_or(COMPARISONS)}, found {describe(comparison)}{extra}",
            )
        elif comparison in _COMPARISON_NEEDS and spec is not None:
            fits, words = _COMPARISON_NEEDS[comparison]
            if not fits(spec):
                allowed = _and(m.name for m in metrics.all_metrics() if fits(m))
                bad(
                    "comparison",
                    f"expected comparison: {comparison} only with metric {allowed} ({words}), "
                    f"found it with {metric}",
                )

        tasks_per_month = item.get("tasks_per_month")
        if tasks_per_month is not None:
            if not is_number(tasks_per_month) or tasks_per_month < 0:
                bad("tasks_per_month", f"expected a number >= 0, found {tasks_per_month!r}")
            elif spec is not None and "tasks_per_month" not in spec.options:
                allowed = _and(
                    m.name for m in metrics.all_metrics() if "tasks_per_month" in m.options
                )
                bad(
                    "tasks_per_month",
                    f"expected tasks_per_month only with metric {allowed}, found it with {metric}",
                )

        created_on = item.get("created_on")
        if created_on is not None:
            before = len(self.problems.items)
            created_on = yaml_date(
                self.problems, file, lines.get("created_on", start), "created_on", created_on
            )
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
            kind=kind,
            margin=None if margin is None else float(margin),
            expected=None if expected is None else float(expected),
            planned_n=None if planned_n is None else int(planned_n),
            comparison=comparison,
            tasks_per_month=None if tasks_per_month is None else float(tasks_per_month),
            created_on=created_on,
            line=start,
        )
