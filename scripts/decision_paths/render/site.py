"""Build one audience's site with MkDocs into a fresh folder, then swap it in.

The site's configuration is the user's mkdocs.yml (mkdocs.client.yml for
clients, when there is one) or the built-in one; the plugin in it gets the
pipeline through its config. ``store.files`` makes the swap atomic.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jieba
import yaml
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException
from mkdocs.utils.yaml import yaml_load

from decision_paths.checks import BROKEN_LINK
from decision_paths.model.audience import SITES
from decision_paths.model.findings import Finding, Loc
from decision_paths.model.organisation import Audience
from decision_paths.pipeline.sites import Pipeline
from decision_paths.render.mkdocs_plugin import DecisionPathsPlugin
from decision_paths.store.files import MARKER, BuildError, replaced_atomically

PLUGIN = "decision-paths"

# The built-in site configuration for a folder that holds only decisions/.
DEFAULT_CONFIG = r"""
site_name: Decision Paths
theme:
  name: material
  language: zh
  font: false
  features: [navigation.sections, search.suggest, search.highlight]
  palette:  # follows the system's light or dark setting until the reader picks one
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/weather-night, name: 切换到深色模式}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/weather-sunny, name: 切换到浅色模式}
plugins:
  - search:
      lang: [zh, en]
      separator: '[\s\u200b\-]'
      pipeline: [stopWordFilter]  # no stemmer: typed words are matched as prefixes, unstemmed
  - decision-paths
markdown_extensions: [tables, admonition, attr_list, md_in_html, {toc: {permalink: true}}]
"""


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collected_warnings() -> Iterator[list[str]]:
    collector = _WarningCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


_LINK_WARNING = re.compile(
    r"Doc file '(?P<page>[^']+)' contains (?:a link|an unrecognized relative link) "
    r"'(?P<link>[^']+)'"
)


def link_finding(message: str, docs_dir: str) -> Finding:
    """A MkDocs strict-mode warning as a finding: at the line of the link when the page is one of ours."""
    match = _LINK_WARNING.search(message)
    if not match:
        return BROKEN_LINK.at(Loc("mkdocs.yml"), message)
    path = Path(docs_dir, match["page"])
    loc = Loc(str(path))
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            column = line.find(match["link"])
            if column >= 0:
                loc = Loc(str(path), number, column + 1)
                break
    reason = re.sub(r"^but ", "", message.split(",", 1)[-1].strip())
    return BROKEN_LINK.at(loc, f"link '{match['link']}' leads nowhere: {reason}")


def quiet_third_parties() -> None:
    """Keep the terminal for findings: no jieba start-up chatter. (Material's MkDocs 2
    banner shows only under the `mkdocs` command itself.)"""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.setLogLevel(logging.WARNING)


def load_site_config(
    pipeline: Pipeline,
    *,
    site_dir: str,
    audience: Audience = Audience.INTERNAL,
    config_file: str | None = None,
    live: bool = False,
    report_findings: bool = True,
) -> MkDocsConfig:
    """The audience's configuration (or the built-in one), with the decision-paths plugin set up
    to build from ``pipeline``."""
    if config_file is None:
        config_file = next((name for name in SITES[audience].config_files if os.path.isfile(name)), None)
    if config_file is not None:
        config = _load_user_config(config_file, site_dir)
    else:
        docs = os.path.abspath("docs") if os.path.isdir("docs") else _empty_docs_dir()
        config = load_config(config_file=io.StringIO(DEFAULT_CONFIG), site_dir=site_dir, docs_dir=docs)
    plugin = config.plugins.get(PLUGIN)
    if not isinstance(plugin, DecisionPathsPlugin):  # another plugin registered under our name
        raise BuildError(f"the plugin named '{PLUGIN}' in the configuration is not Decision Paths")
    plugin.config.decisions = os.path.abspath(pipeline.folder)
    plugin.config.audience = audience.value
    plugin.config.today = pipeline.today.isoformat()
    plugin.config.history = pipeline.with_history
    plugin.config.live = live
    plugin.config.report_findings = report_findings
    plugin.config.pipeline = pipeline
    return config


def _load_user_config(config_file: str, site_dir: str) -> MkDocsConfig:
    """The user's configuration; pages in docs/ are optional, so a missing docs folder is an empty one."""
    overrides: dict[str, Any] = {}
    with contextlib.suppress(Exception):  # MkDocs itself reports a configuration it cannot read
        with open(config_file, encoding="utf-8") as handle:
            settings = yaml_load(handle) or {}
        docs_dir = Path(config_file).parent / str(settings.get("docs_dir", "docs"))
        if not docs_dir.is_dir():
            overrides["docs_dir"] = _empty_docs_dir()
        if "theme" not in settings:  # the pages are made for Material: use the built-in theme settings
            overrides["theme"] = yaml.safe_load(DEFAULT_CONFIG)["theme"]
        plugins = settings.get("plugins", ["search"])  # MkDocs' own default
        if isinstance(plugins, list) and PLUGIN not in {
            p if isinstance(p, str) else next(iter(p), "") for p in plugins
        }:
            # Not listed: add it as if it were, so MkDocs loads it (and keeps it between rebuilds).
            overrides["plugins"] = [*plugins, PLUGIN]
    try:
        return load_config(config_file=config_file, site_dir=site_dir, **overrides)
    except (ConfigurationError, Abort) as err:
        raise BuildError(f"{config_file}: {err}") from None


def _empty_docs_dir() -> str:
    folder = Path(tempfile.gettempdir()) / "decision-paths-empty-docs"
    folder.mkdir(exist_ok=True)
    return str(folder)


def build_site(
    pipeline: Pipeline,
    *,
    out: str,
    audience: Audience,
    config_file: str | None = None,
    strict: bool = False,
) -> Path:
    """Build one audience's site into OUT/AUDIENCE, replacing the previous one only when done.
    The caller has shown ``pipeline``'s findings.

    With ``strict``, a broken link or missing page fails the build (MkDocs strict
    mode) and each one is reported as a finding.
    """
    quiet_third_parties()
    target = Path(out) / audience.value
    with replaced_atomically(target) as building:
        config = load_site_config(
            pipeline, site_dir=str(building), audience=audience, config_file=config_file, report_findings=False
        )
        config.strict = strict
        with _collected_warnings() as warnings:
            try:
                mkdocs_build.build(config)
            except MkDocsException as err:
                found = [link_finding(message, config.docs_dir) for message in warnings]
                raise BuildError(str(err), tuple(found)) from None
        (building / MARKER).write_text("built by decision-paths; replaced whole on each build\n", encoding="utf-8")
    return target
