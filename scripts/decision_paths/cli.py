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

    build = commands.add_parser("build", parents=[common], help="validate, then build the site(s)",
                                description="Validate the decisions, then build the site into DIR/internal/. "
                                            "Refuses to build while errors remain; the previous site stays "
                                            "in place until the new one is complete.")
    build.add_argument("--audience", choices=("internal",), default="internal",
                       help="which site to build (default: internal)")
    build.add_argument("--out", metavar="DIR", default="site", help="output folder (default: site)")
    build.add_argument("--config-file", metavar="FILE", help="MkDocs configuration (default: mkdocs.yml if "
                                                             "present, else a built-in one)")
    build.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                       help="the date for review and away status (default: today)")
    build.set_defaults(handler=_build)

    serve = commands.add_parser("serve", parents=[common], help="live preview that refreshes as you save",
                                description="Serve the internal site on your machine and rebuild it whenever "
                                            "a decision file, page or the configuration changes.")
    serve.add_argument("--dev-addr", metavar="HOST:PORT", default="127.0.0.1:8000",
                       help="where to serve (default: 127.0.0.1:8000)")
    serve.add_argument("--config-file", metavar="FILE", help="MkDocs configuration (default: mkdocs.yml if present)")
    serve.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the date for review and away status")
    serve.set_defaults(handler=_serve)
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


def _print_findings(findings, file_count: int) -> None:  # type: ignore[no-untyped-def]
    from decision_paths import findings as F

    for found in findings:
        print(found.to_text(), file=sys.stderr)
    print(F.summary_line(list(findings), file_count), file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from decision_paths.build import BuildError, build_site
    from decision_paths.diagrams import DiagramError
    from decision_paths.validate import validate_folder

    folder = _folder(args)
    today = args.today or dt.date.today()
    result = validate_folder(folder, today)
    if result.has_errors:
        _print_findings(result.findings, len(result.org.files))
        print("decision-paths: not building while errors remain", file=sys.stderr)
        return EXIT_FINDINGS
    try:
        target = build_site(decisions=folder, out=args.out, audience=args.audience, today=today,
                            config_file=args.config_file)
    except (BuildError, DiagramError) as err:
        print(f"decision-paths: error: {err}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"built {args.audience} site: {target}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from decision_paths.serve import serve_site

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--dev-addr '{args.dev_addr}' must be HOST:PORT, e.g. 127.0.0.1:8000")
    serve_site(decisions=_folder(args), host=host, port=int(port), today=args.today, config_file=args.config_file)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as err:
        parser.exit(EXIT_USAGE, f"decision-paths: error: {err}\n")
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_OK
