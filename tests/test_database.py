"""The process's DuckDB database: its memory limit (cvlib.engine.database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cvlib.engine import database

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

_SHOW = (
    "import warnings; warnings.simplefilter('default');"
    "from cvlib.engine import database as d;"
    "print(d.database().execute(\"SELECT current_setting('memory_limit')\").fetchone()[0]);"
    "print(d.default_memory_limit())"
)


def _limit(env_value):
    env = {"PATH": "/usr/bin:/bin", "CVLIB_CACHE_DIR": "off"}
    if env_value is not None:
        env["CVLIB_DUCKDB_MEMORY_LIMIT"] = env_value
    proc = subprocess.run(
        [sys.executable, "-c", _SHOW], capture_output=True, text=True, env=env, check=True
    )
    setting, default = proc.stdout.split("\n")[:2]
    return setting, default, proc.stderr


def _mib(setting: str) -> float:
    number, unit = setting.split()
    return float(number) * {"MiB": 1, "GiB": 1024, "TiB": 1 << 20}[unit]


def test_the_default_is_an_eighth_of_the_memory_at_least_2_gib():
    assert database.default_memory_limit(64 << 30) == "8192MiB"
    assert database.default_memory_limit(8 << 30) == "2048MiB"
    assert database.default_memory_limit(1 << 30) == "512MiB"  # at most half
    setting, default, err = _limit(None)
    assert err == ""
    # DuckDB shows the limit rounded (e.g. "2.9 GiB" for 3013MiB)
    assert _mib(setting) == pytest.approx(int(default.removesuffix("MiB")), rel=0.02)


def test_the_environment_sets_the_limit():
    setting, _, err = _limit("1536MiB")
    assert err == ""
    assert _mib(setting) == 1536  # shown as 1.5 GiB


def test_a_limit_duckdb_cannot_read_is_named_and_the_default_used():
    setting, default, err = _limit("lots")
    assert "CVLIB_DUCKDB_MEMORY_LIMIT: expected a size such as 8GB or 512MiB, found 'lots'" in err
    assert f"using {default}" in err
    assert "Traceback" not in err
    assert _mib(setting) == pytest.approx(int(default.removesuffix("MiB")), rel=0.02)


def _cgroups(tmp_path, lines, files):
    tmp_path.mkdir(parents=True, exist_ok=True)
    proc = tmp_path / "cgroup"
    proc.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    for name, value in files.items():
        path = tmp_path / "sys" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value + "\n", encoding="ascii")
    return database._cgroup_limit(str(proc), str(tmp_path / "sys"))


def test_the_lowest_limit_of_the_control_group_and_those_above_it(tmp_path):
    # cgroup v2, nested: the parent's limit is the lower one; "max" means none
    v2 = _cgroups(
        tmp_path / "v2",
        ["0::/user.slice/job.scope"],
        {
            "memory.max": "max",
            "user.slice/memory.max": str(6 << 30),
            "user.slice/job.scope/memory.max": "max",
        },
    )
    assert v2 == 6 << 30
    # cgroup v1: the memory controller's own hierarchy
    v1 = _cgroups(
        tmp_path / "v1",
        ["9:name=systemd:/", "4:memory:/docker/abc", "3:cpu,cpuacct:/docker/abc"],
        {
            "memory/memory.limit_in_bytes": "9223372036854771712",
            "memory/docker/abc/memory.limit_in_bytes": str(3 << 30),
        },
    )
    assert v1 == 3 << 30
    assert _cgroups(tmp_path / "none", ["1:cpu:/"], {}) is None
    assert database._cgroup_limit(str(tmp_path / "missing"), str(tmp_path)) is None


_RACE = """
import threading
from cvlib.engine import database as d
d.start_database()
found = []
threads = [threading.Thread(target=lambda: found.append(d.database())) for _ in range(4)]
for t in threads:
    t.start()
found.append(d.database())
for t in threads:
    t.join()
assert len({id(c) for c in found}) == 1, "one database for every thread"
con = found[0]
print(con.execute("SELECT current_setting('TimeZone')").fetchone()[0])
print(con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0])
"""


def test_a_database_made_ahead_is_the_one_every_thread_gets_and_is_set_up():
    # start_database makes it in a thread of its own while others may ask for it: all get the
    # same database, and none sees it before its settings are made
    env = {"PATH": "/usr/bin:/bin", "CVLIB_CACHE_DIR": "off"}
    proc = subprocess.run(
        [sys.executable, "-c", _RACE], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["UTC", "False"]
    assert proc.stderr == ""


def test_a_limit_duckdb_cannot_read_is_named_in_the_loading_thread():
    # with CVLIB_DUCKDB_MEMORY_LIMIT set the database is not made ahead, so its warning comes
    # from the caller's thread (load_workspace's), where the caller's filters apply
    script = (
        "import warnings, cvlib\n"
        "from cvlib.errors import CvlibWarning\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        f"    cvlib.load_workspace({str(SAMPLE)!r})\n"
        "print(sum('CVLIB_DUCKDB_MEMORY_LIMIT' in str(w.message) for w in seen))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "CVLIB_CACHE_DIR": "off", "CVLIB_DUCKDB_MEMORY_LIMIT": "lots"}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"
