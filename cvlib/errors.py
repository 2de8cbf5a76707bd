"""Errors and warnings raised by cvlib.

A user's data mistake is reported as a :class:`DataError` carrying every
:class:`Problem` found in one pass, each naming the file, the physical line on
which the record starts, the column, what was expected and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CvlibWarning", "DataError", "Problem"]


class CvlibWarning(UserWarning):
    """A result is undefined or less reliable than usual (for example n < 2)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a workspace.

    Attributes
    ----------
    file : str
        Path of the file relative to the workspace (or the source's name).
    line : int or None
        Physical line (1-based, as an editor shows it) on which the record
        starts; ``None`` where the file has no lines (Parquet, a table) or the
        problem concerns the whole file.
    column : str or None
        Column (or YAML key) concerned, if any.
    message : str
        What was expected and what was found.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column:
            return f"{where}: {self.column}: {self.message}"
        return f"{where}: {self.message}"


class DataError(ValueError):
    """A workspace breaks the data contract.

    Parameters
    ----------
    problems : list of Problem
        Every problem found, in file and line order.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
