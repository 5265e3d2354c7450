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


# ---------------------------------------------------------------- the case record (SPEC 11)


@dataclass(frozen=True, slots=True)
class RecordNote:
    """What every page with figures says of them: which rules judged the cases, and when."""

    rules: str  # one sentence: the rules in force from the history, or today's rules
    current: bool  # today's rules judged every case (no history): the page says so prominently
    as_of: str  # "As of 2026-11-23 23:59 (Beijing time)."
    stage_header: str  # "On time (Q3 2026)": the period stage and duty rates are for


@dataclass(frozen=True, slots=True)
class Bottleneck:
    stage: Link
    text: str  # "42 working hours over its time limit; first to run late in 7 cases"


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One decision's cases whose promised answer falls in one period."""

    label: str  # "Last closed month (2026-10)"
    period: str  # "2026-10"
    cases: int  # n: every case but the withdrawn
    enough: bool  # enough cases for a rate and percentiles
    rate: str  # "94%", or "too few cases"
    on_time: int
    late: int  # answered late, or open past the promise
    open: int
    withdrawn: int
    p50: str  # working hours ('' below the threshold)
    p80: str
    p95: str
    bottleneck: Bottleneck | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month: str  # "2026-10"
    rate: float | None  # None: too few cases
    n: int
    rate_text: str  # "94%", or '' when too few


@dataclass(frozen=True, slots=True)
class Trend:
    """The monthly on-time rate over the last months, as data: a table now; a chart
    (render/charts.trend_chart) takes the same points and labels."""

    slot: str  # the decision id: the chart of this trend goes where the page names it
    title: str
    rate_label: str
    count_label: str
    threshold_note: str
    points: tuple[TrendPoint, ...]  # oldest first


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision's figures: the last closed month and quarter, and the trend."""

    heading: Heading  # on the Promises kept page (links to the decision)
    promise: str
    periods: tuple[PeriodRow, ...]
    trend: Trend
    left_out: str  # "3 cases left out: ..." ('' for none)


@dataclass(frozen=True, slots=True)
class StageRecord:
    """A stage's figures in the last closed quarter, against its ``within``."""

    rate: str  # "76%", or "too few cases"
    done: int
    p80: str  # working hours ('' below the threshold)
    usually_late: bool  # on time less often than USUALLY_LATE_BELOW, with enough cases


@dataclass(frozen=True, slots=True)
class PromisesView:
    uri: str
    title: str
    note: RecordNote
    definition: str
    decisions: tuple[DecisionRecord, ...]


@dataclass(frozen=True, slots=True)
class OverdueRow:
    case: str
    decision: Link
    stage: Link  # the answer itself when no stage is open
    due: str  # "2026-11-20 18:00"
    late: str  # "9 working hours"
    can_act: tuple[Link, ...]  # by name, stand-ins included
    nobody: str  # "nobody can act now" when can_act is empty ('' otherwise)
    escalate_to: Link | None


@dataclass(frozen=True, slots=True)
class OverdueView:
    uri: str
    title: str
    note: RecordNote
    rows: tuple[OverdueRow, ...]  # newest due first


@dataclass(frozen=True, slots=True)
class TrackingStepRow:
    title: str
    due: str
    done: str  # the instant, or "not yet"
    state: str  # done-on-time, done-late, current, current-late, waiting
    is_answer: bool


@dataclass(frozen=True, slots=True)
class TrackingEventRow:
    when: str
    what: str
    note: str | None  # the client_note


@dataclass(frozen=True, slots=True)
class TrackingView:
    """One client's tracking page, before it is encrypted. ``case`` and ``epoch`` derive
    its address and key; the page shows neither."""

    case: str
    epoch: int
    language: str
    decision_title: str
    decision_href: str  # from the tracking page (t/ADDRESS/) to the decision's page
    status: str  # a Status value, for the page's colour
    status_text: str
    received: str
    promised: str
    answered: str | None
    steps: tuple[TrackingStepRow, ...]
    events: tuple[TrackingEventRow, ...]  # newest first
    as_of: str


@dataclass(frozen=True, slots=True)
class KindMeaning:
    kind: str
    meaning: str


@dataclass(frozen=True, slots=True)
class DeviationRow:
    kind: str
    stage: Link
    count: int
    examples: tuple[str, ...]  # case ids


@dataclass(frozen=True, slots=True)
class DeviationSection:
    heading: Heading  # the decision, linked
    rows: tuple[DeviationRow, ...]  # worst first


@dataclass(frozen=True, slots=True)
class HiddenRulesView:
    uri: str
    title: str
    note: RecordNote
    intro: str
    kinds: tuple[KindMeaning, ...]
    sections: tuple[DeviationSection, ...]  # the decision with the most deviating cases first


@dataclass(frozen=True, slots=True)
class PublishedQuarter:
    quarter: str  # "Q3 2026"
    published: bool
    cases: str  # '' when not published
    rate: str  # "94%", or "too few requests to publish"
    paused: str  # cases whose clock stopped while waiting on the client ('' when not published)


@dataclass(frozen=True, slots=True)
class Published:
    """A client decision's published performance (SPEC 7 and 11): counts only."""

    lead: str  # the last closed quarter in one sentence
    pauses: str  # how many had the clock stopped ('' for none, or when not published)
    definition: str
    rules: str  # by the promise as it stood when received, or (no history) by today's
    quarters: tuple[PublishedQuarter, ...]  # the last closed quarter first


# ---------------------------------------------------------------- decision pages


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
    record: StageRecord | None = None  # None: the site has no case record


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
    record: DecisionRecord | None = None  # None: the site has no case record
    record_note: RecordNote | None = None


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
    published: Published | None = None  # None: the site has no case record


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
    on_time: str = ""  # the stage's on-time rate in the last closed quarter, with n ('' without a record)


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
    record_note: RecordNote | None = None  # None: the site has no case record
    overdue: tuple[OverdueRow, ...] = ()  # at the stages the role acts in


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
    record_note: RecordNote | None = None  # None: the site has no case record
    overdue: tuple[OverdueRow, ...] = ()  # the ones they can act on now


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
    promises: PromisesView | None = None
    overdue: OverdueView | None = None
    hidden_rules: HiddenRulesView | None = None
    tracking: tuple[TrackingView, ...] = ()  # client site only, when a tracking secret is set
    diagrams: Mapping[str, str] = field(default_factory=dict)  # decision id -> DOT source
    # decision id -> digest of what its DOT is made from (plan/pages._Planner.diagram_input)
    diagram_inputs: Mapping[str, str] = field(default_factory=dict)
    nav: list[Any] = field(default_factory=list)  # MkDocs nav entries for the generated pages
    extra_files: Mapping[str, str] = field(default_factory=dict)  # e.g. the Atom feed
