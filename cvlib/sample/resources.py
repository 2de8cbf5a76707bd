"""The sample's data files (``cvlib/sample/data/*.yaml``), read as package data.

:func:`load` parses one file with ``yaml.safe_load``; :func:`build` makes one
record of a file into a frozen dataclass, checking its keys and the type of
each value first, so that a slip in a data file (an unquoted ``2026.10``,
which YAML reads as the number 2026.1) stops the generator with the file and
field named instead of changing the sample silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import numbers
import types
import typing
from importlib import resources

import yaml

__all__ = ["build", "load"]


def load(name: str):
    """The parsed content of the data file ``name`` (``"features.yaml"``, ...).

    >>> load("releases.yaml")["releases"][0]["released_on"]
    datetime.date(2025, 12, 2)
    """
    path = resources.files("cvlib.sample") / "data" / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build(cls, record, where: str):
    """``cls(**record)`` for a frozen dataclass ``cls``, after checking ``record``.

    Every key of ``record`` must be a field of ``cls``, every field without a
    default must be present, and every value must be of the field's type
    (``float`` fields take integers too, ``bool`` is not an integer, a
    ``tuple[float, float]`` field a tuple of two). ``where`` names the record in
    the error message (``"features.yaml: features[3]"``).

    Raises
    ------
    ValueError
        If ``record`` is not a mapping, has unknown or missing keys, or a value
        of the wrong type.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Release:
    ...     release_id: str
    ...     released_on: dt.date
    >>> build(Release, {"release_id": "2026.10", "released_on": dt.date(2026, 10, 1)}, "r[0]")
    Release(release_id='2026.10', released_on=datetime.date(2026, 10, 1))
    >>> build(Release, {"release_id": 2026.1, "released_on": dt.date(2026, 10, 1)}, "r[0]")
    Traceback (most recent call last):
    ...
    ValueError: r[0]: release_id: expected str, found 2026.1
    """
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a mapping, found {record!r}")
    fields = dataclasses.fields(cls)
    unknown = sorted(set(record) - {f.name for f in fields})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}")
    hints = typing.get_type_hints(cls)
    for field in fields:
        if field.name not in record:
            if field.default is dataclasses.MISSING:
                raise ValueError(f"{where}: {field.name}: missing")
            continue
        value = record[field.name]
        if not _is_a(value, hints[field.name]):
            expected = getattr(hints[field.name], "__name__", str(hints[field.name]))
            raise ValueError(f"{where}: {field.name}: expected {expected}, found {value!r}")
    return cls(**record)


def _is_a(value, hint) -> bool:
    if isinstance(hint, types.UnionType):
        return any(_is_a(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if typing.get_origin(hint) is tuple:
        kinds = typing.get_args(hint)
        return (
            isinstance(value, tuple)
            and len(value) == len(kinds)
            and all(_is_a(item, kind) for item, kind in zip(value, kinds, strict=True))
        )
    if isinstance(value, bool):
        return hint is bool
    if hint is float:
        return isinstance(value, numbers.Real)
    if hint is int:
        return isinstance(value, numbers.Integral)
    if hint is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, hint)
