"""The statistics layer: plain functions on summary statistics and raw values.

One module per family of methods, each with its method, assumptions and
references in its docstrings:

- :mod:`cvlib.stats.summary`: summaries (n, mean, variance) with a stable
  merge, Welch and one-sample t tests on them;
- :mod:`cvlib.stats.tasktime`: geometric means and ratios of task times (log
  scale), and tests against a target time or a null ratio;
- :mod:`cvlib.stats.rank`: Wilcoxon rank tests with the Hodges-Lehmann shift;
- :mod:`cvlib.stats.proportions`: intervals, comparisons and score tests of
  shares (:func:`~cvlib.stats.proportions.score_test`,
  :func:`~cvlib.stats.proportions.score_compare`, defined in
  :mod:`cvlib.stats.score`);
- :mod:`cvlib.stats.nps`: Net Promoter Scores, their intervals, comparisons and
  tests against a target;
- :mod:`cvlib.stats.power`: sample sizes and minimal detectable effects;
- :mod:`cvlib.stats.planning`: after-release samples a claim needs with the
  before sample fixed, and the power ceiling that fixing it leaves;
- :mod:`cvlib.stats.worstrank`: task times with failed attempts ranked worst
  (Lachin's worst-rank Wilcoxon-Mann-Whitney test, probabilistic index);
- :mod:`cvlib.stats.lognormal`: arithmetic means of log-normal times and
  their difference (generalized pivotal quantity intervals);
- :mod:`cvlib.stats.multiplicity`: Holm and Benjamini-Hochberg adjustments;
- :mod:`cvlib.stats.ratio`: the sample-ratio check of a randomised holdout
  (chi-square goodness of fit of the assigned counts to the planned shares);
- :mod:`cvlib.stats.timeseries`: interrupted time series (segmented
  regression on the pre-period with Newey-West errors, in-time placebos,
  merging of sparse periods);
- :mod:`cvlib.stats.results`: the frozen result types (:class:`Estimate`,
  :class:`Comparison`, :class:`NPSEstimate`, :class:`Test`).

The tests a verdict uses (``score_test``, ``score_compare``, the
``test_target`` functions and the ``null=`` of ``nps.compare`` and
``tasktime.compare``) are exact duals of the intervals the report draws: a
one-sided p-value is below :math:`(1 - \\text{level})/2` exactly when the
two-sided interval at that level excludes the null on that side.

Nothing here knows a workspace, a metric or a verdict; the modules are
imported where they are used (``import cvlib.stats`` imports none of them).
"""
