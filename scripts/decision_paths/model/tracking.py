"""Tracking pages (SPEC section 11): one client's own request, readable only with its link.

The measuring step gives, for each case of a client decision that is open or was
closed in the last ``TRACKING_DAYS``, the facts a client may see (SPEC section 7):
the steps of its path with their promised due instants and when each was done, and
the pauses, announced delays and withdrawal with their ``client_note``. Never ``by``
or ``reason``: they are not even read into these types. The case id is kept only to
derive the page's address and key; the page never shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SECRET_VARIABLE = "DECISION_PATHS_TRACKING_SECRET"  # noqa: S105 - the name, not the secret
TRACKING_DAYS = 90  # a closed case's page is built for this many days after its answer
TRACKING_FOLDER = "t"  # the client site's folder of tracking pages
EPOCHS_FILE = "_tracking.yaml"  # in the cases folder: a case's epoch, raised to revoke its link


@dataclass(frozen=True, slots=True)
class TrackedStep:
    stage: str
    title: str  # as the rules in force at receipt call it
    internal: bool  # clients see "Internal review"
    due: dt.datetime  # promised, moved by pauses on a pausable stage (UTC)
    done: dt.datetime | None
    is_answer: bool


@dataclass(frozen=True, slots=True)
class TrackedEvent:
    kind: str  # paused, resumed, delayed, withdrawn (EventKind values)
    stage: str | None
    at: dt.datetime
    until: dt.datetime | None  # a delay's announced new due instant
    client_note: str | None


@dataclass(frozen=True, slots=True)
class TrackedCase:
    case: str  # only for the address and key: never shown
    decision: str
    epoch: int
    received: dt.datetime
    status: str  # a Status value (model.cases, which holds these cases)
    promised: dt.datetime  # the promised answer instant
    answered: dt.datetime | None
    withdrawn: dt.datetime | None
    steps: tuple[TrackedStep, ...]  # in path order
    events: tuple[TrackedEvent, ...]  # newest first

    @property
    def closed(self) -> dt.datetime | None:
        return self.answered or self.withdrawn


def within_window(closed: dt.datetime | None, as_of: dt.datetime) -> bool:
    """Open, or closed no more than TRACKING_DAYS before ``as_of``: its page is built."""
    return closed is None or closed >= as_of - dt.timedelta(days=TRACKING_DAYS)
