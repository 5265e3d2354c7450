"""Plan step for the case record (SPEC 11): measured figures -> what the pages show.

The record arrives already cut for the site's audience (``audience.site_record``):
the internal site gets every figure, stage and case; the client site only the
quarterly counts of its decisions. Rates and percentiles below the threshold are
None in the figures and "too few cases" here, never 0%.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from zoneinfo import ZoneInfo

from decision_paths.model.cases import (
    MIN_CASES_CLIENT,
    MIN_CASES_INTERNAL,
    USUALLY_LATE_BELOW,
    DecisionFigures,
    Deviation,
    OverdueItem,
    Period,
    SiteRecord,
    StageFigures,
)
from decision_paths.model.organisation import Decision, Organisation
from decision_paths.plan import views as v
from decision_paths.plan.localnames import zone_name
from decision_paths.plan.urls import decision_uri

# Most deviations listed per decision, and example cases per deviation.
DEVIATIONS_SHOWN = 50


class Links(Protocol):
    """What the record's pages need of the planner: links in the site's words."""

    def link(self, from_uri: str, to_uri: str, text: str, fragment: str = "") -> v.Link: ...
    def party(self, from_uri: str, party: str) -> v.Link: ...


def percent(rate: float) -> str:
    """A rate as a whole percentage; never 100% unless every case was on time, nor 0% unless none was."""
    shown = round(rate * 100)
    if shown == 100 and rate < 1:
        shown = 99
    elif shown == 0 and rate > 0:
        shown = 1
    return f"{shown}%"


def hours(value: float | None) -> str:
    """Working hours with at most one decimal ('' for none)."""
    return "" if value is None else f"{round(value, 1):g}"


def period_name(period: Period, words: Mapping[str, str]) -> str:
    """'Q3 2026' / '2026 年第 3 季度', or the month as '2026-10'."""
    if period.is_quarter:
        return words["quarter_name"].format(year=period.first.year, number=(period.first.month - 1) // 3 + 1)
    return period.label


class RecordPlanner:
    def __init__(self, record: SiteRecord, org: Organisation, words: Mapping[str, str], language: str, links: Links):
        self.record = record
        self.measured = record.measured
        self.org = org
        self.w = words
        self.language = language
        self.links = links
        self._figures = {(f.decision, f.period): f for f in self.measured.figures}
        self._note = self._make_note()

    # -- what every page with figures says

    def note(self) -> v.RecordNote:
        return self._note

    def _make_note(self) -> v.RecordNote:
        current = self.measured.rules == "current"
        as_of = self.measured.as_of.astimezone(ZoneInfo(self.record.zone))
        when = f"{as_of:%Y-%m-%d %H:%M} ({zone_name(self.record.zone, self.language)})"
        return v.RecordNote(
            self.w["record_rules_current" if current else "record_rules_history"],
            current,
            self.w["record_as_of"].format(when=when),
            self.w["stage_on_time"].format(period=period_name(self.record.last_quarter, self.w)),
        )

    def figures(self, decision_id: str, period: Period) -> DecisionFigures | None:
        return self._figures.get((decision_id, period.label))

    # -- a decision's figures

    def decision_record(self, decision: Decision, from_uri: str, promise: str, level: int = 2) -> v.DecisionRecord:
        w = self.w
        last_month, last_quarter = self.record.last_month, self.record.last_quarter
        periods = (
            self.period_row(decision, last_month, w["last_month"].format(period=period_name(last_month, w)), from_uri),
            self.period_row(
                decision, last_quarter, w["last_quarter"].format(period=period_name(last_quarter, w)), from_uri
            ),
        )
        left = int(self.measured.left_out.get(decision.id, 0))
        title = " ".join(decision.title.split())
        target = decision_uri(decision.id)
        link = self.links.link(from_uri, target, title).href if from_uri != target else None
        return v.DecisionRecord(
            heading=v.Heading(level, f"record-{decision.id}", title, link),
            promise=promise,
            periods=periods,
            trend=self.trend(decision),
            left_out=w["left_out_text"].format(n=left) if left else "",
        )

    def period_row(self, decision: Decision, period: Period, label: str, from_uri: str) -> v.PeriodRow:
        found = self.figures(decision.id, period)
        if found is None:
            return v.PeriodRow(label, period.label, 0, False, self.w["too_few_cases"], 0, 0, 0, 0, "", "", "", None)
        spread = found.working_hours
        return v.PeriodRow(
            label=label,
            period=period.label,
            cases=found.cases,
            enough=found.on_time_rate is not None,
            rate=self.rate_text(found.on_time_rate),
            on_time=found.on_time,
            late=found.late + found.open_late,
            open=found.open,
            withdrawn=found.withdrawn,
            p50=hours(spread.p50),
            p80=hours(spread.p80),
            p95=hours(spread.p95),
            # below the threshold the slowest stage says more about chance than about the stage
            bottleneck=self.bottleneck(decision, found, from_uri) if found.on_time_rate is not None else None,
        )

    def rate_text(self, rate: float | None) -> str:
        return self.w["too_few_cases"] if rate is None else percent(rate)

    def bottleneck(self, decision: Decision, found: DecisionFigures, from_uri: str) -> v.Bottleneck | None:
        worst = found.bottleneck
        if worst is None:
            return None
        stage = decision.stages.get(worst.stage)
        title = " ".join((stage.title if stage else worst.stage).split())
        link = self.links.link(from_uri, decision_uri(decision.id), title, f"stage-{worst.stage}")
        text = self.w["bottleneck_text"].format(hours=hours(worst.over_within_hours), count=worst.first_late)
        return v.Bottleneck(link, text)

    def trend(self, decision: Decision) -> v.Trend:
        points = []
        for month in self.record.months:
            found = self.figures(decision.id, month)
            rate = found.on_time_rate if found is not None else None
            counted = found.on_time + found.late + found.open_late if found is not None else 0
            points.append(v.TrendPoint(month.label, rate, counted, percent(rate) if rate is not None else ""))
        return v.Trend(
            slot=decision.id,
            title=self.w["trend"],
            rate_label=self.w["on_time_rate"],
            count_label=self.w["trend_count"],
            threshold_note=self.w["trend_threshold"].format(n=MIN_CASES_INTERNAL),
            points=tuple(points),
        )

    # -- stages

    def stage_figures(self, decision_id: str, stage_id: str) -> StageFigures | None:
        found = self.figures(decision_id, self.record.last_quarter)
        if found is None:
            return None
        return next((s for s in found.stages if s.stage == stage_id), None)

    def stage_record(self, decision_id: str, stage_id: str) -> v.StageRecord:
        found = self.stage_figures(decision_id, stage_id)
        if found is None:
            return v.StageRecord(self.w["too_few_cases"], 0, "", False)
        return v.StageRecord(
            self.rate_text(found.on_time_rate),
            found.done,
            hours(found.working_hours.p80),
            usually_late(found),
        )

    def usually_late(self, decision: Decision) -> frozenset[str]:
        """The stages of ``decision`` usually late in the last closed quarter."""
        return frozenset(s for s in decision.stages if (f := self.stage_figures(decision.id, s)) and usually_late(f))

    def stage_on_time(self, decision_id: str, stage_id: str) -> str:
        """'76% (n = 42)' for a duty row; 'too few cases (n = 3)'."""
        found = self.stage_figures(decision_id, stage_id)
        done = found.done if found is not None else 0
        rate = found.on_time_rate if found is not None else None
        return self.w["rate_with_n"].format(rate=self.rate_text(rate), n=done)

    # -- overdue now

    def overdue_rows(self, from_uri: str, items: tuple[OverdueItem, ...] | None = None) -> tuple[v.OverdueRow, ...]:
        rows = []
        for item in self.measured.overdue if items is None else items:
            decision = self.org.decisions.get(item.decision)
            target = decision_uri(item.decision)
            title = decision.title if decision is not None else item.decision
            stage = decision.stages.get(item.stage) if decision is not None and item.stage else None
            if item.stage is None:
                stage_link = v.Link(self.w["the_answer"])
            else:
                stage_title = stage.title if stage is not None else item.stage
                stage_link = self.links.link(from_uri, target, stage_title, f"stage-{item.stage}")
            calendar = self.org.calendar_for(decision) if decision is not None else None
            zone = calendar.timezone.id if calendar is not None else self.record.zone
            due = item.due.astimezone(ZoneInfo(zone))
            can_act = tuple(self.links.party(from_uri, p) for p in item.can_act)
            rows.append(
                v.OverdueRow(
                    case=item.case,
                    decision=self.links.link(from_uri, target, title) if decision is not None else v.Link(title),
                    stage=stage_link,
                    due=f"{due:%Y-%m-%d %H:%M} ({zone_name(zone, self.language)})",
                    late=self.w["working_hours_n"].format(hours=hours(item.late_working_hours)),
                    can_act=can_act,
                    nobody="" if can_act else self.w["nobody_can_act"],
                    escalate_to=self.links.party(from_uri, item.escalate_to) if item.escalate_to else None,
                )
            )
        return tuple(rows)

    def overdue_for_role(self, role_id: str) -> tuple[OverdueItem, ...]:
        """The overdue items at stages the role acts in (as the rules stand now)."""
        found = []
        for item in self.measured.overdue:
            decision = self.org.decisions.get(item.decision)
            stage = decision.stages.get(item.stage) if decision is not None and item.stage else None
            if stage is not None and any(m.id == role_id for m in stage.who.members):
                found.append(item)
        return tuple(found)

    def overdue_for_person(self, person_id: str) -> tuple[OverdueItem, ...]:
        return tuple(item for item in self.measured.overdue if person_id in item.can_act)

    # -- hidden rules

    def deviation_sections(self, from_uri: str) -> tuple[v.DeviationSection, ...]:
        by_decision: dict[str, list[v.DeviationRow]] = {}
        worst: dict[str, int] = {}
        for found in self.measured.deviations:  # most cases first
            decision = self.org.decisions.get(found.decision)
            target = decision_uri(found.decision)
            stage = decision.stages.get(found.stage) if decision is not None else None
            title = stage.title if stage is not None else found.stage
            rows = by_decision.setdefault(found.decision, [])
            worst[found.decision] = max(worst.get(found.decision, 0), found.count)
            if len(rows) < DEVIATIONS_SHOWN:
                rows.append(
                    v.DeviationRow(
                        self.w[f"deviation_{found.kind.value}"],
                        self.links.link(from_uri, target, title, f"stage-{found.stage}")
                        if stage is not None
                        else v.Link(title),
                        found.count,
                        found.examples,
                    )
                )
        sections = []
        for decision_id in sorted(by_decision, key=lambda d: (-worst[d], d)):
            decision = self.org.decisions.get(decision_id)
            title = " ".join((decision.title if decision is not None else decision_id).split())
            link = self.links.link(from_uri, decision_uri(decision_id), title).href if decision is not None else None
            sections.append(
                v.DeviationSection(v.Heading(2, f"hidden-{decision_id}", title, link), tuple(by_decision[decision_id]))
            )
        return tuple(sections)

    def kinds(self) -> tuple[v.KindMeaning, ...]:
        return tuple(
            v.KindMeaning(self.w[f"deviation_{k.value}"], self.w[f"deviation_{k.value}_meaning"]) for k in Deviation
        )

    # -- the client site

    def published(self, decision: Decision) -> v.Published:
        """The last closed quarter and the ones before it, as counts clients may read."""
        w = self.w
        quarters = []
        for period in self.record.quarters:
            found = self.figures(decision.id, period)
            counted = found.on_time + found.late + found.open_late if found is not None else 0
            if found is None or found.on_time_rate is None or counted < MIN_CASES_CLIENT:
                quarters.append(v.PublishedQuarter(period_name(period, w), False, "", w["too_few_to_publish"], ""))
                continue
            rate = percent(found.on_time_rate)
            quarters.append(v.PublishedQuarter(period_name(period, w), True, str(counted), rate, str(found.paused)))
        last = quarters[0]
        title = " ".join(decision.title.split())
        if last.published:
            lead = w["published_last"].format(n=last.cases, rate=last.rate, title=title)
            pauses = w["published_pauses"].format(paused=last.paused) if last.paused not in ("", "0") else ""
        else:
            lead, pauses = w["published_too_few"], ""
        rules = w["published_rules_current" if self.measured.rules == "current" else "published_rules_history"]
        return v.Published(lead, pauses, w["published_definition"], rules, tuple(quarters))


def usually_late(found: StageFigures) -> bool:
    return found.on_time_rate is not None and found.on_time_rate < USUALLY_LATE_BELOW
