"""What readers get from the matrix, the feed and the search, as data (no site build).

The built pages and the browser are in test_readers_site.py and test_readers_browser.py.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from site_helpers import REPO

from decision_paths.model import people as queries
from decision_paths.model.audience import SITES
from decision_paths.model.history import ChangeNote
from decision_paths.model.organisation import Audience, Organisation
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.plan.feed import atom_feed, feed_href
from decision_paths.plan.pages import PlanOptions, plan_site
from decision_paths.plan.urls import FEED_PATH
from decision_paths.render.mkdocs_plugin import mend_search_worker

TODAY = dt.date(2026, 11, 23)
ZH = words("zh")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def org() -> Organisation:
    return validate_folder(str(REPO / "decisions"), TODAY).org


# ---------------------------------------------------------------- the matrix


def test_every_role_column_names_the_people_who_hold_it(org: Organisation) -> None:
    matrix = plan_site(org, PlanOptions(TODAY, "zh", ZH), SITES[Audience.INTERNAL]).matrix
    assert matrix is not None and len(matrix.holders) == len(matrix.columns)
    for column, holders in zip(matrix.columns, matrix.holders, strict=True):
        role = next(r for r in org.roles.values() if r.title == column.text)
        assert [h.text for h in holders] == [org.people[ref.id].name for ref in role.held_by]
        assert [h.href for h in holders] == [f"../people/{ref.id}/" for ref in role.held_by]


def test_one_persons_view_keeps_the_columns_of_the_roles_they_hold(org: Organisation) -> None:
    matrix = plan_site(org, PlanOptions(TODAY, "zh", ZH), SITES[Audience.INTERNAL]).matrix
    assert matrix is not None
    titles = [c.text for c in matrix.columns]
    listed = {p.person.text: p for p in matrix.people}
    for person in org.people.values():
        held = sorted(titles.index(r.title) for r in queries.roles_of(org, person) if r.title in titles)
        if not held:
            assert person.name not in listed, person.id  # nothing to show for them
            continue
        entry = listed[person.name]
        assert list(entry.columns) == held, person.id
        assert entry.person.href == f"../people/{person.id}/"
    # 陈静 holds the finance controller role only
    assert [titles[i] for i in listed["陈静"].columns] == ["财务总监 / Finance Controller"]


# ---------------------------------------------------------------- the feed


def test_feed_links_are_relative_without_site_url_and_under_it_with_one() -> None:
    assert feed_href(None, "decisions/refund-request/") == "decisions/refund-request/"
    assert feed_href(None, ".") == "."
    assert feed_href("https://example.com/rules/", "decisions/x/") == "https://example.com/rules/decisions/x/"
    assert feed_href("https://example.com/rules", "decisions/x/") == "https://example.com/rules/decisions/x/"
    assert feed_href("https://example.com/rules/", ".") == "https://example.com/rules/"
    assert feed_href("https://example.com/", "feed.xml") == "https://example.com/feed.xml"


def note(subject: str) -> ChangeNote:
    return ChangeNote("a" * 40, dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), subject, "T", ("a line",))


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("site_url", [None, "https://example.com/rules/"])
def test_planned_feed_links_lead_to_the_pages_from_the_feeds_folder(
    org: Organisation, directory_urls: bool, site_url: str | None
) -> None:
    options = PlanOptions(
        TODAY,
        "zh",
        ZH,
        use_directory_urls=directory_urls,
        history=(note("refund-request"), note("shared")),
        site_url=site_url,
    )
    feed = ET.fromstring(plan_site(org, options, SITES[Audience.INTERNAL]).extra_files[FEED_PATH])
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]  # type: ignore[union-attr]
    base = site_url or ""
    page = "decisions/refund-request/" if directory_urls else "decisions/refund-request.html"
    changes = "changes/" if directory_urls else "changes.html"
    assert links == [base + page, base + changes]
    own = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert own == {"self": base + "feed.xml", "alternate": base + changes}


def test_feed_escapes_its_links() -> None:
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    raw = atom_feed("t", None, [("s", "x", when, "t", 'a"b&c/', (), None)])
    entry = ET.fromstring(raw).find(f"{ATOM}entry")
    assert entry is not None and entry.find(f"{ATOM}link").get("href") == 'a"b&c/'  # type: ignore[union-attr]


# ---------------------------------------------------------------- the search worker

# Material's segmenter as its minified worker writes it (9.x): the inner loop stops one short.
SEGMENTER = (
    "function fe(t,e){let r=new Set,n=new Uint16Array(t.length);for(let s=0;s<t.length;s++)"
    "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s);let i=[0];"
)


def test_the_search_worker_segments_up_to_the_querys_last_character(tmp_path: Path) -> None:
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    worker = workers / "search.0123abcd.min.js"
    worker.write_text("var a=1;" + SEGMENTER + "var b=2;", encoding="utf-8")
    assert mend_search_worker(str(tmp_path))
    mended = SEGMENTER.replace("o<t.length", "o<=t.length")
    assert worker.read_text(encoding="utf-8") == "var a=1;" + mended + "var b=2;"
    assert not mend_search_worker(str(tmp_path))  # mended once; a mended or fixed worker is left alone


def test_the_installed_material_still_has_the_segmenter_we_mend(tmp_path: Path) -> None:
    # When this fails, Material changed its worker: check whether Chinese queries still
    # reach their last character (test_readers_browser), then drop or adapt the mend.
    import material

    shipped = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    (target := tmp_path / "assets" / "javascripts" / "workers").mkdir(parents=True)
    for worker in shipped.glob("search.*.min.js"):
        (target / worker.name).write_bytes(worker.read_bytes())
    assert mend_search_worker(str(tmp_path))
