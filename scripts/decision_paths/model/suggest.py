"""'Did you mean ...?': the one place that guesses what a mistyped name meant.

The policy, for every caller: names are compared by difflib's similarity ratio
(0 to 1), closest first.

- In a finding (a key or id in a file), one suggestion, and only from
  ``FINDING_CUTOFF`` up: the message lands in CI logs and editor annotations,
  where a far-fetched guess misleads more than no guess.
- On the command line (a decision or person given as an argument), up to
  ``COMMAND_LIMIT`` suggestions from the lower ``COMMAND_CUTOFF``: the person
  is at the keyboard and picks one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

FINDING_CUTOFF = 0.6
COMMAND_CUTOFF = 0.5
COMMAND_LIMIT = 3


def close_names(name: str, known: Iterable[str], limit: int = 1, cutoff: float = FINDING_CUTOFF) -> list[str]:
    """Up to ``limit`` known names close to ``name``, closest first."""
    return difflib.get_close_matches(name, list(known), n=limit, cutoff=cutoff)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """For a finding: "; did you mean 'x'?", or "" when nothing is close enough."""
    close = close_names(name, known)
    return f"; did you mean '{close[0]}'?" if close else ""


def did_you_mean_any(name: str, known: Iterable[str]) -> str:
    """For the command line: "; did you mean x, y?", or "" when nothing is close enough."""
    close = close_names(name, known, COMMAND_LIMIT, COMMAND_CUTOFF)
    return f"; did you mean {', '.join(close)}?" if close else ""
