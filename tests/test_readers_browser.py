"""The matrix, search, colour scheme, phone layouts and a site under a sub-path, in
headless Chromium at 1400 px and 390 px wide.

Like test_browser.py these FAIL when Chromium or Playwright is missing; they never skip.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import mimetypes
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from site_helpers import REPO, TODAY, QuietHandler, sample_site, served
from test_readers_site import SUB_PATH, subpath_sites

from decision_paths.model.organisation import Organisation
from decision_paths.pipeline import validate_folder

pytestmark = [pytest.mark.browser, pytest.mark.site]

TIMEOUT_MS = 10_000
WIDE, PHONE = 1400, 390
SEARCH_BOX = "form[name=search] input[name=query]"
SEARCH_RESULTS = "[class*=search-result__item] a"
ROWS = ".dp-matrix table tbody tr"


class _SubPathHandler(http.server.BaseHTTPRequestHandler):
    """A host that serves the site under ``prefix`` (SUB_PATH) only, and its 404.html (status
    404) for any address there that names no file, as static hosts do."""

    root: Path
    prefix = SUB_PATH

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        status, body, kind = 404, b"not under the site's sub-path", "text/plain"
        if path.startswith(self.prefix):
            target = (self.root / path.removeprefix(self.prefix)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if target.is_file() and target.is_relative_to(self.root.resolve()):
                status, body = 200, target.read_bytes()
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            else:
                body, kind = (self.root / "404.html").read_bytes(), "text/html"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The sample site at the server's root."""
    site = sample_site(tmp_path_factory)
    with served(functools.partial(QuietHandler, directory=str(site))) as host:
        yield host + "/"


@pytest.fixture(scope="module")
def sub_path_url(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The sample's internal site built with site_url .../rules/, served under /rules/."""
    root = subpath_sites(tmp_path_factory) / "internal"
    handler = type("Handler", (_SubPathHandler,), {"root": root})
    with served(handler) as host:
        yield host + SUB_PATH


@pytest.fixture(scope="module")
def plain_hosts(tmp_path_factory) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The sample site without site_url on two static hosts that serve 404.html for what they
    do not have: under SUB_PATH, and at the server's root."""
    root = sample_site(tmp_path_factory)
    under = type("Handler", (_SubPathHandler,), {"root": root})
    at_root = type("Handler", (_SubPathHandler,), {"root": root, "prefix": "/"})
    with served(under) as one, served(at_root) as other:
        yield one + SUB_PATH, other + "/"


@pytest.fixture(scope="module")
def browser(chromium):  # type: ignore[no-untyped-def]
    """The session's Chromium (conftest.py), started once per test process."""
    return chromium


@pytest.fixture(scope="module")
def model() -> Organisation:
    return validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY)).org


def new_page(browser, width: int = WIDE, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    return page


@pytest.fixture
def wide(browser) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    page = new_page(browser, PHONE, is_mobile=True, has_touch=True)
    yield page
    page.context.close()


def approved_by(model: Organisation, party: str) -> list[str]:
    """Titles of the decisions with a stage naming ``party`` in its `who`, in matrix order."""
    names = lambda d: {m.id for s in d.stages.values() for m in s.who.members}  # noqa: E731
    return [d.title for d in model.decisions.values() if party in names(d)]


def visible_decisions(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in page.locator(f"{ROWS}:visible td:first-child").all_inner_texts()]


def scroll_box(page) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The element that scrolls the matrix sideways, and where it is."""
    return page.evaluate(
        """() => {
        let node = document.querySelector('.dp-matrix table');
        for (; node && node !== document.body; node = node.parentElement) {
          const overflow = getComputedStyle(node).overflowX;
          if ((overflow === 'auto' || overflow === 'scroll') && node.scrollWidth > node.clientWidth) break;
        }
        node.setAttribute('data-test-scroller', '');
        const box = node.getBoundingClientRect();
        return {left: box.left, right: box.right, scrollLeft: node.scrollLeft};
      }"""
    )


# ---------------------------------------------------------------- the matrix at 1400 px


@pytest.mark.parametrize(
    ("typed", "party"),
    [
        ("财务总监", "finance-controller"),  # a role whose title appears in 2 of its 5 decisions
        ("法务顾问", "legal-counsel"),  # a role whose column starts off-screen at 1400 px
        ("陈静", "finance-controller"),  # a person: the decisions of the role she holds
    ],
)
def test_matrix_filter_by_role_or_person_shows_every_decision_they_approve(
    wide, base_url: str, model: Organisation, typed: str, party: str
) -> None:  # type: ignore[no-untyped-def]
    page = wide
    page.goto(base_url + "matrix/", wait_until="load")
    expected = approved_by(model, party)
    assert expected and len(expected) < len(model.decisions)
    page.locator("input[data-dp-filter]").press_sequentially(typed, delay=20)
    page.wait_for_function(
        f"document.querySelectorAll('{ROWS}:not([hidden])').length === {len(expected)}", timeout=TIMEOUT_MS
    )
    assert visible_decisions(page) == expected
    # the role's column is marked and scrolled into view, clear of the sticky first column
    title = model.roles[party].title
    column = page.locator(".dp-matrix thead th.dp-hit")
    assert column.count() == 1 and column.locator("a").first.inner_text().strip() == title
    box, frame = column.bounding_box(), scroll_box(page)
    sticky = page.locator(".dp-matrix thead th").first.bounding_box()
    assert box is not None and sticky is not None
    assert sticky["x"] + sticky["width"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["right"] + 1, (box, frame)
    assert page.errors == []


def test_the_first_column_sticks_when_the_matrix_scrolls_sideways(wide, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = wide
    page.goto(base_url + "matrix/", wait_until="load")
    frame = scroll_box(page)
    first = page.locator(f"{ROWS} td").first
    second = page.locator(f"{ROWS} td").nth(1)
    before, second_before = first.bounding_box(), second.bounding_box()
    page.evaluate("document.querySelector('[data-test-scroller]').scrollLeft = 400")
    page.wait_for_timeout(100)
    scrolled = page.evaluate("document.querySelector('[data-test-scroller]').scrollLeft")
    assert scrolled > 200, "the matrix did not scroll sideways (is it wider than the page at 1400 px?)"
    after, second_after = first.bounding_box(), second.bounding_box()
    assert before and after and second_before and second_after
    assert abs(after["x"] - frame["left"]) <= 2, (after, frame)  # at the scrolling box's left edge
    assert abs(after["x"] - before["x"]) <= 20
    assert abs((second_before["x"] - second_after["x"]) - scrolled) <= 2  # the rest moved under it
    # drawn above the cells that pass beneath it
    on_top = page.evaluate(
        """rows => {
        const cell = document.querySelector(rows + ' td');
        const box = cell.getBoundingClientRect();
        return document.elementFromPoint(box.right - 4, box.top + 8).closest('td') === cell;
      }""",
        ROWS,
    )
    assert on_top, "a cell passing under the first column is drawn over it"


def test_one_persons_view_keeps_their_columns_and_links_their_page(wide, base_url: str, model: Organisation) -> None:  # type: ignore[no-untyped-def]
    page = wide
    page.goto(base_url + "matrix/", wait_until="load")
    total = page.locator(ROWS).count()
    page.locator("select[data-dp-person]").select_option(label="林雪")
    page.wait_for_timeout(100)
    held = [r for r in model.roles.values() if any(h.id == "lin-xue" for h in r.held_by)]
    headers = [t.split("\n")[0].strip() for t in page.locator(".dp-matrix thead th:visible").all_inner_texts()]
    assert headers == ["决策", *(r.title for r in held)]
    assert visible_decisions(page) == approved_by(model, held[0].id)
    link = page.locator("a.dp-person-link")
    assert link.is_visible() and link.inner_text() == "→ 林雪"
    page.locator("select[data-dp-person]").select_option(value="")
    page.wait_for_timeout(100)
    assert page.locator(f"{ROWS}:visible").count() == total
    # without the picker too: each holder's name in the header leads to their page
    page.locator(".dp-matrix thead .dp-holders a", has_text="林雪").first.click()
    page.wait_for_load_state("load")
    assert page.url == base_url + "people/lin-xue/"


# ---------------------------------------------------------------- search


def test_a_roles_or_persons_title_finds_their_page_first(wide, base_url: str, model: Organisation) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = wide
    page.goto(base_url, wait_until="load")
    box = page.locator(SEARCH_BOX)
    results = page.locator(SEARCH_RESULTS)
    for _ in range(30):  # the index is built in a worker: type until it answers
        box.click()
        box.fill("李娜")
        box.press("End")
        try:
            results.first.wait_for(state="visible", timeout=1000)
            break
        except PlaywrightTimeout:
            box.fill("")
    queries = [(part, f"roles/{r.id}/") for r in model.roles.values() for part in r.title.split(" / ")]
    queries += [(p.name, f"people/{p.id}/") for p in model.people.values() if p.active]
    wrong = []
    for query, target in queries:
        box.fill(query)
        box.press("End")  # the search reads the query on keyup
        try:
            page.wait_for_function(
                "([sel, want]) => { const a = document.querySelector(sel); return a && a.href === want; }",
                arg=[SEARCH_RESULTS, base_url + target],
                timeout=3000,
            )
        except PlaywrightTimeout:
            wrong.append((query, target, results.first.get_attribute("href") if results.count() else None))
    assert wrong == [], "queries whose first result is not the page titled so: (query, expected, first)"


# ---------------------------------------------------------------- colour scheme


@pytest.mark.parametrize(("scheme", "palette"), [("dark", "slate"), ("light", "default")])
def test_the_colour_scheme_follows_the_system(browser, base_url: str, scheme: str, palette: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, color_scheme=scheme)
    try:
        page.goto(base_url + "decisions/refund-request/", wait_until="load")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == palette
        red, green, blue = page.evaluate(
            "getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)"
        )
        brightness = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
        assert (brightness < 0.3) if scheme == "dark" else (brightness > 0.8), (red, green, blue)
    finally:
        page.context.close()


# ---------------------------------------------------------------- phones: tables as cards


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("decisions/refund-request/", "#stages ~ .md-typeset__scrollwrap table, #stages ~ table"),
        ("people/chen-jing/", "article table"),
        ("roles/finance-controller/", "article table"),
        ("matrix/", ".dp-matrix table"),
    ],
)
def test_wide_tables_become_cards_on_a_phone(phone, base_url: str, url: str, table: str) -> None:  # type: ignore[no-untyped-def]
    page = phone
    page.goto(base_url + url, wait_until="load")
    found = page.locator(table).first
    assert found.count() == 1, f"no table {table} on {url}"
    cards = found.evaluate(
        """table => {
        const shown = el => getComputedStyle(el).display !== 'none';
        const rows = [...table.querySelectorAll('tbody tr')].filter(shown);
        return {
          head: getComputedStyle(table.querySelector('thead')).display,
          right: table.getBoundingClientRect().right,
          rows: rows.map(row => ({
            display: getComputedStyle(row).display,
            right: row.getBoundingClientRect().right,
            cells: [...row.children].filter(shown).map((td, i) => ({
              label: td.getAttribute('data-label'),
              before: getComputedStyle(td, '::before').content,
              empty: td.textContent.trim() === '',
              first: i === 0,
            })),
          })),
        };
      }"""
    )
    assert cards["head"] == "none"
    assert cards["rows"], f"{url}: no rows"
    assert cards["right"] <= PHONE and all(r["right"] <= PHONE for r in cards["rows"]), "a card is wider than the phone"
    for row in cards["rows"]:
        assert row["display"] == "block"
        for cell in row["cells"]:
            assert not cell["empty"], f"{url}: an empty cell is shown"
            if not cell["first"]:  # the first cell is the card's title; the others are labelled
                assert cell["before"] == f'"{cell["label"]}"', cell
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert page.errors == []


def test_tables_stay_tables_on_a_wide_screen(wide, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page = wide
    page.goto(base_url + "decisions/refund-request/", wait_until="load")
    head = page.locator("article table thead").first
    assert head.evaluate("h => getComputedStyle(h).display") == "table-header-group"


# ---------------------------------------------------------------- a site under a sub-path


def test_the_404_page_under_a_sub_path_is_styled_and_its_links_work(browser, sub_path_url: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    try:
        responses: list[tuple[str, int]] = []
        page.on("response", lambda r: responses.append((r.url, r.status)))
        response = page.goto(sub_path_url + "no/such/page/", wait_until="networkidle")
        assert response is not None and response.status == 404
        assert page.locator("article h1").first.inner_text().strip() == "404 - Not found"
        assets = [(u, s) for u, s in responses if u != sub_path_url + "no/such/page/"]
        assert any("decision-paths.css" in u for u, _ in assets), assets
        assert [(u, s) for u, s in assets if s >= 400 or not u.startswith(sub_path_url)] == []
        header = page.locator(".md-header").evaluate("h => getComputedStyle(h).position")
        assert header == "sticky", "Material's stylesheet did not load"
        page.locator("nav.md-nav--primary a[href*='matrix/']").first.click()
        page.wait_for_load_state("load")
        assert page.url == sub_path_url + "matrix/"
        assert page.locator(ROWS).count() > 0
        assert page.errors == []
    finally:
        page.context.close()


# Where a reader lands on the error page of a site built without site_url: an old decision's
# address under a sub-path or at the root, a typo at the root, and the file opened from disk.
MISSING = [("sub-path", "decisions/no-such-decision/"), ("root", "no/such/page/"), ("root", "roles/gone/")]


@pytest.mark.parametrize(("host", "address"), MISSING)
def test_the_404_page_without_site_url_is_styled_where_it_is_served(
    browser, plain_hosts, host: str, address: str
) -> None:  # type: ignore[no-untyped-def]
    root = plain_hosts[0] if host == "sub-path" else plain_hosts[1]
    page = new_page(browser)
    try:
        response = page.goto(root + address, wait_until="networkidle")
        assert response is not None and response.status == 404
        assert page.locator("article h1").first.inner_text().strip() == "404 - Not found"
        assert page.evaluate("document.baseURI") == root  # the site's root, found from the address
        header = page.locator(".md-header").evaluate("h => getComputedStyle(h).position")
        assert header == "sticky", "Material's stylesheet did not load"
        styles = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
        assert any(h.startswith(root + "assets/") and h.endswith("decision-paths.css") for h in styles), styles
        # Material's own script works from the root too: search, and the palette's storage
        assert page.evaluate("JSON.parse(document.getElementById('__config').textContent).base") == root
        assert page.evaluate("__md_scope.href") == root
        page.locator("nav.md-nav--primary a[href*='matrix/']").first.click()
        page.wait_for_load_state("load")
        assert page.url == root + "matrix/"
        assert page.locator(ROWS).count() > 0
        assert page.errors == []
    finally:
        page.context.close()


def test_the_404_page_opened_from_its_folder_is_styled(browser, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    error_page = sample_site(tmp_path_factory) / "404.html"
    page = new_page(browser)
    try:
        page.goto(error_page.as_uri(), wait_until="load")
        assert page.evaluate("document.baseURI") == error_page.as_uri()  # no <base>: its own folder is the root
        assert page.locator(".md-header").evaluate("h => getComputedStyle(h).position") == "sticky"
        href = page.locator("nav.md-nav--primary a[href*='matrix/']").first.evaluate("a => a.href")
        assert href == (error_page.parent / "matrix").as_uri() + "/"
        assert page.errors == []
    finally:
        page.context.close()


def test_the_feed_under_a_sub_path_leads_to_its_pages(browser, sub_path_url: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    try:
        page.goto(sub_path_url + "changes/", wait_until="load")
        href = page.locator("article a[href$='feed.xml']").first.get_attribute("href")
        assert href is not None
        feed_url = page.evaluate("h => new URL(h, location.href).href", href)
        assert feed_url == sub_path_url + "feed.xml"
        feed = page.request.get(feed_url)
        assert feed.ok
        atom = "{http://www.w3.org/2005/Atom}"
        links = {e.find(f"{atom}link").get("href") for e in ET.fromstring(feed.body()).findall(f"{atom}entry")}  # type: ignore[union-attr]
        assert links
        host = sub_path_url.removesuffix(SUB_PATH)
        for link in sorted(links):
            path = urlsplit(link).path
            assert path.startswith(SUB_PATH), link
            assert page.request.get(host + path).status == 200, link
    finally:
        page.context.close()
