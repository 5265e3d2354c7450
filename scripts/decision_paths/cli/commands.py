"""What each command does: read the folder, ask the pipeline, print the answer.

Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path

from decision_paths.cli import answers, diffreport
from decision_paths.model import findings as F
from decision_paths.model.audience import SITES
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.organisation import Audience
from decision_paths.model.suggest import did_you_mean_any
from decision_paths.model.timeline import (
    TimelineError,
    fastest_and_slowest,
    parse_start,
    parse_value,
    path_for,
    timeline,
)
from decision_paths.pipeline import validate_folder

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called; exits 2 with the message."""


def _folder(args: argparse.Namespace) -> str:
    folder: str = getattr(args, "folder", None) or args.decisions
    if not os.path.isdir(folder):
        raise UsageError(
            f"no decisions folder '{folder}': run in a folder that holds decisions/ or pass --decisions DIR"
        )
    return folder


def run_validate(args: argparse.Namespace) -> int:

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

    for found in findings:
        print(found.to_text(), file=sys.stderr)
    print(F.summary_line(list(findings), file_count), file=sys.stderr)


# The loggers a build's warnings come from (MkDocs and the plugin), and how they are shown.
_BUILD_LOGGERS = ("mkdocs", "decision_paths")
_WARNING_FORMAT = "warning: %(message)s"


def run_build(args: argparse.Namespace) -> int:
    # The site builder (MkDocs, Graphviz) loads only for `build`: the queries start fast.
    from decision_paths.store import buildstamp

    if args.cases is not None and not os.path.isdir(args.cases):
        raise UsageError(f"no cases folder '{args.cases}': give the folder that holds the record's files")
    audiences = (Audience.INTERNAL, Audience.CLIENT) if args.audience == "all" else (Audience(args.audience),)
    out = Path(args.out)
    targets = [out / audience.value for audience in audiences]
    inputs = _build_fingerprint(args)
    stamp = buildstamp.unchanged(out, targets, inputs)
    if stamp is not None:  # the same inputs built these very files: building again writes the same bytes
        for stream, text in stamp.lines:
            _echo(stream, text)
        print(f"nothing changed since the last build of {out}: left as it was")
        return EXIT_OK
    lines: list[tuple[str, str]] = []
    recorder = _LineRecorder(lines)
    for name in _BUILD_LOGGERS:
        logging.getLogger(name).addHandler(recorder)
    try:
        code = _build(args, audiences, lines)
    finally:
        for name in _BUILD_LOGGERS:
            logging.getLogger(name).removeHandler(recorder)
    if code == EXIT_OK:
        buildstamp.record(out, targets, inputs, lines)
    return code


def _build_fingerprint(args: argparse.Namespace) -> str:
    """What a build reads: the project (this folder), the decisions, the record, the
    configuration's folder; the options and the date."""
    # Only a build reads these (as run_build's own imports).
    from decision_paths.load.files import cases_folder
    from decision_paths.store import buildstamp
    from decision_paths.store.cache import cache_root

    folder = _folder(args)
    roots = [Path(folder)]
    record = cases_folder(folder, args.cases)
    if record is not None:
        roots.append(Path(record))
    # The MkDocs project: the configuration's folder (its docs, overrides, hooks), else the
    # docs/ the built-in configuration reads; never a whole working folder that is no project.
    configs = [args.config_file] if args.config_file else [n for s in SITES.values() for n in s.config_files]
    project = {Path(c).parent for c in configs if os.path.isfile(c)}
    roots.extend(project or [Path("docs")])
    options = {
        "decisions": os.path.abspath(folder),
        "cases": os.path.abspath(record) if record else None,
        "audience": args.audience,
        "config_file": os.path.abspath(args.config_file) if args.config_file else None,
        "today": (args.today or dt.date.today()).isoformat(),
        "fixed_today": args.today is not None,
        "history": not args.no_history,
        "strict": args.strict,
    }
    return buildstamp.fingerprint(roots, [Path(args.out), cache_root()], options)


def _echo(stream: str, text: str) -> None:
    print(text, file=sys.stderr if stream == "stderr" else sys.stdout)


class _LineRecorder(logging.Handler):
    """Keeps the warnings a build logs, so a build skipped as unchanged shows them again."""

    def __init__(self, lines: list[tuple[str, str]]):
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter(_WARNING_FORMAT))
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(("stderr", self.format(record)))


def _build(args: argparse.Namespace, audiences: tuple[Audience, ...], lines: list[tuple[str, str]]) -> int:
    # The site builder (MkDocs, Graphviz): loaded only when a build has something to do.
    from decision_paths.pipeline.sites import Pipeline
    from decision_paths.render.graphviz import DiagramError
    from decision_paths.render.site import build_site
    from decision_paths.store.files import BuildError

    def say(text: str, stream: str = "stderr") -> None:
        lines.append((stream, text))
        _echo(stream, text)

    pipeline = Pipeline(
        _folder(args),
        args.today or dt.date.today(),
        history=not args.no_history,
        cases=args.cases,
        fixed_today=args.today is not None,
    )
    result = pipeline.checked
    if result.has_errors:
        _print_findings(result.findings, result.file_count)
        print("decision-paths: not building while errors remain", file=sys.stderr)
        return EXIT_FINDINGS
    for found in result.findings:  # warnings: shown once, not once per site
        say(found.to_text())
    _show_build_warnings()
    for number, audience in enumerate(audiences):
        try:
            target = build_site(
                pipeline, out=args.out, audience=audience, config_file=args.config_file, strict=args.strict
            )
        except (BuildError, DiagramError) as err:
            for found in getattr(err, "findings", ()):
                print(found.to_text(), file=sys.stderr)
            print(f"decision-paths: error: {err}", file=sys.stderr)
            return EXIT_FINDINGS
        record = pipeline.record() if number == 0 else None  # measured by the first site, shown once
        for found in record.findings if record is not None else ():
            say(found.to_text())
        say(f"built {audience} site: {target}", "stdout")
    return EXIT_OK


def _load(args: argparse.Namespace, today: dt.date):  # type: ignore[no-untyped-def]
    """The validated model; exits 1 with the findings when the decisions have errors."""

    folder = _folder(args)
    result = validate_folder(folder, today)
    if result.has_errors:
        _print_findings(result.findings, len(result.org.files))
        raise SystemExit(EXIT_FINDINGS)
    return result.org


def _decision(org, decision_id: str):  # type: ignore[no-untyped-def]
    if decision_id in org.decisions:
        return org.decisions[decision_id]
    if decision_id in org.partial_decisions:  # read in part: there are findings, never a path to follow
        raise UsageError(f"decision '{decision_id}' has errors: run decision-paths validate and fix them first")
    hint = did_you_mean_any(decision_id, org.decisions) or f"; decisions: {', '.join(sorted(org.decisions))}"
    raise UsageError(f"no decision '{decision_id}'{hint}")


def _values(decision, assignments: list[str]) -> dict[str, object]:  # type: ignore[no-untyped-def]

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

    print(json.dumps(data, ensure_ascii=False, indent=2))


def run_timeline(args: argparse.Namespace) -> int:

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
        return EXIT_OK
    # Babel's time-zone names (30 ms) load only for the text answer.
    from decision_paths.plan.localnames import zone_name

    promised = answers.promise_words(decision, calendar, start.date())
    print(answers.timeline_text(result, fastest, slowest, promised, zone_name(calendar.zone.key, "en")))
    return EXIT_OK


def run_who(args: argparse.Namespace) -> int:

    today = args.today or dt.date.today()
    org = _load(args, today)
    decision = _decision(org, args.decision)
    calendar = org.calendar_for(decision)
    promised = answers.promise_words(decision, BusinessCalendar(calendar) if calendar else None, today)
    data = answers.who_data(org, decision, _values(decision, args.set), today, promised)
    print(answers.who_text(data)) if args.format == "text" else _print_json(data)
    return EXIT_OK


def run_approves(args: argparse.Namespace) -> int:
    today = args.today or dt.date.today()
    org = _load(args, today)
    if args.id not in org.people and args.id not in org.roles:
        raise UsageError(
            f"'{args.id}' is neither a person nor a role" + did_you_mean_any(args.id, [*org.people, *org.roles])
        )
    data = answers.approves_data(org, args.id, today)
    print(answers.approves_text(data)) if args.format == "text" else _print_json(data)
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    # ruamel.yaml (writes that keep comments) loads only for `new`.
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


def run_diff(args: argparse.Namespace) -> int:
    # git history (subprocess, the replay) loads only for `diff`: the queries start fast.
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

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(_WARNING_FORMAT))
    handler.decision_paths = True  # type: ignore[attr-defined]
    for logger in map(logging.getLogger, _BUILD_LOGGERS):
        if not any(getattr(h, "decision_paths", False) for h in logger.handlers):
            logger.addHandler(handler)


def run_serve(args: argparse.Namespace) -> int:
    # MkDocs loads only for the commands that build.
    from decision_paths.cli.serve import serve_site

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--dev-addr '{args.dev_addr}' must be HOST:PORT, e.g. 127.0.0.1:8000")
    serve_site(decisions=_folder(args), host=host, port=int(port), today=args.today, config_file=args.config_file)
    return EXIT_OK
