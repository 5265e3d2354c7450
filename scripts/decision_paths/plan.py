"""Plan step: the model (already filtered for one audience) -> pages and diagrams.

Pure: nothing here reads files, runs Graphviz or knows MkDocs; the MkDocs
plugin turns the plan into site files. Every plain-text field goes through
``text.plain`` and every Markdown field through ``text.markdown_block``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import posixpath
import re
from dataclasses import dataclass
from typing import Mapping

from decision_paths import diagrams, queries
from decision_paths.calculator import calculator_html
from decision_paths.calendars import BusinessCalendar
from decision_paths.feed import atom_feed
from decision_paths.history import Entry, History
from decision_paths.model import Decision, InputType, Organisation, Person, Role, Stage, Visibility, WhoMode
from decision_paths.text import markdown_block, plain

# Raw HTML too large to send through Markdown (diagram SVG, calculator) stands in
# the page as a comment; the plugin puts it in place in the finished HTML.
DIAGRAM_SLOT = "<!-- decision-paths:diagram -->"
CALCULATOR_SLOT = "<!-- decision-paths:calculator -->"


@dataclass(frozen=True, slots=True)
class PlannedPage:
    src_uri: str  # e.g. "decisions/refund-request.md"
    title: str
    markdown: str
    diagram: str | None = None  # decision id whose SVG replaces DIAGRAM_SLOT
    blocks: Mapping[str, str] = dataclasses.field(default_factory=dict)  # slot comment -> raw HTML
    # Tables, already HTML, put in place before search indexing (so they are searchable)
    tables: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SitePlan:
    pages: tuple[PlannedPage, ...]
    diagrams: Mapping[str, str]  # decision id -> DOT source
    nav: list  # MkDocs nav entries for the generated pages
    extra_files: Mapping[str, str] = dataclasses.field(default_factory=dict)  # e.g. the Atom feed


@dataclass(frozen=True, slots=True)
class PlanOptions:
    today: dt.date
    language: str
    words: Mapping[str, str]
    use_directory_urls: bool = True
    home_exists: bool = False  # the user wrote their own docs/index.md
    history: History | None = None
    site_url: str | None = None  # for the feed's links; relative links without it


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


_TABLE_RULE = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def with_html_tables(page: PlannedPage, directory_urls: bool) -> PlannedPage:
    """The page with each generated Markdown table replaced by a slot and its HTML.

    Generated tables hold tens of thousands of links on a large site; turning
    them into HTML here (their cells are only escaped text, links, bold and
    <br>) spares Python-Markdown most of the build time.
    """
    lines = page.markdown.split("\n")
    kept: list[str] = []
    tables: dict[str, str] = {}
    index = 0
    while index < len(lines):
        if lines[index].startswith("|") and index + 1 < len(lines) and _TABLE_RULE.match(lines[index + 1]):
            end = index + 2
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            slot = f"<!-- decision-paths:table-{len(tables)} -->"
            tables[slot] = _table_html(lines[index], lines[index + 2:end], page.src_uri, directory_urls)
            kept.append(slot)
            index = end
        else:
            kept.append(lines[index])
            index += 1
    return dataclasses.replace(page, markdown="\n".join(kept), tables=tables)


def _table_html(header: str, rows: list[str], src_uri: str, directory_urls: bool) -> str:
    def cells(line: str) -> list[str]:
        return [_inline(cell.strip(), src_uri, directory_urls) for cell in line.strip().strip("|").split("|")]

    head = "".join(f"<th>{c}</th>" for c in cells(header))
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in cells(row)) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody>\n</table>"


def _inline(text: str, src_uri: str, directory_urls: bool) -> str:
    def link(match: re.Match[str]) -> str:
        target, _, anchor = match.group(2).partition("#")
        href = _href(src_uri, target, directory_urls) if target else ""
        return f'<a href="{href}{"#" + anchor if anchor else ""}">{match.group(1)}</a>'

    return _BOLD.sub(r"<strong>\1</strong>", _LINK.sub(link, text))


@functools.lru_cache(maxsize=65536)
def _md_target(from_uri: str, to_uri: str) -> str:
    """A Markdown link target from one generated page to another (both .md paths)."""
    return _relative(posixpath.dirname(from_uri), to_uri)


@functools.lru_cache(maxsize=65536)
def _href(src_uri: str, target: str, directory_urls: bool) -> str:
    """The final URL of a link to ``target`` (a .md path relative to ``src_uri``), as MkDocs would write it."""
    page = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), target))
    here = _page_url(src_uri, directory_urls)
    base = here if directory_urls else posixpath.dirname(here)
    return _relative(base, _page_url(page, directory_urls)) + ("/" if directory_urls else "")


def _relative(base: str, target: str) -> str:
    """posixpath.relpath for the site's own normalised relative paths, without its
    file-system work (it runs for every one of the tens of thousands of links)."""
    base_parts = [p for p in base.split("/") if p not in ("", ".")]
    target_parts = [p for p in target.split("/") if p not in ("", ".")]
    common = 0
    while common < min(len(base_parts), len(target_parts)) and base_parts[common] == target_parts[common]:
        common += 1
    return "/".join([".."] * (len(base_parts) - common) + target_parts[common:]) or "."


def plan_site(org: Organisation, options: PlanOptions) -> SitePlan:
    planner = _Planner(org, options)
    pages = [
        *(planner.decision_page(d) for d in org.decisions.values()),
        *(planner.role_page(r) for r in org.roles.values()),
        *(planner.person_page(p) for p in org.people.values()),
        planner.roles_index(),
        planner.people_index(),
        planner.matrix_page(),
        planner.review_page(),
        planner.changes_page(client=False),
    ]
    if not options.home_exists:
        pages.append(PlannedPage(HOME_URI, options.words["home"], planner.home_markdown(with_title=True)))
    dots = {d.id: planner.diagram(d) for d in org.decisions.values()}
    pages = [with_html_tables(p, options.use_directory_urls) for p in pages]
    return SitePlan(tuple(pages), dots, planner.nav(), planner.feed(client=False))


def home_catalogue(org: Organisation, options: PlanOptions) -> str:
    """The catalogue appended to a home page the user wrote themselves."""
    return _Planner(org, options).home_markdown(with_title=False)


class _Planner:
    def __init__(self, org: Organisation, options: PlanOptions):
        self.org = org
        self.options = options
        self.w = options.words
        self._calendars: dict[str, BusinessCalendar] = {}
        self._promises: dict[str, str] = {}
        self.duties = queries.duties_by_party(org)

    def calculator(self, decision: Decision) -> tuple[list[str], dict[str, str]]:
        """The date calculator section (its heading, and its HTML for the slot), or nothing
        when the decision has no calendar."""
        calendar = self.org.calendar_for(decision)
        if calendar is None or decision.start.id not in decision.stages:
            return [], {}
        business = self._calendars.setdefault(calendar.id, BusinessCalendar(calendar))
        return (["", f"## {plain(self.w['calculator'])}", "", CALCULATOR_SLOT],
                {CALCULATOR_SLOT: calculator_html(decision, business, self.w, self.options.today)})

    # -- links

    def link(self, from_uri: str, to_uri: str, text: str) -> str:
        """A Markdown link between generated pages; MkDocs checks and rewrites it."""
        target = _md_target(from_uri, to_uri)
        return f"[{plain(text)}]({target})"

    def url(self, from_uri: str, to_uri: str) -> str:
        """A final URL for raw HTML (diagrams), which MkDocs does not rewrite."""
        return _href(from_uri, _md_target(from_uri, to_uri), self.options.use_directory_urls)

    def party(self, from_uri: str, party: str) -> str:
        if party in self.org.roles:
            return self.link(from_uri, role_uri(party), self.org.roles[party].title)
        if party in self.org.people:
            return self.link(from_uri, person_uri(party), self.org.people[party].name)
        return plain(party)

    def party_with_people(self, from_uri: str, party: str) -> str:
        """A role with the people behind it today, e.g. 'Finance controller (陈静 away → Finance manager)'."""
        role = self.org.roles.get(party)
        if role is None:
            return self.party(from_uri, party)
        standing = queries.stand_in(self.org, role, self.options.today)
        names = [self.link(from_uri, person_uri(p.id), p.name) for p in standing.present]
        names += [self.link(from_uri, person_uri(p.id), p.name) + f" ({plain(self.w['away'].format(start=p.away.start, until=p.away.until))})"  # type: ignore[union-attr]
                  for p in standing.away]
        if standing.backups:
            names.append("→ " + ", ".join(self.party(from_uri, b) for b in standing.backups))
        people = f" ({', '.join(names)})" if names else ""
        return self.party(from_uri, party) + people

    def duration_units(self, unit: str) -> str:
        return self.w.get(f"unit_{unit}", unit)

    def promise_text(self, decision: Decision) -> str:
        """The promise in the reader's words; cached, as role and person pages repeat it."""
        cached = self._promises.get(decision.id)
        if cached is None:
            found = queries.promise(decision)
            cached = self._promises[decision.id] = found.describe(self.duration_units) if found else ""
        return cached

    # -- decision pages

    def review_status(self, decision: Decision) -> tuple[str, str]:
        """(short status, admonition Markdown or '') for a decision's review."""
        owner = self.org.roles[decision.owner.id].title if decision.owner.id in self.org.roles else \
            self.org.people[decision.owner.id].name if decision.owner.id in self.org.people else decision.owner.id
        if decision.reviewed is None:
            text = self.w["never_reviewed_text"].format(owner=owner)
            return self.w["never_reviewed"], f'!!! warning "{plain(self.w["never_reviewed"])}"\n    {plain(text)}\n'
        due = decision.review_due()
        if due is not None and due < self.options.today:
            text = self.w["review_overdue_text"].format(date=due, owner=owner)
            return (f"{self.w['review_overdue']} ({due})",
                    f'!!! danger "{plain(self.w["review_overdue"])}"\n    {plain(text)}\n')
        status = self.w["reviewed_on"].format(date=decision.reviewed)
        if due is not None:
            status += "; " + self.w["review_due"].format(date=due)
        return status, ""

    def decision_page(self, decision: Decision) -> PlannedPage:
        uri = decision_uri(decision.id)
        w = self.w
        status, banner = self.review_status(decision)
        audience = w["audience_client"] if decision.audience.value == "client" else w["audience_internal"]
        lines = [
            f"# {plain(decision.title)}",
            "",
            banner,
            markdown_block(decision.summary),
            "",
            f"- **{plain(w['promise'])}**: **{plain(self.promise_text(decision))}**",
            f"- **{plain(w['owner'])}**: {self.party_with_people(uri, decision.owner.id)}",
            f"- **{plain(w['category'])}**: {plain(self.category_title(decision.category))}",
            f"- **{plain(w['review'])}**: {plain(status)}",
            f"- **{plain(w['audience'])}**: {plain(audience)}",
            "",
            f"## {plain(w['diagram'])}",
            "",
            DIAGRAM_SLOT,
            "",
            f"## {plain(w['stages'])}",
            "",
            self.stage_table(decision, uri),
        ]
        if decision.inputs:
            lines += ["", f"## {plain(w['inputs'])}", "", self.inputs_section(decision, uri)]
        calculator_lines, blocks = self.calculator(decision)
        lines += calculator_lines
        outcomes = [o for s in decision.stages.values() for o in s.outcomes]
        if outcomes:
            lines += ["", f"## {plain(w['outcomes'])}", ""]
            lines += [f"- {plain(o)}" for o in dict.fromkeys(outcomes)]
        if decision.notes:
            lines += ["", f"## {plain(w['notes'])}", "", markdown_block(decision.notes)]
        lines += self.history_section(decision.id, client=False)
        return PlannedPage(uri, decision.title, "\n".join(lines) + "\n", diagram=decision.id, blocks=blocks)

    # -- history and upkeep

    def entries(self, client: bool) -> list[Entry]:
        history = self.options.history
        if history is None:
            return []
        if client:  # only what clients can see, of decisions on the client site
            return [e for e in history.entries if e.client and e.subject in self.org.decisions]
        return list(history.entries)

    def entry_lines(self, entry: Entry, client: bool) -> list[str]:
        changes = entry.client if client else entry.internal
        head = f"**{entry.commit.when.date().isoformat()}**"
        if not client:
            head += f" · {plain(entry.commit.author)}: {plain(entry.commit.message)}"
        return [f"- {head}", *(f"    - {plain(c)}" for c in changes)]

    def history_section(self, decision_id: str, client: bool) -> list[str]:
        if self.options.history is None:
            return []
        entries = [e for e in self.entries(client) if e.subject == decision_id]
        lines = ["", f"## {plain(self.w['history'])}", ""]
        if not entries:
            return lines + [plain(self.w["no_history"])]
        for entry in entries:
            lines += self.entry_lines(entry, client)
        return lines

    def changes_page(self, client: bool, limit: int = 100) -> PlannedPage:
        w = self.w
        lines = [f"# {plain(w['what_changed'])}", "", plain(w["what_changed_intro"]), ""]
        if self.options.history is not None:
            lines += [f"[{plain(w['subscribe'])}]({FEED_PATH})", ""]
        entries = self.entries(client)[:limit]
        if not entries:
            lines.append(plain(w["no_history"]))
        for entry in entries:
            if entry.subject in self.org.decisions:
                title = self.link(CHANGES_URI, decision_uri(entry.subject), self.org.decisions[entry.subject].title)
            else:
                title = plain(entry.title or w["shared_data"])
            lines += [f"### {title}", "", *self.entry_lines(entry, client), ""]
        return PlannedPage(CHANGES_URI, w["what_changed"], "\n".join(lines) + "\n")

    def feed(self, client: bool) -> dict[str, str]:
        if self.options.history is None:
            return {}
        items = []
        for entry in self.entries(client)[:50]:
            title = self.org.decisions[entry.subject].title if entry.subject in self.org.decisions else \
                (entry.title or self.w["shared_data"])
            link = _page_url(decision_uri(entry.subject), self.options.use_directory_urls) \
                if entry.subject in self.org.decisions else _page_url(CHANGES_URI, self.options.use_directory_urls)
            changes = entry.client if client else entry.internal
            author = None if client else entry.commit.author
            items.append((entry.commit.sha, entry.subject, entry.commit.when, title, link, changes, author))
        return {FEED_PATH: atom_feed(self.w["what_changed"], self.options.site_url, items)}

    def review_page(self) -> PlannedPage:
        w = self.w
        lines = [f"# {plain(w['review_status'])}", "", plain(w["review_status_intro"]), ""]
        rows = self.review_rows(REVIEW_URI)
        lines += rows or [plain(w["all_reviewed"])]
        return PlannedPage(REVIEW_URI, w["review_status"], "\n".join(lines) + "\n")

    def review_rows(self, from_uri: str) -> list[str]:
        w = self.w
        rows = []
        for decision in sorted(self.org.decisions.values(), key=lambda d: (d.review_due() or dt.date.min, d.id)):
            status, banner = self.review_status(decision)
            if banner:
                rows.append(f"| {self.link(from_uri, decision_uri(decision.id), decision.title)} | "
                            f"{self.party_with_people(from_uri, decision.owner.id)} | {plain(status)} |")
        if not rows:
            return []
        return [f"| {plain(w['decision'])} | {plain(w['owner'])} | {plain(w['review'])} |", "|---|---|---|", *rows]

    def who_cell(self, stage: Stage, uri: str) -> str:
        members = "<br>".join(self.party_with_people(uri, m.id) for m in stage.who.members)
        if stage.who.mode is WhoMode.ONE:
            return members
        key = {WhoMode.ALL: "all_of", WhoMode.ANY: "any_of"}.get(stage.who.mode, "at_least_of")
        return f"{plain(self.w[key].format(n=stage.who.needed))}<br>{members}"

    def stage_table(self, decision: Decision, uri: str) -> str:
        w = self.w
        rows = [f"| {plain(w['stage'])} | {plain(w['who'])} | {plain(w['does'])} | {plain(w['within'])} | "
                f"{plain(w['escalate_to'])} | {plain(w['next'])} |",
                "|---|---|---|---|---|---|"]
        for stage in decision.stages.values():
            marks = []
            if stage.id == decision.start.id:
                marks.append(w["start"])
            if stage.visibility is Visibility.INTERNAL:
                marks.append(w["internal_stage"])
            if stage.is_final:
                marks.append(w["final"])
            label = f'<span id="stage-{stage.id}"></span>**{plain(stage.title)}**'
            if marks:
                label += f" <small>({plain(', '.join(marks))})</small>"
            escalate = self.party(uri, stage.escalate_to.id) if stage.escalate_to else ""
            rows.append(f"| {label} | {self.who_cell(stage, uri)} | {plain(stage.does or '')} | "
                        f"{plain(stage.within.text)} | {escalate} | {self.next_cell(decision, stage)} |")
        return "\n".join(rows)

    def next_cell(self, decision: Decision, stage: Stage) -> str:
        if stage.next_stage is not None:
            return self.stage_link(decision, stage.next_stage.id)
        parts = [f"{plain(diagrams.condition_text(b, decision, self.w))} → {self.stage_link(decision, b.go.id)}"
                 for b in stage.branches]
        return "<br>".join(parts)

    def stage_link(self, decision: Decision, stage_id: str) -> str:
        stage = decision.stages.get(stage_id)
        return f"[{plain(stage.title if stage else stage_id)}](#stage-{stage_id})"

    def inputs_section(self, decision: Decision, uri: str) -> str:
        w = self.w
        rows = [f"| {plain(w['input'])} | {plain(w['type'])} | {plain(w['paths'])} |", "|---|---|---|"]
        for item in decision.inputs.values():
            kind = w[item.type.value]
            if item.type is InputType.CHOICE:
                kind += ": " + ", ".join(item.options)
            uses = []
            for stage in decision.stages.values():
                for branch in stage.branches:
                    if branch.otherwise or any(c.input.id == item.id for c in branch.conditions):
                        if branch.otherwise and not any(c.input.id == item.id for b in stage.branches
                                                        for c in b.conditions):
                            continue
                        uses.append(f"{plain(stage.title)}: {plain(diagrams.condition_text(branch, decision, w))} "
                                    f"→ {self.stage_link(decision, branch.go.id)}")
            rows.append(f"| {plain(item.label)} | {plain(kind)} | {'<br>'.join(uses)} |")
        return "\n".join(rows)

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

    def duty_rows(self, uri: str, party: str) -> dict[str, list[str]]:
        rows: dict[str, list[str]] = {"approves": [], "owns": [], "escalation": []}
        for duty in self.duties.get(party, ()):
            decision_link = self.link(uri, decision_uri(duty.decision.id), duty.decision.title)
            if duty.stage is None:
                rows["owns"].append(f"| {decision_link} | {plain(self.promise_text(duty.decision))} |")
                continue
            stage_link = (f"[{plain(duty.stage.title)}]({_md_target(uri, decision_uri(duty.decision.id))}"
                          f"#stage-{duty.stage.id})")
            how = plain(queries.who_phrase(duty.stage) and self.w[
                {WhoMode.ALL: "all_of", WhoMode.ANY: "any_of"}.get(duty.stage.who.mode, "at_least_of")
            ].format(n=duty.stage.who.needed))
            rows[duty.kind].append(f"| {decision_link} | {stage_link} | {how} | {plain(duty.stage.within.text)} |")
        return rows

    def duties_markdown(self, uri: str, party: str) -> list[str]:
        w = self.w
        rows = self.duty_rows(uri, party)
        out = [f"## {plain(w['approves'])}", ""]
        header = (f"| {plain(w['decision'])} | {plain(w['stage'])} | {plain(w['how'])} | {plain(w['within'])} |\n"
                  "|---|---|---|---|")
        out += [header, *rows["approves"]] if rows["approves"] else [plain(w["no_items"])]
        out += ["", f"## {plain(w['owns'])}", ""]
        out += ([f"| {plain(w['decision'])} | {plain(w['promise'])} |\n|---|---|", *rows["owns"]]
                if rows["owns"] else [plain(w["no_items"])])
        out += ["", f"## {plain(w['escalations'])}", ""]
        out += [header, *rows["escalation"]] if rows["escalation"] else [plain(w["no_items"])]
        return out

    def role_page(self, role: Role) -> PlannedPage:
        uri = role_uri(role.id)
        w = self.w
        standing = queries.stand_in(self.org, role, self.options.today)
        people = []
        for person in queries.holders(self.org, role):
            state = ""
            if person.is_away(self.options.today):
                state = f" ({plain(w['away'].format(start=person.away.start, until=person.away.until))})"  # type: ignore[union-attr]
            people.append(f"- {self.link(uri, person_uri(person.id), person.name)}{state}")
        lines = [f"# {plain(role.title)}", "",
                 plain(w["visibility_internal"] if role.visibility is Visibility.INTERNAL else w["visibility_client"]),
                 "", f"## {plain(w['holders'])}", "", *(people or [plain(w["no_items"])])]
        if role.backup:
            lines += ["", f"## {plain(w['backups'])}", ""]
            lines += [f"- {self.party(uri, b.id)}" for b in role.backup]
        if not standing.present and standing.backups:
            names = ", ".join(self.party(uri, b) for b in standing.backups)
            lines += ["", f'!!! info "{plain(w["stands_in"].format(names=""))[:-1]}"', f"    {names}"]
        elif not standing.covered and role.held_by:
            lines += ["", f'!!! warning "{plain(w["nobody_stands_in"].format(role=role.title))}"', ""]
        lines += ["", *self.duties_markdown(uri, role.id)]
        return PlannedPage(uri, role.title, "\n".join(lines) + "\n")

    def person_page(self, person: Person) -> PlannedPage:
        uri = person_uri(person.id)
        w = self.w
        lines = [f"# {plain(person.name)}", ""]
        if not person.active:
            lines += [f'!!! note "{plain(w["left"])}"', ""]
        if person.email:
            lines += [f"{plain(w['email'])}: <{person.email}>" if "@" in person.email and " " not in person.email
                      else f"{plain(w['email'])}: {plain(person.email)}", ""]
        if person.is_away(self.options.today):
            assert person.away is not None
            lines += [f'!!! warning "{plain(w["away_now"].format(start=person.away.start, until=person.away.until))}"']
            for role in queries.roles_of(self.org, person):
                standing = queries.stand_in(self.org, role, self.options.today)
                if standing.present:
                    names = ", ".join(self.link(uri, person_uri(p.id), p.name) for p in standing.present)
                elif standing.backups:
                    names = ", ".join(self.party(uri, b) for b in standing.backups)
                else:
                    lines.append(f"    {plain(w['nobody_stands_in'].format(role=role.title))}")
                    continue
                lines.append(f"    {self.link(uri, role_uri(role.id), role.title)}: {names}")
            lines.append("")
        elif person.away is not None and person.away.until >= self.options.today:
            lines += [plain(w["away"].format(start=person.away.start, until=person.away.until)), ""]
        roles = queries.roles_of(self.org, person)
        lines += [f"## {plain(w['roles_held'])}", ""]
        lines += [f"- {self.link(uri, role_uri(r.id), r.title)}" for r in roles] or [plain(w["no_items"])]
        standing_in = queries.backup_for(self.org, person.id)
        if standing_in:
            lines += ["", f"## {plain(w['backup_for'])}", ""]
            lines += [f"- {self.link(uri, role_uri(r.id), r.title)}" for r in standing_in]
        # Everything the person approves: directly, and through each role they hold.
        lines += ["", *self.duties_markdown(uri, person.id)]
        for role in roles:
            rows = self.duty_rows(uri, role.id)["approves"]
            if rows:
                lines += ["", f"### {plain(w['approves'])}: {plain(role.title)}", "",
                          f"| {plain(w['decision'])} | {plain(w['stage'])} | {plain(w['how'])} | {plain(w['within'])} |",
                          "|---|---|---|---|", *rows]
        return PlannedPage(uri, person.name, "\n".join(lines) + "\n")

    def roles_index(self) -> PlannedPage:
        w = self.w
        rows = [f"| {plain(w['role'])} | {plain(w['holders'])} | {plain(w['approves'])} |", "|---|---|---|"]
        for role in self.org.roles.values():
            holders = ", ".join(self.link(ROLES_URI, person_uri(p.id), p.name) for p in queries.holders(self.org, role))
            count = sum(1 for d in self.duties.get(role.id, ()) if d.kind == "approves")
            rows.append(f"| {self.link(ROLES_URI, role_uri(role.id), role.title)} | {holders} | {count} |")
        return PlannedPage(ROLES_URI, w["roles"], f"# {plain(w['roles'])}\n\n" + "\n".join(rows) + "\n")

    def people_index(self) -> PlannedPage:
        w = self.w
        rows = [f"| {plain(w['person'])} | {plain(w['roles_held'])} | {plain(w['status'])} |", "|---|---|---|"]
        for person in self.org.people.values():
            roles = ", ".join(self.link(PEOPLE_URI, role_uri(r.id), r.title) for r in queries.roles_of(self.org, person))
            if not person.active:
                status = w["left"]
            elif person.is_away(self.options.today):
                status = w["away"].format(start=person.away.start, until=person.away.until)  # type: ignore[union-attr]
            else:
                status = w["present"]
            rows.append(f"| {self.link(PEOPLE_URI, person_uri(person.id), person.name)} | {roles} | {plain(status)} |")
        return PlannedPage(PEOPLE_URI, w["people"], f"# {plain(w['people'])}\n\n" + "\n".join(rows) + "\n")

    def matrix_page(self) -> PlannedPage:
        """Decisions x roles: which stage(s) each role decides, and in what time."""
        w = self.w
        used = [r for r in self.org.roles.values() if any(d.kind == "approves" for d in self.duties.get(r.id, ()))]
        direct = sorted({m.id for d in self.org.decisions.values() for s in d.stages.values() for m in s.who.members
                         if m.id in self.org.people})
        columns = [(r.id, self.link(MATRIX_URI, role_uri(r.id), r.title)) for r in used]
        columns += [(p, self.link(MATRIX_URI, person_uri(p), self.org.people[p].name)) for p in direct]
        header = f"| {plain(w['decision'])} | " + " | ".join(c[1] for c in columns) + " |"
        rows = [header, "|---" * (len(columns) + 1) + "|"]
        for decision in self.org.decisions.values():
            cells = []
            for party, _ in columns:
                stages = [s for s in decision.stages.values() if any(m.id == party for m in s.who.members)]
                cells.append("<br>".join(f"[{plain(s.title)}]({_md_target(MATRIX_URI, decision_uri(decision.id))}"
                                         f"#stage-{s.id}) ({plain(s.within.text)})" for s in stages))
            rows.append(f"| {self.link(MATRIX_URI, decision_uri(decision.id), decision.title)} | " + " | ".join(cells) + " |")
        filter_box = (f'<input class="dp-filter md-input" type="search" data-dp-filter="dp-matrix" '
                      f'placeholder="{plain(w["filter"])}" aria-label="{plain(w["filter"])}">')
        body = "\n".join(rows)
        return PlannedPage(MATRIX_URI, w["matrix"],
                           f"# {plain(w['matrix'])}\n\n{filter_box}\n\n<div class=\"dp-matrix\" markdown=\"1\">\n\n"
                           f"{body}\n\n</div>\n")

    # -- home and navigation

    def category_title(self, category: str) -> str:
        return category or self.w["uncategorised"]

    def categories(self) -> dict[str, list[Decision]]:
        grouped: dict[str, list[Decision]] = {}
        for decision in sorted(self.org.decisions.values(), key=lambda d: (d.category, d.title)):
            grouped.setdefault(decision.category, []).append(decision)
        return grouped

    def home_markdown(self, with_title: bool) -> str:
        """What the site is, then every decision by category with owner, promise and review status."""
        w = self.w
        lines = [f"# {plain(w['home'])}", ""] if with_title else []
        if with_title:
            lines += [plain(w["intro"]), "", w["search_hint"], ""]
        lines += [f"[{plain(w['roles'])}]({ROLES_URI}) · [{plain(w['people'])}]({PEOPLE_URI}) · "
                  f"[{plain(w['matrix'])}]({MATRIX_URI}) · [{plain(w['what_changed'])}]({CHANGES_URI}) · "
                  f"[{plain(w['review_status'])}]({REVIEW_URI})", ""]
        review = self.review_rows(HOME_URI)
        if review:
            lines += [f"## {plain(w['review_status'])}", "", *review, ""]
        lines += [f"## {plain(w['all_decisions'])}", ""]
        for category, decisions in self.categories().items():
            lines += [f"### {plain(self.category_title(category))}", "",
                      f"| {plain(w['decision'])} | {plain(w['owner'])} | {plain(w['promise'])} | {plain(w['review'])} |",
                      "|---|---|---|---|"]
            for decision in decisions:
                status, _ = self.review_status(decision)
                lines.append(f"| {self.link(HOME_URI, decision_uri(decision.id), decision.title)} | "
                             f"{self.party(HOME_URI, decision.owner.id)} | "
                             f"{plain(self.promise_text(decision))} | {plain(status)} |")
            lines.append("")
        return "\n".join(lines)

    def nav(self) -> list:
        w = self.w
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
        ]


def plan_client_site(view: Organisation, options: PlanOptions) -> SitePlan:
    """Pages for clients, planned from ``audience.client_view`` only: a home page
    listing every request, and one page per request with its steps, promise and calculator."""
    planner = _ClientPlanner(view, options)
    pages = [planner.decision_page(d) for d in view.decisions.values()]
    pages.append(planner.changes_page(client=True))
    if not options.home_exists:
        pages.append(PlannedPage(HOME_URI, options.words["home"], planner.home_markdown()))
    nav = [{options.words["decisions"]: [decision_uri(d.id) for d in planner.ordered()]},
           {options.words["what_changed"]: CHANGES_URI}]
    pages = [with_html_tables(p, options.use_directory_urls) for p in pages]
    return SitePlan(tuple(pages), {}, nav, planner.feed(client=True))


class _ClientPlanner(_Planner):
    def ordered(self) -> list[Decision]:
        return sorted(self.org.decisions.values(), key=lambda d: d.title)

    def roles_text(self, stage: Stage) -> str:
        names = [self.org.roles[m.id].title for m in stage.who.members if m.id in self.org.roles]
        if stage.who.mode is WhoMode.ONE:
            return plain(", ".join(names))
        key = {WhoMode.ALL: "all_of", WhoMode.ANY: "any_of"}.get(stage.who.mode, "at_least_of")
        return f"{plain(self.w[key].format(n=stage.who.needed))} {plain(', '.join(names))}"

    def decision_page(self, decision: Decision) -> PlannedPage:
        w = self.w
        lines = [f"# {plain(decision.title)}", "", markdown_block(decision.summary), ""]
        if decision.client_notes:
            lines += [markdown_block(decision.client_notes), ""]
        lines += [f"**{plain(w['promise'])}: {plain(self.promise_text(decision))}**", "",
                  f"## {plain(w['steps'])}", "", '<ol class="dp-steps" markdown="1">']
        for stage in decision.stages.values():
            details = [self.roles_text(stage), f"{plain(w['within'])} {plain(stage.within.text)}"]
            if stage.escalate_to is not None and stage.escalate_to.id in self.org.roles:
                details.append(f"{plain(w['if_late'])}: {plain(self.org.roles[stage.escalate_to.id].title)}")
            lines.append(f'<li id="stage-{stage.id}" markdown="1"><strong>{plain(stage.title)}</strong><br>'
                         f"{' · '.join(details)}")
            if stage.branches:
                lines.append("<br>" + "<br>".join(
                    f"{plain(diagrams.condition_text(b, decision, w))} → {plain(decision.stages[b.go.id].title)}"
                    for b in stage.branches if b.go.id in decision.stages))
            if stage.outcomes:
                lines.append(f"<br>{plain(w['outcomes'])}: {plain(', '.join(stage.outcomes))}")
            lines.append("</li>")
        lines.append("</ol>")
        calculator_lines, blocks = self.calculator(decision)
        lines += calculator_lines
        lines += self.history_section(decision.id, client=True)
        return PlannedPage(decision_uri(decision.id), decision.title, "\n".join(lines) + "\n", blocks=blocks)

    def home_markdown(self) -> str:
        w = self.w
        lines = [f"# {plain(w['home'])}", "", plain(w["client_intro"]), "",
                 f"| {plain(w['decision'])} | {plain(w['promise'])} |", "|---|---|"]
        for decision in self.ordered():
            lines.append(f"| {self.link(HOME_URI, decision_uri(decision.id), decision.title)} | "
                         f"{plain(self.promise_text(decision))} |")
        return "\n".join(lines) + "\n"


def _page_url(uri: str, directory_urls: bool) -> str:
    """The URL MkDocs gives a page, as a path: 'roles/x.md' -> 'roles/x' (or 'roles/x.html')."""
    stem = uri[:-3]
    if directory_urls:
        return stem[: -len("index")].rstrip("/") or "." if stem.endswith("index") else stem
    return stem + ".html"

