"""Words and symbols shared by the report's HTML fragments and its charts."""

from __future__ import annotations

from cvlib import metrics
from cvlib.verdicts.rules import VERDICT_MEANING

__all__ = [
    "GRADE_BY",
    "GRADE_LABEL",
    "VERDICT_LABEL",
    "VERDICT_MEANING",
    "VERDICT_SYMBOL",
    "flag_text",
    "format_value",
    "grade_text",
    "target_text",
    "validated_by_grade",
]

VERDICT_LABEL = {
    "validated": "validated",
    "not_validated": "not validated",
    "inconclusive": "inconclusive",
    "insufficient_data": "insufficient data",
}
# marker shapes as well as colours, so the verdict survives greyscale printing
VERDICT_SYMBOL = {
    "validated": "✔",
    "not_validated": "✘",
    "inconclusive": "?",
    "insufficient_data": "…",
}

#: Evidence grades (:data:`cvlib.verdicts.designs.GRADES`) in words, strongest first.
GRADE_LABEL = {
    "randomized": "randomized holdout",
    "time_series": "interrupted time series",
    "controlled_study": "controlled study",
    "before_after": "before/after (association only)",
    "target_only": "target only",
}
#: How a verdict of each grade was reached, after a count ("2 validated: 1 by a controlled study").
GRADE_BY = {
    "randomized": "by a randomized holdout",
    "time_series": "by an interrupted time series",
    "controlled_study": "by a controlled study",
    "before_after": "by before/after (association only)",
    "target_only": "on the target alone",
}
#: Flags any hypothesis may get; a metric's own flags are in its spec (``flag_texts``).
FLAG_TEXT = {
    "written_after_release": "the hypothesis was written after the release, so it may have "
    "been fitted to the result",
    "not_settleable": "no amount of data after the release can reach 80% power at the expected "
    "value (the before sample is too small, or the expected value does not meet the claim)",
    "definition_changed": "the hypothesis's definition differs from the one it was first "
    "reported under; a definition changed after the data were seen weakens the verdict",
    # the comparison designs' flags (cvlib.verdicts.designs)
    "placebo_change": "the metric was already moving the same way in the window before the "
    "compared ones, so part of the change may not be the release's",
    "overlapping_release": "another release shipped inside the compared windows, so the change "
    "may be partly its",
    "placebo_effects": "effects this large are common in this series at dates without a release",
    "sample_ratio_mismatch": "the holdout's split of units is not the planned one, so the groups "
    "may differ in more than the feature",
    "response_rate_differs": "the share of users who answered the survey differs between the "
    "treatment and the holdout, so the respondents may not be comparable",
}


def flag_text(flag: str) -> str:
    """What a flag means.

    Examples
    --------
    >>> flag_text("overlapping_release")
    'another release shipped inside the compared windows, so the change may be partly its'
    >>> flag_text("no_such_flag")
    'no_such_flag'
    """
    for spec in metrics.all_metrics():
        if flag in spec.flag_texts:
            return spec.flag_texts[flag]
    return FLAG_TEXT.get(flag, flag)


def grade_text(grade: str | None) -> str:
    """An evidence grade in words (``None``, from a summary without evidence: an empty string).

    Examples
    --------
    >>> grade_text("before_after"), grade_text(None)
    ('before/after (association only)', '')
    """
    if grade is None:
        return ""
    return GRADE_LABEL.get(grade, grade.replace("_", " "))


def format_value(metric: str, value) -> str:
    """A ``metric`` value in human units (seconds as ``1 min 41 s``, shares as percent, NPS points).

    Examples
    --------
    >>> format_value("task_time", 101.3), format_value("adoption", 0.25), format_value("nps", 31)
    ('1 min 41 s', '25.0%', '+31.0')
    """
    return metrics.get(metric).unit.format(value)


def target_text(h, *, symbol: bool = False) -> str:
    """The target of a hypothesis in words ("at most 2 min") or with a symbol ("≤ 2 min")."""
    spec = h.spec
    if symbol:
        word = "≤ " if spec.lower_is_better else "≥ "
    else:
        word = "at most " if spec.lower_is_better else "at least "
    return word + spec.unit.format(h.target)


def validated_by_grade(counts) -> str:
    """Validated hypotheses counted by evidence grade, in words.

    Parameters
    ----------
    counts : mapping
        Evidence grade (``None`` for a hypothesis without recorded evidence)
        -> number of validated hypotheses of that grade.

    Returns
    -------
    str
        ``"N validated"`` and how: the grades strongest first; an empty
        string when nothing was validated.

    Examples
    --------
    >>> validated_by_grade({"target_only": 2, "controlled_study": 2, "time_series": 1})
    '5 validated: 1 by an interrupted time series, 2 by a controlled study, 2 on the target alone'
    >>> validated_by_grade({"controlled_study": 3}), validated_by_grade({"randomized": 1})
    ('3 validated, all by a controlled study', '1 validated, by a randomized holdout')
    >>> validated_by_grade({"time_series": 0})
    ''
    """
    found = {g: n for g, n in counts.items() if n}
    total = sum(found.values())
    if not total:
        return ""
    order = list(GRADE_BY) + sorted((g for g in found if g not in GRADE_BY), key=str)

    def by(grade) -> str:
        if grade is None:
            return "without a recorded design"
        return GRADE_BY.get(grade, "by " + grade.replace("_", " "))

    parts = [(by(g), found[g]) for g in order if g in found]
    if len(parts) == 1:
        return f"{total} validated, {'all ' if total > 1 else ''}{parts[0][0]}"
    return f"{total} validated: " + ", ".join(f"{n} {words}" for words, n in parts)
