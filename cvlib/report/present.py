"""Presentation for the notebooks: HTML fragments built from result objects with Jinja templates.

Numbers in a report's prose come from here, computed from a
:class:`cvlib.ReleaseEvaluation`, never typed by hand. The fragments are
rendered from the templates in ``cvlib/report/templates/fragments`` with
autoescaping on, so every string that comes from a workspace (feature names,
statements, comments, ticket texts) is HTML-escaped; they display in
notebooks as :class:`Fragment` objects (``IPython.display.Markdown`` and
pandas ``Styler`` would pass raw HTML through).
"""

from __future__ import annotations

import functools
import html
import math
import re
from pathlib import Path

from cvlib import metrics
from cvlib.metrics.units import human_seconds, nps_points, percent
from cvlib.report.evidence import (
    against,
    evidence_head,
    evidence_lines,
    finite,
    forecast_label,
    format_change,
    p_text,
)
from cvlib.report.labels import (
    VERDICT_LABEL,
    VERDICT_MEANING,
    VERDICT_SYMBOL,
    flag_text,
    format_value,
    grade_text,
    target_text,
    validated_by_grade,
)

__all__ = [
    "Fragment",
    "esc",
    "evidence_lines",
    "executive_summary",
    "feature_comments",
    "feature_names",
    "features_without_hypothesis",
    "feedback",
    "format_change",
    "format_value",
    "glossary",
    "human_seconds",
    "hypothesis_section",
    "hypothesis_sections",
    "methods",
    "nps_points",
    "percent",
    "redact",
    "release_index_html",
    "release_index_rows",
    "scorecard_table",
    "segments_table",
    "verdict_table",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Methods named in every report, after those of the metrics it uses.
GENERAL_METHODS = (
    "Verdicts: each claim of a hypothesis (its target; better than before, or not worse than "
    "the margin) is a one-sided test at (1 - confidence level) / 2, decided by the two-sided "
    "interval drawn; a hypothesis holds when all its claims do, its p-value the largest of "
    "theirs (intersection-union test, Berger 1982).",
    "Multiple comparisons: the hypotheses' p-values adjusted across every hypothesis declared "
    "for the release (Holm 1979 by default, or Benjamini & Hochberg 1995, as workspace.yaml "
    "says; untested ones count as p = 1); validated needs the adjusted p-value at most the "
    "level. Segment verdicts are unadjusted and exploratory.",
    "Economic value: hours saved from the mean times before and after, for every task-time "
    "hypothesis with tasks_per_month whatever its verdict, a task counted once; interval: "
    "generalized pivotal quantity of the difference of log-normal means (Krishnamoorthy & "
    "Mathew 2003), or the BCa bootstrap of the mean paired difference (Efron 1987).",
    "Sample sizes: 80% power at the hypothesis's declared expected value, with the before "
    "sample fixed (cvlib.stats.planning); never from the observed effect (Hoenig & Heisey 2001).",
)


class Fragment:
    """A piece of HTML for a notebook output, with a plain-text alternative.

    Examples
    --------
    >>> f = Fragment("<p>2 &lt; 3</p>", "2 < 3")
    >>> f._repr_html_()
    '<p>2 &lt; 3</p>'
    >>> f
    2 < 3
    """

    __slots__ = ("html", "text")

    def __init__(self, html_text: str, text: str = ""):
        self.html = html_text
        self.text = text or _strip_tags(html_text)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.html


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))).strip()


def esc(value) -> str:
    """HTML-escape any value from a workspace (``None`` becomes an empty string).

    Examples
    --------
    >>> esc("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> esc('a "b" & c')
    'a &quot;b&quot; &amp; c'
    """
    return "" if value is None else html.escape(str(value), quote=True)


def _num(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:,.0f}"


@functools.cache
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "fragments")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        num=_num,
        percent=percent,
        verdict=lambda v: f"{VERDICT_SYMBOL[v]} {VERDICT_LABEL[v]}",
    )
    return env


def render(template: str, **context) -> Fragment:
    """The fragment ``template`` (a file of ``templates/fragments``) rendered with ``context``."""
    return Fragment(_environment().get_template(template).render(**context).strip())


# ------------------------------------------------------------------ words for values


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|\(0|0)\d[\d ()./-]{5,}\d(?!\w)")


def redact(text) -> str:
    """Replace e-mail addresses and phone numbers in free text.

    Examples
    --------
    >>> redact("Reply to finn.weber@example.net or call +44 20 7946 0023, thanks")
    'Reply to [email] or call [phone], thanks'
    >>> redact("Since 2026-03-02 the 0171 234567 line is down")
    'Since 2026-03-02 the [phone] line is down'
    >>> redact("Order 123456789 of 12.03.2026")
    'Order 123456789 of 12.03.2026'
    """
    if text is None:
        return ""
    text = _EMAIL.sub("[email]", str(text))

    def phone(match):
        digits = sum(c.isdigit() for c in match.group(0))
        return "[phone]" if digits >= 7 else match.group(0)

    return _PHONE.sub(phone, text)


def _level(ev) -> str:
    return f"{ev.confidence_level:.0%}"


def _estimate_text(result, level) -> str:
    after, metric = result.after, result.hypothesis.metric
    if after is None or not finite(after.estimate):
        return "no estimate"
    ci = ""
    if finite(after.ci_low) and finite(after.ci_high):
        ci = (
            f" ({level} CI {format_value(metric, after.ci_low)} – "
            f"{format_value(metric, after.ci_high)})"
        )
    return f"{format_value(metric, after.estimate)}{ci}"


def _anchor(hypothesis_id: str) -> str:
    return "h-" + re.sub(r"[^A-Za-z0-9_-]", "-", hypothesis_id)


# ------------------------------------------------------------------ fragments of a release
def executive_summary(ev, product: str | None = None) -> Fragment:
    """The executive summary of a release, written from its evaluation."""
    card = ev.scorecard
    counts = (
        ", ".join(f"{card.count(v)} {VERDICT_LABEL[v]}" for v in VERDICT_LABEL if card.count(v))
        or "none"
    )
    through = ev.data_through.isoformat() if ev.data_through else "unknown"
    by_grade: dict = {}
    for r in ev.hypotheses:
        if r.verdict == "validated":
            grade = None if r.evidence is None else r.evidence.grade
            by_grade[grade] = by_grade.get(grade, 0) + 1
    return render(
        "executive_summary.html.j2",
        ev=ev,
        card=card,
        product=product,
        counts=counts,
        validated=validated_by_grade(by_grade),
        econ=ev.economic_value,
        level=_level(ev),
        through=through,
    )


def scorecard_table(ev) -> Fragment:
    """Output (features shipped, effort) against outcome (validated features), by value type."""
    rows = [
        {
            "name": value_type.replace("_", " "),
            "shipped": part.features_shipped,
            "effort": part.effort_points,
            "validated": part.features_validated,
            "rate": part.features_validated / part.features_shipped
            if part.features_shipped
            else None,
        }
        for value_type, part in ev.scorecard.by_value_type.items()
    ]
    return render("scorecard_table.html.j2", rows=rows, card=ev.scorecard)


def verdict_table(ev, feature_names: dict | None = None) -> Fragment:
    """One row per hypothesis: id, feature, metric, estimate with CI, target, n, verdict and
    its evidence grade."""
    names = feature_names or {}
    level = _level(ev)
    rows = [
        {
            "anchor": _anchor(r.hypothesis.id),
            "id": r.hypothesis.id,
            "feature": names.get(r.hypothesis.feature_id, r.hypothesis.feature_id),
            "metric": r.hypothesis.spec.label,
            "estimate": _estimate_text(r, level),
            "target": target_text(r.hypothesis, symbol=True),
            "n": r.n,
            "p": p_text(r.p_value_adjusted),
            "verdict": r.verdict,
            "adjusted": r.adjusted_away,
            "evidence": grade_text(None if r.evidence is None else r.evidence.grade),
        }
        for r in ev.hypotheses
    ]
    method = next((r.multiplicity for r in ev.hypotheses if r.multiplicity), None)
    return render(
        "verdict_table.html.j2",
        rows=rows,
        level=level,
        p_label="p" if method is None or method.method == "none" else f"p ({method.label})",
    )


def hypothesis_section(result, ev, feature_name: str | None = None) -> Fragment:
    """Statement, verdict (meaning, reason), its evidence, estimate against target, change,
    needed n, flags."""
    h = result.hypothesis
    spec = h.spec
    scope = spec.scope(h)
    before = None
    if result.before is not None and result.before.estimate is not None:
        before = format_value(h.metric, result.before.estimate)
    label, change = "Change", format_change(h.metric, result.change, ev.confidence_level)
    forecast = forecast_label(result)
    if forecast and change:
        label, change = forecast, against(change)
    return render(
        "hypothesis_section.html.j2",
        r=result,
        h=h,
        spec=spec,
        anchor=_anchor(h.id),
        feature=feature_name or h.feature_id,
        meaning=VERDICT_MEANING[result.verdict],
        what=spec.label + (f" {scope}" if scope else ""),
        estimate=_estimate_text(result, _level(ev)),
        target=target_text(h),
        verdict_label=VERDICT_LABEL[result.verdict],
        before=before,
        change=change,
        change_label=label,
        evidence=evidence_head(result),
        evidence_lines=evidence_lines(result, ev.confidence_level),
        econ=result.economic_value,
        econ_note=None if result.economic_value is None else result.economic_value.note,
        level=_level(ev),
        currency=ev.currency,
        flags=[flag_text(f) for f in result.flags],
        kind=KIND_WORDS[h.kind],
        claims=_claims(result),
        p_line=_p_line(result),
        dropped=_dropped(result),
        sensitivity=_sensitivity(result, _level(ev)),
    )


#: The kinds of hypothesis in words.
KIND_WORDS = {
    "level": "the target alone",
    "improvement": "the target, and better than before",
    "non_inferiority": "the target, and not worse than before by more than the margin",
}


def _claims(result) -> list:
    """(question, p) of each claim the verdict rests on, and of the test of worse."""
    t = result.tests
    if t is None:
        return []
    return [(c.question, p_text(c.p_value)) for c in (t.target, t.change, t.worse) if c]


def _p_line(result) -> str | None:
    """The hypothesis's p-value and its adjustment, in words."""
    if result.p_value is None or result.multiplicity is None:
        return None
    m = result.multiplicity
    line = f"p-value of the hypothesis (the largest of its claims'): {p_text(result.p_value)}"
    if m.method == "none":
        return line + " (not adjusted for the release's other hypotheses)."
    return (
        f"{line}; {m.label}-adjusted for the {m.family_size} hypotheses of this release: "
        f"{p_text(result.p_value_adjusted)}."
    )


def _sensitivity(result, level: str) -> str | None:
    """The worst-rank result of a task-time hypothesis with failed attempts, in words."""
    w = result.sensitivity
    if w is None:
        return None
    failed = w.failed_before + w.failed_after
    return (
        f"counting the {failed} participants without a completed attempt "
        f"({w.failed_before} before, {w.failed_after} after) as slower than everyone who "
        "completed (worst-rank analysis, Lachin 1999), the chance that a participant after the "
        f"release does better than one before is {percent(w.probability)} ({level} CI "
        f"{percent(w.ci_low)} – {percent(w.ci_high)}; two-sided p = {p_text(w.p_value)})."
    )


def _dropped(result) -> str | None:
    if not result.dropped:
        return None
    return f"{result.dropped:,} {result.dropped_what} were left out."


def segments_table(result, ev) -> Fragment:
    """Estimate, CI, n and verdict per segment (a sentence when there are none)."""
    metric = result.hypothesis.metric
    rows = []
    for s in result.segments:
        ci = ""
        if s.ci_low is not None and s.ci_high is not None:
            ci = f"{format_value(metric, s.ci_low)} – {format_value(metric, s.ci_high)}"
        rows.append(
            {
                "segment": s.segment,
                "estimate": format_value(metric, s.estimate),
                "ci": ci,
                "n": s.n,
                "verdict": s.verdict,
            }
        )
    return render(
        "segments_table.html.j2", rows=rows, hypothesis_id=result.hypothesis.id, level=_level(ev)
    )


def feedback(
    feature_id: str, tickets=None, comments=(), *, limit: int = 5, shown: set | None = None
) -> Fragment:
    """Support tickets and survey comments about a feature, redacted and escaped (newest first).

    With ``shown`` (a set the caller keeps), a feature whose feedback was
    already shown gets a one-line pointer instead of the same lists again.
    """
    if shown is not None:
        if feature_id in shown:
            return render("feedback.html.j2", seen=True)
        shown.add(feature_id)
    context = {"seen": False, "tickets": [], "tickets_total": 0, "categories": "", "comments": []}
    if tickets is not None and len(tickets):
        mine = tickets[tickets["feature_id"] == feature_id].sort_values(
            "created_at", ascending=False
        )
        if len(mine):
            counts = mine["category"].value_counts()
            context["tickets_total"] = len(mine)
            context["categories"] = ", ".join(
                f"{n} {c}" for c, n in zip(counts.index, counts.to_numpy(), strict=True)
            )
            context["tickets"] = [
                {
                    "day": str(row.created_at)[:10],
                    "category": row.category,
                    "text": redact(row.text),
                }
                for row in mine.head(limit).itertuples()
            ]
    context["comments"] = [
        {"day": c["submitted_at"][:10], "score": c["score"], "text": redact(c["comment"])}
        for c in comments
        if c["feature_id"] == feature_id
    ][:limit]
    return render("feedback.html.j2", **context)


def features_without_hypothesis(ev) -> Fragment:
    """Features whose value is not defined, and the flags raised in the release."""
    from cvlib.report.labels import FLAG_TEXT

    flagged = [(r.hypothesis.id, flag_text(f)) for r in ev.hypotheses for f in r.flags]
    names = [f.replace("_", " ") for spec in metrics.all_metrics() for f in spec.flag_texts]
    names += ["hypothesis " + f.replace("_", " ") for f in FLAG_TEXT]
    return render(
        "features_without_hypothesis.html.j2",
        features=ev.features_without_hypothesis,
        flagged=flagged,
        flag_names=", ".join(names),
    )


def glossary() -> Fragment:
    """What each verdict means."""
    return render("glossary.html.j2", meanings=[(v, VERDICT_MEANING[v]) for v in VERDICT_LABEL])


def methods(ev, parameters: dict) -> Fragment:
    """Methods with references (those of the metrics the release uses), confidence level,
    inputs hash, cvlib version and parameters."""
    used = {r.hypothesis.metric for r in ev.hypotheses}
    references = [spec.method for spec in metrics.all_metrics() if spec.name in used] + list(
        GENERAL_METHODS
    )
    return render(
        "methods.html.j2",
        ev=ev,
        references=references,
        level=_level(ev),
        sources=", ".join(ev.sources.values()) or "none",
        parameters=parameters,
    )


_STATUS = {"ok": "up to date", "skipped": "up to date", "failed": "last run failed"}


def release_index_html(entries: list[dict], product: str | None = None) -> str:
    """The table of releases for ``index.html`` (from ``index.json`` entries).

    Examples
    --------
    >>> page = release_index_html([{"release_id": "r1", "name": "<b>x</b>",
    ...     "released_on": "2026-01-01", "status": "failed", "report": None,
    ...     "scorecard": None, "generated_at": None}])
    >>> "&lt;b&gt;x&lt;/b&gt;" in page and "no report yet" in page
    True
    """
    rows = release_index_rows(entries)
    return render("release_index.html.j2", rows=rows, product=product).html


def release_index_rows(entries: list[dict]) -> list[dict]:
    """What each row of the table of releases shows (text, before escaping)."""
    rows = []
    for e in entries:
        card = e.get("scorecard") or {}
        status = _STATUS[e["status"]]
        if e["status"] != "failed" and not e.get("report"):
            status = "not built yet"
        rows.append(
            {
                "release_id": e["release_id"],
                "name": e["name"],
                "released_on": e["released_on"],
                "features": card.get("features_shipped", ""),
                "counts": " · ".join(
                    f"{VERDICT_SYMBOL[v]} {card[v]} {VERDICT_LABEL[v]}"
                    for v in VERDICT_LABEL
                    if card.get(v)
                ),
                "rate": percent(card.get("value_delivery_rate"), 0) if card else "",
                "report": e.get("report"),
                "status": status,
                "error": f"{e['release_id']}.error.txt" if e["status"] == "failed" else None,
            }
        )
    return rows


# ---------------------------------------------------- workspace look-ups for the notebooks
def feature_names(workspace) -> dict:
    """``feature_id`` -> feature name."""
    f = workspace.features
    return dict(zip(f["feature_id"], f["name"], strict=True))


def feature_comments(workspace, release_id: str, *, limit: int = 50) -> list[dict]:
    """Survey comments about the features of a release (empty without a surveys table)."""
    from cvlib.engine.queries import feature_comments as comments

    source = workspace.sources.get("surveys")
    if source is None:
        return []
    ids = list(workspace.features.loc[workspace.features["release_id"] == release_id, "feature_id"])
    return comments(source, ids, workspace.settings.timezone, limit=limit)


def hypothesis_sections(ev, workspace) -> list:
    """Everything the report shows per hypothesis, in order, ready for ``display(*...)``.

    For each hypothesis: :func:`hypothesis_section`, its chart
    (:func:`cvlib.report.plots.hypothesis_chart`), :func:`segments_table` and
    the :func:`feedback` about its feature (shown once per feature).
    """
    from cvlib.report import plots

    names = feature_names(workspace)
    comments = feature_comments(workspace, ev.release_id)
    shown: set = set()
    parts = []
    for result in ev.hypotheses:
        feature_id = result.hypothesis.feature_id
        parts.append(hypothesis_section(result, ev, names.get(feature_id)))
        parts.append(plots.hypothesis_chart(result, workspace, ev))
        parts.append(segments_table(result, ev))
        parts.append(feedback(feature_id, workspace.tickets, comments, shown=shown))
    return parts
