"""The pipeline: a decisions folder -> findings -> history -> one site's plan.

The one entry point that the commands, ``serve`` and the MkDocs plugin call.
Each step runs once per ``Pipeline`` and is kept in the build cache, keyed by
everything it reads, so a build with nothing changed runs none of them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from decision_paths.load.files import cases_folder, read_sources, scan_folder
from decision_paths.load.history import blob_id, read_history, repository_state
from decision_paths.load.timestamps import source_date_epoch
from decision_paths.load.tracking import secret_problem
from decision_paths.model.audience import SITES, site_history, site_record, site_view
from decision_paths.model.cases import SiteRecord, shown_periods
from decision_paths.model.findings import Finding
from decision_paths.model.history import History
from decision_paths.model.organisation import Audience, Decision, Organisation
from decision_paths.model.tracking import SECRET_VARIABLE
from decision_paths.model.words import words
from decision_paths.pipeline.validate import Validation, validate_folder
from decision_paths.store import cache

if TYPE_CHECKING:
    from decision_paths.pipeline.record import MeasuredRecord
    from decision_paths.plan.views import SitePlan


@dataclass(frozen=True)
class CheckedFolder:
    """A folder's findings, from the build cache when none of its files changed.
    The model is loaded only if a later step needs it (a cached plan does not)."""

    folder: str
    today: dt.date
    version: str  # of the files and the date: later steps key their caches on it
    findings: tuple[Finding, ...]
    file_count: int
    sources: Mapping[str, bytes] | None = None  # the files as read, so a later load sees the same bytes
    validation: Validation | None = None  # when checked just now
    refused: tuple[Finding, ...] = ()  # links the scan did not follow
    zone: str = "UTC"  # the default calendar's time zone (the case record's 'as of' is in it)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    @functools.cached_property
    def org(self) -> Organisation:
        return (self.validation or validate_folder(self.folder, self.today, self.sources, self.refused)).org


@dataclass(frozen=True, slots=True)
class _StoredCheck:
    files: int
    findings: tuple[Finding, ...]
    zone: str = "UTC"


def check_folder(folder: str, today: dt.date) -> CheckedFolder:
    """``validate_folder`` for builds: the findings come from the cache when the files are unchanged."""
    scan = scan_folder(folder)
    sources = read_sources(folder, scan)
    if sources is None:  # a file cannot be read: the loader says which, every time
        result = validate_folder(folder, today)
        zone = default_zone(result.org)
        return CheckedFolder(folder, today, "", result.findings, len(result.org.files), None, result, zone=zone)
    links = [[f.loc.file, f.rule.code] for f in scan.refused]  # a new bad link is a change too
    version = cache.key("check", folder, today.isoformat(), cache.sources_version(sources), links)
    stored = cache.read("check", version, _StoredCheck)
    if stored is not None:
        return CheckedFolder(
            folder, today, version, stored.findings, stored.files, sources, None, scan.refused, stored.zone
        )
    result = validate_folder(folder, today, sources, scan.refused)
    zone = default_zone(result.org)
    cache.write("check", version, _StoredCheck(len(result.org.files), result.findings, zone))
    return CheckedFolder(
        folder, today, version, result.findings, len(result.org.files), sources, result, scan.refused, zone
    )


def default_zone(org: Organisation) -> str:
    """The time zone of the default calendar (else of the first one, else UTC)."""
    calendar = org.calendars.get(org.defaults.calendar.id) if org.defaults.calendar is not None else None
    if calendar is None and org.calendars:
        calendar = next(iter(org.calendars.values()))
    if calendar is None:
        return "UTC"
    try:
        return ZoneInfo(calendar.timezone.id).key
    except (ValueError, ZoneInfoNotFoundError):  # the checks report it
        return "UTC"


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """What the site's configuration says that the plan depends on."""

    language: str
    use_directory_urls: bool = True
    home_exists: bool = False  # the site has its own home page (docs/index.md)
    site_url: str | None = None


class Pipeline:
    """One decisions folder on one day, through every step, each step at most once.

    A command that builds both sites makes one pipeline, so the folder is checked
    and the history read once for both."""

    def __init__(
        self,
        folder: str,
        today: dt.date,
        *,
        history: bool = True,
        cases: str | None = None,
        fixed_today: bool = False,
    ):
        """``cases``: the case record's folder (default: cases/ beside ``folder``);
        ``fixed_today``: today was given (--today), so the record is measured as of its end."""
        self.folder = folder
        self.today = today
        self.with_history = history
        self.cases = cases
        self.fixed_today = fixed_today
        self._histories: dict[str, History | None] = {}
        self._notices: list[str] = []
        self._record: tuple[MeasuredRecord | None, SiteRecord | None, str] | None = None

    @functools.cached_property
    def checked(self) -> CheckedFolder:
        return check_folder(self.folder, self.today)

    @property
    def notices(self) -> tuple[str, ...]:
        """What the sites leave out and why (say, no history in a shallow clone)."""
        return tuple(self._notices)

    def history(self, language: str) -> History | None:
        """The change history in ``language``'s words, or None when it is left out."""
        if language not in self._histories:
            found = self._read_history(words(language)) if self.with_history else None
            if found is not None and found.warning:
                if found.warning not in self._notices:  # once, whichever languages read it
                    self._notices.append(found.warning)
                found = None
            self._histories[language] = found
        return self._histories[language]

    def _read_history(self, language_words: Mapping[str, str]) -> History:
        state = repository_state(self.folder)
        key = cache.key("history", os.path.abspath(self.folder), state, dict(language_words)) if state else ""
        found = cache.read("history", key, History) if key else None
        if found is None:
            found = read_history(self.folder, language_words, lambda: _loaded_decisions(self.checked))
            if key:
                cache.write("history", key, found)
        return found

    def build_time(self, language: str) -> dt.datetime:
        """When the site was last changed: SOURCE_DATE_EPOCH if set, else the newest commit
        touching the decisions, so the same commit builds the same bytes."""
        if "SOURCE_DATE_EPOCH" in os.environ:
            with contextlib.suppress(ValueError):
                return dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.UTC)
        found = self.history(language)
        if found is not None and found.last_change is not None:
            return found.last_change.astimezone(dt.UTC)
        return dt.datetime.fromtimestamp(source_date_epoch(self.folder), dt.UTC)

    def record_as_of(self) -> dt.datetime:
        """The instant the case record is measured at: the end of today when today was given
        (in the default calendar's zone, so tests and rebuilds of a day agree), else the
        build time (SPEC 11): SOURCE_DATE_EPOCH, or the newest commit touching the decisions
        or the record, so the same commit builds the same bytes. A daily reminder build sets
        SOURCE_DATE_EPOCH (or runs `overdue --now`) to measure at the moment it runs."""
        if self.fixed_today:
            return dt.datetime.combine(self.today, dt.time(23, 59, 59), ZoneInfo(self.checked.zone))
        moment = self.build_time("en")
        if "SOURCE_DATE_EPOCH" in os.environ:
            return moment
        folder = cases_folder(self.folder, self.cases)
        if folder is not None:  # the record changes without the decisions: its own commits count
            moment = max(moment, dt.datetime.fromtimestamp(source_date_epoch(folder), dt.UTC))
        return moment

    def record(self, language: str = "en") -> MeasuredRecord | None:
        """The case record measured against the rules, once per pipeline (both sites share
        it); None when there is no cases folder. ``language``: of the history to read when
        none has been read yet (the versions that judge the cases are the same in every language)."""
        return self._measured(language)[0]

    def site_record(self, language: str = "en") -> SiteRecord | None:
        """The record with the periods the pages show (before it is cut for an audience)."""
        return self._measured(language)[1]

    def _measured(self, language: str) -> tuple[MeasuredRecord | None, SiteRecord | None, str]:
        if self._record is None:
            folder = cases_folder(self.folder, self.cases)
            self._record = (None, None, "")
            if folder is not None:
                # DuckDB loads only when there is a record to measure.
                from decision_paths.pipeline.record import measure_record

                as_of = self.record_as_of()
                zone = self.checked.zone
                months, quarters = shown_periods(as_of.astimezone(ZoneInfo(zone)).date())
                problem = secret_problem()  # None: a usable secret, so tracking pages are built
                if problem and os.environ.get(SECRET_VARIABLE) and problem not in self._notices:
                    self._notices.append(problem)  # set, but too short to use
                found = measure_record(
                    self.folder,
                    folder,
                    lambda: self.checked.org,
                    self.history(language),
                    as_of,
                    [*months, *quarters],
                    self.checked.version,
                    tracking=problem is None,
                )
                shown = SiteRecord(found.measured, zone, months, quarters)
                self._record = (found, shown, cache.key("site-record", shown))
        return self._record

    def plan_key(self, audience: Audience, settings: SiteSettings) -> str:
        """What the plan depends on, hashed ('' when the files could not all be read: no caching).
        Later steps that work from the plan key their own caches on it."""
        if not self.checked.version:
            return ""
        history = self.history(settings.language)
        record = self._measured(settings.language)[2]
        return cache.key("plan", self.checked.version, audience, self.today, settings, history, record)

    def plan(
        self, audience: Audience, settings: SiteSettings, known_diagrams: Mapping[str, str] | None = None
    ) -> SitePlan:
        """The site plan for one audience, from the build cache when the files, settings,
        history and code are unchanged. ``known_diagrams``: DOT sources of an earlier plan by
        what they were made from (SitePlan.diagram_inputs), which need not be made again."""
        # The planner (Graphviz's library, forty page types) loads only when a site is planned:
        # the queries start fast.
        from decision_paths.plan.pages import PlanOptions, plan_site
        from decision_paths.plan.views import SitePlan

        checked = self.checked
        history = self.history(settings.language)
        key = self.plan_key(audience, settings)
        cached = cache.read("plan", key, SitePlan) if key else None
        if cached is not None:
            return cached
        language_words = words(settings.language)
        view = site_view(checked.org, audience, language_words)
        record = self.site_record(settings.language)
        options = PlanOptions(
            self.today,
            settings.language,
            language_words,
            settings.use_directory_urls,
            settings.home_exists,
            None if history is None else site_history(history, audience, view),
            settings.site_url,
            None if record is None else site_record(record, audience, view, language_words),
            known_diagrams=known_diagrams or {},
        )
        plan = plan_site(view, options, SITES[audience])
        if key:
            cache.write("plan", key, plan)
        return plan


def _loaded_decisions(checked: CheckedFolder) -> dict[tuple[str, str], Decision]:
    """The decisions of the working tree by (path in the folder, git blob id): the history
    need not load again the versions it shares with the working tree (all, in a fresh clone)."""
    if checked.sources is None:
        return {}
    by_path = {d.file: d for d in checked.org.decisions.values()}
    return {
        (os.path.relpath(path, checked.folder).replace(os.sep, "/"), blob_id(data)): by_path[path]
        for path, data in checked.sources.items()
        if path in by_path
    }
