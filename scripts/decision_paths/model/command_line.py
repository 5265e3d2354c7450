"""The command line as SPEC section 9 names it: commands, their arguments and help.

Names only, no handlers: ``cli`` runs the command by its name, and the
commands reference page is drawn from this same parser, so it cannot drift.
"""

from __future__ import annotations

import argparse
import datetime as dt

from decision_paths import __version__


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--decisions", metavar="DIR", default="decisions", help="the decisions folder (default: decisions)"
    )
    # Also accepted after the command name: `decision-paths validate --decisions DIR`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--decisions", metavar="DIR", default=argparse.SUPPRESS, help="the decisions folder (default: decisions)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate",
        parents=[common],
        help="check every decision file; exit 1 when errors are found",
        description="Run every check and print findings as FILE:LINE:COL: error|warning: message [code].",
    )
    validate.add_argument("folder", nargs="?", metavar="FOLDER", help="the decisions folder (default: --decisions)")
    validate.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the date for review and away checks (default: today)"
    )
    validate.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people (default) or json for tools"
    )

    build = commands.add_parser(
        "build",
        parents=[common],
        help="validate, then build the site(s)",
        description="Validate the decisions, then build the sites into DIR/internal/ "
        "and DIR/client/. Refuses to build while errors remain; the "
        "previous site stays in place until the new one is complete.",
    )
    build.add_argument(
        "--audience",
        choices=("internal", "client", "all"),
        default="all",
        help="which site to build: internal, client, or all (default: all)",
    )
    build.add_argument("--out", metavar="DIR", default="site", help="output folder (default: site)")
    build.add_argument(
        "--config-file",
        metavar="FILE",
        help="MkDocs configuration (default: mkdocs.yml if present, else a built-in one)",
    )
    build.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the date for review and away status (default: today)"
    )
    build.add_argument(
        "--no-history", action="store_true", help="leave out the change history (read from git by default)"
    )
    build.add_argument(
        "--strict", action="store_true", help="fail on broken links or missing pages, each reported as a finding"
    )
    build.add_argument(
        "--cases", metavar="DIR", help="the case record's folder (default: cases beside the decisions, if any)"
    )

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="live preview that refreshes as you save",
        description="Serve the internal site on your machine and rebuild it whenever "
        "a decision file, page or the configuration changes.",
    )
    serve.add_argument(
        "--dev-addr", metavar="HOST:PORT", default="127.0.0.1:8000", help="where to serve (default: 127.0.0.1:8000)"
    )
    serve.add_argument("--config-file", metavar="FILE", help="MkDocs configuration (default: mkdocs.yml if present)")
    serve.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the date for review and away status")

    timeline = commands.add_parser(
        "timeline",
        parents=[common],
        help="the path and due instants for one request",
        description="When each stage of a request is due, from the moment it was "
        "received, across weekends, holidays and make-up workdays.",
    )
    timeline.add_argument("decision", metavar="DECISION", help="decision id (its file name)")
    timeline.add_argument(
        "--start",
        required=True,
        metavar="ISO",
        help="when the request was received: 2026-11-20, 2026-11-20T10:00 or with an offset",
    )
    _add_set(timeline)
    timeline.add_argument("--format", choices=("text", "json"), default="text")

    who = commands.add_parser(
        "who",
        parents=[common],
        help="who approves, stage by stage, with stand-ins",
        description="Stage by stage: who decides, the people behind each role, who "
        "stands in for people away, and who is told when a stage is late.",
    )
    who.add_argument("decision", metavar="DECISION", help="decision id (its file name)")
    _add_set(who)
    who.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the day to check absences for")
    who.add_argument("--format", choices=("text", "json"), default="text")

    approves = commands.add_parser(
        "approves",
        parents=[common],
        help="everything a person or role approves",
        description="Everything a person or role approves, owns or is escalated "
        "to, across all decisions (a person's roles included).",
    )
    approves.add_argument("id", metavar="ID", help="a person or role id")
    approves.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the day to check who stands in (default: today)"
    )
    approves.add_argument("--format", choices=("text", "json"), default="text")

    new = commands.add_parser(
        "new",
        parents=[common],
        help="start a decision, or add a person or role",
        description="Write a commented starter decision file, or add a person or a "
        "role to the shared data without touching the rest of the file.",
    )
    new.add_argument("kind", choices=("decision", "person", "role"))
    new.add_argument("id", metavar="ID")
    new.add_argument("--category", help="decision: the sub-folder (category) to put it in")
    new.add_argument("--name", help="person: the full name (required for a person)")
    new.add_argument("--email", help="person: work email")
    new.add_argument("--title", help="role: the role's title (required for a role)")
    new.add_argument("--held-by", default="", metavar="IDS", help="role: comma-separated person ids")
    new.add_argument("--visibility", choices=("client", "internal"), help="role: who may see its title")

    diff = commands.add_parser(
        "diff",
        parents=[common],
        help="what changed in the decision paths, in words",
        description="List the changes between two versions of the decisions in the "
        "model's terms (formatting-only edits are no change). Default: the "
        "merge base with the default branch against the working tree.",
    )
    diff.add_argument("rev1", nargs="?", metavar="REV1", help="the older version (default: merge base with main)")
    diff.add_argument("rev2", nargs="?", metavar="REV2", help="the newer version (default: the working tree)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    cases = commands.add_parser(
        "cases",
        parents=[common],
        help="read the case record; --check prints its findings only; --export xes FILE writes an event log",
        description="Read the cases folder (CSV, JSONL, Parquet; SPEC section 11) and summarise it; "
        "bad rows are findings FILE:ROW:COLUMN: warning: message. --export xes FILE writes the events of "
        "the cases the figures count as an IEEE 1849-2016 event log (pm4py, Disco, ProM); the log is for "
        "the company's own analysts: it holds the internal reason and client_note.",
    )
    _add_record(cases)
    cases.add_argument("--check", action="store_true", help="print the findings only")
    cases.add_argument(
        "--export",
        nargs=2,
        metavar=("FORMAT", "FILE"),
        help="write the record as an event log: 'xes' (IEEE 1849-2016, for pm4py, Disco, ProM): the events "
        "of the cases the figures count; internal, it holds reason and client_note",
    )
    cases.add_argument("--format", choices=("text", "json"), default="text")

    stats = commands.add_parser(
        "stats",
        parents=[common],
        help="promised versus actual per decision, stage and role",
        description="On-time rates and working-time percentiles of the cases whose promised answer "
        "falls in a period (default: the last closed quarter).",
    )
    stats.add_argument("decision", nargs="?", metavar="DECISION", help="one decision (default: all)")
    stats.add_argument("--period", metavar="PERIOD", help="a quarter (2026-Q3) or a month (2026-11)")
    stats.add_argument("--format", choices=("text", "json", "csv"), default="text")
    _add_record(stats)

    overdue = commands.add_parser(
        "overdue",
        parents=[common],
        help="open requests and stages past their due instant, whom to tell",
        description="Every open case or stage past its due instant at --now, with the people who "
        "can act now (stand-ins included) and whom to escalate to: what a daily reminder sends.",
    )
    overdue.add_argument("--now", metavar="ISO", help="the instant to measure at (default: now)")
    overdue.add_argument("--format", choices=("text", "json"), default="text")
    _add_record(overdue, now=False)

    track = commands.add_parser(
        "track",
        parents=[common],
        help="the tracking link to send the client of one case",
        description="Print the private tracking link of one case of a client decision (SPEC section 11).",
    )
    track.add_argument("case", metavar="CASE", help="the case id")
    _add_record(track)
    return parser


def _add_record(command: argparse.ArgumentParser, *, now: bool = True) -> None:
    command.add_argument("--cases", metavar="DIR", help="the cases folder (default: cases beside the decisions)")
    command.add_argument("--strict", action="store_true", help="bad rows are errors (exit 1), not warnings")
    command.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the day for who stands in (default: today)")
    if now:
        command.add_argument("--now", metavar="ISO", help="the instant to measure at (default: now)")


def _add_set(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="INPUT=VALUE",
        help="an input's value, e.g. --set amount=12000 (repeat for each input)",
    )
