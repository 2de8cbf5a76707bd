"""Test collection settings shared by tests/, the doctests in cvlib/ and the notebooks."""

import os
import shutil
import tempfile

# what the checks of a workspace found is remembered in a folder of the test run's own (every
# process the tests start, kernels included, inherits it), never in the user's ~/.cache
_CACHE = tempfile.mkdtemp(prefix="cvlib-test-cache-")
os.environ["CVLIB_CACHE_DIR"] = _CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)


collect_ignore = ["cvlib/__main__.py", "cvlib/report/worker.py"]
# the notebooks shipped in the package are the same files as notebooks/ (tests/test_package.py):
# nbval runs only those
collect_ignore_glob = ["cvlib/report/notebooks/*"]
