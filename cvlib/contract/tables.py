"""The tables of a workspace, each declared once as a :class:`TableSpec`.

Every check of a table is derived from its declaration: the line-by-line
reading of CSV files (:mod:`cvlib.contract.csvfile`), the engine's fast check
of a whole CSV file and its checks of Parquet files and database tables
(:mod:`cvlib.engine.checks`), the footer statistics of Parquet files, the
time columns whose latest day is the default ``data_through``, and the column
tables of ``docs/data-contract.md`` (:mod:`cvlib.contract.doc`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cvlib.contract import values as v
from cvlib.contract.csvfile import Column

__all__ = [
    "GROUPS",
    "PHASES",
    "STREAMED",
    "TABLES",
    "UNITS",
    "UNIT_OF_TABLE",
    "VALUE_TYPES",
    "ColumnSpec",
    "Consistent",
    "NotBefore",
    "Reference",
    "RequiredBy",
    "RequiredIf",
    "TableSpec",
]

VALUE_TYPES = ("functional", "efficiency", "experience", "economic", "risk_reduction", "social")
PHASES = ("before", "after")
#: What an exposure assigns to a feature's group: a user or an account.
UNITS = ("user", "account")
GROUPS = ("treatment", "holdout")
#: The unit a metric counts, by the table it reads (``MetricSpec.table``): a holdout
#: comparison compares the metric between groups of these units. Tables not here (task
#: studies) have no unit an exposure could assign.
UNIT_OF_TABLE = {"events": "user", "surveys": "user", "accounts": "account"}


@dataclass(frozen=True, slots=True)
class RequiredIf:
    """A value is required where the yes/no column ``column`` is true; ``expected`` says what."""

    column: str
    expected: str


@dataclass(frozen=True, slots=True)
class RequiredBy:
    """A value is required in the rows whose key rows of ``table`` reference, among the rows
    with ``column`` equal to ``value`` (``rows`` names them); ``expected`` says what."""

    table: str
    column: str
    value: str
    rows: str
    expected: str


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a table.

    Attributes
    ----------
    name : str
    kind : cvlib.contract.values.Kind
    required : bool
        Whether the column must be in the file (otherwise it may be left out).
    value_required : bool
        Whether every row needs a value (otherwise a value may be empty).
    required_if : RequiredIf or None
        A value is required in the rows where a yes/no column is true (and
        may be empty elsewhere).
    required_by : RequiredBy or None
        A value is required in the rows another table refers to in a way
        (and may be empty elsewhere).
    note : str
        What the value means, for the data contract.
    """

    name: str
    kind: v.Kind
    required: bool = True
    value_required: bool = True
    required_if: RequiredIf | None = None
    required_by: RequiredBy | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reference:
    """``column`` holds keys of ``table`` (or is empty where the column's value is optional)."""

    column: str
    table: str


@dataclass(frozen=True, slots=True)
class NotBefore:
    """The day in ``later``, where given, is not before the day in ``earlier``."""

    later: str
    earlier: str


@dataclass(frozen=True, slots=True)
class Consistent:
    """Rows with the same values in ``within`` have the same value in ``column``; ``rule``
    says so in words, for messages and the contract."""

    column: str
    within: tuple[str, ...]
    rule: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of the data contract.

    Attributes
    ----------
    name : str
        The table (the CSV file is ``<name>.csv``).
    columns : tuple of ColumnSpec
    key : str or None
        A column whose values must be unique.
    references : tuple of Reference
    not_before : tuple of NotBefore
    consistent : tuple of Consistent
    required : str
        Why every workspace has the table; empty when it is required only
        by the hypotheses that read it (or optional).
    streamed : bool
        An event-scale table: a CSV file, Parquet files or a database table,
        checked by the query engine and never loaded whole.
    min_rows : int
        Rows the table must have.
    description : str
        One sentence for the data contract.
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    key: str | None = None
    references: tuple[Reference, ...] = ()
    not_before: tuple[NotBefore, ...] = ()
    consistent: tuple[Consistent, ...] = ()
    required: str = ""
    streamed: bool = False
    min_rows: int = 0
    description: str = ""

    @property
    def file(self) -> str:
        """The CSV file name."""
        return f"{self.name}.csv"

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name`` (``KeyError`` if the table has none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """The declared columns' names, in declaration order."""
        return tuple(c.name for c in self.columns)

    @property
    def time_columns(self) -> tuple[str, ...]:
        """Columns holding instants or days, in declaration order."""
        return tuple(c.name for c in self.columns if c.kind.time)

    @property
    def instant_columns(self) -> tuple[str, ...]:
        """Columns holding instants (timestamps)."""
        return tuple(c.name for c in self.columns if c.kind.time == "instant")

    def reference(self, column: str) -> Reference | None:
        """The reference held by ``column``, if any."""
        return next((r for r in self.references if r.column == column), None)

    def readers(self, tz) -> list[Column]:
        """The columns as the CSV reader takes them, with naive times read in ``tz``."""
        return [
            Column(
                c.name, c.kind.parser(tz), c.required, c.value_required and c.required_if is None
            )
            for c in self.columns
        ]


_SEGMENT = ColumnSpec("segment", v.TEXT, required=False, value_required=False)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "releases",
            (
                ColumnSpec("release_id", v.ID),
                ColumnSpec("name", v.TEXT),
                ColumnSpec(
                    "released_on",
                    v.DATE,
                    note="the release takes effect at 00:00 of this day in the workspace time zone",
                ),
            ),
            key="release_id",
            required="every workspace lists its releases",
            min_rows=1,
        ),
        TableSpec(
            "features",
            (
                ColumnSpec("feature_id", v.ID),
                ColumnSpec("release_id", v.ID),
                ColumnSpec("name", v.TEXT),
                ColumnSpec("value_type", v.choice(VALUE_TYPES)),
                ColumnSpec("effort_points", v.NONNEGATIVE, required=False, value_required=False),
                ColumnSpec(
                    "holdout_share",
                    v.SHARE,
                    required=False,
                    value_required=False,
                    required_by=RequiredBy(
                        "exposures",
                        "group",
                        "holdout",
                        "holdout exposures",
                        "the share of the feature's units held out, a number > 0 and < 1",
                    ),
                    note="the share of units the feature was held back from, as planned",
                ),
            ),
            key="feature_id",
            references=(Reference("release_id", "releases"),),
            required="every workspace lists its features",
        ),
        TableSpec(
            "task_times",
            (
                ColumnSpec("release_id", v.ID),
                ColumnSpec("task", v.TEXT, note="the task name the hypotheses refer to (`task:`)"),
                ColumnSpec(
                    "participant_id",
                    v.ID,
                    note="the same participant in `before` and `after` makes a paired study",
                ),
                ColumnSpec("phase", v.choice(PHASES)),
                ColumnSpec(
                    "seconds",
                    v.POSITIVE,
                    required_if=RequiredIf(
                        "completed", "the task time in seconds (> 0) for a completed attempt"
                    ),
                    note="otherwise it may be empty (an attempt that did not complete)",
                ),
                ColumnSpec("completed", v.BOOL),
                ColumnSpec(
                    "errors",
                    v.COUNT,
                    required=False,
                    note="when the column is there every row needs a value",
                ),
                _SEGMENT,
                ColumnSpec(
                    "attempted_at",
                    v.TIMESTAMP,
                    required=False,
                    note="when the attempt started, which orders a participant's attempts; "
                    "when the column is there every row needs a value",
                ),
            ),
            references=(Reference("release_id", "releases"),),
            description="One row per attempt of a task by a participant in a usability study, "
            "before or after the release.",
        ),
        TableSpec(
            "events",
            (
                ColumnSpec("timestamp", v.TIMESTAMP),
                ColumnSpec("user_id", v.ID),
                ColumnSpec(
                    "event",
                    v.TEXT,
                    note="an event equal to a `feature_id` is a use of that feature",
                ),
                _SEGMENT,
            ),
            streamed=True,
            description="One row per product event.",
        ),
        TableSpec(
            "surveys",
            (
                ColumnSpec("response_id", v.ID),
                ColumnSpec("user_id", v.ID),
                ColumnSpec("submitted_at", v.TIMESTAMP),
                ColumnSpec("score", v.SCORE),
                ColumnSpec("comment", v.ANY_TEXT, required=False, value_required=False),
                ColumnSpec(
                    "feature_id",
                    v.ID,
                    required=False,
                    value_required=False,
                    note="the feature the comment is about",
                ),
                _SEGMENT,
            ),
            key="response_id",
            references=(Reference("feature_id", "features"),),
            streamed=True,
            description="One row per NPS survey response.",
        ),
        TableSpec(
            "accounts",
            (
                ColumnSpec("account_id", v.ID),
                ColumnSpec("started_on", v.DATE),
                ColumnSpec(
                    "churned_on", v.DATE, value_required=False, note="empty means still a customer"
                ),
                _SEGMENT,
                ColumnSpec("mrr", v.NONNEGATIVE, required=False, value_required=False),
            ),
            key="account_id",
            not_before=(NotBefore("churned_on", "started_on"),),
            streamed=True,
            description="One row per customer account.",
        ),
        TableSpec(
            "exposures",
            (
                ColumnSpec(
                    "unit_id",
                    v.ID,
                    note="a `user_id` (events, surveys) or an `account_id` (accounts)",
                ),
                ColumnSpec("unit", v.choice(UNITS)),
                ColumnSpec("feature_id", v.ID),
                ColumnSpec(
                    "group",
                    v.choice(GROUPS),
                    note="`treatment` got the feature, `holdout` was kept from it",
                ),
                ColumnSpec("assigned_at", v.TIMESTAMP, note="when the unit was assigned"),
            ),
            references=(Reference("feature_id", "features"),),
            consistent=(
                Consistent(
                    "group",
                    ("feature_id", "unit", "unit_id"),
                    "a unit is in one group of a feature",
                ),
                Consistent("unit", ("feature_id",), "a feature's exposures are all of one unit"),
            ),
            streamed=True,
            description="One row per unit (a user or an account) assigned to the treatment or "
            "the holdout group of a feature.",
        ),
        TableSpec(
            "tickets",
            (
                ColumnSpec("ticket_id", v.ID),
                ColumnSpec("created_at", v.TIMESTAMP),
                ColumnSpec("feature_id", v.ID, value_required=False),
                ColumnSpec("category", v.TEXT, value_required=False),
                ColumnSpec(
                    "text", v.TEXT, note="tickets often hold commas and line breaks, so quote it"
                ),
            ),
            key="ticket_id",
            references=(Reference("feature_id", "features"),),
            description="Support tickets, shown next to the feature they concern.",
        ),
    )
}

#: The event-scale tables, in contract order.
STREAMED = tuple(name for name, spec in TABLES.items() if spec.streamed)
