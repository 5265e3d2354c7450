"""Each page indexed for search once (render/search.py): the index is the one Material makes.

A page the last build indexed gets the entries Material made of it then; a page that
changed in any way Material reads (its HTML, title, front matter, contents) is indexed
again; each run of Chinese is segmented by jieba once, as Material would, and kept for the
next build.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import SearchIndex
from site_helpers import TODAY, copy_sample, run_cli

from decision_paths.render.search import PageOnceIndex

CONFIG: dict[str, Any] = {"lang": ["zh", "en"], "separator": r"[\s\u200b\-]", "pipeline": ["stopWordFilter"]}


def _page(url: str, content: str, title: str = "退款申请", **meta: Any) -> SimpleNamespace:
    heading = SimpleNamespace(id="who", url="#who", children=[])
    return SimpleNamespace(url=url, title=title, content=content, meta=meta, toc=[heading])


PAGES = [
    _page(
        "decisions/refund/",
        '<h1 id="top">退款申请</h1><p>财务总监李娜审批退款。</p><h2 id="who">谁审批</h2><p>财务总监</p>',
    ),
    _page("people/li-na/", '<h1 id="top">李娜</h1><p>财务总监,负责退款申请的审批。</p>', title="李娜", tags=["财务"]),
    _page("en/", '<h1 id="top">Refunds</h1><p>The <code>finance</code> director approves.</p>', title="Refunds"),
]


def _materials(pages: list[SimpleNamespace]) -> list[dict[str, Any]]:
    index = SearchIndex(**CONFIG)
    for page in pages:
        index.add_entry_from_context(page)
    return list(index.entries)


def test_the_entries_are_materials_own() -> None:
    ours = PageOnceIndex({}, **CONFIG)
    for page in PAGES:
        ours.add_entry_from_context(page)
    assert ours.entries == _materials(PAGES)
    assert any("\u200b李娜\u200b" in e["text"] for e in ours.entries)  # Chinese segmented, as Material does


def test_a_page_seen_before_is_not_parsed_again_and_a_changed_one_is(monkeypatch: pytest.MonkeyPatch) -> None:
    first = PageOnceIndex({}, **CONFIG)
    for page in PAGES:
        first.add_entry_from_context(page)
    parsed: list[str] = []
    material = SearchIndex.add_entry_from_context

    def counting(self: SearchIndex, page: Any) -> None:
        parsed.append(page.url)
        material(self, page)

    monkeypatch.setattr(SearchIndex, "add_entry_from_context", counting)
    changed = [
        PAGES[0],
        _page("people/li-na/", PAGES[1].content.replace("李娜", "王芳"), title="李娜", tags=["财务"]),  # new HTML
        _page("en/", PAGES[2].content, title="Refund policy"),  # a new title only
    ]
    again = PageOnceIndex(first.kept, **CONFIG)
    for page in changed:
        again.add_entry_from_context(page)
    assert parsed == ["people/li-na/", "en/"]
    assert again.entries == _materials(changed)
    assert set(again.kept) != set(first.kept) and len(again.kept) == 3  # only this build's pages are kept


def test_a_run_of_chinese_segmented_in_an_earlier_build_is_not_segmented_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = PageOnceIndex({}, **CONFIG)
    for page in PAGES:
        first.add_entry_from_context(page)
    segmented: list[str] = []
    cut = material_search.jieba.cut

    def counting(text: bytes) -> Any:
        segmented.append(text.decode("utf-8"))
        return cut(text)

    monkeypatch.setattr(material_search.jieba, "cut", counting)
    # the same words in a new order: a new page to index, but no new run of Chinese
    reworded = _page(
        "people/li-na/", '<h1 id="top">李娜</h1><p>负责退款申请的审批。财务总监</p>', title="李娜", tags=["财务"]
    )
    again = PageOnceIndex(first.kept, runs=first.runs, **CONFIG)
    again.add_entry_from_context(reworded)
    assert segmented == [] and again.runs == first.runs
    assert again.entries == _materials([reworded])
    segmented.clear()  # Material's own index above segments everything again
    new_run = _page("en/", '<h1 id="top">Refunds</h1><p>加急退款</p>', title="Refunds")
    again.add_entry_from_context(new_run)
    assert segmented == ["加急退款"] and again.runs.keys() - first.runs.keys() == {"加急退款"}
    assert again.entries[-1:] == _materials([new_run])


@pytest.mark.site
def test_a_site_built_after_an_edit_is_the_site_a_fresh_build_makes(tmp_path: Path) -> None:
    """The search entries, rendered pages and diagrams kept from the last build (only what
    shows the edited decision is made again) give the same bytes as no cache at all."""

    def build(project: Path, cache: Path, out: str) -> Path:
        done = run_cli(
            "build",
            "--audience",
            "all",
            "--out",
            out,
            "--today",
            TODAY,
            cwd=project,
            env={"DECISION_PATHS_CACHE": str(cache), "DECISION_PATHS_TRACKING_SECRET": ""},
        )
        assert done.code == 0, done.err
        return project / out

    project = copy_sample(tmp_path / "project")
    build(project, tmp_path / "cache", "out")
    refund = project / "decisions" / "finance" / "refund-request.yaml"
    text = refund.read_text(encoding="utf-8")
    edited = text.replace("title: ", "title: 加急", 1).replace("财务核对 / Finance check", "财务复核 / Finance review")
    refund.write_text(edited, encoding="utf-8")
    warm = build(project, tmp_path / "cache", "out")
    assert "Finance review" in (warm / "internal" / "diagrams" / "refund-request.svg").read_text("utf-8")
    fresh = build(project, tmp_path / "fresh-cache", "fresh")
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(warm) for p in warm.rglob("*") if p.is_file())
    differ = [str(f) for f in files if (warm / f).read_bytes() != (fresh / f).read_bytes()]
    assert not differ, differ[:10]
    index = json.loads((warm / "internal/search/search_index.json").read_text("utf-8"))
    titles = [d["title"].replace("\u200b", "") for d in index["docs"] if d["location"] == "decisions/refund-request/"]
    assert titles and titles[0].startswith("加急")
    assert "加急" in (warm / "internal/index.html").read_text("utf-8")  # the menu and the catalogue
