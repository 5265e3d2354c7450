"""The ``decision-paths`` command line (SPEC section 9): parse, then run the command by name."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from decision_paths.cli import commands, record_commands
from decision_paths.model.command_line import build_parser

HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": commands.run_validate,
    "build": commands.run_build,
    "timeline": commands.run_timeline,
    "who": commands.run_who,
    "approves": commands.run_approves,
    "new": commands.run_new,
    "diff": commands.run_diff,
    "serve": commands.run_serve,
    "cases": record_commands.run_cases,
    "stats": record_commands.run_stats,
    "overdue": record_commands.run_overdue,
    "track": record_commands.run_track,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = HANDLERS[args.command]
    try:
        return handler(args)
    except commands.UsageError as err:
        parser.exit(commands.EXIT_USAGE, f"decision-paths: error: {err}\n")
    except BrokenPipeError:  # e.g. piped into head
        return commands.EXIT_OK
