"""Command line: argument parsing only; the work is done by the modules it calls.

Exit status: 0 success, 1 data problems (or a failed release), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from cvlib import __version__

    parser = argparse.ArgumentParser(
        prog="cvlib",
        description=(
            "Customer Value Workbench: did the features we shipped deliver the value we promised?"
        ),
    )
    parser.add_argument("--version", action="version", version=f"cvlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = sub.add_parser("validate", help="check a workspace against the data contract")
    validate.add_argument("path", metavar="PATH", help="workspace folder")

    sample = sub.add_parser("sample", help="write the realistic sample workspace")
    sample.add_argument("out", metavar="OUT", help="folder to create")
    sample.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the sample's seed)"
    )
    sample.add_argument("--force", action="store_true", help="replace OUT if it exists")
    sample.add_argument(
        "--events",
        type=int,
        default=None,
        metavar="N",
        help=(
            "write a large workspace: N events as Parquet files partitioned by month "
            "(for benchmarks)"
        ),
    )

    report = sub.add_parser(
        "report",
        help="write the value-validation report of every release",
        description="Run the release notebook for each release (papermill) and render "
        "self-contained HTML into DIR, with DIR/index.html and DIR/index.json. Releases whose "
        "inputs, notebook, parameters and cvlib version are unchanged since their last report are "
        "skipped. Exit status: 0 all written or skipped, 1 a release failed (or the workspace is "
        "invalid, or another run holds DIR), 2 usage errors.",
    )
    report.add_argument("data", metavar="DATA", help="workspace folder")
    report.add_argument(
        "--out", metavar="DIR", required=True, help="report folder (created when missing)"
    )
    report.add_argument(
        "--release",
        metavar="ID",
        action="append",
        default=None,
        help="only this release (repeatable; default: every release)",
    )
    report.add_argument(
        "--jobs",
        metavar="N",
        type=_positive_int,
        default=1,
        help="releases built in parallel processes (default 1)",
    )
    report.add_argument(
        "--force", action="store_true", help="rebuild releases whose inputs did not change"
    )
    report.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=None,
        help="stop a release (and its kernel) after this many seconds",
    )
    report.add_argument(
        "--previous",
        metavar="DIR",
        default=None,
        help="an earlier report folder whose summary.json files hold the definitions first "
        "published, for releases with no report in DIR yet (a changed definition is flagged)",
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds > 0, found {text!r}"
        ) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, found {text!r}")
    return value


def _validate(args) -> int:
    from cvlib.contract.workspace import load_workspace
    from cvlib.errors import DataError

    try:
        workspace = load_workspace(args.path)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(
            f"{args.path}: {count} problem{'s' if count != 1 else ''} found; nothing was changed",
            file=sys.stderr,
        )
        return EXIT_DATA
    print(f"{args.path}: valid: {workspace.summary_line()}")
    settings = workspace.settings
    if settings.data_through is not None:
        print(f"data through {settings.data_through.isoformat()} ({settings.data_through_source})")
    for warning in workspace.warnings:
        print(f"warning: {warning}")
    return EXIT_OK


def _sample(args) -> int:
    from cvlib.sample import write_sample

    kwargs = {} if args.seed is None else {"seed": args.seed}
    try:
        out = write_sample(args.out, overwrite=args.force, events=args.events, **kwargs)
    except (FileExistsError, ValueError) as exc:
        print(f"cvlib sample: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.events is None:
        print(f"wrote the sample workspace to {out}")
    else:
        noun = "event" if args.events == 1 else "events"
        print(f"wrote the sample workspace with {args.events:,} {noun} (Parquet) to {out}")
    return EXIT_OK


def _report(args) -> int:
    from pathlib import Path

    from cvlib.errors import DataError
    from cvlib.report.folders import LockedError
    from cvlib.report.runner import run_reports

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"cvlib report: --out {out}: expected a folder, found a file", file=sys.stderr)
        return EXIT_USAGE
    try:
        summary = run_reports(
            args.data,
            args.out,
            releases=args.release,
            jobs=args.jobs,
            force=args.force,
            timeout=args.timeout,
            previous=args.previous,
        )
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"cvlib report: {args.data} is not a valid workspace; no report was written",
            file=sys.stderr,
        )
        return EXIT_DATA
    except KeyError as exc:
        print(f"cvlib report: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except LockedError as exc:
        print(f"cvlib report: {exc}", file=sys.stderr)
        return EXIT_DATA
    except OSError as exc:  # the report folder cannot be written (no space left, ...)
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"cvlib report: could not write into {out}: {exc.strerror or exc}{where}; "
            "the reports already there are kept as they were",
            file=sys.stderr,
        )
        return EXIT_DATA
    counts = {s: sum(r.status == s for r in summary.releases) for s in ("ok", "skipped", "failed")}
    print(
        f"{counts['ok']} written, {counts['skipped']} unchanged, {counts['failed']} failed; "
        f"open {summary.out_dir / 'index.html'}"
    )
    return EXIT_DATA if summary.failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the ``cvlib`` command; return its exit status."""
    args = _parser().parse_args(argv)
    handlers = {"validate": _validate, "sample": _sample, "report": _report}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def console() -> NoReturn:
    """The ``cvlib`` console script (and ``python -m cvlib``): :func:`main`, then a quick exit.

    The exit handlers run (DuckDB databases closed, temporary folders
    removed) and the standard streams are flushed, then the process ends
    without the interpreter's teardown of every imported module (about 0.1 s
    after a report). Called in-process (tests, notebooks), :func:`main` returns.
    """
    import atexit
    import contextlib
    import os

    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
