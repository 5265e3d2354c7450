"""Planning the tracking pages: each tracked case as its client reads it (SPEC section 11).

The record reaching here is already the client's cut (``audience.site_record``): only
client decisions, internal stages as "Internal review", no ``by`` or ``reason``. This
step puts it in the client's words and time zone; encryption is the render step's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from decision_paths.model.cases import EventKind, SiteRecord, Status
from decision_paths.model.organisation import Organisation
from decision_paths.model.tracking import TRACKING_FOLDER, TrackedCase, TrackedEvent, TrackedStep
from decision_paths.plan import views as v
from decision_paths.plan.localnames import zone_name
from decision_paths.plan.urls import decision_uri, href

# Any address: every tracking page is two folders deep (t/ADDRESS/).
_PAGE_URI = f"{TRACKING_FOLDER}/address/index.md"


def tracking_pages(
    record: SiteRecord, org: Organisation, words: Mapping[str, str], language: str, directory_urls: bool
) -> tuple[v.TrackingView, ...]:
    pages = []
    cases = [c for c in record.measured.tracked if c.decision in org.decisions]
    uses = Counter(c.case for c in cases)
    for case in cases:
        if uses[case.case] > 1:  # one id in two client decisions: one address, neither page its own
            continue
        decision = org.decisions[case.decision]
        calendar = org.calendar_for(decision)
        zone = calendar.timezone.id if calendar is not None else record.zone
        link = href(_PAGE_URI, decision_uri(decision.id), directory_urls)
        pages.append(_page(case, decision.title, link, zone, words, language, record))
    return tuple(pages)


def _page(
    case: TrackedCase,
    title: str,
    decision_href: str,
    zone: str,
    words: Mapping[str, str],
    language: str,
    record: SiteRecord,
) -> v.TrackingView:
    tz = ZoneInfo(zone)

    def when(instant: dt.datetime) -> str:
        return f"{instant.astimezone(tz):%Y-%m-%d %H:%M}"

    as_of = record.measured.as_of
    titles = {s.stage: s.title for s in case.steps}
    current = next((s.stage for s in case.steps if s.done is None), None)
    closed = case.status not in (Status.OPEN.value, Status.OPEN_LATE.value)
    return v.TrackingView(
        case=case.case,
        epoch=case.epoch,
        language=language,
        decision_title=title,
        decision_href=decision_href,
        status=case.status,
        status_text=words[f"tracking_{case.status}"],
        received=when(case.received),
        promised=when(case.promised),
        answered=when(case.answered) if case.answered is not None else None,
        steps=tuple(_step(s, s.stage == current and not closed, as_of, when, words) for s in case.steps),
        events=tuple(_event(e, titles, when, words) for e in case.events),
        as_of=words["tracking_as_of"].format(instant=when(as_of), zone=zone_name(zone, language)),
    )


def _step(
    step: TrackedStep, current: bool, as_of: dt.datetime, when: Callable[[dt.datetime], str], words: Mapping[str, str]
) -> v.TrackingStepRow:
    if step.done is not None:
        state = "done-on-time" if step.done <= step.due else "done-late"
    elif current:
        state = "current-late" if step.due < as_of else "current"
    else:
        state = "waiting"
    return v.TrackingStepRow(
        title=step.title,
        due=when(step.due),
        done=when(step.done) if step.done is not None else words["tracking_not_done"],
        state=state,
        is_answer=step.is_answer,
    )


def _event(
    event: TrackedEvent, titles: Mapping[str, str], when: Callable[[dt.datetime], str], words: Mapping[str, str]
) -> v.TrackingEventRow:
    stage = titles.get(event.stage or "", "")
    if event.kind == EventKind.PAUSED.value:
        what = words["tracking_paused"].format(stage=stage)
    elif event.kind == EventKind.RESUMED.value:
        what = words["tracking_resumed"].format(stage=stage)
    elif event.kind == EventKind.DELAYED.value:
        until = when(event.until) if event.until is not None else "?"
        what = words["tracking_delayed"].format(stage=stage, until=until)
    else:
        what = words["tracking_event_withdrawn"]
    return v.TrackingEventRow(when=when(event.at), what=what, note=event.client_note)
