"""The menu drawn once per build (render/menu.py) is the menu Material draws on every page.

Each page's menu is compared, link by link and mark by mark, with the one Material's own
``partials/nav-item.html`` draws for the same site: same entries, same open sections and
current page (with its contents), every link leading to the same page.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from site_helpers import REPO, TODAY, copy_sample, run_cli

from decision_paths.render.menu import ROOT_SLOT

pytestmark = pytest.mark.site

OURS = REPO / "scripts" / "decision_paths" / "render" / "overrides" / "partials" / "nav-item.html"
MATERIALS = Path(__import__("material").__file__).parent / "templates" / "partials" / "nav-item.html"

FEATURES = {
    "the sample's": None,  # mkdocs.yml as it is: navigation.sections
    # with tabs, a second-level section looks different under an open first level
    "tabs, indexes": ["navigation.tabs", "navigation.sections", "navigation.indexes"],
    "pruned": ["navigation.sections", "navigation.prune"],
}


def test_our_menu_entry_is_materials_but_for_the_entries_drawn_once() -> None:
    """An upgrade of Material that changes its nav-item.html shows here, not as a subtly
    different menu: our copy must be Material's file with exactly the documented change."""
    ours = OURS.read_text(encoding="utf-8")
    materials = MATERIALS.read_text(encoding="utf-8")
    header = re.match(r"\{#-.*?-#\}\n", ours, re.S)
    assert header is not None and "render/menu.py" in header.group(0)
    changed = re.compile(
        r"\{% if item\.active or not \(dp_menu_root \| default\(false\)\) %\}\s*"
        r'(\{\{ render\(item, path ~ "_" ~ loop\.index, level \+ 1, nav_item\) \}\})\s*'
        r"\{% else %\}\s*\{\{ dp_menu\.inactive\([^}]*\) \}\}\s*\{% endif %\}"
    )
    assert len(changed.findall(ours)) == 1
    as_material = changed.sub(lambda m: m.group(1), ours[header.end() :])
    generated = "{#-\n  This file was automatically generated - do not edit\n-#}\n"
    assert as_material == materials.removeprefix(generated)


_NAV_TAG = re.compile(r"<(/?)nav\b")
_PRIMARY = re.compile(r'<nav\b[^>]*\bclass="[^"]*\bmd-nav--primary\b')


def _primary_nav(page: str) -> str:
    """The page's main menu element as text, up to its own closing tag (menus nest): parsing
    only it, not the whole page, takes a third off the test's time."""
    found = _PRIMARY.search(page)
    if found is None:
        return ""
    start = found.start()
    depth = 0
    for tag in _NAV_TAG.finditer(page, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return page[start : page.index(">", tag.end()) + 1]
    return page[start:]


def _menu(path: Path, site: Path) -> list[str]:
    """The page's main menu as lines: every tag with its attributes, every link resolved
    against the page's own address (so "../x/" and "../../decisions/x/" are one link)."""
    tree = BeautifulSoup(_primary_nav(path.read_text(encoding="utf-8")), "html.parser")
    menu = tree.select_one("nav.md-nav--primary")
    assert menu is not None, path
    here = "http://site/" + path.relative_to(site).parent.as_posix().removeprefix(".") + "/"
    lines = []
    for tag in menu.find_all(True):
        attributes = dict(tag.attrs)
        if "href" in attributes:
            attributes["href"] = urljoin(here, attributes["href"])
        classes = " ".join(attributes.pop("class", []))
        own_text = " ".join(s.strip() for s in tag.find_all(string=True, recursive=False) if s.strip())
        lines.append(f"{tag.name} .{classes} {sorted(attributes.items())} {own_text}")
    return lines


def _project(root: Path, features: list[str] | None, materials_menu: bool) -> Path:
    project = copy_sample(root)
    shutil.copytree(REPO / "docs", project / "docs")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    if features is not None:
        config = re.sub(r"  features:\n(    - .*\n)+", "  features: [" + ", ".join(features) + "]\n", config)
        assert all(f in config for f in features)
    if materials_menu:  # a site's own nav-item.html wins over ours: Material's, untouched
        (project / "theme" / "partials").mkdir(parents=True)
        shutil.copy(MATERIALS, project / "theme" / "partials" / "nav-item.html")
        config = config.replace("theme:\n  name: material\n", "theme:\n  name: material\n  custom_dir: theme\n")
        assert "custom_dir: theme" in config
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project


@pytest.mark.parametrize("features", FEATURES.values(), ids=FEATURES.keys())
def test_every_page_has_materials_own_menu(tmp_path: Path, features: list[str] | None) -> None:
    sites = {}
    for name, materials_menu in (("ours", False), ("materials", True)):
        project = _project(tmp_path / name, features, materials_menu)
        done = run_cli(
            "build",
            "--audience",
            "all",
            "--out",
            "out",
            "--today",
            TODAY,
            cwd=project,
            env={"DECISION_PATHS_CACHE": str(tmp_path / f"cache-{name}"), "DECISION_PATHS_TRACKING_SECRET": ""},
        )
        assert done.code == 0, done.err
        sites[name] = project / "out"
    pages = sorted(p.relative_to(sites["ours"]) for p in sites["ours"].rglob("*.html"))
    assert len(pages) > 50 and Path("internal/404.html") in pages and Path("client/index.html") in pages
    differ = [
        str(p)
        for p in pages
        if _menu(sites["ours"] / p, sites["ours"] / p.parts[0])
        != _menu(sites["materials"] / p, sites["materials"] / p.parts[0])
    ]
    assert not differ, f"{len(differ)} pages have another menu than Material's, first {differ[:5]}"
    # the open page's own entry is marked, with its contents, on a page in a closed-by-default category
    decision = BeautifulSoup(
        (sites["ours"] / "internal" / "decisions" / "refund-request" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    current = decision.select("nav.md-nav--primary a.md-nav__link--active")
    assert [a.get("href") for a in current] == ["./"]
    # the slot for the way to the root is filled in everywhere
    leftovers = [p for p in sites["ours"].rglob("*.html") if ROOT_SLOT in p.read_text(encoding="utf-8")]
    assert not leftovers
