"""A year of made-up data for *Tallyhive*, a fictional B2B SaaS, as a workspace.

:func:`write_sample` writes a complete workspace that follows the data contract
(``docs/data-contract.md``): eight releases from December 2025 to November 2026,
25 features of all six value types, 22 value hypotheses using all six metrics,
usability-study task attempts, product events, survey responses, accounts and
support tickets for three customer segments. ``data/sample/`` in the
repository is exactly what ``write_sample("data/sample")`` writes.

The generating parameters are chosen so that the verdict rules give a known
mix of outcomes: some hypotheses clearly validated, some clearly not, some too
close to call, one with too little data, and the latest release too recent for
its 30-day windows to be complete. The design of each hypothesis (target, the
true value the data is drawn from, the intended verdict and why) is written to
the workspace's ``README.md`` from the same tables that drive the generator, so
description and data cannot drift apart.

Everything is drawn from ``numpy.random.default_rng(seed)``; nothing depends on
today's date, the hash seed or the machine, so a seed always gives the same
bytes (with the same numpy and pandas versions: if an upgrade changes numpy's
random stream, regenerate ``data/sample`` in the same commit).

The package: :mod:`~cvlib.sample.plan` holds the design (read from the data
files under ``cvlib/sample/data/``), :mod:`~cvlib.sample.texts` the comments,
tickets and contact details; :mod:`~cvlib.sample.tasks`,
:mod:`~cvlib.sample.events`, :mod:`~cvlib.sample.surveys`,
:mod:`~cvlib.sample.accounts` and :mod:`~cvlib.sample.tickets` draw one table
each (:mod:`~cvlib.sample.partitions` the large variant's Parquet events);
:mod:`~cvlib.sample.readme` writes the README, :mod:`~cvlib.sample.workspace`
every file into a folder, and :mod:`~cvlib.sample.atomic` puts that folder in
place all at once.
"""

from __future__ import annotations

import numbers
import os
import pathlib

from cvlib.sample.atomic import check_target, write_folder
from cvlib.sample.plan import DEFAULT_SEED
from cvlib.sample.workspace import write_workspace as _write_workspace

__all__ = ["DEFAULT_SEED", "write_sample"]


def write_sample(
    out_dir, *, seed: int = DEFAULT_SEED, events: int | None = None, overwrite: bool = False
) -> pathlib.Path:
    """Write the sample workspace for the fictional B2B SaaS Tallyhive.

    Simulates a year of one product (eight releases from 2025-12-02 to
    2026-11-03, ``data_through`` 2026-11-20) in the workspace format of the
    data contract: ``workspace.yaml``, ``releases.csv``, ``features.csv``,
    ``hypotheses.yaml``, ``task_times.csv``, ``events.csv``, ``surveys.csv``,
    ``accounts.csv``, ``tickets.csv`` and a ``README.md`` describing what is
    simulated and which verdict each hypothesis is designed to get.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder to create. Missing parent folders are created. It must not
        exist or be empty, unless ``overwrite`` is true.
    seed : int, default 20261122
        Seed of ``numpy.random.default_rng``; a non-negative integer. The same
        seed always writes the same bytes. ``data/sample/`` is written with
        the default, :data:`DEFAULT_SEED` (the day the sample was designed).
    events : int, optional
        Write a large workspace instead: exactly this many product events as
        Parquet files partitioned by month (``events/month=2025-11/part-0.parquet``,
        hive-style, one file per month), declared in ``workspace.yaml`` as
        ``sources: events: {parquet: "events/*/*.parquet"}``, in place of
        ``events.csv``. Every other file is the one the default sample has
        (surveys, accounts, ... are small). For benchmarks: see Notes.
    overwrite : bool, default False
        Replace ``out_dir`` and everything in it if it exists and is not empty.

    Returns
    -------
    pathlib.Path
        ``out_dir`` as a path.

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists and is not a folder, or is a non-empty folder
        and ``overwrite`` is false.
    TypeError
        If ``out_dir`` is not a path, ``seed`` or ``events`` not an integer or
        ``overwrite`` not a bool.
    ValueError
        If ``seed`` is negative or ``events`` is less than 1.

    Notes
    -----
    The files are written into a temporary sibling folder which is renamed
    into place at the end, so an interrupted run leaves no half-written
    workspace behind (an existing folder is replaced only after the new one is
    complete).

    The data are drawn from one ``numpy.random.default_rng(seed)``, split with
    ``Generator.spawn`` into one stream per table. Task times are lognormal.
    In the task studies behind the completion-rate and error-rate hypotheses
    the number of completed attempts, or of attempts with errors, is fixed
    (which attempts is random), and the times of task-time studies are shifted
    so that the geometric mean of completed attempts (participant means of
    ln seconds) equals the designed value; for adoption hypotheses the number
    of adopters among the users active in the window is fixed per segment. So
    those hypotheses get their designed verdict for every seed. NPS and churn
    are left to chance, with margins that hold for the default seed (and most
    others); so is the random holdout of ``F-bank-feeds`` (``exposures.csv``).

    With ``events``, the events are drawn from the same model (user segments,
    join and leave days, a beta-distributed activity rate, a login per active
    day, generic events, feature use by adopters after the release) for as
    many users as it takes to reach ``events`` rows: about 67 events per user,
    so 1,500,000 users for 100 million events. Users are drawn in chunks of at
    most 32,768, each chunk from its own child of the seed's generator, and
    each chunk's events are appended to the month files as row groups, so
    memory stays bounded (a few hundred MB) whatever ``events`` is; the last
    chunk is cut after the ``events``-th row in (user, time) order, so its
    last user's history ends early. Adopters are drawn independently with the
    feature's adoption probability per segment, so adoption shares among
    active users are the designed ones in distribution (within sampling
    error) rather than exactly. Strings are dictionary-encoded and
    ``timestamp`` is a Parquet ``TIMESTAMP`` adjusted to UTC (millisecond
    unit; DuckDB reads it as ``TIMESTAMP WITH TIME ZONE``). The same
    ``(seed, events)`` always gives the same rows.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> from cvlib.sample import write_sample
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +NORMALIZE_WHITESPACE
    ...     path = write_sample(pathlib.Path(tmp) / "sample")
    ...     print(sorted(p.name for p in path.iterdir()))
    ...     releases = pd.read_csv(path / "releases.csv", dtype=str)
    ['README.md', 'accounts.csv', 'events.csv', 'exposures.csv', 'features.csv',
     'hypotheses.yaml', 'published', 'releases.csv', 'surveys.csv', 'task_times.csv',
     'tickets.csv', 'workspace.yaml']
    >>> releases["release_id"].tolist()
    ['2025.12', '2026.02', '2026.03', '2026.05', '2026.06', '2026.08', '2026.10', '2026.11']
    """
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(
            f"out_dir must be a path (str or os.PathLike), got {type(out_dir).__name__}"
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if events is not None:
        if isinstance(events, bool) or not isinstance(events, numbers.Integral):
            raise TypeError(f"events must be an integer or None, got {events!r}")
        if events < 1:
            raise ValueError(f"events must be >= 1, got {events}")
        events = int(events)
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False, got {overwrite!r}")

    out = pathlib.Path(out_dir)
    check_target(out, overwrite=overwrite)
    seed = int(seed)
    # _write_workspace is looked up here at call time (tests replace it to interrupt a run).
    write_folder(out, lambda folder: _write_workspace(folder, seed, events))
    return out
