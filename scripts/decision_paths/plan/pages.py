"""Plan step: the model (already filtered for one audience) -> pages and diagrams.

Pure: nothing here reads files, runs Graphviz or knows MkDocs; the MkDocs
plugin turns the plan into site pages. Generated pages are written as
finished HTML (with their headings for the table of contents), so the build
never runs Markdown over thousands of generated tables and links. Every
plain-text field goes through ``text.html_text`` and every Markdown field
through ``text.markdown_block``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from decision_paths.model import people as queries
from decision_paths.model.audience import PageKind, Site
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.history import ChangeNote
from decision_paths.model.organisation import (
    Decision,
    InputType,
    Organisation,
    Person,
    Role,
    Stage,
    Visibility,
    WhoMode,
)
from decision_paths.model.promise import promise
from decision_paths.plan import diagrams
from decision_paths.plan.calculator import calculator_html
from decision_paths.plan.feed import atom_feed
from decision_paths.render.text import html_text as esc
from decision_paths.render.text import markdown_block

# Raw HTML too large to go through search indexing (diagram SVG, calculator)
# stands in the page as a comment; the plugin puts it in the finished page.
DIAGRAM_SLOT = "<!-- decision-paths:diagram -->"
CALCULATOR_SLOT = "<!-- decision-paths:calculator -->"


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1-6
    id: str  # the anchor, unique in its page
    html: str  # the heading's text, as HTML


@dataclass(frozen=True, slots=True)
class PlannedPage:
    src_uri: str  # e.g. "decisions/refund-request.md"
    title: str  # plain text
    html: str  # the page body, finished HTML
    headings: tuple[Heading, ...] = ()  # in page order, for the table of contents
    diagram: str | None = None  # decision id whose SVG replaces DIAGRAM_SLOT
    blocks: Mapping[str, str] = dataclasses.field(default_factory=dict)  # slot comment -> raw HTML


@dataclass(frozen=True, slots=True)
class SitePlan:
    pages: tuple[PlannedPage, ...]
    diagrams: Mapping[str, str]  # decision id -> DOT source
    nav: list[Any]  # MkDocs nav entries for the generated pages
    extra_files: Mapping[str, str] = dataclasses.field(default_factory=dict)  # e.g. the Atom feed
    # Added under the home page the user wrote themselves (docs/index.md), if any.
    home_catalogue: PlannedPage | None = None


@dataclass(frozen=True, slots=True)
class PlanOptions:
    today: dt.date
    language: str
    words: Mapping[str, str]
    use_directory_urls: bool = True
    home_exists: bool = False  # the user wrote their own docs/index.md
    history: tuple[ChangeNote, ...] | None = None  # as this site shows it; None: left out
    site_url: str | None = None  # for the feed's links; relative links without it
    # The heading permalink as the site's `toc` extension writes it: (text as HTML, title, class), or None.
    permalink: tuple[str, str, str] | None = ("&para;", "Permanent link", "headerlink")


def decision_uri(decision_id: str) -> str:
    return f"decisions/{decision_id}.md"


def role_uri(role_id: str) -> str:
    return f"roles/{role_id}.md"


def person_uri(person_id: str) -> str:
    return f"people/{person_id}.md"


HOME_URI = "index.md"
CHANGES_URI = "changes.md"
REVIEW_URI = "review.md"
FEED_PATH = "feed.xml"
MATRIX_URI = "matrix.md"
ROLES_URI = "roles/index.md"
PEOPLE_URI = "people/index.md"


@functools.lru_cache(maxsize=65536)
def href(from_uri: str, to_uri: str, directory_urls: bool) -> str:
    """The URL of generated page ``to_uri`` as written in page ``from_uri`` (both .md paths),
    exactly as MkDocs would write a Markdown link between them."""
    here = _page_url(from_uri, directory_urls)
    base = here if directory_urls else posixpath.dirname(here)
    target = _page_url(to_uri, directory_urls)
    return _relative(base, target) + ("/" if directory_urls else "")


def file_href(from_uri: str, path: str, directory_urls: bool) -> str:
    """The URL of a plain site file (say, the feed) from page ``from_uri``."""
    here = _page_url(from_uri, directory_urls)
    return _relative(here if directory_urls else posixpath.dirname(here), path)


def _relative(base: str, target: str) -> str:
    """posixpath.relpath for the site's own normalised relative paths, without its
    file-system work (it runs for every one of the tens of thousands of links)."""
    base_parts = [p for p in base.split("/") if p not in ("", ".")]
    target_parts = [p for p in target.split("/") if p not in ("", ".")]
    common = 0
    while common < min(len(base_parts), len(target_parts)) and base_parts[common] == target_parts[common]:
        common += 1
    return "/".join([".."] * (len(base_parts) - common) + target_parts[common:]) or "."


def _page_url(uri: str, directory_urls: bool) -> str:
    """The URL MkDocs gives a page, as a path: 'roles/x.md' -> 'roles/x' (or 'roles/x.html')."""
    stem = uri[:-3]
    if directory_urls:
        if stem == "index" or stem.endswith("/index"):  # not 'price-index'
            return stem[: -len("index")].rstrip("/") or "."
        return stem
    return stem + ".html"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], css_class: str = "") -> str:
    """A table from cells that are already HTML."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    opening = f'<table class="{css_class}">' if css_class else "<table>"
    return f"{opening}\n<thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody>\n</table>"


def bullets(items: Iterable[str], tag: str = "ul") -> str:
    return f"<{tag}>\n" + "".join(f"<li>{item}</li>\n" for item in items) + f"</{tag}>"


def admonition(kind: str, title: str, body_html: str = "") -> str:
    """An admonition as Python-Markdown's `admonition` extension writes it (Material styles it)."""
    return (
        f'<div class="admonition {kind}">\n<p class="admonition-title">{esc(title)}</p>\n'
        f"{body_html}{chr(10) if body_html else ''}</div>"
    )


def paragraph(html: str) -> str:
    return f"<p>{html}</p>"


class _Body:
    """One page being written: its HTML parts and its headings."""

    def __init__(self, permalink: tuple[str, str, str] | None):
        self.parts: list[str] = []
        self.headings: list[Heading] = []
        self.permalink = permalink
        self._ids: set[str] = set()

    def add(self, *html: str) -> None:
        self.parts.extend(h for h in html if h)

    def heading(self, level: int, anchor: str, text_html: str) -> None:
        # Letters, digits, '-' and '_' only: the anchor goes into URLs and attributes unescaped.
        anchor = re.sub(r"[^\w-]+", "-", anchor).strip("-") or "section"
        unique, n = anchor, 1
        while unique in self._ids:
            n += 1
            unique = f"{anchor}-{n}"
        self._ids.add(unique)
        link = ""
        if self.permalink is not None:
            text, title, css_class = self.permalink
            link = f'<a class="{esc(css_class)}" href="#{esc(unique)}" title="{esc(title)}">{text}</a>'
        self.headings.append(Heading(level, unique, text_html))
        self.parts.append(f'<h{level} id="{esc(unique)}">{text_html}{link}</h{level}>')

    def page(
        self, src_uri: str, title: str, diagram: str | None = None, blocks: Mapping[str, str] | None = None
    ) -> PlannedPage:
        return PlannedPage(
            src_uri, title, "\n".join(self.parts) + "\n", tuple(self.headings), diagram, dict(blocks or {})
        )


def plan_site(org: Organisation, options: PlanOptions, site: Site) -> SitePlan:
    """The pages of one site: ``org`` is already the model its audience may see
    (``audience.site_view``), ``site`` says which kinds of page it has."""
    planner = _Planner(org, options)
    kinds = set(site.pages)
    pages: list[PlannedPage] = []
    if PageKind.DECISION in kinds:
        pages += [planner.decision_page(d) for d in org.decisions.values()]
    if PageKind.CLIENT_DECISION in kinds:
        pages += [planner.client_decision_page(d) for d in org.decisions.values()]
    if PageKind.ROLE in kinds:
        pages += [planner.role_page(r) for r in org.roles.values()]
    if PageKind.PERSON in kinds:
        pages += [planner.person_page(p) for p in org.people.values()]
    if PageKind.ROLES in kinds:
        pages.append(planner.roles_index())
    if PageKind.PEOPLE in kinds:
        pages.append(planner.people_index())
    if PageKind.MATRIX in kinds:
        pages.append(planner.matrix_page())
    if PageKind.REVIEW in kinds:
        pages.append(planner.review_page())
    if PageKind.CHANGES in kinds:
        pages.append(planner.changes_page())
    catalogue = None
    if PageKind.HOME in kinds:
        if PageKind.CLIENT_DECISION in kinds:
            if not options.home_exists:
                pages.append(planner.client_home_page())
        elif options.home_exists:
            body = planner.body()
            planner.home_catalogue(body)
            catalogue = body.page(HOME_URI, options.words["home"])
        else:
            pages.append(planner.home_page())
    dots = {d.id: planner.diagram(d) for d in org.decisions.values()} if site.diagrams else {}
    return SitePlan(tuple(pages), dots, planner.nav(kinds), planner.feed(), catalogue)


class _Planner:
    def __init__(self, org: Organisation, options: PlanOptions):
        self.org = org
        self.options = options
        self.w = options.words
        self._calendars: dict[str, BusinessCalendar] = {}
        self._promises: dict[str, str] = {}
        self.duties = queries.duties_by_party(org)
        self._duty_rows: dict[tuple[str, str], dict[str, list[tuple[str, ...]]]] = {}
        self.notes = options.history or ()
        self._notes_by_subject: dict[str, list[ChangeNote]] = {}
        for note in self.notes:
            self._notes_by_subject.setdefault(note.subject, []).append(note)

    def body(self) -> _Body:
        return _Body(self.options.permalink)

    def calculator(self, body: _Body, decision: Decision) -> dict[str, str]:
        """The date calculator section (its heading and slot; its HTML is returned for the
        slot), or nothing when the decision has no calendar."""
        calendar = self.org.calendar_for(decision)
        if calendar is None or decision.start.id not in decision.stages:
            return {}
        business = self._calendars.setdefault(calendar.id, BusinessCalendar(calendar))
        body.heading(2, "calculator", esc(self.w["calculator"]))
        body.add(CALCULATOR_SLOT)
        return {CALCULATOR_SLOT: calculator_html(decision, business, self.w, self.options.today)}

    # -- links

    def url(self, from_uri: str, to_uri: str) -> str:
        return href(from_uri, to_uri, self.options.use_directory_urls)

    def link(self, from_uri: str, to_uri: str, text: str, anchor: str = "") -> str:
        """A link between generated pages (``anchor``, if any, is a stage anchor)."""
        fragment = f"#{esc(anchor)}" if anchor else ""
        return f'<a href="{self.url(from_uri, to_uri)}{fragment}">{esc(text)}</a>'

    def party(self, from_uri: str, party: str) -> str:
        if party in self.org.roles:
            return self.link(from_uri, role_uri(party), self.org.roles[party].title)
        if party in self.org.people:
            return self.link(from_uri, person_uri(party), self.org.people[party].name)
        return esc(party)

    def party_with_people(self, from_uri: str, party: str) -> str:
        """A role with the people behind it today, e.g. 'Finance controller (陈静 away → Finance manager)'."""
        role = self.org.roles.get(party)
        if role is None:
            return self.party(from_uri, party)
        standing = queries.stand_in(self.org, role, self.options.today)
        names = [self.link(from_uri, person_uri(p.id), p.name) for p in standing.present]
        names += [self.link(from_uri, person_uri(p.id), p.name) + f" ({esc(self.away_text(p))})" for p in standing.away]
        if standing.backups:
            names.append("→ " + ", ".join(self.party(from_uri, b) for b in standing.backups))
        people = f" ({', '.join(names)})" if names else ""
        return self.party(from_uri, party) + people

    def away_text(self, person: Person) -> str:
        if person.away is None:
            return ""
        return self.w["away"].format(start=person.away.start, until=person.away.until)

    def duration_units(self, unit: str) -> str:
        return self.w.get(f"unit_{unit}", unit)

    def promise_text(self, decision: Decision) -> str:
        """The promise in the reader's words; cached, as role and person pages repeat it."""
        cached = self._promises.get(decision.id)
        if cached is None:
            found = promise(decision)
            cached = self._promises[decision.id] = found.describe(self.duration_units) if found else ""
        return cached

    def how_many(self, stage: Stage) -> str:
        """'all of', 'any of', 'at least 2 of' in the reader's words ('' for a single approver)."""
        if stage.who.mode is WhoMode.ONE:
            return ""
        key = {WhoMode.ALL: "all_of", WhoMode.ANY: "any_of"}.get(stage.who.mode, "at_least_of")
        return self.w[key].format(n=stage.who.needed)

    # -- decision pages

    def review_status(self, decision: Decision) -> tuple[str, str]:
        """(short status, admonition HTML or '') for a decision's review."""
        owner = (
            self.org.roles[decision.owner.id].title
            if decision.owner.id in self.org.roles
            else self.org.people[decision.owner.id].name
            if decision.owner.id in self.org.people
            else decision.owner.id
        )
        if decision.reviewed is None:
            text = self.w["never_reviewed_text"].format(owner=owner)
            return self.w["never_reviewed"], admonition("warning", self.w["never_reviewed"], paragraph(esc(text)))
        due = decision.review_due()
        if due is not None and due < self.options.today:
            text = self.w["review_overdue_text"].format(date=due, owner=owner)
            return (
                f"{self.w['review_overdue']} ({due})",
                admonition("danger", self.w["review_overdue"], paragraph(esc(text))),
            )
        status = self.w["reviewed_on"].format(date=decision.reviewed)
        if due is not None:
            status += "; " + self.w["review_due"].format(date=due)
        return status, ""

    def decision_page(self, decision: Decision) -> PlannedPage:
        uri = decision_uri(decision.id)
        w = self.w
        status, banner = self.review_status(decision)
        audience = w["audience_client"] if decision.audience.value == "client" else w["audience_internal"]
        body = self.body()
        body.heading(1, "top", esc(decision.title))
        body.add(banner, markdown_block(decision.summary))
        body.add(
            bullets(
                [
                    f"<strong>{esc(w['promise'])}</strong>: <strong>{esc(self.promise_text(decision))}</strong>",
                    f"<strong>{esc(w['owner'])}</strong>: {self.party_with_people(uri, decision.owner.id)}",
                    f"<strong>{esc(w['category'])}</strong>: {esc(self.category_title(decision.category))}",
                    f"<strong>{esc(w['review'])}</strong>: {esc(status)}",
                    f"<strong>{esc(w['audience'])}</strong>: {esc(audience)}",
                ]
            )
        )
        body.heading(2, "diagram", esc(w["diagram"]))
        body.add(DIAGRAM_SLOT)
        body.heading(2, "stages", esc(w["stages"]))
        body.add(self.stage_table(decision, uri))
        if decision.inputs:
            body.heading(2, "inputs", esc(w["inputs"]))
            body.add(self.inputs_table(decision))
        blocks = self.calculator(body, decision)
        outcomes = [o for s in decision.stages.values() for o in s.outcomes]
        if outcomes:
            body.heading(2, "outcomes", esc(w["outcomes"]))
            body.add(bullets(esc(o) for o in dict.fromkeys(outcomes)))
        if decision.notes:
            body.heading(2, "notes", esc(w["notes"]))
            body.add(markdown_block(decision.notes))
        self.history_section(body, decision.id)
        return body.page(uri, decision.title, diagram=decision.id, blocks=blocks)

    # -- history and upkeep

    def note_html(self, note: ChangeNote) -> str:
        head = f"<strong>{note.when.date().isoformat()}</strong>"
        if note.author is not None:
            head += f" · {esc(note.author)}: {esc(note.message or '')}"
        return head + ("\n" + bullets(esc(c) for c in note.lines) if note.lines else "")

    def history_section(self, body: _Body, decision_id: str) -> None:
        if self.options.history is None:
            return
        entries = self._notes_by_subject.get(decision_id, [])
        body.heading(2, "history", esc(self.w["history"]))
        if not entries:
            body.add(paragraph(esc(self.w["no_history"])))
            return
        body.add(bullets(self.note_html(e) for e in entries))

    def changes_page(self, limit: int = 100) -> PlannedPage:
        w = self.w
        body = self.body()
        body.heading(1, "top", esc(w["what_changed"]))
        body.add(paragraph(esc(w["what_changed_intro"])))
        if self.options.history is not None:
            feed = file_href(CHANGES_URI, FEED_PATH, self.options.use_directory_urls)
            body.add(paragraph(f'<a href="{feed}">{esc(w["subscribe"])}</a>'))
        entries = self.notes[:limit]
        if not entries:
            body.add(paragraph(esc(w["no_history"])))
        for entry in entries:
            if entry.subject in self.org.decisions:
                title = self.link(CHANGES_URI, decision_uri(entry.subject), self.org.decisions[entry.subject].title)
            else:
                title = esc(entry.title or w["shared_data"])
            body.heading(3, f"{entry.sha[:12]}-{entry.subject}", title)
            body.add(bullets([self.note_html(entry)]))
        return body.page(CHANGES_URI, w["what_changed"])

    def feed(self) -> dict[str, str]:
        if self.options.history is None:
            return {}
        items = []
        for entry in self.notes[:50]:
            title = (
                self.org.decisions[entry.subject].title
                if entry.subject in self.org.decisions
                else (entry.title or self.w["shared_data"])
            )
            link = (
                _page_url(decision_uri(entry.subject), self.options.use_directory_urls)
                if entry.subject in self.org.decisions
                else _page_url(CHANGES_URI, self.options.use_directory_urls)
            )
            items.append((entry.sha, entry.subject, entry.when, title, link, entry.lines, entry.author))
        return {FEED_PATH: atom_feed(self.w["what_changed"], self.options.site_url, items)}

    def review_page(self) -> PlannedPage:
        w = self.w
        body = self.body()
        body.heading(1, "top", esc(w["review_status"]))
        body.add(paragraph(esc(w["review_status_intro"])))
        body.add(self.review_table(REVIEW_URI) or paragraph(esc(w["all_reviewed"])))
        return body.page(REVIEW_URI, w["review_status"])

    def review_table(self, from_uri: str) -> str:
        """Paths overdue for review or never reviewed, with their owners ('' when none)."""
        w = self.w
        rows = []
        for decision in sorted(self.org.decisions.values(), key=lambda d: (d.review_due() or dt.date.min, d.id)):
            status, banner = self.review_status(decision)
            if banner:
                rows.append(
                    (
                        self.link(from_uri, decision_uri(decision.id), decision.title),
                        self.party_with_people(from_uri, decision.owner.id),
                        esc(status),
                    )
                )
        if not rows:
            return ""
        return table((esc(w["decision"]), esc(w["owner"]), esc(w["review"])), rows)

    def who_cell(self, stage: Stage, uri: str) -> str:
        members = "<br>".join(self.party_with_people(uri, m.id) for m in stage.who.members)
        how = self.how_many(stage)
        return f"{esc(how)}<br>{members}" if how else members

    def stage_table(self, decision: Decision, uri: str) -> str:
        w = self.w
        rows = []
        for stage in decision.stages.values():
            marks = []
            if stage.id == decision.start.id:
                marks.append(w["start"])
            if stage.visibility is Visibility.INTERNAL:
                marks.append(w["internal_stage"])
            if stage.is_final:
                marks.append(w["final"])
            label = f'<span id="stage-{esc(stage.id)}"></span><strong>{esc(stage.title)}</strong>'
            if marks:
                label += f" <small>({esc(', '.join(marks))})</small>"
            escalate = self.party(uri, stage.escalate_to.id) if stage.escalate_to else ""
            rows.append(
                (
                    label,
                    self.who_cell(stage, uri),
                    esc(stage.does or ""),
                    esc(stage.within.text),
                    escalate,
                    self.next_cell(decision, stage),
                )
            )
        header = [esc(w[k]) for k in ("stage", "who", "does", "within", "escalate_to", "next")]
        return table(header, rows)

    def next_cell(self, decision: Decision, stage: Stage) -> str:
        if stage.next_stage is not None:
            return self.stage_link(decision, stage.next_stage.id)
        return "<br>".join(
            f"{esc(diagrams.condition_text(b, decision, self.w))} → {self.stage_link(decision, b.go.id)}"
            for b in stage.branches
        )

    def stage_link(self, decision: Decision, stage_id: str) -> str:
        stage = decision.stages.get(stage_id)
        return f'<a href="#stage-{esc(stage_id)}">{esc(stage.title if stage else stage_id)}</a>'

    def inputs_table(self, decision: Decision) -> str:
        w = self.w
        rows = []
        for item in decision.inputs.values():
            kind = w[item.type.value]
            if item.type is InputType.CHOICE:
                kind += ": " + ", ".join(item.options)
            uses = []
            for stage in decision.stages.values():
                for branch in stage.branches:
                    if branch.otherwise or any(c.input.id == item.id for c in branch.conditions):
                        if branch.otherwise and not any(
                            c.input.id == item.id for b in stage.branches for c in b.conditions
                        ):
                            continue
                        uses.append(
                            f"{esc(stage.title)}: {esc(diagrams.condition_text(branch, decision, w))} "
                            f"→ {self.stage_link(decision, branch.go.id)}"
                        )
            rows.append((esc(item.label), esc(kind), "<br>".join(uses)))
        return table((esc(w["input"]), esc(w["type"]), esc(w["paths"])), rows)

    def diagram(self, decision: Decision) -> str:
        uri = decision_uri(decision.id)

        def party_url(party: str) -> str | None:
            if party in self.org.roles:
                return self.url(uri, role_uri(party))
            if party in self.org.people:
                return self.url(uri, person_uri(party))
            return None

        return diagrams.decision_dot(decision, self.org, self.w, party_url)

    # -- roles and people

    def duty_rows(self, uri: str, party: str) -> dict[str, list[tuple[str, ...]]]:
        # The rows link only to decision pages, and every person (or role) page reaches
        # those by the same relative path, so the rows are worked out once per party and path.
        if uri.startswith("decisions/"):
            raise ValueError("a decision page would link its own rows differently")
        key = (self.url(uri, decision_uri("\0")), party)
        if key not in self._duty_rows:
            self._duty_rows[key] = self._make_duty_rows(uri, party)
        return self._duty_rows[key]

    def _make_duty_rows(self, uri: str, party: str) -> dict[str, list[tuple[str, ...]]]:
        rows: dict[str, list[tuple[str, ...]]] = {"approves": [], "owns": [], "escalation": []}
        for duty in self.duties.get(party, ()):
            target = decision_uri(duty.decision.id)
            decision_link = self.link(uri, target, duty.decision.title)
            if duty.stage is None:
                rows["owns"].append((decision_link, esc(self.promise_text(duty.decision))))
                continue
            stage_link = self.link(uri, target, duty.stage.title, anchor=f"stage-{duty.stage.id}")
            rows[duty.kind].append(
                (
                    decision_link,
                    stage_link,
                    esc(self.how_many(duty.stage).rstrip(":\uff1a ")),
                    esc(duty.stage.within.text),
                )
            )
        return rows

    def duty_header(self) -> tuple[str, ...]:
        return tuple(esc(self.w[k]) for k in ("decision", "stage", "how", "within"))

    def duties_sections(self, body: _Body, uri: str, party: str) -> None:
        w = self.w
        rows = self.duty_rows(uri, party)
        none = paragraph(esc(w["no_items"]))
        body.heading(2, "approves", esc(w["approves"]))
        body.add(table(self.duty_header(), rows["approves"]) if rows["approves"] else none)
        body.heading(2, "owns", esc(w["owns"]))
        body.add(table((esc(w["decision"]), esc(w["promise"])), rows["owns"]) if rows["owns"] else none)
        body.heading(2, "escalations", esc(w["escalations"]))
        body.add(table(self.duty_header(), rows["escalation"]) if rows["escalation"] else none)

    def role_page(self, role: Role) -> PlannedPage:
        uri = role_uri(role.id)
        w = self.w
        standing = queries.stand_in(self.org, role, self.options.today)
        people = []
        for person in queries.holders(self.org, role):
            state = f" ({esc(self.away_text(person))})" if person.is_away(self.options.today) else ""
            people.append(f"{self.link(uri, person_uri(person.id), person.name)}{state}")
        body = self.body()
        body.heading(1, "top", esc(role.title))
        body.add(
            paragraph(
                esc(w["visibility_internal"] if role.visibility is Visibility.INTERNAL else w["visibility_client"])
            )
        )
        body.heading(2, "holders", esc(w["holders"]))
        body.add(bullets(people) if people else paragraph(esc(w["no_items"])))
        if role.backup:
            body.heading(2, "backups", esc(w["backups"]))
            body.add(bullets(self.party(uri, b.id) for b in role.backup))
        if not standing.present and standing.backups:
            names = ", ".join(self.party(uri, b) for b in standing.backups)
            body.add(admonition("info", w["stands_in"].format(names="").rstrip(" .。"), paragraph(names)))
        elif not standing.covered and role.held_by:
            body.add(admonition("warning", w["nobody_stands_in"].format(role=role.title)))
        self.duties_sections(body, uri, role.id)
        return body.page(uri, role.title)

    def person_page(self, person: Person) -> PlannedPage:
        uri = person_uri(person.id)
        w = self.w
        body = self.body()
        body.heading(1, "top", esc(person.name))
        if not person.active:
            body.add(admonition("note", w["left"]))
        if person.email:
            value = esc(person.email)
            if "@" in person.email and " " not in person.email:
                value = f'<a href="mailto:{value}">{value}</a>'
            body.add(paragraph(f"{esc(w['email'])}: {value}"))
        if person.away is not None and person.is_away(self.options.today):
            standing_in = []
            for role in queries.roles_of(self.org, person):
                standing = queries.stand_in(self.org, role, self.options.today)
                if standing.present:
                    names = ", ".join(self.link(uri, person_uri(p.id), p.name) for p in standing.present)
                elif standing.backups:
                    names = ", ".join(self.party(uri, b) for b in standing.backups)
                else:
                    standing_in.append(esc(w["nobody_stands_in"].format(role=role.title)))
                    continue
                standing_in.append(f"{self.link(uri, role_uri(role.id), role.title)}: {names}")
            away_now = w["away_now"].format(start=person.away.start, until=person.away.until)
            body.add(admonition("warning", away_now, bullets(standing_in) if standing_in else ""))
        elif person.away is not None and person.away.until >= self.options.today:
            body.add(paragraph(esc(self.away_text(person))))
        roles = queries.roles_of(self.org, person)
        body.heading(2, "roles-held", esc(w["roles_held"]))
        body.add(
            bullets(self.link(uri, role_uri(r.id), r.title) for r in roles) if roles else paragraph(esc(w["no_items"]))
        )
        standing_for = queries.backup_for(self.org, person.id)
        if standing_for:
            body.heading(2, "backup-for", esc(w["backup_for"]))
            body.add(bullets(self.link(uri, role_uri(r.id), r.title) for r in standing_for))
        # Everything the person approves: directly, and through each role they hold.
        self.duties_sections(body, uri, person.id)
        for role in roles:
            rows = self.duty_rows(uri, role.id)["approves"]
            if rows:
                body.heading(3, f"approves-{role.id}", f"{esc(w['approves'])}: {esc(role.title)}")
                body.add(table(self.duty_header(), rows))
        return body.page(uri, person.name)

    def roles_index(self) -> PlannedPage:
        w = self.w
        rows = []
        for role in self.org.roles.values():
            holders = ", ".join(self.link(ROLES_URI, person_uri(p.id), p.name) for p in queries.holders(self.org, role))
            count = sum(1 for d in self.duties.get(role.id, ()) if d.kind == "approves")
            rows.append((self.link(ROLES_URI, role_uri(role.id), role.title), holders, str(count)))
        body = self.body()
        body.heading(1, "top", esc(w["roles"]))
        body.add(table((esc(w["role"]), esc(w["holders"]), esc(w["approves"])), rows))
        return body.page(ROLES_URI, w["roles"])

    def people_index(self) -> PlannedPage:
        w = self.w
        rows = []
        for person in self.org.people.values():
            roles = ", ".join(
                self.link(PEOPLE_URI, role_uri(r.id), r.title) for r in queries.roles_of(self.org, person)
            )
            if not person.active:
                status = w["left"]
            elif person.is_away(self.options.today):
                status = self.away_text(person)
            else:
                status = w["present"]
            rows.append((self.link(PEOPLE_URI, person_uri(person.id), person.name), roles, esc(status)))
        body = self.body()
        body.heading(1, "top", esc(w["people"]))
        body.add(table((esc(w["person"]), esc(w["roles_held"]), esc(w["status"])), rows))
        return body.page(PEOPLE_URI, w["people"])

    def matrix_page(self) -> PlannedPage:
        """Decisions x roles: which stage(s) each role decides, and in what time."""
        w = self.w
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
        columns = [(r.id, self.link(MATRIX_URI, role_uri(r.id), r.title)) for r in used]
        columns += [(p, self.link(MATRIX_URI, person_uri(p), self.org.people[p].name)) for p in direct]
        rows = []
        for decision in self.org.decisions.values():
            target = decision_uri(decision.id)
            cells = [self.link(MATRIX_URI, target, decision.title)]
            for party, _ in columns:
                stages = [s for s in decision.stages.values() if any(m.id == party for m in s.who.members)]
                cells.append(
                    "<br>".join(
                        f"{self.link(MATRIX_URI, target, s.title, anchor=f'stage-{s.id}')} ({esc(s.within.text)})"
                        for s in stages
                    )
                )
            rows.append(cells)
        body = self.body()
        body.heading(1, "top", esc(w["matrix"]))
        body.add(
            f'<input class="dp-filter md-input" type="search" data-dp-filter="dp-matrix" '
            f'placeholder="{esc(w["filter"])}" aria-label="{esc(w["filter"])}">',
            '<div class="dp-matrix">',
            table([esc(w["decision"]), *(c[1] for c in columns)], rows),
            "</div>",
        )
        return body.page(MATRIX_URI, w["matrix"])

    # -- home and navigation

    def category_title(self, category: str) -> str:
        return category or self.w["uncategorised"]

    def categories(self) -> dict[str, list[Decision]]:
        grouped: dict[str, list[Decision]] = {}
        for decision in sorted(self.org.decisions.values(), key=lambda d: (d.category, d.title)):
            grouped.setdefault(decision.category, []).append(decision)
        return grouped

    def home_page(self) -> PlannedPage:
        """What the site is, then every decision by category with owner, promise and review status."""
        w = self.w
        body = self.body()
        body.heading(1, "top", esc(w["home"]))
        body.add(paragraph(esc(w["intro"])), paragraph(w["search_hint"]))  # the hint holds a <kbd>
        self.home_catalogue(body)
        return body.page(HOME_URI, w["home"])

    def home_catalogue(self, body: _Body) -> None:
        w = self.w
        links = [
            (ROLES_URI, "roles"),
            (PEOPLE_URI, "people"),
            (MATRIX_URI, "matrix"),
            (CHANGES_URI, "what_changed"),
            (REVIEW_URI, "review_status"),
        ]
        body.add(paragraph(" · ".join(self.link(HOME_URI, uri, w[key]) for uri, key in links)))
        review = self.review_table(HOME_URI)
        if review:
            body.heading(2, "review", esc(w["review_status"]))
            body.add(review)
        body.heading(2, "decisions", esc(w["all_decisions"]))
        header = tuple(esc(w[k]) for k in ("decision", "owner", "promise", "review"))
        for category, decisions in self.categories().items():
            body.heading(3, f"category-{category or 'uncategorised'}", esc(self.category_title(category)))
            body.add(
                table(
                    header,
                    [
                        (
                            self.link(HOME_URI, decision_uri(d.id), d.title),
                            self.party(HOME_URI, d.owner.id),
                            esc(self.promise_text(d)),
                            esc(self.review_status(d)[0]),
                        )
                        for d in decisions
                    ],
                )
            )

    def nav(self, kinds: set[PageKind]) -> list[Any]:
        # Titles in the menu are written as HTML by the theme: escaped here.
        w = {key: esc(value) for key, value in self.w.items()}
        if PageKind.CLIENT_DECISION in kinds:
            return [
                {w["decisions"]: [decision_uri(d.id) for d in self.ordered()]},
                {w["what_changed"]: CHANGES_URI},
            ]
        decisions = [
            {esc(self.category_title(c)): [decision_uri(d.id) for d in ds]} for c, ds in self.categories().items()
        ]
        return [
            {w["decisions"]: decisions},
            # One page per role and person stays out of the menu (hundreds at scale);
            # the index pages, search and every mention link to them.
            {w["roles"]: ROLES_URI},
            {w["people"]: PEOPLE_URI},
            {w["matrix"]: MATRIX_URI},
            {w["what_changed"]: CHANGES_URI},
            {w["review_status"]: REVIEW_URI},
        ]

    # -- the client site
    def ordered(self) -> list[Decision]:
        return sorted(self.org.decisions.values(), key=lambda d: d.title)

    def roles_text(self, stage: Stage) -> str:
        names = ", ".join(self.org.roles[m.id].title for m in stage.who.members if m.id in self.org.roles)
        how = self.how_many(stage)
        return f"{esc(how)} {esc(names)}" if how else esc(names)

    def client_decision_page(self, decision: Decision) -> PlannedPage:
        w = self.w
        body = self.body()
        body.heading(1, "top", esc(decision.title))
        body.add(markdown_block(decision.summary))
        if decision.client_notes:
            body.add(markdown_block(decision.client_notes))
        body.add(paragraph(f"<strong>{esc(w['promise'])}: {esc(self.promise_text(decision))}</strong>"))
        body.heading(2, "steps", esc(w["steps"]))
        steps = []
        for stage in decision.stages.values():
            details = [self.roles_text(stage), f"{esc(w['within'])} {esc(stage.within.text)}"]
            if stage.escalate_to is not None and stage.escalate_to.id in self.org.roles:
                details.append(f"{esc(w['if_late'])}: {esc(self.org.roles[stage.escalate_to.id].title)}")
            step = f'<li id="stage-{esc(stage.id)}"><strong>{esc(stage.title)}</strong><br>{" · ".join(details)}'
            if stage.branches:
                step += "<br>" + "<br>".join(
                    f"{esc(diagrams.condition_text(b, decision, w))} → {esc(decision.stages[b.go.id].title)}"
                    for b in stage.branches
                    if b.go.id in decision.stages
                )
            if stage.outcomes:
                step += f"<br>{esc(w['outcomes'])}: {esc(', '.join(stage.outcomes))}"
            steps.append(step + "</li>")
        body.add('<ol class="dp-steps">', *steps, "</ol>")
        blocks = self.calculator(body, decision)
        self.history_section(body, decision.id)
        return body.page(decision_uri(decision.id), decision.title, blocks=blocks)

    def client_home_page(self) -> PlannedPage:
        w = self.w
        body = self.body()
        body.heading(1, "top", esc(w["home"]))
        body.add(paragraph(esc(w["client_intro"])))
        body.add(
            table(
                (esc(w["decision"]), esc(w["promise"])),
                [(self.link(HOME_URI, decision_uri(d.id), d.title), esc(self.promise_text(d))) for d in self.ordered()],
            )
        )
        return body.page(HOME_URI, w["home"])
