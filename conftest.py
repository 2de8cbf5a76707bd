"""Test collection settings shared by tests/ and the doctests in cvlib/."""

collect_ignore = ["cvlib/__main__.py"]
