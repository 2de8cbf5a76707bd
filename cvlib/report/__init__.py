"""Reports: the release notebook run by papermill, as self-contained HTML, one folder per release.

- :mod:`cvlib.report.runner`: ``cvlib report`` (:func:`~cvlib.report.runner.run_reports`):
  the scheduled-run behaviour (lock, atomic swap, skipping unchanged releases);
- :mod:`cvlib.report.worker`, :mod:`cvlib.report.kernel`: worker processes
  that build releases in turn, each in a warm kernel of this interpreter, with
  the packaged notebooks;
- :mod:`cvlib.report.html`: the HTML export;
- :mod:`cvlib.report.present`, :mod:`cvlib.report.portfolio`,
  :mod:`cvlib.report.plots`, :mod:`cvlib.report.labels`: what the notebooks
  show, from result objects (Jinja templates, charts);
- :mod:`cvlib.report.folders`: the report folder and :func:`write_summary`.

``import cvlib.report`` imports only :func:`write_summary` (what the release
notebook needs); the rest is imported where it is used.
"""

from cvlib.report.folders import write_summary

__all__ = ["write_summary"]
