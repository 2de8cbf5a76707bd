"""The sample workspace: reproducible to the byte, and it keeps the promises of its README.

``data/sample/`` must be exactly what ``write_sample`` writes with the default
seed; the published summaries (``published/*/summary.json``, evaluated output)
to the last few bits of their floating-point numbers, which the linear algebra
library of the machine decides. If a numpy or pandas upgrade changes the
random stream or the CSV formatting, regenerate it in the same commit::

    .venv/bin/python -c "import cvlib.sample as s; s.write_sample('data/sample', overwrite=True)"
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cvlib import metrics, sample
from cvlib.sample import DEFAULT_SEED, write_sample

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
REGENERATE = "regenerate data/sample with write_sample('data/sample', overwrite=True)"

VALUE_TYPES = {"functional", "efficiency", "experience", "economic", "risk_reduction", "social"}
METRICS = set(metrics.names())  # the sample shows every registered metric
SEGMENTS = {"smb", "mid_market", "enterprise"}
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
TIMESTAMP_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?:\+\d{1,3}[ \d]{7,}|\(\d{3}\) \d{4} \d{4})")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path (``published/2026.08/summary.json``)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False)


def _hypotheses() -> list[dict]:
    return yaml.safe_load((SAMPLE / "hypotheses.yaml").read_text(encoding="utf-8"))["hypotheses"]


def _settings() -> dict:
    return yaml.safe_load((SAMPLE / "workspace.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A workspace written now with the default seed."""
    return write_sample(tmp_path_factory.mktemp("fresh") / "sample")


# -- reproducibility ------------------------------------------------------------------------------


def _same(a, b) -> bool:
    """Equal JSON values, floats to a relative 1e-9 (an evaluation's last bits vary by BLAS)."""
    if isinstance(a, float) or isinstance(b, float):
        both = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))
        return both and math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _evaluated(name: str) -> bool:
    return name.startswith("published/") and name.endswith(".json")


def test_committed_sample_is_what_write_sample_writes(fresh):
    committed, regenerated = _files(SAMPLE), _files(fresh)
    assert sorted(committed) == sorted(regenerated), REGENERATE
    differing = [
        name
        for name in committed
        if committed[name] != regenerated[name]
        and not (
            _evaluated(name) and _same(json.loads(committed[name]), json.loads(regenerated[name]))
        )
    ]
    assert differing == [], f"{', '.join(differing)} differ: {REGENERATE}"


def test_the_evaluated_files_compare_to_their_last_bits_only():
    assert _same(
        {"p": 1.1741996810423309e-08, "n": [1, "a"]}, {"p": 1.1741996810414244e-08, "n": [1, "a"]}
    )
    assert not _same({"p": 1.17419968e-08}, {"p": 1.17419969e-08})
    assert not _same({"n": 1}, {"n": 1.0000001}) and not _same({"n": True}, {"n": 1.0})
    assert not _same({"a": 1.0}, {"b": 1.0}) and not _same([1.0], [1.0, 2.0])


def test_same_seed_gives_the_same_bytes_twice(fresh, tmp_path):
    again = write_sample(tmp_path / "again", seed=DEFAULT_SEED)
    assert _files(again) == _files(fresh)


def test_another_seed_gives_other_data(fresh, tmp_path):
    other = _files(write_sample(tmp_path / "other", seed=7))
    first = _files(fresh)
    for name in ("task_times.csv", "events.csv", "surveys.csv", "accounts.csv", "tickets.csv"):
        assert other[name] != first[name], name
    # The design does not depend on the seed.
    for name in ("releases.csv", "features.csv", "hypotheses.yaml", "workspace.yaml"):
        assert other[name] == first[name], name
    assert "seed 7 (the default is 20261122)" in other["README.md"].decode()


def test_csv_files_use_lf_line_endings_and_utf8():
    for path in SAMPLE.glob("*.csv"):
        data = path.read_bytes()
        assert b"\r\n" not in data, path.name
        data.decode("utf-8")  # raises if not UTF-8


def test_events_file_stays_small():
    assert (SAMPLE / "events.csv").stat().st_size < 8_000_000


# -- writing the folder ---------------------------------------------------------------------------


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty.*overwrite=True"):
        write_sample(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_refuses_a_file(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a folder"):
        write_sample(target, overwrite=True)


def test_overwrite_replaces_the_folder_and_leaves_no_temporary_folder(fresh, tmp_path):
    target = tmp_path / "ws"
    target.mkdir()
    (target / "stale.csv").write_text("old", encoding="utf-8")
    assert write_sample(target, overwrite=True) == target
    assert _files(target) == _files(fresh)
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]


def test_an_interrupted_run_keeps_the_old_folder(tmp_path, monkeypatch):
    target = tmp_path / "ws"
    target.mkdir()
    (target / "mine.csv").write_text("old", encoding="utf-8")

    def fail(folder, seed, events=None):
        (folder / "half.csv").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(sample, "_write_workspace", fail)
    with pytest.raises(KeyboardInterrupt):
        write_sample(target, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]
    assert [p.name for p in target.iterdir()] == ["mine.csv"]


def test_refuses_a_symbolic_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(FileExistsError, match="symbolic link"):
        write_sample(tmp_path / "link", overwrite=True)


def test_writes_into_an_empty_folder_and_creates_parents(tmp_path):
    (tmp_path / "empty").mkdir()
    assert sorted(p.name for p in write_sample(tmp_path / "empty").iterdir()) == sorted(
        p.name for p in SAMPLE.iterdir()
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"out_dir": 3}, TypeError, "out_dir must be a path"),
        ({"out_dir": "x", "seed": 1.5}, TypeError, "seed must be an integer, got 1.5"),
        ({"out_dir": "x", "seed": True}, TypeError, "seed must be an integer"),
        ({"out_dir": "x", "seed": -1}, ValueError, "seed must be >= 0, got -1"),
        ({"out_dir": "x", "overwrite": "yes"}, TypeError, "overwrite must be True or False"),
        ({"out_dir": "x", "events": 1.5}, TypeError, "events must be an integer or None, got 1.5"),
        ({"out_dir": "x", "events": True}, TypeError, "events must be an integer or None"),
        ({"out_dir": "x", "events": 0}, ValueError, "events must be >= 1, got 0"),
    ],
)
def test_bad_arguments(tmp_path, monkeypatch, kwargs, error, match):
    monkeypatch.chdir(tmp_path)
    out_dir = kwargs.pop("out_dir")
    with pytest.raises(error, match=match):
        write_sample(out_dir, **kwargs)
    assert list(tmp_path.iterdir()) == []


# -- the promises the sample makes ----------------------------------------------------------------


def test_settings_fix_the_data_through_date():
    settings = _settings()
    keys = ["product", "currency", "hourly_cost", "confidence_level", "timezone", "data_through"]
    assert list(settings) == keys
    assert settings["data_through"] == dt.date(2026, 11, 20)
    assert settings["confidence_level"] == 0.95
    assert settings["timezone"] == "Europe/Berlin"


def test_at_least_six_releases_over_a_year():
    releases = _csv("releases.csv")
    dates = pd.to_datetime(releases["released_on"])
    assert len(releases) >= 6
    assert (dates.max() - dates.min()).days >= 330
    assert dates.is_monotonic_increasing


def test_features_cover_all_value_types_with_effort():
    features = _csv("features.csv")
    assert len(features) >= 18
    assert set(features["value_type"]) == VALUE_TYPES
    assert set(features["release_id"]) <= set(_csv("releases.csv")["release_id"])
    assert (features["effort_points"].astype(float) >= 0).all()


def test_ids_obey_the_contract():
    columns = {
        "releases.csv": ["release_id"],
        "features.csv": ["feature_id", "release_id"],
        "task_times.csv": ["release_id", "participant_id"],
        "accounts.csv": ["account_id"],
        "surveys.csv": ["response_id", "user_id"],
        "tickets.csv": ["ticket_id"],
    }
    for name, cols in columns.items():
        table = _csv(name)
        for col in cols:
            bad = table.loc[~table[col].str.fullmatch(ID), col]
            assert bad.empty, f"{name}: {col}: {bad.head().tolist()}"
    assert all(ID.fullmatch(h["id"]) for h in _hypotheses())


def test_hypotheses_use_every_metric_and_one_paired_study():
    hypotheses = _hypotheses()
    assert {h["metric"] for h in hypotheses} == METRICS
    assert [h["design"] for h in hypotheses if h.get("design") == "paired"] == ["paired"]
    assert all(h["metric"] == "task_time" for h in hypotheses if "design" in h)
    assert all("tasks_per_month" in h for h in hypotheses if h["metric"] == "task_time")
    assert len({h["id"] for h in hypotheses}) == len(hypotheses)


def test_a_feature_has_no_hypothesis():
    with_hypothesis = {h["feature_id"] for h in _hypotheses()}
    assert set(_csv("features.csv")["feature_id"]) - with_hypothesis


def test_a_hypothesis_was_written_after_its_release():
    features = _csv("features.csv").set_index("feature_id")["release_id"]
    released = _csv("releases.csv").set_index("release_id")["released_on"]
    late = [
        h["id"]
        for h in _hypotheses()
        if "created_on" in h
        and h["created_on"] > dt.date.fromisoformat(released[features[h["feature_id"]]])
    ]
    assert late == ["H-referral-adoption"]


def test_three_segments_everywhere():
    for name in ("task_times.csv", "events.csv", "surveys.csv", "accounts.csv"):
        assert set(_csv(name)["segment"]) == SEGMENTS, name


def test_several_hundred_task_attempts_with_failures_and_repeats():
    tasks = _csv("task_times.csv")
    assert 300 <= len(tasks) <= 2000
    assert set(tasks["phase"]) == {"before", "after"}
    assert set(tasks["completed"]) == {"true", "false"}
    completed = tasks["completed"] == "true"
    assert (tasks.loc[completed, "seconds"].astype(float) > 0).all()
    failed = tasks.loc[~completed, "seconds"]
    assert (failed == "").any() and (failed != "").any()  # failed with and without a time
    assert tasks.loc[tasks["seconds"] != "", "seconds"].str.fullmatch(r"\d+\.\d").all()
    attempts = tasks.groupby(["release_id", "task", "phase", "participant_id"]).size()
    assert (attempts > 1).sum() >= 3  # a few participants tried twice
    assert (tasks["errors"].astype(int) >= 0).all()


def test_the_paired_study_has_the_same_participants_but_one_dropout():
    paired = next(h for h in _hypotheses() if h.get("design") == "paired")
    tasks = _csv("task_times.csv")
    study = tasks[tasks["task"] == paired["task"]]
    before = set(study.loc[study["phase"] == "before", "participant_id"])
    after = set(study.loc[study["phase"] == "after", "participant_id"])
    assert after < before and len(before - after) == 1


def test_one_hypothesis_has_too_little_data():
    tasks = _csv("task_times.csv")
    vat = tasks[(tasks["task"] == "file-vat-return") & (tasks["phase"] == "after")]
    assert len(vat) == 3


def test_tens_of_thousands_of_events_named_by_feature():
    events = _csv("events.csv")
    assert len(events) >= 10_000
    assert events["timestamp"].str.fullmatch(TIMESTAMP_Z).all()
    assert events["timestamp"].is_monotonic_increasing
    assert {"login", "view_dashboard"} <= set(events["event"])
    features = set(_csv("features.csv")["feature_id"])
    assert {h["feature_id"] for h in _hypotheses() if h["metric"] == "adoption"} <= set(
        events["event"]
    )
    assert set(events["event"]) & features
    last = pd.to_datetime(events["timestamp"]).max().tz_convert("Europe/Berlin").date()
    assert last == _settings()["data_through"]


def test_no_feature_is_used_before_its_release():
    events = _csv("events.csv")
    features = _csv("features.csv").merge(_csv("releases.csv"), on="release_id")
    used = events.merge(features, left_on="event", right_on="feature_id")
    local_day = (
        pd.to_datetime(used["timestamp"]).dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m-%d")
    )
    assert (local_day >= used["released_on"]).all()


def test_survey_responses_with_comments_some_about_features():
    surveys = _csv("surveys.csv")
    assert surveys["submitted_at"].str.fullmatch(TIMESTAMP_Z).all()
    scores = surveys["score"].astype(int)
    assert scores.between(0, 10).all() and scores.nunique() == 11
    commented = surveys["comment"] != ""
    assert 0.1 < commented.mean() < 0.5  # many empty
    tied = surveys["feature_id"] != ""
    assert tied.sum() >= 100 and (commented | ~tied).all()
    assert set(surveys.loc[tied, "feature_id"]) <= set(_csv("features.csv")["feature_id"])


def test_accounts_churn_after_they_start():
    accounts = _csv("accounts.csv")
    churned = accounts[accounts["churned_on"] != ""]
    assert 0 < len(churned) < len(accounts)
    assert (churned["churned_on"] >= churned["started_on"]).all()
    assert (accounts["mrr"].astype(int) > 0).all()
    assert (
        accounts["started_on"].max() <= "2026-11-20" and churned["churned_on"].max() <= "2026-11-20"
    )


def test_tickets_have_realistic_text_some_with_contact_details():
    tickets = _csv("tickets.csv")
    assert len(tickets) >= 100
    assert tickets["created_at"].str.fullmatch(TIMESTAMP_Z).all()
    assert tickets["text"].str.contains(EMAIL).sum() >= 1
    assert tickets["text"].str.contains(PHONE).sum() >= 1
    assert tickets["text"].str.contains("\n").any()  # multi-line fields, quoted
    known = set(_csv("features.csv")["feature_id"]) | {""}
    assert set(tickets["feature_id"]) <= known


def test_the_latest_release_window_is_not_complete():
    latest = dt.date.fromisoformat(_csv("releases.csv")["released_on"].max())
    through = _settings()["data_through"]
    assert latest <= through < latest + dt.timedelta(days=29)
    latest_features = set(_csv("features.csv").query("release_id == '2026.11'")["feature_id"])
    latest = [h for h in _hypotheses() if h["feature_id"] in latest_features]
    windowed = {h["metric"] for h in latest if "planned_n" not in h}
    assert windowed and windowed <= {"adoption", "feature_retention", "nps", "churn"}
    # a task study there is still collecting its planned participants
    assert [h["id"] for h in latest if "planned_n" in h] == ["H-assistant-answers"]


def test_readme_states_every_hypothesis_and_its_intended_verdict():
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    verdicts = ("validated", "not_validated", "inconclusive", "insufficient_data")
    for h in _hypotheses():
        row = next(line for line in readme.splitlines() if line.startswith(f"| {h['id']} |"))
        assert any(f"**{v}**" in row for v in verdicts), row
    for v in verdicts:
        assert f"**{v}**" in readme


# -- the large variant: write_sample(..., events=N), cvlib sample OUT --events N -------------------

MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 12)]


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """A large-variant workspace with 5,000 events."""
    return write_sample(tmp_path_factory.mktemp("large") / "sample", events=5000)


def _event_files(folder: Path) -> list[Path]:
    return sorted((folder / "events").glob("*/*.parquet"))


def test_events_are_parquet_partitioned_by_month(large):
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = {p.name for p in large.iterdir()}
    assert names == ({p.name for p in SAMPLE.iterdir()} - {"events.csv"}) | {"events"}
    files = _event_files(large)
    assert [p.relative_to(large).as_posix() for p in files] == [
        f"events/month={m}/part-0.parquet" for m in MONTHS
    ]
    rows = 0
    for path in files:
        table = pq.read_table(path)
        assert table.schema.names == ["timestamp", "user_id", "event", "segment"]
        assert table.schema.field("timestamp").type == pa.timestamp("ms", tz="UTC")
        for name in ("user_id", "event", "segment"):
            assert pa.types.is_dictionary(table.schema.field(name).type), name
        month = path.parent.name.removeprefix("month=")
        stamps = table.column("timestamp").to_pandas()
        assert (stamps.dt.strftime("%Y-%m") == month).all(), path
        assert stamps.is_monotonic_increasing, path
        rows += table.num_rows
    assert rows == 5000


@pytest.mark.parametrize("n", [1, 4999, 20_000])
def test_exactly_n_events(tmp_path, n):
    import pyarrow.parquet as pq

    folder = write_sample(tmp_path / "s", events=n)
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in _event_files(folder)) == n


def test_events_follow_the_contract(large):
    events = pd.read_parquet(large / "events", columns=["timestamp", "user_id", "event", "segment"])
    assert events["user_id"].astype(str).str.fullmatch(ID).all()
    assert set(events["segment"].astype(str)) == SEGMENTS
    names = {
        "login",
        "view_dashboard",
        "view_invoices",
        "create_invoice",
        "search",
        "open_settings",
    }
    assert set(events["event"].astype(str)) <= names | set(_csv("features.csv")["feature_id"])
    assert events["timestamp"].min() >= pd.Timestamp("2025-11-01", tz="Europe/Berlin")
    assert events["timestamp"].max() < pd.Timestamp("2026-11-21", tz="Europe/Berlin")
    # one segment per user, as in the default sample
    assert (events.groupby("user_id", observed=True)["segment"].nunique() == 1).all()


def test_large_variant_declares_the_events_source_and_keeps_every_other_file(large):
    settings = yaml.safe_load((large / "workspace.yaml").read_text(encoding="utf-8"))
    assert settings.pop("sources") == {"events": {"parquet": "events/*/*.parquet"}}
    assert settings == _settings()
    for name in (
        "releases.csv",
        "features.csv",
        "hypotheses.yaml",
        "task_times.csv",
        "surveys.csv",
        "accounts.csv",
        "tickets.csv",
    ):
        assert (large / name).read_bytes() == (SAMPLE / name).read_bytes(), name
    readme = (large / "README.md").read_text(encoding="utf-8")
    assert "`cvlib sample OUT --events 5000`" in readme
    assert "| `events/month=YYYY-MM/part-0.parquet` | 5,000 |" in readme


def test_large_variant_is_reproducible_and_depends_on_the_seed(large, tmp_path):
    again = write_sample(tmp_path / "again", events=5000)
    first = [p.read_bytes() for p in _event_files(large)]
    assert [p.read_bytes() for p in _event_files(again)] == first

    def files(folder):
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

    assert files(again) == files(large)
    other = write_sample(tmp_path / "other", seed=7, events=5000)
    assert [p.read_bytes() for p in _event_files(other)] != first


def test_large_variant_keeps_the_designed_adoption_shares(tmp_path):
    # About 4,500 users. H-approvals-adoption: 38% / 52% / 58% of the smb / mid-market /
    # enterprise users active in the 30 days from 2026-02-03 (Europe/Berlin) use approval flows;
    # drawn per user, so each share must be within 4 standard errors of the design.
    folder = write_sample(tmp_path / "s", events=300_000)
    events = pd.read_parquet(
        folder / "events", columns=["timestamp", "user_id", "event", "segment"]
    )
    start = pd.Timestamp("2026-02-03", tz="Europe/Berlin")
    window = events[
        (events["timestamp"] >= start) & (events["timestamp"] < start + pd.Timedelta(days=30))
    ]
    per_user = (
        window.assign(adopted=window["event"] == "F-approval-flows")
        .groupby("user_id", observed=True)
        .agg(segment=("segment", "first"), adopted=("adopted", "any"))
    )
    for segment, share in {"smb": 0.38, "mid_market": 0.52, "enterprise": 0.58}.items():
        adopted = per_user.loc[per_user["segment"] == segment, "adopted"]
        assert len(adopted) > 300, segment
        se = (share * (1 - share) / len(adopted)) ** 0.5
        assert abs(adopted.mean() - share) < 4 * se, (segment, adopted.mean(), len(adopted))


def test_cli_sample_events(tmp_path, capsys):
    from cvlib.cli import main

    assert main(["sample", str(tmp_path / "big"), "--events", "2000"]) == 0
    assert "with 2,000 events (Parquet)" in capsys.readouterr().out
    assert len(_event_files(tmp_path / "big")) >= 1
    assert main(["sample", str(tmp_path / "bad"), "--events", "0"]) == 2
    assert "events must be >= 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_large_variant_is_a_valid_workspace(large):
    from cvlib import load_workspace

    workspace = load_workspace(large)
    assert workspace.sources["events"].kind == "parquet"
    assert "events 5,000," in workspace.summary_line()
