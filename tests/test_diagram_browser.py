"""Diagrams as people see them, in Chromium at 1400 px and on a 390 px phone (issue 12,
point 4): text at least 12 px high as the page shows it, the diagram never shrunk to fit
(a wide one scrolls in its box), and the enlarged view that opens on a tap or click,
zooms and pans, and closes with Escape. Nothing is loaded from another host.

With DP_SCREENSHOTS=1 the tests also take screenshots, into each test's temporary folder
(``--basetemp`` keeps them), to look at; nothing reads them, so they are off by default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_browser
from site_helpers import REPO
from test_browser import Visit

# the fixtures of the other browser tests: the sample site served, Chromium, a desktop visit
browser, base_url, visit = test_browser.browser, test_browser.base_url, test_browser.visit

pytestmark = [pytest.mark.browser, pytest.mark.site]

DECISIONS = sorted(p.stem for p in (REPO / "decisions").rglob("*.yaml") if not p.name.startswith("_"))
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
MIN_PX = 12
SCREENSHOTS = bool(os.environ.get("DP_SCREENSHOTS"))

# Every text of a diagram as drawn: its box's height and its font size on screen, in CSS px.
TEXT_SIZES = """(scope) => Array.from(document.querySelectorAll(scope + ' svg text')).map((t) => {
  const m = t.getScreenCTM();
  return {text: t.textContent, height: t.getBoundingClientRect().height,
          font: parseFloat(t.getAttribute('font-size')) * Math.hypot(m.a, m.b)};
})"""
DIALOG = ".dp-diagram-dialog"
IS_OPEN = "(document.querySelector('.dp-diagram-dialog') || {}).open === true"
FIRST_TEXT_HEIGHT = "document.querySelector('.dp-diagram-dialog svg text').getBoundingClientRect().height"
SVG_BOX = "((r) => [r.x, r.y])(document.querySelector('.dp-diagram-dialog svg').getBoundingClientRect())"

# A point in view on the diagram, on none of its links (its background, between the boxes).
BLANK_POINT = """(() => {
  const box = document.querySelector('.dp-diagram-scroll').getBoundingClientRect();
  for (let y = Math.max(box.top, 0) + 10; y < Math.min(box.bottom, innerHeight) - 10; y += 10)
    for (let x = box.left + 10; x < box.right - 10; x += 10) {
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest('.dp-diagram-scroll svg') && !hit.closest('a')) return [x, y];
    }
  return null;
})()"""


@pytest.fixture
def phone(browser, base_url: str) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    made = Visit(browser, base_url, **PHONE)
    try:
        yield made
    finally:
        made.context.close()


def keep(shown, path: Path) -> None:  # type: ignore[no-untyped-def]
    """A screenshot of a page or locator to look at, when DP_SCREENSHOTS is set."""
    if SCREENSHOTS:
        shown.screenshot(path=str(path))


def smallest(sizes: list[dict[str, float]]) -> tuple[float, float]:
    assert sizes, "the diagram has no text"
    return min(s["height"] for s in sizes), min(s["font"] for s in sizes)


def check_natural_size(page, decision_id: str) -> None:  # type: ignore[no-untyped-def]
    """The SVG is shown at its own size (1 pt = 4/3 px), never scaled down to fit."""
    width_pt = float(page.locator(".dp-diagram-scroll svg").get_attribute("width").removesuffix("pt"))
    shown = page.locator(".dp-diagram-scroll svg").bounding_box()
    assert abs(shown["width"] - width_pt * 4 / 3) < 1.5, (decision_id, shown, width_pt)


@pytest.mark.parametrize("decision_id", DECISIONS)
def test_diagram_text_is_at_least_12px_at_1400(visit: Visit, decision_id: str, tmp_path: Path) -> None:
    page = visit.open(f"decisions/{decision_id}/")
    check_natural_size(page, decision_id)
    height, font = smallest(page.evaluate(TEXT_SIZES, ".dp-diagram-scroll"))
    assert height >= MIN_PX and font >= MIN_PX, (decision_id, height, font)
    # narrow to begin with: every sample diagram fits a desktop page without scrolling
    fits = page.evaluate("((b) => b.scrollWidth <= b.clientWidth + 1)(document.querySelector('.dp-diagram-scroll'))")
    assert fits, f"{decision_id}: the diagram is wider than the page at 1400 px"
    keep(page.locator(".dp-diagram"), tmp_path / f"{decision_id}-1400.png")
    assert visit.foreign_requests() == [] and visit.errors == []


@pytest.mark.parametrize("decision_id", DECISIONS)
def test_diagram_text_is_at_least_12px_on_a_phone(phone: Visit, decision_id: str, tmp_path: Path) -> None:
    page = phone.open(f"decisions/{decision_id}/")
    check_natural_size(page, decision_id)
    height, font = smallest(page.evaluate(TEXT_SIZES, ".dp-diagram-scroll"))
    assert height >= MIN_PX and font >= MIN_PX, (decision_id, height, font)
    # a wide diagram scrolls inside its box; the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".dp-diagram").scroll_into_view_if_needed()
    keep(page, tmp_path / f"{decision_id}-390.png")
    assert phone.foreign_requests() == [] and phone.errors == []


def test_a_tap_opens_the_diagram_full_size_to_pinch_drag_and_close(phone: Visit, tmp_path: Path) -> None:
    page = phone.open("decisions/refund-request/")
    assert page.evaluate(IS_OPEN) is False
    scroll = page.locator(".dp-diagram-scroll")
    scroll.scroll_into_view_if_needed()
    blank = page.evaluate(BLANK_POINT)
    assert blank, "no place in view on the diagram outside its boxes"
    page.touchscreen.tap(*blank)  # beside the boxes, on no link
    page.wait_for_function(IS_OPEN)
    dialog = page.locator(DIALOG)
    assert page.evaluate("document.activeElement.className") == "dp-diagram-stage"
    assert dialog.get_by_role("heading").inner_text() == "退款申请 / Refund requests"
    height, font = smallest(page.evaluate(TEXT_SIZES, DIALOG))
    assert height >= MIN_PX and font >= MIN_PX, (height, font)  # opens at the natural size
    keep(page, tmp_path / "enlarged-390.png")

    before = page.evaluate(FIRST_TEXT_HEIGHT)
    pinch(phone, (150, 420), (240, 420), spread=70)
    page.wait_for_function(f"{FIRST_TEXT_HEIGHT} > {before * 1.2}")
    keep(page, tmp_path / "pinched-390.png")

    where = page.evaluate(SVG_BOX)
    drag(phone, (200, 500), (120, 380))
    moved = page.evaluate(SVG_BOX)
    assert moved[0] < where[0] - 40 and moved[1] < where[1] - 60, (where, moved)
    assert page.evaluate(IS_OPEN), "a drag over a link must not follow it"

    page.keyboard.press("Escape")
    page.wait_for_function(f"!({IS_OPEN})")
    assert page.evaluate("document.activeElement.className").startswith("dp-diagram-enlarge")
    assert phone.foreign_requests() == [] and phone.errors == []


def test_the_enlarge_button_zooms_and_pans_with_mouse_and_keys(visit: Visit, tmp_path: Path) -> None:
    page = visit.open("decisions/discount-exception/")
    button = page.get_by_role("button", name="放大查看流程图")  # a real button, named in the page's language
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(IS_OPEN)
    dialog = page.locator(DIALOG)
    assert dialog.get_attribute("aria-labelledby")
    for name in ("放大", "缩小", "原始大小", "关闭"):
        assert dialog.get_by_role("button", name=name, exact=True).count() == 1, name
    natural = page.evaluate(FIRST_TEXT_HEIGHT)
    assert natural >= MIN_PX

    dialog.get_by_role("button", name="放大", exact=True).click()
    page.wait_for_function(f"{FIRST_TEXT_HEIGHT} > {natural * 1.2}")
    page.keyboard.press("0")  # back to the natural size
    page.wait_for_function(f"Math.abs({FIRST_TEXT_HEIGHT} - {natural}) < 0.5")
    page.keyboard.press("-")
    page.wait_for_function(f"{FIRST_TEXT_HEIGHT} < {natural * 0.9}")
    page.keyboard.press("0")
    page.wait_for_function(f"Math.abs({FIRST_TEXT_HEIGHT} - {natural}) < 0.5")

    page.mouse.move(700, 500)
    page.mouse.wheel(0, -300)  # the wheel zooms, towards the pointer
    page.wait_for_function(f"{FIRST_TEXT_HEIGHT} > {natural * 1.1}")

    where = page.evaluate(SVG_BOX)
    page.mouse.move(700, 500)
    page.mouse.down()
    page.mouse.move(600, 420, steps=8)
    page.mouse.up()
    moved = page.evaluate(SVG_BOX)
    assert abs(moved[0] - (where[0] - 100)) < 3 and abs(moved[1] - (where[1] - 80)) < 3, (where, moved)
    page.keyboard.press("ArrowLeft")  # the arrow keys move it too
    page.wait_for_function(
        f"document.querySelector('.dp-diagram-dialog svg').getBoundingClientRect().x > {moved[0] + 30}"
    )
    keep(page, tmp_path / "enlarged-1400.png")

    page.keyboard.press("Escape")
    page.wait_for_function(f"!({IS_OPEN})")
    dialog.wait_for(state="hidden")
    # and again: the button, a click on the diagram outside its links, the close button
    page.mouse.click(*page.evaluate(BLANK_POINT))
    page.wait_for_function(IS_OPEN)
    dialog.get_by_role("button", name="关闭").click()
    page.wait_for_function(f"!({IS_OPEN})")
    assert visit.foreign_requests() == [] and visit.errors == []


def test_links_in_the_enlarged_diagram_lead_to_the_stage_and_the_role(visit: Visit) -> None:
    page = visit.open("decisions/out-of-scope-request/")
    page.get_by_role("button", name="放大查看流程图").click()
    page.wait_for_function(IS_OPEN)
    page.locator(f'{DIALOG} a[*|href="#stage-assess"] > text').first.click()
    page.wait_for_function(f"location.hash === '#stage-assess' && !({IS_OPEN})")
    page.get_by_role("button", name="放大查看流程图").click()
    page.wait_for_function(IS_OPEN)
    page.locator(f'{DIALOG} a[*|href*="roles/delivery-lead/"]').first.click()
    page.wait_for_load_state("load")
    assert page.url == visit.base_url + "roles/delivery-lead/"
    assert visit.foreign_requests() == [] and visit.errors == []


def pinch(who: Visit, first: tuple[int, int], second: tuple[int, int], spread: int) -> None:
    """Two fingers moving apart (Chromium's touch input, which the page sees as pointer events)."""
    cdp = who.context.new_cdp_session(who.page)

    def touch(kind: str, points: list[tuple[float, float]]) -> None:
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
        )

    touch("touchStart", [first, second])
    for step in range(1, 8):
        part = spread * step / 7
        touch("touchMove", [(first[0] - part, first[1]), (second[0] + part, second[1])])
    touch("touchEnd", [])


def drag(who: Visit, start: tuple[int, int], end: tuple[int, int]) -> None:
    cdp = who.context.new_cdp_session(who.page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]})
    for step in range(1, 9):
        x = start[0] + (end[0] - start[0]) * step / 8
        y = start[1] + (end[1] - start[1]) * step / 8
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
