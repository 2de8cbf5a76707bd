"""The holdout design: a feature's treatment units against its randomly held-out units.

Two layers, as the design has them. The counts layer (``spec.compare_counts`` on
:class:`~cvlib.metrics.base.Shares` and :class:`~cvlib.metrics.nps.Responses`) is checked
by simulation: the interval of treatment - holdout covers the true difference as often as
it promises. The workspace layer is checked end to end on workspaces built here with
known counts (no random draws), so every number in ``summary.json`` can be recomputed by
hand: the sample-ratio test, the effect, the units left out, the response rates, which
design judges, and the segments.

Independent references: :func:`scipy.stats.chisquare` and the closed form of the
chi-square tail with one degree of freedom for the sample-ratio test; the
Miettinen-Nurminen interval recomputed here from its likelihood (``_mn_interval``) and
statsmodels' score test at no difference; the adjusted-Wald NPS difference recomputed from
its formula (``_adjusted_wald``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import types
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import chisquare, norm
from statsmodels.stats import proportion as sm_proportion

import cvlib
from cvlib.cli import main as cli_main
from cvlib.metrics import get
from cvlib.metrics.base import Shares
from cvlib.metrics.nps import Responses
from cvlib.stats.ratio import sample_ratio_test
from cvlib.verdicts.designs.holdout import Split, mismatch_reason

RELEASE = dt.date(2026, 6, 1)  # window_days 30 (churn) or 28 (NPS) after it
CHURN = {"metric": "churn", "target": 0.05, "window_days": 30}
NPS = {"metric": "nps", "target": 0, "window_days": 28}
CTX = types.SimpleNamespace(confidence_level=0.95)  # all that compare_counts reads


# ---------------------------------------------------------------- independent references
def _mn_interval(x_after, n_after, x_before, n_before, confidence_level=0.95):
    """Miettinen & Nurminen's (1985) score interval of p_after - p_before, from their
    definition: for each null difference d, the restricted MLE solves the score equation of
    the likelihood under p_after = p_before + d; z(d) = (d_hat - d) / sqrt(V(d)) with
    V = (p1(1 - p1)/n_after + p0(1 - p0)/n_before) N/(N - 1); the bounds are the d where
    |z| reaches the normal quantile. Both roots by Brent's method.

    statsmodels 0.15's ``confint_proportions_2indep(method="score")`` cannot serve here: its
    restricted MLE has a wrong linear coefficient for a difference other than 0 (bug report
    statsmodels/statsmodels#10269), which moves these bounds by about 5e-4: for 24/800 against
    16/200 it gives (-0.09663, -0.01680) where this gives (-0.09714, -0.01678), and its own
    test at its lower bound has p = 0.0522 under the corrected likelihood."""
    n = n_after + n_before
    d_hat = x_after / n_after - x_before / n_before

    def restricted(d):
        def score(p0):
            p1 = p0 + d
            return (
                x_after / p1
                - (n_after - x_after) / (1 - p1)
                + x_before / p0
                - (n_before - x_before) / (1 - p0)
            )

        eps = 1e-13
        return brentq(score, max(0.0, -d) + eps, min(1.0, 1.0 - d) - eps, xtol=1e-16)

    def z(d):
        p0 = restricted(d)
        p1 = p0 + d
        var = (p1 * (1 - p1) / n_after + p0 * (1 - p0) / n_before) * n / (n - 1)
        return (d_hat - d) / math.sqrt(var)

    crit = norm.ppf(1 - (1 - confidence_level) / 2)
    low = brentq(lambda d: z(d) - crit, max(-0.999, d_hat - 0.5), d_hat, xtol=1e-14)
    high = brentq(lambda d: z(d) + crit, d_hat, min(0.999, d_hat + 0.5), xtol=1e-14)
    return d_hat, low, high


def _adjusted_wald(after, before, confidence_level=0.95):
    """The adjusted-Wald difference of two NPS in points (Rocks 2016; Lewis & Sauro 2021):
    each group with n + 3 responses and 3/4 added to promoters and detractors,
    c = p - d, v = (p + d - c^2)/(n + 3); interval 100 (c_a - c_b +- z sqrt(v_a + v_b)),
    estimate the raw difference."""

    def centre(counts):
        promoters, _, detractors = counts
        n = sum(counts) + 3
        p, d = (promoters + 0.75) / n, (detractors + 0.75) / n
        return p - d, (p + d - (p - d) ** 2) / n

    (ca, va), (cb, vb) = centre(after), centre(before)
    half = norm.ppf(1 - (1 - confidence_level) / 2) * math.sqrt(va + vb)

    def raw(counts):
        return 100 * (counts[0] - counts[2]) / sum(counts)

    return raw(after) - raw(before), 100 * (ca - cb - half), 100 * (ca - cb + half)


# ---------------------------------------------------------------- workspace builders
def _workspace(
    root: Path,
    hypotheses,
    tables: dict,
    *,
    share=0.2,
    timezone="UTC",
    sources="",
) -> Path:
    """A one-release workspace: feature ``F1`` of release ``R1`` with holdout share
    ``share``, the ``hypotheses`` (dicts with ``id``), and ``tables`` (file name -> text)."""
    files = {
        "workspace.yaml": f"currency: EUR\nconfidence_level: 0.95\ntimezone: {timezone}\n"
        f"data_through: 2026-08-31\nmultiplicity: none\n{sources}",
        "releases.csv": f"release_id,name,released_on\nR1,Release,{RELEASE.isoformat()}\n",
        "features.csv": "feature_id,release_id,name,value_type,holdout_share\n"
        f"F1,R1,Feature,experience,{share}\n",
        "hypotheses.yaml": "hypotheses:\n"
        + "".join(
            f"  - id: {h['id']}\n    feature_id: F1\n    statement: Better.\n"
            + "".join(f"    {k}: {v}\n" for k, v in h.items() if k != "id")
            for h in hypotheses
        ),
        **tables,
    }
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _churn_tables(groups, *, extra_exposures=(), extra_accounts=()) -> dict:
    """accounts.csv and exposures.csv: ``groups`` holds ``(group, segment, accounts,
    churned)``; every account started long before the release, is assigned at the release,
    and the churned ones churn inside the window. ``extra_*`` are further CSV lines."""
    accounts = ["account_id,started_on,churned_on,segment"]
    exposures = ["unit_id,unit,feature_id,group,assigned_at"]
    i = 0
    for group, segment, n, churned in groups:
        for k in range(n):
            i += 1
            accounts.append(f"A{i},2025-01-01,{'2026-06-15' if k < churned else ''},{segment}")
            exposures.append(f"A{i},account,F1,{group},2026-06-01T00:00:00Z")
    return {
        "accounts.csv": "\n".join([*accounts, *extra_accounts]) + "\n",
        "exposures.csv": "\n".join([*exposures, *extra_exposures]) + "\n",
    }


def _nps_rows(groups, *, answered_twice=0):
    """Survey rows ``(user, submitted_at, score)`` and exposure lines of ``groups``:
    ``(group, assigned, (promoters, passives, detractors))``; the first respondents answer,
    the other assigned users do not. The first ``answered_twice`` respondents of each group
    first answered 0 on the release day: their later answer is the one that counts.
    Responses spread over the window's 28 days."""
    surveys, exposures = [], []
    for group, assigned, counts in groups:
        scores = [10] * counts[0] + [8] * counts[1] + [3] * counts[2]
        for i in range(assigned):
            user = f"{group[0].upper()}{i}"
            exposures.append(f"{user},user,F1,{group},2026-06-01T00:00:00Z")
            if i >= len(scores):
                continue
            if i < answered_twice:
                surveys.append((user, "2026-06-01T08:00:00Z", 0))
            day = RELEASE + dt.timedelta(days=1 + i % 27)
            surveys.append((user, f"{day.isoformat()}T12:00:00Z", scores[i]))
    return surveys, exposures


def _nps_tables(surveys, exposures) -> dict:
    return {
        "surveys.csv": "response_id,user_id,submitted_at,score\n"
        + "".join(f"S{i},{u},{at},{s}\n" for i, (u, at, s) in enumerate(surveys)),
        "exposures.csv": "unit_id,unit,feature_id,group,assigned_at\n"
        + "".join(line + "\n" for line in exposures),
    }


def _history(weeks=20, per_week=50):
    """Responses of users outside the holdout, week by week before the release, NPS 20."""
    rows = []
    for k in range(-weeks, 0):
        for i in range(per_week):
            day = RELEASE + dt.timedelta(days=7 * k + i % 7)
            score = (10, 10, 10, 8, 3)[i % 5]
            rows.append((f"P{k + 100}-{i}", f"{day.isoformat()}T10:00:00Z", score))
    return rows


def _only(root: Path):
    """The one hypothesis of release R1: its result and its summary.json entry."""
    evaluated = cvlib.evaluate_release(cvlib.load_workspace(root), "R1")
    (r,) = evaluated.hypotheses
    (entry,) = evaluated.to_dict()["hypotheses"]
    return r, entry


def _validate(root: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(["validate", str(root)])
    return code, out.getvalue().splitlines()


# ---------------------------------------------------------------- coverage of the counts
def test_churn_interval_of_treatment_minus_holdout_covers_the_true_difference():
    # 800 treatment accounts churning at 3%, 200 held out churning at 8%: the true
    # difference treatment - holdout is -0.05
    rng = np.random.default_rng(20260601)
    spec = get("churn")
    covered, below, above = 0, 0, 0
    for _ in range(1000):
        t = Shares(int(rng.binomial(800, 0.03)), 800)
        h = Shares(int(rng.binomial(200, 0.08)), 200)
        c = spec.compare_counts(CTX, t, h).comparison
        covered += c.ci_low <= -0.05 <= c.ci_high
        below += c.ci_high < -0.05
        above += c.ci_low > -0.05
    # an exact 95% interval covers fewer than 935 times in 1,000 with probability 1.5%
    # (scipy.stats.binom.cdf(934, 1000, 0.95) = 0.0149); an interval too narrow, or of the
    # difference the wrong way round (it then never covers), does not reach 935
    assert covered >= 935
    assert covered + below + above == 1000 and below > 0 and above > 0  # misses on both sides


def test_nps_interval_of_treatment_minus_holdout_covers_the_true_difference():
    # promoters/passives/detractors 50/30/20% (NPS 30) among 600 treatment respondents,
    # 40/30/30% (NPS 10) among 150 held out: the true difference is 20 points
    rng = np.random.default_rng(20260602)
    spec = get("nps")
    covered = 0
    for _ in range(1000):
        t = Responses(*(int(x) for x in rng.multinomial(600, [0.5, 0.3, 0.2])))
        h = Responses(*(int(x) for x in rng.multinomial(150, [0.4, 0.3, 0.3])))
        c = spec.compare_counts(CTX, t, h).comparison
        covered += c.ci_low <= 20.0 <= c.ci_high
    assert covered >= 935


# ---------------------------------------------------------------- the sample-ratio check
def test_a_split_unlike_the_plan_is_a_sample_ratio_mismatch_and_inconclusive(tmp_path):
    # planned 20% holdout, observed 300 of 1,000; the churn effect itself is clear (3% vs 8%)
    groups = [("treatment", "smb", 700, 21), ("holdout", "smb", 300, 24)]
    _, entry = _only(_workspace(tmp_path / "ws", [{"id": "H", **CHURN}], _churn_tables(groups)))
    d = entry["evidence"]["diagnostics"]
    assert entry["verdict"] == "inconclusive"
    assert "sample_ratio_mismatch" in entry["flags"]
    assert "300 of 1,000 assigned units (30.0%)" in entry["reason"]
    assert "against a planned 20.0%" in entry["reason"]
    assert entry["reason"] == mismatch_reason(Split(None, None, 700, 300), 0.2, d["srm_p_value"])
    assert d["holdout_share_planned"] == 0.2
    assert d["holdout_share_observed"] == 0.3
    assert d["assigned_units"] == {"treatment": 700, "holdout": 300}
    # Pearson's X^2 by hand: expected 800 and 200, (700-800)^2/800 + (300-200)^2/200
    # = 12.5 + 50 = 62.5; with one degree of freedom P(X^2 >= x) = erfc(sqrt(x/2))
    reference = chisquare([700, 300], f_exp=[800, 200])
    assert reference.statistic == pytest.approx(62.5, abs=1e-12)
    assert sample_ratio_test([700, 300], expected_shares=[0.8, 0.2]).statistic == pytest.approx(
        62.5, abs=1e-12
    )
    assert d["srm_p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert d["srm_p_value"] == pytest.approx(math.erfc(math.sqrt(62.5 / 2)), rel=1e-9)
    assert d["srm_p_value"] < 1e-14


def test_the_same_split_planned_as_such_is_validated(tmp_path):
    # the counts of the mismatch test with a planned 30% holdout: the overrule is what made
    # that one inconclusive
    groups = [("treatment", "smb", 700, 21), ("holdout", "smb", 300, 24)]
    root = _workspace(tmp_path / "ws", [{"id": "H", **CHURN}], _churn_tables(groups), share=0.3)
    _, entry = _only(root)
    assert entry["verdict"] == "validated"
    assert "sample_ratio_mismatch" not in entry["flags"]
    assert entry["evidence"]["diagnostics"]["srm_p_value"] == pytest.approx(1.0)


def test_a_planned_split_with_a_real_effect_is_validated_by_treatment_minus_holdout(tmp_path):
    # 24 of 800 treatment accounts churn (3%), 16 of 200 held out (8%)
    groups = [("treatment", "smb", 800, 24), ("holdout", "smb", 200, 16)]
    r, entry = _only(_workspace(tmp_path / "ws", [{"id": "H", **CHURN}], _churn_tables(groups)))
    e = entry["evidence"]
    assert entry["verdict"] == "validated"
    assert (e["design"], e["grade"]) == ("holdout", "randomized")
    assert set(e["diagnostics"]) == {
        "holdout_share_planned", "holdout_share_observed", "assigned_units", "srm_p_value",
        "groups", "before_after",
    }  # fmt: skip
    assert e["diagnostics"]["srm_p_value"] == pytest.approx(1.0)  # exactly the plan
    assert e["diagnostics"]["groups"] == {
        "treatment": {"estimate": 0.03, "n": 800},
        "holdout": {"estimate": 0.08, "n": 200},
    }
    estimate, low, high = _mn_interval(24, 800, 16, 200)
    assert estimate == pytest.approx(-0.05, abs=1e-15)
    for got in (e["effect"], entry["change"]):
        assert got["estimate"] == pytest.approx(estimate, abs=1e-12)
        assert got["ci_low"] == pytest.approx(low, abs=1e-6)
        assert got["ci_high"] == pytest.approx(high, abs=1e-6)
    # statsmodels' score test at no difference (the Miettinen-Nurminen statistic with its
    # N/(N-1) factor; the bug of statsmodels/statsmodels#10269 leaves a null of 0 alone)
    reference = sm_proportion.test_proportions_2indep(24, 800, 16, 200, method="score")
    assert e["effect"]["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert entry["change"]["direction"] == "improved"
    # the target (churn below 5%) is judged on the treatment group alone: 24/800 = 3%, its
    # Wilson bound well under 5%; all 1,000 accounts (4%) would not clear it
    assert (r.after.estimate, r.after.n) == (0.03, 800)
    assert r.after.ci_high < 0.05
    assert entry["estimate"] == 0.03
    assert entry["n"] == 800


def test_units_assigned_at_or_after_the_window_end_are_left_out(tmp_path):
    # Berlin time: the 30-day window ends on 1 July 00:00 CEST, 30 June 22:00 UTC
    groups = [("treatment", "smb", 799, 24), ("holdout", "smb", 200, 16)]
    accounts, exposures = [], []
    for i, (group, at) in enumerate(
        [
            ("treatment", "2026-06-30T21:59:59Z"),  # one second before the end: counted
            ("treatment", "2026-06-30T22:00:00Z"),  # at the end
            ("treatment", "2026-07-02T09:00:00Z"),
            ("holdout", "2026-06-30T22:00:00Z"),
            ("holdout", "2026-07-15"),
        ]
    ):
        # late accounts that churned: counted by mistake they would move both shares
        churned = "" if i == 0 else "2026-06-15"
        accounts.append(f"L{i},2025-01-01,{churned},smb")
        exposures.append(f"L{i},account,F1,{group},{at}")
    # A1 (treatment, churned) listed a second time in its group: one account
    exposures.append("A1,account,F1,treatment,2026-06-03T10:00:00Z")
    tables = _churn_tables(groups, extra_exposures=exposures, extra_accounts=accounts)
    root = _workspace(tmp_path / "ws", [{"id": "H", **CHURN}], tables, timezone="Europe/Berlin")
    _, entry = _only(root)
    d = entry["evidence"]["diagnostics"]
    assert d["assigned_units"] == {"treatment": 800, "holdout": 200}
    assert d["groups"] == {
        "treatment": {"estimate": 24 / 800, "n": 800},
        "holdout": {"estimate": 16 / 200, "n": 200},
    }
    assert d["srm_p_value"] == pytest.approx(1.0)
    assert entry["evidence"]["effect"]["estimate"] == pytest.approx(24 / 800 - 16 / 200)


# ---------------------------------------------------------------- NPS
def test_nps_holdout_counts_each_users_latest_response(tmp_path):
    # 1,000 treatment users, 400 answer (240/100/60: NPS 45); 250 held out, 100 answer
    # (40/30/30: NPS 10); 50 of each group first answered 0, then again
    surveys, exposures = _nps_rows(
        [("treatment", 1000, (240, 100, 60)), ("holdout", 250, (40, 30, 30))], answered_twice=50
    )
    outsider = [("X1", "2026-06-05T10:00:00Z", 0)]  # answered, never assigned: not counted
    root = _workspace(
        tmp_path / "ws", [{"id": "H", **NPS}], _nps_tables(surveys + outsider, exposures)
    )
    _, entry = _only(root)
    e = entry["evidence"]
    d = e["diagnostics"]
    assert (e["design"], e["grade"]) == ("holdout", "randomized")
    assert d["groups"] == {
        "treatment": {"estimate": 45.0, "n": 400},
        "holdout": {"estimate": 10.0, "n": 100},
    }
    estimate, low, high = _adjusted_wald((240, 100, 60), (40, 30, 30))
    assert e["effect"]["estimate"] == pytest.approx(estimate, abs=1e-9)
    assert e["effect"]["ci_low"] == pytest.approx(low, abs=1e-9)
    assert e["effect"]["ci_high"] == pytest.approx(high, abs=1e-9)
    assert entry["estimate"] == 45.0  # the target is judged on the treatment group
    assert entry["verdict"] == "validated"
    # the earlier answers of both groups' users who answered twice were left out
    assert entry["dropped"] == 100
    # an equal share answered in each group: no flag, and a score statistic of exactly 0
    assert d["response_rates"] == {"treatment": 0.4, "holdout": 0.4}
    assert d["response_rate_p_value"] == pytest.approx(1.0)
    assert "response_rate_differs" not in entry["flags"]


def test_nps_holdout_flags_response_rates_that_differ(tmp_path):
    # 400 of 1,000 treatment users answer, 50 of 250 held out
    surveys, exposures = _nps_rows(
        [("treatment", 1000, (240, 100, 60)), ("holdout", 250, (20, 15, 15))]
    )
    _, entry = _only(
        _workspace(tmp_path / "ws", [{"id": "H", **NPS}], _nps_tables(surveys, exposures))
    )
    d = entry["evidence"]["diagnostics"]
    assert d["response_rates"] == {"treatment": 0.4, "holdout": 0.2}
    # statsmodels' two-proportion score test at no difference as the reference
    reference = sm_proportion.test_proportions_2indep(400, 1000, 50, 250, method="score")
    assert d["response_rate_p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert d["response_rate_p_value"] < 1e-6
    assert "response_rate_differs" in entry["flags"]
    assert d["assigned_units"] == {"treatment": 1000, "holdout": 250}


# ---------------------------------------------------------------- validate and engines
def test_validate_names_the_line_of_a_holdout_without_exposures(tmp_path):
    hypotheses = [{"id": "G", **CHURN}, {"id": "H", **CHURN, "comparison": "holdout"}]
    tables = _churn_tables([("treatment", "smb", 30, 1)])
    del tables["exposures.csv"]
    code, lines = _validate(_workspace(tmp_path / "ws", hypotheses, tables))
    assert code == 0
    # hypothesis H starts on line 8 of hypotheses.yaml (G takes lines 2-7)
    assert (
        "warning: hypotheses.yaml:8: hypothesis H: comparison holdout needs account exposures "
        "of feature F1 in both groups (treatment and holdout), found none yet" in lines
    )
    assert sum("warning:" in line for line in lines) == 1


def _surveys_in_duckdb(root: Path, surveys) -> None:
    """Move surveys.csv into a DuckDB file behind ``connection:`` (exposures stay CSV)."""
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE nps (response_id VARCHAR, user_id VARCHAR, submitted_at TIMESTAMPTZ, "
        "score BIGINT)"
    )
    con.executemany(
        "INSERT INTO nps VALUES (?, ?, CAST(? AS TIMESTAMPTZ), ?)",
        [(f"S{i}", u, at, s) for i, (u, at, s) in enumerate(surveys)],
    )
    con.close()
    (root / "surveys.csv").unlink()


@pytest.mark.parametrize(
    ("comparison", "until"),
    [("auto", "the next design judges it"), ("holdout", "it is insufficient data")],
)
def test_surveys_and_exposures_on_two_engines(tmp_path, comparison, until):
    surveys, exposures = _nps_rows(
        [("treatment", 1000, (240, 100, 60)), ("holdout", 250, (40, 30, 30))]
    )
    surveys += _history(weeks=4)  # a before window for before/after
    hypotheses = [{"id": "G", **NPS}, {"id": "H", **NPS, "comparison": comparison}]
    source = '  surveys: {connection: "duckdb://warehouse.duckdb", table: nps}\n'
    root = _workspace(
        tmp_path / "ws",
        hypotheses,
        _nps_tables(surveys, exposures),
        sources=f"sources:\n{source}",
    )
    _surveys_in_duckdb(root, surveys)
    code, lines = _validate(root)
    assert code == 0
    warnings = [line for line in lines if line.startswith("warning:")]
    assert len(warnings) == 2  # G (auto) and H
    assert warnings[1].startswith("warning: hypotheses.yaml:8: hypothesis H: its holdout ")
    assert "so both must be on one engine" in warnings[1]
    assert warnings[1].endswith(f"until then {until}")
    assert "exposures.csv" in warnings[1] and "duckdb://warehouse.duckdb" in warnings[1]
    results = {
        r.hypothesis.id: r
        for r in cvlib.evaluate_release(cvlib.load_workspace(root), "R1").hypotheses
    }
    r = results["H"]
    if comparison == "auto":
        assert r.evidence.design == "before_after"  # four weeks of history: no time series
        assert r.change is not None
        assert r.verdict != "insufficient_data"
    else:
        assert r.verdict == "insufficient_data"
        assert r.reason.startswith("The holdout comparison named by `comparison:` cannot be made")
        assert "exposures.csv are on different engines" in r.reason
        assert "duckdb://warehouse.duckdb" in r.reason
        assert r.evidence.design == "holdout" and r.evidence.effect is None


# ---------------------------------------------------------------- choice of design
def test_the_holdout_is_chosen_over_the_time_series_and_before_after_stays_named(tmp_path):
    surveys, exposures = _nps_rows(
        [("treatment", 1000, (240, 100, 60)), ("holdout", 250, (40, 30, 30))]
    )
    tables = _nps_tables(surveys + _history(), exposures)
    got = {}
    for comparison in ("auto", "interrupted_time_series", "before_after"):
        root = _workspace(
            tmp_path / comparison, [{"id": "H", **NPS, "comparison": comparison}], tables
        )
        got[comparison] = _only(root)[0]
    # the time series is possible on these data (20 weeks of history) ...
    assert got["interrupted_time_series"].evidence.design == "interrupted_time_series"
    # ... and auto takes the holdout
    auto = got["auto"]
    assert (auto.evidence.design, auto.evidence.grade) == ("holdout", "randomized")
    assert auto.change.estimate == pytest.approx(45.0 - 10.0)
    named = got["before_after"]
    assert (named.evidence.design, named.evidence.grade) == ("before_after", "before_after")
    # the change is after - before over all respondents, not treatment - holdout
    assert named.change.estimate != pytest.approx(auto.change.estimate)
    assert named.change.estimate == pytest.approx(named.evidence.effect.estimate)
    assert "holdout_share_planned" not in named.evidence.diagnostics


# ---------------------------------------------------------------- segments
def test_segments_under_a_holdout_are_treatment_against_holdout_per_segment(tmp_path):
    # ent: 3% churn in both groups (no effect); smb: 3% against 13% (a clear effect)
    groups = [
        ("treatment", "ent", 400, 12),
        ("treatment", "smb", 400, 12),
        ("holdout", "ent", 100, 3),
        ("holdout", "smb", 100, 13),
    ]
    r, entry = _only(_workspace(tmp_path / "ws", [{"id": "H", **CHURN}], _churn_tables(groups)))
    assert entry["evidence"]["design"] == "holdout"
    by_name = {s.segment: s for s in r.segments}
    assert set(by_name) == {"ent", "smb"}
    for name, (x_t, n_t, x_h, n_h) in {"ent": (12, 400, 3, 100), "smb": (12, 400, 13, 100)}.items():
        s = by_name[name]
        assert (s.estimate, s.n) == (x_t / n_t, n_t)  # the segment's treatment churn
        estimate, low, high = _mn_interval(x_t, n_t, x_h, n_h)
        assert s.change.estimate == pytest.approx(estimate, abs=1e-12)
        assert s.change.ci_low == pytest.approx(low, abs=1e-6)
        assert s.change.ci_high == pytest.approx(high, abs=1e-6)
    assert by_name["ent"].change.direction == "unclear"
    assert by_name["smb"].change.direction == "improved"
    assert all(s["exploratory"] for s in entry["segments"])


# ---------------------------------------------------------------- what a holdout does not do
def test_a_mismatch_makes_segments_and_an_undecided_verdict_inconclusive_with_its_reason(
    tmp_path,
):
    # 700/300 against a planned 20%, and no clear effect (5% vs 5%): the verdict would be
    # inconclusive anyway; the reason is the broken split, for the segment too, and no plan
    # invites more data
    groups = [("treatment", "smb", 700, 35), ("holdout", "smb", 300, 15)]
    tables = _churn_tables(groups)
    hypothesis = {"id": "H", **CHURN, "target": 0.2, "expected": 0.01}
    r, entry = _only(_workspace(tmp_path / "ws", [hypothesis], tables))
    assert entry["verdict"] == "inconclusive"
    assert entry["reason"].startswith("The holdout's split is not what was planned")
    assert entry["needed_n"] is None
    assert entry["planning_reason"].startswith("More data cannot settle it: the holdout's split")
    assert "not_settleable" not in entry["flags"]
    (segment,) = entry["segments"]
    assert (segment["segment"], segment["verdict"]) == ("smb", "inconclusive")


def test_a_holdout_is_not_planned_as_a_fixed_before_sample(tmp_path):
    # 400 treated against 100 held out, 4% vs 6%: not shown; the holdout grows with the
    # treatment group, so "cannot be settled" would be wrong
    groups = [("treatment", "smb", 400, 16), ("holdout", "smb", 100, 6)]
    hypothesis = {"id": "H", **CHURN, "expected": 0.03}
    _, entry = _only(_workspace(tmp_path / "ws", [hypothesis], _churn_tables(groups)))
    assert entry["verdict"] == "inconclusive"
    assert "not_settleable" not in entry["flags"]
    assert entry["needed_n"] is None
    assert entry["planning_reason"].startswith("A holdout grows in both groups")


def test_an_empty_holdout_group_leaves_auto_to_the_next_design_and_names_it(tmp_path):
    # the holdout's accounts are not in accounts.csv: nobody to compare with
    tables = _churn_tables([("treatment", "smb", 400, 12)])
    tables["exposures.csv"] += "".join(
        f"Z{i},account,F1,holdout,2026-06-01T00:00:00Z\n" for i in range(100)
    )
    auto = _workspace(tmp_path / "auto", [{"id": "H", **CHURN}], tables)
    _, entry = _only(auto)
    assert entry["evidence"]["design"] != "holdout"
    named = _workspace(tmp_path / "named", [{"id": "H", **CHURN, "comparison": "holdout"}], tables)
    _, entry = _only(named)
    assert entry["verdict"] == "insufficient_data"
    assert entry["reason"] == (
        "The holdout comparison named by `comparison:` cannot be made: the holdout group has "
        "no accounts in the window (of its 100 assigned units of feature F1, none is counted "
        "in accounts)."
    )


def test_a_level_claim_under_a_holdout_is_judged_on_treatment_and_compares_nothing(tmp_path):
    groups = [("treatment", "smb", 800, 8), ("holdout", "smb", 200, 20)]
    hypothesis = {"id": "H", **CHURN, "kind": "level"}
    r, entry = _only(_workspace(tmp_path / "ws", [hypothesis], _churn_tables(groups)))
    e = entry["evidence"]
    assert (e["design"], e["grade"], e["effect"]) == ("holdout", "target_only", None)
    assert entry["estimate"] == pytest.approx(8 / 800)
    assert entry["change"] is None
    # the question says which group the target is judged on
    assert "of the treatment group" in r.tests.target.question
