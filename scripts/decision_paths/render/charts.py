"""Static charts drawn at build time: a Vega-Lite spec, turned into SVG in this
process by vl-convert (no browser, no network: it is refused any data URL), then
made fit for an inline ``<svg>`` on a Material page.

One SVG reads in the light and the dark scheme because every colour in it is
``currentColor`` or one of Material's CSS variables (vl-convert writes colour
strings through unchanged, so no colour needs mapping afterwards). Text stays
``<text>``: it is measured with the CJK font the set-up installs, then told to
``inherit`` the page's font, so Chinese shows in the reader's own font. The same
input gives the same bytes: the spec is built in a fixed order, the Vega-Lite
version is pinned, and the only id is a hash of the spec.

The caller shows the same numbers in a table; the SVG is an image with a
``<title>`` and a ``<desc>`` in the caller's words.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import vl_convert as vlc

# Pinned so that a newer vl-convert (which bundles newer Vega-Lite) draws the same bytes.
VEGA_LITE = "6.4"
# Installed by the set-up (fonts-wqy-microhei), as for the diagrams: labels are measured
# with it, so they fit; the SVG then says `inherit`, and the browser uses the page's font.
MEASURE_FONT = "WenQuanYi Micro Hei"
PAGE_FONT = "inherit"
WIDTH = 640  # the whole chart, in viewBox units; the SVG is width="100%" and scales down
FONT_SIZE = 14

# Colours: Material's variables, so both schemes (default and slate) apply. The line is
# in the link colour: the primary colour in the light scheme, a lighter one in slate,
# where the primary colour itself is too dark to see on the page.
# Outside Material (the SVG opened on its own) each falls back to the text colour.
TEXT = "currentColor"
LINE = "var(--md-typeset-a-color, currentColor)"
LATE = "var(--md-accent-fg-color, currentColor)"
FAINT = "var(--md-default-fg-color--lighter, currentColor)"
GRID = "var(--md-default-fg-color--lightest, currentColor)"

# A stage is "usually late" when fewer than this share of its requests were on time.
USUALLY_LATE = 0.5


@dataclass(frozen=True)
class TrendPoint:
    """One month of the trend: its label as the caller writes it ("2026-03", "3月"),
    the share decided on time (0-1; None when the month had too few requests to say,
    drawn as a gap), and how many requests were decided."""

    month: str
    on_time_rate: float | None
    n: int


@dataclass(frozen=True)
class StageBar:
    """One stage: its title, its promise (``within``) and the time by which 80 % of
    its requests were done (``p80``), both in working hours, and the share on time
    (None when too few)."""

    stage: str
    within: float
    p80: float
    on_time_rate: float | None

    @property
    def usually_late(self) -> bool:
        return self.on_time_rate is not None and self.on_time_rate < USUALLY_LATE


def trend_chart(
    points: Sequence[TrendPoint], *, title: str, rate_label: str, count_label: str, threshold_note: str
) -> str:
    """The on-time rate month by month (a line with points, 0-100 %, a gap where the
    rate is None) above the number of requests (light bars); ``threshold_note`` says
    why some months have no rate and is shown under the title."""
    months = _distinct([p.month for p in points], "month")
    for p in points:
        if p.on_time_rate is not None and not 0 <= p.on_time_rate <= 1:
            raise ValueError(f"on-time rate of {p.month} is {p.on_time_rate}, not between 0 and 1")
        if p.n < 0:
            raise ValueError(f"number of requests of {p.month} is {p.n}")
    rows = [{"month": p.month, "rate": p.on_time_rate, "n": p.n} for p in points]
    x_axis: dict[str, Any] = {"field": "month", "type": "ordinal", "scale": {"domain": months}, "title": None}
    # Long labels ("2026-03") do not fit twelve to a line at this width; short ones ("3月") do.
    label_angle = 0 if max(map(len, months)) <= 4 else -45
    plot = WIDTH - 80  # leaves room for the y axis and its labels
    spec = {
        "title": {"text": title, "subtitle": threshold_note},
        "data": {"values": rows},
        "spacing": 36,
        "vconcat": [
            {
                "name": "rate",
                "width": plot,
                "height": 200,
                "encoding": {
                    "x": {**x_axis, "axis": {"labels": False, "ticks": False, "domain": False}},
                    "y": {
                        "field": "rate",
                        "type": "quantitative",
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": ".0%", "tickCount": 5, "title": rate_label},
                    },
                },
                "layer": [
                    # A None rate breaks the line there; it is not drawn as zero.
                    {"name": "rate_line", "mark": {"type": "line", "invalid": "break-paths-show-domains"}},
                    {"name": "rate_points", "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1}},
                ],
            },
            {
                "name": "count",
                "width": plot,
                "height": 70,
                "mark": {"type": "bar", "color": FAINT},
                "encoding": {
                    "x": {**x_axis, "axis": {"labelAngle": label_angle}},
                    "y": {
                        "field": "n",
                        "type": "quantitative",
                        "axis": {"format": "d", "tickCount": 2, "tickMinStep": 1, "title": count_label},
                    },
                },
            },
        ],
    }
    return _svg(spec, title=title, desc=_words(rate_label, count_label, threshold_note))


def stage_chart(rows: Sequence[StageBar], *, title: str, within_label: str, p80_label: str) -> str:
    """One horizontal bar per stage, as long as its p80, crossed by a tick at its
    promise (``within``): a bar past its tick is late for more than one request in
    five; a stage usually late (on time less than half the time) is in the accent colour."""
    _distinct([r.stage for r in rows], "stage")
    for r in rows:
        if r.within < 0 or r.p80 < 0:
            raise ValueError(f"stage {r.stage}: hours must not be negative")
        if r.on_time_rate is not None and not 0 <= r.on_time_rate <= 1:
            raise ValueError(f"on-time rate of {r.stage} is {r.on_time_rate}, not between 0 and 1")
    values = [{"stage": r.stage, "within": r.within, "p80": r.p80, "late": r.usually_late} for r in rows]
    colours = {"domain": [p80_label, within_label], "range": [FAINT, TEXT]}
    spec = {
        "title": {"text": title},
        "width": WIDTH,
        "height": {"step": 36},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": values},
        "encoding": {"y": {"field": "stage", "type": "nominal", "sort": None, "title": None}},
        "layer": [
            {
                "name": "p80",
                "mark": {"type": "bar", "height": {"band": 0.6}},
                "encoding": {
                    "x": {"field": "p80", "type": "quantitative", "title": None, "axis": {"tickCount": 8}},
                    "color": {
                        "condition": {"test": "datum.late", "value": LATE},
                        "datum": p80_label,
                        "scale": colours,
                    },
                },
            },
            {
                "name": "within",
                "mark": {"type": "tick", "thickness": 3, "bandSize": 30, "opacity": 1},
                "encoding": {"x": {"field": "within", "type": "quantitative"}, "color": {"datum": within_label}},
            },
        ],
    }
    return _svg(spec, title=title, desc=_words(p80_label, within_label))


def _distinct(labels: list[str], what: str) -> list[str]:
    """The labels, refused when empty or repeated (Vega-Lite would merge repeated ones)."""
    if not labels:
        raise ValueError(f"a chart needs at least one {what}")
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"each {what} must appear once: {', '.join(repeated)}")
    return labels


def _words(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


# Every chart's look: no background (the page's shows through), text and axes in the
# text colour, faint grid lines, no ARIA of Vega's own (English, and the SVG is one image).
CONFIG: dict[str, Any] = {
    "background": None,
    "font": MEASURE_FONT,
    "aria": False,
    "view": {"stroke": None},
    "mark": {"color": LINE},
    "title": {
        "anchor": "start",
        "color": TEXT,
        "fontSize": 16,
        "fontWeight": "bold",
        "subtitleColor": TEXT,
        "subtitleFontSize": FONT_SIZE,
        "subtitlePadding": 6,
        "offset": 12,
    },
    "axis": {
        "labelColor": TEXT,
        "titleColor": TEXT,
        "domainColor": TEXT,
        "tickColor": TEXT,
        "gridColor": GRID,
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "titleFontWeight": "normal",
        "labelLimit": 0,
    },
    # Horizontal y-axis titles, above the axis: Chinese turned on its side is hard to read.
    "axisY": {
        "titleAngle": 0,
        "titleAnchor": "end",
        "titleAlign": "left",
        "titleBaseline": "bottom",
        "titleX": 0,
        "titleY": -10,
    },
    "legend": {
        "orient": "top",
        "title": None,
        "labelColor": TEXT,
        "labelFontSize": FONT_SIZE,
        "labelLimit": 0,
        "symbolType": "square",
        "symbolOpacity": 1,
    },
}

_ROOT = re.compile(r'\A<svg [^>]*viewBox="(0 0 [0-9.]+ [0-9.]+)"[^>]*>')
_FONT = f'font-family="{escape(MEASURE_FONT)}"'


def _svg(spec: dict[str, Any], *, title: str, desc: str) -> str:
    """The spec drawn by vl-convert, with an image's root: width 100 % (the viewBox
    keeps the proportions), role="img", a <title> and a <desc>; text in the page's font."""
    spec = {**spec, "config": CONFIG}
    drawn = vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE, allowed_base_urls=[])
    root = _ROOT.match(drawn)
    if root is None:
        raise ValueError("vl-convert drew an SVG without a viewBox")
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
    name = f"dp-chart-{key}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dp-chart" role="img" width="100%" '
        f'viewBox="{root.group(1)}" aria-labelledby="{name}-title {name}-desc">'
        f'<title id="{name}-title">{escape(title, quote=False)}</title>'
        f'<desc id="{name}-desc">{escape(desc, quote=False)}</desc>'
    )
    return head + drawn[root.end() :].replace(_FONT, f'font-family="{PAGE_FONT}"')
