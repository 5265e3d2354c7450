"""Building and previewing the site: configuration, the MkDocs plugin, the
diagram cache, live preview and the Chinese search index."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import graphviz
import pytest
from bs4 import BeautifulSoup
from site_helpers import (
    COMMAND,
    REPO,
    TODAY,
    article,
    broken_links,
    copy_sample,
    main_menu,
    menu_labels,
    page,
    page_contents,
    run_cli,
    sample_site,
    search_box,
    site_name,
    text,
)

import decision_paths.render.graphviz
from decision_paths.cli import main

pytestmark = pytest.mark.site

# ---------------------------------------------------------------- configuration


def test_build_in_a_folder_holding_only_decisions(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decisions"]
    done = run_cli("build", "--today", TODAY, cwd=tmp_path, env={"DECISION_PATHS_CACHE": str(tmp_path / "c")})
    assert done.code == 0, done.err
    site = tmp_path / "site" / "internal"  # the default --out
    home = page(site, "")
    assert home.html["lang"] == "zh"
    assert site_name(home) == "Decision Paths"
    assert text(home.title) == "Decision Paths"
    body = article(site, "decisions/out-of-scope-request/")
    assert text(body.find("h1")).removesuffix("¶").strip() == "合同外需求审批"
    assert "环节" in [text(h).removesuffix("¶").strip() for h in body.find_all("h2")]
    assert (site / "search" / "search_index.json").is_file()
    # nothing was written next to the decisions but the site (and the cache we pointed elsewhere)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "decisions", "site"]


USER_CONFIG = """\
site_name: Acme Rules
theme:
  name: material
  language: en
  font: false
nav:
  - policy.md
"""


def test_user_mkdocs_yml_applies(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(USER_CONFIG, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "policy.md").write_text("# Travel policy\n\nBook economy class.\n", encoding="utf-8")
    done = run_cli(
        "build",
        "--audience",
        "internal",
        "--out",
        "out",
        "--today",
        TODAY,
        cwd=tmp_path,
        env={"DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.code == 0, done.err
    site = tmp_path / "out" / "internal"
    home = page(site, "")
    assert home.html["lang"] == "en"
    assert site_name(home) == "Acme Rules"
    assert text(page(site, "policy/").find("h1")).removesuffix("¶").strip() == "Travel policy"
    assert text(page(site, "policy/").title) == "Travel policy - Acme Rules"
    body = article(site, "decisions/out-of-scope-request/")
    headings = [text(h).removesuffix("¶").strip() for h in body.find_all("h2")]
    assert "Stages" in headings and "Diagram" in headings, headings
    assert text(body.find(id="stage-answer").find_parent("tr").find("small")) == "(final)"
    nav_text = menu_labels(home)
    assert "Travel policy" in nav_text and "Approval matrix" in nav_text, nav_text
    assert "Search" in search_box(home).get("placeholder", "")
    assert broken_links(site, [site / "index.html", site / "policy" / "index.html"]) == []


def test_user_mkdocs_yml_without_a_docs_folder(tmp_path: Path) -> None:
    """Renaming the site takes one mkdocs.yml line; pages of one's own (docs/) are optional."""
    copy_sample(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: Acme Rules\n", encoding="utf-8")
    done = run_cli(
        "build",
        "--audience",
        "internal",
        "--out",
        "out",
        "--today",
        TODAY,
        cwd=tmp_path,
        env={"DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.code == 0, f"exit {done.code}: {done.out}{done.err}"
    site = tmp_path / "out" / "internal"
    assert site_name(page(site, "")) == "Acme Rules"
    assert (site / "decisions" / "out-of-scope-request" / "index.html").is_file()


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_every_link_works_with_plain_html_file_urls(tmp_path: Path, audience: str) -> None:
    """use_directory_urls: false (pages as x.html, for servers that do not serve folders'
    index.html): every generated link, person and role pages' tables included, still resolves."""
    copy_sample(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: Acme Rules\nuse_directory_urls: false\n", encoding="utf-8")
    done = run_cli(
        "build",
        "--audience",
        audience,
        "--out",
        "out",
        "--today",
        TODAY,
        cwd=tmp_path,
        env={"DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.code == 0, done.err
    site = tmp_path / "out" / audience
    assert (site / "decisions" / "refund-request.html").is_file()
    if audience == "internal":
        assert (site / "people" / "chen-jing.html").is_file() and (site / "roles" / "index.html").is_file()
    assert broken_links(site) == []


def test_a_project_inside_a_hidden_folder_builds_every_decision(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / ".work" / "acme")  # e.g. a checkout under ~/.cache or .ci/
    done = run_cli(
        "build",
        "--today",
        TODAY,
        "--decisions",
        str(root / "decisions"),
        cwd=root,
        env={"DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.code == 0, done.err
    expected = sorted(p.stem for p in (root / "decisions").rglob("[!_]*.yaml"))
    for audience in ("internal", "client"):
        built = sorted(p.name for p in (root / "site" / audience / "decisions").iterdir())
        assert set(built) <= set(expected) and built, audience
    assert sorted(p.name for p in (root / "site" / "internal" / "decisions").iterdir()) == expected


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_an_id_ending_in_index_is_a_page_of_its_own(tmp_path: Path, audience: str) -> None:
    root = copy_sample(tmp_path)
    (root / "decisions" / "finance" / "refund-request.yaml").rename(root / "decisions" / "finance" / "price-index.yaml")
    done = run_cli(
        "build",
        "--audience",
        audience,
        "--out",
        "out",
        "--today",
        TODAY,
        cwd=root,
        env={"DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.code == 0, done.err
    site = root / "out" / audience
    assert (site / "decisions" / "price-index" / "index.html").is_file()
    assert "decisions/price-index/" in {a["href"] for a in article(site, "").find_all("a", href=True)}
    assert broken_links(site) == []


OWN_SETTINGS = """\
site_name: Acme Rules
theme: {name: material, language: en, font: false}
markdown_extensions:
  - toc: {permalink: "#", permalink_class: anchor-mark, toc_depth: 2}
nav:
  - index.md
  - Refund policy: decisions/refund-request.md
  - Everyone: people/index.md
"""
OWN_HOME = """\
# Acme rules

## Decisions

How we decide, in one sentence. The diagram of refunds is [here](decisions/refund-request.md#diagram),
and as a file [to download](diagrams/refund-request.svg).
"""


def test_the_sites_own_settings_apply_to_generated_pages(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(OWN_SETTINGS, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(OWN_HOME, encoding="utf-8")
    done = run_cli(
        "build",
        "--audience",
        "internal",
        "--strict",
        "--out",
        "out",
        "--today",
        TODAY,
        cwd=tmp_path,
        env={"DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.code == 0, done.err  # --strict: the links to a decision's anchor and to its SVG file check out
    # outside git the site has no history: said once, and not taken by --strict for a broken link
    assert done.err.count("not a git repository") == 1 and "DP501" not in done.err
    site = tmp_path / "out" / "internal"
    assert (site / "diagrams" / "refund-request.svg").read_text(encoding="utf-8").startswith("<svg")

    # the nav's title for a generated page wins (over the tool's own name for it, too),
    # and a page the site's nav lists is not listed a second time
    nav = main_menu(page(site, ""))
    labels = menu_labels(page(site, ""))
    assert "Refund policy" in labels and "Everyone" in labels and "People" not in labels, labels
    assert [a["href"] for a in nav.select("a[href]")].count("decisions/refund-request/") == 1
    assert text(page(site, "people/").title) == "Everyone - Acme Rules"
    # toc_depth 2 and the permalink's look, on a generated page with h3 sections
    person = page(site, "people/chen-jing/")
    toc = [href for href, _ in page_contents(person)]
    assert toc and not any(href.startswith("#approves-") for href in toc), toc
    marks = article(site, "people/chen-jing/").select("a.anchor-mark")
    assert marks and all(text(m) == "#" for m in marks) and not person.select("a.headerlink")
    # the catalogue under the user's own home page takes ids the page does not use already
    home = article(site, "")
    ids = [tag["id"] for tag in home.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert heading_text(home.find(id="decisions")) == "Decisions"
    assert heading_text(home.find(id="decisions-2")) == "All decisions"
    assert broken_links(site) == []


def heading_text(node) -> str:  # type: ignore[no-untyped-def]
    return text(node).removesuffix("#").strip()


def test_mkdocs_build_from_the_repository_root_includes_the_decision_pages(tmp_path: Path) -> None:
    out = tmp_path / "mkdocs-site"
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "mkdocs"), "build", "-q", "-d", str(out)],
        cwd=REPO,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    assert done.returncode == 0, done.stderr
    for decision in ("out-of-scope-request", "refund-request", "client-complaint"):
        assert (out / "decisions" / decision / "index.html").is_file(), decision
        assert (out / "diagrams" / f"{decision}.svg").is_file(), decision
    assert (out / "roles" / "finance-controller" / "index.html").is_file()
    assert (out / "people" / "li-na" / "index.html").is_file()
    assert (out / "matrix" / "index.html").is_file()
    body = article(out, "decisions/out-of-scope-request/")
    assert text(body.find("h1")).removesuffix("¶").strip() == "合同外需求审批"
    assert len(body.select(".dp-diagram svg")) == 1
    assert (out / "how-to-read" / "index.html").is_file()  # the hand-written docs too


# ---------------------------------------------------------------- diagram cache


class DotCalls:
    """Counts `dot` runs (graphviz.pipe) and the graphs each ``_run_dot_once`` call (one `dot` process) lays out."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.pipes = 0
        self.batches: list[int] = []
        real_pipe, real_run = graphviz.pipe, decision_paths.render.graphviz._run_dot_once

        def pipe(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.pipes += 1
            return real_pipe(*args, **kwargs)

        def run(sources):  # type: ignore[no-untyped-def]
            self.batches.append(len(sources))
            return real_run(sources)

        monkeypatch.setattr(graphviz, "pipe", pipe)
        monkeypatch.setattr(decision_paths.render.graphviz, "_run_dot_once", run)

    def reset(self) -> None:
        self.pipes, self.batches = 0, []


def build_in_process(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert main(["build", "--audience", "internal", "--out", "out", "--today", TODAY]) == 0


def test_diagrams_are_laid_out_in_one_dot_run_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_sample(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setenv("DECISION_PATHS_CACHE", str(cache))
    calls = DotCalls(monkeypatch)
    decisions = len(list((tmp_path / "decisions").rglob("[!_]*.yaml")))
    assert decisions == 8

    build_in_process(tmp_path, monkeypatch)
    assert calls.batches == [decisions], "every diagram in one batch"
    assert calls.pipes == 1, "one dot process for all diagrams"
    assert len(list((cache / "svg").glob("*.svg"))) == decisions
    first = (tmp_path / "out" / "internal" / "diagrams" / "refund-request.svg").read_bytes()

    calls.reset()
    build_in_process(tmp_path, monkeypatch)
    assert calls.pipes == 0 and calls.batches == [], "an unchanged build must not run dot"
    assert (tmp_path / "out" / "internal" / "diagrams" / "refund-request.svg").read_bytes() == first

    calls.reset()
    changed = tmp_path / "decisions" / "finance" / "refund-request.yaml"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace(
            "title: 财务核对 / Finance check", "title: 财务复核 / Finance double-check"
        ),
        encoding="utf-8",
    )
    build_in_process(tmp_path, monkeypatch)
    assert calls.batches == [1] and calls.pipes == 1, "only the changed decision is laid out again"
    svg = (tmp_path / "out" / "internal" / "diagrams" / "refund-request.svg").read_text(encoding="utf-8")
    assert "Finance double-check" in BeautifulSoup(svg, "html.parser").get_text()
    page_svg = article(tmp_path / "out" / "internal", "decisions/refund-request/").select_one(".dp-diagram svg")
    assert "Finance double-check" in page_svg.get_text()


def test_a_diagram_is_the_same_whether_drawn_alone_or_in_a_batch(tmp_path: Path) -> None:
    import datetime as dt

    from decision_paths.model.audience import SITES
    from decision_paths.model.organisation import Audience
    from decision_paths.model.words import words
    from decision_paths.pipeline import validate_folder
    from decision_paths.plan.pages import PlanOptions, plan_site

    org = validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY)).org
    sources = dict(
        plan_site(org, PlanOptions(dt.date.fromisoformat(TODAY), "zh", words("zh")), SITES[Audience.INTERNAL]).diagrams
    )
    together = decision_paths.render.graphviz.render_svgs(sources, cache_dir=tmp_path / "batch")
    for number, (decision_id, dot) in enumerate(sources.items()):
        alone = decision_paths.render.graphviz.render_svgs({decision_id: dot}, cache_dir=tmp_path / f"alone-{number}")
        assert alone[decision_id] == together[decision_id], decision_id
        graph = BeautifulSoup(alone[decision_id], "html.parser").select_one("g.graph")
        assert graph["id"] == f"dp-graph-{decision_id}"


def test_a_page_gets_its_diagram_without_waiting_for_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from decision_paths.render.graphviz import SvgDrawing

    graph = 'digraph "g{n}" {{ id="dp-graph-g{n}"; a{n} -> b{n} }}'
    sources = {f"g{n}": graph.format(n=n) for n in range(5)}
    release = threading.Event()
    batches: list[list[str]] = []
    real = decision_paths.render.graphviz._run_dot_once

    def slow_after_the_first(batch):  # type: ignore[no-untyped-def]
        batches.append(batch)
        if len(batches) > 1:
            assert release.wait(30), "the test never released the later batches"
        return real(batch)

    monkeypatch.setattr(decision_paths.render.graphviz, "_run_dot_once", slow_after_the_first)
    monkeypatch.setattr(SvgDrawing, "BATCH", 2)
    drawing = SvgDrawing(sources, cache_dir=tmp_path / "cache", workers=1)
    first = drawing.get("g0")  # ready while the second batch is still being drawn
    assert "g0" in first and not release.is_set()
    release.set()
    drawn = drawing.all()
    assert [len(b) for b in batches] == [2, 2, 1], "drawn in batches, in the order given"
    assert drawn == decision_paths.render.graphviz.render_svgs(sources, cache_dir=tmp_path / "other-cache")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        p.name for p in (tmp_path / "other-cache").iterdir()
    ), "each drawn diagram is cached"


# ---------------------------------------------------------------- live preview


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(check, seconds: float, what: str, server: subprocess.Popen) -> str:  # type: ignore[no-untyped-def,type-arg]
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server stopped (exit {server.returncode}) while waiting for {what}"
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


def test_serve_rebuilds_on_save_and_shows_errors_on_the_page(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    url = base + "decisions/out-of-scope-request/"
    source = tmp_path / "decisions" / "sales" / "out-of-scope-request.yaml"
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [str(COMMAND), "serve", "--dev-addr", f"127.0.0.1:{port}", "--today", TODAY],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "DECISION_PATHS_CACHE": str(tmp_path / "c")},
    )
    try:

        def h1() -> str | None:
            body = fetch(url)
            if body is None:
                return None
            found = BeautifulSoup(body, "html.parser").select_one("article h1")
            return text(found).removesuffix("¶").strip() if found else None

        assert wait_for(h1, 30, "the first page", server) == "合同外需求审批"

        source.write_text(
            source.read_text(encoding="utf-8").replace("title: 合同外需求审批", "title: 合同外需求审批(新版)"),
            encoding="utf-8",
        )
        wait_for(lambda: h1() == "合同外需求审批(新版)", 12, "the page to show the edited title", server)

        broken = source.read_text(encoding="utf-8").replace("owner: delivery-director", "owner: [delivery-director")
        source.write_text(broken, encoding="utf-8")
        line = next(n for n, row in enumerate(broken.splitlines(), 1) if row.startswith("owner: ["))  # unclosed

        def banner() -> str | None:
            body = fetch(url)
            if body is None:
                return None
            found = BeautifulSoup(body, "html.parser").select_one(".dp-errors")
            return text(found) if found else None

        shown = wait_for(banner, 12, "the error banner", server)
        # the banner shows the same FILE:LINE:COL finding as `decision-paths validate`
        validate = run_cli("validate", "--today", TODAY, cwd=tmp_path)
        finding = next(row for row in validate.out.splitlines() if ": error: " in row)
        assert re.match(rf"decisions/sales/out-of-scope-request\.yaml:{line + 1}:\d+: error: not valid YAML", finding)
        assert finding in shown, shown
        assert server.poll() is None, "the server stopped on a YAML error"
        other = fetch(base + "decisions/refund-request/")
        assert other is not None and "dp-errors" in other, "every page shows the errors"
        assert fetch(base) is not None
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        log.close()


# ---------------------------------------------------------------- Chinese search


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return sample_site(tmp_path_factory)


def test_search_index_segments_chinese_words(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    assert "\u200b" in separator or "\\u200b" in separator, separator
    assert re.compile(separator).fullmatch("\u200b"), "the separator must split on U+200B"
    word = re.compile(r"(?:^|[\s\u200b>(])李娜(?:[\s\u200b<)]|$)")
    mentions = [d for d in index["docs"] if word.search(d["text"]) or word.search(d["title"])]
    assert mentions, "李娜 is never a separate word in the index"
    assert any(d["location"].startswith("people/li-na/") for d in mentions)
    deadline = next(d for d in index["docs"] if d["location"] == "decisions/deadline-extension/")
    assert "\u200b" in deadline["title"] and deadline["title"].replace("\u200b", "") == "交付期限延期申请"
    # the diagrams are not indexed twice
    assert not any("dp-graph" in d["text"] for d in index["docs"])
