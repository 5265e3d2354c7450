"""The commands about the case record (SPEC sections 9 and 11): cases, stats, overdue, track."""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from decision_paths.cli.commands import EXIT_FINDINGS, EXIT_OK, UsageError, _folder, _load
from decision_paths.model import findings as F
from decision_paths.model.cases import NO_PERCENTILES, DecisionFigures, Measured, Period, last_closed, parse_period
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Organisation

if TYPE_CHECKING:
    from decision_paths.model.history import History
    from decision_paths.pipeline.record import MeasuredRecord
    from decision_paths.pipeline.sites import Pipeline


def _now(args: argparse.Namespace) -> dt.datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds and tests), else the clock. A --now
    without offset is still naive here: ``_as_of`` puts it in the organisation's time zone."""
    text = getattr(args, "now", None)
    if text:
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(f"--now '{text}' is not an ISO instant, e.g. 2026-11-23T09:00+08:00") from None
    if "SOURCE_DATE_EPOCH" in os.environ:
        with contextlib.suppress(ValueError):
            return dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC)
    return dt.datetime.now(dt.UTC)


def _zone(org: Organisation) -> dt.tzinfo:
    """The default calendar's time zone (the only calendar's, if there is one), else UTC."""
    calendar = org.calendars.get(org.defaults.calendar.id) if org.defaults.calendar is not None else None
    if calendar is None and len(org.calendars) == 1:
        calendar = next(iter(org.calendars.values()))
    return ZoneInfo(calendar.timezone.id) if calendar is not None else dt.UTC


def _as_of(moment: dt.datetime, org: Organisation) -> dt.datetime:
    # Like `at` in the record and `timeline --start`: a time without offset is the calendar's
    # wall clock (it was read as UTC: --now 2026-11-24T10:00 meant 18:00 in Shanghai).
    # Shown in that zone too, as SPEC 11's example shows it (SOURCE_DATE_EPOCH gave +00:00).
    return moment.replace(tzinfo=_zone(org)) if moment.tzinfo is None else moment.astimezone(_zone(org))


def _record(
    args: argparse.Namespace,
    periods: Callable[[dt.datetime, dt.tzinfo], list[Period]] = lambda _, __: [],
    *,
    findings_only: bool = False,
    figures_only: bool = False,
    tracking: bool = False,
) -> tuple[Organisation, MeasuredRecord]:
    """The record measured as of --now; ``periods(as_of, zone)``: the periods to give figures for."""
    # DuckDB, git history and the cache load only for the record commands: the queries start fast.
    from decision_paths.pipeline.record import measure_record

    found = _record_source(args)
    wanted = periods(found.as_of, _zone(found.org))
    measured = measure_record(
        _folder(args),
        found.folder,
        found.org,
        found.history,
        found.as_of,
        wanted,
        found.pipeline.checked.version,
        findings_only=findings_only,
        figures_only=figures_only,
        tracking=tracking,
    )
    return found.org, measured


@dataclasses.dataclass(frozen=True)
class _Source:
    """What the record commands read: the model, the cases folder, the history, --now."""

    org: Organisation
    folder: str
    history: History | None
    as_of: dt.datetime
    pipeline: Pipeline


def _record_source(args: argparse.Namespace) -> _Source:
    # git history and the cache load only for the record commands: the queries start fast
    from decision_paths.load.files import cases_folder
    from decision_paths.pipeline.sites import Pipeline

    given = _now(args)
    org = _load(args, args.today or given.date())
    as_of = _as_of(given, org)
    today = args.today or as_of.astimezone(_zone(org)).date()
    folder = cases_folder(_folder(args), args.cases)
    if folder is None:
        where = args.cases or "cases/ beside the decisions folder"
        raise UsageError(f"no cases folder ({where}): put the record's CSV, JSONL or Parquet files there")
    pipeline = Pipeline(_folder(args), today)
    return _Source(org, folder, pipeline.history("en"), as_of, pipeline)


def _shown(found: tuple[Finding, ...], strict: bool) -> list[Finding]:
    """The record's findings: warnings, or errors with --strict."""
    return [Finding(f.loc, _as_error(f) if strict else f.rule, f.message) for f in found]


def _report(found: tuple[Finding, ...], strict: bool) -> int:
    """Findings to stderr, one a line; exit 1 with --strict when there are any."""
    shown = _shown(found, strict)
    for item in shown:
        print(item.to_text(), file=sys.stderr)
    if shown:
        print(F.summary_line(shown, len({f.loc.file for f in shown})), file=sys.stderr)
    return EXIT_FINDINGS if strict and shown else EXIT_OK


def _as_error(found: Finding) -> Rule:
    return dataclasses.replace(found.rule, severity=Severity.ERROR)


def run_cases(args: argparse.Namespace) -> int:
    if args.export:
        return _export(args)
    _, record = _record(args, findings_only=args.check)
    if args.check and args.format == "json":  # the findings as validate --format json prints them
        shown = _shown(record.findings, args.strict)
        print(F.to_json(shown))
        return EXIT_FINDINGS if args.strict and shown else EXIT_OK
    status = _report(record.findings, args.strict)
    if args.check:
        return status
    measured = record.measured
    if args.format == "json":
        print(json.dumps(_summary(measured), ensure_ascii=False, indent=2))
    else:
        left = sum(measured.left_out.values())
        print(f"{measured.cases} cases judged by the {measured.rules} rules, as of {measured.as_of.isoformat()}")
        print(f"{left} left out for bad rows; {len(measured.overdue)} overdue now")
    return status


EXPORT_FORMATS = ("xes",)


def _export(args: argparse.Namespace) -> int:
    """``cases --export xes FILE``: the findings as ``cases`` reports them, then the file."""
    from decision_paths.pipeline.export import export_xes  # DuckDB only for the record commands

    kind, target = args.export
    if kind not in EXPORT_FORMATS:
        raise UsageError(f"--export '{kind}' is not a format this version writes; formats: {', '.join(EXPORT_FORMATS)}")
    if args.check:
        raise UsageError("--check prints the findings only and --export writes a file: give one of them")
    path = Path(target)
    if path.is_dir():
        raise UsageError(f"--export {kind} {target}: that is a folder; give the file to write, e.g. record.xes")
    found = _record_source(args)
    try:
        exported = export_xes(
            _folder(args), found.folder, found.org, found.history, found.as_of, path, refuse_findings=args.strict
        )
    except OSError as err:
        raise UsageError(f"cannot write {target}: {err.strerror or err}") from None
    status = _report(exported.findings, args.strict)
    if not exported.written:
        print(f"{target} not written: with --strict the record's findings are errors", file=sys.stderr)
        return status
    if args.format == "json":
        data = {"export": kind, "file": target, "traces": exported.traces, "events": exported.events}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"wrote {exported.events} events of {exported.traces} cases to {target} ({kind})")
    return status


def _summary(measured: Measured) -> dict[str, object]:
    return {
        "as_of": measured.as_of.isoformat(),
        "rules": measured.rules,
        "cases": measured.cases,
        "left_out": dict(measured.left_out),
        "overdue": len(measured.overdue),
    }


def run_stats(args: argparse.Namespace) -> int:
    try:  # a usage error before anything is loaded
        given = parse_period(args.period) if args.period else None
    except ValueError as err:
        raise UsageError(str(err)) from None
    chosen_period: list[Period] = []

    def periods(as_of: dt.datetime, zone: dt.tzinfo) -> list[Period]:
        # the last closed quarter in the calendar's time zone (SPEC 11), not the instant's own offset
        chosen_period.append(given or last_closed(as_of.astimezone(zone).date(), quarterly=True))
        return chosen_period

    org, record = _record(args, periods, figures_only=True)
    period = chosen_period[0]
    if args.decision is not None and args.decision not in org.decisions:
        raise UsageError(f"no decision '{args.decision}'; decisions: {', '.join(sorted(org.decisions))}")
    status = _report(record.findings, args.strict)
    measured = record.measured
    chosen = [args.decision] if args.decision else sorted(org.decisions)
    figures = [measured.figures_for(d, period.label) or _empty(d, period, measured) for d in chosen]
    if args.format == "json":
        data = {
            "period": period.label,
            "as_of": measured.as_of.isoformat(),
            "rules": measured.rules,
            "decisions": [f.to_json() for f in figures],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        _stats_csv(period, figures)
    else:
        _stats_text(period, measured, figures)
    return status


def _empty(decision: str, period: Period, measured: Measured) -> DecisionFigures:
    left = int(measured.left_out.get(decision, 0))
    return DecisionFigures(decision, period.label, 0, 0, 0, 0, 0, 0, left, None, NO_PERCENTILES)


_CSV_COLUMNS = (
    "period",
    "decision",
    "stage",
    "cases",
    "on_time",
    "late",
    "open_late",
    "open",
    "withdrawn",
    "left_out",
    "on_time_rate",
    "p50_hours",
    "p80_hours",
    "p95_hours",
)


def _stats_csv(period: Period, figures: list[DecisionFigures]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for f in figures:
        hours = f.working_hours
        writer.writerow(
            [
                *(period.label, f.decision, "", f.cases, f.on_time, f.late, f.open_late, f.open, f.withdrawn),
                *(f.left_out, _csv(f.on_time_rate), _csv(hours.p50), _csv(hours.p80), _csv(hours.p95)),
            ]
        )
        for s in f.stages:
            h = s.working_hours
            writer.writerow(
                [
                    *(period.label, f.decision, s.stage, s.done, s.on_time, s.done - s.on_time, "", "", "", ""),
                    *(_csv(s.on_time_rate), _csv(h.p50), _csv(h.p80), _csv(h.p95)),
                ]
            )


def _csv(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _stats_text(period: Period, measured: Measured, figures: list[DecisionFigures]) -> None:
    print(f"{period.label}, as of {measured.as_of.isoformat()} ({measured.rules} rules)")
    for f in figures:
        rate = "too few cases" if f.on_time_rate is None else f"{f.on_time_rate:.0%} on time"
        hours = f.working_hours
        spread = f", p50/p80/p95 {hours.p50}/{hours.p80}/{hours.p95} working hours" if hours.p50 is not None else ""
        late = f.late + f.open_late
        print(f"{f.decision}: {f.cases} cases, {rate} ({f.on_time} on time, {late} late, {f.open} open){spread}")
        if f.withdrawn or f.left_out:
            print(f"  withdrawn {f.withdrawn}, left out {f.left_out}")
        bottleneck = f.bottleneck
        if bottleneck is not None:
            print(f"  bottleneck: {bottleneck.stage} ({bottleneck.over_within_hours:g} working hours over its time)")


def run_overdue(args: argparse.Namespace) -> int:
    org, record = _record(args)
    status = _report(record.findings, args.strict)
    items = record.measured.overdue
    if args.format == "json":
        print(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2))
        return status
    print(f"{len(items)} overdue as of {record.measured.as_of.isoformat()}")
    for item in items:
        decision = org.decisions.get(item.decision)
        stage = decision.stages.get(item.stage or "") if decision else None
        names = ", ".join(org.people[p].name if p in org.people else p for p in item.can_act) or "nobody can act now"
        escalate = ""
        if item.escalate_to:
            target = org.roles.get(item.escalate_to) or org.people.get(item.escalate_to)
            title = getattr(target, "title", None) or getattr(target, "name", item.escalate_to)
            escalate = f"; escalate to {title}"
        print(
            f"{item.case} {item.decision} / {stage.title if stage else item.stage}: due {item.due.isoformat()}, "
            f"{item.late_working_hours:g} working hours late; can act: {names}{escalate}"
        )
    return status


def run_track(args: argparse.Namespace) -> int:
    """The link to send one case's client, or why it has none."""
    # cryptography and the record's engine load only for this command: the queries start fast.
    from decision_paths.load.tracking import secret_problem, tracking_secret
    from decision_paths.render.tracking import tracking_path

    secret = tracking_secret()
    if secret is None:
        raise UsageError(f"{secret_problem()}; then build the client site and ask again")
    org, record = _record(args, tracking=True)
    _report(record.findings, args.strict)
    found = [t for t in record.measured.tracked if t.case == args.case]
    if len(found) != 1:
        raise UsageError(_no_link(args, org, record, len(found)))
    tracked = found[0]
    base = _client_site_url(args)
    path = tracking_path(secret, tracked.case, tracked.epoch)
    print(f"{base.rstrip('/')}/{path}" if base else path)
    if not base:
        print(
            "the client site has no site_url (mkdocs.client.yml): put the site's address before this path",
            file=sys.stderr,
        )
    closed = tracked.closed
    until = "while the case is open" if closed is None else f"until {(closed + dt.timedelta(days=90)).date()}"
    print(f"{tracked.case} ({tracked.decision}, epoch {tracked.epoch}): the page is built {until}", file=sys.stderr)
    return EXIT_OK


def _no_link(args: argparse.Namespace, org: Organisation, record: MeasuredRecord, count: int) -> str:
    """Why a case has no tracking page, in the words of the person who asked."""
    # DuckDB loads only for the record commands, like the measuring itself.
    from decision_paths.load.cases import case_events
    from decision_paths.load.files import cases_folder
    from decision_paths.model.organisation import Audience
    from decision_paths.model.tracking import EPOCHS_FILE, TRACKING_DAYS

    if count > 1:
        return f"case id '{args.case}' is used by more than one client decision: its link would not be its own"
    folder = cases_folder(_folder(args), args.cases)
    rows = case_events(folder, args.case) if folder else []
    if not rows:
        return f"no case '{args.case}' in the record ({folder}); case ids are written as in the ticket system"
    decisions = sorted({d for d, _ in rows})
    decision = org.decisions.get(decisions[0])
    if decision is None or decision.audience is not Audience.CLIENT:
        return (
            f"case '{args.case}' follows '{decisions[0]}', which is not on the client site (audience: internal): "
            "its client gets no tracking page"
        )
    if any(EPOCHS_FILE in f.loc.file for f in record.findings):
        return f"the cases folder's {EPOCHS_FILE} cannot be read, so no tracking page is built (see above)"
    last = max(at for _, at in rows)
    return (
        f"case '{args.case}' was answered or withdrawn more than {TRACKING_DAYS} days before "
        f"{record.measured.as_of.date()} (its last event: {last}), or its rows have problems "
        "(`decision-paths cases --check`): its page is no longer built"
    )


def _client_site_url(args: argparse.Namespace) -> str | None:
    """The client site's site_url, read as a build reads its configuration."""
    # MkDocs loads only for the link's address: the queries start fast.
    from decision_paths.model.organisation import Audience
    from decision_paths.pipeline.sites import Pipeline
    from decision_paths.render.site import load_site_config, quiet_third_parties

    quiet_third_parties()
    pipeline = Pipeline(_folder(args), args.today or dt.date.today(), history=False)
    with tempfile.TemporaryDirectory() as site_dir:
        config = load_site_config(pipeline, site_dir=site_dir, audience=Audience.CLIENT, report_findings=False)
    return str(config.site_url) if config.site_url else None
