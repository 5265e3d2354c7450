"""Tracking pages (SPEC section 11, issue 14): addresses, keys, revocation, what a page holds.

The site-level leak test of the decrypted pages is in test_client_site.py; the page
opened in Chromium is in test_tracking_browser.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from record_helpers import CST, DECISIONS, NOW, REFUND, VISIT, ev, load_org, where, write_csv, write_decisions

from decision_paths.measure.record import RecordRules, measure_folder
from decision_paths.model.audience import client_view, site_record
from decision_paths.model.cases import SiteRecord, shown_periods
from decision_paths.model.organisation import Audience
from decision_paths.model.words import words
from decision_paths.plan.tracking import tracking_pages
from decision_paths.render.tracking import fragment, seal, tracking_address, tracking_key, tracking_path, unseal

SECRET = b"a-test-secret-that-is-long-enough"


def as_client(decision: str) -> str:
    """A decision of the record helpers, published to clients."""
    assert "reviewed: 2026-10-01\n" in decision
    return decision.replace("reviewed: 2026-10-01\n", "reviewed: 2026-10-01\naudience: client\n", 1)


# The record helpers' refund decision, published to clients, with its approval internal.
APPROVE = "  approve:\n    title: Approve\n    who: delivery-lead\n    within: 2 business days\n"
assert APPROVE in REFUND
CLIENT_REFUND = as_client(REFUND).replace(
    APPROVE, APPROVE.replace("Approve", "Approve internally") + "    visibility: internal\n"
)


# ------------------------------------------------------------------ addresses and keys


def test_the_address_is_128_bits_and_says_nothing_of_the_case() -> None:
    address = tracking_address(SECRET, "R-2026-0412", 0)
    assert re.fullmatch(r"[0-9a-f]{32}", address)
    assert "0412" not in address and "R-2026" not in address


def test_a_link_stays_the_same_from_build_to_build() -> None:
    # A link sent to a client keeps working while nothing about the case changes.
    assert tracking_path(SECRET, "R-1", 0) == tracking_path(SECRET, "R-1", 0)


def test_address_and_key_differ_between_secrets_cases_and_epochs() -> None:
    addresses = {
        tracking_address(SECRET, "R-1", 0),
        tracking_address(b"another-secret-just-as-long", "R-1", 0),
        tracking_address(SECRET, "R-2", 0),
        tracking_address(SECRET, "R-1", 1),
    }
    keys = {
        tracking_key(SECRET, "R-1", 0),
        tracking_key(b"another-secret-just-as-long", "R-1", 0),
        tracking_key(SECRET, "R-2", 0),
        tracking_key(SECRET, "R-1", 1),
    }
    assert len(addresses) == 4 and len(keys) == 4


def test_the_link_carries_the_key_only_after_the_hash() -> None:
    path = tracking_path(SECRET, "R-1", 0)
    where_, _, key = path.partition("#")
    assert where_ == f"t/{tracking_address(SECRET, 'R-1', 0)}/"
    assert key == fragment(tracking_key(SECRET, "R-1", 0)) and len(key) == 43


def test_sealed_content_opens_only_with_its_key_at_its_address() -> None:
    key, address = tracking_key(SECRET, "R-1", 0), tracking_address(SECRET, "R-1", 0)
    sealed = seal(key, address, "<p>你的申请</p>".encode())
    assert unseal(key, address, sealed).decode() == "<p>你的申请</p>"
    with pytest.raises(InvalidTag):
        unseal(tracking_key(SECRET, "R-1", 1), address, sealed)  # the key of a raised epoch
    with pytest.raises(InvalidTag):
        unseal(key, tracking_address(SECRET, "R-2", 0), sealed)  # moved to another page


def test_sealing_is_reproducible_and_hides_repeated_content() -> None:
    key, address = tracking_key(SECRET, "R-1", 0), tracking_address(SECRET, "R-1", 0)
    assert seal(key, address, b"same") == seal(key, address, b"same")  # the site builds the same bytes
    assert seal(key, address, b"same")[:16] != seal(key, address, b"other")[:16]  # never one nonce twice


# ------------------------------------------------------------------ which cases, what they show


def _record(tmp_path: Path, rows: list[dict[str, str]], epochs: str | None = None):  # type: ignore[no-untyped-def]
    write_decisions(tmp_path / "decisions", {**DECISIONS, "refund.yaml": CLIENT_REFUND})
    cases = tmp_path / "cases"
    write_csv(cases / "record.csv", rows)
    if epochs is not None:
        (cases / "_tracking.yaml").write_text(epochs, encoding="utf-8")
    org = load_org(tmp_path / "decisions")
    measured, found = measure_folder(str(cases), RecordRules.current(org), NOW, [], tracking=True)
    return org, measured, found


ROWS = [
    # open, past its promise: received Mon Nov 16 10:00, intake due Tue 10:00, approve (internal) Thu 10:00
    ev("R-OPEN", "refund", "received", "2026-11-16T10:00", inputs="amount=5000"),
    ev("R-OPEN", "refund", "done", "2026-11-16T15:00", "intake", by="li-na"),
    ev("R-OPEN", "refund", "paused", "2026-11-16T11:00", "intake", reason="SECRET REASON", client_note="请补充发票"),
    ev("R-OPEN", "refund", "resumed", "2026-11-16T14:00", "intake"),
    ev("R-OPEN", "refund", "delayed", "2026-11-18T09:00", "approve", until="2026-11-24T18:00", client_note="多两天"),
    # answered 40 days before NOW: tracked; answered in June: not
    ev("R-RECENT", "refund", "received", "2026-10-20T10:00", inputs="amount=100"),
    ev("R-RECENT", "refund", "done", "2026-10-20T11:00", "intake", by="li-na"),
    ev("R-RECENT", "refund", "done", "2026-10-20T12:00", "answer", by="li-na"),
    ev("R-OLD", "refund", "received", "2026-06-01T10:00", inputs="amount=100"),
    ev("R-OLD", "refund", "done", "2026-06-01T11:00", "intake", by="li-na"),
    ev("R-OLD", "refund", "done", "2026-06-01T12:00", "answer", by="li-na"),
    # an internal decision's case: never tracked
    ev("V-1", "visit", "received", "2026-11-20T10:00"),
]


def test_open_and_recently_answered_client_cases_are_tracked(tmp_path: Path) -> None:
    _, measured, _ = _record(tmp_path, ROWS)
    assert sorted(t.case for t in measured.tracked) == ["R-OPEN", "R-RECENT"]


def test_a_tracked_case_has_its_promised_steps_pauses_and_delays(tmp_path: Path) -> None:
    _, measured, _ = _record(tmp_path, ROWS)
    case = next(t for t in measured.tracked if t.case == "R-OPEN")
    # 1 business day from Mon 10:00 is Tue 18:00; paused 3 working hours on the pausable
    # intake, Wed 12:00. Each later stage starts at the one before it: 2 business days from
    # Wed 12:00 end Fri 18:00, and 4 business hours from then end Mon Nov 23 13:00.
    assert [(s.stage, s.due.astimezone(CST).isoformat(), s.done is not None) for s in case.steps] == [
        ("intake", "2026-11-18T12:00:00+08:00", True),
        ("approve", "2026-11-20T18:00:00+08:00", False),
        ("answer", "2026-11-23T13:00:00+08:00", False),
    ]
    assert [e.kind for e in case.events] == ["delayed", "resumed", "paused"]  # newest first
    assert case.status == "open_late" and case.steps[-1].is_answer


def test_the_client_cut_renames_internal_stages_and_keeps_no_reason(tmp_path: Path) -> None:
    org, measured, _ = _record(tmp_path, ROWS)
    months, quarters = shown_periods(NOW.date())
    view = client_view(org, words("zh"))
    cut = site_record(SiteRecord(measured, "Asia/Shanghai", months, quarters), Audience.CLIENT, view, words("zh"))
    pages = tracking_pages(cut, view, words("zh"), "zh", directory_urls=True)
    page = next(p for p in pages if p.case == "R-OPEN")
    assert [s.title for s in page.steps] == ["Log it", "内部审核", "Answer"]
    assert [s.state for s in page.steps] == ["done-on-time", "current-late", "waiting"]
    assert [(e.when, e.note) for e in page.events] == [
        ("2026-11-18 09:00", "多两天"),
        ("2026-11-16 14:00", None),
        ("2026-11-16 11:00", "请补充发票"),
    ]
    assert "内部审核" in page.events[0].what and "2026-11-24 18:00" in page.events[0].what
    text = repr(pages)
    assert "Approve internally" not in text and "SECRET REASON" not in text and "li-na" not in text
    assert page.decision_href == "../../decisions/refund/"


def test_a_case_id_in_two_client_decisions_gets_no_page(tmp_path: Path) -> None:
    # Its address comes from the id: the two would share one page, and one client read the other's.
    write_decisions(tmp_path / "decisions", {**DECISIONS, "refund.yaml": CLIENT_REFUND, "visit.yaml": as_client(VISIT)})
    rows = [*ROWS, ev("R-OPEN", "visit", "received", "2026-11-20T10:00")]
    write_csv(tmp_path / "cases" / "record.csv", rows)
    org = load_org(tmp_path / "decisions")
    measured, _ = measure_folder(str(tmp_path / "cases"), RecordRules.current(org), NOW, [], tracking=True)
    months, quarters = shown_periods(NOW.date())
    view = client_view(org, words("en"))
    cut = site_record(SiteRecord(measured, "Asia/Shanghai", months, quarters), Audience.CLIENT, view, words("en"))
    pages = tracking_pages(cut, view, words("en"), "en", directory_urls=True)
    assert sorted(p.case for p in pages) == ["R-RECENT", "V-1"]  # R-OPEN, in both, has none


# ------------------------------------------------------------------ revocation


def test_raising_an_epoch_gives_the_case_a_new_link(tmp_path: Path) -> None:
    _, measured, found = _record(tmp_path, ROWS, "# revoked after the client forwarded it\nepochs:\n  R-OPEN: 1\n")
    assert found == [] or all("_tracking" not in f.loc.file for f in found)
    epochs = {t.case: t.epoch for t in measured.tracked}
    assert epochs == {"R-OPEN": 1, "R-RECENT": 0}


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        ("epochs:\n  R-OPEN: one\n", 2, 11, "whole number"),
        ("epochs:\n  R-OPEN: -1\n", 2, 11, "whole number"),
        ("epoch:\n  R-OPEN: 1\n", 1, 1, "did you mean 'epochs'"),
        ("epochs: [R-OPEN]\n", 1, 9, "maps case ids"),
        ("epochs:\n  R-OPEN: [1\n", 3, 1, ""),
    ],
)
def test_a_broken_epochs_file_is_a_finding_and_builds_no_page(
    tmp_path: Path, text: str, line: int, column: int, says: str
) -> None:
    # With the epochs lost, a revoked link would open again: no page at all until it is fixed.
    _, measured, found = _record(tmp_path, ROWS, text)
    mine = [f for f in found if f.loc.file.endswith("_tracking.yaml")]
    assert [(f.loc.line, f.loc.column, f.rule.code) for f in mine][:1] == [(line, column, "DP610")]
    assert says in mine[0].message
    assert measured.tracked == ()


def test_findings_name_the_file_as_the_other_record_findings_do(tmp_path: Path) -> None:
    _, _, found = _record(tmp_path, ROWS, "epochs:\n  R-OPEN: x\n")
    files = {row[0] for row in where(found)}
    assert any(name.endswith("cases/_tracking.yaml") for name in files), files


def test_nothing_is_tracked_for_a_record_without_client_decisions(tmp_path: Path) -> None:
    write_decisions(tmp_path / "decisions")
    write_csv(tmp_path / "cases" / "record.csv", [ev("V-1", "visit", "received", "2026-11-20T10:00")])
    org = load_org(tmp_path / "decisions")
    measured, _ = measure_folder(str(tmp_path / "cases"), RecordRules.current(org), NOW, [], tracking=True)
    assert measured.tracked == ()


def test_the_window_is_ninety_days_after_the_answer(tmp_path: Path) -> None:
    answered = NOW - dt.timedelta(days=90)
    at = answered.astimezone(CST).replace(tzinfo=None).isoformat(timespec="seconds")
    rows = [
        ev("R-EDGE", "refund", "received", at, inputs="amount=100"),
        ev("R-EDGE", "refund", "done", at, "intake", by="li-na"),
        ev("R-EDGE", "refund", "done", at, "answer", by="li-na"),
    ]
    _, measured, _ = _record(tmp_path, rows)
    assert [t.case for t in measured.tracked] == ["R-EDGE"]  # exactly 90 days: still built
    later = [{**r, "at": (answered - dt.timedelta(seconds=1)).astimezone(CST).isoformat()} for r in rows]
    _, measured, _ = _record(tmp_path, later)
    assert measured.tracked == ()
