"""The statistics layer: plain functions on summary statistics and raw values.

One module per family of methods, each with its method, assumptions and
references in its docstrings:

- :mod:`cvlib.stats.summary`: summaries (n, mean, variance) with a stable
  merge, Welch and one-sample t tests on them;
- :mod:`cvlib.stats.tasktime`: geometric means and ratios of task times (log scale);
- :mod:`cvlib.stats.rank`: Wilcoxon rank tests with the Hodges-Lehmann shift;
- :mod:`cvlib.stats.proportions`: intervals and comparisons of shares;
- :mod:`cvlib.stats.nps`: Net Promoter Scores, their intervals and comparisons;
- :mod:`cvlib.stats.power`: sample sizes and minimal detectable effects;
- :mod:`cvlib.stats.multiplicity`: Holm and Benjamini-Hochberg adjustments;
- :mod:`cvlib.stats.results`: the frozen result types (:class:`Estimate`,
  :class:`Comparison`, :class:`NPSEstimate`).

Nothing here knows a workspace, a metric or a verdict; the modules are
imported where they are used (``import cvlib.stats`` imports none of them).
"""
