"""Collecting the problems of a workspace: every one at once, a bounded number per column."""

from __future__ import annotations

from dataclasses import dataclass, field

from cvlib.errors import Problem

__all__ = ["MAX_PROBLEMS_PER_COLUMN", "Problems", "in_file_order"]

#: At most this many problems are listed per file and column; the rest are counted.
MAX_PROBLEMS_PER_COLUMN = 20


@dataclass
class Problems:
    """Collects problems, listing at most MAX_PROBLEMS_PER_COLUMN per file and column."""

    items: list[Problem] = field(default_factory=list)
    _counts: dict = field(default_factory=dict)

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        key = (file, column)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= MAX_PROBLEMS_PER_COLUMN:
            self.items.append(Problem(file, line, column, message))

    def extend(self, problems) -> None:
        for p in problems:
            self.add(p.file, p.line, p.column, p.message)

    def finish(self) -> list[Problem]:
        """Return the problems, with one summary line per file and column that overflowed."""
        out = list(self.items)
        for (file, column), count in self._counts.items():
            if count > MAX_PROBLEMS_PER_COLUMN:
                out.append(
                    Problem(
                        file,
                        None,
                        column,
                        f"... and {count - MAX_PROBLEMS_PER_COLUMN} more rows with problems "
                        "in this column (the first ones are listed above)",
                    )
                )
        return out

    def __bool__(self) -> bool:
        return bool(self._counts)


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were first named), then by line."""
    order: dict[str, int] = {}
    for p in problems:
        order.setdefault(p.file, len(order))
    return sorted(problems, key=lambda p: (order[p.file], p.line if p.line is not None else 10**12))
