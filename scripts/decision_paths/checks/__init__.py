"""Check step: the model -> findings. One module per family of rules.

Checks read only the model (never YAML) and never raise on bad data: what
the loader could not read is absent, or an empty stand-in that a decision's
``unread`` fields name, and its findings already exist. A decision read in
part is judged one part at a time (``context.every_decision``), never whole.

Each check module declares the rules it reports at its top, in a tuple
``RULES`` (its own, and the few format rules from ``load.rules`` it reports
too). ``ALL_RULES`` here is the one registry of every rule, in code order:
the load step's, the checks', the two that later steps find, and the case
record's (DP6xx, ``model.cases``: rows of the record, found by the measuring step). It lives
here, the lowest layer that can see them all, so that the reference page,
JSON output and the findings cache read it without importing upwards.
"""

from __future__ import annotations

from decision_paths.checks import branches, calendars, four_eyes, graph, people, references, review
from decision_paths.checks.context import Check, CheckContext
from decision_paths.load import rules as load_rules
from decision_paths.model import cases as record
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Organisation

__all__ = [
    "ALL_RULES",
    "BROKEN_LINK",
    "CHECK_MODULES",
    "LATER_RULES",
    "NO_HOLIDAY_DATA",
    "RULES_BY_CODE",
    "Check",
    "CheckContext",
    "all_checks",
    "run_checks",
]

# Found after the check step, declared here so that the registry holds them:
# only the timeline command knows which years a timeline reaches (cli.answers),
# and only the site build sees its links (render.site).
NO_HOLIDAY_DATA = Rule(
    "DP406", "no-holiday-data", Severity.WARNING, "a timeline reaches a year with no official holiday data"
)
BROKEN_LINK = Rule(
    "DP501",
    "broken-link",
    Severity.ERROR,
    "a page links to a page or anchor that does not exist (build --strict)",
)
LATER_RULES = (NO_HOLIDAY_DATA, BROKEN_LINK)

CHECK_MODULES = (references, graph, branches, people, four_eyes, calendars, review)

# Every rule, once, in order of code. A check module may list a format rule
# that load.rules declares; it is still the same object, so it counts once.
ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        dict.fromkeys(
            [
                *load_rules.RULES,
                *(rule for module in CHECK_MODULES for rule in module.RULES),
                *LATER_RULES,
                *record.RULES,  # the case record's rows (they were in no registry, so on no reference page)
            ]
        ),
        key=lambda rule: rule.code,
    )
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}


def all_checks() -> tuple[Check, ...]:
    return tuple(module.check for module in CHECK_MODULES)


def run_checks(org: Organisation, context: CheckContext) -> list[Finding]:
    return [found for check in all_checks() for found in check(org, context)]
