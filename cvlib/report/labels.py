"""Words and symbols shared by the report's HTML fragments and its charts."""

from __future__ import annotations

from cvlib import metrics
from cvlib.verdicts.rules import VERDICT_MEANING

__all__ = [
    "VERDICT_LABEL",
    "VERDICT_MEANING",
    "VERDICT_SYMBOL",
    "flag_text",
    "format_value",
    "target_text",
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

#: Flags any hypothesis may get; a metric's own flags are in its spec (``flag_texts``).
FLAG_TEXT = {
    "written_after_release": "the hypothesis was written after the release, so it may have "
    "been fitted to the result",
    "not_settleable": "no amount of data after the release can reach 80% power at the expected "
    "value (the before sample is too small, or the expected value does not meet the claim)",
    "definition_changed": "the hypothesis's definition differs from the one it was first "
    "reported under; a definition changed after the data were seen weakens the verdict",
}


def flag_text(flag: str) -> str:
    """What a flag means."""
    for spec in metrics.all_metrics():
        if flag in spec.flag_texts:
            return spec.flag_texts[flag]
    return FLAG_TEXT.get(flag, flag)


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
