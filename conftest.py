"""Test collection settings shared by tests/ and the doctests in cvlib/."""

collect_ignore = ["cvlib/__main__.py", "cvlib/report/worker.py"]
# the notebooks shipped in the package are the same files as notebooks/ (tests/test_package.py):
# nbval runs only those
collect_ignore_glob = ["cvlib/report/notebooks/*"]
