"""One grammar: every check derived from a value's Kind gives the same answer on tricky values.

The line-by-line parser is the reference (it names the line of a problem).
The DuckDB fast check of CSV files may doubt more (a doubted file is checked
line by line), but never vouches for a value the parser rejects; the rule for
values held as text in typed sources (Parquet, databases) is the only check
of those, so it must give exactly the parser's answer.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import duckdb
import pytest

from cvlib.contract import values
from cvlib.contract.values import ValueProblem

TRICKY = [
    # digits of other scripts, underscores, signs, decimal forms, non-finite values
    "５",
    "٣",
    "1_000",
    "+9",
    "-3",
    ".5",
    "5.",
    "1e3",
    "1E-2",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "0",
    "10",
    "11",
    "007",
    "12,5",
    "1,000",
    " 7 ",
    "",
    "1e999",
    # dates: years outside 1900..2199, impossible days, other separators
    "0000-01-01",
    "1899-12-31",
    "1900-01-01",
    "2199-12-31",
    "2200-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "2026-02-28",
    "2026/02/28",
    "２０２６-02-28",
    "26-02-28",
    # timestamps: offsets, far offsets, fractions, bare dates
    "2026-02-28T10:15:00Z",
    "2026-02-28T10:15:00+01:00",
    "2026-02-28T10:15:00+14:00",
    "2026-02-28T10:15:00+2400",
    "2026-02-28 10:15",
    "2026-02-28T25:00:00Z",
    "2026-02-28T10:15:00.123456789Z",
    "2199-12-31T23:59:59-12:00",
    "2200-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2026-02-28T10:15:00z",
    # choices: exact lower-case words only
    "holdout",
    "Holdout",
    " holdout ",
    "hold out",
    "user",
]

KINDS = [
    values.DATE,
    values.TIMESTAMP,
    values.SCORE,
    values.NONNEGATIVE,
    values.ID,
    values.choice(("treatment", "holdout")),
]


def _accepted(kind, text: str) -> bool:
    try:  # the CSV reader trims spaces around a value before parsing it
        kind.parser(ZoneInfo("Europe/Berlin"))(text.strip())
    except ValueProblem:
        return False
    return True


def _sql(condition: str, text: str) -> bool:
    con = duckdb.connect()
    try:
        return bool(con.execute(f"SELECT {condition} FROM (SELECT ? AS v)", [text]).fetchone()[0])
    except duckdb.Error:
        return True  # an engine error is a doubt: the file is checked line by line
    finally:
        con.close()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_fast_check_never_vouches_for_what_the_parser_rejects(kind):
    vouched_but_rejected = [
        t
        for t in TRICKY
        if t.strip() and not _sql(kind.csv_doubt("trim(v, ' ')", "v"), t) and not _accepted(kind, t)
    ]
    assert vouched_but_rejected == []


@pytest.mark.parametrize(
    "kind", [k for k in KINDS if k.text_rule is not None], ids=lambda k: k.name
)
def test_text_in_typed_sources_follows_the_parser(kind):
    rule, _message = kind.text_rule
    disagree = [
        t for t in TRICKY if t.strip() and _sql(rule("trim(v)"), t) == _accepted(kind, t.strip())
    ]
    assert disagree == []


@pytest.mark.parametrize(
    ("kind", "text", "accepted"),
    [
        (values.NONNEGATIVE, ".5", True),
        (values.NONNEGATIVE, "5.", True),
        (values.NONNEGATIVE, "1e3", True),
        (values.NONNEGATIVE, "+9", True),
        (values.NONNEGATIVE, "1_000", False),
        (values.NONNEGATIVE, "٣", False),
        (values.NONNEGATIVE, "nan", False),
        (values.NONNEGATIVE, "1e999", False),
        (values.SCORE, "５", False),
        (values.SCORE, "+9", True),
        (values.DATE, "1899-12-31", False),
        (values.DATE, "2199-12-31", True),
        (values.DATE, "２０２６-02-28", False),
        (values.TIMESTAMP, "0000-01-01T00:00:00Z", False),
        (values.SHARE, "0.5", True),
        (values.SHARE, "0", False),
        (values.SHARE, "1", False),
        (values.SHARE, "1e-3", True),
        (values.choice(("treatment", "holdout")), "holdout", True),
        (values.choice(("treatment", "holdout")), "Holdout", False),
    ],
)
def test_the_grammar(kind, text, accepted):
    # docs/data-contract.md, "Values": the regular expressions and the years 1900 to 2199
    assert _accepted(kind, text) is accepted
