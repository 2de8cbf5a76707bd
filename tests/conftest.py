"""Shared fixtures; the workspace files themselves are in workspace_files.py."""

import pytest
from workspace_files import write_workspace


@pytest.fixture
def workspace(tmp_path):
    """Build a workspace in a fresh folder: ``workspace(changes)`` -> path."""

    def build(changes=None):
        return write_workspace(tmp_path / "ws", changes)

    return build
