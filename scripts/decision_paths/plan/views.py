"""Pages as data: what each page shows, in the reader's words, ready for a template.

The planner fills these; ``render/templates`` turn them into HTML. Text here
is plain (one line, not escaped: the templates escape it); fields named
``*_markdown`` hold what people wrote in Markdown, sanitised when rendered.
Links are relative to the page they are on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str | None = None  # None: shown as plain text (nothing to link to)


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading with its own anchor; ``link`` when the heading links elsewhere."""

    level: int
    id: str  # letters, digits, '-' and '_' only, unique in its page
    text: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Absent:
    person: Link
    text: str  # "away 2026-11-20 – 2026-12-04"


@dataclass(frozen=True, slots=True)
class StandIn:
    """Who acts for a role today because every holder is away: by name, through which backup."""

    person: Link
    via: Link | None  # the backup role they hold (None when the backup names them directly)
    instead_of: tuple[Link, ...]  # the holders who are away
    until: str  # the last day the holders are away (YYYY-MM-DD)


@dataclass(frozen=True, slots=True)
class Party:
    """A role or person, and for a role the people behind it today."""

    name: Link
    present: tuple[Link, ...] = ()
    away: tuple[Absent, ...] = ()
    backups: tuple[Link, ...] = ()  # acting because every holder is away
    stand_ins: tuple[StandIn, ...] = ()  # the people who act for those backups, by name
    as_of: str = ""  # the day (YYYY-MM-DD) the absences and stand-ins are true of ('' when none is shown)


@dataclass(frozen=True, slots=True)
class Banner:
    """An admonition: kind is Material's (warning, danger, info, note)."""

    kind: str
    title: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    """One change as the page shows it."""

    date: str
    lines: tuple[str, ...]
    author: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Next:
    condition: str | None  # None: the one next stage
    stage: Link


@dataclass(frozen=True, slots=True)
class StageRow:
    id: str
    title: str
    marks: str  # "start, final" ('' for none)
    how_many: str  # "any of:" ('' for a single approver)
    who: tuple[Party, ...]
    does: str
    within: str
    escalate_to: Link | None
    next: tuple[Next, ...]


@dataclass(frozen=True, slots=True)
class InputUse:
    stage: str
    condition: str
    target: Link


@dataclass(frozen=True, slots=True)
class InputRow:
    label: str
    kind: str
    uses: tuple[InputUse, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    label: str
    kind: str  # "number" or "select"
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, slots=True)
class ExampleRow:
    stage: str
    within: str
    due: str


@dataclass(frozen=True, slots=True)
class Calculator:
    """The date calculator: its form, a worked example for readers without JavaScript,
    and the data the script computes with (JSON)."""

    decision_id: str
    start: str  # the form's start for readers without JavaScript, YYYY-MM-DD HH:MM; the script puts now
    zone: str  # the calendar's time zone by name: starts and dates are in it
    fields: tuple[Field, ...]
    example: str  # '' when there is no worked example
    example_rows: tuple[ExampleRow, ...]
    data_json: str
    lead: str = ""  # 'Answer by ... (Beijing time)' for the worked example's slowest path
    caveat: str = ""  # the worked example reaches a year whose holidays are not published


@dataclass(frozen=True, slots=True)
class DecisionView:
    uri: str
    title: str
    summary_markdown: str
    promise: str
    owner: Party
    category: str
    review: str
    review_banner: Banner | None
    audience: str
    diagram: str | None  # decision id whose diagram the page shows
    stages: tuple[StageRow, ...]
    inputs: tuple[InputRow, ...]
    calculator: Calculator | None
    outcomes: tuple[str, ...]
    notes_markdown: str
    history: tuple[Note, ...] | None  # None: the site is built without history
    working_days: WorkingDays | None = None


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    who: str
    within: str
    if_late: str | None
    branches: tuple[str, ...]  # "amount >= 10000 → Director approval"
    outcomes: str


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """What counts as a working day for a decision, in one sentence, and where to see the days."""

    rule: str
    calendar: Link


@dataclass(frozen=True, slots=True)
class ClientDecisionView:
    uri: str
    title: str
    summary_markdown: str
    client_notes_markdown: str
    promise: str
    steps: tuple[Step, ...]
    calculator: Calculator | None
    history: tuple[Note, ...] | None
    contact: str  # whom to contact when the promised date has passed ('' when the site names nobody)
    working_days: WorkingDays | None = None


@dataclass(frozen=True, slots=True)
class NamedDay:
    date: str  # YYYY-MM-DD
    weekday: str
    name: str


@dataclass(frozen=True, slots=True)
class CalendarYear:
    year: int
    holidays: tuple[NamedDay, ...]
    makeup_workdays: tuple[NamedDay, ...]
    caveat: str  # '' when the year's official schedule is published


@dataclass(frozen=True, slots=True)
class CalendarSection:
    anchor: str
    title: str
    rule: str  # the working-day rule in one sentence
    zone: str
    hours: str
    years: tuple[CalendarYear, ...]
    closed: tuple[NamedDay, ...]
    open: tuple[NamedDay, ...]


@dataclass(frozen=True, slots=True)
class CalendarsView:
    uri: str
    title: str
    sections: tuple[CalendarSection, ...]


@dataclass(frozen=True, slots=True)
class DutyRow:
    decision: Link
    stage: Link
    how_many: str
    within: str
    acting_as: str = ""  # on a person page: the role held, or "backup for X" ('' when named directly)


@dataclass(frozen=True, slots=True)
class OwnedRow:
    decision: Link
    promise: str
    acting_as: str = ""


@dataclass(frozen=True, slots=True)
class Duties:
    approves: tuple[DutyRow, ...] = ()
    owns: tuple[OwnedRow, ...] = ()
    escalations: tuple[DutyRow, ...] = ()


@dataclass(frozen=True, slots=True)
class RoleView:
    uri: str
    title: str
    visibility: str
    holders: tuple[Absent, ...]  # text: why away today ('' when in)
    backups: tuple[Link, ...]
    standing_in: tuple[Link, ...]  # who acts because every holder is away
    standing_in_title: str
    uncovered: str  # "nobody stands in for X" ('' when someone acts)
    duties: Duties
    as_of: str = ""  # the day (YYYY-MM-DD) who is away and who stands in are true of


@dataclass(frozen=True, slots=True)
class StandInLine:
    role: Link | None  # None: the line is a plain sentence
    names: tuple[Link, ...]
    text: str = ""


@dataclass(frozen=True, slots=True)
class PersonView:
    uri: str
    title: str
    left: bool
    email: str
    email_link: bool
    away_now: str  # the warning's title when away today ('' when not)
    stand_ins: tuple[StandInLine, ...]
    away_later: str  # a coming absence ('' for none)
    roles: tuple[Link, ...]
    backup_for: tuple[Link, ...]
    duties: Duties  # directly, through every role held and every backup they are
    standing_in_for: tuple[Link, ...]  # roles they act for today because every holder is away
    as_of: str = ""  # the day (YYYY-MM-DD) "away today" and "standing in today" are true of


@dataclass(frozen=True, slots=True)
class RoleIndexRow:
    role: Link
    holders: tuple[Link, ...]
    approves: int


@dataclass(frozen=True, slots=True)
class RolesIndexView:
    uri: str
    title: str
    rows: tuple[RoleIndexRow, ...]


@dataclass(frozen=True, slots=True)
class PersonIndexRow:
    person: Link
    roles: tuple[Link, ...]
    status: str


@dataclass(frozen=True, slots=True)
class PeopleIndexView:
    uri: str
    title: str
    rows: tuple[PersonIndexRow, ...]
    as_of: str = ""  # the day (YYYY-MM-DD) each status is true of


@dataclass(frozen=True, slots=True)
class MatrixCell:
    stage: Link
    within: str


@dataclass(frozen=True, slots=True)
class MatrixRow:
    decision: Link
    cells: tuple[tuple[MatrixCell, ...], ...]  # one per column


@dataclass(frozen=True, slots=True)
class MatrixPerson:
    person: Link  # to the person's page
    columns: tuple[int, ...]  # indexes into MatrixView.columns: the roles they hold, their own column


@dataclass(frozen=True, slots=True)
class MatrixView:
    uri: str
    title: str
    columns: tuple[Link, ...]
    rows: tuple[MatrixRow, ...]
    holders: tuple[tuple[Link, ...], ...] = ()  # one per column: who holds that role (none for a person)
    people: tuple[MatrixPerson, ...] = ()  # everyone with a column, for "one person's decisions"


@dataclass(frozen=True, slots=True)
class ReviewRow:
    decision: Link
    owner: Party
    status: str


@dataclass(frozen=True, slots=True)
class ReviewView:
    uri: str
    title: str
    rows: tuple[ReviewRow, ...]


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """What a commit changed in one decision (its heading links to the page) or in the shared data."""

    heading: Heading
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommitChanges:
    """One commit on the changes page: when, who and why once, then what it changed, by decision.
    On the client site (no author, no message) the commits of one day are one."""

    heading: Heading  # the date, and on the internal site the author
    message: str | None  # the commit's subject line; None on the client site
    entries: tuple[ChangeEntry, ...]


@dataclass(frozen=True, slots=True)
class ChangesView:
    uri: str
    title: str
    feed: str | None  # the feed's URL, when there is history
    commits: tuple[CommitChanges, ...]  # newest first


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    decision: Link
    owner: Link
    promise: str
    review: str


@dataclass(frozen=True, slots=True)
class Category:
    heading: Heading
    rows: tuple[CatalogueRow, ...]


@dataclass(frozen=True, slots=True)
class HomeView:
    """The home page, or (``own_page``) the catalogue added under the site's own home page."""

    uri: str
    title: str
    own_page: bool
    links: tuple[Link, ...]
    review: tuple[ReviewRow, ...]
    categories: tuple[Category, ...]


@dataclass(frozen=True, slots=True)
class ClientHomeRow:
    decision: Link
    promise: str


@dataclass(frozen=True, slots=True)
class ClientHomeView:
    uri: str
    title: str
    rows: tuple[ClientHomeRow, ...]


@dataclass(frozen=True, slots=True)
class SitePlan:
    """Every generated page of one site, by kind (a site has only the kinds its audience gets)."""

    decisions: tuple[DecisionView, ...] = ()
    client_decisions: tuple[ClientDecisionView, ...] = ()
    roles: tuple[RoleView, ...] = ()
    people: tuple[PersonView, ...] = ()
    roles_index: RolesIndexView | None = None
    people_index: PeopleIndexView | None = None
    matrix: MatrixView | None = None
    review: ReviewView | None = None
    changes: ChangesView | None = None
    home: HomeView | None = None  # own_page: goes under the site's own docs/index.md
    client_home: ClientHomeView | None = None
    calendars: CalendarsView | None = None
    diagrams: Mapping[str, str] = field(default_factory=dict)  # decision id -> DOT source
    nav: list[Any] = field(default_factory=list)  # MkDocs nav entries for the generated pages
    extra_files: Mapping[str, str] = field(default_factory=dict)  # e.g. the Atom feed
