"""A tracking page opened from its link in headless Chromium (issue 14), at desktop and
phone widths: the right steps and dates with the key, the error and no data without it."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import REPO, TODAY, QuietHandler, build_cli, run_cli, served
from test_language import LATIN_WORD, editor_written, english_company, foreign
from test_readers_browser import PHONE, TIMEOUT_MS, WIDE

from decision_paths.model.organisation import Audience
from decision_paths.model.tracking import SECRET_VARIABLE
from decision_paths.pipeline import validate_folder
from decision_paths.pipeline.sites import Pipeline, SiteSettings
from decision_paths.plan.views import TrackingView
from decision_paths.render.tracking import tracking_address, tracking_path

pytestmark = [pytest.mark.browser, pytest.mark.site, pytest.mark.xdist_group("tracking_browser")]

SECRET = "browser-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def client_site(tmp_path_factory) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("tracking-site")
    os.environ[SECRET_VARIABLE] = SECRET
    try:
        done = build_cli(REPO, base / "out", audience="client", cache=base / "cache")
    finally:
        del os.environ[SECRET_VARIABLE]
    assert done.code == 0, done.out + done.err
    root = base / "out" / "client"
    with served(functools.partial(QuietHandler, directory=str(root))) as url:
        yield url, root


@pytest.fixture(scope="module")
def browser(chromium):  # type: ignore[no-untyped-def]
    """The session's Chromium (conftest.py), started once per test process."""
    return chromium


@pytest.fixture(scope="module")
def planned(monkeypatch_module) -> tuple[TrackingView, ...]:  # type: ignore[no-untyped-def]
    """The tracking pages as the build planned them (same folder, day and secret)."""
    pipeline = Pipeline(str(REPO / "decisions"), dt.date.fromisoformat(TODAY), fixed_today=True)
    return pipeline.plan(Audience.CLIENT, SiteSettings("zh")).tracking


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_VARIABLE, SECRET)
        yield patch


def _with_events(pages: tuple[TrackingView, ...]) -> TrackingView:
    """An open case with a pause or delay note: the page with the most to show."""
    return next(p for p in pages if p.answered is None and any(e.note for e in p.events))


@pytest.mark.parametrize("width", [WIDE, PHONE])
def test_the_link_opens_the_clients_own_request(client_site, planned, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    url, _ = client_site
    view = _with_events(planned)
    link = f"{url}/{tracking_path(SECRET.encode(), view.case, view.epoch)}"
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(link)
        page.wait_for_selector("#dp-steps", timeout=TIMEOUT_MS)
        assert page.locator("#dp-error").is_hidden()
        rows = page.locator("#dp-steps tbody tr").all_inner_texts()
        assert [r.split("\t")[0].split(" (")[0] for r in rows] == [s.title for s in view.steps]
        assert [r.split("\t")[1] for r in rows] == [s.due for s in view.steps]
        assert page.locator("#dp-promised").inner_text() == view.promised
        notes = page.locator("#dp-events").inner_text()
        assert all(e.note in notes for e in view.events if e.note)
        assert view.case not in page.content()  # the page never names the case
        # Nothing sideways on a phone: the tables scroll inside their box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()


@pytest.mark.parametrize("fragment", ["", "#AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "#short"])
def test_without_the_right_key_the_page_shows_the_error_and_no_data(
    client_site, planned, browser, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    url, _ = client_site
    view = _with_events(planned)
    address = tracking_address(SECRET.encode(), view.case, view.epoch)
    page = browser.new_page(viewport={"width": WIDE, "height": 900})
    try:
        page.goto(f"{url}/t/{address}/{fragment}")
        page.wait_for_selector("#dp-error", state="visible", timeout=TIMEOUT_MS)
        assert page.locator("#dp-content").is_hidden()
        assert page.locator("#dp-content").inner_html() == ""
        assert view.steps[0].title not in page.inner_text("body")
    finally:
        page.close()


def test_a_page_loads_nothing_from_anywhere(client_site, planned, browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = client_site
    view = _with_events(planned)
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{url}/{tracking_path(SECRET.encode(), view.case, view.epoch)}")
        page.wait_for_selector("#dp-steps", timeout=TIMEOUT_MS)
        assert requests == [f"{url}/t/{tracking_address(SECRET.encode(), view.case, view.epoch)}/"]
    finally:
        page.close()


# ------------------------------------------------------------------ the built files


def test_tracking_pages_are_listed_nowhere_and_tell_browsers_to_keep_them_private(client_site) -> None:  # type: ignore[no-untyped-def]
    _, root = client_site
    pages = sorted((root / "t").glob("*/index.html"))
    assert pages, "no tracking page was built"
    for path in pages:
        tree = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert tree.select_one("meta[name=robots]")["content"].startswith("noindex")  # type: ignore[index]
        assert tree.select_one("meta[name=referrer]")["content"] == "no-referrer"  # type: ignore[index]
        policy = str(tree.select_one('meta[http-equiv="Content-Security-Policy"]')["content"])  # type: ignore[index]
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    others = [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "t"]
    mentions = [
        p.relative_to(root).as_posix() for p in others if "t/" + pages[0].parent.name in p.read_text("utf-8", "replace")
    ]
    assert mentions == []  # no menu, search index, sitemap or feed names a tracking page
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d["location"] for d in index["docs"] if d["location"].startswith("t/")]


def test_an_expired_link_lands_on_an_error_page_that_says_so(client_site) -> None:  # type: ignore[no-untyped-def]
    _, root = client_site
    error = BeautifulSoup((root / "404.html").read_text(encoding="utf-8"), "html.parser")
    note = error.select_one(".dp-tracking-expired")
    assert note is not None and "90" in note.get_text()


def test_the_tracking_pages_build_byte_identically(client_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, root = client_site
    os.environ[SECRET_VARIABLE] = SECRET
    try:
        done = build_cli(REPO, tmp_path / "again", audience="client", cache=tmp_path / "cache")
    finally:
        del os.environ[SECRET_VARIABLE]
    assert done.code == 0, done.err
    again = tmp_path / "again" / "client"
    first = {p.relative_to(root): p.read_bytes() for p in (root / "t").rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in (again / "t").rglob("*") if p.is_file()}
    assert first == second


# ------------------------------------------------------------------ decision-paths track


def test_track_prints_the_link_of_a_built_page_and_it_opens(client_site, planned, browser) -> None:  # type: ignore[no-untyped-def]
    url, root = client_site
    view = _with_events(planned)
    done = run_cli(
        "track", view.case, "--today", TODAY, "--now", f"{TODAY}T23:59:59", cwd=REPO, env={SECRET_VARIABLE: SECRET}
    )
    assert done.code == 0, done.err
    link = done.out.strip()
    assert link == tracking_path(SECRET.encode(), view.case, view.epoch)
    assert (root / link.partition("#")[0] / "index.html").is_file()
    page = browser.new_page()
    try:
        page.goto(f"{url}/{link}")
        page.wait_for_selector("#dp-steps", timeout=TIMEOUT_MS)
        assert page.locator("#dp-promised").inner_text() == view.promised
    finally:
        page.close()


@pytest.mark.parametrize(
    ("case", "secret", "says"),
    [
        ("EX-2025-0236", SECRET, "not on the client site"),  # an internal decision's case
        ("NO-SUCH-CASE", SECRET, "no case 'NO-SUCH-CASE'"),
        ("CP-2025-0308", SECRET, "more than 90 days"),  # answered a year ago
        ("CP-2025-0308", "", "tracking pages are not set up"),
        ("CP-2025-0308", "short", "at least 16"),
    ],
)
def test_track_says_why_a_case_has_no_link(case: str, secret: str, says: str) -> None:
    done = run_cli(
        "track", case, "--today", TODAY, "--now", f"{TODAY}T23:59:59", cwd=REPO, env={SECRET_VARIABLE: secret}
    )
    assert done.code == 2 and done.out == ""
    assert says in done.err


# ------------------------------------------------------------------ an English company's page


@pytest.fixture(scope="module")
def english_client(tmp_path_factory) -> Iterator[tuple[str, tuple[TrackingView, ...], tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    """The sample as an English company (test_language), its client site with tracking pages;
    the pages as planned; and what people wrote there (names, titles), longest first."""
    base = tmp_path_factory.mktemp("tracking-en")
    root = english_company(base / "company")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_VARIABLE, SECRET)
        done = build_cli(root, base / "out", audience="client", cache=base / "cache")
        assert done.code == 0, done.out + done.err
        pipeline = Pipeline(str(root / "decisions"), dt.date.fromisoformat(TODAY), fixed_today=True)
        views = pipeline.plan(Audience.CLIENT, SiteSettings("en")).tracking
    org = validate_folder(str(root / "decisions"), dt.date.fromisoformat(TODAY)).org
    with served(functools.partial(QuietHandler, directory=str(base / "out" / "client"))) as url:
        yield url, views, editor_written(org, root / "decisions")


@pytest.mark.parametrize("width", [WIDE, PHONE])
def test_an_english_companys_link_opens_its_page_in_english(english_client, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    url, views, written = english_client
    view = _with_events(views)
    assert view.language == "en"
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{url}/{tracking_path(SECRET.encode(), view.case, view.epoch)}")
        page.wait_for_selector("#dp-steps", timeout=TIMEOUT_MS)
        assert page.evaluate("document.documentElement.lang") == "en"
        rows = page.locator("#dp-steps tbody tr").all_inner_texts()
        assert [r.split("\t")[1] for r in rows] == [s.due for s in view.steps]
        assert page.locator("#dp-promised").inner_text() == view.promised
        # what the page says itself is English; the stage titles and the notes are people's
        shown = page.inner_text("body")
        notes = tuple(e.note for e in view.events if e.note)
        for words in sorted({*written, *notes, *(s.title for s in view.steps)}, key=len, reverse=True):
            shown = shown.replace(words, " ")
        assert foreign(shown, "en") == [], foreign(shown, "en")[:20]
        assert len(LATIN_WORD.findall(shown)) > 10, shown[:300]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()
