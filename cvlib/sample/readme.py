"""The workspace's ``README.md``, written from the same tables that drive the generator.

The settings, the releases and features, every hypothesis with its target,
the true value the data are drawn from and its intended verdict, and the
files with their row counts all come from :mod:`cvlib.sample.plan`,
:mod:`cvlib.sample.texts` and the tables just generated, so the description
and the data cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cvlib.sample.plan import (
    ACCOUNTS_SINCE,
    CONFIDENCE_LEVEL,
    CURRENCY,
    DATA_THROUGH,
    DEFAULT_SEED,
    FEATURES,
    FIRST_DAY,
    HOURLY_COST,
    HYPOTHESES,
    PRODUCT,
    RELEASES,
    TIMEZONE,
    VERDICTS,
    Hypothesis,
    feature_by_id,
    release_by_id,
)
from cvlib.sample.texts import FILE_DESCRIPTIONS

__all__ = ["readme"]


def _format_target(h: Hypothesis) -> str:
    """The target of ``h`` as the README shows it: ``<= 120 s``, ``>= 85%``, ``<= 2.5%``, ...

    >>> _format_target(HYPOTHESES[0]), _format_target(HYPOTHESES[8])
    ('<= 120 s', '<= 2.5%')
    """
    if h.metric == "task_time":
        return f"<= {h.target:g} s"
    if h.metric in ("completion_rate", "adoption", "feature_retention"):
        return f">= {h.target:.0%}"
    if h.metric in ("error_rate", "churn"):
        return f"<= {h.target:.1%}".replace(".0%", "%")
    return f">= {h.target:g}"


def design_of(h: Hypothesis) -> str:
    """The comparison design ``comparison: auto`` picks for ``h`` in the sample, in words.

    >>> design_of(HYPOTHESES[0])
    'controlled study'
    """
    if h.metric in ("task_time", "completion_rate", "error_rate"):
        return "controlled study"
    if h.metric in ("adoption", "feature_retention"):
        return "none (target only)"
    if feature_by_id(h.feature_id).holdout_share is not None and h.metric == "churn":
        return "holdout (randomized)"
    released = release_by_id(feature_by_id(h.feature_id).release_id).released_on
    if released + dt.timedelta(days=(h.window_days or 30) - 1) > DATA_THROUGH:
        return "before/after until the window is complete, then interrupted time series"
    return "interrupted time series"


def _designs_shown() -> list[str]:
    """README lines on the comparison designs the sample shows."""
    holdout = [f for f in FEATURES if f.holdout_share is not None]
    lines = [
        "`comparison: auto` (every hypothesis here) picks the strongest design the data allow"
        " (docs/verdicts.md):",
        "",
        "- a task study compares the old and the new version with the same study's participants"
        " (controlled study);",
        "- adoption and feature retention claim a level alone (no comparison, target only);",
        "- NPS and churn have a history (surveys since the first day, accounts since"
        f" {ACCOUNTS_SINCE.year}), so",
        "  the interrupted time series forecasts the window from at least 12 whole periods"
        " before the release;",
    ]
    for f in holdout:
        lines += [
            f"- {f.feature_id} was kept from {f.holdout_share:.0%} of the accounts at random"
            " (`exposures.csv`,",
            "  `features.csv` `holdout_share`): its churn hypothesis is decided by the holdout"
            " (randomized).",
        ]
    lines += [
        "- NPS climbs one point a week all year, release or not: before/after reads the climb of",
        "  H-bankfeeds-nps as an improvement, the time series forecasts it and finds none, and the",
        "  verdict follows the time series (the report shows both).",
        "- H-bankfeeds-nps's 49-day window holds the next release (2026.11): flag"
        " `overlapping_release`.",
    ]
    return lines


def _ids(test) -> str:
    return ", ".join(h.id for h in HYPOTHESES if test(h)) or "none"


def _rules_shown() -> list[str]:
    """README lines naming the hypotheses that show each rule of docs/verdicts.md."""
    return [
        f"- Non-inferiority (`kind: non_inferiority` with a `margin`): "
        f"{_ids(lambda h: h.kind == 'non_inferiority')}.",
        "- Worse than before decides, whatever the target side: H-rules-completion (its"
        " interval holds",
        "  the target, but completion fell from 86% to 66%).",
        f"- Planning at a declared `expected:` value: {_ids(lambda h: h.expected is not None)};"
        " H-onboarding-completion",
        "  is `not_settleable` (60 participants before the release cap the power of any"
        " later study).",
        f"- A study decided once at `planned_n`, still collecting: "
        f"{_ids(lambda h: h.planned_n is not None)}.",
        f"- A definition changed after it was published: {_ids(lambda h: bool(h.registered))};"
        " `published/`",
        "  holds the report first published for its release, and `cvlib report data/sample"
        " --previous",
        "  data/sample/published` flags `definition_changed` (`make report` does this).",
        "- Multiplicity: every release adjusts its hypotheses' p-values with Holm (the default).",
    ]


def readme(seed: int, tables: dict[str, pd.DataFrame], *, events: int | None = None) -> str:
    """The text of the workspace's ``README.md``: what is simulated, and each designed outcome.

    ``tables`` are the CSV tables written (for their row counts); with
    ``events``, the README describes the large variant with Parquet events.
    """
    hypotheses_of = {}
    for h in HYPOTHESES:
        hypotheses_of.setdefault(h.feature_id, []).append(h.id)
    written_by = (
        f"`cvlib sample data/sample` (`cvlib.sample.write_sample`) with seed {seed}"
        if events is None
        else f"`cvlib sample OUT --events {events}` (`cvlib.sample.write_sample`) with seed {seed}"
    )
    lines = [
        f"# Sample workspace: {PRODUCT}",
        "",
        (
            f"A year of made-up data for **{PRODUCT}**, a fictional B2B SaaS for finance teams"
            " of small and"
        ),
        "mid-sized companies (invoicing, payments, expenses, reporting). Written by",
        written_by
        + (" (the default)." if seed == DEFAULT_SEED else f" (the default is {DEFAULT_SEED})."),
    ]
    if events is None:
        lines += [
            (
                "Do not edit these files by hand: change `cvlib/sample/` and regenerate,"
                " a test compares"
            ),
            "`data/sample/` with a fresh run byte for byte.",
        ]
    else:
        lines += [
            (
                f"This is the large variant: {events:,} product events as Parquet files"
                " partitioned by month"
            ),
            (
                "(`events/month=YYYY-MM/part-0.parquet`, declared under `sources` in"
                " `workspace.yaml`) instead"
            ),
            (
                "of `events.csv`; every other file is the one of the default sample. The events"
                " come from the"
            ),
            (
                "same model for as many users as it takes (about 67 events per user), with"
                " adopters drawn at"
            ),
            (
                "each feature's designed rate: adoption shares match the design in distribution,"
                " not exactly,"
            ),
            (
                "so adoption verdicts near their target (H-shared-adoption) may differ from the"
                " table below."
            ),
        ]
    lines += [
        "",
        "Nothing here is real: people, companies, e-mail addresses (`example.com/.org/.net`) and",
        "phone numbers (ranges reserved for fiction) are invented.",
        "",
        "## Settings (`workspace.yaml`)",
        "",
        (
            f"- product {PRODUCT}, currency {CURRENCY}, hourly cost {HOURLY_COST},"
            f" confidence level {CONFIDENCE_LEVEL},"
        ),
        f"  timezone {TIMEZONE}.",
        (
            f"- `data_through: {DATA_THROUGH.isoformat()}` is set explicitly, so no verdict"
            " depends on today's date."
        ),
        (
            f"- Events, surveys and tickets run from {FIRST_DAY.isoformat()}"
            f" to {DATA_THROUGH.isoformat()}; accounts"
        ),
        (
            f"  start from {ACCOUNTS_SINCE.isoformat()}. Events and survey responses happen"
            " during local working"
        ),
        "  hours (no times near midnight), written in UTC with `Z`.",
        "",
        "## Releases and features",
        "",
        "| release | released on | feature | value type | effort | hypotheses |",
        "|---|---|---|---|---|---|",
    ]
    for r in RELEASES:
        for f in FEATURES:
            if f.release_id != r.release_id:
                continue
            hyps = ", ".join(hypotheses_of.get(f.feature_id, [])) or "none"
            lines.append(
                f"| {r.release_id} {r.name} | {r.released_on.isoformat()} | {f.feature_id} | "
                f"{f.value_type} | {f.effort_points} | {hyps} |"
            )
    no_hypothesis = [f.feature_id for f in FEATURES if f.feature_id not in hypotheses_of]
    lines += [
        "",
        f"{len(RELEASES)} releases, {len(FEATURES)} features; {len(no_hypothesis)} features have",
        f"no hypothesis ({', '.join(no_hypothesis)}): shipped output with no stated",
        "outcome. F-bank-feeds has two hypotheses with different outcomes, so the feature does not",
        "count as validated.",
        "",
        "## Hypotheses and their designed outcome",
        "",
        '"True value" is what the data are drawn from; the intended verdict follows from the rules',
        (
            "of docs/verdicts.md (95% intervals). Task-time, completion-rate, error-rate"
            " and adoption"
            " hypotheses get"
        ),
        (
            "their verdict for every seed by construction (exact counts, calibrated geometric"
            " means, exact"
        ),
        "adopter shares among users active in the window); NPS, churn and feature retention are",
        "drawn at random with",
        "margins that hold for the default seed.",
        "",
        "| hypothesis | metric | target | design | true value | intended verdict | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for h in HYPOTHESES:
        lines.append(
            f"| {h.id} | {h.metric} | {_format_target(h)} | {design_of(h)} | {h.truth} |"
            f" **{h.intended}** | {h.why} |"
        )
    counts = {}
    for h in HYPOTHESES:
        counts[h.intended] = counts.get(h.intended, 0) + 1
    late = [
        h.id
        for h in HYPOTHESES
        if h.created_on
        and h.created_on > release_by_id(feature_by_id(h.feature_id).release_id).released_on
    ]
    paired = [h.id for h in HYPOTHESES if h.design == "paired"]
    latest = RELEASES[-1]
    last_day = latest.released_on + dt.timedelta(days=29)
    lines += [
        "",
        "Intended: "
        + ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICTS)
        + f". Paired design: {', '.join(paired)}. Written after its release: {', '.join(late)}.",
        "",
        "## The verdict rules the sample shows",
        "",
        *_rules_shown(),
        "",
        "## The comparison designs",
        "",
        *_designs_shown(),
        "",
        "## The incomplete latest release",
        "",
        (
            f'{latest.release_id} "{latest.name}" shipped on {latest.released_on.isoformat()};'
            " its 30-day"
        ),
        (
            f"windows end on {last_day.isoformat()}, after `data_through`"
            f" {DATA_THROUGH.isoformat()}. Events"
        ),
        "and survey responses after the release are there, but its adoption and NPS hypotheses are",
        "`insufficient_data` until the windows are complete.",
        "",
        "## Segments",
        "",
        (
            "Three segments: `smb`, `mid_market`, `enterprise` (users about 55/30/15%,"
            " accounts 60/30/10%)."
        ),
        (
            "Enterprise users are a little more active and adopt security and collaboration"
            " features more;"
        ),
        "smb accounts churn about three times as often as enterprise ones.",
        "",
        "## Files",
        "",
        "| file | rows | what |",
        "|---|---|---|",
    ]
    for name, text in FILE_DESCRIPTIONS.items():
        if name == "events.csv" and events is not None:
            lines.append(f"| `events/month=YYYY-MM/part-0.parquet` | {events:,} | {text} |")
            continue
        lines.append(f"| `{name}` | {len(tables[name]):,} | {text} |")
    lines.append(
        "| `published/<release_id>/summary.json` | | the report first published for a release"
        " whose definitions changed since |"
    )
    lines.append("")
    return "\n".join(lines)
