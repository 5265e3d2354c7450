"""The internal site built from the sample decisions: what a reader sees on each page.

The sample (the repository's decisions/, mkdocs.yml and docs/) is built once
with ``decision-paths build --today 2026-11-23``; expectations come from the
decision files (through the loaded model) plus a few facts checked by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from site_helpers import (
    REPO,
    TODAY,
    article,
    broken_links,
    html_pages,
    main_menu,
    menu_labels,
    page,
    page_contents,
    resolve,
    sample_site,
    soup,
    text,
)

from decision_paths.model.organisation import Organisation
from decision_paths.model.phrasing import duration_text
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder

pytestmark = pytest.mark.site

DECISION_IDS = sorted(p.stem for p in (REPO / "decisions").rglob("*.yaml") if not p.name.startswith("_"))
CATEGORIES = ("delivery", "finance", "sales", "service")
# What people read for each category folder: its title in the shared data (_site.yaml).
CATEGORY_TITLES = {
    "delivery": "交付 / Delivery",
    "finance": "财务 / Finance",
    "sales": "销售 / Sales",
    "service": "客户服务 / Client service",
}
ZH = words("zh")  # the sample site's language (mkdocs.yml theme.language)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return sample_site(tmp_path_factory)


@pytest.fixture(scope="module")
def model() -> Organisation:
    result = validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY))
    assert not result.has_errors, [f.to_text() for f in result.findings if f.is_error]
    return result.org


def heading(node) -> str:  # type: ignore[no-untyped-def]
    """A heading's text without MkDocs' permalink mark."""
    return text(node).removesuffix("¶").strip()


def target_of(site: Path, page_url: str, href: str) -> str:
    """Where a link on a page leads, as 'folder/sub/' or 'folder/sub/#fragment' relative to the site."""
    page_path = site / page_url / "index.html" if page_url else site / "index.html"
    found, fragment, problem = resolve(site, page_path, href)
    assert not problem, problem
    assert found is not None
    url = found.relative_to(site).as_posix().removesuffix("index.html")
    return url + (f"#{fragment}" if fragment else "")


def links_to(site: Path, page_url: str, node) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Target URL -> link texts, for every <a href> in node."""
    found: dict[str, list[str]] = {}
    for a in node.find_all("a", href=True):
        if a["href"].startswith(("http:", "https:", "mailto:")) or "headerlink" in (a.get("class") or []):
            continue
        found.setdefault(target_of(site, page_url, a["href"]), []).append(text(a))
    return found


def section(body, title: str):  # type: ignore[no-untyped-def]
    """The elements after the h2 titled ``title``, up to the next h2."""
    h2 = next((h for h in body.find_all("h2") if heading(h) == title), None)
    assert h2 is not None, f"no section {title!r}; sections: {[heading(h) for h in body.find_all('h2')]}"
    parts = []
    for sibling in h2.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling)
    return parts


def stage_table(body):  # type: ignore[no-untyped-def]
    tables = [t for t in body.find_all("table") if t.select('span[id^="stage-"]')]
    assert len(tables) == 1, f"expected one stage table, found {len(tables)}"
    return tables[0]


def one_line(value: str) -> str:
    return " ".join(value.split())


# ---------------------------------------------------------------- decision pages


def test_the_sample_has_the_expected_decisions(model: Organisation) -> None:
    assert sorted(model.decisions) == DECISION_IDS
    assert len(DECISION_IDS) == 8


@pytest.mark.parametrize("decision_id", DECISION_IDS)
def test_decision_page_shows_title_summary_owner_and_promise(site: Path, model: Organisation, decision_id: str) -> None:
    decision = model.decisions[decision_id]
    url = f"decisions/{decision_id}/"
    body = article(site, url)
    assert [heading(h) for h in body.find_all("h1")] == [decision.title]
    assert page(site, url).title is not None and decision.title in page(site, url).title.get_text()
    prose = body.select_one(".dp-prose")
    assert prose is not None and one_line(decision.summary).split(" ")[0] in text(prose)
    assert one_line(prose.get_text(" ")).replace(" ", "") == one_line(decision.summary).replace(" ", "")
    facts = body.find("ul")
    owner_item = next(li for li in facts.find_all("li") if text(li).startswith("负责人"))
    owner_links = links_to(site, url, owner_item)
    assert owner_links[f"roles/{decision.owner.id}/"] == [model.roles[decision.owner.id].title]
    promise_item = next(li for li in facts.find_all("li") if text(li).startswith("承诺时限"))
    assert "工作日" in text(promise_item) or "business" in text(promise_item)


def test_out_of_scope_request_promises_5_to_7_working_days(site: Path) -> None:
    body = article(site, "decisions/out-of-scope-request/")
    promise_item = next(li for li in body.find("ul").find_all("li") if text(li).startswith("承诺时限"))
    assert text(promise_item.find_all("strong")[-1]) == "5-7 个工作日"
    owner_item = next(li for li in body.find("ul").find_all("li") if text(li).startswith("负责人"))
    assert links_to(site, "decisions/out-of-scope-request/", owner_item) == {
        "roles/delivery-director/": ["交付总监 / Delivery Director"],
        "people/li-na/": ["李娜"],
    }


@pytest.mark.parametrize("decision_id", DECISION_IDS)
def test_stage_table_has_one_row_per_stage_in_file_order(site: Path, model: Organisation, decision_id: str) -> None:
    decision = model.decisions[decision_id]
    url = f"decisions/{decision_id}/"
    table = stage_table(article(site, url))
    rows = table.select("tbody tr")
    assert len(rows) == len(decision.stages)
    assert [row.select_one('span[id^="stage-"]')["id"] for row in rows] == [f"stage-{s}" for s in decision.stages]
    for row, stage in zip(rows, decision.stages.values(), strict=True):
        # (with a case record, the stage's figures follow in more cells: tests/test_record_pages.py)
        stage_cell, who_cell, does_cell, within_cell, escalate_cell, next_cell = row.find_all("td")[:6]
        assert text(stage_cell.find("strong")) == one_line(stage.title)
        who = links_to(site, url, who_cell)
        for member in stage.who.members:
            role = model.roles[member.id]
            assert who.get(f"roles/{member.id}/") == [role.title], f"{stage.id}: no link to role {member.id}"
            for holder in role.held_by:
                person = model.people[holder.id]
                if person.active:
                    assert who.get(f"people/{holder.id}/") == [person.name], (
                        f"{stage.id}: {person.name} missing under {member.id}"
                    )
        assert text(does_cell) == one_line(stage.does or "")
        assert text(within_cell) == duration_text(stage.within, ZH)  # in the site's language, however written
        if stage.escalate_to is not None:
            assert list(links_to(site, url, escalate_cell)) == [f"roles/{stage.escalate_to.id}/"]
        else:
            assert text(escalate_cell) == ""
        assert sorted(set(links_to(site, url, next_cell))) == sorted(
            {f"{url}#stage-{ref.id}" for ref in stage.successors()}
        )


def test_who_cells_show_the_people_and_stand_ins(site: Path) -> None:
    url = "decisions/out-of-scope-request/"
    row = article(site, url).find(id="stage-director-approval").find_parent("tr")
    who = row.find_all("td")[1]
    assert text(who).startswith("全部同意")
    assert links_to(site, url, who) == {
        "roles/delivery-director/": ["交付总监 / Delivery Director"],
        "people/li-na/": ["李娜"],
        "roles/finance-controller/": ["财务总监 / Finance Controller"],
        "people/chen-jing/": ["陈静"],
        "roles/deputy-finance-controller/": ["副财务总监 / Deputy Finance Controller"],  # stands in while 陈静 is away
        "people/qian-hui/": ["钱慧"],  # who will act, by name: 钱慧 (副财务总监) 代 陈静, 至 2026-12-04
    }
    stand_in = who.select_one(".dp-stand-in")
    assert (
        stand_in is not None
        and text(stand_in).replace(" ", "") == "钱慧(副财务总监/DeputyFinanceController)代陈静,至2026-12-04"
    )
    assert "2026-11-16" in text(who) and "2026-12-04" in text(who)
    commercial = article(site, url).find(id="stage-commercial-review").find_parent("tr")
    assert "内部" in text(commercial.find("td"))  # an internal stage is marked as such


@pytest.mark.parametrize("decision_id", DECISION_IDS)
def test_inputs_outcomes_and_notes(site: Path, model: Organisation, decision_id: str) -> None:
    decision = model.decisions[decision_id]
    body = article(site, f"decisions/{decision_id}/")
    if decision.inputs:
        (table,) = [p for p in section(body, "决定路径的条件") if p.name == "table"]
        labels = [text(row.find("td")) for row in table.select("tbody tr")]
        assert labels == [one_line(i.label) for i in decision.inputs.values()]
        for row, item in zip(table.select("tbody tr"), decision.inputs.values(), strict=True):
            for option in item.options:  # as people read them: the label, when one is given
                assert item.option_label(option) in text(row.find_all("td")[1])
    outcomes = list(dict.fromkeys(s.outcome_label(o) for s in decision.stages.values() for o in s.outcomes))
    if outcomes:
        (listing,) = [p for p in section(body, "结果") if p.name == "ul"]
        assert [text(li) for li in listing.find_all("li")] == outcomes
    if decision.notes:
        (notes,) = section(body, "备注")
        assert "dp-prose" in notes["class"]
        assert text(notes).replace(" ", "")[:20] in one_line(decision.notes).replace(" ", "").replace("*", "")


def test_notes_render_markdown(site: Path) -> None:
    (notes,) = section(article(site, "decisions/out-of-scope-request/"), "备注")
    assert [text(s) for s in notes.find_all("strong")] == ["不得"]
    assert len(notes.find_all("li")) == 3


@pytest.mark.parametrize("decision_id", DECISION_IDS)
def test_decision_page_has_one_inline_diagram(site: Path, model: Organisation, decision_id: str) -> None:
    body = article(site, f"decisions/{decision_id}/")
    # the diagram, and beside it only the record's trend chart (with its own table)
    svgs = [svg for svg in body.find_all("svg") if svg.find_parent(class_="dp-chart") is None]
    assert len(svgs) == 1
    assert svgs[0].find_parent(class_="dp-diagram") is not None
    nodes = svgs[0].select("g.node")
    decision = model.decisions[decision_id]
    # a box per stage, the start, and a decision node per question asked where a stage
    # branches; escalation is a line inside its stage's box, not a box beside it
    kinds = [g.get("class", [])[1] for g in nodes]
    assert kinds.count("dp-stage") == len(decision.stages) and kinds.count("dp-start") == 1
    assert len(nodes) == len(decision.stages) + 1 + kinds.count("dp-branch")
    assert ("dp-branch" in kinds) == any(s.branches for s in decision.stages.values())
    for stage in decision.stages.values():
        box = next(g for g in nodes if text(g.find("title")) == f"stage-{stage.id}")
        late = [a for a in box.select("a a") if "超时上报" in text(a)]
        assert len(late) == (stage.escalate_to is not None), stage.id
    stage_links = {a.get("xlink:href") for a in svgs[0].find_all("a")}
    assert {f"#stage-{s}" for s in decision.stages} <= stage_links
    standalone = site / "diagrams" / f"{decision_id}.svg"
    assert standalone.is_file()
    assert standalone.read_text(encoding="utf-8").lstrip().startswith("<svg")


# ---------------------------------------------------------------- roles and people


def approvals_of(model: Organisation, role_id: str) -> list[tuple[str, str]]:
    return [
        (d.id, s.id)
        for d in model.decisions.values()
        for s in d.stages.values()
        if any(m.id == role_id for m in s.who.members)
    ]


def approval_rows(site: Path, url: str, table) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(decision URL, stage URL, within) of each row of an approvals table."""
    rows = []
    for row in table.select("tbody tr"):
        cells = row.find_all("td")
        decision = target_of(site, url, cells[0].find("a")["href"])
        stage = target_of(site, url, cells[1].find("a")["href"])
        rows.append((decision, stage, text(cells[3])))
    return rows


def test_every_role_has_a_page_listing_holders_and_approvals(site: Path, model: Organisation) -> None:
    for role in model.roles.values():
        url = f"roles/{role.id}/"
        body = article(site, url)
        assert heading(body.find("h1")) == role.title
        holders = section(body, "担任者")
        holder_links = links_to(site, url, holders[0])
        assert holder_links == {f"people/{r.id}/": [model.people[r.id].name] for r in role.held_by}, role.id
        expected = approvals_of(model, role.id)
        parts = section(body, "审批")
        if not expected:
            assert text(parts[0]) == "无。"
            continue
        (table,) = [p for p in parts if p.name == "table"]
        rows = approval_rows(site, url, table)
        assert [(d, s) for d, s, _ in rows] == [
            (f"decisions/{d}/", f"decisions/{d}/#stage-{s}") for d, s in expected
        ], role.id
        assert [w for _, _, w in rows] == [duration_text(model.decisions[d].stages[s].within, ZH) for d, s in expected]


def test_finance_controller_page_shows_chen_jing_away_and_the_stand_in(site: Path) -> None:
    url = "roles/finance-controller/"
    body = article(site, url)
    (holders,) = section(body, "担任者")
    assert links_to(site, url, holders) == {"people/chen-jing/": ["陈静"]}
    assert "2026-11-16" in text(holders) and "2026-12-04" in text(holders)
    stand_in = body.select_one(".admonition.info")
    assert stand_in is not None, "no notice that somebody stands in"
    assert "代行" in text(stand_in)
    assert links_to(site, url, stand_in) == {
        "roles/deputy-finance-controller/": ["副财务总监 / Deputy Finance Controller"]
    }
    (table,) = [p for p in section(body, "审批") if p.name == "table"]
    rows = approval_rows(site, url, table)
    assert (
        "decisions/out-of-scope-request/",
        "decisions/out-of-scope-request/#stage-director-approval",
        "2 个工作日",
    ) in rows


def test_every_person_has_a_page_with_roles_and_approvals(site: Path, model: Organisation) -> None:
    for person in model.people.values():
        url = f"people/{person.id}/"
        body = article(site, url)
        assert heading(body.find("h1")) == person.name
        roles = [r for r in model.roles.values() if any(h.id == person.id for h in r.held_by)]
        (held,) = section(body, "担任角色")
        assert links_to(site, url, held) == {f"roles/{r.id}/": [r.title] for r in roles} or (
            not roles and text(held) == "无。"
        )
        stage_links = set(links_to(site, url, body))
        for role in roles:
            for d, s in approvals_of(model, role.id):
                assert f"decisions/{d}/#stage-{s}" in stage_links, f"{person.id} page misses {d}#{s}"


def test_chen_jing_page_shows_away_and_who_stands_in(site: Path) -> None:
    url = "people/chen-jing/"
    body = article(site, url)
    away = body.select_one(".admonition.warning")
    assert away is not None, "no away notice on the page of a person who is away today"
    assert "2026-11-16" in text(away) and "2026-12-04" in text(away)
    assert links_to(site, url, away) == {
        "roles/finance-controller/": ["财务总监 / Finance Controller"],
        "roles/deputy-finance-controller/": ["副财务总监 / Deputy Finance Controller"],
    }
    assert "mailto:chen.jing@example.com" in [a["href"] for a in body.find_all("a", href=True)]


def test_li_na_page_lists_her_role(site: Path) -> None:
    body = article(site, "people/li-na/")
    assert heading(body.find("h1")) == "李娜"
    (held,) = section(body, "担任角色")
    assert links_to(site, "people/li-na/", held) == {"roles/delivery-director/": ["交付总监 / Delivery Director"]}
    assert body.select_one(".admonition.warning") is None  # she is in today


def test_role_and_people_indexes(site: Path, model: Organisation) -> None:
    roles = links_to(site, "roles/", article(site, "roles/"))
    for role in model.roles.values():
        assert roles.get(f"roles/{role.id}/") == [role.title]
    people = article(site, "people/")
    linked = links_to(site, "people/", people)
    for person in model.people.values():
        assert person.name in linked.get(f"people/{person.id}/", [])
    chen = next(row for row in people.select("tbody tr") if "陈静" in text(row))
    assert "2026-11-16" in text(chen)


def as_of(node) -> list[str]:  # type: ignore[no-untyped-def]
    """The 'as of' dates in a node, as its readers see them."""
    found = node.select("time.dp-as-of")
    assert all(t["datetime"] == TODAY for t in found), [t["datetime"] for t in found]
    return [text(t) for t in found]


def test_what_depends_on_today_says_which_day_it_is_true_of(site: Path) -> None:
    """Issue 12: a page read days after the build must not pass an old "away today" off as
    today's. Each absence, stand-in and status that holds only on the build's day carries
    it ("截至 2026-11-23"); nothing else does."""
    day = f"截至 {TODAY}"
    # decision pages: the finance controller, whose holder is away, in the who cell and as owner
    row = article(site, "decisions/out-of-scope-request/").find(id="stage-director-approval").find_parent("tr")
    who = row.find_all("td")[1]
    assert as_of(who) == [day]  # the delivery director, 李娜, is in: only the finance controller's line
    dated = who.select_one("time.dp-as-of")
    assert "代 陈静" in text(dated.find_previous(class_="dp-stand-in"))
    refund = article(site, "decisions/refund-request/")
    owner = next(li for li in refund.find_all("li") if text(li).startswith(ZH["owner"]))
    assert as_of(owner) == [day]
    # where nobody named is away, nothing is dated
    renewal = article(site, "decisions/contract-renewal/")
    assert "不在岗" not in text(renewal) and as_of(renewal) == []
    # the role: the holder away, and who acts for her
    role = article(site, "roles/finance-controller/")
    (holders,) = section(role, "担任者")
    assert as_of(holders) == [day]
    assert as_of(role.select_one(".admonition.info")) == [day]
    assert as_of(article(site, "roles/sales-director/")) == []
    # the person away, and the person standing in
    assert as_of(article(site, "people/chen-jing/").select_one(".admonition.warning")) == [day]
    assert as_of(article(site, "people/qian-hui/").select_one(".admonition.info")) == [day]
    assert as_of(article(site, "people/li-na/")) == []
    # the people index: the status column ("今天在岗", "away") is today's
    status = article(site, "people/").select("thead th")[-1]
    assert text(status) == f"{ZH['status']} {day}"
    # every "as of" on the site names the build's day
    for path in html_pages(site):
        as_of(soup(path))


# ---------------------------------------------------------------- matrix, home, navigation


def test_matrix_has_a_row_per_decision_and_links_to_stages(site: Path, model: Organisation) -> None:
    url = "matrix/"
    body = article(site, url)
    box = body.select_one("input[data-dp-filter]")
    assert box is not None and box.get("type") == "search"
    table = body.select_one(f".{box['data-dp-filter']} table")
    assert table is not None, "the filter box names no table"
    columns = [target_of(site, url, th.find("a")["href"]) for th in table.select("thead th")[1:]]
    assert columns and all(c.startswith("roles/") for c in columns)
    approving = {m.id for d in model.decisions.values() for s in d.stages.values() for m in s.who.members}
    assert {c.removeprefix("roles/").rstrip("/") for c in columns} == approving
    rows = table.select("tbody tr")
    assert [target_of(site, url, r.find("td").find("a")["href"]) for r in rows] == [
        f"decisions/{d}/" for d in model.decisions
    ]
    for row, decision in zip(rows, model.decisions.values(), strict=True):
        for column, cell in zip(columns, row.find_all("td")[1:], strict=True):
            role_id = column.removeprefix("roles/").rstrip("/")
            expected = [
                f"decisions/{decision.id}/#stage-{s.id}"
                for s in decision.stages.values()
                if any(m.id == role_id for m in s.who.members)
            ]
            assert [target_of(site, url, a["href"]) for a in cell.find_all("a")] == expected, (
                f"matrix cell {decision.id} x {role_id}"
            )


def test_home_lists_every_decision_with_owner_promise_and_review(site: Path, model: Organisation) -> None:
    body = article(site, "")
    tables = [t for t in body.find_all("table") if t.find("thead") and "承诺时限" in text(t.find("thead"))]
    assert tables, "the home page has no catalogue of decisions"
    by_decision = {}
    for table in tables:
        header = [text(th) for th in table.select("thead th")]
        group = table.find_previous(["h2", "h3"])
        for row in table.select("tbody tr"):
            cells = dict(zip(header, row.find_all("td"), strict=True))
            cells["group"] = group
            by_decision[target_of(site, "", cells["决策"].find("a")["href"])] = cells
    assert sorted(by_decision) == sorted(f"decisions/{d}/" for d in model.decisions)
    for decision in model.decisions.values():
        cells = by_decision[f"decisions/{decision.id}/"]
        assert text(cells["决策"]) == decision.title
        category = text(cells["类别"]) if "类别" in cells else heading(cells["group"])
        assert category == CATEGORY_TITLES[decision.category]
        assert links_to(site, "", cells["负责人"]) == {
            f"roles/{decision.owner.id}/": [model.roles[decision.owner.id].title]
        }
        assert text(cells["承诺时限"]), decision.id
        assert decision.reviewed is not None and str(decision.reviewed) in text(cells["复核"])
    assert text(by_decision["decisions/out-of-scope-request/"]["承诺时限"]) == "5-7 个工作日"
    # the user's own home page text is kept above the catalogue
    assert "谁来决定什么、在哪个环节、多快给出答复。" in text(body)


def test_navigation_groups_decisions_by_category(site: Path, model: Organisation) -> None:
    tree = page(site, "")
    nav = main_menu(tree)
    labels = menu_labels(tree)
    for category in CATEGORIES:
        assert CATEGORY_TITLES[category] in labels, f"category {category} not in the navigation"
        assert category not in labels, "the folder's id is not shown where its title is"
    linked = links_to(site, "", nav)
    for decision in model.decisions.values():
        assert f"decisions/{decision.id}/" in linked, f"{decision.id} not in the navigation"
    for index in ("roles/", "people/", "matrix/"):
        assert index in linked
    assert tree.html["lang"] == "zh"


# ---------------------------------------------------------------- links


def test_link_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<p id="here"><a href="../b/">b</a><a href="../b/#there">x</a><a href="#nowhere">y</a>'
        '<a href="../../outside/">z</a><a href="#here">ok</a><a href="https://example.com/">ext</a>'
        '<svg><a xlink:href="../c/">c</a></svg></p>',
        encoding="utf-8",
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text("<p>b</p>", encoding="utf-8")
    problems = broken_links(tmp_path)
    assert len(problems) == 4, problems
    assert any("'#nowhere'" in p for p in problems) and any("'../c/'" in p for p in problems)


def _outside_svg(site: Path, page_path: Path) -> list[str]:
    problems = []
    for tag in soup(page_path).find_all(["a", "link", "script", "img"]):
        if tag.find_parent("svg") is not None:
            continue
        for attribute in ("href", "src"):
            url = tag.get(attribute)
            if url is None or url.startswith(("http:", "https:", "mailto:")):
                continue
            problem = resolve(site, page_path, url)[2]
            if problem:
                problems.append(f"{page_path.relative_to(site)}: <{tag.name}> {problem}")
    return problems


def test_every_link_on_every_page_resolves(site: Path) -> None:
    pages = html_pages(site)
    assert len(pages) > 40
    problems = [p for page_path in pages for p in _outside_svg(site, page_path)]
    assert problems == []


def test_every_diagram_link_resolves(site: Path) -> None:
    """Role links inside the inline SVG diagrams must lead to the role pages."""
    pages = [site / "decisions" / d / "index.html" for d in DECISION_IDS]
    problems = broken_links(site, pages)
    assert problems == [], f"{len(problems)} broken diagram links, e.g.:\n" + "\n".join(problems[:5])


# ---------------------------------------------------------------- table of contents


toc_entries = page_contents


def test_decision_sections_are_in_the_table_of_contents_with_stable_anchors(site: Path) -> None:
    tree = page(site, "decisions/refund-request/")
    entries = toc_entries(tree)
    with_record = [("#record", ZH["promises_kept"])] if (REPO / "cases").is_dir() else []  # the sample record
    assert entries == [
        ("#diagram", "流程图"),
        ("#stages", "环节"),
        *with_record,
        ("#inputs", "决定路径的条件"),
        ("#calculator", "我什么时候能得到答复?"),
        ("#outcomes", "结果"),
        ("#notes", "备注"),
        ("#history", "变更记录"),
    ]
    body = article(site, "decisions/refund-request/")
    for href, title in entries:
        target = body.find(id=href[1:])
        assert target is not None and target.name == "h2" and heading(target) == title
        assert target.find("a", class_="headerlink")["href"] == href, "each section heading carries its permalink"
    # "skip to content" leads to the title
    skip = tree.find("a", href="#top")
    assert skip is not None and text(skip), "the first link of the page skips to its title"


def test_the_catalogue_under_the_users_home_page_is_in_its_table_of_contents(site: Path) -> None:
    entries = {title: href for href, title in toc_entries(page(site, ""))}
    assert entries["全部决策"] == "#decisions"
    for category in CATEGORIES:
        assert entries[CATEGORY_TITLES[category]] == f"#category-{category}"
    body = article(site, "")
    for href in entries.values():
        assert body.find(id=href[1:]) is not None, f"{href} in the table of contents leads nowhere"
