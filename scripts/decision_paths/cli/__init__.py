"""The ``decision-paths`` command line (SPEC section 9).

Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error.
Heavy imports stay inside the commands that need them, so quick commands start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence

from decision_paths import __version__

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
    validate.set_defaults(handler=_validate)

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
    build.set_defaults(handler=_build)

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
    serve.set_defaults(handler=_serve)

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
    timeline.set_defaults(handler=_timeline)

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
    who.set_defaults(handler=_who)

    approves = commands.add_parser(
        "approves",
        parents=[common],
        help="everything a person or role approves",
        description="Everything a person or role approves, owns or is escalated "
        "to, across all decisions (a person's roles included).",
    )
    approves.add_argument("id", metavar="ID", help="a person or role id")
    approves.add_argument("--format", choices=("text", "json"), default="text")
    approves.set_defaults(handler=_approves)

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
    new.set_defaults(handler=_new)

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
    diff.set_defaults(handler=_diff)
    return parser


def _add_set(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="INPUT=VALUE",
        help="an input's value, e.g. --set amount=12000 (repeat for each input)",
    )


def _folder(args: argparse.Namespace) -> str:
    folder: str = getattr(args, "folder", None) or args.decisions
    if not os.path.isdir(folder):
        raise UsageError(
            f"no decisions folder '{folder}': run in a folder that holds decisions/ or pass --decisions DIR"
        )
    return folder


def _validate(args: argparse.Namespace) -> int:
    from decision_paths.model import findings as F
    from decision_paths.pipeline import validate_folder

    folder = _folder(args)
    result = validate_folder(folder, args.today or dt.date.today())
    if args.format == "json":
        print(F.to_json(list(result.findings)))
        print(F.summary_line(list(result.findings), len(result.org.files)), file=sys.stderr)
    else:
        annotate = os.environ.get("GITHUB_ACTIONS") == "true"
        for found in result.findings:
            print(found.to_text())
            if annotate:  # also as a workflow command, so GitHub marks the line in the pull request
                print(found.to_github())
        print(F.summary_line(list(result.findings), len(result.org.files)))
    return EXIT_FINDINGS if result.has_errors else EXIT_OK


def _print_findings(findings, file_count: int) -> None:  # type: ignore[no-untyped-def]
    from decision_paths.model import findings as F

    for found in findings:
        print(found.to_text(), file=sys.stderr)
    print(F.summary_line(list(findings), file_count), file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from decision_paths.pipeline import check_folder
    from decision_paths.render.graphviz import DiagramError
    from decision_paths.render.site import build_site
    from decision_paths.store.files import BuildError

    folder = _folder(args)
    today = args.today or dt.date.today()
    result = check_folder(folder, today)
    if result.has_errors:
        _print_findings(result.findings, result.file_count)
        print("decision-paths: not building while errors remain", file=sys.stderr)
        return EXIT_FINDINGS
    for found in result.findings:  # warnings: shown once, not once per site
        print(found.to_text(), file=sys.stderr)
    _show_build_warnings()
    audiences = ("internal", "client") if args.audience == "all" else (args.audience,)
    for audience in audiences:
        try:
            target = build_site(
                decisions=folder,
                out=args.out,
                audience=audience,
                today=today,
                config_file=args.config_file,
                strict=args.strict,
                history=not args.no_history,
                checked=result,
            )
        except (BuildError, DiagramError) as err:
            for found in getattr(err, "findings", ()):
                print(found.to_text(), file=sys.stderr)
            print(f"decision-paths: error: {err}", file=sys.stderr)
            return EXIT_FINDINGS
        print(f"built {audience} site: {target}")
    return EXIT_OK


def _load(args: argparse.Namespace, today: dt.date):  # type: ignore[no-untyped-def]
    """The validated model; exits 1 with the findings when the decisions have errors."""
    from decision_paths.pipeline import validate_folder

    folder = _folder(args)
    result = validate_folder(folder, today)
    if result.has_errors:
        _print_findings(result.findings, len(result.org.files))
        raise SystemExit(EXIT_FINDINGS)
    return result.org


def _decision(org, decision_id: str):  # type: ignore[no-untyped-def]
    if decision_id in org.decisions:
        return org.decisions[decision_id]
    from decision_paths.model.suggest import did_you_mean_any

    hint = did_you_mean_any(decision_id, org.decisions) or f"; decisions: {', '.join(sorted(org.decisions))}"
    raise UsageError(f"no decision '{decision_id}'{hint}")


def _values(decision, assignments: list[str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from decision_paths.model.timeline import TimelineError, parse_value

    values: dict[str, object] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep:
            raise UsageError(f"--set '{assignment}' must be INPUT=VALUE, e.g. --set amount=12000")
        item = decision.inputs.get(name.strip())
        if item is None:
            known = ", ".join(decision.inputs) or "it has none"
            raise UsageError(f"'{name}' is not an input of {decision.id} ({known})")
        try:
            values[item.id] = parse_value(item, text)
        except TimelineError as err:
            raise UsageError(str(err)) from None
    return values


def _print_json(data: object) -> None:
    import json

    print(json.dumps(data, ensure_ascii=False, indent=2))


def _timeline(args: argparse.Namespace) -> int:
    from decision_paths.cli import answers
    from decision_paths.model.calendars import BusinessCalendar
    from decision_paths.model.timeline import TimelineError, fastest_and_slowest, parse_start, path_for, timeline

    org = _load(args, dt.date.today())
    decision = _decision(org, args.decision)
    calendar = BusinessCalendar(org.calendar_for(decision))
    values = _values(decision, args.set)
    try:
        start = parse_start(args.start, calendar)
        result = timeline(decision, path_for(decision, values), start, calendar)
        fastest, slowest = fastest_and_slowest(decision, start, calendar)
    except TimelineError as err:
        raise UsageError(str(err)) from None
    for warning in answers.holiday_data_warnings(org, decision, calendar, [result, slowest]):
        print(warning.to_text(), file=sys.stderr)
    if args.format == "json":
        _print_json(result.to_json())
    else:
        print(answers.timeline_text(result, fastest, slowest))
    return EXIT_OK


def _who(args: argparse.Namespace) -> int:
    from decision_paths.cli import answers

    today = args.today or dt.date.today()
    org = _load(args, today)
    decision = _decision(org, args.decision)
    data = answers.who_data(org, decision, _values(decision, args.set), today)
    print(answers.who_text(data)) if args.format == "text" else _print_json(data)
    return EXIT_OK


def _approves(args: argparse.Namespace) -> int:
    from decision_paths.cli import answers

    org = _load(args, dt.date.today())
    if args.id not in org.people and args.id not in org.roles:
        from decision_paths.model.suggest import did_you_mean_any

        raise UsageError(
            f"'{args.id}' is neither a person nor a role" + did_you_mean_any(args.id, [*org.people, *org.roles])
        )
    data = answers.approves_data(org, args.id)
    print(answers.approves_text(data)) if args.format == "text" else _print_json(data)
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from decision_paths.cli.scaffold import ScaffoldError, SharedFileError, add_shared_entry, new_decision

    folder = _folder(args)
    try:
        if args.kind == "decision":
            path = new_decision(folder, args.id, args.category)
        elif args.kind == "person":
            if not args.name:
                raise UsageError("a person needs --name, e.g. --name 李雷")
            entry: dict[str, object] = {"name": args.name}
            if args.email:
                entry["email"] = args.email
            path = add_shared_entry(folder, "people", args.id, entry)
        else:
            if not args.title:
                raise UsageError("a role needs --title, e.g. --title 交付总监")
            entry = {"title": args.title, "held_by": [i.strip() for i in args.held_by.split(",") if i.strip()]}
            if args.visibility:
                entry["visibility"] = args.visibility
            path = add_shared_entry(folder, "roles", args.id, entry)
    except ScaffoldError as err:
        raise UsageError(str(err)) from None
    except SharedFileError as err:
        _print_findings(err.findings, len({f.loc.file for f in err.findings}))
        print("decision-paths: nothing was written; fix the shared data file first", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"wrote {path}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from decision_paths.cli import diffreport
    from decision_paths.load.history import RevisionError, default_base, organisation_at

    folder = _folder(args)
    try:
        old = organisation_at(folder, args.rev1 or default_base(folder))
        new = organisation_at(folder, args.rev2)
    except RevisionError as err:
        raise UsageError(str(err)) from None
    changes = diffreport.changes_between(old, new)
    titles = {d.id: d.title for d in (*old.decisions.values(), *new.decisions.values())}
    print(diffreport.render(changes, titles, args.format))
    return EXIT_OK


def _show_build_warnings() -> None:
    """MkDocs and the plugin log warnings (a shallow clone, a missing page); show them on stderr."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    handler.decision_paths = True  # type: ignore[attr-defined]
    for logger in (logging.getLogger("mkdocs"), logging.getLogger("decision_paths")):
        if not any(getattr(h, "decision_paths", False) for h in logger.handlers):
            logger.addHandler(handler)


def _serve(args: argparse.Namespace) -> int:
    from decision_paths.cli.serve import serve_site

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--dev-addr '{args.dev_addr}' must be HOST:PORT, e.g. 127.0.0.1:8000")
    serve_site(decisions=_folder(args), host=host, port=int(port), today=args.today, config_file=args.config_file)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UsageError as err:
        parser.exit(EXIT_USAGE, f"decision-paths: error: {err}\n")
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_OK
