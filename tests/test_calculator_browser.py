"""The in-page date calculator, in a real headless Chromium (SPEC section 8).

The calculator in the browser must give exactly the instants of
``timeline.py``: for hundreds of start instants around the Spring Festival,
the Mid-Autumn and National Day holidays (with their make-up working days)
and the year-end closure, for every decision of the sample and every kind of
input value. Then the real form on a client page, the page without
JavaScript, and no request leaving 127.0.0.1.

Chromium is required: a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import itertools
import json
import subprocess
import threading
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO
from site_helpers import sample_sites

from decision_paths.model.audience import client_view
from decision_paths.model.calendars import BusinessCalendar
from decision_paths.model.organisation import Decision, InputType, NumberTest, Organisation
from decision_paths.model.timeline import MissingInput, fastest_and_slowest, parse_start, path_for, timeline
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.plan.calculator import calendar_data, decision_data

pytestmark = [pytest.mark.browser, pytest.mark.site]

COMMAND = REPO / ".venv" / "bin" / "decision-paths"
TODAY = "2026-11-23"

# Every request any page made, and the ones that were not for the local server.
REQUESTS: list[str] = []
BLOCKED: list[str] = []


def start_instants() -> list[str]:
    found = []
    day = dt.date(2026, 9, 15)
    while day <= dt.date(2026, 10, 20):  # make-up Sun Sep 20, Mid-Autumn Sep 25, Oct 1-7, make-up Sat Oct 10
        found += [f"{day}T{t}" for t in ("00:00", "08:59", "10:00", "17:30", "18:00", "23:30")]
        day += dt.timedelta(days=1)
    day = dt.date(2026, 2, 10)
    while day <= dt.date(2026, 3, 2):  # make-up Sat Feb 14, Feb 15-23 off, make-up Sat Feb 28
        found += [f"{day}T{t}" for t in ("00:00", "10:00", "17:30")]
        day += dt.timedelta(days=1)
    day = dt.date(2026, 12, 18)
    while day <= dt.date(2026, 12, 31):  # Christmas in Hong Kong, the 2026-12-31 closure, New Year
        found += [f"{day}T{t}" for t in ("10:00", "17:30")]
        day += dt.timedelta(days=1)
    # Other forms of the start: seconds, offsets, a bare date.
    found += [
        "2026-09-30T02:00:00Z",
        "2026-10-09T20:00:00-04:00",
        "2026-02-13T17:59:59+08:00",
        "2026-10-01",
        "2026-12-30T09:00:00",
    ]
    return found


STARTS = start_instants()


# ------------------------------------------------------------------ input values


def candidate_values(decision: Decision) -> dict[str, list[object]]:
    """For each input: both sides of every threshold, every option, yes and no."""
    thresholds: dict[str, set[Decimal]] = {}
    for stage in decision.stages.values():
        for branch in stage.branches:
            for condition in branch.conditions:
                if isinstance(condition.test, NumberTest):
                    thresholds.setdefault(condition.input.id, set()).update(c.value for c in condition.test.comparisons)
    found: dict[str, list[object]] = {}
    for item in decision.inputs.values():
        if item.type is InputType.NUMBER:
            edges = thresholds.get(item.id, {Decimal(0)})
            found[item.id] = sorted({e + d for e in edges for d in (Decimal(-1), Decimal(0), Decimal(1))})
        elif item.type is InputType.CHOICE:
            found[item.id] = list(item.options)
        else:
            found[item.id] = [True, False]
    return found


def value_sets(decision: Decision) -> list[dict[str, object]]:
    """Every combination of candidate values, plus no values and each input alone (missing inputs)."""
    candidates = candidate_values(decision)
    names = list(candidates)
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*(candidates[n] for n in names))]
    partial = [{name: candidates[name][0]} for name in names] if len(names) > 1 else []
    return [{}, *partial, *combos] if names else [{}]


def to_js(values: dict[str, object]) -> dict[str, object]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()}


_CALENDARS: dict[int, BusinessCalendar] = {}


def business_calendar(org: Organisation, decision: Decision) -> BusinessCalendar:
    """One BusinessCalendar per calendar (it caches the holiday tables), as the CLI has one per run."""
    calendar = org.calendar_for(decision)
    assert calendar is not None
    if id(calendar) not in _CALENDARS:
        _CALENDARS[id(calendar)] = BusinessCalendar(calendar)
    return _CALENDARS[id(calendar)]


def python_answer(org: Organisation, decision: Decision, start: str, values: dict[str, object]) -> dict:
    calendar = business_calendar(org, decision)
    try:
        result = timeline(decision, path_for(decision, values), parse_start(start, calendar), calendar).to_json()
    except MissingInput as missing:
        return {"missing": missing.input.id}
    result["stages"] = [{k: s[k] for k in ("id", "received", "due")} for s in result["stages"]]  # type: ignore[union-attr]
    return result


# ------------------------------------------------------------------ the site, a server, a browser


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Both sample sites (out/internal, out/client), shared with the other site tests."""
    return sample_sites(tmp_path_factory)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(out: Path):  # type: ignore[no-untyped-def]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(chromium):  # type: ignore[no-untyped-def]
    """The session's Chromium (conftest.py), started once per test process."""
    return chromium


def new_context(browser, server: str, **options):  # type: ignore[no-untyped-def]
    """A browser context that records every request and lets only the local server answer."""
    context = browser.new_context(**options)
    local = urlsplit(server).netloc

    def route(route, request) -> None:  # type: ignore[no-untyped-def]
        REQUESTS.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == local:
            route.continue_()
        else:
            BLOCKED.append(request.url)
            route.abort()

    context.route("**/*", route)
    context.on("request", lambda request: REQUESTS.append(request.url))
    return context


@pytest.fixture(scope="module")
def context(browser, server: str):  # type: ignore[no-untyped-def]
    made = new_context(browser, server)
    yield made
    made.close()


@pytest.fixture(scope="module")
def model() -> Organisation:
    result = validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY))
    assert not result.has_errors
    return result.org


# Cases in and answers out as one JSON string each: far faster than Playwright's structured values.
# The data is the calculator's own: the decision page's script[id^=dp-calculator-data-], read from
# the page itself (fetched and parsed, so one page load serves every decision of a site).
EVALUATE = """async ([url, casesJson]) => {
  const source = await (await fetch(url)).text();
  const doc = new DOMParser().parseFromString(source, "text/html");
  const data = JSON.parse(doc.querySelector('script[id^="dp-calculator-data-"]').textContent);
  return JSON.stringify(JSON.parse(casesJson).map(([start, values]) => {
    try { return window.DecisionPaths.timelineJson(data, start, values); }
    catch (err) { return {error: String(err)}; }
  }));
}"""


def open_page(context, url: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.DecisionPaths && window.DecisionPaths.timelineJson")
    return page, errors


def compare_site(context, server: str, audience: str, org: Organisation) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    checked, mismatches = 0, []
    page, errors = open_page(context, f"{server}/{audience}/")
    for decision in org.decisions.values():
        cases = [(start, values) for values in value_sets(decision) for start in STARTS]
        url = f"{server}/{audience}/decisions/{decision.id}/"
        browser_answers = json.loads(
            page.evaluate(EVALUATE, [url, json.dumps([(start, to_js(values)) for start, values in cases])])
        )
        assert len(browser_answers) == len(cases)
        for (start, values), in_browser in zip(cases, browser_answers, strict=True):
            expected = python_answer(org, decision, start, values)
            checked += 1
            if in_browser != expected:
                mismatches.append(
                    f"{audience} {decision.id} start={start} values={to_js(values)}:\n"
                    f"  python:  {json.dumps(expected, ensure_ascii=False)}\n"
                    f"  browser: {json.dumps(in_browser, ensure_ascii=False)}"
                )
    page.close()
    assert errors == [], errors
    return checked, mismatches


# ------------------------------------------------------------------ the tests


def test_there_are_enough_start_instants() -> None:
    assert len(STARTS) >= 150
    assert "2026-12-31T10:00" in STARTS and "2026-02-14T10:00" in STARTS and "2026-10-10T17:30" in STARTS


def test_browser_and_python_agree_on_the_internal_site(context, server: str, model: Organisation) -> None:  # type: ignore[no-untyped-def]
    checked, mismatches = compare_site(context, server, "internal", model)
    assert len(model.decisions) == 8 and checked > 10_000
    assert mismatches == [], f"{len(mismatches)} of {checked} differ; first ones:\n" + "\n".join(mismatches[:8])


def test_browser_and_python_agree_on_the_client_site(context, server: str, model: Organisation) -> None:  # type: ignore[no-untyped-def]
    # The client pages carry the client view (internal stages renamed); Python computes on the same view.
    view = client_view(model, words("zh"))
    checked, mismatches = compare_site(context, server, "client", view)
    assert len(view.decisions) == 6
    assert mismatches == [], f"{len(mismatches)} of {checked} differ; first ones:\n" + "\n".join(mismatches[:8])


def cli_due(*args: str) -> str:
    done = subprocess.run(
        [str(COMMAND), "timeline", *args, "--format", "json"],
        cwd=REPO,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    due = dt.datetime.fromisoformat(json.loads(done.stdout)["due"])
    return due.strftime("%Y-%m-%d %H:%M")


def test_the_form_on_a_client_page_shows_the_cli_answer(context, server: str) -> None:  # type: ignore[no-untyped-def]
    page, errors = open_page(context, f"{server}/client/decisions/out-of-scope-request/")
    page.wait_for_selector("[data-dp-ready]", state="attached")
    fields = {
        name: page.locator(f'[data-dp-field="{name}"]') for name in ("effort-days", "contract-type", "repeat-client")
    }
    page.fill("input[name=dp-start]", "2026-09-30T10:00")
    # Nothing entered yet: the calculator asks for the first input the path needs.
    assert page.locator(".dp-missing").is_visible()
    assert fields["effort-days"].is_visible()

    page.fill('[data-dp-input="effort-days"]', "25")
    answer = page.locator(".dp-answer")
    answer.wait_for()
    expected = cli_due("out-of-scope-request", "--start", "2026-09-30T10:00", "--set", "effort-days=25")
    assert expected == "2026-10-15 18:00"  # Oct 8, Oct 12 (via Sat Oct 10), Oct 14, Oct 15
    assert expected in answer.inner_text()
    assert not fields["contract-type"].is_visible() and not fields["repeat-client"].is_visible()

    page.fill('[data-dp-input="effort-days"]', "5")
    page.locator(".dp-missing").wait_for()
    assert fields["contract-type"].is_visible()
    page.select_option('[data-dp-input="contract-type"]', "time-and-materials")
    page.locator(".dp-missing").wait_for()
    assert fields["repeat-client"].is_visible()
    page.select_option('[data-dp-input="repeat-client"]', "yes")
    answer.wait_for()
    assert (
        cli_due(
            "out-of-scope-request",
            "--start",
            "2026-09-30T10:00",
            "--set",
            "effort-days=5",
            "--set",
            "contract-type=time-and-materials",
            "--set",
            "repeat-client=yes",
        )
        in answer.inner_text()
    )

    page.fill("input[name=dp-start]", "2026-02-13T17:30")
    answer.wait_for()
    assert (
        cli_due(
            "out-of-scope-request",
            "--start",
            "2026-02-13T17:30",
            "--set",
            "effort-days=5",
            "--set",
            "contract-type=time-and-materials",
            "--set",
            "repeat-client=yes",
        )
        in answer.inner_text()
    )
    rows = page.locator(".dp-result tbody tr")
    assert rows.count() == 3  # intake, assess, answer
    page.close()
    assert errors == [], errors


def test_hong_kong_form_uses_the_hong_kong_calendar(context, server: str) -> None:  # type: ignore[no-untyped-def]
    page, errors = open_page(context, f"{server}/client/decisions/refund-request/")
    page.wait_for_selector("[data-dp-ready]", state="attached")
    page.fill("input[name=dp-start]", "2026-02-13T15:00")
    page.select_option('[data-dp-input="work-delivered"]', "no")
    page.fill('[data-dp-input="refund-amount"]', "5000")
    page.locator(".dp-answer").wait_for()
    expected = cli_due(
        "refund-request", "--start", "2026-02-13T15:00", "--set", "work-delivered=no", "--set", "refund-amount=5000"
    )
    assert expected == "2026-02-27 23:59"
    assert expected in page.locator(".dp-answer").inner_text()
    page.close()
    assert errors == [], errors


def test_without_javascript_the_page_shows_a_worked_example(browser, server: str, model: Organisation) -> None:  # type: ignore[no-untyped-def]
    context = new_context(browser, server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/client/decisions/out-of-scope-request/")
        assert page.evaluate("1 + 1") == 2  # (evaluate still works; the page's own scripts do not run)
        assert page.locator("[data-dp-ready]").count() == 0
        rows = page.locator(".dp-result table tbody tr")
        decision = model.decisions["out-of-scope-request"]
        calendar = BusinessCalendar(model.calendar_for(decision))
        start = calendar.local(dt.date.fromisoformat(TODAY), dt.time(10))
        fastest, slowest = fastest_and_slowest(decision, start, calendar)
        assert rows.count() == len(slowest.stages)
        shown = [rows.nth(n).locator("td").last.inner_text().strip() for n in range(rows.count())]
        assert shown == [s.due.strftime("%Y-%m-%d %H:%M") for s in slowest.stages]
        lead = page.locator(".dp-result .dp-answer").inner_text()
        assert lead == f"最迟 {slowest.due.strftime('%Y-%m-%d %H:%M')}(北京时间)前收到答复:书面答复客户"
        example = page.locator(".dp-result p:not(.dp-answer):not(.dp-caveat)").first.inner_text()
        assert f"{TODAY} 10:00" in example and fastest.due.strftime("%Y-%m-%d %H:%M") in example
        assert slowest.due.strftime("%Y-%m-%d %H:%M") in example
    finally:
        context.close()


def test_a_clock_change_gives_the_same_instants_in_the_browser(
    context, server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A calendar in a zone with summer time (any IANA zone is allowed): Europe/London.

    Only unambiguous starts: an explicit UTC offset, or a local time that exists once.
    """
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "decisions"
    folder.mkdir()
    (folder / "_org.yaml").write_text(
        "people:\n  li-na: {name: Li}\nroles:\n  clerk: {title: Clerk, held_by: [li-na]}\n"
        "calendars:\n  london: {country: GB, timezone: Europe/London}\n",
        encoding="utf-8",
    )
    (folder / "clock.yaml").write_text(
        "title: Clock\nsummary: Around the clock change.\nowner: clerk\nreviewed: 2026-10-01\n"
        "review_every: 180 days\nstart: a\nstages:\n"
        "  a: {title: A, who: clerk, within: 24 hours, next: b}\n"
        "  b: {title: B, who: clerk, within: 2 business hours, next: c}\n"
        "  c: {title: C, who: clerk, within: 1 calendar day}\n",
        encoding="utf-8",
    )
    result = validate_folder("decisions", dt.date.fromisoformat(TODAY))
    assert not result.has_errors, [f.to_text() for f in result.findings]
    org = result.org
    decision = org.decisions["clock"]
    data = {
        "decision": decision_data(decision),
        "calendar": calendar_data(BusinessCalendar(org.calendar_for(decision)), 2026),
    }
    starts = [
        "2026-03-28T10:00",
        "2026-03-29T00:30",
        "2026-10-24T00:30",
        "2026-10-24T01:30",
        "2026-10-25T00:30:00+01:00",
        "2026-10-25T01:30:00+01:00",
        "2026-10-25T01:30:00+00:00",
        "2026-10-25T03:00",
    ]
    page, errors = open_page(context, f"{server}/internal/decisions/out-of-scope-request/")
    in_browser = page.evaluate(
        "([data, starts]) => starts.map(s => window.DecisionPaths.timelineJson(data, s, {}))", [data, starts]
    )
    page.close()
    mismatches = []
    for start, answer in zip(starts, in_browser, strict=True):
        expected = python_answer(org, decision, start, {})
        if answer != expected:
            mismatches.append(f"start={start}\n  python:  {json.dumps(expected)}\n  browser: {json.dumps(answer)}")
    assert errors == []
    assert mismatches == [], "\n".join(mismatches)


def test_no_request_left_127_0_0_1(server: str) -> None:
    # Runs last in this module: every page above was recorded.
    assert REQUESTS, "no request was recorded: the browser tests did not run"
    local = urlsplit(server).netloc
    outside = sorted(
        {
            url
            for url in REQUESTS
            if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != local
        }
    )
    assert outside == [] and BLOCKED == []


# ------------------------------------------------------------------ the start field, read as people do


COMPLAINT = "/client/decisions/client-complaint/"
WRITTEN_ANSWER = "书面解决方案 / Written resolution"


@pytest.fixture(scope="module")
def london(browser, server: str):  # type: ignore[no-untyped-def]
    """A reader in London on a phone: the browser's own zone and format must not leak into the answer."""
    made = new_context(
        browser, server, timezone_id="Europe/London", locale="en-US", viewport={"width": 390, "height": 844}
    )
    yield made
    made.close()


def test_the_start_field_names_the_zone_and_starts_at_now_in_that_zone(london, server: str) -> None:  # type: ignore[no-untyped-def]
    page, errors = open_page(london, server + COMPLAINT)
    page.wait_for_selector("[data-dp-ready]", state="attached")
    label = page.locator("label:has(input[name=dp-start])").inner_text()
    assert "北京时间" in label
    shown = page.input_value("input[name=dp-start]")
    beijing_now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    assert abs(dt.datetime.strptime(shown, "%Y-%m-%d %H:%M") - beijing_now) < dt.timedelta(minutes=3), shown
    page.close()
    assert errors == [], errors


def test_a_reader_in_london_gets_the_written_answer_to_a_complaint_in_beijing_time(london, server: str) -> None:  # type: ignore[no-untyped-def]
    page, errors = open_page(london, server + COMPLAINT)
    page.wait_for_selector("[data-dp-ready]", state="attached")
    page.fill("input[name=dp-start]", "2026-12-23 17:00")
    page.select_option('[data-dp-input="severity"]', "major")
    lead = page.locator(".dp-result .dp-answer")
    lead.wait_for()
    # The CLI says the same: resolution due 2027-01-05 18:00 +08:00 (the follow-up call comes later).
    assert cli_due("client-complaint", "--start", "2026-12-23T17:00", "--set", "severity=major") == "2027-01-05 18:00"
    assert lead.inner_text() == f"最迟 2027-01-05 18:00(北京时间)前收到答复:{WRITTEN_ANSWER}"
    # China has not published 2027's make-up workdays: the date carries the caveat, as the CLI's DP406.
    assert "2027 年的法定节假日和调休安排尚未公布" in page.locator(".dp-result .dp-caveat").first.inner_text()
    rows = [row.split("\t") for row in page.locator(".dp-result tbody tr").all_inner_texts()]
    assert rows[-1][0] == "回访电话 / Follow-up call" and rows[-1][2] == "2027-01-12 23:59"
    # On a phone the answer is on screen without scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
    assert errors == [], errors


def test_a_start_that_is_not_a_date_says_how_to_write_it(london, server: str) -> None:  # type: ignore[no-untyped-def]
    page, errors = open_page(london, server + COMPLAINT)
    page.wait_for_selector("[data-dp-ready]", state="attached")
    page.fill("input[name=dp-start]", "12/23/2026 5:00 PM")
    message = page.locator(".dp-result .dp-missing")
    message.wait_for()
    assert "年-月-日 时:分" in message.inner_text()
    page.close()
    assert errors == [], errors


def test_the_start_stays_when_the_reader_moves_to_another_decision(london, server: str) -> None:  # type: ignore[no-untyped-def]
    page, errors = open_page(london, server + COMPLAINT)
    page.wait_for_selector("[data-dp-ready]", state="attached")
    page.fill("input[name=dp-start]", "2026-12-23 17:00")
    page.goto(server + "/client/decisions/out-of-scope-request/")
    page.wait_for_selector("[data-dp-ready]", state="attached")
    assert page.input_value("input[name=dp-start]") == "2026-12-23 17:00"
    page.close()
    assert errors == [], errors
