"""Command line: argument parsing only; the work is done by the modules it calls.

Exit status: 0 success, 1 data problems (or a failed release), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from cvlib import __version__

    parser = argparse.ArgumentParser(
        prog="cvlib",
        description="Customer Value Workbench: did the features we shipped deliver the value we promised?",
    )
    parser.add_argument("--version", action="version", version=f"cvlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = sub.add_parser("validate", help="check a workspace against the data contract")
    validate.add_argument("path", metavar="PATH", help="workspace folder")

    sample = sub.add_parser("sample", help="write the realistic sample workspace")
    sample.add_argument("out", metavar="OUT", help="folder to create")
    sample.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's seed)")
    sample.add_argument("--force", action="store_true", help="replace OUT if it exists")
    return parser


def _validate(args) -> int:
    from cvlib.errors import DataError
    from cvlib.workspace import load_workspace

    try:
        workspace = load_workspace(args.path)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{args.path}: {count} problem{'s' if count != 1 else ''} found; nothing was changed", file=sys.stderr)
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
        out = write_sample(args.out, overwrite=args.force, **kwargs)
    except FileExistsError as exc:
        print(f"cvlib sample: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote the sample workspace to {out}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the ``cvlib`` command; return its exit status."""
    args = _parser().parse_args(argv)
    handlers = {"validate": _validate, "sample": _sample}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
