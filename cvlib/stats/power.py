"""Planning: sample sizes and minimal detectable effects.

Used before building a feature, when the hypothesis is written ("the new flow
makes the task 20% faster"), and in reports, to say how many more participants
an inconclusive result would need.

- Task times are compared on the log scale (:mod:`cvlib.stats.tasktime`), so an
  effect is a ratio of geometric means after / before and its size is
  :math:`|\\ln(\\text{ratio})| / \\text{sd\\_log}` (Cohen's d on log seconds).
- Proportions (completion rates) use Cohen's h, the difference of
  arcsine-square-root transformed shares.

The power functions are those of statsmodels' ``TTestIndPower``, ``TTestPower``
and ``NormalIndPower``, evaluated with scipy.special (see :mod:`cvlib.stats.power_functions`).
There is no ``alpha`` argument: the significance level is
``1 - confidence_level``, one-tailed for a one-sided ``alternative``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Literal

from cvlib.errors import CvlibWarning
from cvlib.stats.power_functions import MIN_N, check_power, round_up, solve
from cvlib.stats.validation import (
    check_alternative,
    check_choice,
    check_confidence_level,
    check_count,
    check_positive_finite,
    check_probability,
)

__all__ = [
    "nps_sample_size_vs_target",
    "proportion_mde",
    "proportion_sample_size",
    "proportion_sample_size_vs_target",
    "task_time_mde",
    "task_time_sample_size",
]


def _check_ratio_direction(ratio: float, alternative: str) -> None:
    if ratio == 1.0:
        raise ValueError("ratio must differ from 1 (no effect needs no sample), got 1.0")
    if alternative == "less" and ratio > 1.0:
        raise ValueError(
            f"ratio must be below 1 for alternative='less' (after faster), got {ratio!r}"
        )
    if alternative == "greater" and ratio < 1.0:
        raise ValueError(
            f"ratio must be above 1 for alternative='greater' (after slower), got {ratio!r}"
        )


def task_time_sample_size(
    ratio,
    sd_log,
    *,
    power: float = 0.8,
    paired: bool = False,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> int:
    r"""Participants needed to detect a ratio of geometric mean task times.

    Parameters
    ----------
    ratio : float
        Ratio of geometric means after / before to detect, positive and not 1
        (0.8 = after 20% faster).
    sd_log : float
        Standard deviation of ln(seconds) within a group (unpaired) or of the
        differences ln(after) - ln(before) (paired), positive; from a pilot or
        an earlier release.
    power : float, optional
        Probability of a significant result if the true ratio is ``ratio``,
        in (0, 1) and above ``1 - confidence_level``. Default 0.8.
    paired : bool, optional
        ``False`` (default): two independent groups, Welch/Student t test on
        ln(times), result per group. ``True``: the same participants before
        and after, paired t test, result in pairs.
    confidence_level : float, optional
        ``1 - alpha`` of the planned test, in (0, 1). Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        The planned test's alternative (after compared to before). ``"less"``
        (after faster) requires ``ratio < 1``, ``"greater"`` requires
        ``ratio > 1``.

    Returns
    -------
    int
        Participants per group (unpaired) or pairs (paired): the solution of
        the power equation rounded up to the next integer, so the power
        achieved is at least ``power``; never below 2.

    Raises
    ------
    TypeError
        If a number is of the wrong type.
    ValueError
        If ``ratio`` is not positive, is 1 or points against ``alternative``,
        ``sd_log`` is not positive, ``power`` is not in
        (``1 - confidence_level``, 1), or an option is invalid.

    Notes
    -----
    The effect size is Cohen's d on the log scale,
    :math:`d = |\ln(\text{ratio})| / \text{sd\_log}`. Unpaired, the smallest
    :math:`n` per group with

    .. math::

        1 - \beta \le P\bigl(|T_{2n-2,\,\delta}| > t_{2n-2,\,1-\alpha/2}\bigr),
        \qquad \delta = d\sqrt{n/2},

    where :math:`T_{\nu,\delta}` is noncentral t (statsmodels
    ``TTestIndPower``); paired, :math:`\nu = n - 1` and :math:`\delta = d\sqrt n`
    (``TTestPower``, a one-sample t test on the log differences). A one-sided
    test uses :math:`t_{\nu,1-\alpha}` and one tail.

    References
    ----------
    .. [1] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed.). Lawrence Erlbaum Associates.
    .. [2] Faul, F., Erdfelder, E., Lang, A.-G., & Buchner, A. (2007). G*Power 3:
       a flexible statistical power analysis program for the social,
       behavioral, and biomedical sciences. *Behavior Research Methods*,
       39(2), 175-191.
    .. [3] Seabold, S., & Perktold, J. (2010). statsmodels: econometric and
       statistical modeling with Python. *Proceedings of the 9th Python in
       Science Conference*, 92-96.

    Examples
    --------
    A 20% faster task with an SD of 0.5 on ln(seconds):

    >>> from cvlib.stats.power import task_time_sample_size
    >>> task_time_sample_size(0.8, 0.5)
    80
    >>> task_time_sample_size(0.8, 0.5, paired=True)
    42
    """
    ratio = check_positive_finite(ratio, "ratio")
    sd_log = check_positive_finite(sd_log, "sd_log")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    power = check_power(power, confidence_level)
    _check_ratio_direction(ratio, alternative)
    effect = abs(math.log(ratio)) / sd_log
    n = solve(
        "paired" if paired else "ind",
        effect=effect,
        n=None,
        alpha=1.0 - confidence_level,
        power=power,
        alternative=alternative,
    )
    return round_up(n)


def task_time_mde(
    n,
    sd_log,
    *,
    power: float = 0.8,
    paired: bool = False,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> float:
    r"""Minimal detectable ratio of geometric mean task times for a sample size.

    Parameters
    ----------
    n : int
        Participants per group (unpaired) or pairs (paired), at least 2.
    sd_log : float
        Standard deviation of ln(seconds) within a group (unpaired) or of the
        log differences (paired), positive.
    power : float, optional
        Power to detect the returned ratio, in (``1 - confidence_level``, 1).
        Default 0.8.
    paired : bool, optional
        Paired design (``TTestPower``) instead of two groups (``TTestIndPower``).
    confidence_level : float, optional
        ``1 - alpha`` of the planned test. Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Planned alternative. ``"two-sided"`` and ``"less"`` return the faster
        ratio (below 1); ``"greater"`` the slower one (above 1).

    Returns
    -------
    float
        The ratio after / before detectable with probability ``power``:
        :math:`\exp(-d\,\text{sd\_log})` (faster) or :math:`\exp(d\,\text{sd\_log})`
        (``alternative="greater"``). For two-sided tests the slower ratio is
        its reciprocal.

    Raises
    ------
    TypeError
        If ``n`` is not an integer or a number is of the wrong type.
    ValueError
        If ``n < 2``, ``sd_log`` is not positive, ``power`` is out of range or
        an option is invalid.

    Notes
    -----
    Solves the power equation of :func:`task_time_sample_size` for the effect
    size :math:`d` at fixed :math:`n`, then converts back to a ratio,
    :math:`\text{ratio} = e^{\mp d \cdot \text{sd\_log}}`.

    References
    ----------
    .. [1] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed.). Lawrence Erlbaum Associates.
    .. [2] Seabold, S., & Perktold, J. (2010). statsmodels: econometric and
       statistical modeling with Python. *Proceedings of the 9th Python in
       Science Conference*, 92-96.

    Examples
    --------
    >>> from cvlib.stats.power import task_time_mde
    >>> round(task_time_mde(20, 0.5), 3)
    0.635
    >>> round(task_time_mde(20, 0.5, paired=True), 3)
    0.719
    """
    n = check_count(n, "n", minimum=MIN_N)
    sd_log = check_positive_finite(sd_log, "sd_log")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    power = check_power(power, confidence_level)
    effect = solve(
        "paired" if paired else "ind",
        effect=None,
        n=n,
        alpha=1.0 - confidence_level,
        power=power,
        alternative=alternative,
    )
    sign = 1.0 if alternative == "greater" else -1.0
    return math.exp(sign * effect * sd_log)


def _cohen_h(p_after: float, p_before: float) -> float:
    return 2.0 * math.asin(math.sqrt(p_after)) - 2.0 * math.asin(math.sqrt(p_before))


def proportion_sample_size(
    p_before,
    p_after,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> int:
    r"""Participants per group needed to detect a change between two proportions.

    Parameters
    ----------
    p_before : float
        Expected share before (for example the current completion rate), in [0, 1].
    p_after : float
        Share after to detect, in [0, 1] and different from ``p_before``.
    power : float, optional
        Probability of a significant result if the shares are as given, in
        (``1 - confidence_level``, 1). Default 0.8.
    confidence_level : float, optional
        ``1 - alpha`` of the planned test. Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Planned alternative (after compared to before); ``"greater"`` requires
        ``p_after > p_before``, ``"less"`` requires ``p_after < p_before``.

    Returns
    -------
    int
        Participants per group (two independent groups of equal size): the
        solution of the power equation rounded up to the next integer; never
        below 2.

    Raises
    ------
    TypeError
        If a number is of the wrong type.
    ValueError
        If a share is outside [0, 1], the shares are equal or point against
        ``alternative``, ``power`` is out of range, or an option is invalid.

    Notes
    -----
    Cohen's effect size :math:`h = 2\arcsin\sqrt{p_{after}} - 2\arcsin\sqrt{p_{before}}`.
    The arcsine transform makes the variance of each transformed share
    :math:`1/n` whatever the share, so with :math:`n` per group (statsmodels
    ``NormalIndPower``) the smallest :math:`n` with

    .. math::

        1 - \beta \le \Phi\bigl(|h|\sqrt{n/2} - z_{1-\alpha/2}\bigr)
                     + \Phi\bigl(-|h|\sqrt{n/2} - z_{1-\alpha/2}\bigr)

    (one tail and :math:`z_{1-\alpha}` for a one-sided test). The result is a
    normal approximation; the planned analysis (:func:`cvlib.stats.proportions.compare`)
    is the N-1 two-proportion test, which it matches closely.

    References
    ----------
    .. [1] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed., chapter 6). Lawrence Erlbaum Associates.
    .. [2] Seabold, S., & Perktold, J. (2010). statsmodels: econometric and
       statistical modeling with Python. *Proceedings of the 9th Python in
       Science Conference*, 92-96.

    Examples
    --------
    Completion rate from 70% to 85%:

    >>> from cvlib.stats.power import proportion_sample_size
    >>> proportion_sample_size(0.70, 0.85)
    119
    >>> proportion_sample_size(0.70, 0.85, alternative="greater")
    94
    """
    p_before = check_probability(p_before, "p_before")
    p_after = check_probability(p_after, "p_after")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    power = check_power(power, confidence_level)
    if p_after == p_before:
        raise ValueError(
            f"p_after must differ from p_before (no effect needs no sample), got both {p_after!r}"
        )
    if alternative == "greater" and p_after < p_before:
        raise ValueError(
            f"p_after must exceed p_before for alternative='greater', "
            f"got p_before={p_before!r}, p_after={p_after!r}"
        )
    if alternative == "less" and p_after > p_before:
        raise ValueError(
            f"p_after must be below p_before for alternative='less', "
            f"got p_before={p_before!r}, p_after={p_after!r}"
        )
    effect = abs(_cohen_h(p_after, p_before))
    n = solve(
        "normal",
        effect=effect,
        n=None,
        alpha=1.0 - confidence_level,
        power=power,
        alternative=alternative,
    )
    return round_up(n)


def proportion_mde(
    n,
    p_before,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
    direction: Literal["increase", "decrease"] | None = None,
) -> float:
    r"""Smallest (or largest) share after detectable with ``n`` per group.

    Parameters
    ----------
    n : int
        Participants per group, at least 2.
    p_before : float
        Expected share before, in [0, 1].
    power : float, optional
        Power to detect the returned share, in (``1 - confidence_level``, 1).
        Default 0.8.
    confidence_level : float, optional
        ``1 - alpha`` of the planned test. Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Planned alternative (after compared to before).
    direction : {"increase", "decrease"} or None, optional
        Which side to report. ``None`` (default) follows ``alternative``:
        ``"greater"`` and ``"two-sided"`` give an increase, ``"less"`` a
        decrease. A direction that contradicts a one-sided ``alternative``
        raises ``ValueError``.

    Returns
    -------
    float
        The share after, :math:`p_{after}`, detectable with probability
        ``power``. ``nan`` (with a warning) when no share in [0, 1] in that
        direction is detectable with ``n`` per group.

    Raises
    ------
    TypeError
        If ``n`` is not an integer or a number is of the wrong type.
    ValueError
        If ``n < 2``, ``p_before`` is outside [0, 1], ``power`` is out of
        range, or an option is invalid or contradicts ``alternative``.

    Warns
    -----
    CvlibWarning
        When the detectable change would take the share past 0 or 1; the
        result is then ``nan``.

    Notes
    -----
    Solves the power equation of :func:`proportion_sample_size` for :math:`h`
    at fixed :math:`n`, then inverts Cohen's h:
    :math:`p_{after} = \sin^2\bigl(\arcsin\sqrt{p_{before}} \pm h/2\bigr)`.

    References
    ----------
    .. [1] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed., chapter 6). Lawrence Erlbaum Associates.
    .. [2] Seabold, S., & Perktold, J. (2010). statsmodels: econometric and
       statistical modeling with Python. *Proceedings of the 9th Python in
       Science Conference*, 92-96.

    Examples
    --------
    >>> from cvlib.stats.power import proportion_mde
    >>> round(proportion_mde(50, 0.70), 3)
    0.913
    >>> round(proportion_mde(50, 0.70, direction="decrease"), 3)
    0.426
    """
    n = check_count(n, "n", minimum=MIN_N)
    p_before = check_probability(p_before, "p_before")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    power = check_power(power, confidence_level)
    if direction is None:
        direction = "decrease" if alternative == "less" else "increase"
    direction = check_choice(direction, "direction", ("increase", "decrease"))
    if (alternative, direction) in (("greater", "decrease"), ("less", "increase")):
        raise ValueError(f"direction={direction!r} contradicts alternative={alternative!r}")
    effect = solve(
        "normal",
        effect=None,
        n=n,
        alpha=1.0 - confidence_level,
        power=power,
        alternative=alternative,
    )
    angle = math.asin(math.sqrt(p_before)) + (effect if direction == "increase" else -effect) / 2
    if not 0.0 <= angle <= math.pi / 2:
        warnings.warn(
            f"with n={n} per group no share {'above' if direction == 'increase' else 'below'} "
            f"p_before={p_before!r} is detectable with power {power}; returning nan",
            CvlibWarning,
            stacklevel=2,
        )
        return math.nan
    return math.sin(angle) ** 2


def _check_target_direction(value: float, target: float, alternative: str, what: str) -> None:
    if value == target:
        raise ValueError(
            f"target must differ from the {what} (no difference needs no sample), "
            f"got both {target!r}"
        )
    if alternative == "greater" and value < target:
        raise ValueError(
            f"the {what} ({value!r}) must exceed target ({target!r}) for alternative='greater'"
        )
    if alternative == "less" and value > target:
        raise ValueError(
            f"the {what} ({value!r}) must be below target ({target!r}) for alternative='less'"
        )


def proportion_sample_size_vs_target(
    p,
    target,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> int:
    r"""Participants needed to tell a proportion from a fixed target.

    For a one-sample question such as "is the completion rate above the 80%
    target?", when the share is expected to be ``p``.

    Parameters
    ----------
    p : float
        Expected (or currently observed) share, in [0, 1].
    target : float
        The fixed share to compare with, in [0, 1], different from ``p``.
    power : float, optional
        Probability of a significant result if the share is ``p``, in
        (``1 - confidence_level``, 1). Default 0.8.
    confidence_level : float, optional
        ``1 - alpha`` of the planned test. Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Planned alternative (the share compared to ``target``); ``"greater"``
        requires ``p > target``, ``"less"`` requires ``p < target``.

    Returns
    -------
    int
        Total participants: the solution of the power equation rounded up;
        never below 2.

    Raises
    ------
    TypeError
        If a number is of the wrong type.
    ValueError
        If a share is outside [0, 1], ``p`` equals ``target`` or points against
        ``alternative``, ``power`` is out of range, or an option is invalid.

    Notes
    -----
    Cohen's :math:`h = 2\arcsin\sqrt{p} - 2\arcsin\sqrt{p_0}` with one sample
    (statsmodels ``NormalIndPower`` with ``ratio=0``): the smallest :math:`n`
    with :math:`1 - \beta \le \Phi(|h|\sqrt n - z_{1-\alpha/2}) +
    \Phi(-|h|\sqrt n - z_{1-\alpha/2})` (one tail and :math:`z_{1-\alpha}`
    one-sided); about :math:`((z_{1-\alpha/2} + z_{1-\beta})/h)^2`.

    References
    ----------
    .. [1] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed., chapter 6). Lawrence Erlbaum Associates.

    Examples
    --------
    >>> from cvlib.stats.power import proportion_sample_size_vs_target
    >>> proportion_sample_size_vs_target(0.75, 0.5, alternative="greater")
    23
    """
    p = check_probability(p, "p")
    target = check_probability(target, "target")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    power = check_power(power, confidence_level)
    _check_target_direction(p, target, alternative, "share p")
    n = solve(
        "normal1",
        effect=abs(_cohen_h(p, target)),
        n=None,
        alpha=1.0 - confidence_level,
        power=power,
        alternative=alternative,
    )
    return round_up(n)


def nps_sample_size_vs_target(
    estimate,
    target,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> int:
    r"""Respondents needed to tell an NPS from a fixed target.

    Parameters
    ----------
    estimate : NPSEstimate or tuple of 3 int
        The expected (or currently observed) NPS, as an
        :class:`~cvlib.stats.results.NPSEstimate` or a tuple
        ``(promoters, passives, detractors)``; the shares of promoters and
        detractors are taken from its counts.
    target : float
        The NPS to compare with, in points, in [-100, 100], different from the
        estimate's NPS.
    power : float, optional
        Probability of a significant result if the shares are as estimated,
        in (``1 - confidence_level``, 1). Default 0.8.
    confidence_level : float, optional
        ``1 - alpha`` of the planned test. Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Planned alternative (the NPS compared to ``target``).

    Returns
    -------
    int
        Total respondents: the solution of the power equation rounded up;
        never below 2.

    Raises
    ------
    TypeError
        If a number is of the wrong type.
    ValueError
        If the counts are invalid or all respondents are in one category (the
        per-respondent standard deviation is then 0), ``target`` is outside
        [-100, 100], equals the NPS or points against ``alternative``,
        ``power`` is out of range, or an option is invalid.

    Notes
    -----
    With promoter and detractor shares :math:`p` and :math:`d`, one response
    scored +1/0/-1 has standard deviation
    :math:`\sigma = \sqrt{p + d - (p - d)^2}` (the trinomial variance of
    :func:`cvlib.stats.nps.from_counts`), so the standardized effect is
    :math:`e = |(p - d) - \text{target}/100| / \sigma` and :math:`n` solves the
    one-sample normal power equation (statsmodels ``NormalIndPower`` with
    ``ratio=0``), about :math:`((z_{1-\alpha/2} + z_{1-\beta})/e)^2`.

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral
       Sciences* (2nd ed.). Lawrence Erlbaum Associates.

    Examples
    --------
    An NPS of 25 (20 promoters, 10 passives, 10 detractors) against a target of 10:

    >>> from cvlib.stats.power import nps_sample_size_vs_target
    >>> nps_sample_size_vs_target((20, 10, 10), 10)
    240
    """
    from cvlib.stats.nps import _as_counts

    promoters, passives, detractors = _as_counts(estimate, "estimate")
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise TypeError(f"target must be a number, got {type(target).__name__}")
    target = float(target)
    if not -100.0 <= target <= 100.0:
        raise ValueError(f"target must be in [-100, 100] NPS points, got {target!r}")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    power = check_power(power, confidence_level)
    n = promoters + passives + detractors
    p, d = promoters / n, detractors / n
    sd = math.sqrt(max(0.0, p + d - (p - d) ** 2))
    if sd == 0.0:
        raise ValueError(
            "estimate has all respondents in one category, so the NPS standard "
            "deviation is 0 and no sample size can be planned from it"
        )
    _check_target_direction(100.0 * (p - d), target, alternative, "NPS of estimate")
    effect = abs((p - d) - target / 100.0) / sd
    size = solve(
        "normal1",
        effect=effect,
        n=None,
        alpha=1.0 - confidence_level,
        power=power,
        alternative=alternative,
    )
    return round_up(size)
