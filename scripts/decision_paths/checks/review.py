"""Someone must keep each path true: missing or overdue reviews (DP401, DP402)."""

from __future__ import annotations

from collections.abc import Iterator

from decision_paths.checks.context import CheckContext, every_decision
from decision_paths.model.findings import Finding, Rule, Severity
from decision_paths.model.organisation import Organisation

W = Severity.WARNING
REVIEW_OVERDUE = Rule("DP401", "review-overdue", W, "the path is overdue for review")
NEVER_REVIEWED = Rule("DP402", "never-reviewed", W, "the decision has no reviewed date")
REVIEWED_IN_FUTURE = Rule("DP407", "reviewed-in-future", W, "a reviewed date after today")
RULES = (REVIEW_OVERDUE, NEVER_REVIEWED, REVIEWED_IN_FUTURE)


def check(org: Organisation, context: CheckContext) -> Iterator[Finding]:
    for decision in every_decision(org):  # reads only its own keys: a decision read in part too
        if decision.reviewed is None:
            if decision.reviewed_loc is not None:
                continue  # written but unreadable: the loader has reported it
            yield NEVER_REVIEWED.at(
                decision.loc,
                f"decision '{decision.id}' has no reviewed date: once "
                f"its owner has confirmed the path, add reviewed: {context.today}",
            )
            continue
        if decision.reviewed > context.today:
            yield REVIEWED_IN_FUTURE.at(
                decision.reviewed_loc or decision.loc,
                f"reviewed {decision.reviewed} is after today ({context.today}); write the day the path was "
                "really confirmed",
            )
        due = decision.review_due()
        if due is not None and due < context.today and decision.review_every is not None:
            owner = "its owner" if "owner" in decision.unread else f"'{decision.owner.id}'"
            yield REVIEW_OVERDUE.at(
                decision.reviewed_loc or decision.loc,
                f"review was due on {due} (reviewed {decision.reviewed} + {decision.review_every.text}); "
                f"ask {owner} to confirm the path and update reviewed",
            )
