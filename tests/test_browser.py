"""The built sample site in a real browser (headless Chromium driven by Playwright).

`make test` installs Chromium; when it is missing these tests FAIL (they are
the only check that the pages work as people use them), they never skip.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_helpers import QuietHandler, sample_site, served

# Where the theme puts its search box and results (Material's markup, named once).
SEARCH_BOX = "form[name=search] input[name=query]"
SEARCH_RESULTS = "[class*=search-result__item] a"

pytestmark = [pytest.mark.browser, pytest.mark.site]

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    site = sample_site(tmp_path_factory)
    with served(functools.partial(QuietHandler, directory=str(site))) as host:
        yield host + "/"


@pytest.fixture(scope="module")
def browser(chromium):  # type: ignore[no-untyped-def]
    """The session's Chromium (conftest.py), started once per test process."""
    return chromium


class Visit:
    """A fresh browser context and page that records every request it makes."""

    def __init__(self, browser, base_url: str, **options: object):  # type: ignore[no-untyped-def]
        self.base_url = base_url
        # a desktop unless told (a phone: viewport 390 wide, is_mobile, has_touch)
        self.context = browser.new_context(**{"viewport": {"width": 1400, "height": 900}, "locale": "zh-CN", **options})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, url: str):  # type: ignore[no-untyped-def]
        response = self.page.goto(self.base_url + url, wait_until="load")
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        return self.page

    def h1(self) -> str:
        return self.page.locator("article h1").first.inner_text().replace("¶", "").strip()

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.base_url, "data:", "blob:", "about:"))]


@pytest.fixture
def visit(browser, base_url: str) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    made = Visit(browser, base_url)
    try:
        yield made
    finally:
        made.context.close()


def test_chromium_and_playwright_are_installed() -> None:
    assert CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM}: run `make test` (it installs the browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("Playwright is not installed: run `make test` (pip install -e '.[test]')")


def test_decision_diagram_renders_and_its_role_links_work(visit: Visit) -> None:
    page = visit.open("decisions/out-of-scope-request/")
    assert visit.h1() == "合同外需求审批"
    svg = page.locator(".dp-diagram svg")
    assert svg.count() == 1
    box = svg.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, box
    role_link = page.locator('.dp-diagram svg a[*|href*="roles/account-manager/"]').first
    assert role_link.count() == 1, "no link to the account manager's role page in the diagram"
    role_link.click()
    page.wait_for_load_state("load")
    assert page.url == visit.base_url + "roles/account-manager/", f"the diagram link led to {page.url}"
    assert visit.h1() == "客户经理 / Account Manager"
    assert visit.foreign_requests() == []
    assert visit.errors == []


def test_diagram_stage_links_jump_to_the_stage_row(visit: Visit) -> None:
    page = visit.open("decisions/out-of-scope-request/")
    # the stage's title (bold, first line of the box), not the role link below it
    page.locator('.dp-diagram svg a[*|href="#stage-assess"] > text').first.click()
    page.wait_for_function("location.hash === '#stage-assess'")
    assert page.locator("#stage-assess").count() == 1
    assert page.evaluate("document.getElementById('stage-assess').getBoundingClientRect().top") < 900


def test_search_finds_a_chinese_approver_by_name(visit: Visit) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = visit.open("")
    box = page.locator(SEARCH_BOX)
    results = page.locator(SEARCH_RESULTS)
    # The index is built in a worker, and a query typed before it is ready is dropped,
    # so type again until results come (as a person would), for at most 30 seconds.
    for _ in range(30):
        box.click()
        # Chinese arrives through an input method: the text is inserted, then a key is
        # released (the search reads the query on keyup)
        box.fill("李娜")
        box.press("End")
        try:
            results.first.wait_for(state="visible", timeout=1000)
            break
        except PlaywrightTimeout:
            box.fill("")
    results.first.wait_for(state="visible", timeout=1000)
    found = [(results.nth(i).get_attribute("href") or "", results.nth(i).inner_text()) for i in range(results.count())]
    assert found, "no search results for 李娜"
    target = next((i for i, (href, _) in enumerate(found) if "people/li-na/" in href), None)
    if target is None:  # a page that mentions her will do
        target = next((i for i, (_, shown) in enumerate(found) if "李娜" in shown), None)
    assert target is not None, f"neither her page nor a page naming her is among the results: {found}"
    results.nth(target).click()
    page.wait_for_load_state("load")
    assert "李娜" in page.locator("article").inner_text()
    assert visit.foreign_requests() == []


def test_matrix_filter_hides_other_rows(visit: Visit) -> None:
    page = visit.open("matrix/")
    rows = page.locator(".dp-matrix table tbody tr")
    total = rows.count()
    assert total == 8
    box = page.locator("input[data-dp-filter]")
    box.press_sequentially("合同外需求审批", delay=20)
    page.wait_for_function("document.querySelectorAll('.dp-matrix tbody tr:not([hidden])').length === 1")
    visible = page.locator(".dp-matrix table tbody tr:visible")
    assert visible.count() == 1
    assert "合同外需求审批" in visible.first.inner_text()
    box.fill("")
    box.dispatch_event("input")
    page.wait_for_function(f"document.querySelectorAll('.dp-matrix tbody tr:not([hidden])').length === {total}")
    box.fill("finance controller")  # words match across the row, case-insensitive
    box.dispatch_event("input")
    page.wait_for_timeout(100)
    assert 0 < page.locator(".dp-matrix table tbody tr:visible").count() < total


def test_pages_load_nothing_from_other_hosts(visit: Visit) -> None:
    for url in ("", "decisions/refund-request/", "people/chen-jing/", "matrix/"):
        page = visit.open(url)
        page.wait_for_load_state("networkidle")
    assert visit.requests, "no requests were recorded"
    assert visit.foreign_requests() == []
    assert visit.errors == [], "JavaScript errors on the pages"
