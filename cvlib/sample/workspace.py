"""The files of the workspace, written into one folder.

:func:`write_workspace` draws every table from one ``numpy.random.default_rng(seed)``
(split with ``Generator.spawn``, one stream per table) and writes the
workspace's files: the settings (``workspace.yaml``), the design
(``releases.csv``, ``features.csv``, ``hypotheses.yaml``), the simulated data
and the ``README.md``. :func:`cvlib.sample.write_sample` calls it on a
temporary folder and moves that into place.
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np
import pandas as pd
import yaml

from cvlib.sample.accounts import draw_accounts
from cvlib.sample.events import draw_events, draw_users
from cvlib.sample.partitions import write_event_partitions
from cvlib.sample.plan import (
    CONFIDENCE_LEVEL,
    CURRENCY,
    DATA_THROUGH,
    FEATURES,
    HOURLY_COST,
    HYPOTHESES,
    PRODUCT,
    RELEASES,
    TIMEZONE,
)
from cvlib.sample.published import write_published
from cvlib.sample.readme import readme
from cvlib.sample.surveys import draw_surveys
from cvlib.sample.tasks import draw_task_times
from cvlib.sample.tickets import draw_tickets

__all__ = ["write_workspace"]


def write_workspace(folder: pathlib.Path, seed: int, events: int | None = None) -> None:
    """Write every file of the sample with ``seed`` into the existing, empty ``folder``.

    With ``events``, that many product events go to Parquet files under
    ``folder/events`` instead of ``events.csv`` (see
    :func:`~cvlib.sample.partitions.write_event_partitions`).
    """
    rng = np.random.default_rng(seed)
    task_rng, user_rng, survey_rng, account_rng, ticket_rng = rng.spawn(5)

    tables = {
        "releases.csv": releases_table(),
        "features.csv": features_table(),
        "task_times.csv": draw_task_times(task_rng),
    }
    users = draw_users(user_rng)
    if events is None:
        tables["events.csv"] = draw_events(user_rng, users)
    tables["surveys.csv"] = draw_surveys(survey_rng, users)
    tables["accounts.csv"], tables["exposures.csv"] = draw_accounts(account_rng)
    tables["tickets.csv"] = draw_tickets(ticket_rng)

    write_text(folder / "workspace.yaml", workspace_yaml(parquet_events=events is not None))
    write_text(folder / "hypotheses.yaml", hypotheses_yaml())
    for name, table in tables.items():
        table.to_csv(folder / name, index=False, lineterminator="\n", encoding="utf-8")
    if events is not None:
        # A seventh stream (the first five above and Generator.spawn's counter are untouched
        # by it, so the default sample does not change), split again per chunk of users.
        (event_rng,) = rng.spawn(1)
        write_event_partitions(folder / "events", event_rng, events)
    write_published(folder, hypotheses_yaml(registered=True))
    write_text(folder / "README.md", readme(seed, tables, events=events))


def write_text(path: pathlib.Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 with LF line endings on every platform."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def workspace_yaml(*, parquet_events: bool = False) -> str:
    """The text of ``workspace.yaml``; with ``parquet_events``, it declares the events source."""
    text = (
        f"# Sample workspace written by cvlib.sample (see README.md).\n"
        f"product: {PRODUCT}\n"
        f"currency: {CURRENCY}\n"
        f"hourly_cost: {HOURLY_COST}\n"
        f"confidence_level: {CONFIDENCE_LEVEL}\n"
        f"timezone: {TIMEZONE}\n"
        f"data_through: {DATA_THROUGH.isoformat()}\n"
    )
    if parquet_events:
        text += 'sources:\n  events: {parquet: "events/*/*.parquet"}\n'
    return text


class _IndentedDumper(yaml.SafeDumper):
    """SafeDumper that indents list items under their key (``  - id: ...``)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def hypotheses_yaml(*, registered: bool = False) -> str:
    """The text of ``hypotheses.yaml``: the contract's fields of every hypothesis, in order;
    with ``registered``, as first published (before the changes the design records)."""
    items = []
    for h in HYPOTHESES:
        if registered and h.registered:
            h = dataclasses.replace(h, **h.registered)
        item = {
            "id": h.id,
            "feature_id": h.feature_id,
            "statement": h.statement,
            "metric": h.metric,
        }
        if h.task is not None:
            item["task"] = h.task
        item["target"] = h.target
        keys = ("kind", "margin", "expected", "design", "planned_n", "window_days")
        for key in (*keys, "tasks_per_month", "created_on"):
            value = getattr(h, key)
            if value is not None:
                item[key] = value
        items.append(item)
    body = yaml.dump(
        {"hypotheses": items},
        Dumper=_IndentedDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=False,
    )
    return "# Value hypotheses of the sample workspace (see README.md for the design).\n" + body


def releases_table() -> pd.DataFrame:
    """``releases.csv``: one row per release."""
    return pd.DataFrame(
        {
            "release_id": [r.release_id for r in RELEASES],
            "name": [r.name for r in RELEASES],
            "released_on": [r.released_on.isoformat() for r in RELEASES],
        }
    )


def features_table() -> pd.DataFrame:
    """``features.csv``: one row per feature."""
    return pd.DataFrame(
        {
            "feature_id": [f.feature_id for f in FEATURES],
            "release_id": [f.release_id for f in FEATURES],
            "name": [f.name for f in FEATURES],
            "value_type": [f.value_type for f in FEATURES],
            "effort_points": [f.effort_points for f in FEATURES],
            "holdout_share": [f.holdout_share for f in FEATURES],
        }
    )
