"""``workspace.yaml``: the workspace's settings and where its event-scale tables live."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cvlib.contract.files import ABSENT, REGULAR, check_regular
from cvlib.contract.problems import Problems
from cvlib.contract.tables import STREAMED
from cvlib.contract.yamlfile import LineDict, describe, is_number, read_yaml, unknown_key, yaml_date
from cvlib.engine.sources import ENGINES

__all__ = [
    "MULTIPLICITY",
    "SOURCE_KINDS",
    "WORKSPACE_FILE",
    "DeclaredSource",
    "Settings",
    "read_settings",
]

WORKSPACE_FILE = "workspace.yaml"
SETTINGS_KEYS = (
    "product", "currency", "hourly_cost", "confidence_level", "timezone", "data_through",
    "multiplicity", "sources",
)  # fmt: skip
#: How the p-values of a release's hypotheses are adjusted for testing several at once.
MULTIPLICITY = ("holm", "bh", "none")
SOURCE_KINDS = ("csv", "parquet", "connection")
SOURCE_KEYS = (*STREAMED, "engine")


@dataclass(frozen=True, slots=True)
class Settings:
    """Workspace-wide settings from ``workspace.yaml`` (all optional).

    Attributes
    ----------
    product : str or None
    currency : str
        ISO currency code for money values (default ``USD``).
    hourly_cost : float or None
        Cost of one hour of a customer's time, for economic value.
    confidence_level : float
        Coverage of every interval in the reports (default 0.95).
    timezone : str
        IANA name in which dates and naive timestamps are read (default UTC).
    data_through : datetime.date or None
        The last complete day of data; ``None`` until resolved from the data.
    data_through_source : str
        ``workspace.yaml`` or ``latest date in the data``.
    multiplicity : {"holm", "bh", "none"}
        How the p-values of a release's hypotheses are adjusted for
        multiplicity: ``holm`` (default; Holm's step-down method, which
        controls the family-wise error rate), ``bh`` (Benjamini-Hochberg,
        the false discovery rate) or ``none``.
    """

    product: str | None = None
    currency: str = "USD"
    hourly_cost: float | None = None
    confidence_level: float = 0.95
    timezone: str = "UTC"
    data_through: dt.date | None = None
    data_through_source: str = "workspace.yaml"
    multiplicity: Literal["holm", "bh", "none"] = "holm"


@dataclass(frozen=True, slots=True)
class DeclaredSource:
    """A table's source as ``sources:`` declares it: its kind, path or URL, table, and line."""

    kind: str
    value: str
    table: str | None
    line: int | None


@dataclass
class ReadSettings:
    """What ``workspace.yaml`` holds: the settings, the declared sources and engine."""

    settings: Settings
    tz: ZoneInfo
    sources: dict = field(default_factory=dict)
    engine: str | None = None
    #: tables whose declaration in ``sources:`` is broken (reported): not looked for elsewhere
    broken: set = field(default_factory=set)


def read_settings(root, problems: Problems) -> ReadSettings:
    """Read ``root/workspace.yaml`` (absent: every default); problems go to ``problems``."""
    file = WORKSPACE_FILE
    path = root / file
    values = {}
    declared = ReadSettings(Settings(), ZoneInfo("UTC"))
    found = check_regular(path, file, problems)  # absent: every default
    if found not in (ABSENT, REGULAR):
        return declared
    if found == REGULAR:
        data = read_yaml(path, file, problems)
        if data is not None and not isinstance(data, dict):
            problems.add(file, 1, None, f"expected a mapping of settings, found {describe(data)}")
        if not isinstance(data, dict):
            data = LineDict()
            data.lines = {}
        lines = getattr(data, "lines", {})
        for key, value in data.items():
            line = lines.get(key)
            if key not in SETTINGS_KEYS:
                unknown_key(problems, file, line, key, SETTINGS_KEYS)
                continue
            if key == "sources":
                _sources_block(problems, file, line, value, declared)
                continue
            parsed = _setting(problems, file, line, key, value)
            if parsed is not None:
                values[key] = parsed
    settings = Settings(**values)
    tz = _zone(settings.timezone) or ZoneInfo("UTC")
    declared.settings, declared.tz = settings, tz
    return declared


def _zone(name: str) -> ZoneInfo | None:
    """The time zone ``name``, or ``None`` when it is not one.

    A name may also fail as a path of the tz database: a folder
    (``Europe``), a name too long for the file system.
    """
    if not 0 < len(name) <= 255:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _sources_block(problems, file, line, value, declared: ReadSettings) -> None:
    """Read ``sources:``: where the event-scale tables live, and the engine."""
    if value is None:
        return
    if not isinstance(value, dict):
        expected = f"expected a mapping of {', '.join(SOURCE_KEYS)}, found {describe(value)}"
        problems.add(file, line, "sources", expected)
        return
    lines = getattr(value, "lines", {})
    for key, spec in value.items():
        where = lines.get(key, line)
        column = f"sources.{key}"
        if key not in SOURCE_KEYS:
            hint = difflib.get_close_matches(str(key), SOURCE_KEYS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            message = f"expected one of the keys {', '.join(SOURCE_KEYS)}, found {key!r}{extra}"
            problems.add(file, where, "sources", message)
            continue
        if key == "engine":
            if spec not in ENGINES:
                problems.add(
                    file, where, column, f"expected one of {', '.join(ENGINES)}, found {spec!r}"
                )
            else:
                declared.engine = spec
            continue
        found = _source(problems, file, where, column, key, spec)
        if found is not None:
            declared.sources[key] = found
        else:
            declared.broken.add(key)


def _source(problems, file, where, column, key, spec) -> DeclaredSource | None:
    example = (
        f'{{parquet: "{key}/*.parquet"}}, {{csv: {key}.csv}} or {{connection: URL, table: NAME}}'
    )
    if not isinstance(spec, dict):
        problems.add(
            file, where, column, f"expected a mapping such as {example}, found {describe(spec)}"
        )
        return None
    spec_lines = getattr(spec, "lines", {})
    kinds = [k for k in SOURCE_KINDS if k in spec]
    unknown = [k for k in spec if k not in (*SOURCE_KINDS, "table")]
    if unknown:
        problems.add(
            file,
            spec_lines.get(unknown[0], where),
            column,
            "expected the keys csv, parquet or connection (and table with connection), "
            f"found {unknown[0]!r}",
        )
        return None
    if len(kinds) != 1:
        found = "none of them" if not kinds else " and ".join(kinds)
        problems.add(
            file,
            where,
            column,
            f"expected exactly one of csv, parquet or connection, found {found}",
        )
        return None
    kind = kinds[0]
    ok = True
    values = {}
    for k in (kind, "table"):
        if k not in spec:
            continue
        v = spec[k]
        k_line = spec_lines.get(k, where)
        if not isinstance(v, str) or not v.strip():
            problems.add(file, k_line, column, f"expected {k} to be text, found {describe(v)}")
            ok = False
            continue
        v = _substitute(problems, file, k_line, column, v.strip(), url=k == "connection")
        if v is None:
            ok = False
        values[k] = v
    if kind == "connection" and "table" not in spec:
        problems.add(
            file, where, column, "expected a table name with connection (table: NAME), found none"
        )
        ok = False
    elif kind != "connection" and "table" in spec:
        line = spec_lines.get("table", where)
        problems.add(
            file, line, column, f"expected table only with connection, found it with {kind}"
        )
        ok = False
    return DeclaredSource(kind, values[kind], values.get("table"), where) if ok else None


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _substitute(problems, file, line, column, text, *, url: bool = False):
    """Replace ``${NAME}`` from the environment; a missing variable is a problem.

    In a connection URL (``url``), a value put into the user or password part
    (``scheme://USER:PASSWORD@host``) is percent-encoded, so a password may
    hold any character (``@``, ``/``, ``#``, ``:``); elsewhere (a host, a path)
    values are put in as written.

    Examples
    --------
    >>> import os
    >>> os.environ["CVLIB_DOCTEST_PW"] = "p@ss/w#rd:1"
    >>> _substitute(None, "", 1, "", "postgres://me:${CVLIB_DOCTEST_PW}@db/x", url=True)
    'postgres://me:p%40ss%2Fw%23rd%3A1@db/x'
    """
    missing = [m.group(1) for m in _VARIABLE.finditer(text) if m.group(1) not in os.environ]
    if missing:
        name = missing[0]
        message = (
            f"expected the environment variable {name} to be set (used as ${{{name}}}), "
            "found it unset"
        )
        problems.add(file, line, column, message)
        return None
    if url and "://" in text:
        from urllib.parse import quote

        scheme, rest = text.split("://", 1)
        authority, slash, tail = rest.partition("/")
        if "@" in authority:
            userinfo, host = authority.rsplit("@", 1)
            userinfo = _VARIABLE.sub(lambda m: quote(os.environ[m.group(1)], safe=""), userinfo)
            rest = f"{userinfo}@{host}{slash}{tail}"
        return scheme + "://" + _VARIABLE.sub(lambda m: os.environ[m.group(1)], rest)
    return _VARIABLE.sub(lambda m: os.environ[m.group(1)], text)


def _setting(problems, file, line, key, value):
    def bad(message):
        problems.add(file, line, key, message)

    if value is None:
        return None
    if key in ("product", "currency"):
        if not isinstance(value, str) or not value.strip():
            return bad(f"expected text, found {value!r}")
        if key == "currency" and not (len(value) == 3 and value.isalpha() and value.isupper()):
            return bad(f"expected a 3-letter ISO currency code such as EUR, found {value!r}")
        return value
    if key == "hourly_cost":
        if not is_number(value) or value < 0:
            return bad(f"expected a number >= 0, found {value!r}")
        return float(value)
    if key == "confidence_level":
        if not is_number(value) or not 0.5 <= value <= 0.999:
            return bad(f"expected a number from 0.5 to 0.999, found {value!r}")
        return float(value)
    if key == "timezone":
        if not isinstance(value, str) or _zone(value) is None:
            return bad(f"expected an IANA time zone such as Europe/Berlin, found {describe(value)}")
        return str(value)
    if key == "data_through":
        return yaml_date(problems, file, line, key, value)
    if key == "multiplicity":
        if value not in MULTIPLICITY:
            # YAML reads no and off as false: the user most likely meant none
            text = "none" if value is False else value if isinstance(value, str) else ""
            hint = difflib.get_close_matches(text.strip().lower(), MULTIPLICITY, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            return bad(f"expected holm, bh or none, found {describe(value)}{extra}")
        return value
    return None  # pragma: no cover - keys are checked by the caller
