"""Presentation for the notebooks: human units, redaction, and HTML built from result objects.

Numbers in a report's prose come from here, computed from a
:class:`cvlib.ReleaseEvaluation`, never typed by hand. Every string that comes
from a workspace (feature names, statements, comments, ticket texts) is
HTML-escaped before it goes into a fragment: ``IPython.display.Markdown`` and
pandas ``Styler`` pass raw HTML through, so the fragments here are HTML built
with :func:`esc`, displayed as :class:`Fragment` objects.
"""

from __future__ import annotations

import html
import math
import re

__all__ = [
    "Fragment",
    "esc",
    "executive_summary",
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
    "scorecard_table",
    "segments_table",
    "verdict_table",
]

VERDICT_LABEL = {
    "validated": "validated",
    "not_validated": "not validated",
    "inconclusive": "inconclusive",
    "insufficient_data": "insufficient data",
}
# marker shapes as well as colours, so the verdict survives greyscale printing
VERDICT_SYMBOL = {"validated": "✔", "not_validated": "✘", "inconclusive": "?", "insufficient_data": "…"}
METRIC_LABEL = {
    "task_time": "time on task",
    "completion_rate": "completion rate",
    "error_rate": "share of attempts with errors",
    "adoption": "adoption",
    "nps": "NPS",
    "churn": "churn",
}
FLAG_TEXT = {
    "low_adoption": "low adoption: below half its target, so the need was probably misunderstood",
    "written_after_release": "the hypothesis was written after the release, so it may have been fitted to the result",
}
METHOD_REFERENCES = (
    ("Task time: geometric mean with a t-interval on ln(seconds); change: ratio of geometric means, "
    "Welch or paired t-test on ln(seconds) (Sauro & Lewis 2016, Quantifying the User Experience, 2nd ed.)."),
    ("Completion, error and churn rates: adjusted-Wald interval (Agresti & Coull 1998); change: N-1 "
    "two-proportion test (Campbell 2007) with Newcombe's hybrid score interval (Newcombe 1998)."),
    "Adoption: Wilson score interval (Wilson 1927).",
    ("NPS: adjusted-Wald interval (Rocks 2016); change: difference of two independent NPS with a z-test "
    "and adjusted-Wald interval (Rocks 2016, Sauro & Lewis 2016)."),
    ("Economic value: hours saved from the arithmetic mean times before and after with a Welch (or "
    "paired) t-interval; validated hypotheses only."),
    "Multiple comparisons: Holm (1979) across a release's hypotheses and across segments.",
    "Sample sizes for inconclusive results: power analysis at 80% power (cvlib.stats.power).",
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


# ------------------------------------------------------------------ units
def human_seconds(seconds) -> str:
    """Seconds in the units a person would say.

    Examples
    --------
    >>> human_seconds(101.3)
    '1 min 41 s'
    >>> human_seconds(7.25)
    '7.2 s'
    >>> human_seconds(45.6)
    '46 s'
    >>> human_seconds(120)
    '2 min'
    >>> human_seconds(1790.2)
    '29 min 50 s'
    >>> human_seconds(3725)
    '1 h 2 min'
    >>> human_seconds(float("nan"))
    'n/a'
    """
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 10:
        return f"{seconds:.1f} s"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    if total < 3600:
        minutes, rest = divmod(total, 60)
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    hours, rest = divmod(round(seconds / 60), 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def percent(share, digits: int = 1) -> str:
    """A proportion in 0-1 as a percentage.

    Examples
    --------
    >>> percent(0.4234)
    '42.3%'
    >>> percent(0.4, 0)
    '40%'
    >>> percent(None)
    'n/a'
    """
    if share is None or not math.isfinite(share):
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def nps_points(value) -> str:
    """An NPS (or NPS difference) in points, with its sign.

    Examples
    --------
    >>> nps_points(12.34)
    '+12.3'
    >>> nps_points(-4)
    '-4.0'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.1f}"


def format_value(metric: str, value) -> str:
    """A metric value in human units (seconds as minutes and seconds, shares as percent, NPS points).

    Examples
    --------
    >>> format_value("task_time", 101.3), format_value("adoption", 0.25), format_value("nps", 31)
    ('1 min 41 s', '25.0%', '+31.0')
    """
    if metric == "task_time":
        return human_seconds(value)
    if metric == "nps":
        return nps_points(value)
    return percent(value)


def format_change(metric: str, change: dict | None, confidence_level: float) -> str:
    """The change against before in plain words, or an empty string without one.

    Examples
    --------
    >>> format_change("task_time", {"estimate": 0.25, "ci_low": 0.2, "ci_high": 0.3, "direction": "improved"}, 0.95)
    'takes 0.25 times as long as before (75% less time; 95% CI 0.2 – 0.3 times): improved'
    >>> format_change("completion_rate", {"estimate": 0.052, "ci_low": 0.01, "ci_high": 0.09, "direction": "improved"}, 0.95)
    '+5.2 percentage points against before (95% CI +1.0 to +9.0): improved'
    """
    if not change or change.get("estimate") is None:
        return ""
    est, low, high = change["estimate"], change.get("ci_low"), change.get("ci_high")
    level = f"{confidence_level:.0%}"
    direction = change.get("direction") or "unclear"
    if metric == "task_time":
        less = 1 - est
        word = f"{less:.0%} less time" if less >= 0 else f"{-less:.0%} more time"
        return (
            f"takes {est:.2g} times as long as before ({word}; {level} CI {_g(low)} – {_g(high)} times): {direction}"
        )
    if metric == "nps":
        return f"{est:+.1f} NPS points against before ({level} CI {_signed(low)} to {_signed(high)}): {direction}"
    return (
        f"{100 * est:+.1f} percentage points against before ({level} CI {_signed(low, 100)} to "
        f"{_signed(high, 100)}): {direction}"
    )


def _g(value) -> str:
    return "n/a" if value is None else f"{value:.2g}"


def _signed(value, scale=1) -> str:
    return "n/a" if value is None else f"{scale * value:+.1f}"


# ------------------------------------------------------------------ redaction
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


# ------------------------------------------------------------------ fragments from results
def _level(ev) -> str:
    return f"{ev.confidence_level:.0%}"


def executive_summary(ev, product: str | None = None) -> Fragment:
    """The executive summary of a release, written from its evaluation."""
    card = ev.scorecard
    shipped, validated = card["features_shipped"], card["features_validated"]
    rate = card["value_delivery_rate"]
    who = f"{esc(product)} " if product else ""
    counts = ", ".join(
        f"{card[v]} {VERDICT_LABEL[v]}" for v in VERDICT_LABEL if card.get(v)
    ) or "none"
    items = [
        f"<li><b>{shipped}</b> feature{'s' if shipped != 1 else ''} shipped"
        + (f" ({_num(card['effort_points'])} effort points)" if card.get("effort_points") is not None else "")
        + f"; <b>{card['features_with_hypothesis']}</b> with a value hypothesis.</li>",
        (f"<li><b>{validated}</b> feature{'s' if validated != 1 else ''} with validated value: "
        f"a value delivery rate of <b>{percent(rate, 0)}</b> (validated features / features shipped).</li>"),
        f"<li>{card['hypotheses']} hypotheses: {counts}.</li>",
    ]
    econ = ev.economic_value
    if econ:
        hours = econ["hours_saved_per_year"]
        line = (
            f"<li>Customer time saved: about <b>{_num(hours)} hours a year</b> "
            f"({_level(ev)} CI {_num(econ.get('ci_low'))} – {_num(econ.get('ci_high'))})"
        )
        if econ.get("value_per_year") is not None:
            line += f", worth about <b>{_money(econ['value_per_year'], ev.currency)}</b> a year"
        items.append(line + " — counting validated hypotheses only.</li>")
    else:
        items.append("<li>Customer time saved: none counted (only validated time-on-task hypotheses with a "
                     "task volume count).</li>")
    through = ev.data_through.isoformat() if ev.data_through else "unknown"
    items.append(f"<li>Data through <b>{through}</b>; released on {ev.released_on.isoformat()}.</li>")
    title = f"{who}release {esc(ev.release_id)} — {esc(ev.release_name)}"
    page = f"<p><b>{title}</b></p><ul>{''.join(items)}</ul>"
    return Fragment(page)


def _num(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:,.0f}"


def _money(value, currency) -> str:
    return f"{value:,.0f} {esc(currency)}"


def scorecard_table(ev) -> Fragment:
    """Output (features shipped, effort) against outcome (validated features), by value type."""
    card = ev.scorecard
    rows = []
    for value_type, part in card["by_value_type"].items():
        shipped = part["features_shipped"]
        rate = part["features_validated"] / shipped if shipped else None
        rows.append(
            f"<tr><td>{esc(value_type.replace('_', ' '))}</td><td>{shipped}</td>"
            f"<td>{_num(part.get('effort_points'))}</td><td>{part['features_validated']}</td>"
            f"<td>{percent(rate, 0)}</td></tr>"
        )
    rows.append(
        f"<tr><td><b>all</b></td><td><b>{card['features_shipped']}</b></td>"
        f"<td><b>{_num(card.get('effort_points'))}</b></td><td><b>{card['features_validated']}</b></td>"
        f"<td><b>{percent(card['value_delivery_rate'], 0)}</b></td></tr>"
    )
    page = (
        "<table><caption>Output against outcome, by value type</caption><thead><tr>"
        "<th scope='col'>value type</th><th scope='col'>features shipped</th><th scope='col'>effort points</th>"
        "<th scope='col'>features validated</th><th scope='col'>value delivery rate</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return Fragment(page)


def _estimate_text(result, level) -> str:
    after = result.after
    metric = result.hypothesis.metric
    if after is None or after.estimate is None or not math.isfinite(after.estimate):
        return "no estimate"
    lo, hi = getattr(after, "ci_low", None), getattr(after, "ci_high", None)
    ci = ""
    if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
        ci = f" ({level} CI {format_value(metric, lo)} – {format_value(metric, hi)})"
    return f"{format_value(metric, after.estimate)}{ci}"


def verdict_table(ev, feature_names: dict | None = None) -> Fragment:
    """One row per hypothesis: id, feature, metric, estimate with CI, target, n, verdict."""
    names = feature_names or {}
    rows = []
    level = _level(ev)
    for r in ev.hypotheses:
        h = r.hypothesis
        rows.append(
            f"<tr><td><a href='#{_anchor(h.id)}'>{esc(h.id)}</a></td><td>{esc(names.get(h.feature_id, h.feature_id))}"
            f"</td><td>{esc(METRIC_LABEL[h.metric])}</td><td>{esc(_estimate_text(r, level))}</td>"
            f"<td>{esc(('≤ ' if h.lower_is_better else '≥ ') + format_value(h.metric, h.target))}</td>"
            f"<td>{r.n}</td><td class='cvlib-verdict'>{VERDICT_SYMBOL[r.verdict]} {VERDICT_LABEL[r.verdict]}</td></tr>"
        )
    page = (
        "<table class='cvlib-verdicts'><caption>Verdict per hypothesis</caption><thead><tr>"
        "<th scope='col'>hypothesis</th><th scope='col'>feature</th><th scope='col'>metric</th>"
        f"<th scope='col'>after release ({level} CI)</th><th scope='col'>target</th><th scope='col'>n</th>"
        f"<th scope='col'>verdict</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return Fragment(page)


def _anchor(hypothesis_id: str) -> str:
    return "h-" + re.sub(r"[^A-Za-z0-9_-]", "-", hypothesis_id)


def hypothesis_section(result, ev, feature_name: str | None = None) -> Fragment:
    """Statement, verdict with its meaning and reason, estimate against target, change, needed n, flags."""
    from cvlib.evaluate import UNITS, VERDICT_MEANING

    h = result.hypothesis
    level = _level(ev)
    verdict = result.verdict
    feature = esc(feature_name or h.feature_id)
    parts = [
        f"<h3 id='{_anchor(h.id)}'>{esc(h.id)} <small>({feature})</small></h3>",
        f"<blockquote>{esc(h.statement)}</blockquote>",
        (f"<p><span class='cvlib-verdict'>Verdict: {VERDICT_SYMBOL[verdict]} {VERDICT_LABEL[verdict]}</span> — "
        f"{esc(VERDICT_MEANING[verdict])}.</p>"),
    ]
    if result.reason:
        parts.append(f"<p>Why: {esc(result.reason)}.</p>" if not result.reason.endswith(".")
                     else f"<p>Why: {esc(result.reason)}</p>")
    what = METRIC_LABEL[h.metric]
    if h.metric in ("task_time", "completion_rate", "error_rate") and h.task:
        what += f" of the task “{esc(h.task)}”"
    elif h.metric in ("adoption", "nps", "churn"):
        what += f" in the {h.window_days} days after the release"
    target = ("at most " if h.lower_is_better else "at least ") + format_value(h.metric, h.target)
    parts.append(
        f"<p>After the release, the {what} is <b>{esc(_estimate_text(result, level))}</b>, "
        f"from {result.n} {UNITS[h.metric]}; target {esc(target)}: {VERDICT_LABEL[verdict]}.</p>"
    )
    if result.before and result.before.get("estimate") is not None:
        parts.append(
            f"<p>Before the release: {esc(format_value(h.metric, result.before['estimate']))} "
            f"(n = {result.before.get('n')}).</p>"
        )
    change = format_change(h.metric, result.change, ev.confidence_level)
    if change:
        holm = (result.change or {}).get("p_value_holm")
        p = f" Holm-adjusted p = {holm:.2g}." if holm is not None else ""
        parts.append(f"<p>Change: {esc(change)}.{p}</p>")
    if verdict == "inconclusive" and result.needed_n:
        parts.append(
            f"<p>About <b>{result.needed_n:,} more {UNITS[h.metric]}</b> after the release would likely settle it.</p>"
        )
    if result.economic_value:
        econ = result.economic_value
        money = ""
        if econ.get("value_per_year") is not None:
            money = f", about {_money(econ['value_per_year'], ev.currency)} a year"
        parts.append(
            f"<p>Customer time saved: about {_num(econ['hours_saved_per_year'])} hours a year "
            f"({level} CI {_num(econ.get('ci_low'))} – {_num(econ.get('ci_high'))}){money}.</p>"
        )
    for flag in result.flags:
        parts.append(f"<p>⚑ Flag: {esc(FLAG_TEXT.get(flag, flag))}.</p>")
    return Fragment("".join(parts))


def segments_table(result, ev) -> Fragment:
    """Estimate, CI, n and verdict per segment (an empty fragment when there are none)."""
    if not result.segments:
        return Fragment("<p>No per-segment breakdown (the data has no segment column).</p>")
    metric = result.hypothesis.metric
    rows = []
    for s in result.segments:
        est = s.get("estimate")
        ci = ""
        if s.get("ci_low") is not None and s.get("ci_high") is not None:
            ci = f"{format_value(metric, s['ci_low'])} – {format_value(metric, s['ci_high'])}"
        rows.append(
            f"<tr><td>{esc(s['segment'])}</td><td>{esc(format_value(metric, est))}</td><td>{esc(ci)}</td>"
            f"<td>{s['n']}</td><td>{VERDICT_SYMBOL[s['verdict']]} {VERDICT_LABEL[s['verdict']]}</td></tr>"
        )
    return Fragment(
        f"<table><caption>{esc(result.hypothesis.id)} by segment</caption><thead><tr><th scope='col'>segment</th>"
        f"<th scope='col'>estimate</th><th scope='col'>{_level(ev)} CI</th><th scope='col'>n</th>"
        f"<th scope='col'>verdict</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def feedback(feature_id: str, tickets=None, comments=(), *, limit: int = 5, shown: set | None = None) -> Fragment:
    """Support tickets and survey comments about a feature, redacted and escaped (newest first).

    With ``shown`` (a set the caller keeps), a feature whose feedback was
    already shown gets a one-line pointer instead of the same lists again.
    """
    if shown is not None:
        if feature_id in shown:
            return Fragment("<p>Support tickets and survey comments about this feature: see above.</p>")
        shown.add(feature_id)
    parts = []
    if tickets is not None and len(tickets):
        mine = tickets[tickets["feature_id"] == feature_id].sort_values("created_at", ascending=False)
        if len(mine):
            counts = mine["category"].value_counts()
            summary = ", ".join(f"{n} {esc(c)}" for c, n in zip(counts.index, counts.to_numpy()))
            items = "".join(
                f"<li><i>{esc(str(row.created_at)[:10])}, {esc(row.category)}:</i> {esc(redact(row.text))}</li>"
                for row in mine.head(limit).itertuples()
            )
            parts.append(f"<p>{len(mine)} support tickets ({summary}); the latest:</p><ul>{items}</ul>")
    mine_comments = [c for c in comments if c["feature_id"] == feature_id]
    if mine_comments:
        items = "".join(
            f"<li><i>{esc(c['submitted_at'][:10])}, score {c['score']}:</i> {esc(redact(c['comment']))}</li>"
            for c in mine_comments[:limit]
        )
        parts.append(f"<p>Survey comments about it (latest {min(limit, len(mine_comments))}):</p><ul>{items}</ul>")
    if not parts:
        parts.append("<p>No support tickets or survey comments about this feature.</p>")
    return Fragment("".join(parts))


def features_without_hypothesis(ev) -> Fragment:
    """Features whose value is not defined, and the flags raised in the release."""
    parts = []
    if ev.features_without_hypothesis:
        items = "".join(
            f"<li>{esc(f['name'])} <small>({esc(f['feature_id'])}, {esc(f['value_type'])})</small>: "
            "value not defined</li>"
            for f in ev.features_without_hypothesis
        )
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p>Every feature of this release has a value hypothesis.</p>")
    flagged = [(r.hypothesis.id, f) for r in ev.hypotheses for f in r.flags]
    if flagged:
        items = "".join(f"<li>{esc(hid)}: {esc(FLAG_TEXT.get(f, f))}</li>" for hid, f in flagged)
        parts.append(f"<p>Flags:</p><ul>{items}</ul>")
    else:
        parts.append("<p>No flags (low adoption, hypothesis written after release).</p>")
    return Fragment("".join(parts))


def glossary() -> Fragment:
    """What each verdict means."""
    from cvlib.evaluate import VERDICT_MEANING

    items = "".join(
        f"<dt>{VERDICT_SYMBOL[v]} {VERDICT_LABEL[v]}</dt><dd>{esc(VERDICT_MEANING[v])}.</dd>" for v in VERDICT_LABEL
    )
    extra = (
        "<dt>confidence interval (CI)</dt><dd>the range of values compatible with the data at the stated "
        "confidence level.</dd><dt>value delivery rate</dt><dd>features with every hypothesis validated, "
        "divided by features shipped.</dd>"
    )
    return Fragment(f"<dl>{items}{extra}</dl>")


def methods(ev, parameters: dict) -> Fragment:
    """Methods with references, confidence level, inputs hash, cvlib version and parameters."""
    refs = "".join(f"<li>{esc(m)}</li>" for m in METHOD_REFERENCES)
    params = "".join(f"<li><code>{esc(k)}</code> = <code>{esc(v)}</code></li>" for k, v in parameters.items())
    sources = ", ".join(esc(v) for v in ev.sources.values()) or "none"
    return Fragment(
        f"<ul>{refs}</ul><p>Confidence level {_level(ev)}. Inputs: {sources}; "
        f"inputs_sha256 <code>{esc(ev.inputs_sha256)}</code>. cvlib {esc(ev.cvlib_version)}; "
        f"generated {esc(ev.generated_at)}.</p><p>Parameters:</p><ul>{params}</ul>"
    )


def release_index_html(entries: list[dict], product: str | None = None) -> str:
    """The table of releases for ``index.html`` (from ``index.json`` entries).

    Examples
    --------
    >>> page = release_index_html([{"release_id": "r1", "name": "<b>x</b>", "released_on": "2026-01-01",
    ...     "status": "failed", "report": None, "scorecard": None, "generated_at": None}])
    >>> "&lt;b&gt;x&lt;/b&gt;" in page and "no report yet" in page
    True
    """
    rows = []
    for e in entries:
        card = e.get("scorecard") or {}
        counts = " · ".join(
            f"{VERDICT_SYMBOL[v]} {card[v]} {VERDICT_LABEL[v]}" for v in VERDICT_LABEL if card.get(v)
        )
        link = (
            f"<a href='{esc(e['report'])}'>report</a>" if e.get("report") else "no report yet"
        )
        status = {"ok": "up to date", "skipped": "up to date", "failed": "last run failed"}[e["status"]]
        if e["status"] != "failed" and not e.get("report"):
            status = "not built yet"
        if e["status"] == "failed":
            status = f"<a href='{esc(e['release_id'])}.error.txt'>{status}</a>"
            if e.get("report"):
                status += " (showing the last good report)"
        rows.append(
            f"<tr><td>{esc(e['release_id'])}</td><td>{esc(e['name'])}</td><td>{esc(e['released_on'])}</td>"
            f"<td>{card.get('features_shipped', '')}</td><td>{esc(counts)}</td>"
            f"<td>{percent(card.get('value_delivery_rate'), 0) if card else ''}</td><td>{link}</td>"
            f"<td>{status}</td></tr>"
        )
    head = f"<h2>{esc(product)} releases</h2>" if product else "<h2>Releases</h2>"
    return (
        f"{head}<table class='cvlib-index'><thead><tr><th scope='col'>release</th><th scope='col'>name</th>"
        "<th scope='col'>released on</th><th scope='col'>features</th><th scope='col'>verdicts</th>"
        "<th scope='col'>value delivery rate</th><th scope='col'>report</th><th scope='col'>status</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


# ------------------------------------------------------------------ workspace look-ups for the notebooks
def feature_names(workspace) -> dict:
    """``feature_id`` -> feature name."""
    f = workspace.features
    return dict(zip(f["feature_id"], f["name"]))


def feature_comments(workspace, release_id: str, *, limit: int = 50) -> list[dict]:
    """Survey comments about the features of a release (empty without a surveys table)."""
    from cvlib.aggregate import feature_comments as comments

    source = workspace.sources.get("surveys")
    if source is None:
        return []
    ids = list(workspace.features.loc[workspace.features["release_id"] == release_id, "feature_id"])
    return comments(source, ids, workspace.settings.timezone, limit=limit)


def hypothesis_sections(ev, workspace) -> list:
    """Everything the report shows per hypothesis, in order, ready for ``display(*...)``.

    For each hypothesis: :func:`hypothesis_section`, its chart
    (:func:`cvlib.plots.hypothesis_chart`), :func:`segments_table` and the
    :func:`feedback` about its feature (shown once per feature).
    """
    from cvlib import plots

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


# ------------------------------------------------------------------ portfolio (across releases)
def release_summaries(workspace, summaries_dir: str = "") -> list[dict]:
    """The ``summary.json`` of every release, in release order.

    With ``summaries_dir`` (a ``cvlib report`` folder) the summaries written
    by the release reports are read (releases without one are left out);
    without it every release is evaluated here.
    """
    import json
    from pathlib import Path

    out = []
    for release_id in workspace.releases["release_id"]:
        if summaries_dir:
            path = Path(summaries_dir) / release_id / "summary.json"
            if path.is_file():
                out.append(json.loads(path.read_text(encoding="utf-8")))
        else:
            from cvlib.evaluate import evaluate_release

            out.append(evaluate_release(workspace, release_id).to_dict())
    return out


def portfolio_frame(summaries: list[dict]):
    """One row per release: output (features, effort) and outcome (validated, rate, economic value)."""
    import pandas as pd

    rows = []
    for s in summaries:
        card = s["scorecard"]
        econ = s.get("economic_value") or {}
        rows.append(
            {
                "release_id": s["release_id"],
                "released_on": s["released_on"],
                "features_shipped": card["features_shipped"],
                "effort_points": card.get("effort_points"),
                "features_validated": card["features_validated"],
                "value_delivery_rate": card["value_delivery_rate"],
                "hours_saved_per_year": econ.get("hours_saved_per_year"),
                "value_per_year": econ.get("value_per_year"),
            }
        )
    return pd.DataFrame(rows)


def portfolio_table(frame, currency: str = "") -> Fragment:
    """The portfolio frame as an HTML table in human units."""
    rows = "".join(
        f"<tr><td>{esc(r.release_id)}</td><td>{esc(r.released_on)}</td><td>{r.features_shipped}</td>"
        f"<td>{_num(_none(r.effort_points))}</td><td>{r.features_validated}</td>"
        f"<td>{percent(_none(r.value_delivery_rate), 0)}</td><td>{_num(_none(r.hours_saved_per_year))}</td>"
        f"<td>{_num(_none(r.value_per_year))}</td></tr>"
        for r in frame.itertuples()
    )
    cur = f" ({esc(currency)})" if currency else ""
    return Fragment(
        "<table><caption>Output and outcome by release</caption><thead><tr><th scope='col'>release</th>"
        "<th scope='col'>released on</th><th scope='col'>features shipped</th><th scope='col'>effort points</th>"
        "<th scope='col'>features validated</th><th scope='col'>value delivery rate</th>"
        f"<th scope='col'>hours saved a year*</th><th scope='col'>value a year{cur}*</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><p><small>* validated hypotheses only.</small></p>"
    )


def _none(value):
    try:
        return None if value is None or math.isnan(float(value)) else float(value)
    except TypeError:
        return None


def features_ranked(summaries: list[dict], workspace) -> Fragment:
    """Features ranked by validated value: validated hypotheses first, then money and hours saved."""
    names = feature_names(workspace)
    kinds = dict(zip(workspace.features["feature_id"], workspace.features["value_type"]))
    features = {}
    for s in summaries:
        for h in s["hypotheses"]:
            f = features.setdefault(
                h["feature_id"],
                {"release_id": s["release_id"], "validated": 0, "hypotheses": 0, "hours": 0.0, "value": 0.0},
            )
            f["hypotheses"] += 1
            f["validated"] += h["verdict"] == "validated"
            econ = h.get("economic_value") or {}
            f["hours"] += econ.get("hours_saved_per_year") or 0.0
            f["value"] += econ.get("value_per_year") or 0.0
    order = sorted(
        features.items(),
        key=lambda kv: (-(kv[1]["validated"] == kv[1]["hypotheses"]), -kv[1]["value"], -kv[1]["hours"],
                        -kv[1]["validated"], kv[0]),
    )
    rows = "".join(
        f"<tr><td>{i}</td><td>{esc(names.get(fid, fid))}</td><td>{esc(f['release_id'])}</td>"
        f"<td>{esc(str(kinds.get(fid, '')).replace('_', ' '))}</td><td>{f['validated']} of {f['hypotheses']}</td>"
        f"<td>{_num(f['hours']) if f['hours'] else '–'}</td><td>{_num(f['value']) if f['value'] else '–'}</td></tr>"
        for i, (fid, f) in enumerate(order, start=1)
    )
    return Fragment(
        "<table><caption>Features ranked by validated value</caption><thead><tr><th scope='col'>rank</th>"
        "<th scope='col'>feature</th><th scope='col'>release</th><th scope='col'>value type</th>"
        "<th scope='col'>hypotheses validated</th><th scope='col'>hours saved a year</th>"
        f"<th scope='col'>value a year</th></tr></thead><tbody>{rows}</tbody></table>"
    )


# ------------------------------------------------------------------ exploration helpers
def with_hypothesis(workspace, hypothesis_id: str, **changes):
    """A copy of ``workspace`` in which one hypothesis has other settings (window, target, design ...).

    The files are not touched; ``cvlib.evaluate_release`` on the copy re-runs
    the release with the changed hypothesis.
    """
    import dataclasses

    ids = [h.id for h in workspace.hypotheses]
    if hypothesis_id not in ids:
        raise KeyError(f"hypothesis {hypothesis_id!r} is not in hypotheses.yaml (known: {', '.join(ids)})")
    hypotheses = [dataclasses.replace(h, **changes) if h.id == hypothesis_id else h for h in workspace.hypotheses]
    return dataclasses.replace(workspace, hypotheses=hypotheses)


def task_seconds(workspace, release_id: str, task: str, phase: str):
    """Seconds of the completed attempts of a task in one phase (a numpy array)."""
    tt = workspace.task_times
    if tt is None:
        import numpy as np

        return np.array([], dtype=float)
    rows = tt[(tt["release_id"] == release_id) & (tt["task"] == task) & (tt["phase"] == phase) & tt["completed"]]
    return rows["seconds"].to_numpy(dtype=float)
