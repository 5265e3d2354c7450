"""How rules read in words: who must approve, conditions, parties, promises."""

from __future__ import annotations

from decision_paths.model.organisation import Stage, WhoMode


def who_phrase(stage: Stage) -> str:
    """How many must approve, in words: 'all of', 'any of', 'at least 2 of'."""
    match stage.who.mode:
        case WhoMode.ALL:
            return "all of"
        case WhoMode.ANY:
            return "any of"
        case WhoMode.AT_LEAST:
            return f"at least {stage.who.needed} of"
    return ""
