"""The files a Parquet source reads, as listed by cvlib.engine.sources.Source.file_names.

The reference is DuckDB itself: the files ``read_parquet`` reads for the same
folder or glob (its ``filename`` column), so a listing that differs would
leave a file unchecked or fingerprint one that is never read.
"""

from __future__ import annotations

import os

import duckdb
import pytest

from cvlib.contract.tables import TABLES
from cvlib.engine.sources import Source


def _write(root, names):
    con = duckdb.connect()
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT 1 AS v) TO '{path}' (FORMAT parquet)")
    con.close()


def _read_by_duckdb(pattern: str) -> list[str]:
    rows = duckdb.sql(
        f"SELECT DISTINCT filename FROM read_parquet('{pattern}', filename = true)"
    ).fetchall()
    return sorted(row[0] for row in rows)


def _source(path) -> Source:
    return Source(TABLES["events"], "parquet", path, "events")


LAYOUT = [
    "top.parquet",
    "day=2026-01-01/part-0.parquet",
    "day=2026-01-02/part-0.parquet",
    "day=2026-01-02/.late.parquet",
    ".hidden/part-0.parquet",
    "a/b/c/deep.parquet",
]


def test_a_folder_lists_the_files_duckdb_reads_below_it(tmp_path):
    root = tmp_path / "events"
    _write(root, LAYOUT)
    (root / "a" / "notes.txt").write_text("not data", encoding="utf-8")
    (root / "a" / "b" / "empty").mkdir()
    listed = _source(root).file_names()
    assert listed == _read_by_duckdb(f"{root}/**/*.parquet")
    assert len(listed) == len(LAYOUT)
    assert _source(root).file_names() == listed


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX links")
def test_a_link_to_a_folder_above_is_not_followed_as_duckdb_does_not(tmp_path):
    root = tmp_path / "events"
    _write(root, LAYOUT[:3])
    os.symlink(root, root / "day=2026-01-01" / "again")  # a loop, were links followed
    (tmp_path / "more").mkdir()
    _write(tmp_path / "more", ["linked.parquet"])
    os.symlink(tmp_path / "more" / "linked.parquet", root / "linked.parquet")  # a linked file
    listed = _source(root).file_names()
    assert listed == _read_by_duckdb(f"{root}/**/*.parquet")
    assert str(root / "linked.parquet") in listed
    assert len(listed) == 4


def test_a_glob_lists_what_duckdb_reads_for_it(tmp_path):
    root = tmp_path / "events"
    _write(root, LAYOUT)
    pattern = f"{root}/day=*/*.parquet"
    assert _source(pattern).file_names() == _read_by_duckdb(pattern)
    assert len(_source(pattern).file_names()) == 3


def test_a_file_and_a_missing_path(tmp_path):
    _write(tmp_path, ["one.parquet"])
    assert _source(tmp_path / "one.parquet").file_names() == [str(tmp_path / "one.parquet")]
    assert _source(tmp_path / "none").file_names() == []
