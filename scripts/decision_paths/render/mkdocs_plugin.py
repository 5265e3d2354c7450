"""The MkDocs plugin: decision pages appear in any MkDocs build or serve.

``mkdocs build``/``serve`` from the repository root and ``decision-paths
build``/``serve`` all go through here: on every (re)build the decisions
folder is validated, planned for the plugin's audience, diagrams rendered,
and the pages handed to MkDocs as generated files (nothing is written into
docs/). While serving, errors appear in the terminal and on every page
instead of stopping the server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, get_toc
from mkdocs.utils import normalize_url, write_file

from decision_paths.load.tracking import tracking_secret
from decision_paths.model.audience import SITES, PageKind
from decision_paths.model.command_line import build_parser
from decision_paths.model.findings import Finding
from decision_paths.model.organisation import Audience
from decision_paths.model.words import words
from decision_paths.pipeline.sites import Pipeline, SiteSettings
from decision_paths.plan.reference import COMMANDS_URI, FORMAT_URI, commands_reference, format_reference
from decision_paths.plan.urls import HOME_URI
from decision_paths.plan.views import SitePlan, TrackingView
from decision_paths.render.graphviz import DiagramError, SvgDrawing
from decision_paths.render.menu import InactiveMenu
from decision_paths.render.pages import (
    DIAGRAM_SLOT,
    Heading,
    PageRenderer,
    RenderedPage,
    RenderedPages,
    RenderedSite,
    environment,
    templates_version,
)
from decision_paths.render.search import LIBRARIES as SEARCH_LIBRARIES
from decision_paths.render.search import SETTINGS as SEARCH_SETTINGS
from decision_paths.render.search import IndexedPages, PageOnceIndex, indexes_with_material
from decision_paths.render.tracking import tracking_files
from decision_paths.store import cache, codec

if TYPE_CHECKING:
    from mkdocs.structure.toc import _TocToken  # the shape get_toc takes

log = logging.getLogger("mkdocs.plugins.decision-paths")
# Notices about what a site leaves out (no git history): shown, but outside MkDocs'
# logger, so strict mode (which fails on every MkDocs warning) does not take them for broken links.
notice = logging.getLogger("decision_paths")

ASSETS = (
    "decision-paths.css",
    "decision-paths.js",
    "decision-paths-calculator.js",
    "panzoom.min.js",
    "decision-paths-diagram.js",
)
REQUIRED_EXTENSIONS = ("tables", "admonition", "attr_list", "md_in_html", "toc")
SEARCH_SEPARATOR = r"[\s\u200b\-]"  # as Material documents for Chinese (jieba joins words with U+200B)


class PluginConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs' __init_subclass__ is untyped
    decisions = c.Type(str, default="decisions")
    audience = c.Choice(("internal", "client"), default="internal")
    today = c.Optional(c.Type(str))
    history = c.Type(bool, default=True)
    # Off when the caller printed the findings already (decision-paths build).
    report_findings = c.Type(bool, default=True)
    # Errors go on every page instead of stopping the build (decision-paths serve; mkdocs serve too).
    live = c.Type(bool, default=False)
    # Given by decision-paths build and serve (already checked); not a setting for mkdocs.yml.
    pipeline = c.Optional(c.Type(Pipeline))


class DecisionPathsPlugin(BasePlugin[PluginConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.serving = False
        # While serving, the last build's pages: a decision that stops loading (say, a
        # YAML syntax error) keeps its previous page, with the error banner on top,
        # instead of turning into "page not found". MkDocs keeps this plugin object
        # across rebuilds (its plugin cache, for plugins with on_startup), in
        # `mkdocs serve` and `decision-paths serve` alike.
        self.last_pages: tuple[dict[str, RenderedPage], dict[str, str]] = ({}, {})
        self.svgs: SvgDrawing | None = None
        self.diagram_files: list[File] = []
        self.generated: set[str] = set()  # src_uri of our pages in this build
        self.user_nav: list[Any] = []  # the site's own nav setting, before ours is added
        self.findings: tuple[Finding, ...] = ()
        self.home_extra: RenderedPage | None = None
        self.renderer = PageRenderer(environment(None), words("en"), None)  # made again for each build
        self.w = words("en")  # the site's words, set again for each build
        self.build_time = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        self.page_meta: dict[str, dict[str, Any]] = {}  # src_uri -> front matter of a generated page
        self.sections: tuple[str, ...] = ()  # the site's top folders, for its error page
        self.tracking: tuple[TrackingView, ...] = ()  # this build's tracking pages (client site, with a secret)
        self.search_key = ""  # where this build's search entries are kept (render/search.py)
        # While serving: after the first build, only the pages whose content changed are
        # built again (MkDocs' dirty build); this is what each page and diagram was last time.
        self.dirty = False
        self.served: dict[str, str] = {}  # src_uri -> fingerprint of the page as last built
        self.served_svgs: dict[str, str] = {}  # decision id -> key (DOT and Graphviz) of the SVG file last written
        self.last_index: PageOnceIndex | None = None
        self.last_diagrams: dict[str, str] = {}  # DOT sources of the last build, by what they came from
        self.banner: tuple[list[str], str] | None = None  # the errors, and their banner (while serving)
        self.last_banner = ""  # the banner the last build put on every page
        self.theme_env: tuple[object, Any] | None = None  # (what it was made from, the theme's Jinja environment)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    @property
    def live(self) -> bool:
        return self.serving or self.config.live

    def today(self) -> dt.date:
        if self.config.today:
            try:
                return dt.date.fromisoformat(self.config.today)
            except ValueError:
                raise PluginError(f"decision-paths: today '{self.config.today}' is not a date (YYYY-MM-DD)") from None
        return dt.date.today()

    def decisions_dir(self, config: MkDocsConfig) -> str:
        if os.path.isabs(self.config.decisions) or not config.config_file_path:
            return self.config.decisions
        return os.path.join(os.path.dirname(config.config_file_path), self.config.decisions)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        config.mdx_configs.setdefault("toc", {}).setdefault("permalink", True)
        search = _search_plugin(config)
        if search is not None and "\u200b" not in (search.config.get("separator") or ""):
            search.config["separator"] = SEARCH_SEPARATOR
        if config.theme.name == "material":
            # Our template escapes the tab title (Material's striptags would unescape it).
            overrides = str(resources.files("decision_paths.render") / "overrides")
            if overrides not in config.theme.dirs:
                config.theme.dirs.insert(1 if config.theme.custom_dir else 0, overrides)
            # Nothing from third-party hosts: no Google Fonts unless the privacy plugin self-hosts them.
            if "material/privacy" not in config.plugins and "privacy" not in config.plugins:
                config.theme["font"] = False
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if f"assets/{asset}" not in target:
                target.append(f"assets/{asset}")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        folder = self.decisions_dir(config)
        if not os.path.isdir(folder):
            raise PluginError(f"decision-paths: no decisions folder '{folder}'")
        pipeline = self.config.pipeline or Pipeline(
            folder, self.today(), history=self.config.history, fixed_today=bool(self.config.today)
        )
        checked = pipeline.checked
        self.findings = checked.findings
        errors = [f for f in checked.findings if f.is_error]
        if self.config.report_findings:
            for found in checked.findings:
                (log.error if found.is_error else log.warning)(found.to_text())
        if errors and not self.live:
            raise PluginError(f"decision-paths: {len(errors)} error(s) in {folder}; fix them to build the site")
        site = SITES[Audience(self.config.audience)]
        if not site.own_docs:
            docs = os.path.abspath(config.docs_dir)
            for file in [f for f in files if f.abs_src_path and _inside(f.abs_src_path, docs)]:
                files.remove(file)
        language = config.theme.get("language") or "en"
        settings = SiteSettings(
            language,
            config.use_directory_urls,
            site.own_docs and files.get_file_from_path(HOME_URI) is not None,
            config.site_url,
        )
        known_diagrams = self._known_diagrams(site.audience)
        plan = pipeline.plan(site.audience, settings, known_diagrams)
        self._keep_diagrams(plan, site.audience, known_diagrams)
        self.tracking = plan.tracking
        record = pipeline.record(language)
        if self.config.report_findings and record is not None:
            for found in record.findings:  # the case record's rows: warnings
                log.warning(found.to_text())
        permalink = _permalink(config)
        self.w = words(language)
        self.renderer = PageRenderer(environment(config.theme.custom_dir), self.w, permalink)
        plan_key = pipeline.plan_key(site.audience, settings)
        rendered = self._rendered(plan, plan_key, config.theme.custom_dir, permalink)
        self.search_key = self._index_pages_once(config, cached=bool(plan_key))
        for message in pipeline.notices:
            notice.warning(f"decision-paths: {message}")
        self.build_time = pipeline.build_time(language)
        self.home_extra = rendered.catalogue
        if PageKind.REFERENCE in site.pages:
            _add_references(files, config)
        self._add_files(files, config, list(rendered.pages), plan)
        self.page_meta = _page_meta(plan)
        self.user_nav = list(config.nav or [])
        config.nav = self._nav(files, config, plan, PageKind.REFERENCE in site.pages)
        return files

    def _known_diagrams(self, audience: Audience) -> dict[str, str]:
        """The DOT sources of the last build of this audience (in this process while serving,
        else from the build cache), by a digest of what each was made from (the planner's
        diagram_input): only the decisions that changed are drawn again."""
        if self.live:
            return self.last_diagrams
        stored = cache.read("dots", cache.key("dots", audience.value), KnownDiagrams)
        return dict(stored.dots) if stored else {}

    def _keep_diagrams(self, plan: SitePlan, audience: Audience, known: dict[str, str]) -> None:
        inputs = plan.diagram_inputs
        made = {inputs[d]: dot for d, dot in plan.diagrams.items() if d in inputs}
        if self.live:
            self.last_diagrams = made
        elif made and made != known:
            cache.write("dots", cache.key("dots", audience.value), KnownDiagrams(made))

    def _rendered(
        self, plan: SitePlan, plan_key: str, custom_dir: str | None, permalink: tuple[str, str, str] | None
    ) -> RenderedSite:
        """The pages through their templates; a page whose view the last build of this
        audience rendered, with the same templates (the site's overrides too), words and
        permalink, is taken from the build cache."""
        key = ""
        if plan_key:  # '' when the files could not all be read: nothing is kept
            key = cache.key("pages", self.config.audience, dict(self.w), permalink, templates_version(custom_dir))
        stored = cache.read("pages", key, RenderedPages) if key else None
        rendered, by_key = self.renderer.site(plan, stored.pages if stored else None)
        if key and (stored is None or stored.pages.keys() != by_key.keys()):
            cache.write("pages", key, RenderedPages(by_key))
        return rendered

    def _index_pages_once(self, config: MkDocsConfig, *, cached: bool) -> str:
        """Material's search indexes each page once (render/search.py): a page the last build
        of this audience indexed gets the same entries from the build cache (the site is
        written to a new folder each time, so the audience names it). Returns the key
        the entries are kept under ('' when they are not kept)."""
        search = _search_plugin(config)
        index = getattr(search, "search_index", None)
        if search is None or not indexes_with_material(index):  # another search plugin: as it is
            return ""
        key = ""
        if cached:
            settings = [search.config.get(name) for name in SEARCH_SETTINGS]
            key = cache.key("search", self.config.audience, settings, cache.library_versions(SEARCH_LIBRARIES))
        known = cache.read("search", key, IndexedPages) if key else None
        unbuilt = self.last_index.by_page if self.dirty and self.last_index is not None else {}
        pages, runs = (known.pages, known.runs) if known else ({}, {})
        if self.last_index is not None:  # while serving: the runs this session's builds met
            runs = {**runs, **self.last_index.runs}
        search.search_index = PageOnceIndex(pages, unbuilt, runs, **search.config)
        if self.live:
            self.last_index = search.search_index
        return key

    def _add_files(self, files: Files, config: MkDocsConfig, rendered: list[RenderedPage], plan: SitePlan) -> None:
        pages = {page.src_uri: page for page in rendered}
        self.generated = set(pages)
        dots = dict(plan.diagrams)
        if self.live:
            if any(f.is_error for f in self.findings):
                last_pages, last_dots = self.last_pages
                pages, dots = {**last_pages, **pages}, {**last_dots, **dots}
            self.last_pages = (pages, dots)
        # Graphviz draws in the background, on the cores MkDocs leaves free; each
        # decision page takes its diagram as it is written (on_post_page).
        try:
            self.svgs = SvgDrawing(dots, workers=max(1, (os.cpu_count() or 1) - 1))
        except DiagramError as err:
            raise PluginError(f"decision-paths: {err}") from None
        served = {}
        for src_uri, planned in pages.items():
            served[src_uri] = _fingerprint(planned, dots.get(planned.diagram or ""))
            file = _GeneratedFile.made(
                config, src_uri, planned.html, not self.dirty or self.served.get(src_uri) != served[src_uri]
            )
            _replace(files, file)
            GeneratedPage(planned, file, config)
        if self.live:
            self.served = served
        for path, content in plan.extra_files.items():
            _replace(files, File.generated(config, path, content=content))
        self.diagram_files = [File.generated(config, f"diagrams/{name}.svg", content="") for name in sorted(dots)]
        for diagram_file in self.diagram_files:
            _replace(files, diagram_file)
        package = resources.files("decision_paths.render") / "assets"
        for asset in ASSETS:
            _replace(files, File.generated(config, f"assets/{asset}", content=(package / asset).read_bytes()))

    def _nav(self, files: Files, config: MkDocsConfig, plan: SitePlan, with_references: bool) -> list[Any]:
        references = [FORMAT_URI, COMMANDS_URI]
        w = words(config.theme.get("language") or "en")  # the menu speaks the site's language
        titled = [{w["format_reference"]: FORMAT_URI}, {w["commands_reference"]: COMMANDS_URI}]
        extra = [{w["reference"]: titled}] if with_references else []
        if config.nav:  # the site's own nav first; pages it already lists are not listed twice
            listed = {path for _, path in _nav_pages(config.nav)}
            return [*config.nav, *_without(_escaped(plan.nav), listed), *extra]
        generated = {"index.md", *references, *self.generated}
        own = sorted(f.src_uri for f in files.documentation_pages() if f.src_uri not in generated)
        return [HOME_URI, *own, *_escaped(plan.nav), *extra]

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        """Every page dated by the last change to the decisions (the sitemap shows it), not by
        the clock: the same commit builds the same bytes."""
        page.update_date = self.build_time.strftime("%Y-%m-%d")
        return page

    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav):  # type: ignore[no-untyped-def]
        context["build_date_utc"] = self.build_time
        return context

    def on_template_context(self, context, *, template_name: str, config: MkDocsConfig):  # type: ignore[no-untyped-def]
        context["build_date_utc"] = self.build_time  # 404.html, sitemap.xml
        if template_name == "404.html" and not config.site_url:
            _relative_error_page(context, config, self.sections)
        if template_name == "404.html" and self.tracking:
            context["dp_tracking_expired"] = self.w["tracking_expired"]
        return context

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):  # type: ignore[no-untyped-def]
        """A title the site's nav gives a generated page wins, as it does for any page."""
        for title, path in _nav_pages(self.user_nav):
            if title is None:
                continue
            file = files.get_file_from_path(path)
            if file is not None and isinstance(file.page, GeneratedPage):
                file.page.title = title
        return nav

    def on_env(self, env, *, config: MkDocsConfig, files: Files):  # type: ignore[no-untyped-def]
        """The diagram files were listed so that links to them check out; they are still
        being drawn, and are written after the pages (on_post_build), not copied now."""
        self.sections = site_sections(files, _GENERATED_SECTIONS)  # for the error page (404.html)
        for file in self.diagram_files:
            if files.get_file_from_path(file.src_uri) is file:  # not replaced by another plugin meanwhile
                files.remove(file)
        if self.live:
            env = self._theme_environment(env, config)
        env.globals["dp_menu"] = InactiveMenu(env, config)  # the menu once per build (render/menu.py)
        index = getattr(_search_plugin(config), "search_index", None)
        if isinstance(index, PageOnceIndex):  # a dirty build keeps the entries of the pages it skips
            index.site_pages = {f.url for f in files.documentation_pages()}
        return env

    def _theme_environment(self, env: Any, config: MkDocsConfig) -> Any:
        """While serving, the theme's templates of the last build, compiled (MkDocs makes and
        compiles them anew for every build). A dirty build comes only after a change to the
        decisions alone (cli/serve.py), so the templates are the ones of the last build."""
        signature = (tuple(config.theme.dirs), str(config.theme.locale))
        if self.dirty and self.theme_env is not None and self.theme_env[0] == signature:
            return self.theme_env[1]
        self.theme_env = (signature, env)
        return env

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """The front matter a generated page would have, had it Markdown to carry it (_page_meta)."""
        if isinstance(page, GeneratedPage):
            page.meta.update(self.page_meta.get(page.file.src_uri, {}))
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri == HOME_URI and self.home_extra and not isinstance(page, GeneratedPage):
            catalogue = _with_free_ids(self.home_extra, set(page.present_anchor_ids or ()))
            html = html.rstrip() + "\n" + catalogue.html
            _extend_toc(page, catalogue.headings, _toc_levels(config))
            page.present_anchor_ids = set(page.present_anchor_ids or ()) | {h.id for h in catalogue.headings}
        if self.live:  # the errors banner goes in after search indexing (on_post_page), so
            # the index, and the pages' entries kept for it, stay as they are while a file is broken
            html = ERRORS_SLOT + "\n" + html
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put the large raw HTML (diagram, calculator) in its slot, after search indexing,
        which need not parse it: that keeps big sites fast to build."""
        if self.live:
            output = output.replace(ERRORS_SLOT, self._errors_banner(), 1)
        if not isinstance(page, GeneratedPage):
            return output
        planned = page.planned
        for slot, block in planned.blocks.items():
            output = output.replace(slot, block, 1)
        if planned.diagram is not None:
            output = output.replace(DIAGRAM_SLOT, _diagram_box(self._svg(planned.diagram), self.w), 1)
        return output

    def _errors_banner(self) -> str:
        """While serving, the errors in the decisions, on top of every page (between its
        markers, empty when there are none)."""
        errors = [f.to_text() for f in self.findings if f.is_error]
        if self.banner is None or self.banner[0] != errors:
            shown = self.renderer.render("errors.html", errors=errors).strip() if errors else ""
            self.banner = (errors, _BANNER[0] + shown + _BANNER[1])
        return self.banner[1]

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        """No sitemap without site_url: a sitemap lists absolute addresses, so MkDocs writes an
        empty one; returning nothing makes MkDocs skip the file (and its .gz) altogether."""
        if template_name == "sitemap.xml" and not config.site_url:
            return ""
        return output_content

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Each diagram also as a file of its own (diagrams/ID.svg), to open or download."""
        mend_search_worker(config.site_dir)
        if self.dirty:  # the pages this build left alone: the banner of this build
            banner = self._errors_banner()
            if banner != self.last_banner:
                _banner_everywhere(config.site_dir, banner)
        if self.live:
            self.last_banner = self._errors_banner()
        index = getattr(_search_plugin(config), "search_index", None)
        # Kept when it changed, and never from a dirty build: that indexed only some pages.
        if self.search_key and isinstance(index, PageOnceIndex) and not self.dirty and index.changed():
            cache.write("search", self.search_key, IndexedPages(index.kept, index.runs))
        share_sitemap_with_alternates(config)
        self._write_tracking(config)
        if self.svgs is None:
            return
        written = {}
        for decision_id in sorted(self.svgs.keys):
            written[decision_id] = self.svgs.keys[decision_id]
            if self.dirty and self.served_svgs.get(decision_id) == written[decision_id]:
                continue  # the file from the last build is this one
            write_file(
                self._svg(decision_id).encode("utf-8"), os.path.join(config.site_dir, "diagrams", f"{decision_id}.svg")
            )
        if self.live:
            self.served_svgs = written

    def _write_tracking(self, config: MkDocsConfig) -> None:
        """Tracking pages go in after MkDocs is done: they are no page of its, so no
        sitemap, search index, navigation or feed can list them."""
        secret = tracking_secret()
        if not self.tracking or secret is None:
            return
        env = environment(config.theme.custom_dir)
        for path, data in tracking_files(self.tracking, secret, env, self.w):
            write_file(data, os.path.join(config.site_dir, path))

    def on_build_error(self, *, error: Exception) -> None:
        if self.svgs is not None:
            self.svgs.cancel()

    def _svg(self, decision_id: str) -> str:
        if self.svgs is None:  # on_post_page runs only after on_env started the drawing
            raise PluginError("decision-paths: diagrams were asked for before they were started")
        try:
            return self.svgs.get(decision_id)
        except DiagramError as err:
            raise PluginError(f"decision-paths: {err}") from None

    def on_serve(self, server, *, config: MkDocsConfig, builder):  # type: ignore[no-untyped-def]
        server.watch(os.path.abspath(self.decisions_dir(config)))
        return server


def _diagram_box(svg: str, w: Mapping[str, str]) -> str:
    """A diagram at its natural size (a wide one scrolls in its box), with the button that
    opens it full size; the button shows once decision-paths-diagram.js runs, and gives it
    the dialog's words in the page's language."""

    def say(key: str) -> str:
        return html.escape(w[key], quote=True)

    button = (
        f'<button type="button" class="dp-diagram-enlarge" hidden aria-label="{say("diagram_enlarge")}"'
        f' data-dp-close="{say("diagram_close")}" data-dp-zoom-in="{say("diagram_zoom_in")}"'
        f' data-dp-zoom-out="{say("diagram_zoom_out")}" data-dp-zoom-reset="{say("diagram_zoom_reset")}"'
        f' data-dp-hint="{say("diagram_hint")}">{say("diagram_enlarge_short")}</button>'
    )
    return (
        f'<div class="dp-diagram" data-search-exclude>\n{button}\n<div class="dp-diagram-scroll">\n{svg}</div>\n</div>'
    )


# Material's search cuts a Chinese query into the words of its index, but never lets a word
# reach the query's last character (its loop stops one short), so "财务总监" is searched as
# "财务" and the finance manager's page comes before the finance controller's. The one
# comparison, as the minified worker writes it; a Material without the slip is left as it is.
_SEGMENT_LOOP = re.compile(
    r"(new Uint16Array\((\w+)\.length\);for\(let (\w+)=0;\3<\2\.length;\3\+\+\)for\(let (\w+)=\3\+1;\4)<(\2\.length;)"
)


def share_sitemap_with_alternates(config: MkDocsConfig) -> None:
    """Material's language switcher reads the sitemap of the language it goes to
    (ALTERNATE/sitemap.xml) to find the same page there. The languages of this site are
    folders of one site with one sitemap: each alternate folder gets a copy of it."""
    sitemap = Path(config.site_dir, "sitemap.xml")
    if not sitemap.is_file():
        return
    for alternate in config.extra.get("alternate") or ():
        link = str(alternate.get("link", "")) if isinstance(alternate, dict) else ""
        folder = link.strip("/")
        if not folder or "://" in link or link.startswith("/") or ".." in folder.split("/"):
            continue  # the root itself, or another site
        target = Path(config.site_dir, folder)
        if target.is_dir() and not (target / "sitemap.xml").exists():
            (target / "sitemap.xml").write_bytes(sitemap.read_bytes())


def mend_search_worker(site_dir: str) -> bool:
    """Let Material's search segment a Chinese query up to its last character (see
    _SEGMENT_LOOP). True when the built site's search worker was mended."""
    mended = False
    for worker in sorted(Path(site_dir, "assets", "javascripts", "workers").glob("search.*.js")):
        code = worker.read_text(encoding="utf-8")
        fixed, count = _SEGMENT_LOOP.subn(r"\1<=\5", code)
        if count == 1:
            worker.write_text(fixed, encoding="utf-8")
            mended = True
    return mended


class GeneratedPage(Page):
    """A page the plan wrote as finished HTML: MkDocs lays it out in the theme like any
    page, but never runs Markdown over it (on a large site that was most of the build)."""

    def __init__(self, planned: RenderedPage, file: File, config: MkDocsConfig) -> None:
        super().__init__(None, file, config)
        self.planned = planned

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown, self.meta = "", {}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = self.planned.html
        self.toc = get_toc(_toc_tokens(self.planned.headings, _toc_levels(config)))
        self._title_from_render = html.escape(self.planned.title, quote=False)
        self.present_anchor_ids = set(_ANCHOR_ID.findall(self.planned.html))


@dataclasses.dataclass(frozen=True, slots=True)
class KnownDiagrams:
    """The DOT sources of a build, by a digest of what each was made from."""

    dots: dict[str, str]


class _GeneratedFile(File):
    """A generated page's file that a dirty build (while serving) skips when the page is
    as it was: MkDocs otherwise takes every generated file for modified."""

    changed = True

    @classmethod
    def made(cls, config: MkDocsConfig, src_uri: str, content: str, changed: bool) -> _GeneratedFile:
        file = cls.generated(config, src_uri, content=content)
        assert isinstance(file, cls)  # noqa: S101 - File.generated makes an instance of cls
        file.changed = changed
        return file

    def is_modified(self) -> bool:
        return self.changed


def _search_plugin(config: MkDocsConfig) -> Any:
    """The site's search plugin (Material's, or MkDocs' own), or None."""
    return config.plugins.get("material/search") or config.plugins.get("search")


def _fingerprint(planned: RenderedPage, dot: str | None) -> str:
    """What a generated page is made of: its HTML and blocks, its diagram. (Not the errors
    banner: a page left alone gets the new one in place, _banner_everywhere. Not the menu:
    while serving, another page's menu shows an edited title once that page is built again;
    the page being edited shows it at once.)"""
    digest = hashlib.sha256(codec.canonical((planned, dot)))
    return digest.hexdigest()


_ANCHOR_ID = re.compile(r'<[a-z0-9]+ id="([^"]+)"')
# While serving: where the errors banner goes, and what it sits between on a built page.
ERRORS_SLOT = "<!-- decision-paths:errors -->"
_BANNER = ("<!-- decision-paths:errors:start -->", "<!-- decision-paths:errors:end -->")
_BANNER_AT = re.compile(re.escape(_BANNER[0].encode()) + b".*?" + re.escape(_BANNER[1].encode()), re.S)


def _banner_everywhere(site_dir: str, banner: str) -> None:
    """The errors banner, in place, on every page of the site (a dirty build leaves most
    pages as they were, and a page is cheaper to mend than to build again)."""
    shown = banner.encode("utf-8")
    for path in Path(site_dir).rglob("*.html"):
        page = path.read_bytes()
        mended = _BANNER_AT.sub(lambda _: shown, page, count=1)
        if mended != page:
            path.write_bytes(mended)


_TAG = re.compile(r"<[^>]*>")


def _nav_pages(nav: list) -> Iterator[tuple[str | None, str]]:  # type: ignore[type-arg]
    """(title or None, page path) for each page a nav setting lists."""
    for item in nav:
        if isinstance(item, str):
            yield None, item
        elif isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    yield str(title), value
                elif isinstance(value, list):
                    yield from _nav_pages(value)
        elif isinstance(item, list):
            yield from _nav_pages(item)


def _escaped(nav: list[Any]) -> list[Any]:
    """The nav with its titles escaped: the theme writes menu titles as HTML."""
    out: list[Any] = []
    for item in nav:
        if isinstance(item, dict):
            out.append({html.escape(str(k)): _escaped(v) if isinstance(v, list) else v for k, v in item.items()})
        else:
            out.append(item)
    return out


def _without(nav: list[Any], listed: set[str]) -> list[Any]:
    """``nav`` without the pages in ``listed``, and without sections left empty."""
    kept: list[Any] = []
    for item in nav:
        if isinstance(item, str):
            if item not in listed:
                kept.append(item)
        elif isinstance(item, dict):
            entry: dict[str, Any] = {}
            for title, value in item.items():
                if isinstance(value, str) and value not in listed:
                    entry[title] = value
                elif isinstance(value, list) and (inner := _without(value, listed)):
                    entry[title] = inner
            if entry:
                kept.append(entry)
    return kept


def _toc_tokens(headings: Sequence[Heading], levels: tuple[int, int] = (1, 6)) -> list[_TocToken]:
    """Headings nested by level, as Python-Markdown's `toc` extension hands them to MkDocs
    (only the ``levels`` it is set to list)."""
    tokens: list[_TocToken] = []
    open_: list[_TocToken] = []
    for heading in headings:
        if not levels[0] <= heading.level <= levels[1]:
            continue
        token: _TocToken = {
            "level": heading.level,
            "id": heading.id,
            "name": _TAG.sub("", heading.html),
            "children": [],
        }
        while open_ and open_[-1]["level"] >= heading.level:
            open_.pop()
        (open_[-1]["children"] if open_ else tokens).append(token)
        open_.append(token)
    return tokens


def _extend_toc(page: Page, headings: Sequence[Heading], levels: tuple[int, int]) -> None:
    """Add the catalogue's headings to the table of contents of the user's own home page."""
    items = get_toc(_toc_tokens(headings, levels)).items
    for item in items:
        item.active = False  # type: ignore[attr-defined]
    toc = page.toc.items if hasattr(page.toc, "items") else list(page.toc)
    parent: list[AnchorLink] = toc[0].children if len(toc) == 1 and toc[0].level == 1 else toc
    parent.extend(items)


def _permalink(config: MkDocsConfig) -> tuple[str, str, str] | None:
    """The heading permalink as the site's `toc` extension is set to write it."""
    toc = config.mdx_configs.get("toc", {})
    mark = toc.get("permalink")
    if not mark:
        return None
    text = "&para;" if mark is True else re.sub(r"&(?!#?\w+;)", "&amp;", str(mark)).replace("<", "&lt;")
    return text, str(toc.get("permalink_title", "Permanent link")), str(toc.get("permalink_class", "headerlink"))


def _toc_levels(config: MkDocsConfig) -> tuple[int, int]:
    """The heading levels the site's `toc` extension lists (its toc_depth: 3, or '2-4')."""
    depth = config.mdx_configs.get("toc", {}).get("toc_depth", 6)
    try:
        if isinstance(depth, str) and "-" in depth:
            top, bottom = (int(part) for part in depth.split("-", 1))
            return top, bottom
        return 1, int(depth)
    except ValueError:
        return 1, 6


def _with_free_ids(part: RenderedPage, taken: set[str]) -> RenderedPage:
    """``part`` with each heading id that ``taken`` already holds renamed (decisions -> decisions-2):
    the catalogue goes under a page the user wrote, whose own headings keep their ids."""
    html, headings = part.html, []
    used = set(taken) | {h.id for h in part.headings}
    for heading in part.headings:
        if heading.id in taken:
            n = 2
            while f"{heading.id}-{n}" in used:
                n += 1
            new = f"{heading.id}-{n}"
            used.add(new)
            html = html.replace(f' id="{heading.id}"', f' id="{new}"', 1)
            html = html.replace(f'href="#{heading.id}"', f'href="#{new}"', 1)
            heading = dataclasses.replace(heading, id=new)
        headings.append(heading)
    return dataclasses.replace(part, html=html, headings=tuple(headings))


def _page_meta(plan: SitePlan) -> dict[str, dict[str, Any]]:
    """Front matter for generated pages: the matrix, the overdue list and promises kept take the
    width of the table of contents (their wide tables need the room more than a list of headings)."""
    meta: dict[str, dict[str, Any]] = {}
    for wide in (plan.matrix, plan.overdue, plan.promises):
        if wide is not None:
            meta[wide.uri] = {"hide": ["toc"]}
    return meta


# The site's sections, by the first folder of their address: where a missing address (an old
# decision id) usually is. Kept short: the script that names them comes before <meta charset>,
# which must be in a page's first 1024 bytes.
_SECTION = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_SECTIONS_BUDGET = 300  # characters of names
# Where old addresses go missing: ids are addresses.
_GENERATED_SECTIONS = ("decisions", "roles", "people", "reference", "diagrams", "assets", "search")


def site_sections(files: Files, first: Sequence[str] = ()) -> tuple[str, ...]:
    """The top folders of a site's addresses, ``first`` (the generated sections) first, as many
    as fit the budget; and 404.html, the error page's own address."""
    folders = {f.dest_uri.split("/", 1)[0] for f in files if "/" in f.dest_uri}
    ordered = [*(s for s in first if s in folders), *sorted(folders - set(first))]
    kept: list[str] = ["404.html"]
    for name in ordered:
        if _SECTION.fullmatch(name) and sum(len(k) + 3 for k in kept) + len(name) <= _SECTIONS_BUDGET:
            kept.append(name)
    return tuple(kept)


# Without site_url MkDocs links the error page from "/", so a site under a sub-path, or opened
# from its folder, shows it without its styles. Its links are made relative to the site's root
# instead, as for a page at the root: right from the file and for any address one folder deep.
# On a web server the page is served at whatever address was missing; a script finds the site's
# root there (the part before the first of the site's sections: /rules/decisions/old-id/ ->
# /rules/) and sets <base> to it, else the server's root as MkDocs would. Two more lines point
# Material's own script base (search) and storage scope (the palette chosen) at that root.
_FIND_ROOT = (
    "(function(){{var l=location,s=l.pathname.split('/'),k={sections},i=1,b;"
    "if(!/^https?:$/.test(l.protocol))return;for(;i<s.length&&k.indexOf(s[i])<0;i++);"
    "b=document.createElement('base');b.href=i<s.length?s.slice(0,i).join('/')+'/':'/';"
    "document.head.appendChild(b)}})()"
)
_MATERIAL_SCOPE = "__md_scope=new URL('.',document.baseURI)"
_MATERIAL_BASE = (
    "(function(){var c=document.getElementById('__config'),j;if(!c)return;j=JSON.parse(c.textContent);"
    "j.base=new URL(j.base,document.baseURI).href;c.textContent=JSON.stringify(j)})()"
)


def _relative_error_page(context: Any, config: MkDocsConfig, sections: Sequence[str]) -> None:
    context["base_url"] = "."
    context["extra_css"] = [normalize_url(path, None, ".") for path in config.extra_css]
    context["extra_javascript"] = [normalize_url(str(script), None, ".") for script in config.extra_javascript]
    find_root = _FIND_ROOT.format(sections=json.dumps(list(sections), separators=(",", ":")).replace("/", "\\/"))
    context["dp_error_page"] = {
        "find_root": Markup(find_root),  # noqa: S704 - our code; the names are [a-z0-9_-] (site_sections)
        "scope": Markup(_MATERIAL_SCOPE),  # noqa: S704
        "base": Markup(_MATERIAL_BASE),  # noqa: S704
    }


def _add_references(files: Files, config: MkDocsConfig) -> None:
    """The format and command references, generated so they always match this version, in the
    site's language (what the program says in English is tagged so on the page)."""
    language = config.theme.get("language") or "en"
    w = words(language)
    ids = "attr_list" in config.markdown_extensions  # anchors of their own, the same in every language
    _replace(files, File.generated(config, FORMAT_URI, content=format_reference(w, language, heading_ids=ids)))
    _replace(files, File.generated(config, COMMANDS_URI, content=commands_reference(build_parser(), w, language)))


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([os.path.abspath(path), folder]) == folder


def _replace(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)
