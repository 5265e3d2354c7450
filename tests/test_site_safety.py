"""What the built site must never do: run or show markup written in a field,
reach third-party hosts, differ between two builds of the same input, or
leave a broken or half-written site behind."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import DECISION, SHARED
from site_helpers import (
    REPO,
    TODAY,
    all_files,
    article,
    build_cli,
    copy_sample,
    html_pages,
    page,
    run_cli,
    sample_site,
    site_name,
    text,
    write_org,
)

from decision_paths.cli import main
from decision_paths.store.files import MARKER

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("site_safety")]

BASE = 'A "quoted" <b>x</b> {y} | z \\N'
HOSTILE = [
    BASE,
    # a field that starts with a tag (an HTML block to Markdown), then every kind of active content
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) " + BASE,
    'Heading {: #evil onclick="alert(1)" }',  # attr_list syntax at the end of a heading
    'a"]; evil -> stage-answer; x [label="b\\l\\G',  # DOT syntax and Graphviz escapes
    "*emph* `code` # not a heading | cell | <!-- c --> &amp; ' \\",
    "</title><script>alert(1)</script><title> </script><style>*{}</style> ]]> --> {{ config }} {% if 1 %}",
]


def q(value: str) -> str:
    """A YAML scalar (JSON is YAML) that reads back as exactly ``value``."""
    return json.dumps(value, ensure_ascii=False)


def hostile_org(root: Path, hostile: str) -> Path:
    return write_org(
        root,
        {
            "_org.yaml": f"""\
            people:
              li-na: {{name: {q(hostile)}, email: li.na@example.com}}
              wang-wei: {{name: 王伟}}
            roles:
              account-manager: {{title: {q(hostile)}, held_by: [li-na]}}
              delivery-lead: {{title: Delivery lead, held_by: [wang-wei]}}
            calendars:
              shanghai: {{country: CN, timezone: Asia/Shanghai}}
            """,
            "sales/scope-change.yaml": f"""\
            title: {q(hostile)}
            category: {q(hostile)}
            summary: Work outside the contract.
            owner: delivery-lead
            reviewed: 2026-10-01
            review_every: 180 days
            inputs:
              kind: {{label: {q(hostile)}, type: choice, options: [{q(hostile)}, plain]}}
            start: intake
            stages:
              intake:
                title: {q(hostile)}
                who: account-manager
                does: {q(hostile)}
                within: 1 business day
                escalate_to: account-manager
                next:
                  - when: {{kind: {q(hostile)}}}
                    go: check
                  - otherwise: answer
              check:
                title: Check
                who: delivery-lead
                within: 1 business day
                next: answer
              answer:
                title: Answer
                who: delivery-lead
                within: 4个工作小时
                outcomes: [{q(hostile)}]
            """,
        },
    )


def build_here(root: Path, out: Path) -> int:
    """``decision-paths build`` in-process, from ``root`` (chdir and environment restored after)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("DECISION_PATHS_CACHE", str(root / "cache"))
        mp.setenv("SOURCE_DATE_EPOCH", "1790000000")
        return main(["build", "--audience", "internal", "--out", str(out), "--today", TODAY])


@pytest.fixture(scope="module", params=range(len(HOSTILE)), ids=lambda i: f"hostile{i}")
def hostile_site(request, tmp_path_factory) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    hostile = HOSTILE[request.param]
    root = tmp_path_factory.mktemp("hostile")
    hostile_org(root, hostile)
    assert build_here(root, root / "out") == 0
    return hostile, root / "out" / "internal"


_HEAD_TITLE = re.compile(r"<title>(.*?)</title", re.S | re.I)


def page_title(path: Path) -> str:
    """The browser tab's text: <title> is raw text up to the first '</title' (entities decoded)."""
    head = path.read_text(encoding="utf-8").split("</head>")[0]
    found = _HEAD_TITLE.search(head)
    assert found is not None, f"{path} has no <title>"
    return html.unescape(found.group(1))


def browser_soup(path: Path) -> BeautifulSoup:
    """The page parsed like a browser would, for what html.parser gets wrong: the head's <title>
    is text (RCDATA) up to the first '</title', never elements."""
    raw = path.read_text(encoding="utf-8")
    head, _, rest = raw.partition("</head>")
    head = _HEAD_TITLE.sub(lambda m: "<title>" + html.escape(html.unescape(m.group(1))) + "</title", head, count=1)
    return BeautifulSoup(head + "</head>" + rest, "html.parser")


def injected_markup(tree: BeautifulSoup) -> list[str]:
    """Markup that a field smuggled in: bold x, foreign scripts, event handlers, javascript: URLs."""
    problems = []
    for script in tree.find_all("script", type="application/json"):
        try:
            json.loads(script.string or "")
        except ValueError:
            problems.append(f"a JSON data block was cut short (text broke out of it): {str(script)[:200]}")
        script.decompose()
    for tag in tree.find_all(True):
        if tag.name == "b" and tag.get_text() == "x":
            problems.append(f"<b>x</b> element: {tag}")
        if tag.name == "script" and ("alert" in tag.get_text() or (tag.get("src") and "assets/" not in tag["src"])):
            problems.append(f"foreign script: {tag}")
        if tag.name == "img" and tag.get("src") == "x":
            problems.append(f"injected image: {tag}")
        if tag.get("id") == "evil":
            problems.append(f"attribute list applied: {tag.name}#{tag['id']}")
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag.name}>")
            if name.lower() in ("href", "src", "xlink:href", "action", "formaction") and re.sub(
                r"\s", "", str(value)
            ).lower().startswith("javascript:"):
                problems.append(f"javascript: URL on <{tag.name}>")
    return problems


# ---------------------------------------------------------------- plain-text fields


def test_plain_text_fields_show_literally(hostile_site: tuple[str, Path]) -> None:
    hostile, site = hostile_site
    shown = " ".join(hostile.split())
    body = article(site, "decisions/scope-change/")
    assert text(body.find("h1")).removesuffix("¶").strip() == shown
    row = body.find(id="stage-intake").find_parent("tr")
    stage, who, does, _, escalate, _ = row.find_all("td")
    assert text(stage.find("strong")) == shown
    assert [text(a) for a in who.find_all("a")] == [shown, shown]  # the role, then the person behind it
    assert text(does) == shown
    assert text(escalate) == shown
    inputs = next(t for t in body.find_all("table") if t is not row.find_parent("table"))
    label, kind, paths = inputs.select_one("tbody tr").find_all("td")
    assert text(label) == shown
    assert shown in text(kind)
    assert f"{shown} = {shown}" in text(paths)
    assert shown in [text(li) for li in body.find_all("li")]  # the outcome
    assert text(article(site, "roles/account-manager/").find("h1")).removesuffix("¶").strip() == shown
    assert text(article(site, "people/li-na/").find("h1")).removesuffix("¶").strip() == shown
    home = page(site, "")
    assert shown in [text(a) for a in home.select("article a")]
    assert shown in [text(a) for a in home.select("nav a")]


def test_browser_tab_title_shows_the_text_literally(hostile_site: tuple[str, Path]) -> None:
    """<title> is raw text to a browser: a title must neither end it early nor show decoded entities."""
    hostile, site = hostile_site
    shown = " ".join(hostile.split())
    for url in ("decisions/scope-change/", "roles/account-manager/", "people/li-na/"):
        assert page_title(site / url / "index.html") == f"{shown} - Decision Paths", url


def test_no_markup_from_fields_reaches_any_page(hostile_site: tuple[str, Path]) -> None:
    _, site = hostile_site
    problems = [
        f"{p.relative_to(site)}: {problem}" for p in html_pages(site) for problem in injected_markup(browser_soup(p))
    ]
    assert problems == []


def test_search_index_carries_no_markup_from_fields(hostile_site: tuple[str, Path]) -> None:
    """Material shows search results as HTML, so the index text must be as safe as the pages."""
    _, site = hostile_site
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    problems = []
    for doc in index["docs"]:
        for field in ("title", "text"):
            problems += [
                f"{doc['location']} {field}: {p}" for p in injected_markup(BeautifulSoup(doc[field], "html.parser"))
            ]
    assert problems == []


def svg_of(site: Path) -> list[tuple[str, BeautifulSoup]]:
    inline = article(site, "decisions/scope-change/").find("svg")
    standalone = BeautifulSoup((site / "diagrams" / "scope-change.svg").read_text(encoding="utf-8"), "html.parser")
    return [("inline", inline), ("diagrams/scope-change.svg", standalone)]


def test_diagram_has_exactly_the_planned_nodes_and_edges(hostile_site: tuple[str, Path]) -> None:
    _, site = hostile_site
    for where, svg in svg_of(site):
        # 3 stages + start + 1 decision node (the choice; escalation is a line in its stage)
        assert len(svg.select("g.node")) == 5, where
        # start->intake, intake->decision, decision->check, decision->answer, check->answer
        assert len(svg.select("g.edge")) == 5, where
        assert injected_markup(svg) == [], where
        assert svg.find("script") is None and svg.find("foreignobject") is None, where


def node(svg: BeautifulSoup, name: str):  # type: ignore[no-untyped-def]
    return next(g for g in svg.select("g.node") if text(g.find("title")) == name)


def lines(group) -> str:  # type: ignore[no-untyped-def]
    """A label's text: its lines, wrapped between words, joined again."""
    return " ".join(t.get_text() for t in group.find_all("text"))


def test_diagram_shows_the_text_literally(hostile_site: tuple[str, Path]) -> None:
    hostile, site = hostile_site
    shown = " ".join(hostile.split())
    for where, svg in svg_of(site):
        stage = node(svg, "stage-intake")
        title = " ".join(t.get_text() for t in stage.find_all("text", attrs={"font-weight": "bold"}))
        assert title == shown, f"{where}: stage title shows as {title!r}"
        role, late = stage.select("a a")  # the cells that link: the role, and whom a late stage goes to
        assert lines(role) == shown, f"{where}: role title shows as {lines(role)!r}"
        assert lines(late).endswith(f": {shown}"), f"{where}: escalation shows as {lines(late)!r}"
        assert lines(node(svg, "branch-intake")) == shown, (
            f"{where}: the question shows as {lines(node(svg, 'branch-intake'))!r}"
        )
        edge_labels = [lines(g) for g in svg.select("g.edge") if g.find("text")]
        assert shown in edge_labels, f"{where}: branch label {edge_labels!r}"


def test_diagram_tooltips_show_the_text_literally(hostile_site: tuple[str, Path]) -> None:
    """Hovering a stage box shows its title, hovering its escalation line names who is told,
    hovering a decision node or an answer shows the question and the answer in full."""
    hostile, site = hostile_site
    shown = " ".join(hostile.split())
    for where, svg in svg_of(site):
        stage = node(svg, "stage-intake")
        assert stage.find("a")["xlink:title"] == shown, where
        _, late = stage.select("a a")
        assert late["xlink:title"] == lines(late) and late["xlink:title"].endswith(f": {shown}"), where
        assert node(svg, "branch-intake").find("a")["xlink:title"] == shown, where
        answers = [a["xlink:title"] for g in svg.select("g.edge") for a in g.find_all("a") if a.get("xlink:title")]
        assert f"{shown}: {shown}" in answers, f"{where}: {answers!r}"


# ---------------------------------------------------------------- Markdown fields

SUMMARY = """\
Work **outside** the contract, see [the policy](https://example.com/policy).
<script>alert(1)</script>
<img src=x onerror=alert(1)>
[click me](javascript:alert(1)) and <a href="https://example.com/" onclick="alert(1)">ok</a>
<b onmouseover="alert(1)">hover</b>
"""

NOTES = """\
- first *point*
- second <iframe src="https://evil.example/"></iframe>
<style>body{display:none}</style>

[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
"""


def test_markdown_fields_render_markdown_but_no_active_content(org, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    org.write(
        "sales/scope-change.yaml",
        DECISION.replace("summary: Work outside the contract.\n", f"summary: {q(SUMMARY)}\nnotes: {q(NOTES)}\n"),
    )
    assert build_here(tmp_path, tmp_path / "out") == 0
    site = tmp_path / "out" / "internal"
    body = article(site, "decisions/scope-change/")
    summary, notes = body.select(".dp-prose")
    assert [text(s) for s in summary.find_all("strong")] == ["outside"]
    assert [(a.get("href"), text(a)) for a in summary.find_all("a") if a.get("href")] == [
        ("https://example.com/policy", "the policy"),
        ("https://example.com/", "ok"),
    ]
    assert "click me" in text(summary) and "hover" in text(summary)
    assert [text(li) for li in notes.find_all("li")][:1] == ["first point"]
    assert notes.find("em") is not None
    for tag in ("script", "img", "iframe", "style"):
        assert summary.find(tag) is None and notes.find(tag) is None, tag
    assert not [a for a in notes.find_all("a") if (a.get("href") or "").startswith("data:")]
    assert [p for p in html_pages(site) for _ in injected_markup(browser_soup(p))] == []


# ---------------------------------------------------------------- no third-party requests

_CSS_REMOTE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:https?:)?//""", re.I)
_HTML_REFERENCE = ("src", "href", "xlink:href", "srcset", "poster", "data", "action")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return sample_site(tmp_path_factory)


def third_party_references(site: Path) -> list[str]:
    """Every place a built file would make the browser fetch from another host."""
    problems = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        where = path.relative_to(site)
        if path.suffix in (".gz", ".png", ".ico", ".woff", ".woff2"):
            continue
        content = path.read_text(encoding="utf-8", errors="replace")
        for host in ("fonts.googleapis.com", "fonts.gstatic.com"):
            if host in content:
                problems.append(f"{where}: mentions {host}")
        if path.suffix == ".css":
            problems += [f"{where}: remote url() {m.group(0)!r}" for m in _CSS_REMOTE.finditer(content)]
        if path.suffix in (".html", ".svg"):
            for tag in BeautifulSoup(content, "html.parser").find_all(True):
                if tag.name == "a":
                    continue  # a plain link the reader chooses to follow
                for name in _HTML_REFERENCE:
                    value = tag.get(name)
                    if value and re.match(r"\s*(https?:)?//", str(value)):
                        problems.append(f"{where}: <{tag.name} {name}={value!r}>")
                style = tag.get("style") or (tag.get_text() if tag.name == "style" else "")
                problems += [f"{where}: remote url() in style" for _ in _CSS_REMOTE.finditer(style)]
    return problems


def test_site_requests_nothing_from_third_party_hosts(site: Path) -> None:
    assert third_party_references(site) == []


def test_a_users_own_mkdocs_yml_still_loads_nothing_from_third_party_hosts(tmp_path: Path) -> None:
    """A user's mkdocs.yml that says nothing about fonts must not bring Google Fonts back in
    (Material's default): the site promises to load nothing from other hosts."""
    write_org(tmp_path, {"_org.yaml": SHARED, "sales/scope-change.yaml": DECISION})
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Acme Rules\ntheme:\n  name: material\n  language: en\n", encoding="utf-8"
    )
    assert build_here(tmp_path, tmp_path / "out") == 0
    site = tmp_path / "out" / "internal"
    assert site_name(page(site, "")) == "Acme Rules"
    problems = third_party_references(site)
    assert problems == [], f"{len(problems)} references to other hosts, e.g. {problems[:3]}"


# ---------------------------------------------------------------- reproducible builds


def test_two_builds_in_a_row_are_byte_identical(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    out = tmp_path / "out"
    first = build_cli(tmp_path, out, cache=tmp_path / "cache")  # lays out every diagram
    assert first.code == 0, first.err
    before = all_files(out / "internal")
    second = build_cli(tmp_path, out, cache=tmp_path / "cache")  # diagrams from the cache
    assert second.code == 0, second.err
    after = all_files(out / "internal")
    assert sorted(before) == sorted(after)
    differ = [name for name in before if before[name] != after[name]]
    assert differ == []
    assert sorted(p.name for p in out.iterdir()) == ["internal"]


# ---------------------------------------------------------------- interrupted and refused builds


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name not in ("internal", "client"))


@pytest.fixture
def built(org, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:  # type: ignore[no-untyped-def]
    """A clean organisation already built once into out/internal, and that site's files."""
    assert build_here(tmp_path, tmp_path / "out") == 0
    site = tmp_path / "out" / "internal"
    assert (site / MARKER).is_file()
    return tmp_path / "out", all_files(site)


def test_a_build_that_fails_inside_mkdocs_keeps_the_old_site(built, org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out, before = built
    import mkdocs.commands.build

    def half_build(config, **kwargs):  # type: ignore[no-untyped-def]
        folder = Path(config.site_dir)
        (folder / "decisions").mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text("<html>half", encoding="utf-8")
        raise RuntimeError("power cut in the middle of the build")

    monkeypatch.setattr(mkdocs.commands.build, "build", half_build)
    org.write("sales/scope-change.yaml", DECISION.replace("Scope change", "Scope change v2"))
    with pytest.raises(RuntimeError, match="power cut"):
        build_here(org.root, out)
    assert all_files(out / "internal") == before
    assert leftovers(out) == []


def test_an_interrupted_diagram_step_keeps_the_old_site(built, org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out, before = built
    import decision_paths.render.graphviz

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # in the drawing thread: the page waiting for it gets it

    monkeypatch.setattr(decision_paths.render.graphviz, "_run_dot_once", interrupted)
    org.write("sales/scope-change.yaml", DECISION.replace("title: Log it", "title: Log it now"))  # a new diagram
    with pytest.raises(KeyboardInterrupt):
        build_here(org.root, out)
    assert all_files(out / "internal") == before
    assert leftovers(out) == []


def test_a_diagram_graphviz_cannot_draw_fails_the_build_with_its_message(
    built,
    org,
    monkeypatch,  # type: ignore[no-untyped-def]
    capsys,
) -> None:
    out, before = built
    import decision_paths.render.graphviz

    def failing(sources):  # type: ignore[no-untyped-def]
        raise decision_paths.render.graphviz.DiagramError(
            "Graphviz could not lay out a diagram: Error: syntax error in line 3"
        )

    monkeypatch.setattr(decision_paths.render.graphviz, "_run_dot_once", failing)
    org.write("sales/scope-change.yaml", DECISION.replace("title: Log it", "title: Log it now"))
    assert build_here(org.root, out) == 1
    err = capsys.readouterr().err
    assert "decision-paths: Graphviz could not lay out a diagram: Error: syntax error in line 3" in err
    assert "Traceback" not in err
    assert all_files(out / "internal") == before
    assert leftovers(out) == []


def test_dot_gone_during_a_build_is_a_message_not_a_traceback(
    built,
    org,
    monkeypatch,  # type: ignore[no-untyped-def]
    capsys,
) -> None:
    out, before = built
    import graphviz

    def gone(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise graphviz.ExecutableNotFound(["dot", "-Tsvg"])

    monkeypatch.setattr(graphviz, "pipe", gone)  # `dot -V` answered at the start; then Graphviz is removed
    org.write("sales/scope-change.yaml", DECISION.replace("title: Log it", "title: Log it now"))
    assert build_here(org.root, out) == 1
    err = capsys.readouterr().err
    assert "Graphviz's 'dot' program is not installed: run `make site`" in err and "Traceback" not in err
    assert all_files(out / "internal") == before


def test_a_folder_not_made_by_the_tool_is_refused_and_left_alone(org, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mine = tmp_path / "out" / "internal"
    mine.mkdir(parents=True)
    (mine / "thesis.docx").write_bytes(b"four years of work")
    (mine / "drafts").mkdir()
    (mine / "drafts" / "notes.txt").write_text("keep me", encoding="utf-8")
    before = all_files(mine)
    done = run_cli(
        "build", "--out", "out", "--today", TODAY, cwd=tmp_path, env={"DECISION_PATHS_CACHE": str(tmp_path / "cache")}
    )
    assert done.code == 1
    assert "not made by decision-paths" in done.err
    assert all_files(mine) == before
    assert leftovers(tmp_path / "out") == []


FINDING = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): error: .+\[DP\d{3} [a-z0-9-]+\]$", re.M)


def test_build_refuses_while_errors_remain_and_leaves_no_site(org, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    org.write("sales/scope-change.yaml", DECISION.replace("who: delivery-lead", "who: nobody-here"))
    done = run_cli("build", "--out", "out", "--today", TODAY, cwd=tmp_path)
    assert done.code == 1
    found = FINDING.findall(done.err)
    assert found, done.err
    assert ("decisions/sales/scope-change.yaml", "20", "10") in found, done.err
    assert "nobody-here" in done.err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_build_with_errors_keeps_the_previous_site(built, org) -> None:  # type: ignore[no-untyped-def]
    out, before = built
    org.write("sales/scope-change.yaml", DECISION.replace("within: 1 business day", "within: soon"))
    done = run_cli("build", "--out", str(out), "--today", TODAY, cwd=org.root)
    assert done.code == 1
    assert FINDING.search(done.err), done.err
    assert all_files(out / "internal") == before
    assert leftovers(out) == []


def test_repository_build_is_clean() -> None:
    """The sample itself validates clean, so the sample-site fixture means something."""
    done = run_cli("validate", "--today", TODAY, cwd=REPO)
    assert done.code == 0, done.out
