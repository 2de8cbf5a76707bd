"""summary.json follows its published JSON Schema (docs/schema/summary.schema.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from schemas import errors
from workspace_files import BASE, write_workspace

import cvlib
from cvlib.verdicts import SCHEMA_VERSION

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _json(evaluation) -> dict:
    return json.loads(json.dumps(evaluation.to_dict(), allow_nan=False))


@pytest.fixture(scope="module")
def summaries():
    ws = cvlib.load_workspace(SAMPLE)
    return {r: _json(cvlib.evaluate_release(ws, r)) for r in ws.releases["release_id"]}


# The sample declares no expected value, planned sample, margin or earlier report, so a
# small workspace adds them: an expected adoption (a plan, needed_n), a planned task study,
# a non-inferiority completion rate with its margin, and a second report of 2026.02 after
# the NPS target moved from 25 to 30 (definition_changes).
DESIGNED = (
    BASE["hypotheses.yaml"]
    .replace("    target: 0.33\n", "    target: 0.33\n    expected: 0.5\n")
    .replace("    target: 0.9\n", "    target: 0.9\n    kind: non_inferiority\n    margin: 0.05\n")
    .replace("    target: 120\n", "    target: 120\n    planned_n: 3\n")
)


@pytest.fixture(scope="module")
def designed(tmp_path_factory):
    root = tmp_path_factory.mktemp("schema")
    first = write_workspace(
        root / "first", {"hypotheses.yaml": DESIGNED.replace("target: 30\n", "target: 25\n")}
    )
    previous = _json(cvlib.evaluate_release(cvlib.load_workspace(first), "2026.02"))
    ws = cvlib.load_workspace(write_workspace(root / "now", {"hypotheses.yaml": DESIGNED}))
    return {
        "2026.01": _json(cvlib.evaluate_release(ws, "2026.01")),
        "2026.02": _json(cvlib.evaluate_release(ws, "2026.02", previous=previous)),
    }


def test_every_sample_summary_follows_the_schema(summaries, designed):
    assert len(summaries) == 8
    for release_id, summary in [*summaries.items(), *designed.items()]:
        assert errors("summary", summary) == [], release_id
        assert summary["schema_version"] == SCHEMA_VERSION


def test_the_summaries_use_every_part_of_the_schema(summaries, designed):
    # a schema test only shows something where the summaries hold each kind of value
    every = [*summaries.values(), *designed.values()]
    hypotheses = [h for s in every for h in s["hypotheses"]]
    assert any(h["change"] and "pairs_dropped" in h["change"] for h in hypotheses)
    assert any(h["economic_value"] for h in hypotheses)
    assert any(s["economic_value"] for s in every)
    assert any(h["economic_value"] and h["economic_value"]["method"] for h in hypotheses)
    assert {h["verdict"] for h in hypotheses} == {
        "validated",
        "not_validated",
        "inconclusive",
        "insufficient_data",
    }
    assert {h["kind"] for h in hypotheses} == {"level", "improvement", "non_inferiority"}
    # the claims: untested (null), a target alone (level), target, change and worse
    assert any(h["tests"] is None for h in hypotheses)
    assert any(h["tests"] and h["tests"]["change"] is None for h in hypotheses)
    assert any(h["tests"] and h["tests"]["worse"] for h in hypotheses)
    assert any(h["p_value"] is not None and h["p_value_adjusted"] is not None for h in hypotheses)
    assert any(h["sensitivity"] for h in hypotheses)
    assert any(h["dropped"] and h["dropped_what"] for h in hypotheses)
    assert any(h["planning_reason"] for h in hypotheses)
    assert any(s["p_value"] is not None for h in hypotheses for s in h["segments"])
    # only the designed workspace has these
    assert any(h["needed_n"] for h in hypotheses)
    assert any(h["expected"] is not None for h in hypotheses)
    assert any(h["planned_n"] is not None for h in hypotheses)
    assert any(h["margin"] is not None for h in hypotheses)
    assert any("window_days" in h["definition"] for h in hypotheses)
    changes = [c for h in hypotheses for c in h["definition_changes"]]
    assert changes == [{"key": "target", "registered": 25.0, "now": 30.0}]
    assert any(h["registered_definition"] != h["definition"] for h in hypotheses)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.pop("schema_version"), "'schema_version' is a required property"),
        (lambda s: s.update(extra=1), "Additional properties are not allowed"),
        (lambda s: s["hypotheses"][0].update(verdict="maybe"), "hypotheses/0/verdict"),
        (lambda s: s["hypotheses"][0].update(n=-1), "hypotheses/0/n"),
        (lambda s: s["scorecard"].pop("validated"), "'validated' is a required property"),
        (lambda s: s["economic_value"].pop("currency"), "economic_value: "),
        (lambda s: s.update(inputs_sha256="abc"), "inputs_sha256"),
        (lambda s: s.update(schema_version="1.0"), "schema_version"),
        (lambda s: s["hypotheses"][0]["change"].update(p_value_holm=0.1), "hypotheses/0/change"),
        (lambda s: s["hypotheses"][0].update(kind="better"), "hypotheses/0/kind"),
        (lambda s: s["hypotheses"][0].update(p_value_adjusted=1.5), "hypotheses/0/p_value_adj"),
        (lambda s: s["hypotheses"][0]["tests"]["target"].pop("question"), "hypotheses/0/tests"),
        (lambda s: s["hypotheses"][0]["multiplicity"].update(method="bonf"), "multiplicity/method"),
        (lambda s: s["hypotheses"][0]["segments"][0].update(exploratory=False), "exploratory"),
        (lambda s: s["hypotheses"][0].pop("definition"), "'definition' is a required property"),
        (lambda s: s["economic_value"].pop("method"), "economic_value: "),
    ],
    ids=[
        "no-version",
        "unknown-key",
        "bad-verdict",
        "negative-n",
        "scorecard-key",
        "no-currency",
        "hash",
        "version-1",
        "holm-is-gone",
        "bad-kind",
        "adjusted-above-1",
        "claim-key",
        "multiplicity-method",
        "segments-exploratory",
        "no-definition",
        "no-economic-method",
    ],
)
def test_the_schema_rejects_a_broken_summary(summaries, change, where):
    summary = copy.deepcopy(summaries["2026.02"])
    assert summary["economic_value"] is not None
    change(summary)
    found = errors("summary", summary)
    assert any(where in message for message in found), found
