r"""Planning with a fixed before-release sample: how many more trials after the release.

Once a feature has shipped, the sample taken before the release can no longer
grow; only the after-release sample can. The functions here answer "how many
after-release trials (respondents, task attempts) would settle the claim?"
for a share, an NPS and a task time, with the before sample held fixed when
the claim is a change, or against a fixed target otherwise.

The claim is decided by a two-sided interval at ``confidence_level``: it is
settled in favour of the claim when the interval lies entirely on the
success side of the null value, which is a one-sided test at level
:math:`\alpha = (1 - \text{confidence\_level}) / 2`. Every function plans that
one-sided test, with power 0.8 by default.

With a fixed before sample, the variance of the estimated change never falls
below the before sample's own variance, so the power has a ceiling as the
after sample grows without bound. When the ceiling is below the requested
power the claim is *not settleable* by more after-release data and the plan
says so with ``n_after = inf`` and the ceiling in ``max_power``.

``alternative="greater"`` (shares, NPS) means the claim is that the value is
above the null; ``"less"`` (the default for task times) that it is below.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

from cvlib.stats.power_functions import MIN_N, power_at, round_up, solve
from cvlib.stats.results import _ResultMixin
from cvlib.stats.validation import (
    check_choice,
    check_confidence_level,
    check_count,
    check_positive_finite,
    check_probability,
)

__all__ = ["Plan", "nps_after_n", "proportion_after_n", "time_after_n"]

Side = Literal["greater", "less"]


@dataclass(frozen=True, slots=True)
class Plan(_ResultMixin):
    """The after-release sample a claim needs, and the most power it can have.

    Attributes
    ----------
    n_after : float
        The smallest whole number of after-release observations (trials,
        respondents, pairs for a paired design) whose power reaches
        ``power``, as a float; ``math.inf`` when no after sample, however
        large, reaches it (the claim is not settleable with the before sample
        fixed).
    max_power : float
        The power as ``n_after`` grows without bound: 1 for a claim against a
        target or a paired design, below 1 with a fixed before sample.
    achieved_power : float
        The power at ``n_after`` (at least ``power``); ``max_power`` when
        ``n_after`` is infinite.
    power : float
        The power asked for.
    confidence_level : float
        Coverage of the two-sided interval that decides the claim; the planned
        test is one-sided at ``(1 - confidence_level) / 2``.
    method : str
        The test the plan is for.
    """

    n_after: float
    max_power: float
    achieved_power: float
    power: float
    confidence_level: float
    method: str


# -- shared checks and the normal-approximation plan -----------------------------------


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _check_side(alternative) -> str:
    if alternative == "two-sided":
        raise ValueError(
            "alternative must be 'greater' or 'less' (the plan is for the one-sided test "
            "at (1 - confidence_level) / 2 that the two-sided interval decides), got 'two-sided'"
        )
    return check_choice(alternative, "alternative", ("greater", "less"))


def _check_direction(effect: float, alternative: str, what: str) -> None:
    if effect == 0.0 or (effect > 0.0) != (alternative == "greater"):
        side = "above" if alternative == "greater" else "below"
        raise ValueError(
            f"expected must lie {side} the null for alternative={alternative!r} "
            f"(the claim's success side): {what} is {effect!r}"
        )


def _both_or_neither(names: tuple[str, ...], values: tuple) -> bool:
    given = [v is not None for v in values]
    if any(given) and not all(given):
        missing = ", ".join(n for n, g in zip(names, given, strict=True) if not g)
        raise ValueError(
            f"{', '.join(names)} go together (a fixed before sample); {missing} missing"
        )
    return all(given)


def _check_power(power, confidence_level: float) -> float:
    power = check_probability(power, "power", open_interval=True)
    alpha = (1.0 - confidence_level) / 2.0
    if power <= alpha:
        raise ValueError(
            f"power must exceed (1 - confidence_level) / 2 = {alpha:g} (the power at no "
            f"effect of the one-sided test), got {power!r}"
        )
    return power


def _quantiles(confidence_level: float, power: float) -> tuple[float, float, float]:
    from scipy.special import ndtri

    alpha = (1.0 - confidence_level) / 2.0
    return alpha, float(-ndtri(alpha)), float(ndtri(power))


def _phi(x: float) -> float:
    from scipy.special import ndtr

    return float(ndtr(x))


def _normal_plan(
    effect: float,
    variance_after: float,
    variance_before: float,
    *,
    variance_null: float | None,
    confidence_level: float,
    power: float,
    method: str,
) -> Plan:
    r"""Plan a one-sided z test of ``effect`` (positive) with a fixed before variance.

    ``variance_after`` is per observation, ``variance_before`` is the fixed
    variance of the before estimate (0 for a target); ``variance_null`` (per
    observation, target only) is the variance under the null of a score test.
    """
    _, z_alpha, z_beta = _quantiles(confidence_level, power)
    if variance_null is not None:  # one sample, score test: null and alternative variances
        sd0, sd1 = math.sqrt(variance_null), math.sqrt(variance_after)

        def power_at(n):
            if sd1 == 0.0:
                return 1.0 if effect * math.sqrt(n) > z_alpha * sd0 else 0.0
            return _phi((effect * math.sqrt(n) - z_alpha * sd0) / sd1)

        exact = ((z_alpha * sd0 + z_beta * sd1) / effect) ** 2
        n = round_up(exact)
        while power_at(n) < power:  # sd1 == 0: the step above ends at the next whole n
            n += 1
        return Plan(float(n), 1.0, power_at(n), power, confidence_level, method)

    def power_at(n):
        return _phi(effect / math.sqrt(variance_before + variance_after / n) - z_alpha)

    max_power = (
        1.0 if variance_before == 0.0 else _phi(effect / math.sqrt(variance_before) - z_alpha)
    )
    if max_power <= power:
        return Plan(math.inf, max_power, max_power, power, confidence_level, method)
    if variance_after == 0.0:
        return Plan(float(MIN_N), max_power, max_power, power, confidence_level, method)
    room = (effect / (z_alpha + z_beta)) ** 2 - variance_before  # > 0 as max_power > power
    n = round_up(variance_after / room)
    while power_at(n) < power:  # rounding noise at the boundary
        n += 1
    return Plan(float(n), max_power, power_at(n), power, confidence_level, method)


# -- shares ------------------------------------------------------------------------------


def proportion_after_n(
    expected,
    *,
    null,
    confidence_level: float = 0.95,
    power: float = 0.8,
    p_before=None,
    n_before=None,
    alternative: Side = "greater",
) -> Plan:
    r"""After-release trials needed to settle a claim about a share.

    Parameters
    ----------
    expected : float
        The share expected after the release, in [0, 1].
    null : float
        Without a before sample: the target share, in (0, 1). With one: the
        null *difference* after - before, in (-1, 1): 0 for "improved",
        ``-margin`` for "not worse by more than margin".
    confidence_level : float, optional
        Coverage of the two-sided interval that decides the claim, in (0, 1);
        the planned test is one-sided at ``(1 - confidence_level) / 2``.
        Default 0.95.
    power : float, optional
        Probability of settling the claim if the after share is ``expected``,
        in (``(1 - confidence_level) / 2``, 1). Default 0.8.
    p_before : float, optional
        The share observed before the release, in [0, 1]; with ``n_before``.
    n_before : int, optional
        Trials before the release (fixed: it can no longer grow), at least 1;
        with ``p_before``.
    alternative : {"greater", "less"}, optional
        The claim's success side: ``"greater"`` (default) claims the share
        (or the change) is above ``null``, ``"less"`` below it.

    Returns
    -------
    Plan
        ``n_after``: total after-release trials (``inf`` when even an
        unbounded after sample cannot reach ``power``); ``max_power``: the
        power as ``n_after`` grows without bound; ``achieved_power``,
        ``power``, ``confidence_level``, ``method``.

    Raises
    ------
    TypeError
        If a number is of the wrong type.
    ValueError
        If a share is out of range, ``expected`` is not on the success side of
        ``null``, only one of ``p_before`` and ``n_before`` is given,
        ``power`` is out of range, or an option is invalid.

    Notes
    -----
    With :math:`\alpha = (1 - \text{confidence\_level})/2`, :math:`p` =
    ``expected`` and :math:`p_0` = ``null``, one sample against a target is
    the score (Wilson) test, whose statistic uses the null variance
    :math:`p_0(1-p_0)/n` while the estimate varies as :math:`p(1-p)/n`:

    .. math::

        1 - \beta = \Phi\!\left(\frac{|p - p_0|\sqrt n - z_{1-\alpha}\sqrt{p_0(1-p_0)}}
                                    {\sqrt{p(1-p)}}\right),
        \qquad
        n = \left(\frac{z_{1-\alpha}\sqrt{p_0(1-p_0)} + z_{1-\beta}\sqrt{p(1-p)}}
                       {p - p_0}\right)^2,

    rounded up; ``max_power`` is 1. With a fixed before sample of
    :math:`n_b` trials and share :math:`p_b`, the change after - before is
    tested against the null difference :math:`\delta` with the unpooled
    variance, the before part :math:`v_b = p_b(1-p_b)/n_b` fixed:

    .. math::

        1 - \beta = \Phi\!\left(\frac{|p - p_b - \delta|}{\sqrt{v_b + p(1-p)/n}}
                                - z_{1-\alpha}\right),
        \qquad
        n = \frac{p(1-p)}{\bigl(|p - p_b - \delta| / (z_{1-\alpha} + z_{1-\beta})\bigr)^2 - v_b},

    rounded up, and the ceiling is
    :math:`\Phi(|p - p_b - \delta| / \sqrt{v_b} - z_{1-\alpha})`: when it does
    not exceed the requested power, no after sample settles the claim and
    ``n_after`` is ``inf``. With :math:`n_b = n` the formula is the usual
    equal-groups one (Chow, Shao and Wang 2008, section 4.2).

    References
    ----------
    .. [1] Chow, S.-C., Shao, J. and Wang, H. (2008). *Sample Size
       Calculations in Clinical Research* (2nd ed.), sections 4.1 and 4.2.
       Chapman & Hall/CRC.
    .. [2] Fleiss, J. L., Levin, B. and Paik, M. C. (2003). *Statistical
       Methods for Rates and Proportions* (3rd ed.), chapter 2. Wiley.
    .. [3] Wilson, E. B. (1927). Probable inference, the law of succession,
       and statistical inference. *Journal of the American Statistical
       Association*, 22(158), 209-212.

    Examples
    --------
    A completion rate expected at 85% against an 80% target:

    >>> from cvlib.stats.planning import proportion_after_n
    >>> proportion_after_n(0.85, null=0.80).n_after
    471.0

    Before 5 of 10; after expected at 70%: no after sample settles
    "improved" (the before sample alone is too noisy):

    >>> plan = proportion_after_n(0.70, null=0.0, p_before=0.5, n_before=10)
    >>> plan.n_after, round(plan.max_power, 3)
    (inf, 0.244)

    With 100 trials before, it is settleable:

    >>> proportion_after_n(0.70, null=0.0, p_before=0.5, n_before=100).n_after
    81.0
    """
    expected = check_probability(expected, "expected")
    null = _check_real(null, "null")
    confidence_level = check_confidence_level(confidence_level)
    power = _check_power(power, confidence_level)
    alternative = _check_side(alternative)
    fixed = _both_or_neither(("p_before", "n_before"), (p_before, n_before))
    variance = expected * (1.0 - expected)
    if not fixed:
        if not 0.0 < null < 1.0:
            raise ValueError(f"null must be a target share in (0, 1), got {null!r}")
        effect = expected - null
        _check_direction(effect, alternative, "expected - null")
        return _normal_plan(
            abs(effect),
            variance,
            0.0,
            variance_null=null * (1.0 - null),
            confidence_level=confidence_level,
            power=power,
            method="one-sided score (Wilson) test of one share against a target",
        )
    p_before = check_probability(p_before, "p_before")
    n_before = check_count(n_before, "n_before", minimum=1)
    if not -1.0 < null < 1.0:
        raise ValueError(f"null must be a difference of shares in (-1, 1), got {null!r}")
    effect = expected - p_before - null
    _check_direction(effect, alternative, "expected - p_before - null")
    return _normal_plan(
        abs(effect),
        variance,
        p_before * (1.0 - p_before) / n_before,
        variance_null=None,
        confidence_level=confidence_level,
        power=power,
        method="one-sided z test of a difference of shares, before sample fixed",
    )


# -- NPS -----------------------------------------------------------------------------------


def _check_nps(value, name: str) -> float:
    value = _check_real(value, name)
    if not -100.0 <= value <= 100.0:
        raise ValueError(f"{name} must be in [-100, 100] NPS points, got {value!r}")
    return value


def _check_variance(value, name: str) -> float:
    value = check_positive_finite(value, name)
    if value > 1.0:
        raise ValueError(
            f"{name} must be at most 1 (the variance of a score of +1/0/-1), got {value!r}"
        )
    return value


def nps_after_n(
    expected,
    *,
    null,
    variance,
    confidence_level: float = 0.95,
    power: float = 0.8,
    nps_before=None,
    variance_before=None,
    n_before=None,
    alternative: Side = "greater",
) -> Plan:
    r"""After-release respondents needed to settle a claim about an NPS.

    Parameters
    ----------
    expected : float
        The NPS expected after the release, in points, in [-100, 100].
    null : float
        Without a before sample: the target NPS in points. With one: the null
        *difference* after - before in points (0 for "improved", ``-margin``
        for "not worse by more than margin"), in [-100, 100].
    variance : float
        Variance of one after-release response scored +1 (promoter), 0
        (passive), -1 (detractor), in (0, 1]: :math:`p + d - (p - d)^2` for
        promoter and detractor shares :math:`p` and :math:`d` (fraction units,
        not points). A plan usually takes the after sample's observed shares,
        or the before shares moved to reach ``expected``.
    confidence_level : float, optional
        Coverage of the two-sided interval that decides the claim. Default 0.95.
    power : float, optional
        Probability of settling the claim if the NPS is ``expected``. Default 0.8.
    nps_before : float, optional
        The NPS observed before the release, in points; with
        ``variance_before`` and ``n_before``.
    variance_before : float, optional
        Per-response variance before the release, as ``variance``.
    n_before : int, optional
        Respondents before the release (fixed), at least 1.
    alternative : {"greater", "less"}, optional
        The claim's success side. Default ``"greater"``.

    Returns
    -------
    Plan
        As :func:`proportion_after_n`: ``n_after`` respondents (``inf`` when
        not settleable), ``max_power``, ``achieved_power``, ``power``,
        ``confidence_level``, ``method``.

    Raises
    ------
    TypeError
        If a number is of the wrong type.
    ValueError
        If a value is out of range, ``expected`` is not on the success side of
        ``null``, only some of the before arguments are given, ``power`` is out
        of range, or an option is invalid.

    Notes
    -----
    The NPS is 100 times the mean of the scores +1/0/-1, so with
    :math:`e = |\text{expected} - \text{null}| / 100` (target) or
    :math:`e = |\text{expected} - \text{nps\_before} - \text{null}| / 100`
    (change), the plan is the normal one of :func:`proportion_after_n` with a
    single (Wald) variance, as in the interval of
    :func:`cvlib.stats.nps.from_counts`:

    .. math::

        n = \frac{\sigma^2_a}{\bigl(e / (z_{1-\alpha} + z_{1-\beta})\bigr)^2 - v_b},
        \qquad v_b = \sigma^2_b / n_b \;(0 \text{ for a target}),

    rounded up, with ceiling :math:`\Phi(e / \sqrt{v_b} - z_{1-\alpha})`;
    :math:`\alpha = (1 - \text{confidence\_level})/2`.

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Chow, S.-C., Shao, J. and Wang, H. (2008). *Sample Size
       Calculations in Clinical Research* (2nd ed.), sections 3.1 and 4.2.
       Chapman & Hall/CRC.

    Examples
    --------
    Expected NPS 30 (40% promoters, 10% detractors: variance
    0.5 - 0.09 = 0.41) against a target of 20:

    >>> from cvlib.stats.planning import nps_after_n
    >>> nps_after_n(30, null=20, variance=0.41).n_after
    322.0

    The same expectation as a change from an NPS of 20 measured on 150
    respondents is not settleable (the before NPS alone is too uncertain);
    from an NPS of 10 it is:

    >>> plan = nps_after_n(30, null=0, variance=0.41, nps_before=20,
    ...                    variance_before=0.45, n_before=150)
    >>> plan.n_after, round(plan.max_power, 3)
    (inf, 0.447)
    >>> nps_after_n(30, null=0, variance=0.41, nps_before=10,
    ...             variance_before=0.45, n_before=150).n_after
    196.0
    """
    expected = _check_nps(expected, "expected")
    null = _check_real(null, "null")
    variance = _check_variance(variance, "variance")
    confidence_level = check_confidence_level(confidence_level)
    power = _check_power(power, confidence_level)
    alternative = _check_side(alternative)
    names = ("nps_before", "variance_before", "n_before")
    fixed = _both_or_neither(names, (nps_before, variance_before, n_before))
    if not abs(null) <= (200.0 if fixed else 100.0):  # a target, or a difference of NPS
        raise ValueError(f"null must be in [-100, 100] points ([-200, 200] with before): {null!r}")
    if not fixed:
        effect = (expected - null) / 100.0
        _check_direction(effect, alternative, "expected - null")
        fixed_variance = 0.0
        method = "one-sided z test of one NPS against a target"
    else:
        nps_before = _check_nps(nps_before, "nps_before")
        variance_before = _check_variance(variance_before, "variance_before")
        n_before = check_count(n_before, "n_before", minimum=1)
        effect = (expected - nps_before - null) / 100.0
        _check_direction(effect, alternative, "expected - nps_before - null")
        fixed_variance = variance_before / n_before
        method = "one-sided z test of a difference of NPS, before sample fixed"
    return _normal_plan(
        abs(effect),
        variance,
        fixed_variance,
        variance_null=None,
        confidence_level=confidence_level,
        power=power,
        method=method,
    )


# -- task times ----------------------------------------------------------------------------


def _t_power(df: float, nc: float, alpha: float) -> float:
    """P(T > t_{df, 1-alpha}) for noncentral t (scipy.stats.nct where nctdtr gives nan)."""
    from scipy.special import nctdtr, stdtrit

    crit = -float(stdtrit(df, alpha))
    value = 1.0 - float(nctdtr(df, nc, crit))
    if math.isnan(value):
        from scipy import stats

        value = float(stats.nct.sf(crit, df, nc))
    return value


def _welch_power(effect, sd_a, n_a, sd_b, n_b, alpha) -> float:
    """Power of the one-sided Welch t test: noncentral t on the Welch-Satterthwaite df."""
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    return _t_power(df, effect / math.sqrt(va + vb), alpha)


def time_after_n(
    expected_log_effect,
    *,
    sd_log,
    confidence_level: float = 0.95,
    power: float = 0.8,
    sd_log_before=None,
    n_before=None,
    paired: bool = False,
    alternative: Side = "less",
) -> Plan:
    r"""After-release task attempts (or pairs) needed to settle a claim about task time.

    Task times are planned on ``ln(seconds)``, as :mod:`cvlib.stats.tasktime`
    analyses them.

    Parameters
    ----------
    expected_log_effect : float
        For a claim against a target time: :math:`\ln(\text{expected} /
        \text{target})` (geometric mean seconds). For a change claim:
        :math:`\ln(\text{expected ratio} / \text{null ratio})`, the ratios of
        geometric means after / before (null ratio 1 for "faster", 1.1 for
        "not more than 10% slower"). Negative means faster; it must lie on
        the success side (below 0 for the default ``alternative="less"``).
    sd_log : float
        Standard deviation of ln(seconds) after the release (or of the paired
        differences ln(after) - ln(before) when ``paired``), positive.
    confidence_level : float, optional
        Coverage of the two-sided interval that decides the claim. Default 0.95.
    power : float, optional
        Probability of settling the claim if the effect is as expected.
        Default 0.8.
    sd_log_before : float, optional
        Standard deviation of ln(seconds) in the fixed before sample; with
        ``n_before``.
    n_before : int, optional
        Attempts before the release (fixed), at least 2; with ``sd_log_before``.
    paired : bool, optional
        ``True``: the same participants before and after, so the result is
        the number of pairs. The before sample cannot be fixed then (each pair
        needs a new before measurement): ``n_before`` raises ``ValueError``.
    alternative : {"less", "greater"}, optional
        The claim's success side: ``"less"`` (default, faster) or ``"greater"``.

    Returns
    -------
    Plan
        ``n_after`` attempts after the release (pairs if ``paired``; ``inf``
        when not settleable), ``max_power``, ``achieved_power``, ``power``,
        ``confidence_level``, ``method``.

    Raises
    ------
    TypeError
        If a number or ``paired`` is of the wrong type.
    ValueError
        If ``expected_log_effect`` is 0 or on the wrong side, a standard
        deviation is not positive, ``n_before`` is given with ``paired`` or
        without ``sd_log_before`` (or the reverse), ``power`` is out of range,
        or an option is invalid.

    Notes
    -----
    With :math:`\alpha = (1 - \text{confidence\_level})/2` and
    :math:`e` = ``|expected_log_effect|``: against a target (or paired, on the
    log differences) the test is a one-sample t test, and :math:`n` is the
    smallest with

    .. math::

        1 - \beta \le P\bigl(T_{n-1,\,e\sqrt n / s} > t_{n-1,\,1-\alpha}\bigr)

    (noncentral t, as :func:`cvlib.stats.power.task_time_sample_size` with
    ``paired=True``); ``max_power`` is 1. With a fixed before sample the test
    is Welch's: noncentrality :math:`e / \sqrt{s_b^2/n_b + s^2/n}` and the
    Welch-Satterthwaite degrees of freedom. As :math:`n \to \infty` the power
    tends to that of a one-sample t test of the before mean,
    :math:`P(T_{n_b-1,\,e\sqrt{n_b}/s_b} > t_{n_b-1,\,1-\alpha})`, which is
    ``max_power``; when it does not exceed ``power``, ``n_after`` is ``inf``.
    Otherwise the smallest :math:`n \ge 2` is found by doubling and bisection
    on the power, which grows with :math:`n` in practice (the noncentrality
    grows while the degrees of freedom settle towards :math:`n_b - 1`).

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of "Student's" problem when
       several different population variances are involved. *Biometrika*
       34(1-2), 28-35.
    .. [2] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed.). Lawrence Erlbaum Associates.
    .. [3] Sauro, J. and Lewis, J. R. (2016). *Quantifying the User
       Experience* (2nd ed.), ch. 5 and 7. Morgan Kaufmann.

    Examples
    --------
    Expected 20% faster than a fixed before sample of 30 attempts, with
    sd_log 0.5 both before and after:

    >>> import math
    >>> from cvlib.stats.planning import time_after_n
    >>> plan = time_after_n(math.log(0.8), sd_log=0.5, sd_log_before=0.5, n_before=30)
    >>> plan.n_after, round(plan.max_power, 3)
    (inf, 0.656)
    >>> time_after_n(math.log(0.8), sd_log=0.5, sd_log_before=0.5, n_before=60).n_after
    121.0

    Against a target time (or in pairs, with sd_log of the log differences):

    >>> time_after_n(math.log(0.8), sd_log=0.5).n_after
    42.0
    """
    effect = _check_real(expected_log_effect, "expected_log_effect")
    sd_log = check_positive_finite(sd_log, "sd_log")
    confidence_level = check_confidence_level(confidence_level)
    power = _check_power(power, confidence_level)
    alternative = _check_side(alternative)
    if not isinstance(paired, bool):
        raise TypeError(f"paired must be True or False, got {paired!r}")
    _check_direction(effect, alternative, "expected_log_effect")
    fixed = _both_or_neither(("sd_log_before", "n_before"), (sd_log_before, n_before))
    alpha = (1.0 - confidence_level) / 2.0
    if paired and fixed:
        raise ValueError(
            "n_before cannot be given with paired=True: each pair needs its own before "
            "measurement, so the before sample grows with the pairs"
        )
    if not fixed:
        effect_size = abs(effect) / sd_log
        size = solve(
            "paired", effect=effect_size, n=None, alpha=alpha, power=power, alternative="greater"
        )
        n = round_up(size)
        while power_at("paired", effect_size, n, alpha, "greater") < power:
            n += 1
        what = "pairs (log differences)" if paired else "ln(seconds) against a target"
        return Plan(
            float(n),
            1.0,
            power_at("paired", effect_size, n, alpha, "greater"),
            power,
            confidence_level,
            f"one-sided one-sample t test on {what}",
        )
    sd_before = check_positive_finite(sd_log_before, "sd_log_before")
    n_before = check_count(n_before, "n_before", minimum=MIN_N)
    method = "one-sided Welch t test on ln(seconds), before sample fixed"
    e = abs(effect)
    max_power = _t_power(n_before - 1.0, e * math.sqrt(n_before) / sd_before, alpha)
    if max_power <= power:
        return Plan(math.inf, max_power, max_power, power, confidence_level, method)

    def reached(n):
        return _welch_power(e, sd_log, n, sd_before, n_before, alpha) >= power

    low, high = MIN_N, MIN_N
    while not reached(high):
        low, high = high, high * 2
        if high > 10**12:
            return Plan(math.inf, max_power, max_power, power, confidence_level, method)
    while high - low > 1:
        mid = (low + high) // 2
        if reached(mid):
            high = mid
        else:
            low = mid
    n = low if reached(low) else high
    achieved = _welch_power(e, sd_log, n, sd_before, n_before, alpha)
    return Plan(float(n), max_power, achieved, power, confidence_level, method)
