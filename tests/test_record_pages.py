"""The case record on the sites (issue 13, SPEC 7 and 11): a small organisation with a
hand-made record, built for both audiences in Chinese and in English.

The record (cases/record.csv beside decisions/) is written here, case by case:
- ``refund`` (for clients): 25 cases answered in Q3 2026, the check stage late in 6 of
  the 24 that did it (75% on time: usually late), two paused while waiting on the client,
  one whose check was skipped; 11 cases in October; one open case whose check is overdue
  now, at a stage whose only holder is away (their backup can act).
- ``small`` (for clients): 15 cases in Q3, all on time: a rate internally (n >= 10),
  nothing published for clients (n < 20).

Figures on the pages are compared with ``decision-paths stats --format json`` at the
instant the build measured them (the end of --today in the default calendar's zone).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import COMMAND, TODAY, build_cli, page, run_cli, text, write_org

from decision_paths.model import words as W

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("record_pages")]

AS_OF = "2026-11-23T23:59:59+08:00"  # the end of --today in Asia/Shanghai
CST = dt.timezone(dt.timedelta(hours=8))
LANGUAGES = ("zh", "en")

SHARED = """\
people:
  li-na: {name: 李娜}
  wang-wei: {name: 王伟}
  zhao-lei: {name: 赵磊, away: {from: 2026-11-01, until: 2026-12-31}}
  qian-hui: {name: 钱慧}
roles:
  clerk: {title: Clerk, held_by: [li-na]}
  approver: {title: Approver, held_by: [zhao-lei], backup: [qian-hui]}
  lead: {title: Lead, held_by: [wang-wei]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai}
"""
REFUND = """\
title: Refund
summary: Money back.
owner: lead
audience: client
reviewed: 2026-10-01
review_every: 180 days
start: intake
stages:
  intake: {title: Intake, who: clerk, within: 1 business day, next: check}
  check:
    title: Check
    who: approver
    within: 2 business days
    escalate_to: lead
    pausable: true
    next: answer
  answer: {title: Answer, who: lead, within: 1 business day}
"""
SMALL = REFUND.replace("title: Refund", "title: Small", 1).replace("Money back.", "Few of these.")
ENGLISH_CONFIG = """\
site_name: Record test
theme: {name: material, language: en}
plugins: [search, decision-paths]
"""


def weekdays(first: dt.date, last: dt.date, days: tuple[int, ...] = (0, 1, 2)) -> list[dt.date]:
    """Mondays to Wednesdays (by default) from ``first`` to ``last``: no Chinese holiday falls
    in the ranges used below, so a stage done the next day is within its working days."""
    found, day = [], first
    while day <= last:
        if day.weekday() in days:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def at(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute), CST).isoformat()


@dataclass
class Record:
    rows: list[list[str]]

    def case(self, case: str, decision: str, received: dt.date, late_check: bool = False, paused: bool = False):  # type: ignore[no-untyped-def]
        """Received at 10:00; intake done at 11:00; the check done the next day (or a week
        later when late); the answer an hour after the check."""
        self.rows.append([case, decision, "received", "", at(received, 10), "", "", "", "", ""])
        self.rows.append([case, decision, "done", "intake", at(received, 11), "li-na", "", "", "", ""])
        checked = received + dt.timedelta(days=7 if late_check else 1)
        if paused:
            pause = [case, decision, "paused", "check", at(received, 14), "", "", "", "internal-reason-x", "Send it"]
            self.rows.append(pause)
            self.rows.append([case, decision, "resumed", "check", at(received, 15), "", "", "", "", ""])
        self.rows.append([case, decision, "done", "check", at(checked, 12), "zhao-lei", "", "", "", ""])
        self.rows.append([case, decision, "done", "answer", at(checked, 13), "wang-wei", "", "", "", ""])


def write_record(root: Path) -> Path:
    record = Record([])
    q3 = weekdays(dt.date(2026, 7, 6), dt.date(2026, 8, 26))[:24]
    for number, day in enumerate(q3):
        record.case(f"RF-Q3-{number:02d}", "refund", day, late_check=number % 4 == 0, paused=number in (1, 2))
    for number, day in enumerate(weekdays(dt.date(2026, 10, 12), dt.date(2026, 10, 26), (0, 1, 2, 3, 4))):
        record.case(f"RF-OCT-{number:02d}", "refund", day)
    for number, day in enumerate(weekdays(dt.date(2026, 7, 6), dt.date(2026, 8, 26))[:15]):
        record.case(f"SM-Q3-{number:02d}", "small", day)
    # The check skipped: intake, then straight to the answer.
    skipped = dt.date(2026, 9, 1)
    record.rows += [
        ["RF-SKIP-01", "refund", "received", "", at(skipped, 10), "", "", "", "", ""],
        ["RF-SKIP-01", "refund", "done", "intake", at(skipped, 11), "li-na", "", "", "", ""],
        ["RF-SKIP-01", "refund", "done", "answer", at(skipped + dt.timedelta(days=1), 11), "wang-wei", "", "", "", ""],
    ]
    # Open, its check due at the end of Friday 2026-11-20: overdue on 2026-11-23.
    opened = dt.date(2026, 11, 18)
    record.rows += [
        ["RF-OPEN-01", "refund", "received", "", at(opened, 10), "", "", "", "", ""],
        ["RF-OPEN-01", "refund", "done", "intake", at(opened, 11), "li-na", "", "", "", ""],
    ]
    folder = root / "cases"
    folder.mkdir(exist_ok=True)
    with open(folder / "record.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "decision", "event", "stage", "at", "by", "inputs", "until", "reason", "client_note"])
        writer.writerows(record.rows)
    return folder


@dataclass(frozen=True)
class Built:
    language: str
    root: Path
    internal: Path
    client: Path
    err: str


@pytest.fixture(scope="module", params=LANGUAGES)
def built(request, tmp_path_factory) -> Built:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp(f"record-{request.param}")
    write_org(root, {"_org.yaml": SHARED, "money/refund.yaml": REFUND, "money/small.yaml": SMALL})
    write_record(root)
    if request.param == "en":
        (root / "mkdocs.yml").write_text(ENGLISH_CONFIG, encoding="utf-8")
    done = build_cli(root, root / "out", cache=root / "cache", audience="all")
    assert done.code == 0, done.out + done.err
    return Built(request.param, root, root / "out" / "internal", root / "out" / "client", done.err)


def stats(root: Path, period: str) -> dict[str, dict]:  # type: ignore[type-arg]
    done = run_cli("stats", "--period", period, "--format", "json", "--now", AS_OF, "--today", TODAY, cwd=root)
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert data["as_of"] == AS_OF and data["rules"] == "current"
    return {d["decision"]: d for d in data["decisions"]}


def percent(rate: float) -> str:
    return f"{round(rate * 100)}%"


def body(site: Path, url: str):  # type: ignore[no-untyped-def]
    found = page(site, url).select_one("article")
    assert found is not None
    return found


# ------------------------------------------------------------------ promises kept


def test_promises_kept_figures_match_stats(built: Built) -> None:
    w = W.words(built.language)
    article = body(built.internal, "promises-kept/")
    for period, label in (("2026-Q3", "last_quarter"), ("2026-10", "last_month")):
        expected = stats(built.root, period)
        for decision in ("refund", "small"):
            section = article.select_one(f"#record-{decision}").find_next("table", attrs={"data-dp-table": "periods"})
            row = section.select_one(f"tr[data-dp-period='{period}']")
            cells = {td["data-label"]: text(td) for td in row.select("td")}
            figures = expected[decision]
            name = w["quarter_name"].format(year=2026, number=3) if period == "2026-Q3" else period
            assert cells[w["period"]] == w[label].format(period=name)
            assert cells[w["cases_n"]] == str(figures["cases"])
            assert cells[w["late_count"]] == str(figures["late"] + figures["open_late"])
            assert cells[w["open_count"]] == str(figures["open"])
            assert cells[w["withdrawn_count"]] == str(figures["withdrawn"])
            if figures["on_time_rate"] is None:
                assert cells[w["on_time_rate"]] == w["too_few_cases"]
                assert cells[w["percentiles"]] == ""
            else:
                assert cells[w["on_time_rate"]] == percent(figures["on_time_rate"])
                hours = figures["working_hours"]
                assert cells[w["percentiles"]] == " / ".join(f"{round(hours[p], 1):g}" for p in ("p50", "p80", "p95"))
    q3 = stats(built.root, "2026-Q3")
    assert q3["refund"]["cases"] == 25 and q3["refund"]["on_time_rate"] == pytest.approx(19 / 25, abs=1e-4)
    assert q3["small"]["cases"] == 15 and q3["small"]["on_time_rate"] == 1.0
    assert stats(built.root, "2026-10")["small"]["cases"] == 0


def test_the_bottleneck_and_the_trend(built: Built) -> None:
    w = W.words(built.language)
    article = body(built.internal, "promises-kept/")
    table = article.select_one("#record-refund").find_next("table", attrs={"data-dp-table": "periods"})
    quarter = {td["data-label"]: td for td in table.select("tr[data-dp-period='2026-Q3'] td")}
    bottleneck = quarter[w["bottleneck"]]
    assert text(bottleneck.select_one("a")) == "Check"
    assert bottleneck.select_one("a")["href"] == "../decisions/refund/#stage-check"
    assert w["bottleneck_text"].split("{")[0].strip() in text(bottleneck)
    trend = article.select_one(".dp-trend[data-dp-trend=refund]")
    months = [text(th) for th in trend.select("thead th")][1:]
    assert months == [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
    rates, counts = (tr.select("td") for tr in trend.select("tbody tr"))
    by_month = dict(zip(months, zip((text(r) for r in rates), (text(c) for c in counts), strict=True), strict=True))
    assert by_month["2026-10"] == ("100%", "11")
    assert by_month["2026-06"] == ("–", "0")  # no case: no rate, never 0%
    assert "decision-paths:trend" not in str(page(built.internal, "promises-kept/"))  # the chart's slot, filled
    # Fewer than 10 cases: "too few cases", never a rate.
    small = article.select_one("#record-small").find_next("table", attrs={"data-dp-table": "periods"})
    month = {td["data-label"]: text(td) for td in small.select("tr[data-dp-period='2026-10'] td")}
    assert month[w["on_time_rate"]] == w["too_few_cases"] and month[w["cases_n"]] == "0"


def test_every_page_with_figures_says_which_rules_judged_them(built: Built) -> None:
    w = W.words(built.language)
    # The organisation has no git history here: today's rules judged every case, and each page says so.
    for url in (
        "promises-kept/",
        "overdue/",
        "hidden-rules/",
        "decisions/refund/",
        "roles/approver/",
        "people/qian-hui/",
    ):
        article = body(built.internal, url)
        zone = "北京时间" if built.language == "zh" else "Beijing time"
        assert w["record_rules_current"] in text(article), url
        assert w["record_as_of"].format(when=f"2026-11-23 23:59 ({zone})") in text(article), url


# ------------------------------------------------------------------ overdue now


def test_overdue_now_lists_the_case_with_who_can_act_by_name(built: Built) -> None:
    w = W.words(built.language)
    article = body(built.internal, "overdue/")
    rows = article.select("table[data-dp-table=overdue] tbody tr")
    assert len(rows) == 1
    cells = {td["data-label"]: td for td in rows[0].select("td")}
    assert text(cells[w["case"]]) == "RF-OPEN-01"
    assert text(cells[w["decision"]]) == "Refund"
    assert text(cells[w["stage"]]) == "Check"
    assert text(cells[w["due"]]).startswith("2026-11-20 18:00")
    assert text(cells[w["late_by"]]) == w["working_hours_n"].format(hours="9")  # Monday 09:00-18:00
    # The approver is away: their backup, by name, can act now.
    assert [text(a) for a in cells[w["can_act_now"]].select("a")] == ["钱慧"]
    assert cells[w["can_act_now"]].select_one("a")["href"] == "../people/qian-hui/"
    assert text(cells[w["escalate_to"]]) == "Lead"
    # On the pages of the role that holds the stage and of the person who can act.
    for url in ("roles/approver/", "people/qian-hui/"):
        assert "RF-OPEN-01" in text(body(built.internal, url)), url
    assert w["no_overdue"] in text(body(built.internal, "people/li-na/"))


def test_overdue_rows_are_on_their_pages_but_not_in_the_search_index(built: Built) -> None:
    """The overdue list is of the moment and thousands of rows long in a big record: search
    would parse and segment all of it. The page and its heading stay findable."""
    w = W.words(built.language)
    index = json.loads((built.internal / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = {d["location"]: d for d in index["docs"]}
    assert "overdue/" in indexed and indexed["overdue/"]["title"].replace("\u200b", "") == w["overdue_now"]
    assert not [d["location"] for d in index["docs"] if "RF-OPEN-01" in d["text"]]
    for url in ("overdue/", "roles/approver/"):
        assert "RF-OPEN-01" in text(body(built.internal, url)), url
        assert "decision-paths:unindexed" not in page(built.internal, url).decode(), url


def test_the_record_pages_are_in_the_menu(built: Built) -> None:
    w = W.words(built.language)
    menu = text(page(built.internal, "").select_one("nav.md-nav--primary"))
    for key in ("case_record", "promises_kept", "overdue_now", "hidden_rules"):
        assert w[key] in menu, key


# ------------------------------------------------------------------ hidden rules


def test_hidden_rules_show_the_skipped_stage(built: Built) -> None:
    w = W.words(built.language)
    article = body(built.internal, "hidden-rules/")
    assert w["deviation_skipped_meaning"] in text(article)
    section = article.select_one("#hidden-refund").find_next("table")
    rows = [{td["data-label"]: text(td) for td in tr.select("td")} for tr in section.select("tbody tr")]
    assert {
        w["kind"]: w["deviation_skipped"],
        w["stage"]: "Check",
        w["cases_n"]: "1",
        w["example_cases"]: "RF-SKIP-01",
    } in rows
    assert not article.select("#hidden-small")  # every small case followed its path


# ------------------------------------------------------------------ decision pages


def test_a_decision_page_shows_stage_rates_and_marks_the_late_stage(built: Built) -> None:
    w = W.words(built.language)
    article = body(built.internal, "decisions/refund/")
    header = w["stage_on_time"].format(period=w["quarter_name"].format(year=2026, number=3))
    table = article.select_one("#stages").find_next("table")
    assert header in [text(th) for th in table.select("thead th")]
    rows = {}
    for tr in table.select("tbody tr"):
        cells = {td["data-label"]: td for td in tr.select("td")}
        rows[tr.select_one("span[id^=stage-]")["id"]] = cells
    q3 = {s["stage"]: s for s in stats(built.root, "2026-Q3")["refund"]["stages"]}
    for stage, cells in rows.items():
        figures = q3[stage.removeprefix("stage-")]
        assert text(cells[header]) == percent(figures["on_time_rate"]), stage
        assert text(cells[w["stage_done"]]) == str(figures["done"]), stage
        assert text(cells[w["stage_p80"]]) == f"{round(figures['working_hours']['p80'], 1):g}", stage
    assert text(rows["stage-check"][header]) == "75%"
    late = [s for s, cells in rows.items() if cells[w["stage"]].select_one(".dp-late")]
    assert late == ["stage-check"]
    assert w["usually_late"] in text(rows["stage-check"][w["stage"]])
    # The figures of the whole decision, as on the Promises kept page.
    assert article.select_one("#record") is not None and article.select_one("table[data-dp-table=periods]") is not None


def test_the_diagram_marks_the_late_stage(built: Built) -> None:
    w = W.words(built.language)
    svg = (built.internal / "diagrams" / "refund.svg").read_text(encoding="utf-8")
    nodes = re.findall(r'<g id="[^"]*" class="node ([^"]*)">', svg)
    assert sum("dp&#45;late" in n for n in nodes) == 1
    assert w["usually_late"] in svg
    assert 'stroke="#c62828"' in svg  # red border in the file opened on its own (no page CSS)


def test_role_and_person_pages_show_their_stages_on_time_rates(built: Built) -> None:
    w = W.words(built.language)
    header = w["stage_on_time"].format(period=w["quarter_name"].format(year=2026, number=3))
    table = body(built.internal, "roles/approver/").select_one("#approves").find_next("table")
    rates = [text(td) for td in table.select(f"td[data-label='{header}']")]
    assert w["rate_with_n"].format(rate="75%", n=24) in rates  # refund's check: 24 done in Q3 (one skipped)
    person = body(built.internal, "people/qian-hui/").select_one("#approves").find_next("table")
    assert w["rate_with_n"].format(rate="100%", n=15) in [
        text(td) for td in person.select(f"td[data-label='{header}']")
    ]


# ------------------------------------------------------------------ the client site


def test_the_client_page_publishes_the_quarter_at_20_cases_and_hides_it_below(built: Built) -> None:
    w = W.words(built.language)
    refund = body(built.client, "decisions/refund/")
    q3 = stats(built.root, "2026-Q3")["refund"]
    counted = q3["on_time"] + q3["late"] + q3["open_late"]
    lead = w["published_last"].format(n=counted, rate=percent(q3["on_time_rate"]), title="Refund")
    assert text(refund.select_one(".dp-published-lead")).startswith(lead)
    assert w["published_pauses"].format(paused=2) in text(refund)
    assert w["published_definition"] in text(refund)
    assert w["published_rules_current"] in text(refund)  # no history here: today's promise judged them
    quarters = [[text(td) for td in tr.select("td")] for tr in refund.select("table[data-dp-table=published] tbody tr")]
    assert quarters[0] == [w["quarter_name"].format(year=2026, number=3), "25", "76%", "2"]
    assert [q[0] for q in quarters[1:]] == [
        w["quarter_name"].format(year=2026, number=2),
        w["quarter_name"].format(year=2026, number=1),
        w["quarter_name"].format(year=2025, number=4),
    ]
    assert all(q[1:] == [w["too_few_to_publish"]] for q in quarters[1:])
    # 15 cases: a rate internally, nothing published for clients.
    small = body(built.client, "decisions/small/")
    assert text(small.select_one(".dp-published-lead")) == w["published_too_few"]
    assert "100%" not in text(small) and "15" not in text(small.select_one("table[data-dp-table=published]"))
    # Nothing else of the record: no case, no person, no reason, no stage figures, no record page.
    for path in built.client.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            content = path.read_text(encoding="utf-8")
            for secret in (
                "RF-",
                "SM-Q3",
                "internal-reason-x",
                "钱慧",
                "qian-hui",
                "赵磊",
                "Send it",
                w["usually_late"],
            ):
                assert secret not in content, (path, secret)
    for folder in ("promises-kept", "overdue", "hidden-rules"):
        assert not (built.client / folder).exists()


# ------------------------------------------------------------------ language, warnings, reproducibility


def test_the_record_pages_speak_the_site_language(built: Built) -> None:
    from test_language import foreign

    written = [
        "Refund",
        "Small",
        "Intake",
        "Check",
        "Answer",
        "Clerk",
        "Approver",
        "Lead",
        "Money back.",
        "Few of these.",
    ]
    written += ["李娜", "王伟", "赵磊", "钱慧", "money"]  # the people, the category folder
    for site, urls in (
        (built.internal, ("promises-kept/", "overdue/", "hidden-rules/", "decisions/refund/", "roles/approver/")),
        (built.client, ("decisions/refund/", "decisions/small/")),
    ):
        for url in urls:
            article = BeautifulSoup(str(body(site, url)), "html.parser")  # a copy: parsed pages are shared
            for noise in article.select("script, .dp-diagram, .dp-calculator, code"):
                noise.decompose()
            shown = text(article)
            for word in written:
                shown = shown.replace(word, " ")
            assert foreign(shown, built.language) == [], (url, foreign(shown, built.language)[:10])


def test_bad_rows_of_the_record_are_warnings_of_the_build(tmp_path: Path) -> None:
    write_org(tmp_path, {"_org.yaml": SHARED, "money/refund.yaml": REFUND, "money/small.yaml": SMALL})
    folder = write_record(tmp_path)
    with open(folder / "record.csv", "a", encoding="utf-8") as handle:
        handle.write("RF-BAD-01,refund,received,,not a time,,,,,\n")
    done = build_cli(tmp_path, tmp_path / "out", audience="all")
    assert done.code == 0, done.err
    warnings = [line for line in done.err.splitlines() if "record.csv" in line]
    assert len(warnings) == 1 and ": warning: " in warnings[0] and "not a time" in warnings[0], done.err


def test_the_build_with_a_record_is_the_same_twice(built: Built, tmp_path: Path) -> None:
    again = build_cli(built.root, tmp_path / "again", cache=built.root / "cache", audience="all")  # from the cache
    assert again.code == 0, again.err

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert files(tmp_path / "again") == files(built.root / "out")


def test_without_a_cases_folder_there_are_no_record_pages(tmp_path: Path) -> None:
    write_org(tmp_path, {"_org.yaml": SHARED, "money/refund.yaml": REFUND})
    done = build_cli(tmp_path, tmp_path / "out", audience="all")
    assert done.code == 0, done.err
    internal = tmp_path / "out" / "internal"
    for folder in ("promises-kept", "overdue", "hidden-rules"):
        assert not (internal / folder).exists()
    assert W.words("zh")["promises_kept"] not in (internal / "decisions" / "refund" / "index.html").read_text(
        encoding="utf-8"
    )


def test_build_takes_the_record_from_cases_dir(tmp_path: Path) -> None:
    write_org(tmp_path, {"_org.yaml": SHARED, "money/refund.yaml": REFUND, "money/small.yaml": SMALL})
    folder = write_record(tmp_path)
    elsewhere = shutil.move(str(folder), str(tmp_path / "elsewhere"))
    done = build_cli(tmp_path, tmp_path / "out", "--cases", elsewhere)
    assert done.code == 0, done.err
    assert "RF-OPEN-01" in text(body(tmp_path / "out" / "internal", "overdue/"))
    missing = build_cli(tmp_path, tmp_path / "out2", "--cases", str(tmp_path / "nowhere"))
    assert missing.code == 2 and "no cases folder" in missing.err


def test_without_today_the_record_is_measured_at_the_build_time_so_two_builds_agree(tmp_path: Path) -> None:
    # SPEC 11: overdue now is as of the build time, never the clock: SOURCE_DATE_EPOCH, else
    # the last change of the decisions or of the record (here, outside git, the files' times).
    write_org(tmp_path, {"_org.yaml": SHARED, "money/refund.yaml": REFUND, "money/small.yaml": SMALL})
    write_record(tmp_path)
    decisions_time, record_time = 1794000000, 1795000000  # the record changed last
    for path in (tmp_path / "decisions").rglob("*"):
        os.utime(path, (decisions_time, decisions_time))
    for path in (tmp_path / "cases").rglob("*"):
        os.utime(path, (record_time, record_time))
    pages = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env["DECISION_PATHS_CACHE"] = str(tmp_path / f"cache{n}")
        done = subprocess.run(
            [str(COMMAND), "build", "--audience", "internal", "--out", str(out)],
            cwd=tmp_path,
            capture_output=True,
            encoding="utf-8",
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        pages.append((out / "internal" / "overdue" / "index.html").read_bytes())
    assert pages[0] == pages[1]
    as_of = dt.datetime.fromtimestamp(record_time, dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert as_of.strftime("%Y-%m-%d %H:%M") in pages[0].decode("utf-8")
