"""One language per view (issue 12, point 5): every word the tool writes is in the site's
language (theme.language), whatever language the editors wrote the files in; the pages
people write themselves are tagged with the language they are in.

The words tables and their phrasing are checked on their own; then the sample is built as
a Chinese site (the repository's own mkdocs.yml, with its docs in Chinese and English) and
as an English one (the same decisions, theme.language en), and the same tests read both.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import REPO, TODAY, QuietHandler, build_cli, page, sample_site, sample_sites, served, soup, text

from decision_paths.checks import ALL_RULES
from decision_paths.load.decisions import load_folder
from decision_paths.model import fields as F
from decision_paths.model import words as W
from decision_paths.model.audience import SITES, site_view
from decision_paths.model.changes import decision_changes, shared_changes
from decision_paths.model.findings import Loc
from decision_paths.model.organisation import Audience, Organisation
from decision_paths.model.phrasing import duration_text
from decision_paths.model.units import UNITS, parse_duration
from decision_paths.pipeline import validate_folder
from decision_paths.plan import views as v
from decision_paths.plan.pages import PlanOptions, plan_site
from decision_paths.render.pages import PageRenderer, environment

# its module fixtures build the English company: once, on one xdist worker
pytestmark = pytest.mark.xdist_group("language")

LANGUAGES = ("zh", "en")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin words the Chinese words table itself uses: a format's name.
CHINESE_SITE_LATIN = {"Atom"}


def foreign(found: str, language: str) -> list[str]:
    """What in ``found`` is written in the other language: Chinese characters on an English
    page, Latin words on a Chinese one."""
    if language == "en":
        return CJK.findall(found)
    return [w for w in LATIN_WORD.findall(found) if w not in CHINESE_SITE_LATIN]


# ------------------------------------------------------------------ the words tables


@pytest.mark.parametrize("language", sorted(set(W._LANGUAGES)))
def test_every_language_has_every_word_with_the_same_blanks(language: str) -> None:
    table = W._LANGUAGES[language]  # its own words, before the English fallback
    assert sorted(table) == sorted(W._EN), language
    fields = string.Formatter()
    for key, english in W._EN.items():
        blanks = sorted(name for _, name, _, _ in fields.parse(english) if name)
        assert sorted(name for _, name, _, _ in fields.parse(table[key]) if name) == blanks, (language, key)


def test_chinese_words_are_chinese() -> None:
    for key, word in W._ZH.items():
        assert not foreign(re.sub(r"\{[a-z_]+\}|<[^>]*>", "", word), "zh"), key  # less blanks and markup


@pytest.mark.parametrize("spec", UNITS, ids=[spec.unit.name for spec in UNITS])
def test_a_duration_reads_the_same_however_it_was_written(spec) -> None:  # type: ignore[no-untyped-def]
    for language in LANGUAGES:
        w = W.words(language)
        shown = {duration_text(parse_duration(f"2 {word}", Loc("x.yaml")), w) for word in spec.spellings}
        assert len(shown) == 1, (language, shown)  # "2 个工作日", "2 工作日", "2 business days": one text
        (only,) = shown
        assert only.startswith("2 ") and not foreign(only, language), only
    one = parse_duration(f"1 {spec.chinese[0]}", Loc("x.yaml"))
    assert duration_text(one, W.words("en")) == f"1 {spec.singular}"
    assert duration_text(one, W.words("zh")) == f"1 {W._ZH[spec.word_keys[0]]}"


def test_the_error_banner_speaks_the_site_language() -> None:
    for language, title in (("zh", "决策文件有错误"), ("en", "The decisions have errors")):
        banner = PageRenderer(environment(None), W.words(language), None).render("errors.html", errors=["x.yaml:1:1"])
        found = BeautifulSoup(banner, "html.parser")
        assert text(found.select_one(".admonition-title")) == title
        assert not foreign(text(found).replace("x.yaml:1:1", ""), language)


# ------------------------------------------------------------------ the plan


@pytest.fixture(scope="module")
def org() -> Organisation:
    return validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY)).org


def stage_times(plan: v.SitePlan) -> list[str]:
    """Every stage time a page of the plan shows."""
    found = [s.within for d in plan.decisions for s in d.stages]
    found += [s.within for d in plan.client_decisions for s in d.steps]
    found += [r.within for p in (*plan.roles, *plan.people) for r in p.duties.approves]
    found += [c.within for row in (plan.matrix.rows if plan.matrix else ()) for cell in row.cells for c in cell]
    calculators = [d.calculator for d in (*plan.decisions, *plan.client_decisions) if d.calculator]
    found += [r.within for c in calculators for r in c.example_rows]
    found += [s["within"] for c in calculators for s in json.loads(c.data_json)["decision"]["stages"].values()]
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audience", [Audience.INTERNAL, Audience.CLIENT])
def test_every_stage_time_is_in_the_site_language(org: Organisation, language: str, audience: Audience) -> None:
    w = W.words(language)
    view = site_view(org, audience, w)
    plan = plan_site(view, PlanOptions(dt.date.fromisoformat(TODAY), language, w), SITES[audience])
    times = stage_times(plan)
    assert len(times) > 20
    written = {s.within.text for d in org.decisions.values() for s in d.stages.values()}
    assert any(foreign(t, language) for t in written), "the sample writes times in both languages"
    assert [t for t in times if foreign(t, language)] == []
    expected = {duration_text(s.within, w) for d in view.decisions.values() for s in d.stages.values()}
    assert set(times) == expected
    for dot in plan.diagrams.values():
        for line in re.findall(re.escape(w["within"]) + r": ([^<]*)</font>", dot):
            assert line in expected and not foreign(line, language), line


# ------------------------------------------------------------------ change-history lines


SHARED = """\
people:
  li-na: {name: 李娜}
roles:
  lead: {title: Lead, held_by: [li-na]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai}
"""
DECISION = """\
title: Scope change
summary: Work outside the contract.
owner: lead
audience: client
start: intake
stages:
  intake:
    title: Log it
    who: lead
    within: 2 business days
    next:
      - when: {urgent: true}
        go: answer
      - otherwise: answer
  answer:
    title: Answer
    who: {any: [lead, li-na]}
    within: 1 day
inputs:
  urgent: {label: Urgent, type: yes-no}
"""


AGAIN = "  intake2:\n    title: Again\n    who: lead\n    within: 4 hours\n    next: answer\n"


def loaded(shared: str, decision: str) -> Organisation:
    files = {"decisions/_org.yaml": shared.encode(), "decisions/x/scope.yaml": decision.encode()}
    return load_folder("decisions", files).org


def test_change_lines_follow_the_language_they_are_given() -> None:
    old = loaded(SHARED, DECISION)
    new = loaded(
        SHARED.replace("held_by: [li-na]", "held_by: [li-na], backup: [li-na]")
        + "  hk: {country: HK, timezone: Asia/Hong_Kong}\n",
        DECISION.replace("within: 2 business days", "within: 3个工作日")
        .replace("audience: client", "audience: internal")
        .replace("      - otherwise: answer", "      - otherwise: intake2")
        .replace(
            "  answer:\n",
            "  intake2:\n    title: Again\n    who: lead\n    within: 4 hours\n    next: answer\n  answer:\n",
        ),
    )
    for language in LANGUAGES:
        w = W.words(language)
        lines = [c.text for c in decision_changes(old.decisions["scope"], new.decisions["scope"], None, w)]
        lines += [c.text for c in shared_changes(old, new, w)]
        assert len(lines) >= 5, lines
        readable = "\n".join(lines)
        for editor_written in (
            "Log it (intake)",
            "Again (intake2)",
            "Scope change",
            "intake2",
            "answer",
            "urgent",
            "lead",
            "li-na",
            "hk",
        ):
            readable = readable.replace(editor_written, "")
        assert foreign(readable, language) == [], (language, lines)
    english = [c.text for c in decision_changes(old.decisions["scope"], new.decisions["scope"])]
    assert "Log it (intake): within 2 business days -> 3 business days" in english
    chinese = [c.text for c in decision_changes(old.decisions["scope"], new.decisions["scope"], None, W.words("zh"))]
    assert "Log it (intake): 时限 2 个工作日 -> 3 个工作日" in chinese
    assert "发布范围: 客户可见 -> 仅限内部" in chinese


# ------------------------------------------------------------------ built sites


@dataclass(frozen=True)
class Sites:
    language: str
    internal: Path
    client: Path
    org: Organisation
    editor: tuple[str, ...]  # what people wrote: names, titles, ids, commit messages, longest first


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "Ann Editor", "GIT_AUTHOR_EMAIL": "ann@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "Ann Editor", "GIT_COMMITTER_EMAIL": "ann@example.invalid"}
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, encoding="utf-8", check=True, env=os.environ | env
    )
    return done.stdout


def english_company(root: Path) -> Path:
    """The sample's decisions in a repository of their own, with a history that changes a
    stage time written in Chinese, and an mkdocs.yml that says the site is English."""
    shutil.copytree(REPO / "decisions", root / "decisions")
    if (REPO / "cases").is_dir():  # the sample case record: its pages are read in English too
        shutil.copytree(REPO / "cases", root / "cases")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("language: zh", "language: en").split("\n# Our own pages in two languages")[0]
    (root / "mkdocs.yml").write_text(config + "\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Import the paths")
    refund = root / "decisions" / "finance" / "refund-request.yaml"
    source = refund.read_text(encoding="utf-8")
    assert source.count("within: 2 business days") >= 1
    refund.write_text(source.replace("within: 2 business days", "within: 3个工作日", 1), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Refund check: three working days")
    return root


def editor_written(org: Organisation, folder: Path) -> tuple[str, ...]:
    found: set[str] = {"Decision Paths", "Decision Paths – for clients"}
    for person in org.people.values():
        found |= {person.id, person.name, person.email or ""}
    for role in org.roles.values():
        found |= {role.id, role.title}
    for calendar in org.calendars.values():
        found |= {calendar.id, calendar.timezone.id}
    for decision in org.decisions.values():
        found |= {decision.id, decision.title, decision.category, org.category_title(decision.category)}
        for item in decision.inputs.values():
            found |= {item.id, item.label, item.unit or "", *item.options, *item.option_labels.values()}
        for stage in decision.stages.values():
            found |= {stage.id, stage.title, stage.does or "", *stage.outcomes, *stage.outcome_labels.values()}
    found |= {org.client_contact or ""}
    found |= record_case_ids(folder.parent / "cases")
    log = subprocess.run(["git", "log", "--format=%an%n%s", "--", "."], cwd=folder, capture_output=True, text=True)
    found |= set(log.stdout.splitlines())
    # longest first, so a title goes before the words inside it; one-letter ids would eat words
    return tuple(sorted({" ".join(s.split()) for s in found if len(s) > 1}, key=len, reverse=True))


def record_case_ids(folder: Path) -> set[str]:
    """The case ids of a case record beside the decisions (they are data, not words)."""
    if not folder.is_dir():
        return set()
    import duckdb

    from decision_paths.load.cases import load_record

    con = duckdb.connect(":memory:")
    try:
        load_record(con, str(folder))
        return {
            str(row[0]) for row in con.execute('SELECT DISTINCT "case" FROM events WHERE "case" IS NOT NULL').fetchall()
        }
    finally:
        con.close()


@pytest.fixture(scope="module", params=LANGUAGES)
def sites(request, tmp_path_factory) -> Sites:  # type: ignore[no-untyped-def]
    if request.param == "zh":  # the sample itself, as every other module sees it
        root, out = REPO, sample_sites(tmp_path_factory)
    else:
        base = tmp_path_factory.mktemp(f"site-{request.param}")
        root, out = english_company(base / "company"), base / "out"
        done = build_cli(root, out, cache=base / "cache", audience="all")
        assert done.code == 0, done.out + done.err
    org = validate_folder(str(root / "decisions"), dt.date.fromisoformat(TODAY)).org
    return Sites(request.param, out / "internal", out / "client", org, editor_written(org, root / "decisions"))


OWN_PAGES = (
    "index",
    "how-to-read",
    "how-to-edit",
    "tutorial",
    "promise",
    "cases",
    "deploy",
    "templates",
    "client-privacy",
)


def written_by_people(site: Sites, relative: str) -> bool:
    """Pages whose words people wrote (docs/, and the home page above the catalogue)."""
    first = relative.split("/")[0]
    return site.language == "zh" and (first in (*OWN_PAGES, "en") or relative == "index.html")


def not_words(tag, language: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether what a tag holds is not the page's words: scripts, diagrams, Markdown fields,
    code (what is typed, as typed), what a tag says is in another language (the program's
    own English on a reference page, <span lang="en">), and the table of contents (the
    article's headings again, their code shown as words)."""
    classes = tag.get("class") or ()
    if tag.name in ("script", "style", "svg", "code", "pre", "kbd") or "dp-prose" in classes:
        return True
    if "md-nav--secondary" in classes:  # the menu's table of contents: the article's headings again
        return True
    return tag.name != "html" and tag.get("lang") not in (None, language)


def shown(node, language: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The text pieces of a node in the page's words (see ``not_words``)."""
    pieces = []
    for piece in node.find_all(string=True):
        if any(not_words(p, language) for p in piece.parents):
            continue
        pieces.append(" ".join(piece.split()))
    return pieces


# What the program itself says in English, as data: each key's meaning (model/fields.py, also
# the JSON Schema's) and each rule's summary. The reference pages show them as they are; on a
# site in another language they are tagged lang="en" (``not_words``).
PROGRAM_WORDS = tuple(
    sorted(
        {
            " ".join(f.description.split())
            for t in vars(F).values()
            if isinstance(t, dict)
            for f in t.values()
            if isinstance(f, F.Field)
        }
        | {" ".join(r.summary.split()) for r in ALL_RULES},
        key=len,
        reverse=True,
    )
)


def generated_words(site: Sites, tree: BeautifulSoup) -> str:
    """The words of a page the tool wrote: its article, menu and search box, less what people
    wrote (Markdown fields, names, titles, ids, commit messages) and the program's own data."""
    pieces = [p for node in tree.select("article, nav.md-nav--primary") for p in shown(node, site.language)]
    pieces.append(tree.select_one("input.md-search__input")["placeholder"])
    left = []
    for piece in pieces:
        for written in (*PROGRAM_WORDS, *site.editor):
            piece = piece.replace(written, " ")
        left.append(piece)
    return " ".join(left)


@pytest.mark.site
def test_every_page_is_tagged_with_its_language(sites: Sites) -> None:
    for folder in (sites.internal, sites.client):
        pages = sorted(folder.rglob("*.html"))
        assert len(pages) > 5
        for path in pages:
            relative = path.relative_to(folder).as_posix()
            expected = "en" if sites.language == "en" or relative.startswith("en/") else "zh"
            assert soup(path).html["lang"] == expected, relative


@pytest.mark.site
def test_no_generated_word_of_the_other_language(sites: Sites) -> None:
    checked = 0
    for folder in (sites.internal, sites.client):
        for path in sorted(folder.rglob("*.html")):
            relative = path.relative_to(folder).as_posix()
            if written_by_people(sites, relative) or relative == "404.html":
                continue
            left = foreign(generated_words(sites, soup(path)), sites.language)
            assert left == [], (relative, left[:20])
            checked += 1
    assert checked > 30


@pytest.mark.site
def test_diagrams_and_the_calculator_speak_the_site_language(sites: Sites) -> None:
    for svg in sorted((sites.internal / "diagrams").glob("*.svg")):
        drawing = BeautifulSoup(svg.read_text(encoding="utf-8"), "html.parser")
        shown = [t.get_text() for t in drawing.find_all("text")]
        shown += [a.get("xlink:title", "") for a in drawing.find_all("a")]
        words = " ".join(shown)
        for written in sites.editor:
            words = words.replace(written, " ")
        assert foreign(words, sites.language) == [], svg.name
    w = W.words(sites.language)
    for folder in (sites.internal, sites.client):
        data = page(folder, "decisions/refund-request/").select_one("script[id^=dp-calculator-data-]")
        found = json.loads(data.string)
        assert found["words"]["answer_lead"] == w["answer_lead"]
        for stage in found["decision"]["stages"].values():
            assert stage["within"] and not foreign(stage["within"], sites.language), stage


@pytest.mark.site
def test_the_change_history_is_in_the_site_language(sites: Sites) -> None:
    changes = generated_words(sites, page(sites.internal, "changes/"))
    assert foreign(changes, sites.language) == []
    if sites.language == "en":  # the edit above: written in Chinese, read in English
        assert "within 2 business days -> 3 business days" in text(page(sites.internal, "changes/"))
        assert "within 2 business days -> 3 business days" in text(page(sites.client, "changes/"))


@pytest.mark.site
def test_the_reference_pages_speak_the_site_language(sites: Sites) -> None:
    """Issue 12: the generated format and command references are in the site's language:
    title, headings, table headers and sentences. What the program says in English (each
    key's meaning, each rule's summary, the --help text) stays English, tagged lang="en"."""
    w = W.words(sites.language)
    checked = 0
    for url, title in (("reference/format/", w["format_reference"]), ("reference/commands/", w["commands_reference"])):
        tree = page(sites.internal, url)
        assert tree.html["lang"] == sites.language
        body = tree.select_one("article")
        assert text(body.find("h1")).removesuffix("¶").strip() == title
        headings = [text(h).removesuffix("¶").strip() for h in body.find_all("h2")]
        assert len(headings) > 5
        left = foreign(generated_words(sites, tree), sites.language)
        assert left == [], (url, left[:20])
        english = body.select("[lang=en]")
        if sites.language == "en":
            assert english == []  # nothing to tag on an English page
        else:
            assert english and all(LATIN_WORD.search(text(e)) for e in english)  # the program's words, as they are
        checked += 1
    table = page(sites.internal, "reference/format/").select_one("article table")
    assert [text(th) for th in table.select("thead th")] == [
        w["ref_key"],
        w["ref_required"],
        w["ref_value"],
        w["ref_meaning"],
    ]
    assert checked == 2


# ------------------------------------------------------------------ the pages people write, in two languages


@pytest.mark.site
def test_each_own_page_is_in_chinese_and_in_english_with_a_switcher(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    internal = sample_site(tmp_path_factory)
    for name in OWN_PAGES:
        assert (REPO / "docs" / f"{name}.md").is_file() and (REPO / "docs" / "en" / f"{name}.md").is_file(), name
        url = "" if name == "index" else f"{name}/"
        chinese, english = page(internal, url), page(internal, f"en/{url}")
        assert chinese.html["lang"] == "zh" and english.html["lang"] == "en"
        body_zh, body_en = text(chinese.select_one("article")), text(english.select_one("article"))
        assert len(CJK.findall(body_zh)) > len(LATIN_WORD.findall(body_zh)), name  # written in Chinese
        assert len(CJK.findall(body_en)) < len(LATIN_WORD.findall(body_en)) / 5, name  # written in English
        # the switcher leads to the same page in the other language
        for tree, here, there in ((chinese, url, f"en/{url}"), (english, f"en/{url}", url)):
            links = {a["hreflang"]: a["href"] for a in tree.select("a.md-select__link")}
            assert set(links) == {"zh", "en"}
            other = "en" if tree is chinese else "zh"
            target = (internal / here / links[other]).resolve() if here else (internal / links[other]).resolve()
            assert target == (internal / there).resolve(), (name, links)
        # each page's menu lists the pages in its own language only
        menu_zh = " ".join(text(a) for a in chinese.select("nav.md-nav--primary .md-nav__link"))
        menu_en = " ".join(text(a) for a in english.select("nav.md-nav--primary .md-nav__link"))
        assert "How to read a decision path" in menu_en and "How to read a decision path" not in menu_zh
        assert "如何阅读决策路径" in menu_zh and "如何阅读决策路径" not in menu_en
        assert english.select_one("input.md-search__input")["placeholder"] == "Search"
        assert chinese.select_one("input.md-search__input")["placeholder"] == "搜索"


@pytest.mark.site
def test_the_generated_pages_appear_once_in_the_site_language(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    internal = sample_site(tmp_path_factory)
    assert not (internal / "en" / "decisions").exists() and not (internal / "en" / "roles").exists()
    refund = page(internal, "decisions/refund-request/")
    assert refund.html["lang"] == "zh"
    switcher = {a["hreflang"]: a["href"] for a in refund.select("a.md-select__link")}
    assert (internal / "decisions" / "refund-request" / switcher["en"]).resolve() == (internal / "en").resolve()
    assert "决策路径" in " ".join(text(a) for a in refund.select("nav.md-nav--primary .md-nav__link"))


# ------------------------------------------------------------------ in a browser, wide and on a phone

# What a page shows as its words once its scripts have run: the article and the menu, less
# what is not words (as ``not_words``), read from a copy so the page itself is untouched.
_SHOWN_WORDS_JS = """() => {
  const lang = document.documentElement.lang;
  return [...document.querySelectorAll('article, nav.md-nav--primary')].map(node => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('script, style, svg, code, pre, kbd, .dp-prose, .md-nav--secondary')
        .forEach(n => n.remove());
    copy.querySelectorAll('[lang]').forEach(n => { if (n.lang !== lang) n.remove(); });
    return copy.textContent;
  }).join(' ') + ' ' + document.querySelector('input.md-search__input').placeholder;
}"""


def _note_error(errors: list[str], error: object) -> None:
    errors.append(str(error))


@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 390], ids=["wide", "phone"])
def test_the_pages_a_browser_shows_are_in_the_site_language(sites: Sites, chromium, width: int) -> None:  # type: ignore[no-untyped-def]
    """Chromium at desktop and phone widths: both sites' decision page and home page in the
    site's language (after their scripts ran), the internal diagram in a box inside the
    screen, nothing wider than the screen, no script errors."""
    for folder in (sites.internal, sites.client):
        with served(functools.partial(QuietHandler, directory=str(folder))) as host:
            context = chromium.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600)
            try:
                tab = context.new_page()
                errors: list[str] = []
                tab.on("pageerror", functools.partial(_note_error, errors))
                for url in ("decisions/refund-request/", ""):
                    tab.goto(f"{host}/{url}", wait_until="load")
                    where = (folder.name, url, width)
                    assert tab.evaluate("document.documentElement.lang") == sites.language, where
                    if not written_by_people(sites, url or "index.html"):  # the Chinese home page: people's
                        words = tab.evaluate(_SHOWN_WORDS_JS)
                        for written in (*PROGRAM_WORDS, *sites.editor):
                            words = words.replace(written, " ")
                        assert foreign(words, sites.language) == [], (where, foreign(words, sites.language)[:20])
                        own = LATIN_WORD if sites.language == "en" else CJK
                        assert len(own.findall(words)) > 10, (where, words[:200])  # it read the tool's words
                    assert tab.evaluate("document.documentElement.scrollWidth") <= width, where
                    if url and folder == sites.internal:  # the diagram (clients get the steps as a list):
                        # drawn at its size in a box inside the screen, which scrolls to both its edges
                        drawn = tab.evaluate(
                            """() => {
                            const box = document.querySelector('.dp-diagram-scroll'), svg = box.querySelector('svg');
                            const outer = box.getBoundingClientRect(), inner = svg.getBoundingClientRect();
                            return {left: outer.left, right: outer.right, svg: inner.width,
                                    reach: box.scrollWidth, shown: box.clientWidth};
                          }"""
                        )
                        assert drawn["svg"] > 100 and drawn["left"] >= 0 and drawn["right"] <= width, (where, drawn)
                        assert drawn["reach"] >= int(drawn["svg"]) and drawn["shown"] > 0, (where, drawn)
                assert errors == []
            finally:
                context.close()
