"""summary.json follows its published JSON Schema (docs/schema/summary.schema.json)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from schemas import errors

import cvlib
from cvlib.verdicts import SCHEMA_VERSION

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def summaries():
    ws = cvlib.load_workspace(SAMPLE)
    return {
        r: json.loads(json.dumps(cvlib.evaluate_release(ws, r).to_dict()))
        for r in ws.releases["release_id"]
    }


def test_every_sample_summary_follows_the_schema(summaries):
    assert len(summaries) == 8
    for release_id, summary in summaries.items():
        assert errors("summary", summary) == [], release_id
        assert summary["schema_version"] == SCHEMA_VERSION


def test_the_sample_uses_every_part_of_the_schema(summaries):
    # a schema test only shows something where the summaries hold each kind of value
    hypotheses = [h for s in summaries.values() for h in s["hypotheses"]]
    assert any(h["change"] and "pairs_dropped" in h["change"] for h in hypotheses)
    assert any(h["economic_value"] for h in hypotheses)
    assert any(h["needed_n"] for h in hypotheses)
    assert any(s["economic_value"] for s in summaries.values())
    assert {h["verdict"] for h in hypotheses} == {
        "validated",
        "not_validated",
        "inconclusive",
        "insufficient_data",
    }


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
    ],
    ids=[
        "no-version",
        "unknown-key",
        "bad-verdict",
        "negative-n",
        "scorecard-key",
        "no-currency",
        "hash",
    ],
)
def test_the_schema_rejects_a_broken_summary(summaries, change, where):
    summary = copy.deepcopy(summaries["2026.02"])
    assert summary["economic_value"] is not None
    change(summary)
    found = errors("summary", summary)
    assert any(where in message for message in found), found
