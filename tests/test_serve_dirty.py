"""While serving, a save rebuilds only the pages whose content changed (cli/serve.py).

The builds here are the ones `decision-paths serve` makes, in this process: the first in
full, each later one dirty. The page being edited and every page showing the change are
built again; the others are left as they are, and search still finds every page.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import TODAY, copy_sample

from decision_paths.cli.serve import Preview
from decision_paths.model.organisation import Audience
from decision_paths.pipeline.sites import Pipeline
from decision_paths.render.site import build_site

pytestmark = pytest.mark.site


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample decisions, the working folder, with a cache of its own."""
    folder = copy_sample(tmp_path / "project")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(tmp_path / "cache"))
    return folder


def _preview(project: Path, site: Path, config_file: str | None = None) -> Preview:
    return Preview(
        decisions=str(project / "decisions"),
        today=dt.date.fromisoformat(TODAY),
        config_file=config_file,
        site_dir=str(site),
        url="http://127.0.0.1:8000/",
    )


def _locations(site: Path) -> set[str]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return {doc["location"].split("#")[0] for doc in index["docs"]}


def test_a_save_rebuilds_the_pages_that_show_the_change_and_no_other(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    preview = _preview(project, site)
    preview.build()
    pages = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    found = _locations(site)
    edited = site / "decisions" / "refund-request" / "index.html"
    untouched = site / "decisions" / "contract-renewal" / "index.html"
    diagram = site / "diagrams" / "contract-renewal.svg"
    diagram_time = diagram.stat().st_mtime_ns
    assert edited in pages and untouched in pages

    source = project / "decisions" / "finance" / "refund-request.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("title: ", "title: 加急", 1), encoding="utf-8")
    preview.build()

    assert "加急" in edited.read_text(encoding="utf-8")
    rebuilt = {p for p, before in pages.items() if p.stat().st_mtime_ns != before}
    assert edited in rebuilt and site / "index.html" in rebuilt  # the home page lists every decision
    assert untouched not in rebuilt and diagram.stat().st_mtime_ns == diagram_time
    assert len(rebuilt) < len(pages) / 2, f"{len(rebuilt)} of {len(pages)} pages built again"
    assert _locations(site) == found  # search still has every page
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = [d["title"].replace("\u200b", "") for d in index["docs"] if d["location"] == "decisions/refund-request/"]
    assert titles and titles[0].startswith("加急")


def test_an_edited_theme_override_is_on_every_page_at_the_next_build(project: Path, tmp_path: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "site_name: T\ntheme: {name: material, language: zh, custom_dir: theme}\nplugins: [search, decision-paths]\n",
        encoding="utf-8",
    )
    copyright = project / "theme" / "partials" / "copyright.html"
    copyright.parent.mkdir(parents=True)
    copyright.write_text("<p>marker one</p>", encoding="utf-8")
    site = tmp_path / "site"
    preview = _preview(project, site, config_file="mkdocs.yml")
    preview.build()
    untouched = site / "decisions" / "contract-renewal" / "index.html"
    assert "marker one" in untouched.read_text(encoding="utf-8")
    copyright.write_text("<p>marker two</p>", encoding="utf-8")
    preview.build()
    assert "marker two" in untouched.read_text(encoding="utf-8")


def test_a_broken_file_shows_its_finding_on_every_page_and_goes_when_mended(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    preview = _preview(project, site)
    preview.build()
    other = site / "decisions" / "contract-renewal" / "index.html"
    assert "dp-errors" not in other.read_text(encoding="utf-8")

    source = project / "decisions" / "finance" / "refund-request.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("title: ", "title: [unclosed ", 1), encoding="utf-8")
    preview.build()
    for page in (other, site / "decisions" / "refund-request" / "index.html", site / "index.html"):
        shown = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(".dp-errors")
        assert shown is not None and "decisions/finance/refund-request.yaml:" in shown.get_text(), page
        assert "not valid YAML" in shown.get_text()

    source.write_text(text, encoding="utf-8")
    preview.build()
    assert all("dp-errors" not in p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


def test_a_build_after_a_preview_in_the_same_process_is_a_full_one(project: Path, tmp_path: Path) -> None:
    """MkDocs keeps the plugin object for the whole process: what a preview's dirty builds
    remember must not make a later build leave anything out."""
    preview = _preview(project, tmp_path / "site")
    preview.build()
    preview.build()
    pipeline = Pipeline("decisions", dt.date.fromisoformat(TODAY), fixed_today=True)
    built = build_site(pipeline, out=str(tmp_path / "out"), audience=Audience.INTERNAL)
    decisions = sorted(p.stem for p in (project / "decisions").rglob("*.yaml") if not p.name.startswith("_"))
    assert sorted(p.stem for p in (built / "diagrams").glob("*.svg")) == decisions
    assert all((built / "decisions" / d / "index.html").exists() for d in decisions)


def test_a_changed_stage_is_in_the_diagram_at_the_next_preview_build(project: Path, tmp_path: Path) -> None:
    """The diagrams of the last build are reused by what they were made from: a decision
    that changed is laid out again, and its diagram file and page show the change."""
    site = tmp_path / "site"
    preview = _preview(project, site)
    preview.build()
    source = project / "decisions" / "finance" / "refund-request.yaml"
    text = source.read_text(encoding="utf-8")
    assert "title: 财务核对 / Finance check" in text
    source.write_text(text.replace("财务核对 / Finance check", "财务复核 / Finance review"), encoding="utf-8")
    preview.build()
    assert "Finance review" in (site / "diagrams" / "refund-request.svg").read_text(encoding="utf-8")
    page = (site / "decisions" / "refund-request" / "index.html").read_text(encoding="utf-8")
    start = page.index("<svg", page.index('class="dp-diagram"'))
    svg = page[start : page.index("</svg>", start)]
    assert "Finance review" in svg and "Finance check" not in svg
