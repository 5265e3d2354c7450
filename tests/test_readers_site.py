"""The built sites as readers and crawlers get them: sitemap, feed and 404 under a
sub-path, the palette, the matrix's markup and the labels that turn tables into cards.

Three builds of the sample: the shared one (repository mkdocs.yml, no site_url), the
client site the same way, and both sites with site_url https://example.com/rules/.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_helpers import (
    REPO,
    TODAY,
    Run,
    article,
    build_cli,
    copy_sample,
    html_pages,
    page,
    sample_client_site,
    sample_site,
    shared_build,
    soup,
    text,
)
from test_client_site import canaries_in, write_canary_org

from decision_paths.model.organisation import Audience, Organisation
from decision_paths.pipeline import validate_folder
from decision_paths.render.mkdocs_plugin import mend_search_worker

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("readers_site")]

SITE_URL = "https://example.com/rules/"
SUB_PATH = urlsplit(SITE_URL).path  # /rules/
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def subpath_sites(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The sample's two sites with site_url under a sub-path, built once per test session:
    OUT/internal (from mkdocs.yml) and OUT/client (from mkdocs.client.yml)."""

    def build(base: Path) -> Run:
        (base / "mkdocs.yml").write_text(
            f"INHERIT: {REPO / 'mkdocs.yml'}\nsite_url: {SITE_URL}\ndocs_dir: {REPO / 'docs'}\n", encoding="utf-8"
        )
        (base / "mkdocs.client.yml").write_text(
            f"INHERIT: {REPO / 'mkdocs.client.yml'}\nsite_url: {SITE_URL}\n", encoding="utf-8"
        )
        for audience, config in (("internal", "mkdocs.yml"), ("client", "mkdocs.client.yml")):
            done = build_cli(
                REPO, base / "out", "--config-file", str(base / config), cache=base / "cache", audience=audience
            )
            if done.code != 0:
                break
        return done

    return shared_build("subpath", tmp_path_factory, build)


def plain_client_site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The sample's client site from mkdocs.client.yml, without site_url."""
    return sample_client_site(tmp_path_factory)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return sample_site(tmp_path_factory)


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return plain_client_site(tmp_path_factory)


@pytest.fixture(scope="module")
def subpath(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return subpath_sites(tmp_path_factory)


@pytest.fixture(scope="module")
def builtin(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A folder holding only decisions/: the built-in configuration."""
    base = copy_sample(tmp_path_factory.mktemp("builtin"))
    done = build_cli(base, base / "out", cache=base / "cache")
    assert done.code == 0, done.out + done.err
    return base / "out" / "internal"


@pytest.fixture(scope="module")
def model() -> Organisation:
    return validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY)).org


def page_urls(root: Path) -> set[str]:
    """Every page's address relative to the site root ('' for the home page), 404 aside."""
    urls = set()
    for path in html_pages(root):
        relative = path.relative_to(root).as_posix()
        if relative != "404.html":
            urls.add(relative.removesuffix("index.html"))
    return urls


def resolves(root: Path, relative: str) -> bool:
    """Whether a link relative to the site root names a file of the site."""
    target = root / relative
    return (target / "index.html").is_file() if relative.endswith("/") or relative == "" else target.is_file()


# ---------------------------------------------------------------- sitemap


def test_without_site_url_there_is_no_sitemap(site: Path, client: Path) -> None:
    # A sitemap lists absolute addresses; without site_url there are none to give.
    for root in (site, client):
        assert not (root / "sitemap.xml").exists(), root
        assert not (root / "sitemap.xml.gz").exists(), root


def sitemap_locs(root: Path) -> list[str]:
    tree = ET.parse(root / "sitemap.xml").getroot()
    assert gzip.decompress((root / "sitemap.xml.gz").read_bytes()) == (root / "sitemap.xml").read_bytes()
    return [loc.text or "" for loc in tree.iter(f"{SITEMAP}loc")]


def test_with_site_url_the_sitemap_lists_every_page_by_its_absolute_address(subpath: Path) -> None:
    internal = subpath / "internal"
    locs = sitemap_locs(internal)
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(SITE_URL) for loc in locs), locs
    assert {loc.removeprefix(SITE_URL) for loc in locs} == page_urls(internal)
    assert {"", "matrix/", "roles/finance-controller/", "people/chen-jing/", "how-to-read/"} <= {
        loc.removeprefix(SITE_URL) for loc in locs
    }


def test_the_client_sitemap_lists_only_client_pages(subpath: Path, model: Organisation) -> None:
    client = subpath / "client"
    listed = {loc.removeprefix(SITE_URL) for loc in sitemap_locs(client)}
    assert listed == page_urls(client)
    client_ids = {d.id for d in model.decisions.values() if d.audience is Audience.CLIENT}
    assert listed == {"", "calendars/", "changes/", *(f"decisions/{d}/" for d in client_ids)}
    internal_ids = set(model.decisions) - client_ids
    raw = (client / "sitemap.xml").read_text(encoding="utf-8")
    for word in ("roles/", "people/", "matrix/", "how-to-", *internal_ids):
        assert word not in raw, word


def test_a_client_sitemap_leaks_nothing(tmp_path: Path) -> None:
    # The leak test's organisation (test_client_site), built with site_url, so it has a sitemap.
    org = write_canary_org(tmp_path)
    (tmp_path / "mkdocs.client.yml").write_text(f"site_name: Clients\nsite_url: {SITE_URL}\n", encoding="utf-8")
    done = build_cli(tmp_path, tmp_path / "out", cache=tmp_path / "cache", audience="client")
    assert done.code == 0, done.out + done.err
    client = tmp_path / "out" / "client"
    assert {loc.removeprefix(SITE_URL) for loc in sitemap_locs(client)} == page_urls(client)
    assert canaries_in(client) == {}
    assert org.folder.is_dir()


# ---------------------------------------------------------------- feed


def feed_links(root: Path) -> tuple[dict[str, str], list[str]]:
    feed = ET.parse(root / "feed.xml").getroot()
    own = {link.get("rel") or "": link.get("href") or "" for link in feed.findall(f"{ATOM}link")}
    entries = [e.find(f"{ATOM}link").get("href") or "" for e in feed.findall(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert entries, f"no entries in {root / 'feed.xml'}"
    return own, entries


@pytest.mark.parametrize("audience", ["internal", "client"])
def test_feed_links_stay_under_the_sub_path(subpath: Path, audience: str) -> None:
    root = subpath / audience
    own, entries = feed_links(root)
    assert own == {"self": SITE_URL + "feed.xml", "alternate": SITE_URL + "changes/"}
    for link in entries:
        assert link.startswith(SITE_URL), link
        assert resolves(root, link.removeprefix(SITE_URL)), link


def test_feed_links_without_site_url_are_relative_to_the_feed(site: Path) -> None:
    own, entries = feed_links(site)
    assert own == {"self": "feed.xml", "alternate": "changes/"}
    for link in entries:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc and not link.startswith("/"), link
        assert resolves(site, posixpath.normpath(link) + ("/" if link.endswith("/") else "")), link
    # the changes page links to the feed relative to itself
    subscribe = [a["href"] for a in article(site, "changes/").find_all("a", href=True) if "feed.xml" in a["href"]]
    assert subscribe == ["../feed.xml"]


# ---------------------------------------------------------------- 404


def test_the_404_page_under_a_sub_path_loads_everything_from_it(subpath: Path) -> None:
    for audience in ("internal", "client"):
        root = subpath / audience
        tree = soup(root / "404.html")
        local = [
            value
            for tag in tree.find_all(True)
            for attribute in ("href", "src")
            if (value := tag.get(attribute)) and not value.startswith(("http:", "https:", "mailto:", "#"))
        ]
        assert any("decision-paths.css" in u for u in local) and any("decision-paths.js" in u for u in local)
        for url in local:
            assert url.startswith(SUB_PATH), f"{audience}/404.html: {url} leaves {SUB_PATH}"
            relative = url.removeprefix(SUB_PATH)
            relative = "" if relative == "." else relative
            assert resolves(root, relative), f"{audience}/404.html: {url} names no file"
        config = json.loads(tree.select_one("#__config").get_text())
        assert config["base"] == SUB_PATH and config["search"].startswith(SUB_PATH)


def test_the_404_page_without_site_url_links_from_the_site_root(site: Path, client: Path) -> None:
    """Without site_url MkDocs links its error page from "/", which leaves a sub-path or a
    folder opened as files unstyled. Its links are relative to the site's root (the page's own
    folder), and a script sets <base> to the root where the page is served (test_readers_browser)."""
    for root in (site, client):
        raw = (root / "404.html").read_bytes()
        tree = soup(root / "404.html")
        local = [
            value
            for tag in tree.find_all(True)
            for attribute in ("href", "src")
            if (value := tag.get(attribute)) and not value.startswith(("http:", "https:", "mailto:", "#"))
        ]
        assert any("decision-paths.css" in u for u in local) and any("bundle" in u for u in local)
        for url in local:
            assert not url.startswith("/"), f"{root.name}/404.html: {url} is root-absolute"
            relative = posixpath.normpath(url)
            assert resolves(root, "" if relative == "." else relative + ("/" if url.endswith("/") else "")), url
        config = json.loads(tree.select_one("#__config").get_text())
        assert config["base"] == "." and not config["search"].startswith("/")
        # the script that finds the root comes first, and knows the site's sections...
        first = tree.head.find("script")
        assert first is not None and '"decisions"' in first.string and "<base" not in first.string
        assert raw.index(b"<script>") < raw.index(b'<meta charset="utf-8">') < 1024  # ...and the charset still counts
    # the pages themselves are as before: no <base>, and only 404.html is special
    assert soup(site / "index.html").find("base") is None


# ---------------------------------------------------------------- palette and search settings


def test_every_configuration_follows_the_systems_colour_scheme(site: Path, client: Path, builtin: Path) -> None:
    # mkdocs.yml, mkdocs.client.yml and the built-in configuration
    for root in (site, client, builtin):
        options = [
            (i.get("data-md-color-media"), i.get("data-md-color-scheme"))
            for i in page(root, "").select("input[name=__palette]")
        ]
        assert options == [("(prefers-color-scheme: light)", "default"), ("(prefers-color-scheme: dark)", "slate")]
        # and the search matches what people type, unstemmed (no 'financ' for 'finance')
        config = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
        assert "stemmer" not in config["pipeline"], root


def test_the_built_search_worker_is_mended(site: Path, client: Path) -> None:
    # Nothing left to mend: the build did it (test_readers checks that Material needs it).
    for root in (site, client):
        assert list((root / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
        assert not mend_search_worker(str(root))


# ---------------------------------------------------------------- the matrix's markup


def test_the_matrix_names_holders_and_offers_each_persons_view(site: Path, model: Organisation) -> None:
    body = article(site, "matrix/")
    tools = body.select_one("[data-dp-tools]")
    assert tools is not None and tools.has_attr("hidden"), "the filter and picker need JavaScript: hidden without it"
    heads = body.select(".dp-matrix thead th")[1:]
    roles = {}
    for th in heads:
        role_id = th.find("a")["href"].split("roles/")[1].strip("/")
        role = model.roles[role_id]
        holders = [(a["href"], text(a)) for a in th.select(".dp-holders a")]
        assert holders == [(f"../people/{ref.id}/", model.people[ref.id].name) for ref in role.held_by], role_id
        roles[len(roles)] = role_id
    options = body.select("select[data-dp-person] option")
    assert options[0]["value"] == "" and text(options[0]) == "所有人"
    for option in options[1:]:
        person = next(p for p in model.people.values() if p.name == text(option))
        assert option["data-dp-href"] == f"../people/{person.id}/"
        shown = {roles[int(i)] for i in option["data-dp-columns"].split()}
        assert shown == {r for r in roles.values() if person.id in {h.id for h in model.roles[r].held_by}}, person.id


def test_matrix_cells_carry_their_columns_title(site: Path) -> None:
    table = article(site, "matrix/").select_one(".dp-matrix table")
    titles = [text(th.find("a")) for th in table.select("thead th")[1:]]
    for row in table.select("tbody tr"):
        cells = row.find_all("td")
        assert cells[0]["data-label"] == "决策"
        assert [td["data-label"] for td in cells[1:]] == titles


# ---------------------------------------------------------------- cards on phones


def assert_labelled(table, where: str) -> None:  # type: ignore[no-untyped-def]
    header = [text(th) for th in table.select("thead th")]
    for row in table.select("tbody tr"):
        labels = [td.get("data-label") for td in row.find_all("td")]
        assert labels == header, f"{where}: cells {labels} under columns {header}"


def test_stage_tables_label_every_cell_with_its_column(site: Path, model: Organisation) -> None:
    for decision_id in model.decisions:
        body = article(site, f"decisions/{decision_id}/")
        stages = body.select_one("#stages").find_next("table")
        assert_labelled(stages, f"decisions/{decision_id}/ stage table")


def test_duty_tables_label_every_cell_with_its_column(site: Path, model: Organisation) -> None:
    urls = [f"roles/{r}/" for r in model.roles] + [f"people/{p}/" for p in model.people]
    checked = 0
    for url in urls:
        for table in article(site, url).find_all("table"):
            assert_labelled(table, url)
            checked += 1
    assert checked >= len(model.roles)
