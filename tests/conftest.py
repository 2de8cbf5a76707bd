"""Shared fixtures; the workspace files themselves are in workspace_files.py."""

import importlib.util
import os

import postgres as pg
import pytest
from workspace_files import write_workspace


@pytest.fixture
def workspace(tmp_path):
    """Build a workspace in a fresh folder: ``workspace(changes)`` -> path."""

    def build(changes=None):
        return write_workspace(tmp_path / "ws", changes)

    return build


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the whole run (tests/postgres.py's ``Cluster``).

    Skipped where PostgreSQL or psycopg is missing; under CI (``CI`` set and non-empty),
    where .ci/run and make test install both, that is a failure instead.
    """
    missing = []
    if pg.find_bin_dir() is None:
        missing.append("PostgreSQL is not installed (CI installs it)")
    if importlib.util.find_spec("psycopg") is None:
        missing.append("psycopg is not installed (the postgres extra; CI installs it)")
    if missing and os.environ.get("CI"):
        pytest.fail(f"{'; '.join(missing)}: under CI the PostgreSQL tests must run", pytrace=False)
    if missing:
        pytest.skip("; ".join(missing))
    with pg.cluster() as cluster:
        yield cluster
