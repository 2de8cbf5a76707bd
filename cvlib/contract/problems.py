"""Collecting the problems of a workspace: every one at once, a bounded number per column."""

from __future__ import annotations

from dataclasses import dataclass, field

from cvlib.errors import Problem

__all__ = [
    "MAX_FOUND_CHARS",
    "MAX_PROBLEMS_PER_COLUMN",
    "MAX_PROBLEMS_PER_FILE",
    "Problems",
    "bounded",
    "in_file_order",
]

#: At most this many problems are listed per file and column; the rest are counted.
MAX_PROBLEMS_PER_COLUMN = 20
#: At most this many problems are listed per file.
MAX_PROBLEMS_PER_FILE = 200
#: At most this many problems are listed in all (so a report of them stays under 100 KB).
MAX_PROBLEMS = 200
#: A message quotes at most this many characters of the value found.
MAX_FOUND_CHARS = 200


def bounded(message: str) -> str:
    """``message`` with what it says was found cut to :data:`MAX_FOUND_CHARS` characters.

    Examples
    --------
    >>> bounded("expected a number, found '" + "9" * 500 + "'")[-6:]
    '99999…'
    >>> bounded("expected a number, found 'x'")
    "expected a number, found 'x'"
    """
    at = message.find("found ")
    if at < 0:
        return (
            message if len(message) <= 4 * MAX_FOUND_CHARS else message[: 4 * MAX_FOUND_CHARS] + "…"
        )
    at += len("found ")
    found = message[at:]
    if len(found) <= MAX_FOUND_CHARS:
        return message
    return message[:at] + found[:MAX_FOUND_CHARS] + "…"


@dataclass
class Problems:
    """Collects problems, listing at most MAX_PROBLEMS_PER_COLUMN per file and column and
    MAX_PROBLEMS_PER_FILE per file, each quoting a bounded part of the value found."""

    items: list[Problem] = field(default_factory=list)
    _counts: dict = field(default_factory=dict)
    _listed: dict = field(default_factory=dict)  # file -> problems listed
    _unlisted: dict = field(default_factory=dict)  # file -> problems over the file's bound

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        key = (file, column)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count > MAX_PROBLEMS_PER_COLUMN:
            return
        if self._listed.get(file, 0) >= MAX_PROBLEMS_PER_FILE or len(self.items) >= MAX_PROBLEMS:
            self._unlisted[file] = self._unlisted.get(file, 0) + 1
            return
        self._listed[file] = self._listed.get(file, 0) + 1
        self.items.append(Problem(file, line, column, bounded(message)))

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
        for file, count in self._unlisted.items():
            out.append(
                Problem(
                    file,
                    None,
                    None,
                    f"... and {count} more problems in this file (at most "
                    f"{MAX_PROBLEMS_PER_FILE} per file and {MAX_PROBLEMS} in all are listed)",
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
