"""Plan step: the model one site may show -> its pages as data (``views``) and diagrams as DOT.

Pure: nothing here reads files, runs Graphviz or knows MkDocs. The model is
already cut for the site's audience (``audience.site_view``) and ``Site``
says which kinds of page it has, so the same planner plans both sites.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from decision_paths.model import people as queries
from decision_paths.model import phrasing
from decision_paths.model.audience import PageKind, Site
from decision_paths.model.calendars import BusinessCalendar, shared_calendar
from decision_paths.model.cases import SiteRecord
from decision_paths.model.history import ChangeNote
from decision_paths.model.organisation import Decision, InputType, Organisation, Person, Role, Stage, Visibility
from decision_paths.model.promise import promise
from decision_paths.model.timeline import TimelineError
from decision_paths.plan import diagrams, workdays
from decision_paths.plan import views as v
from decision_paths.plan.calculator import calculator_view
from decision_paths.plan.feed import atom_feed
from decision_paths.plan.record import RecordPlanner
from decision_paths.plan.tracking import tracking_pages
from decision_paths.plan.urls import (
    CALENDARS_URI,
    CHANGES_URI,
    FEED_PATH,
    HIDDEN_RULES_URI,
    HOME_URI,
    MATRIX_URI,
    OVERDUE_URI,
    PEOPLE_URI,
    PROMISES_URI,
    REVIEW_URI,
    ROLES_URI,
    calendar_anchor,
    decision_uri,
    file_href,
    href,
    person_uri,
    role_uri,
)


@dataclass(frozen=True, slots=True)
class PlanOptions:
    today: dt.date
    language: str
    words: Mapping[str, str]
    use_directory_urls: bool = True
    home_exists: bool = False  # the site has its own home page (docs/index.md)
    history: tuple[ChangeNote, ...] | None = None  # as this site shows it; None: left out
    site_url: str | None = None  # for the feed's links; relative links without it
    record: SiteRecord | None = None  # the case record as this site shows it; None: no record
    # DOT sources an earlier plan made, by the digest of what each was made from (diagram_input):
    # a build after an edit, or a rebuild while serving, makes only the changed decisions' DOT.
    known_diagrams: Mapping[str, str] = field(default_factory=dict)


def plan_site(org: Organisation, options: PlanOptions, site: Site) -> v.SitePlan:
    """The pages of one site: ``org`` is already the model its audience may see
    (``audience.site_view``), ``site`` says which kinds of page it has."""
    planner = _Planner(org, options)
    kinds = set(site.pages)
    client = PageKind.CLIENT_DECISION in kinds
    home = None
    if PageKind.HOME in kinds and not client:
        home = planner.home(own_page=options.home_exists)
    record = planner.record
    return v.SitePlan(
        decisions=tuple(planner.decision_page(d) for d in org.decisions.values()) if PageKind.DECISION in kinds else (),
        client_decisions=tuple(planner.client_decision_page(d) for d in org.decisions.values()) if client else (),
        roles=tuple(planner.role_page(r) for r in org.roles.values()) if PageKind.ROLE in kinds else (),
        people=tuple(planner.person_page(p) for p in org.people.values()) if PageKind.PERSON in kinds else (),
        roles_index=planner.roles_index() if PageKind.ROLES in kinds else None,
        people_index=planner.people_index() if PageKind.PEOPLE in kinds else None,
        matrix=planner.matrix_page() if PageKind.MATRIX in kinds else None,
        review=planner.review_page() if PageKind.REVIEW in kinds else None,
        changes=planner.changes_page() if PageKind.CHANGES in kinds else None,
        home=home,
        client_home=planner.client_home() if PageKind.HOME in kinds and client and not options.home_exists else None,
        calendars=planner.calendars_page(show_ids=not client) if PageKind.CALENDARS in kinds else None,
        promises=planner.promises_page(record) if record and PageKind.PROMISES_KEPT in kinds else None,
        overdue=planner.overdue_page(record) if record and PageKind.OVERDUE in kinds else None,
        hidden_rules=planner.hidden_rules_page(record) if record and PageKind.HIDDEN_RULES in kinds else None,
        tracking=tracking_pages(options.record, org, options.words, options.language, options.use_directory_urls)
        if options.record is not None and PageKind.TRACKING in kinds
        else (),
        diagrams={d.id: planner.diagram(d) for d in org.decisions.values()} if site.diagrams else {},
        diagram_inputs={d.id: planner.diagram_input(d) for d in org.decisions.values()} if site.diagrams else {},
        nav=planner.nav(client, kinds),
        extra_files=planner.feed(),
    )


def _shown_alike(one: ChangeNote, other: ChangeNote) -> bool:
    """Whether two notes head the changes page the same way (date, author, message)."""
    return (one.when.date(), one.author, one.message) == (other.when.date(), other.author, other.message)


def anchor(text: str) -> str:
    """An id for a heading: letters, digits, '-' and '_' only (it goes into URLs unescaped)."""
    return re.sub(r"[^\w-]+", "-", text).strip("-") or "section"


@functools.lru_cache(maxsize=65536)
def one_line(text: str) -> str:
    """A plain field on one line (cached: names and titles repeat on page after page)."""
    return " ".join(text.split())


class _Planner:
    def __init__(self, org: Organisation, options: PlanOptions):
        self.org = org
        self.options = options
        self._diagram_inputs: dict[str, str] = {}
        self.w = options.words
        self._calendars: dict[str, BusinessCalendar] = {}
        self._promises: dict[str, str] = {}
        self.duties = queries.duties_by_party(org)
        self._duty_rows: dict[tuple[str, str], v.Duties] = {}
        self.notes = options.history or ()
        self._notes_by_subject: dict[str, list[ChangeNote]] = {}
        for note in self.notes:
            self._notes_by_subject.setdefault(note.subject, []).append(note)
        self.record = (
            RecordPlanner(options.record, org, options.words, options.language, self)
            if options.record is not None
            else None
        )

    # -- links and parties

    def url(self, from_uri: str, to_uri: str) -> str:
        return href(from_uri, to_uri, self.options.use_directory_urls)

    def link(self, from_uri: str, to_uri: str, text: str, fragment: str = "") -> v.Link:
        return v.Link(one_line(text), self.url(from_uri, to_uri) + (f"#{fragment}" if fragment else ""))

    def party(self, from_uri: str, party: str) -> v.Link:
        if party in self.org.roles:
            return self.link(from_uri, role_uri(party), self.org.roles[party].title)
        if party in self.org.people:
            return self.link(from_uri, person_uri(party), self.org.people[party].name)
        return v.Link(party)

    def party_name(self, party: str) -> str:
        if party in self.org.roles:
            return self.org.roles[party].title
        if party in self.org.people:
            return self.org.people[party].name
        return party

    def person_link(self, from_uri: str, person: Person) -> v.Link:
        return self.link(from_uri, person_uri(person.id), person.name)

    def party_with_people(self, from_uri: str, party: str) -> v.Party:
        """A role with the people behind it today: holders in, holders away, backups acting."""
        role = self.org.roles.get(party)
        if role is None:
            return v.Party(self.party(from_uri, party))
        standing = queries.stand_in(self.org, role, self.options.today)
        stand_ins: tuple[v.StandIn, ...] = ()
        if not standing.present and standing.backups:
            instead_of = tuple(v.Link(one_line(p.name)) for p in standing.away)  # linked once, just before
            until = max((p.away.until.isoformat() for p in standing.away if p.away), default="")
            stand_ins = tuple(
                v.StandIn(
                    self.person_link(from_uri, self.org.people[person]),
                    self.party(from_uri, via[1]) if len(via) > 1 and via[1] in self.org.roles else None,
                    instead_of,
                    until,
                )
                for person, via in queries.acting_people(self.org, party, self.options.today).items()
            )
        backups = tuple(self.party(from_uri, b) for b in standing.backups)
        today_only = bool(standing.away) or (not standing.present and bool(backups))
        return v.Party(
            self.party(from_uri, party),
            tuple(self.person_link(from_uri, p) for p in standing.present),
            tuple(v.Absent(self.person_link(from_uri, p), self.away_text(p)) for p in standing.away),
            backups,
            stand_ins,
            self.as_of if today_only else "",
        )

    @property
    def as_of(self) -> str:
        """The day what a page says of absences and stand-ins is true of: today, as the build was told."""
        return self.options.today.isoformat()

    def away_text(self, person: Person) -> str:
        return phrasing.away(person, self.w)

    def promise_text(self, decision: Decision) -> str:
        """The promise in the reader's words; cached, as role and person pages repeat it."""
        cached = self._promises.get(decision.id)
        if cached is None:
            try:
                found = promise(decision, self.business_calendar(decision), self.options.today)
            except TimelineError:  # a loop or a calendar too thin: the checks say so
                found = None
            cached = self._promises[decision.id] = phrasing.promise_text(found, self.w) if found else ""
        return cached

    def business_calendar(self, decision: Decision) -> BusinessCalendar | None:
        """One calendar object per calendar, so its holiday tables load once per plan."""
        calendar = self.org.calendar_for(decision)
        if calendar is None:
            return None
        return self._calendars.setdefault(calendar.id, shared_calendar(calendar))

    def used_calendars(self) -> dict[str, BusinessCalendar]:
        """The calendars the site's decisions count in, in the order they are defined."""
        used = {c.id for d in self.org.decisions.values() if (c := self.org.calendar_for(d)) is not None}
        return {
            cid: self._calendars.setdefault(cid, shared_calendar(cal))
            for cid, cal in self.org.calendars.items()
            if cid in used
        }

    def calendars_page(self, show_ids: bool) -> v.CalendarsView:
        return workdays.calendars_page(
            CALENDARS_URI, self.used_calendars(), self.w, self.options.language, self.options.today, show_ids
        )

    def working_days(self, decision: Decision, from_uri: str) -> v.WorkingDays | None:
        business = self.business_calendar(decision)
        if business is None:
            return None
        rule = workdays.working_day_rule(business, self.w, self.options.language, self.options.today)
        link = self.link(from_uri, CALENDARS_URI, self.w["see_calendar"], calendar_anchor(business.calendar.id))
        return v.WorkingDays(rule, link)

    def how_many(self, stage: Stage) -> str:
        return phrasing.how_many(stage, self.w)

    def stage_link(self, decision: Decision, stage_id: str) -> v.Link:
        stage = decision.stages.get(stage_id)
        return v.Link(one_line(stage.title if stage else stage_id), f"#stage-{stage_id}")

    def history(self, decision_id: str) -> tuple[v.Note, ...] | None:
        if self.options.history is None:
            return None
        return tuple(self.note(n) for n in self._notes_by_subject.get(decision_id, ()))

    def note(self, note: ChangeNote) -> v.Note:
        return v.Note(note.when.date().isoformat(), note.lines, note.author, note.message)

    # -- decision pages

    def review_status(self, decision: Decision) -> tuple[str, v.Banner | None]:
        """(short status, banner or None) for a decision's review."""
        owner = self.party_name(decision.owner.id)
        if decision.reviewed is None:
            text = self.w["never_reviewed_text"].format(owner=owner)
            return self.w["never_reviewed"], v.Banner("warning", self.w["never_reviewed"], text)
        due = decision.review_due()
        if due is not None and due < self.options.today:
            text = self.w["review_overdue_text"].format(date=due, owner=owner)
            return f"{self.w['review_overdue']} ({due})", v.Banner("danger", self.w["review_overdue"], text)
        status = self.w["reviewed_on"].format(date=decision.reviewed)
        if due is not None:
            status += "; " + self.w["review_due"].format(date=due)
        return status, None

    def calculator(self, decision: Decision) -> v.Calculator | None:
        business = self.business_calendar(decision)
        if business is None or decision.start.id not in decision.stages:
            return None
        return calculator_view(decision, business, self.w, self.options.language, self.options.today)

    def decision_page(self, decision: Decision) -> v.DecisionView:
        uri = decision_uri(decision.id)
        w = self.w
        status, banner = self.review_status(decision)
        outcomes = dict.fromkeys(s.outcome_label(o) for s in decision.stages.values() for o in s.outcomes)
        return v.DecisionView(
            uri=uri,
            title=one_line(decision.title),
            summary_markdown=decision.summary,
            promise=self.promise_text(decision),
            owner=self.party_with_people(uri, decision.owner.id),
            category=self.category_title(decision.category),
            review=status,
            review_banner=banner,
            audience=w["audience_client"] if decision.audience.value == "client" else w["audience_internal"],
            diagram=decision.id,
            stages=tuple(self.stage_row(decision, stage, uri) for stage in decision.stages.values()),
            inputs=self.input_rows(decision),
            calculator=self.calculator(decision),
            outcomes=tuple(one_line(o) for o in outcomes),
            notes_markdown=decision.notes or "",
            history=self.history(decision.id),
            working_days=self.working_days(decision, uri),
            record=self.record.decision_record(decision, uri, self.promise_text(decision)) if self.record else None,
            record_note=self.record.note() if self.record else None,
        )

    def stage_row(self, decision: Decision, stage: Stage, uri: str) -> v.StageRow:
        marks = []
        if stage.id == decision.start.id:
            marks.append(self.w["start"])
        if stage.visibility is Visibility.INTERNAL:
            marks.append(self.w["internal_stage"])
        if stage.is_final:
            marks.append(self.w["final"])
        if stage.next_stage is not None:
            following: tuple[v.Next, ...] = (v.Next(None, self.stage_link(decision, stage.next_stage.id)),)
        else:
            following = tuple(
                v.Next(phrasing.condition_text(b, decision, self.w), self.stage_link(decision, b.go.id))
                for b in stage.branches
            )
        return v.StageRow(
            id=stage.id,
            title=one_line(stage.title),
            marks=", ".join(marks),
            how_many=self.how_many(stage),
            who=tuple(self.party_with_people(uri, m.id) for m in stage.who.members),
            does=one_line(stage.does or ""),
            within=phrasing.duration_text(stage.within, self.w),
            escalate_to=self.party(uri, stage.escalate_to.id) if stage.escalate_to else None,
            next=following,
            record=self.record.stage_record(decision.id, stage.id) if self.record else None,
        )

    def input_rows(self, decision: Decision) -> tuple[v.InputRow, ...]:
        rows = []
        for item in decision.inputs.values():
            kind = self.w[item.type.value]
            if item.type is InputType.CHOICE:
                kind += ": " + ", ".join(one_line(item.option_label(o)) for o in item.options)
            elif item.unit:
                kind += f" ({one_line(item.unit)})"
            uses = []
            for stage in decision.stages.values():
                tests_it = any(c.input.id == item.id for b in stage.branches for c in b.conditions)
                for branch in stage.branches:
                    if any(c.input.id == item.id for c in branch.conditions) or (branch.otherwise and tests_it):
                        uses.append(
                            v.InputUse(
                                one_line(stage.title),
                                phrasing.condition_text(branch, decision, self.w),
                                self.stage_link(decision, branch.go.id),
                            )
                        )
            rows.append(v.InputRow(one_line(item.label), kind, tuple(uses)))
        return tuple(rows)

    def diagram_input(self, decision: Decision) -> str:
        """A digest of everything a decision's DOT is made from: the decision as read, every
        role's title and person's name (labels), the site's language and addresses, and the
        stages the record says are usually late."""
        found = self._diagram_inputs.get(decision.id)
        if found is None:
            late = sorted(self.record.usually_late(decision)) if self.record else []
            described = repr((decision, self._parties, self.options.language, self.options.use_directory_urls, late))
            found = self._diagram_inputs[decision.id] = hashlib.sha256(described.encode("utf-8")).hexdigest()
        return found

    @functools.cached_property
    def _parties(self) -> tuple[tuple[str, str], ...]:
        return tuple((r.id, r.title) for r in self.org.roles.values()) + tuple(
            (p.id, p.name) for p in self.org.people.values()
        )

    def diagram(self, decision: Decision) -> str:
        known = self.options.known_diagrams.get(self.diagram_input(decision)) if self.options.known_diagrams else None
        if known is not None:
            return known
        uri = decision_uri(decision.id)

        def party_url(party: str) -> str | None:
            if party in self.org.roles:
                return self.url(uri, role_uri(party))
            if party in self.org.people:
                return self.url(uri, person_uri(party))
            return None

        late = self.record.usually_late(decision) if self.record else frozenset()
        return diagrams.decision_dot(decision, self.org, self.w, party_url, late)

    # -- history and upkeep

    def changes_page(self, limit: int = 100) -> v.ChangesView:
        """The newest changes, one section per commit: its date, author and message once, then
        each decision it changed. Notes in a row that show the same date, author and message
        (on the client site: the same day) are one section."""
        groups: list[list[ChangeNote]] = []
        for note in self.notes[:limit]:
            if groups and _shown_alike(groups[-1][0], note):
                groups[-1].append(note)
            else:
                groups.append([note])
        commits = tuple(self.commit_changes(group) for group in groups)
        feed = file_href(CHANGES_URI, FEED_PATH, self.options.use_directory_urls)
        return v.ChangesView(
            CHANGES_URI, self.w["what_changed"], feed if self.options.history is not None else None, commits
        )

    def commit_changes(self, notes: list[ChangeNote]) -> v.CommitChanges:
        first = notes[0]
        date = first.when.date().isoformat()
        lines: dict[str, list[str]] = {}  # by subject, in the order they come
        for note in notes:
            lines.setdefault(note.subject, []).extend(note.lines)
        entries = []
        for subject, subject_lines in lines.items():
            decision = self.org.decisions.get(subject)
            title = next((n.title for n in notes if n.subject == subject), "")
            heading = v.Heading(
                3,
                anchor(f"{first.sha[:12]}-{subject}"),
                one_line(decision.title if decision else (title or self.w["shared_data"])),
                self.url(CHANGES_URI, decision_uri(subject)) if decision else None,
            )
            entries.append(v.ChangeEntry(heading, tuple(subject_lines)))
        shown = f"{date} · {one_line(first.author)}" if first.author is not None else date
        heading = v.Heading(2, anchor(f"change-{date}-{first.sha[:12]}"), shown)
        message = one_line(first.message) if first.message is not None else None
        return v.CommitChanges(heading, message, tuple(entries))

    def feed(self) -> dict[str, str]:
        if self.options.history is None:
            return {}
        items = []
        for note in self.notes[:50]:
            decision = self.org.decisions.get(note.subject)
            title = decision.title if decision else (note.title or self.w["shared_data"])
            # from the site's root, where the feed is: relative, so it holds under any sub-path
            link = self.url(HOME_URI, decision_uri(note.subject) if decision else CHANGES_URI)
            items.append((note.sha, note.subject, note.when, title, link, note.lines, note.author))
        changes = self.url(HOME_URI, CHANGES_URI)  # the page the feed mirrors (every site with history has it)
        feed = atom_feed(self.w["what_changed"], self.options.site_url, items, self_href=FEED_PATH, page_href=changes)
        return {FEED_PATH: feed}

    def review_page(self) -> v.ReviewView:
        return v.ReviewView(REVIEW_URI, self.w["review_status"], self.review_rows(REVIEW_URI))

    def review_rows(self, from_uri: str) -> tuple[v.ReviewRow, ...]:
        """Paths overdue for review or never reviewed, with their owners."""
        rows = []
        for decision in sorted(self.org.decisions.values(), key=lambda d: (d.review_due() or dt.date.min, d.id)):
            status, banner = self.review_status(decision)
            if banner:
                rows.append(
                    v.ReviewRow(
                        self.link(from_uri, decision_uri(decision.id), decision.title),
                        self.party_with_people(from_uri, decision.owner.id),
                        status,
                    )
                )
        return tuple(rows)

    # -- roles and people

    def duty_rows(self, uri: str, party: str) -> v.Duties:
        # The rows link only to decision pages, and every person (or role) page reaches
        # those by the same relative path, so the rows are worked out once per party and path.
        if uri.startswith("decisions/"):
            raise ValueError("a decision page would link its own rows differently")
        key = (self.url(uri, decision_uri("\0")), party)
        if key not in self._duty_rows:
            self._duty_rows[key] = self._make_duty_rows(uri, party)
        return self._duty_rows[key]

    def _make_duty_rows(self, uri: str, party: str) -> v.Duties:
        approves: list[v.DutyRow] = []
        owns: list[v.OwnedRow] = []
        escalations: list[v.DutyRow] = []
        for duty in self.duties.get(party, ()):
            target = decision_uri(duty.decision.id)
            decision_link = self.link(uri, target, duty.decision.title)
            if duty.stage is None:
                owns.append(v.OwnedRow(decision_link, self.promise_text(duty.decision)))
                continue
            row = v.DutyRow(
                decision_link,
                self.link(uri, target, duty.stage.title, f"stage-{duty.stage.id}"),
                self.how_many(duty.stage).rstrip(":\uff1a "),
                phrasing.duration_text(duty.stage.within, self.w),
                on_time=self.record.stage_on_time(duty.decision.id, duty.stage.id) if self.record else "",
            )
            (approves if duty.kind == "approves" else escalations).append(row)
        return v.Duties(tuple(approves), tuple(owns), tuple(escalations))

    def role_page(self, role: Role) -> v.RoleView:
        uri = role_uri(role.id)
        today = self.options.today
        standing = queries.stand_in(self.org, role, today)
        holders = tuple(
            v.Absent(self.person_link(uri, p), self.away_text(p) if p.is_away(today) else "")
            for p in queries.holders(self.org, role)
        )
        acting = tuple(self.party(uri, b) for b in standing.backups) if not standing.present else ()
        uncovered = not standing.covered and bool(role.held_by)
        return v.RoleView(
            uri=uri,
            title=one_line(role.title),
            visibility=self.w["visibility_internal" if role.visibility is Visibility.INTERNAL else "visibility_client"],
            holders=holders,
            backups=tuple(self.party(uri, b.id) for b in role.backup),
            standing_in=acting,
            standing_in_title=self.w["stands_in"].format(names="").rstrip(" .。"),
            uncovered=self.w["nobody_stands_in"].format(role=role.title) if uncovered else "",
            duties=self.duty_rows(uri, role.id),
            as_of=self.as_of,
            record_note=self.record.note() if self.record else None,
            overdue=self.record.overdue_rows(uri, self.record.overdue_for_role(role.id)) if self.record else (),
        )

    def person_page(self, person: Person) -> v.PersonView:
        uri = person_uri(person.id)
        w = self.w
        today = self.options.today
        roles = queries.roles_of(self.org, person)
        away_now, stand_ins, away_later = "", [], ""
        if person.away is not None and person.is_away(today):
            for role in roles:
                standing = queries.stand_in(self.org, role, today)
                if standing.present:
                    names = tuple(self.person_link(uri, p) for p in standing.present)
                elif standing.backups:
                    names = tuple(self.party(uri, b) for b in standing.backups)
                else:
                    stand_ins.append(v.StandInLine(None, (), w["nobody_stands_in"].format(role=role.title)))
                    continue
                stand_ins.append(v.StandInLine(self.link(uri, role_uri(role.id), role.title), names))
            away_now = w["away_now"].format(start=person.away.start, until=person.away.until)
        elif person.away is not None and person.away.until >= today:
            away_later = self.away_text(person)
        email = person.email or ""
        return v.PersonView(
            uri=uri,
            title=one_line(person.name),
            left=not person.active,
            email=email,
            email_link="@" in email and " " not in email,
            away_now=away_now,
            stand_ins=tuple(stand_ins),
            away_later=away_later,
            roles=tuple(self.link(uri, role_uri(r.id), r.title) for r in roles),
            backup_for=tuple(self.link(uri, role_uri(r.id), r.title) for r in queries.backup_for(self.org, person.id)),
            duties=self.person_duties(uri, person, roles),
            standing_in_for=tuple(
                self.link(uri, role_uri(r.id), r.title)
                for r in self.backing_up(person, roles)
                if person.id in queries.acting_people(self.org, r.id, today)
                and not queries.stand_in(self.org, r, today).present
            ),
            as_of=self.as_of,
            record_note=self.record.note() if self.record else None,
            overdue=self.record.overdue_rows(uri, self.record.overdue_for_person(person.id)) if self.record else (),
        )

    def backing_up(self, person: Person, roles: list[Role]) -> list[Role]:
        """The roles a person is a backup for: named directly, or through a role they hold."""
        found = {r.id: r for r in queries.backup_for(self.org, person.id)}
        for own in roles:
            found.update({r.id: r for r in queries.backup_for(self.org, own.id)})
        return list(found.values())

    def person_duties(self, uri: str, person: Person, roles: list[Role]) -> v.Duties:
        """What a person does, in one list each: directly, through each role held (saying which),
        and as a backup (saying for whom)."""
        sources = [(person.id, "")] + [(r.id, one_line(r.title)) for r in roles]
        for role in self.backing_up(person, roles):
            sources.append((role.id, self.w["backup_for_role"].format(role=one_line(role.title))))
        approves: list[v.DutyRow] = []
        owns: list[v.OwnedRow] = []
        escalations: list[v.DutyRow] = []
        for party, acting_as in sources:
            rows = self.duty_rows(uri, party)
            approves += [dataclasses.replace(r, acting_as=acting_as) for r in rows.approves]
            owns += [dataclasses.replace(r, acting_as=acting_as) for r in rows.owns]
            escalations += [dataclasses.replace(r, acting_as=acting_as) for r in rows.escalations]
        return v.Duties(tuple(approves), tuple(owns), tuple(escalations))

    def roles_index(self) -> v.RolesIndexView:
        rows = []
        for role in self.org.roles.values():
            rows.append(
                v.RoleIndexRow(
                    self.link(ROLES_URI, role_uri(role.id), role.title),
                    tuple(self.person_link(ROLES_URI, p) for p in queries.holders(self.org, role)),
                    sum(1 for d in self.duties.get(role.id, ()) if d.kind == "approves"),
                )
            )
        return v.RolesIndexView(ROLES_URI, self.w["roles"], tuple(rows))

    def people_index(self) -> v.PeopleIndexView:
        rows = []
        for person in self.org.people.values():
            if not person.active:
                status = self.w["left"]
            elif person.is_away(self.options.today):
                status = self.away_text(person)
            else:
                status = self.w["present"]
            roles = tuple(self.link(PEOPLE_URI, role_uri(r.id), r.title) for r in queries.roles_of(self.org, person))
            rows.append(v.PersonIndexRow(self.person_link(PEOPLE_URI, person), roles, status))
        return v.PeopleIndexView(PEOPLE_URI, self.w["people"], tuple(rows), self.as_of)

    def matrix_page(self) -> v.MatrixView:
        """Decisions x roles: which stage(s) each role decides, and in what time."""
        used = [r for r in self.org.roles.values() if any(d.kind == "approves" for d in self.duties.get(r.id, ()))]
        direct = sorted(
            {
                m.id
                for d in self.org.decisions.values()
                for s in d.stages.values()
                for m in s.who.members
                if m.id in self.org.people
            }
        )
        parties = [r.id for r in used] + direct
        rows = []
        for decision in self.org.decisions.values():
            target = decision_uri(decision.id)
            cells = tuple(
                tuple(
                    v.MatrixCell(
                        self.link(MATRIX_URI, target, s.title, f"stage-{s.id}"),
                        phrasing.duration_text(s.within, self.w),
                    )
                    for s in decision.stages.values()
                    if any(m.id == party for m in s.who.members)
                )
                for party in parties
            )
            rows.append(v.MatrixRow(self.link(MATRIX_URI, target, decision.title), cells))
        columns = tuple(self.party(MATRIX_URI, party) for party in parties)
        holders = tuple(
            tuple(
                self.person_link(MATRIX_URI, self.org.people[ref.id])
                for ref in self.org.roles[party].held_by
                if ref.id in self.org.people
            )
            if party in self.org.roles
            else ()
            for party in parties
        )
        people = []
        for person in self.org.people.values():
            held = {r.id for r in queries.roles_of(self.org, person)}
            mine = tuple(i for i, party in enumerate(parties) if party == person.id or party in held)
            if mine:
                people.append(v.MatrixPerson(self.person_link(MATRIX_URI, person), mine))
        return v.MatrixView(MATRIX_URI, self.w["matrix"], columns, tuple(rows), holders, tuple(people))

    # -- home and navigation

    def category_title(self, category: str) -> str:
        return one_line(self.org.category_title(category)) or self.w["uncategorised"]

    def categories(self) -> dict[str, list[Decision]]:
        grouped: dict[str, list[Decision]] = {}
        for decision in sorted(self.org.decisions.values(), key=lambda d: (d.category, d.title)):
            grouped.setdefault(decision.category, []).append(decision)
        return grouped

    def home(self, own_page: bool) -> v.HomeView:
        """Every decision by category with owner, promise and review status, after links to
        the other indexes; on a home page of its own, or under the one the site wrote."""
        links = tuple(
            self.link(HOME_URI, uri, self.w[key])
            for uri, key in (
                (ROLES_URI, "roles"),
                (PEOPLE_URI, "people"),
                (MATRIX_URI, "matrix"),
                (CHANGES_URI, "what_changed"),
                (REVIEW_URI, "review_status"),
                *(self.record_pages() if self.record else ()),
            )
        )
        categories = tuple(
            v.Category(
                v.Heading(3, anchor(f"category-{category or 'uncategorised'}"), self.category_title(category)),
                tuple(
                    v.CatalogueRow(
                        self.link(HOME_URI, decision_uri(d.id), d.title),
                        self.party(HOME_URI, d.owner.id),
                        self.promise_text(d),
                        self.review_status(d)[0],
                    )
                    for d in decisions
                ),
            )
            for category, decisions in self.categories().items()
        )
        return v.HomeView(HOME_URI, self.w["home"], own_page, links, self.review_rows(HOME_URI), categories)

    def record_pages(self) -> tuple[tuple[str, str], ...]:
        """(address, title key) of the pages the case record adds to the internal site."""
        return ((PROMISES_URI, "promises_kept"), (OVERDUE_URI, "overdue_now"), (HIDDEN_RULES_URI, "hidden_rules"))

    def nav(self, client: bool, kinds: set[PageKind] | None = None) -> list[Any]:
        w = self.w
        if client:
            return [
                {w["decisions"]: [decision_uri(d.id) for d in self.by_title()]},
                {w["what_changed"]: CHANGES_URI},
                {w["calendars"]: CALENDARS_URI},
            ]
        decisions = [{self.category_title(c): [decision_uri(d.id) for d in ds]} for c, ds in self.categories().items()]
        return [
            {w["decisions"]: decisions},
            # One page per role and person stays out of the menu (hundreds at scale);
            # the index pages, search and every mention link to them.
            {w["roles"]: ROLES_URI},
            {w["people"]: PEOPLE_URI},
            {w["matrix"]: MATRIX_URI},
            {w["what_changed"]: CHANGES_URI},
            {w["review_status"]: REVIEW_URI},
            {w["calendars"]: CALENDARS_URI},
            *self.record_nav(kinds or set()),
        ]

    def record_nav(self, kinds: set[PageKind]) -> list[Any]:
        if self.record is None:
            return []
        shown = {
            PROMISES_URI: PageKind.PROMISES_KEPT,
            OVERDUE_URI: PageKind.OVERDUE,
            HIDDEN_RULES_URI: PageKind.HIDDEN_RULES,
        }
        pages = [{self.w[key]: uri} for uri, key in self.record_pages() if shown[uri] in kinds]
        return [{self.w["case_record"]: pages}] if pages else []

    # -- the case record's pages

    def promises_page(self, record: RecordPlanner) -> v.PromisesView:
        rows = tuple(record.decision_record(d, PROMISES_URI, self.promise_text(d)) for d in self.by_title())
        return v.PromisesView(PROMISES_URI, self.w["promises_kept"], record.note(), self.w["record_definition"], rows)

    def overdue_page(self, record: RecordPlanner) -> v.OverdueView:
        return v.OverdueView(OVERDUE_URI, self.w["overdue_now"], record.note(), record.overdue_rows(OVERDUE_URI))

    def hidden_rules_page(self, record: RecordPlanner) -> v.HiddenRulesView:
        return v.HiddenRulesView(
            HIDDEN_RULES_URI,
            self.w["hidden_rules"],
            record.note(),
            self.w["hidden_rules_intro"],
            record.kinds(),
            record.deviation_sections(HIDDEN_RULES_URI),
        )

    # -- the client site

    def by_title(self) -> list[Decision]:
        return sorted(self.org.decisions.values(), key=lambda d: d.title)

    def client_decision_page(self, decision: Decision) -> v.ClientDecisionView:
        w = self.w
        steps = []
        for stage in decision.stages.values():
            names = ", ".join(self.org.roles[m.id].title for m in stage.who.members if m.id in self.org.roles)
            how = self.how_many(stage)
            late = stage.escalate_to.id if stage.escalate_to is not None else None
            steps.append(
                v.Step(
                    id=stage.id,
                    title=one_line(stage.title),
                    who=one_line(f"{how} {names}" if how else names),
                    within=phrasing.duration_text(stage.within, self.w),
                    if_late=one_line(self.org.roles[late].title)
                    if late is not None and late in self.org.roles
                    else None,
                    branches=tuple(
                        f"{phrasing.condition_text(b, decision, w)} → {one_line(decision.stages[b.go.id].title)}"
                        for b in stage.branches
                        if b.go.id in decision.stages
                    ),
                    outcomes=", ".join(one_line(stage.outcome_label(o)) for o in stage.outcomes),
                )
            )
        return v.ClientDecisionView(
            uri=decision_uri(decision.id),
            title=one_line(decision.title),
            summary_markdown=decision.summary,
            client_notes_markdown=decision.client_notes or "",
            promise=self.promise_text(decision),
            steps=tuple(steps),
            calculator=self.calculator(decision),
            history=self.history(decision.id),
            contact=one_line(self.org.client_contact or ""),
            working_days=self.working_days(decision, decision_uri(decision.id)),
            published=self.record.published(decision) if self.record else None,
        )

    def client_home(self) -> v.ClientHomeView:
        rows = tuple(
            v.ClientHomeRow(self.link(HOME_URI, decision_uri(d.id), d.title), self.promise_text(d))
            for d in self.by_title()
        )
        return v.ClientHomeView(HOME_URI, self.w["home"], rows)
