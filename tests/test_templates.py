"""A site's own templates, as docs/templates.md tells editors to write them."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import TODAY, article, copy_sample, run_cli, text

pytestmark = pytest.mark.site

CONFIG = """\
site_name: Acme Rules
theme:
  name: material
  language: en
  font: false
  custom_dir: overrides
"""

# The example in docs/en/templates.md, word for word (docs/templates.md has it in Chinese).
EXTRA_COLUMN = """\
{% extends "default/decision.html" %}
{% block stage_extra_header %}<th>Ticket status</th>{% endblock %}
{% block stage_extra_cells %}<td><code>{{ stage.id }}</code></td>{% endblock %}
"""


def build(root: Path) -> Path:
    done = run_cli(
        "build", "--audience", "internal", "--out", "out", "--today", TODAY,
        cwd=root, env={"DECISION_PATHS_CACHE": str(root / "cache")},
    )  # fmt: skip
    assert done.code == 0, done.err
    return root / "out" / "internal"


def test_the_documented_override_adds_a_column_to_every_stage_table(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "overrides" / "decision-paths").mkdir(parents=True)
    (tmp_path / "overrides" / "decision-paths" / "decision.html").write_text(EXTRA_COLUMN, encoding="utf-8")
    docs = Path(__file__).parent.parent / "docs"
    shown = "\n".join("    " + line for line in EXTRA_COLUMN.splitlines())
    assert shown in (docs / "en" / "templates.md").read_text(encoding="utf-8"), "the doc shows this very file"
    # and the Chinese page the same file, with the column's heading in Chinese
    assert shown.replace("Ticket status", "工单状态") in (docs / "templates.md").read_text(encoding="utf-8")
    site = build(tmp_path)
    table = article(site, "decisions/refund-request/").find(id="stage-intake").find_parent("table")
    assert [text(th) for th in table.find("thead").find_all("th")][-1] == "Ticket status"
    rows = table.find("tbody").find_all("tr")
    assert [text(row.find_all("td")[-1]) for row in rows] == [
        "intake",
        "finance-check",
        "delivery-assessment",
        "finance-approval",
        "senior-approval",
        "payment",
    ]
    # Everything else on the page is the built-in page.
    headings = [text(h).removesuffix("¶").strip() for h in article(site, "decisions/refund-request/").find_all("h2")]
    assert headings[:3] == ["Diagram", "Stages", "What chooses the path"]


def test_an_override_escapes_what_people_wrote(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "overrides" / "decision-paths").mkdir(parents=True)
    (tmp_path / "overrides" / "decision-paths" / "decision.html").write_text(
        '{% extends "default/decision.html" %}{% block facts %}<p id="x">{{ page.title }}</p>{% endblock %}',
        encoding="utf-8",
    )
    refund = tmp_path / "decisions" / "finance" / "refund-request.yaml"
    source = refund.read_text(encoding="utf-8")
    refund.write_text(
        source.replace("title: 退款申请 / Refund requests", 'title: "<script>alert(1)</script> & refunds"', 1),
        encoding="utf-8",
    )
    site = build(tmp_path)
    body = article(site, "decisions/refund-request/")
    assert text(body.find(id="x")) == "<script>alert(1)</script> & refunds"
    assert body.find("script", string=lambda s: s and "alert" in s) is None
