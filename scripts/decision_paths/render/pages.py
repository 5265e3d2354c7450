"""Render step for pages: each page's data (``plan.views``) through its Jinja2 template.

The templates ship in ``render/templates``; a site overrides any of them the way
Material users override the theme's: a file of the same name in the theme's
``custom_dir``, under ``decision-paths/``. An override can start from ours with
``{% extends "default/decision.html" %}``. Autoescape is on; Markdown fields go
through the ``markdown`` filter, which sanitises before marking them safe.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import jinja2
from markupsafe import Markup, escape

from decision_paths.plan import views as v
from decision_paths.render import charts
from decision_paths.render.text import markdown_block
from decision_paths.store import codec

# Raw HTML too large to go through search indexing (diagram SVG, calculator)
# stands in the page as a comment; the plugin puts it in the finished page.
DIAGRAM_SLOT = "<!-- decision-paths:diagram -->"
CALCULATOR_SLOT = "<!-- decision-paths:calculator -->"
# Where a decision's trend chart goes (before the trend's table): one slot per decision id,
# filled like the calculator's (PageRenderer.page: an empty block until the chart is drawn).
TREND_SLOT = "<!-- decision-paths:trend:{} -->"
# A table of the record's moment (overdue now) is read on its page, not searched for: a
# hundred thousand cases make it thousands of rows, which search would parse and segment.
UNINDEXED_SLOT = "<!-- decision-paths:unindexed:{} -->"
OVERRIDES = "decision-paths"  # the folder in a theme's custom_dir that holds overrides

_PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1-6
    id: str  # the anchor, unique in its page
    html: str  # the heading's text, as HTML


@dataclass(frozen=True, slots=True)
class RenderedPage:
    src_uri: str  # e.g. "decisions/refund-request.md"
    title: str  # plain text
    html: str  # the page body, finished HTML
    headings: tuple[Heading, ...] = ()  # in page order, for the table of contents
    diagram: str | None = None  # decision id whose SVG replaces DIAGRAM_SLOT
    blocks: Mapping[str, str] = dataclasses.field(default_factory=dict)  # slot comment -> raw HTML


@dataclass(frozen=True, slots=True)
class RenderedSite:
    pages: tuple[RenderedPage, ...]
    catalogue: RenderedPage | None  # goes under the site's own home page


def environment(custom_dir: str | None) -> jinja2.Environment:
    """Templates from the site's custom_dir/decision-paths/ first, then ours (also as default/...).
    The same environment while the templates are the same: compiling them is most of a
    rebuild's rendering when serving."""
    return _environment(custom_dir, templates_version(custom_dir))


@functools.lru_cache(maxsize=4)
def _environment(custom_dir: str | None, version: str) -> jinja2.Environment:
    ours = jinja2.FileSystemLoader(str(_PACKAGE_TEMPLATES))
    loaders: list[jinja2.BaseLoader] = []
    if custom_dir:
        loaders.append(jinja2.FileSystemLoader(os.path.join(custom_dir, OVERRIDES)))
    loaders += [ours, jinja2.PrefixLoader({"default": ours})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the build instead of vanishing
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["markdown"] = lambda text: Markup(markdown_block(text))  # noqa: S704 - sanitised by nh3 first
    env.globals.update(link=link, links=links, trend_slot=trend_slot, duty_rows=duty_rows)
    return env


# The two smallest pieces are functions, not macros: a site has tens of thousands of
# links, mostly the same ones again (a role from every page at one depth), and a
# macro call costs ten times a cached function's.
@functools.lru_cache(maxsize=65536)
def link(item: v.Link) -> Markup:
    """A link, or its text alone when it leads nowhere; both escaped."""
    if item.href is None:
        return escape(item.text)
    return Markup('<a href="{}">{}</a>').format(item.href, item.text)


DutyLabels = tuple[str, str, str, str, str]  # the column headers: decision, stage, how, within, as role


def duty_rows(rows: tuple[v.DutyRow, ...], acting: bool, on_time: str, labels: DutyLabels) -> Markup:
    """The rows of a duty table (role and person pages): a person's page lists every stage
    of every role they hold, and each row is the same on every holder's page."""
    return Markup("").join(_duty_row(row, acting, on_time, labels) for row in rows)


@functools.lru_cache(maxsize=65536)
def _duty_row(row: v.DutyRow, acting: bool, on_time: str, labels: DutyLabels) -> Markup:
    decision, stage, how, within, as_role = labels
    cells = [
        Markup('<td data-label="{}">{}</td>').format(decision, link(row.decision)),
        Markup('<td data-label="{}">{}</td>').format(stage, link(row.stage)),
        Markup('<td data-label="{}">{}</td>').format(how, row.how_many),
        Markup('<td data-label="{}">{}</td>').format(within, row.within),
    ]
    if acting:
        cells.append(Markup('<td data-label="{}">{}</td>').format(as_role, row.acting_as))
    if on_time:
        cells.append(Markup('<td data-label="{}" class="dp-on-time">{}</td>').format(on_time, row.on_time))
    return Markup("<tr>") + Markup("").join(cells) + Markup("</tr>")


def trend_slot(slot: str) -> Markup:
    """The comment a trend's chart replaces (the id escaped, and no '--' to end the comment)."""
    return Markup(TREND_SLOT.format(escape(slot).replace("--", "-\u2010")))  # noqa: S704 - escaped above


def links(items: tuple[v.Link, ...], separator: str = ", ") -> Markup:
    return escape(separator).join(link(item) for item in items)


def templates_version(custom_dir: str | None) -> str:
    """A hash of the templates a build uses, for cache keys: an edited override is a change."""
    digest = hashlib.sha256()
    folders = [_PACKAGE_TEMPLATES] + ([Path(custom_dir, OVERRIDES)] if custom_dir else [])
    for folder in folders:
        for path in sorted(folder.rglob("*.html")) if folder.is_dir() else ():
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class PageView(Protocol):
    @property
    def uri(self) -> str: ...
    @property
    def title(self) -> str: ...


class PageRenderer:
    def __init__(
        self,
        env: jinja2.Environment,
        words: Mapping[str, str],
        permalink: tuple[str, str, str] | None,
    ):
        self.env = env
        self.globals = {"w": words, "permalink": permalink}

    def render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**self.globals, **context)

    def page(self, template: str, view: object, src_uri: str, title: str, **extra: object) -> RenderedPage:
        calculator: v.Calculator | None = getattr(view, "calculator", None)
        blocks = {CALCULATOR_SLOT: self.render("calculator.html", calc=calculator)} if calculator else {}
        for trend in trends_of(view):
            # The chart goes in after the page is indexed for search: its numbers are in the table.
            blocks[str(trend_slot(trend.slot))] = trend_svg(trend)
        slots = {
            "diagram_slot": DIAGRAM_SLOT,
            "calculator_slot": CALCULATOR_SLOT,
            "unindexed": _Unindexed(blocks),
        }
        html = self.render(template, page=view, **slots, **extra).strip("\n") + "\n"
        return RenderedPage(src_uri, title, html, headings_of(html), getattr(view, "diagram", None), blocks)

    def site(
        self, plan: v.SitePlan, known: Mapping[str, RenderedPage] | None = None
    ) -> tuple[RenderedSite, dict[str, RenderedPage]]:
        """Every generated page, and the catalogue for the site's own home page (or None);
        with the pages by ``view_key``. A page whose view ``known`` has is taken from there:
        after one decision changes, only the pages that show it are rendered again."""
        known = known or {}
        by_key: dict[str, RenderedPage] = {}

        def rendered(template: str, view: PageView) -> RenderedPage:
            key = view_key(template, view)
            page = by_key[key] = known.get(key) or self.page(template, view, view.uri, view.title)
            return page

        pages = [rendered(template, view) for template, view in _page_views(plan)]
        catalogue = None
        if plan.home is not None:
            home = rendered("home.html", plan.home)
            if plan.home.own_page:
                catalogue = home
            else:
                pages.append(home)
        return RenderedSite(tuple(pages), catalogue), by_key


@dataclass(frozen=True, slots=True)
class RenderedPages:
    """A site's rendered pages by ``view_key``, kept for the next build."""

    pages: dict[str, RenderedPage]


def view_key(template: str, view: object) -> str:
    """The page a template makes of a view depends on nothing else (the renderer's words,
    permalink and templates are the same for a whole build, so they key the whole entry)."""
    return hashlib.sha256(template.encode() + b"\0" + codec.canonical(view)).hexdigest()


class _Unindexed:
    """``{% call unindexed() %}...{% endcall %}`` in a page template: the body becomes one of
    the page's blocks and a slot stands in its place while search indexes the page."""

    def __init__(self, blocks: dict[str, str]):
        self.blocks = blocks

    def __call__(self, caller: jinja2.runtime.Macro) -> Markup:
        slot = UNINDEXED_SLOT.format(len(self.blocks))
        self.blocks[slot] = str(caller())
        return Markup(slot)  # noqa: S704 - a fixed comment


@functools.lru_cache(maxsize=512)
def trend_svg(trend: v.Trend) -> str:
    """The trend drawn once per build (a decision page and Promises kept show the same one)."""
    if not trend.points:
        return ""
    svg = charts.trend_chart(
        [charts.TrendPoint(p.month, p.rate, p.n) for p in trend.points],
        title=trend.title,
        rate_label=trend.rate_label,
        count_label=trend.count_label,
        threshold_note=trend.threshold_note,
    )
    return f'<div class="dp-chart">{svg}</div>'


def trends_of(view: object) -> list[v.Trend]:
    """The trends a page shows: a decision page's, or every decision's on Promises kept."""
    if isinstance(view, v.PromisesView):
        return [r.trend for r in view.decisions]
    record: v.DecisionRecord | None = getattr(view, "record", None)
    return [record.trend] if isinstance(record, v.DecisionRecord) else []


def _page_views(plan: v.SitePlan) -> Iterator[tuple[str, PageView]]:
    yield from (("decision.html", p) for p in plan.decisions)
    yield from (("client-decision.html", p) for p in plan.client_decisions)
    yield from (("role.html", p) for p in plan.roles)
    yield from (("person.html", p) for p in plan.people)
    singles: tuple[tuple[str, PageView | None], ...] = (
        ("roles.html", plan.roles_index),
        ("people.html", plan.people_index),
        ("matrix.html", plan.matrix),
        ("review.html", plan.review),
        ("changes.html", plan.changes),
        ("client-home.html", plan.client_home),
        ("calendars.html", plan.calendars),
        ("promises-kept.html", plan.promises),
        ("overdue.html", plan.overdue),
        ("hidden-rules.html", plan.hidden_rules),
    )
    for template, view in singles:
        if view is not None:
            yield template, view


_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.S)
_PERMALINK = re.compile(r'<a class="[^"]*" href="#[^"]*" title="[^"]*">[^<]*</a>$')


def headings_of(html: str) -> tuple[Heading, ...]:
    """The headings of a rendered page, for its table of contents: those an override adds too."""
    return tuple(
        Heading(int(level), anchor, _PERMALINK.sub("", inner)) for level, anchor, inner in _HEADING.findall(html)
    )
