"""The sample's texts: survey comments, support tickets, contact details, the README's file table.

Read once on import from the data files ``comments.yaml``, ``tickets.yaml``,
``contacts.yaml`` and ``files.yaml`` (package data under
``cvlib/sample/data/``). The generators draw texts by position, so the order of
every list is part of the sample: reordering a data file changes the
generated data.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvlib.sample.plan import FEATURES
from cvlib.sample.resources import build, load

__all__ = [
    "FEATURE_COMMENTS",
    "FEATURE_TICKETS",
    "FILE_DESCRIPTIONS",
    "FIRST_NAMES",
    "GENERIC_COMMENTS",
    "GENERIC_TICKETS",
    "KINDS",
    "LAST_NAMES",
    "MAIL_DOMAINS",
    "PHONES",
    "TicketText",
]

#: The kinds of survey respondent: scores 9-10, 7-8 and 0-6.
KINDS = ("promoter", "passive", "detractor")


@dataclass(frozen=True, slots=True)
class TicketText:
    category: str
    text: str


def _strings(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}: expected a list of texts, found {value!r}")
    return tuple(value)


def _by_kind(value, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not set(value) <= set(KINDS):
        raise ValueError(f"{where}: expected texts under {', '.join(KINDS)}, found {value!r}")
    return {kind: _strings(texts, f"{where}: {kind}") for kind, texts in value.items()}


def _tickets(value, where: str) -> tuple[TicketText, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list of tickets, found {value!r}")
    return tuple(build(TicketText, item, f"{where}[{i}]") for i, item in enumerate(value))


def _per_feature(value, where: str, read) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected texts per feature, found {value!r}")
    known = {f.feature_id for f in FEATURES}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"{where}: {unknown[0]}: not a feature of features.yaml")
    return {
        feature_id: read(texts, f"{where}: {feature_id}") for feature_id, texts in value.items()
    }


def _comments():
    data = load("comments.yaml")
    generic = _by_kind(data["generic"], "comments.yaml: generic")
    return generic, _per_feature(data["features"], "comments.yaml: features", _by_kind)


def _support_tickets():
    data = load("tickets.yaml")
    generic = _tickets(data["generic"], "tickets.yaml: generic")
    per_feature = _per_feature(data["features"], "tickets.yaml: features", _tickets)
    missing = [f.feature_id for f in FEATURES if f.feature_id not in per_feature]
    if missing:
        raise ValueError(
            f"tickets.yaml: features: {missing[0]}: missing (every feature has tickets)"
        )
    return generic, per_feature


def _contacts():
    data = load("contacts.yaml")
    keys = ("first_names", "last_names", "mail_domains", "phones")
    return tuple(_strings(data[key], f"contacts.yaml: {key}") for key in keys)


def _files():
    data = load("files.yaml")["files"]
    if not isinstance(data, dict) or not all(isinstance(t, str) for t in data.values()):
        raise ValueError(f"files.yaml: files: expected a text per file name, found {data!r}")
    return data


#: Comments about nothing in particular, by kind of respondent; and comments about a feature,
#: by feature and kind of respondent (not every kind for every feature).
GENERIC_COMMENTS, FEATURE_COMMENTS = _comments()
#: Tickets about nothing in particular; and tickets about a feature, for every feature.
GENERIC_TICKETS, FEATURE_TICKETS = _support_tickets()
#: Pieces of contact details; PHONES are ``str.format`` patterns with one integer field.
FIRST_NAMES, LAST_NAMES, MAIL_DOMAINS, PHONES = _contacts()
#: The README's table of files: what each file of the workspace holds, in the table's order.
FILE_DESCRIPTIONS = _files()
