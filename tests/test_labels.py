"""Names, not ids: option, outcome and category labels and the client contact, as the
sample writes them (SPEC v2 sections 2 and 3), on both sites."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import article, page, sample_sites, text

pytestmark = pytest.mark.site


def now_shown(site: Path, url: str) -> str:
    """A page's text as it stands now: without its history, which quotes what it said before
    (an outcome named by its id before it had a label)."""
    body = article(site, url)
    before = []
    for piece in body.find_all(string=True):
        if piece.find_parent(id="history") is not None or piece.find_previous(id="history") is not None:
            break
        before.append(piece)
    return " ".join(" ".join(before).split())


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return sample_sites(tmp_path_factory)


@pytest.fixture(scope="module")
def sample_site(sites: Path) -> Path:
    return sites / "internal"


@pytest.fixture(scope="module")
def client_site(sites: Path) -> Path:
    return sites / "client"


def test_choice_options_show_their_labels_not_their_ids(sample_site: Path) -> None:
    body = article(sample_site, "decisions/client-complaint/")
    shown = now_shown(sample_site, "decisions/client-complaint/")
    assert "紧急 / Critical" in shown and "重要 / Major" in shown
    # the branch to the emergency path reads as the label
    row = body.find(id="stage-acknowledge").find_parent("tr")
    assert "严重程度 / Severity = 紧急 / Critical" in text(row)
    assert "= critical" not in shown


def test_outcomes_show_their_labels(sample_site: Path, client_site: Path) -> None:
    for site in (sample_site, client_site):
        shown = now_shown(site, "decisions/client-complaint/")
        assert "已解决 / Resolved" in shown and "重新处理 / Reopened" in shown
        assert "resolved" not in shown.replace("Resolved", "")


def test_the_calculator_offers_option_labels_but_keeps_ids_as_values(client_site: Path) -> None:
    body = page(client_site, "decisions/client-complaint/")
    select = body.find("select", attrs={"data-dp-input": "severity"})
    options = [(o["value"], text(o)) for o in select.find_all("option") if o["value"]]
    assert options == [("critical", "紧急 / Critical"), ("major", "重要 / Major"), ("minor", "一般 / Minor")]


def test_categories_show_their_titles_in_the_menu_and_on_pages(sample_site: Path) -> None:
    home = text(page(sample_site, ""))
    assert "客户服务 / Client service" in home and "财务 / Finance" in home
    assert "客户服务 / Client service" in text(article(sample_site, "decisions/client-complaint/"))


def test_the_client_page_says_whom_to_contact_when_the_date_has_passed(client_site: Path) -> None:
    contact = article(client_site, "decisions/client-complaint/").select_one(".dp-contact")
    assert contact is not None
    assert text(contact) == "如已超过承诺日期,请联系: 客户服务热线 400-000-0000 / service@example.com"
