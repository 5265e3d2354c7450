"""The ``decision-paths`` command line (SPEC section 9).

Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error.
Heavy imports stay inside the commands that need them, so quick commands start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Sequence

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called; exits 2 with the message."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD, e.g. 2026-11-23") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="decision-paths",
        description="Publish who decides what, at which stage, and how fast.",
    )
    parser.add_argument("--decisions", metavar="DIR", default="decisions",
                        help="the decisions folder (default: decisions)")
    # Also accepted after the command name: `decision-paths validate --decisions DIR`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--decisions", metavar="DIR", default=argparse.SUPPRESS,
                        help="the decisions folder (default: decisions)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser("validate", parents=[common],
                                   help="check every decision file; exit 1 when errors are found",
                                   description="Run every check and print findings as FILE:LINE:COL: "
                                               "error|warning: message [code].")
    validate.add_argument("folder", nargs="?", metavar="FOLDER", help="the decisions folder (default: --decisions)")
    validate.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                          help="the date for review and away checks (default: today)")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="text for people (default) or json for tools")
    validate.set_defaults(handler=_validate)
    return parser


def _folder(args: argparse.Namespace) -> str:
    folder = getattr(args, "folder", None) or args.decisions
    if not os.path.isdir(folder):
        raise UsageError(f"no decisions folder '{folder}': run in a folder that holds decisions/ "
                         "or pass --decisions DIR")
    return folder


def _validate(args: argparse.Namespace) -> int:
    from decision_paths import findings as F
    from decision_paths.validate import validate_folder

    folder = _folder(args)
    result = validate_folder(folder, args.today or dt.date.today())
    if args.format == "json":
        print(F.to_json(list(result.findings)))
        print(F.summary_line(list(result.findings), len(result.org.files)), file=sys.stderr)
    else:
        for found in result.findings:
            print(found.to_text())
        print(F.summary_line(list(result.findings), len(result.org.files)))
    return EXIT_FINDINGS if result.has_errors else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as err:
        parser.exit(EXIT_USAGE, f"decision-paths: error: {err}\n")
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_OK
