"""Static charts (render/charts): what a reader of the page would notice. Each SVG is
an image with a title and a description, its Chinese words are text, it takes its
colours from the page's scheme, loads nothing, has a gap where a month has no rate,
shows a stage that is usually late in the accent colour, and is the same bytes every time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from decision_paths.render.charts import LATE, StageBar, TrendPoint, stage_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
GAP = "2026-05"  # too few requests that month: no rate
POINTS = [
    TrendPoint(month, None if month == GAP else 0.55 + 0.035 * number, 3 if month == GAP else 8 + number)
    for number, month in enumerate(MONTHS, 1)
]
TREND_WORDS = {
    "title": "近 12 个月按时率",
    "rate_label": "按时率",
    "count_label": "办结件数",
    "threshold_note": "少于 5 件的月份不计按时率，图中留空",
}
STAGES = [
    StageBar("部门经理审批", within=16, p80=10, on_time_rate=0.9),
    StageBar("财务复核", within=24, p80=40, on_time_rate=0.35),  # usually late
    StageBar("总经理签字", within=8, p80=9, on_time_rate=0.75),  # late for some, not usually
]
STAGE_WORDS = {"title": "各阶段用时", "within_label": "承诺时限（工作小时）", "p80_label": "80% 在此前办完（工作小时）"}


def draw_trend(points: list[TrendPoint] = POINTS) -> str:
    return trend_chart(points, **TREND_WORDS)


def draw_stages(rows: list[StageBar] = STAGES) -> str:
    return stage_chart(rows, **STAGE_WORDS)


@pytest.fixture(scope="module")
def trend() -> str:
    return draw_trend()


@pytest.fixture(scope="module")
def stages() -> str:
    return draw_stages()


@pytest.fixture(params=["trend", "stages"])
def chart(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    words = TREND_WORDS if request.param == "trend" else STAGE_WORDS
    return request.getfixturevalue(request.param), words


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def marks(svg: str, name: str) -> list[ET.Element]:
    """The drawn items of one named layer (Vega gives its group the class NAME_marks)."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if f"{name}_marks" in g.get("class", "").split()]
    assert len(groups) == 1, name
    return list(groups[0])


def translate_x(element: ET.Element) -> float:
    found = re.match(r"translate\(([-0-9.]+),", element.get("transform", ""))
    assert found
    return float(found.group(1))


def rect(element: ET.Element) -> tuple[float, float]:
    """(left, right) of a bar drawn as Vega draws rects: M x,y h w v h h -w Z."""
    found = re.match(r"M([-0-9.]+),[-0-9.]+h([-0-9.]+)v", element.get("d", ""))
    assert found, element.get("d")
    left, width = float(found.group(1)), float(found.group(2))
    return left, left + width


def test_each_chart_is_an_image_with_a_title_and_a_description(chart: tuple[str, dict[str, str]]) -> None:
    svg, words = chart
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-hidden") in (None, "false")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert list(root)[:2] == [title, desc]
    assert title.text == words["title"]
    for key, value in words.items():
        if key != "title":
            assert value in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_chinese_words_are_text_in_the_pages_font(trend: str, stages: str) -> None:
    shown = texts(trend)
    for words in (
        "近 12 个月按时率",
        "按时率",
        "办结件数",
        "少于 5 件的月份不计按时率，图中留空",
        *MONTHS,
        "100%",
        "0%",
    ):
        assert words in shown
    shown = texts(stages)
    for words in ("各阶段用时", "部门经理审批", "财务复核", "总经理签字", *STAGE_WORDS.values()):
        assert words in shown
    for svg in (trend, stages):
        fonts = {t.get("font-family") for t in ET.fromstring(svg).iter(f"{SVG}text")}
        assert fonts == {"inherit"}
        assert "<path" not in "".join(re.findall(r"<text[^>]*>.*?</text>", svg))  # no outlined glyphs


def test_colours_come_from_the_pages_scheme(chart: tuple[str, dict[str, str]]) -> None:
    """Only currentColor and Material's variables: the same SVG reads in light and dark."""
    svg, _ = chart
    used = set()
    for element in ET.fromstring(svg).iter():
        for attribute in ("fill", "stroke", "color", "stop-color", "flood-color", "style"):
            if attribute in element.attrib:
                used.add(element.get(attribute))
    assert used
    for value in used:
        assert (
            value == "none" or value == "currentColor" or re.fullmatch(r"var\(--md-[a-z-]+(, currentColor)?\)", value)
        )
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(|\b(white|black)\b", svg)


def test_nothing_is_loaded_from_anywhere(chart: tuple[str, dict[str, str]]) -> None:
    svg, _ = chart
    # The one address is the SVG namespace's name, which nothing fetches.
    rest = svg.replace('xmlns="http://www.w3.org/2000/svg"', "", 1)
    assert not re.search(r"https?:|//[a-z]", rest)
    assert "href" not in rest
    assert "url(" not in rest
    assert "@import" not in rest


def test_a_chart_fits_a_phone(chart: tuple[str, dict[str, str]]) -> None:
    root = ET.fromstring(chart[0])
    assert root.get("width") == "100%"
    assert root.get("height") is None  # the browser keeps the viewBox's proportions
    _, _, width, height = map(float, root.get("viewBox", "").split())
    assert 600 <= width <= 660
    assert height > 0


def test_the_same_input_gives_the_same_bytes(trend: str, stages: str) -> None:
    assert draw_trend() == trend
    assert trend_chart(tuple(POINTS), **TREND_WORDS) == trend
    assert draw_stages() == stages
    # Two different charts on one page do not share ids.
    ids = [e.get("id") for svg in (trend, stages) for e in ET.fromstring(svg).iter() if e.get("id")]
    assert len(ids) == len(set(ids)) == 4


def test_a_month_without_a_rate_is_a_gap_not_zero(trend: str) -> None:
    bars = [(left + right) / 2 for left, right in map(rect, marks(trend, "count"))]
    assert len(bars) == 12  # the month still has its count
    points = [translate_x(point) for point in marks(trend, "rate_points")]
    expected = [x for month, x in zip(MONTHS, bars, strict=True) if month != GAP]
    assert points == pytest.approx(expected, abs=0.5)
    (line,) = marks(trend, "rate_line")
    assert line.get("d", "").count("M") == 2  # the line stops before the gap and starts again after it


def test_a_trend_of_short_month_names(trend: str) -> None:
    months = [f"{m}月" for m in range(1, 13)]
    svg = trend_chart([TrendPoint(m, 0.8, 10) for m in months], **TREND_WORDS)
    assert set(months) <= set(texts(svg))
    assert len(marks(svg, "rate_points")) == 12
    assert "rotate(" not in "".join(re.findall(r'class="mark-text role-axis-label".*?</g>', svg))


def test_a_stage_usually_late_is_in_the_accent_colour_past_its_promise(stages: str) -> None:
    bars = marks(stages, "p80")
    ticks = marks(stages, "within")
    assert [bar.get("fill") for bar in bars] == [
        "var(--md-default-fg-color--lighter, currentColor)",
        LATE,
        "var(--md-default-fg-color--lighter, currentColor)",
    ]
    assert LATE.startswith("var(--md-accent-fg-color")
    ends = [rect(bar)[1] for bar in bars]
    promises = [rect(tick)[0] for tick in ticks]
    assert [end > promise for end, promise in zip(ends, promises, strict=True)] == [False, True, True]


def test_stages_keep_the_callers_order() -> None:
    svg = draw_stages(list(reversed(STAGES)))
    shown = [t for t in texts(svg) if t in {s.stage for s in STAGES}]
    assert shown == [s.stage for s in reversed(STAGES)]


def test_words_with_markup_characters_stay_words() -> None:
    svg = stage_chart(
        [StageBar("R&D <复核>", within=8, p80=4, on_time_rate=None)],
        title="A & B",
        within_label="<时限>",
        p80_label="p&q",
    )
    assert {"R&D <复核>", "<时限>", "p&q"} <= set(texts(svg))
    assert ET.fromstring(svg).find(f"{SVG}title").text == "A & B"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda: draw_trend([]), "at least one month"),
        (lambda: draw_trend([TrendPoint("2026-01", 0.5, 4), TrendPoint("2026-01", 0.6, 5)]), "once: 2026-01"),
        (lambda: draw_trend([TrendPoint("2026-01", 87.0, 4)]), "not between 0 and 1"),
        (lambda: draw_trend([TrendPoint("2026-01", 0.5, -1)]), "number of requests"),
        (lambda: draw_stages([StageBar("a", 1, 1, 0.5), StageBar("a", 2, 2, 0.5)]), "once: a"),
        (lambda: draw_stages([StageBar("a", -1, 1, 0.5)]), "negative"),
    ],
)
def test_wrong_numbers_are_refused(draw, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        draw()
