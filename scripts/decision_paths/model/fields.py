"""The keys each kind of object may have: one table that both the loader
(unknown keys, required keys) and the JSON Schema for editors are made from,
so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"  # SPEC section 1


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    kind: str  # how the value is written; see schema.py for each kind's JSON Schema
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()


def _fields(*fields: Field) -> dict[str, Field]:
    return {f.key: f for f in fields}


DECISION = _fields(
    Field("title", "text", "What the request is, as people name it.", required=True),
    Field(
        "summary", "markdown", "One or two sentences: what this path decides. Shown to every audience.", required=True
    ),
    Field("owner", "id", "Role or person accountable for this path being right.", required=True),
    Field(
        "audience",
        "enum",
        "internal (default) or client: client also publishes it on the client site.",
        choices=("internal", "client"),
    ),
    Field("category", "text", "Overrides the category taken from the folder."),
    Field("reviewed", "date", "Date (YYYY-MM-DD) the path was last confirmed correct."),
    Field("review_every", "duration", "How often the path must be reviewed, e.g. 180 days."),
    Field("calendar", "id", "Calendar id for working days; default: defaults.calendar."),
    Field("inputs", "inputs", "The facts about a request that choose its path."),
    Field(
        "answer",
        "id",
        "The stage whose due time is the promised answer; default: the final stage of the path taken.",
    ),
    Field("start", "id", "The id of the first stage.", required=True),
    Field("stages", "stages", "The stages, in display order.", required=True),
    Field("notes", "markdown", "Internal notes (Markdown); never shown to clients."),
    Field("client_notes", "markdown", "Notes for clients (Markdown); shown only on the client site."),
)

STAGE = _fields(
    Field("title", "text", "What happens at this stage. Client-visible unless the stage is internal.", required=True),
    Field("who", "who", "Who decides: an id, {all: [...]}, {any: [...]} or {at_least: N, of: [...]}.", required=True),
    Field("does", "markdown", "Internal: what the approver actually does."),
    Field("within", "duration", "Promised time for this stage, e.g. 3 business days or 3个工作日.", required=True),
    Field("escalate_to", "id", "Role or person told when `within` is missed."),
    Field(
        "visibility",
        "enum",
        "client (default) or internal: clients see only 'Internal review' and its time.",
        choices=("client", "internal"),
    ),
    Field("next", "next", "The next stage id, or a list of branches; absent on a final stage."),
    Field(
        "outcomes",
        "labelled",
        "How the request can end here: a list, e.g. [approved, declined], or ids with labels, e.g. {approved: 同意}.",
    ),
    Field("independent_of", "ids", "Four eyes: nobody who can act at these stages may act at this one."),
    Field("pausable", "bool", "true: the clock stops while the request waits on the client; default false."),
)

INPUT = _fields(
    Field("label", "text", "The question as people read it.", required=True),
    Field("type", "enum", "number, choice or yes-no.", required=True, choices=("number", "choice", "yes-no")),
    Field(
        "options",
        "labelled",
        "The possible answers of a choice input: a list of ids, or ids with labels, e.g. {fixed-price: 固定总价}.",
    ),
    Field("unit", "text", "What a number counts, shown after it, e.g. 人天 or CNY."),
)

BRANCH = _fields(
    Field("when", "conditions", "Input id -> condition; all must hold."),
    Field("go", "id", "The stage this branch goes to."),
    Field("otherwise", "id", "The stage taken when no `when` matches; only on the last item."),
)

WHO_ALL = _fields(Field("all", "ids", "Every one of them must approve.", required=True))
WHO_ANY = _fields(Field("any", "ids", "One of them is enough.", required=True))
WHO_AT_LEAST = _fields(
    Field("at_least", "count", "How many of them must approve.", required=True),
    Field("of", "ids", "The people or roles to choose from.", required=True),
)

PERSON = _fields(
    Field("name", "text", "Full name as colleagues know it.", required=True),
    Field("email", "text", "Work email address."),
    Field("active", "bool", "false once the person has left; default true."),
    Field("away", "away", "Absence, inclusive dates: {from: YYYY-MM-DD, until: YYYY-MM-DD}."),
)

AWAY = _fields(
    Field("from", "date", "First day away.", required=True),
    Field("until", "date", "Last day away.", required=True),
)

ROLE = _fields(
    Field("title", "text", "The role's name; what clients may see.", required=True),
    Field("held_by", "ids", "Ids of the people who hold the role.", required=True),
    Field("backup", "ids", "Role or person ids who act when every holder is away."),
    Field(
        "visibility",
        "enum",
        "client (default) or internal: an internal role's title is never shown to clients.",
        choices=("client", "internal"),
    ),
)

CALENDAR = _fields(
    Field(
        "country", "text", "ISO country code for public holidays and official make-up workdays, e.g. CN.", required=True
    ),
    Field(
        "subdivision",
        "nullable-text",
        "Region code as the holidays library names it (e.g. NY in US); omit for the whole country.",
    ),
    Field("timezone", "text", "IANA time zone, e.g. Asia/Shanghai.", required=True),
    Field("workdays", "weekdays", "Working weekdays; default [mon, tue, wed, thu, fri]."),
    Field("hours", "hours", 'Business hours, e.g. "09:00-18:00" (the default).'),
    Field("closed", "dates", "Extra company closures."),
    Field("open", "dates", "Extra company working days."),
)

DEFAULTS = _fields(
    Field("calendar", "id", "Calendar used by decisions that name none; required with more than one calendar."),
)

SITE = _fields(
    Field("client_contact", "text", "Whom a client contacts when a promised date has passed, e.g. a phone and email."),
)

SHARED = _fields(
    Field("people", "people", "Person id -> person."),
    Field("roles", "roles", "Role id -> role."),
    Field("calendars", "calendars", "Calendar id -> calendar."),
    Field("categories", "categories", "Category folder -> its title, e.g. {sales: 销售}."),
    Field("site", "site", "What the client site tells clients: {client_contact: ...}."),
    Field("defaults", "defaults", "Defaults for every decision."),
)
