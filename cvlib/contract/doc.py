"""The column tables of ``docs/data-contract.md``, written from the table specs.

Each table's columns, from its :class:`~cvlib.contract.tables.TableSpec`, are
described between the markers ``<!-- columns: NAME -->`` and
``<!-- /columns -->``; ``python -m cvlib.contract.doc docs/data-contract.md``
rewrites them from the specs, and a test fails when the page and the specs
disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from cvlib import metrics
from cvlib.contract.tables import TABLES, ColumnSpec, TableSpec

__all__ = ["column_table", "describe_column", "rewrite"]

_BLOCK = re.compile(r"(<!-- columns: (\w+) -->\n)(.*?)(<!-- /columns -->)", re.DOTALL)


def describe_column(spec: TableSpec, column: ColumnSpec) -> str:
    """What the data contract says of one column.

    Examples
    --------
    >>> describe_column(TABLES["features"], TABLES["features"].column("release_id"))
    'a `release_id` listed in `releases.csv`'
    >>> describe_column(TABLES["accounts"], TABLES["accounts"].column("churned_on"))
    'date, on or after `started_on`, may be empty: empty means still a customer'
    """
    ref = spec.reference(column.name)
    if ref is not None:
        text = f"a `{column.name}` listed in `{ref.table}.csv`"
        if not column.value_required:
            text = f"may be empty, otherwise {text}"
    else:
        text = column.kind.doc
    if spec.key == column.name:
        text += ", unique"
    for rule in spec.not_before:
        if rule.later == column.name:
            text += f", on or after `{rule.earlier}`"
    for same in spec.consistent:
        if same.column == column.name:
            within = ", ".join(f"`{n}`" for n in same.within)
            text += f", the same in every row with the same {within} ({same.rule})"
    if column.required_if is not None:
        text += f"; **required when `{column.required_if.column}` is true**"
    elif not column.value_required and ref is None:
        text += ", may be empty"
    if column.required_by is not None:
        by = column.required_by
        text += f"; **required for a `{spec.key}` with {by.rows} in `{by.table}`**"
    if column.note:
        text += f": {column.note}"
    needed = [
        m.name
        for m in metrics.all_metrics()
        if m.table == spec.name and column.name in m.required_columns
    ]
    if needed:
        text += ". Required when a hypothesis uses " + ", ".join(f"`{n}`" for n in needed)
    if not column.required:
        text = "optional column; " + text
    return text


def column_table(spec: TableSpec) -> str:
    """The Markdown table of ``spec``'s columns."""
    rows = [f"| `{c.name}` | {describe_column(spec, c)} |" for c in spec.columns]
    return "\n".join(["| column | value |", "|---|---|", *rows]) + "\n"


def rewrite(text: str) -> str:
    """``text`` with every column block replaced by the table its marker names (``KeyError``
    for a table the contract does not have)."""
    return _BLOCK.sub(lambda m: m.group(1) + column_table(TABLES[m.group(2)]) + m.group(4), text)


def blocks(text: str) -> dict[str, str]:
    """Table -> the column block as ``text`` has it."""
    return {m.group(2): m.group(3) for m in _BLOCK.finditer(text)}


if __name__ == "__main__":  # pragma: no cover - python -m cvlib.contract.doc docs/data-contract.md
    path = Path(sys.argv[1])
    path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")
