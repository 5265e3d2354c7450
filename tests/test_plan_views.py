"""The planner on its own: what each page will show, as data, before any template or MkDocs.

The sample organisation on 2026-11-23: 陈静 (finance controller) is away, and her
role's backup, the deputy-finance-controller role, acts for her."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, is_dataclass

import pytest
from site_helpers import REPO

from decision_paths.model.audience import SITES, PageKind, site_history, site_view
from decision_paths.model.history import Commit, Entry, History
from decision_paths.model.organisation import Audience, Organisation
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.plan import views as v
from decision_paths.plan.pages import PlanOptions, plan_site

TODAY = dt.date(2026, 11, 23)
EN = words("en")


@pytest.fixture(scope="module")
def org() -> Organisation:
    return validate_folder(str(REPO / "decisions"), TODAY).org


def plan(org: Organisation, audience: Audience, history: History | None = None) -> v.SitePlan:
    view = site_view(org, audience, EN)
    notes = None if history is None else site_history(history, audience, view)
    return plan_site(view, PlanOptions(TODAY, "en", EN, history=notes), SITES[audience])


def page(pages: tuple[v.DecisionView, ...] | tuple[v.ClientDecisionView, ...], decision_id: str):  # type: ignore[no-untyped-def]
    return next(p for p in pages if p.uri == f"decisions/{decision_id}.md")


def texts(value: object) -> list[str]:
    """Every string in a view, however deep: what could reach the page."""
    if isinstance(value, str):
        return [value]
    if is_dataclass(value):
        return [t for f in fields(value) for t in texts(getattr(value, f.name))]
    if isinstance(value, dict):
        return [t for k, item in value.items() for t in (*texts(k), *texts(item))]
    if isinstance(value, list | tuple):
        return [t for item in value for t in texts(item)]
    return []


def test_a_stage_shows_who_is_away_and_who_stands_in(org: Organisation) -> None:
    refund = page(plan(org, Audience.INTERNAL).decisions, "refund-request")
    approval = next(s for s in refund.stages if s.id == "finance-approval")
    (controller,) = approval.who
    assert controller.name == v.Link("财务总监 / Finance Controller", "../../roles/finance-controller/")
    assert controller.present == ()
    assert controller.away == (v.Absent(v.Link("陈静", "../../people/chen-jing/"), "Away 2026-11-16 – 2026-12-04"),)
    assert controller.backups == (
        v.Link("副财务总监 / Deputy Finance Controller", "../../roles/deputy-finance-controller/"),
    )
    assert approval.escalate_to == v.Link("首席运营官 / Chief Operating Officer", "../../roles/coo/")
    assert controller.as_of == "2026-11-23"  # what it says of 陈静 and her stand-in holds on the build's day
    coo = next(p for s in refund.stages for p in s.who if p.name.text == "首席运营官 / Chief Operating Officer")
    assert coo.as_of == ""  # nobody away: nothing that holds only today


def test_stages_in_file_order_with_marks_rules_and_links_to_each_other(org: Organisation) -> None:
    refund = page(plan(org, Audience.INTERNAL).decisions, "refund-request")
    assert [s.id for s in refund.stages] == [
        "intake",
        "finance-check",
        "delivery-assessment",
        "finance-approval",
        "senior-approval",
        "payment",
    ]
    marks = {s.id: s.marks for s in refund.stages}
    assert (marks["intake"], marks["finance-check"], marks["payment"]) == ("start", "internal", "final")
    senior = next(s for s in refund.stages if s.id == "senior-approval")
    assert senior.how_many == "all of"
    check = next(s for s in refund.stages if s.id == "finance-check")
    delivered, amount = (
        "是否已交付部分工作 / Has any of the work been delivered?",
        "退款金额(港币)/ Refund amount (HKD)",
    )
    assert [(n.condition, n.stage.href) for n in check.next] == [
        (f"{delivered} = yes", "#stage-delivery-assessment"),
        (f"{delivered} = no; {amount} < 20000", "#stage-finance-approval"),
        (f"{delivered} = no; {amount} >= 20000", "#stage-senior-approval"),
    ]


def test_the_calculator_starts_today_with_one_field_per_input(org: Organisation) -> None:
    refund = page(plan(org, Audience.INTERNAL).decisions, "refund-request")
    assert refund.calculator is not None
    assert refund.calculator.start == "2026-11-23 10:00"
    assert [(f.id, f.kind) for f in refund.calculator.fields] == [
        ("refund-amount", "number"),
        ("work-delivered", "select"),
    ]
    assert refund.calculator.example.startswith("Example: a request submitted on 2026-11-23 10:00 is answered between")


def test_a_person_away_today_sees_who_acts_for_each_role(org: Organisation) -> None:
    chen = next(p for p in plan(org, Audience.INTERNAL).people if p.uri == "people/chen-jing.md")
    assert chen.away_now == "Away today (2026-11-16 – 2026-12-04)."
    assert [(s.role and s.role.text, [n.text for n in s.names]) for s in chen.stand_ins] == [
        ("财务总监 / Finance Controller", ["副财务总监 / Deputy Finance Controller"])
    ]


def test_each_site_plans_exactly_the_page_kinds_its_audience_gets(org: Organisation) -> None:
    internal = plan(org, Audience.INTERNAL)
    client = plan(org, Audience.CLIENT)
    assert (
        PageKind.DECISION in SITES[Audience.INTERNAL].pages and PageKind.CLIENT_DECISION in SITES[Audience.CLIENT].pages
    )
    assert len(internal.decisions) == len(org.decisions) and internal.client_decisions == ()
    assert internal.roles and internal.people and internal.matrix and internal.review and internal.home
    assert client.decisions == () and client.roles == () and client.people == ()
    assert client.roles_index is client.people_index is client.matrix is client.review is client.home is None
    assert client.diagrams == {} and set(internal.diagrams) == set(org.decisions)
    assert client.client_home is not None
    assert [p.uri for p in client.client_decisions] == [
        f"decisions/{d}.md" for d in org.decisions if org.decisions[d].audience is Audience.CLIENT
    ]


def test_the_client_plan_holds_nothing_internal(org: Organisation) -> None:
    client = plan(org, Audience.CLIENT)
    refund = page(client.client_decisions, "refund-request")
    check = next(s for s in refund.steps if s.title == "Internal review")
    assert check.who == "Internal team"
    everything = " ".join(texts(client))
    internal_only = [org.people[p].name for p in org.people] + [
        s.title for d in org.decisions.values() for s in d.stages.values() if s.visibility.value == "internal"
    ]
    internal_only += [d.title for d in org.decisions.values() if d.audience is Audience.INTERNAL]
    assert [t for t in internal_only if t in everything] == []


def test_the_client_history_has_client_lines_only_and_no_authors(org: Organisation) -> None:
    commit = Commit("a" * 40, "Mallory", dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), "secret reason")
    history = History(
        (
            Entry(commit, "refund-request", "退款申请 / Refund requests", ("internal line",), ("client line",)),
            Entry(commit, "expense-approval", "Expenses", ("internal only",), ()),
        )
    )
    client = plan(org, Audience.CLIENT, history)
    refund = page(client.client_decisions, "refund-request")
    assert refund.history == (v.Note("2026-11-20", ("client line",)),)
    assert client.changes is not None
    (day,) = client.changes.commits
    assert (day.heading.text, day.message) == ("2026-11-20", None)
    assert [(e.heading.text, e.lines) for e in day.entries] == [("退款申请 / Refund requests", ("client line",))]
    assert "Mallory" not in texts(client) and "secret reason" not in texts(client)
    internal = plan(org, Audience.INTERNAL, history)
    assert page(internal.decisions, "refund-request").history == (
        v.Note("2026-11-20", ("internal line",), "Mallory", "secret reason"),
    )


def test_without_history_pages_say_nothing_about_it(org: Organisation) -> None:
    internal = plan(org, Audience.INTERNAL)
    assert all(p.history is None for p in internal.decisions)
    assert internal.changes is not None and internal.changes.feed is None and internal.extra_files == {}


def test_the_matrix_has_a_column_per_approving_role_and_a_row_per_decision(org: Organisation) -> None:
    matrix = plan(org, Audience.INTERNAL).matrix
    assert matrix is not None
    assert len(matrix.rows) == len(org.decisions)
    assert all(len(row.cells) == len(matrix.columns) for row in matrix.rows)
    column = [c.text for c in matrix.columns].index("财务总监 / Finance Controller")
    approves = {row.decision.text for row in matrix.rows if row.cells[column]}
    assert "退款申请 / Refund requests" in approves


# ------------------------------------------------------------------ the case record (SPEC 11)


def figures(decision: str, period: str, on_time: int, late: int, stages=(), paused: int = 0):  # type: ignore[no-untyped-def]
    from decision_paths.model.cases import DecisionFigures, Percentiles

    counted = on_time + late
    rate = round(on_time / counted, 4) if counted >= 10 else None
    spread = Percentiles(10.0, 20.0, 30.0) if counted >= 10 else Percentiles(None, None, None)
    return DecisionFigures(decision, period, counted, on_time, late, 0, 0, 0, 0, rate, spread, stages, paused)


def record_plan(org: Organisation, audience: Audience):  # type: ignore[no-untyped-def]
    """The sample planned with a made-up record: refund-request's finance check usually late."""
    from decision_paths.model.audience import site_record
    from decision_paths.model.cases import (
        Deviation,
        DeviationCount,
        Measured,
        OverdueItem,
        Percentiles,
        SiteRecord,
        StageFigures,
        shown_periods,
    )

    check = StageFigures("finance-check", 30, 21, 0.7, Percentiles(5.0, 18.0, 30.0), 40.0, 8)
    intake = StageFigures("intake", 30, 30, 1.0, Percentiles(1.0, 2.0, 3.0), 0.0, 0)
    measured = Measured(
        as_of=dt.datetime(2026, 11, 23, 15, 59, 59, tzinfo=dt.UTC),
        rules="history",
        figures=(
            figures("refund-request", "2026-Q3", 28, 2, (intake, check), paused=3),
            figures("refund-request", "2026-10", 8, 1),
            figures("expense-approval", "2026-Q3", 12, 0),
        ),
        overdue=(
            OverdueItem(
                "SECRET-CASE-1",
                "refund-request",
                "finance-approval",
                dt.datetime(2026, 11, 20, 18, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                9.0,
                ("qian-hui",),
                "coo",
            ),
        ),
        deviations=(DeviationCount("refund-request", Deviation.SKIPPED, "finance-check", 4, ("SECRET-CASE-2",)),),
        left_out={"refund-request": 2},
        cases=42,
    )
    months, quarters = shown_periods(TODAY)
    record = SiteRecord(measured, "Asia/Shanghai", months, quarters)
    view = site_view(org, audience, EN)
    options = PlanOptions(TODAY, "en", EN, record=site_record(record, audience, view))
    return plan_site(view, options, SITES[audience])


def test_the_record_pages_are_planned_from_the_figures(org: Organisation) -> None:
    planned = record_plan(org, Audience.INTERNAL)
    assert planned.promises is not None and planned.overdue is not None and planned.hidden_rules is not None
    refund = next(r for r in planned.promises.decisions if r.heading.id == "record-refund-request")
    month, quarter = refund.periods
    assert (month.label, month.rate, month.enough, month.p50, month.bottleneck) == (
        "Last closed month (2026-10)",
        "too few cases",  # 9 cases: never a rate
        False,
        "",
        None,
    )
    assert (quarter.label, quarter.rate, quarter.cases, quarter.p80) == (
        "Last closed quarter (Q3 2026)",
        "93%",
        30,
        "20",
    )
    assert (
        quarter.bottleneck is not None
        and quarter.bottleneck.stage.href == "../decisions/refund-request/#stage-finance-check"
    )
    assert refund.left_out.startswith("2 cases left out")
    assert [p.month for p in refund.trend.points][-1] == "2026-10" and len(refund.trend.points) == 12
    assert refund.trend.points[-1] == v.TrendPoint("2026-10", None, 9, "")
    assert planned.promises.note.as_of == "As of 2026-11-23 23:59 (Beijing time)."
    (row,) = planned.overdue.rows
    assert row.case == "SECRET-CASE-1" and row.can_act == (v.Link("钱慧", "../people/qian-hui/"),)
    assert row.due == "2026-11-20 18:00 (Hong Kong Time)" and row.late == "9 working hours"
    (section,) = planned.hidden_rules.sections
    assert section.rows == (
        v.DeviationRow(
            "Skipped",
            v.Link(section.rows[0].stage.text, "../decisions/refund-request/#stage-finance-check"),
            4,
            ("SECRET-CASE-2",),
        ),
    )
    # The decision page: the stage figures, the late stage marked, in the diagram too.
    decision = page(planned.decisions, "refund-request")
    stages = {s.id: s.record for s in decision.stages}
    assert stages["finance-check"] == v.StageRecord("70%", 30, "18", True)
    assert stages["intake"] == v.StageRecord("100%", 30, "2", False)
    assert stages["payment"] == v.StageRecord("too few cases", 0, "", False)
    assert "dp-late" in planned.diagrams["refund-request"] and "usually late" in planned.diagrams["refund-request"]
    assert "dp-late" not in planned.diagrams["expense-approval"]
    # Role and person pages: their stages' rates, their overdue items.
    controller = next(r for r in planned.roles if r.uri == "roles/finance-controller.md")
    assert [r.case for r in controller.overdue] == ["SECRET-CASE-1"]
    deputy = next(p for p in planned.people if p.uri == "people/qian-hui.md")
    assert [r.case for r in deputy.overdue] == ["SECRET-CASE-1"]
    manager = next(r for r in planned.roles if r.uri == "roles/finance-manager.md")
    assert "70% (n = 30)" in [d.on_time for d in manager.duties.approves]


def test_the_client_plan_has_only_published_counts(org: Organisation) -> None:
    planned = record_plan(org, Audience.CLIENT)
    assert planned.promises is None and planned.overdue is None and planned.hidden_rules is None
    refund = page(planned.client_decisions, "refund-request")
    assert refund.published is not None
    assert (
        refund.published.lead
        == "Last quarter: 30 requests (“退款申请 / Refund requests”), 93% answered within the promised time."
    )
    assert refund.published.pauses == "For 3 of them the clock stopped while we waited for you."
    assert [q.published for q in refund.published.quarters] == [True, False, False, False]
    shown = " ".join(texts(planned))
    for secret in (
        "SECRET-CASE",
        "钱慧",
        "qian-hui",
        "finance-check",
        "usually late",
        "Finance check",
        "9 working hours",
    ):
        assert secret not in shown, secret


def test_rates_are_whole_percentages_that_never_round_to_all_or_none() -> None:
    from decision_paths.plan.record import percent

    assert [percent(r) for r in (1.0, 0.996, 0.5, 0.004, 0.0)] == ["100%", "99%", "50%", "1%", "0%"]


def test_the_client_cut_of_the_record() -> None:
    from decision_paths.model.audience import site_record
    from decision_paths.model.cases import Measured, SiteRecord, shown_periods

    months, quarters = shown_periods(TODAY)
    assert [q.label for q in quarters] == ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"]
    assert months[0].label == "2025-11" and months[-1].label == "2026-10"
    org = validate_folder(str(REPO / "decisions"), TODAY).org
    measured = Measured(
        dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
        "current",
        figures=(
            figures("refund-request", "2026-Q3", 15, 4),  # 19 cases: a rate inside, none for clients
            figures("refund-request", "2026-10", 30, 0),  # a month: not published
            figures("expense-approval", "2026-Q3", 30, 0),  # internal decision
        ),
    )
    view = site_view(org, Audience.CLIENT, EN)
    cut = site_record(SiteRecord(measured, "Asia/Shanghai", months, quarters), Audience.CLIENT, view).measured
    (only,) = cut.figures
    assert (only.decision, only.period, only.on_time_rate, only.stages) == ("refund-request", "2026-Q3", None, ())
    assert cut.overdue == () and cut.deviations == () and dict(cut.left_out) == {}
