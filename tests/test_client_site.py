"""The client site (SPEC section 7): what clients see, and the leak test.

An organisation where every internal field holds a unique canary string is
built for both audiences. No file of the client site may contain any canary
(HTML, search index, sitemaps, scripts, data, styles, file names); the
internal site must contain every canary that it shows, so the test can fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, Org
from site_helpers import sample_client_site

from decision_paths.model.audience import INTERNAL_TEAM, client_view
from decision_paths.model.organisation import Audience, Visibility
from decision_paths.model.tracking import TRACKING_FOLDER
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder
from decision_paths.render.tracking import tracking_address, tracking_key, unseal

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("client_site")]

COMMAND = REPO / ".venv" / "bin" / "decision-paths"
TODAY = "2026-11-23"

SHARED = """\
people:
  canary-person-id-1: {name: CANARY-PERSON-NAME-1, email: canary-email-1@canary.invalid}
  canary-person-id-2: {name: CANARY-PERSON-NAME-2, email: canary-email-2@canary.invalid}
  canary-person-id-3: {name: CANARY-PERSON-NAME-3, email: canary-email-3@canary.invalid}
  canary-person-id-4:
    name: CANARY-PERSON-NAME-4
    email: canary-email-4@canary.invalid
    away: {from: 2026-11-01, until: 2026-12-31}
  canary-person-id-5: {name: CANARY-PERSON-NAME-5, email: canary-email-5@canary.invalid}
roles:
  client-visible-role:
    title: Client Visible Role Title
    held_by: [canary-person-id-1]
    backup: [canary-internal-role-id]
  canary-internal-role-id:
    title: CANARY-INTERNAL-ROLE-TITLE
    held_by: [canary-person-id-4]
    backup: [canary-person-id-5]
    visibility: internal
  canary-unused-role-id:
    title: CANARY-UNUSED-ROLE-TITLE
    held_by: [canary-person-id-3]
calendars:
  office: {country: CN, timezone: Asia/Shanghai, closed: [2026-12-31]}
"""

# A client decision in a canary category folder: internal stages (one the target of a
# branch), a person directly in `who` and in `escalate_to`, a person as owner.
CLIENT_REQUEST = """\
title: Client Request Title
summary: Client visible summary of the request.
owner: canary-person-id-5
audience: client
reviewed: 2026-10-01
review_every: 180 days
inputs:
  amount: {label: Amount requested, type: number}
start: intake
stages:
  intake:
    title: Client Intake Step
    who: client-visible-role
    does: CANARY-DOES-1
    within: 1 business day
    escalate_to: canary-person-id-3
    next: canary-internal-stage
  canary-internal-stage:
    title: CANARY-INTERNAL-STAGE-TITLE-1
    who: canary-internal-role-id
    does: CANARY-DOES-2
    within: 2 business days
    escalate_to: canary-internal-role-id
    visibility: internal
    next:
      - when: {amount: ">1000"}
        go: canary-second-internal-stage
      - otherwise: person-step
  canary-second-internal-stage:
    title: CANARY-INTERNAL-STAGE-TITLE-2
    who: {all: [client-visible-role, canary-person-id-2]}
    does: CANARY-DOES-3
    within: 4 business hours
    visibility: internal
    next: answer
  person-step:
    title: Person Step Title
    who: {any: [canary-person-id-2, canary-internal-role-id, client-visible-role]}
    does: CANARY-DOES-4
    within: 3 hours
    escalate_to: canary-internal-role-id
    next: answer
  answer:
    title: Answer Step Title
    who: canary-person-id-2
    within: 2 calendar days
    escalate_to: client-visible-role
    outcomes: [approved, declined]
notes: |
  CANARY-NOTES-1 with **bold** text and a [link](https://canary-notes-link.invalid/).
client_notes: |
  Client notes visible text.
"""

# A client decision whose first stage is internal, owned by an internal role, with a category field.
SECOND_CLIENT = """\
title: Second Client Title
summary: Second summary for clients.
category: canary-category-field
owner: canary-internal-role-id
audience: client
reviewed: 2026-10-01
review_every: 180 days
inputs:
  urgent: {label: Urgent request, type: yes-no}
start: canary-start-stage
stages:
  canary-start-stage:
    title: CANARY-INTERNAL-STAGE-TITLE-3
    who: canary-person-id-1
    does: CANARY-DOES-6
    within: 1 week
    visibility: internal
    next:
      - when: {urgent: true}
        go: fast
      - otherwise: slow
  fast:
    title: Fast Step Title
    who: client-visible-role
    within: 2 business hours
  slow:
    title: Slow Step Title
    who: client-visible-role
    within: 1.5 business hours
"""

INTERNAL_DECISION = """\
title: CANARY-INTERNAL-DECISION-TITLE
summary: CANARY-INTERNAL-DECISION-SUMMARY
owner: canary-unused-role-id
reviewed: 2026-10-01
review_every: 180 days
start: canary-internal-decision-stage
stages:
  canary-internal-decision-stage:
    title: CANARY-INTERNAL-DECISION-STAGE-TITLE
    who: canary-unused-role-id
    does: CANARY-DOES-5
    within: 1 week
    outcomes: [canary-internal-outcome]
notes: CANARY-NOTES-2
client_notes: CANARY-INTERNAL-CLIENT-NOTES
"""

# The first version, committed before the files above replace it: the change history
# (pages, the "what changed" page and the Atom feed) must not carry the internal parts of it
# either, nor who committed it and why.
OLD_SHARED = (
    SHARED.replace("CANARY-INTERNAL-ROLE-TITLE", "CANARY-OLD-ROLE-TITLE")
    .replace("    held_by: [canary-person-id-4]\n", "    held_by: [canary-person-id-4, canary-old-person-id]\n")
    .replace(
        "roles:\n",
        "  canary-old-person-id: {name: CANARY-OLD-PERSON-NAME, email: canary-old-email@canary.invalid}\nroles:\n",
        1,
    )
)
OLD_CLIENT_REQUEST = (
    CLIENT_REQUEST.replace("    title: Client Intake Step\n", "    title: Old Client Step Title\n")
    .replace(
        "    within: 1 business day\n    escalate_to: canary-person-id-3",
        "    within: 2 business days\n    escalate_to: canary-old-person-id",
    )
    .replace("CANARY-INTERNAL-STAGE-TITLE-1", "CANARY-OLD-INTERNAL-STAGE-TITLE")
    .replace("CANARY-DOES-2", "CANARY-OLD-DOES")
    .replace("CANARY-NOTES-1", "CANARY-OLD-NOTES")
    .replace(
        "    who: canary-internal-role-id\n    does: CANARY-OLD-DOES",
        "    who: canary-old-person-id\n    does: CANARY-OLD-DOES",
    )
)
REMOVED_DECISION = INTERNAL_DECISION.replace("CANARY-INTERNAL-DECISION", "CANARY-REMOVED-DECISION").replace(
    "canary-internal-decision", "canary-removed-decision"
)
GIT_AUTHORS = [
    ("CANARY-GIT-AUTHOR-1", "canary-git-1@canary.invalid", "CANARY-COMMIT-MESSAGE-1"),
    ("CANARY-GIT-AUTHOR-2", "canary-git-2@canary.invalid", "CANARY-COMMIT-MESSAGE-2"),
]

CANARIES = [
    *(f"canary-person-id-{n}" for n in range(1, 6)),
    *(f"CANARY-PERSON-NAME-{n}" for n in range(1, 6)),
    *(f"canary-email-{n}@canary.invalid" for n in range(1, 6)),
    *(f"CANARY-DOES-{n}" for n in range(1, 7)),
    "CANARY-NOTES-1",
    "canary-notes-link.invalid",
    "CANARY-NOTES-2",
    "canary-internal-stage",
    "canary-second-internal-stage",
    "canary-start-stage",
    "CANARY-INTERNAL-STAGE-TITLE-1",
    "CANARY-INTERNAL-STAGE-TITLE-2",
    "CANARY-INTERNAL-STAGE-TITLE-3",
    "canary-internal-role-id",
    "CANARY-INTERNAL-ROLE-TITLE",
    "canary-unused-role-id",
    "CANARY-UNUSED-ROLE-TITLE",
    "canary-internal-decision",
    "CANARY-INTERNAL-DECISION-TITLE",
    "CANARY-INTERNAL-DECISION-SUMMARY",
    "canary-internal-decision-stage",
    "CANARY-INTERNAL-DECISION-STAGE-TITLE",
    "canary-internal-outcome",
    "CANARY-INTERNAL-CLIENT-NOTES",
    "canary-category-folder",
    "canary-category-field",
    "CANARY-HANDWRITTEN-DOC",
    "canary-handwritten-page",
    "CANARY-HANDWRITTEN-IMAGE",
    "canary-handwritten-image",
    # history
    "CANARY-GIT-AUTHOR-1",
    "CANARY-GIT-AUTHOR-2",
    "canary-git-1@canary.invalid",
    "canary-git-2@canary.invalid",
    "CANARY-COMMIT-MESSAGE-1",
    "CANARY-COMMIT-MESSAGE-2",
    "canary-old-person-id",
    "CANARY-OLD-PERSON-NAME",
    "canary-old-email@canary.invalid",
    "CANARY-OLD-ROLE-TITLE",
    "CANARY-OLD-INTERNAL-STAGE-TITLE",
    "CANARY-OLD-DOES",
    "CANARY-OLD-NOTES",
    "canary-removed-decision",
    "CANARY-REMOVED-DECISION-TITLE",
    "CANARY-REMOVED-DECISION-SUMMARY",
    # The case record (SPEC 11): case ids, and the internal reasons of pauses and withdrawals.
    "CANARY-CASE",
    "CANARY-REASON-1",
    "CANARY-REASON-2",
    "CANARY-REASON-3",
    "CANARY-REASON-4",
]
# client_notes are shown only on the client site (SPEC section 3), so the internal site
# does not show them either; an internal decision's client_notes are shown nowhere.
NOT_SHOWN_INTERNALLY = {"CANARY-INTERNAL-CLIENT-NOTES"}
# History: only what changed is shown (internally), so some old values are shown nowhere.
NOT_SHOWN_INTERNALLY |= {
    "canary-git-1@canary.invalid",
    "canary-git-2@canary.invalid",
    "canary-old-email@canary.invalid",
    "CANARY-REMOVED-DECISION-SUMMARY",
    "canary-old-person-id",  # the history names a person by name (CANARY-OLD-PERSON-NAME), never by id
    "CANARY-OLD-DOES",
    "CANARY-OLD-NOTES",
}
# The record's reasons are internal notes for the team's own tools: no page shows them.
NOT_SHOWN_INTERNALLY |= {"CANARY-REASON-1", "CANARY-REASON-2", "CANARY-REASON-3", "CANARY-REASON-4"}
# The tracking pages (SPEC 11) are built with this secret and read back with it.
SECRET = "canary-test-secret-0123456789abcdef"


def dp(*args: str, cwd: Path, secret: str = "") -> subprocess.CompletedProcess:
    assert COMMAND.exists(), f"the console command is not installed at {COMMAND}"
    env = {**os.environ, "DECISION_PATHS_TRACKING_SECRET": secret}
    return subprocess.run([str(COMMAND), *args], cwd=cwd, capture_output=True, encoding="utf-8", timeout=300, env=env)


def git(root: Path, *args: str, author: tuple[str, str, str] = GIT_AUTHORS[0]) -> None:
    name, email, _ = author
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": "2026-10-01T10:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-10-01T10:00:00+08:00",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr


RECORD_COLUMNS = ["case", "decision", "event", "stage", "at", "by", "inputs", "until", "reason", "client_note"]


def recent_rows() -> list[list[str]]:
    """CANARY-CASE-RECENT, answered ten days before the build's day, so it has a tracking page:
    paused at an internal stage and delayed, each with a canary reason and a note for the client."""

    def row(event: str, stage: str, at: str, by: str = "", **more: str) -> list[str]:
        cells = {"inputs": "", "until": "", "reason": "", "client_note": "", **more}
        return ["CANARY-CASE-RECENT", "client-request", event, stage, f"2026-11-{at}:00+08:00", by, *cells.values()]

    return [
        row("received", "", "09T09:00", inputs="amount=500"),
        row("done", "intake", "09T10:00", "canary-person-id-1"),
        row(
            "paused",
            "canary-internal-stage",
            "09T11:00",
            reason="CANARY-REASON-3",
            client_note="We wait for your receipt",
        ),
        row("resumed", "canary-internal-stage", "10T10:00"),
        row(
            "delayed",
            "canary-internal-stage",
            "10T11:00",
            until="2026-11-13T18:00:00+08:00",
            reason="CANARY-REASON-4",
            client_note="We need two more days",
        ),
        row("done", "canary-internal-stage", "12T10:00", "canary-person-id-4"),
        row("done", "person-step", "12T12:00", "canary-person-id-2"),
        row("done", "answer", "12T13:00", "canary-person-id-2"),
    ]


def write_canary_record(root: Path) -> None:
    """cases/record.csv beside the decisions: 22 client requests answered in Q3 2026 (enough
    to publish), each stage done by a canary person; one paused and one withdrawn with a
    canary reason; one done by someone who may not act there; one open and overdue now."""
    rows = []
    day = dt.date(2026, 7, 6)
    for number in range(22):
        while day.weekday() > 3:
            day += dt.timedelta(days=1)
        case = f"CANARY-CASE-{number:02d}"

        def at(hour: int, day: dt.date = day) -> str:
            return f"{day.isoformat()}T{hour:02d}:00:00+08:00"

        intake_by = "canary-person-id-3" if number == 5 else "canary-person-id-1"  # 3 may not act there
        rows += [
            [case, "client-request", "received", "", at(9), "", "amount=500", "", "", ""],
            [case, "client-request", "done", "intake", at(10), intake_by, "", "", "", ""],
            [case, "client-request", "done", "canary-internal-stage", at(11), "canary-person-id-4", "", "", "", ""],
            [case, "client-request", "done", "person-step", at(12), "canary-person-id-2", "", "", "", ""],
            [case, "client-request", "done", "answer", at(13), "canary-person-id-2", "", "", "", ""],
        ]
        if number == 1:
            rows.insert(
                -3,
                [
                    case,
                    "client-request",
                    "paused",
                    "canary-internal-stage",
                    at(10),
                    "",
                    "",
                    "",
                    "CANARY-REASON-1",
                    "We asked you for the invoice",
                ],
            )
            rows.insert(-3, [case, "client-request", "resumed", "canary-internal-stage", at(11), "", "", "", "", ""])
        day += dt.timedelta(days=1)
    rows += [
        [
            "CANARY-CASE-WITHDRAWN",
            "client-request",
            "received",
            "",
            "2026-08-03T09:00:00+08:00",
            "",
            "amount=500",
            "",
            "",
            "",
        ],
        [
            "CANARY-CASE-WITHDRAWN",
            "client-request",
            "withdrawn",
            "",
            "2026-08-03T15:00:00+08:00",
            "",
            "",
            "",
            "CANARY-REASON-2",
            "",
        ],
        # Answered a week ago, so it has a tracking page: paused at an internal stage and delayed,
        # each with a canary reason and a note for the client.
        *recent_rows(),
        [
            "CANARY-CASE-OVERDUE",
            "client-request",
            "received",
            "",
            "2026-11-18T09:00:00+08:00",
            "",
            "amount=500",
            "",
            "",
            "",
        ],
        [
            "CANARY-CASE-OVERDUE",
            "client-request",
            "done",
            "intake",
            "2026-11-18T10:00:00+08:00",
            "canary-person-id-1",
            "",
            "",
            "",
            "",
        ],
    ]
    (root / "cases").mkdir()
    with open(root / "cases" / "record.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RECORD_COLUMNS)
        writer.writerows(rows)


def write_canary_org(root: Path) -> Org:
    """The organisation as a git repository: a first version, then the one built."""
    org = Org(root)
    git(root, "init", "-q")
    org.write("_org.yaml", OLD_SHARED)
    org.write("canary-category-folder/client-request.yaml", OLD_CLIENT_REQUEST)
    org.write("canary-category-folder/canary-removed-decision.yaml", REMOVED_DECISION)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", GIT_AUTHORS[0][2], author=GIT_AUTHORS[0])
    (org.folder / "canary-category-folder" / "canary-removed-decision.yaml").unlink()
    org.write("_org.yaml", SHARED)
    org.write("canary-category-folder/client-request.yaml", CLIENT_REQUEST)
    org.write("second-client.yaml", SECOND_CLIENT)
    org.write("canary-category-folder/canary-internal-decision.yaml", INTERNAL_DECISION)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", GIT_AUTHORS[1][2], author=GIT_AUTHORS[1])
    # The editors' own pages and images (docs/ is not part of the decisions' history).
    docs = root / "docs"
    (docs / "images").mkdir(parents=True)
    (docs / "canary-handwritten-page.md").write_text(
        "# Editor guide\n\nCANARY-HANDWRITTEN-DOC\n\n![shot](images/canary-handwritten-image.svg)\n", encoding="utf-8"
    )
    (docs / "images" / "canary-handwritten-image.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>CANARY-HANDWRITTEN-IMAGE</text></svg>\n', encoding="utf-8"
    )
    write_canary_record(root)
    return org


@pytest.fixture(scope="module")
def canary_org(tmp_path_factory) -> Org:  # type: ignore[no-untyped-def]
    org = write_canary_org(tmp_path_factory.mktemp("canary"))
    result = org.validate()
    assert not result.has_errors, [f.to_text() for f in result.findings]
    return org


@pytest.fixture(scope="module")
def out(canary_org: Org) -> Path:
    target = canary_org.root / "out"
    done = dp("build", "--audience", "all", "--out", str(target), "--today", TODAY, cwd=canary_org.root, secret=SECRET)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def readable(path: Path, root: Path) -> str:
    """A file's content as a reader (or a crawler) could see it: decompressed, entities and
    JSON/Unicode escapes undone, the search index's word separators removed, lower case;
    prefixed by the file's own path (file names are URLs)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    content = data.decode("utf-8", errors="replace")
    if path.suffix == ".json":
        content += "\n" + json.dumps(json.loads(content), ensure_ascii=False)
    content = html.unescape(html.unescape(content))
    content = content.replace("\\u200b", "").replace("\u200b", "").replace("\\/", "/")
    return (path.relative_to(root).as_posix() + "\n" + content).lower()


def site_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def canaries_in(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in site_files(root):
        content = readable(path, root)
        for canary in CANARIES:
            if canary.lower() in content:
                found.setdefault(canary, []).append(path.relative_to(root).as_posix())
    return found


def page(root: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((root / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def one_line(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.get_text(" ").split())


# ------------------------------------------------------------------ the leak test


def test_no_canary_anywhere_on_the_client_site(out: Path) -> None:
    client = out / "client"
    suffixes = {p.suffix for p in site_files(client)}
    # The scan covers every kind of file the site has, including the ones search engines read.
    # (Built without site_url, it has no sitemap: test_readers_site scans one built with it.)
    assert {".html", ".json", ".xml", ".js", ".css"} <= suffixes, suffixes
    assert (client / "search" / "search_index.json").is_file() and (client / "feed.xml").is_file()
    assert canaries_in(client) == {}


def tracking_plaintexts(client: Path) -> dict[str, str]:
    """Every tracking page of the client site decrypted with the build's secret, by address:
    the text a client with the link reads."""
    found = {}
    for path in sorted((client / TRACKING_FOLDER).glob("*/index.html")):
        sealed = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("#dp-sealed")
        assert sealed is not None, path
        address = str(sealed["data-address"])
        found[address] = ""
        for case in ("CANARY-CASE-RECENT", "CANARY-CASE-OVERDUE"):
            if tracking_address(SECRET.encode(), case, 0) == address:
                found[address] = unseal(
                    tracking_key(SECRET.encode(), case, 0), address, str(sealed["data-sealed"])
                ).decode()
    return found


def test_no_canary_in_the_decrypted_tracking_pages(out: Path) -> None:
    # The pages are unreadable without their key: the scan above sees ciphertext only. What
    # the client reads once the page is open must be clean too.
    pages = tracking_plaintexts(out / "client")
    recent = tracking_address(SECRET.encode(), "CANARY-CASE-RECENT", 0)
    overdue = tracking_address(SECRET.encode(), "CANARY-CASE-OVERDUE", 0)
    assert set(pages) == {recent, overdue}  # open, or answered in the last 90 days; the July cases are not
    leaked = {c: a for a, plain in pages.items() for c in CANARIES if c.lower() in html.unescape(plain).lower()}
    assert leaked == {}
    shown = one_line(BeautifulSoup(pages[recent], "html.parser"))
    # ...and it is not vacuous: the client's steps, dates and notes are there.
    assert "Client Request Title" in shown and "Client Intake Step" in shown
    assert words("zh")["internal_review"] in shown
    assert "We wait for your receipt" in shown and "We need two more days" in shown
    assert "2026-11-13 18:00" in shown  # the announced date


def test_the_internal_site_contains_every_canary(out: Path) -> None:
    # Otherwise the leak test above could pass by accident (say, a canary spelled differently).
    found = canaries_in(out / "internal")
    missing = [c for c in CANARIES if c not in found and c not in NOT_SHOWN_INTERNALLY]
    assert missing == []


def test_the_record_reaches_clients_as_published_counts_only(out: Path) -> None:
    # The leak test above is not vacuous for the record: clients do get its published form,
    # and the internal site its cases, people and deviations.
    client = page(out / "client", "decisions/client-request").select_one("article")
    zh = words("zh")
    assert zh["published_last"].format(title="Client Request Title", n=22, rate="100%") in one_line(client)
    assert zh["published_pauses"].format(paused=1) not in one_line(client)  # the paused stage is not pausable
    assert zh["published_rules_history"] in one_line(client)  # judged by the rules of their day (git history)
    overdue = one_line(page(out / "internal", "overdue").select_one("article"))
    assert "CANARY-CASE-OVERDUE" in overdue and "CANARY-PERSON-NAME-5" in overdue  # the away holder's backup
    hidden = one_line(page(out / "internal", "hidden-rules").select_one("article"))
    assert "CANARY-CASE-05" in hidden  # intake done by someone who may not act there


def test_canaries_are_found_in_every_form_the_scan_reads(tmp_path: Path) -> None:
    # The scan itself: escaped, obfuscated, segmented and compressed forms are all caught.
    (tmp_path / "a.html").write_text("<a href='mailto:&#99;anary-email-1@canary.invalid'>x</a>", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"t": "CANARY\u200b-PERSON-NAME-2"}), encoding="utf-8")
    (tmp_path / "c.xml.gz").write_bytes(gzip.compress(b"<loc>x/canary-internal-decision/</loc>"))
    (tmp_path / "canary-person-id-3").mkdir()
    (tmp_path / "canary-person-id-3" / "index.html").write_text("ok", encoding="utf-8")
    assert canaries_in(tmp_path) == {
        "canary-email-1@canary.invalid": ["a.html"],
        "CANARY-PERSON-NAME-2": ["b.json"],
        "canary-internal-decision": ["c.xml.gz"],
        "canary-person-id-3": ["canary-person-id-3/index.html"],
    }


# ------------------------------------------------------------------ what clients do see


def test_client_site_has_only_client_decision_pages(out: Path) -> None:
    client = out / "client"
    pages = sorted(p.relative_to(client).as_posix() for p in client.rglob("*.html") if p.parts[-3] != TRACKING_FOLDER)
    assert pages == [
        "404.html",
        "calendars/index.html",
        "changes/index.html",
        "decisions/client-request/index.html",
        "decisions/second-client/index.html",
        "index.html",
    ]
    for folder in ("roles", "people", "matrix", "diagrams", "canary-handwritten-page"):
        assert not (client / folder).exists(), folder
    # ...while the internal site has them all.
    internal = out / "internal"
    for url in ("roles", "people", "matrix", "canary-handwritten-page", "decisions/canary-internal-decision"):
        assert (internal / url / "index.html").is_file(), url
    assert (internal / "images" / "canary-handwritten-image.svg").is_file()


def test_client_site_has_none_of_the_hand_written_docs_files(out: Path, canary_org: Org) -> None:
    # Not the pages, and not their images or other files either (a screenshot of an internal page is internal).
    docs = canary_org.root / "docs"
    hand_written = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file())
    assert hand_written == ["canary-handwritten-page.md", "images/canary-handwritten-image.svg"]
    shipped = [name for name in hand_written if (out / "client" / name).exists()]
    assert shipped == []


def test_client_change_history_shows_only_what_clients_see(out: Path) -> None:
    changes = one_line(page(out / "client", "changes").select_one("article"))
    assert "Client Intake Step: 名称 Old Client Step Title -> Client Intake Step" in changes
    assert "时限 2 个工作日 -> 1 个工作日" in changes  # in the site's language, as written in English
    feed = (out / "client" / "feed.xml").read_text(encoding="utf-8")
    assert "Old Client Step Title" in html.unescape(feed)
    assert "<author><name>CANARY" not in feed


def test_internal_stages_show_as_internal_review_with_their_time(out: Path) -> None:
    body = page(out / "client", "decisions/client-request").select_one("article")
    steps = [(li.get("id"), one_line(li)) for li in body.select("ol.dp-steps > li")]
    assert [s[0] for s in steps] == [
        "stage-intake",
        "stage-internal-review-1",
        "stage-internal-review-2",
        "stage-person-step",
        "stage-answer",
    ]
    text = dict(steps)
    assert text["stage-internal-review-1"].startswith("内部审核 内部团队")
    assert "2 个工作日" in text["stage-internal-review-1"]
    assert (
        text["stage-internal-review-2"].startswith("内部审核 内部团队")
        and "4 个工作小时" in text["stage-internal-review-2"]
    )
    # A branch into an internal stage names it as internal review too.
    assert "Amount requested > 1000 → 内部审核" in text["stage-internal-review-1"]
    assert "→ Person Step Title" in text["stage-internal-review-1"]
    # Client roles by title; an internal role and people named directly become the internal team.
    assert text["stage-intake"].startswith("Client Intake Step Client Visible Role Title")
    assert text["stage-intake"].endswith("内部团队")  # escalated to a person
    assert "内部团队, Client Visible Role Title" in text["stage-person-step"]
    assert "3 小时" in text["stage-person-step"]
    assert text["stage-answer"].startswith("Answer Step Title 内部团队")
    assert "Client Visible Role Title" in text["stage-answer"] and "approved, declined" in text["stage-answer"]

    second = page(out / "client", "decisions/second-client").select_one("article")
    first = second.select_one("ol.dp-steps > li")
    assert first.get("id") == "stage-internal-review-1"
    assert one_line(first).startswith("内部审核 内部团队") and "时限 1 周" in one_line(first)


def test_client_pages_have_summary_notes_steps_promise_and_calculator(out: Path) -> None:
    body = page(out / "client", "decisions/client-request").select_one("article")
    text = one_line(body)
    assert "Client visible summary of the request." in text and "Client notes visible text." in text
    assert "承诺时限: 3-6 个工作日" in text
    calculator = body.select_one(".dp-calculator[data-dp-calculator=client-request]")
    assert calculator is not None
    assert calculator.select_one("input[type=text][name=dp-start]") is not None
    assert calculator.select_one("[data-dp-input=amount]") is not None
    data = json.loads(calculator.select_one("script[id=dp-calculator-data-client-request]").string)
    assert list(data["decision"]["stages"]) == [
        "intake",
        "internal-review-1",
        "internal-review-2",
        "person-step",
        "answer",
    ]
    assert data["decision"]["stages"]["internal-review-1"]["title"] == "内部审核"
    # The worked example for readers without JavaScript: submitted today 10:00, slowest path.
    example = one_line(calculator.select_one(".dp-result"))
    assert "2026-11-23 10:00" in example and "2026-11-28 23:59" in example and "2026-11-29 23:59" in example
    rows = [[one_line(td) for td in tr.select("td")] for tr in calculator.select(".dp-result tbody tr")]
    assert rows == [
        ["Client Intake Step", "1 个工作日", "2026-11-24 18:00"],
        ["内部审核", "2 个工作日", "2026-11-26 18:00"],
        ["内部审核", "4 个工作小时", "2026-11-27 13:00"],
        ["Answer Step Title", "2 个自然日", "2026-11-29 23:59"],
    ]
    home = one_line(page(out / "client", "").select_one("article"))
    assert "Client Request Title" in home and "Second Client Title" in home
    assert "1-7 个工作日" in home  # one unit, never "1 周 + 2 个工作小时"


# ------------------------------------------------------------------ the sample's client site


@pytest.fixture(scope="module")
def sample_client(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    # the shared build: --audience all gives the same client site as --audience client, no secret
    return sample_client_site(tmp_path_factory)


@pytest.fixture(scope="module")
def sample_model():  # type: ignore[no-untyped-def]
    return validate_folder(str(REPO / "decisions"), dt.date.fromisoformat(TODAY)).org


def sample_secrets(model) -> list[str]:  # type: ignore[no-untyped-def]
    """What the sample must never show clients, taken from the model itself."""
    secrets = []
    for person in model.people.values():
        secrets += [person.id, person.name] + ([person.email] if person.email else [])
    client_stage_ids = set()
    for decision in model.decisions.values():
        if decision.audience is Audience.CLIENT:
            client_stage_ids |= {s.id for s in decision.stages.values() if s.visibility is Visibility.CLIENT}
    for decision in model.decisions.values():
        if decision.audience is not Audience.CLIENT:
            secrets += [decision.id, decision.title]
        for stage in decision.stages.values():
            if stage.does:
                secrets.append(stage.does[:24])
            if stage.visibility is Visibility.INTERNAL and decision.audience is Audience.CLIENT:
                secrets.append(stage.title)  # (internal decisions' stage titles are generic words like 付款)
                if stage.id not in client_stage_ids:
                    secrets.append(stage.id)
    for role in model.roles.values():
        if role.visibility is Visibility.INTERNAL:
            secrets += [role.id, role.title]
    # One phrase from the notes of each client decision.
    secrets += [
        "known fraud pattern",
        "CRM reminder",
        "归咎于客户",
        "Never quote a discounted price",
        "Severity is agreed",
        "顺手做一下",
    ]
    return sorted(set(secrets))


def test_the_sample_client_site_leaks_nothing(sample_client: Path, sample_model) -> None:  # type: ignore[no-untyped-def]
    secrets = sample_secrets(sample_model)
    assert "陈静" in secrets and "finance-manager" in secrets and "费用报销审批" in secrets
    leaks = []
    for path in site_files(sample_client):
        if path.relative_to(sample_client).parts[:2] in {("assets", "javascripts"), ("assets", "stylesheets")}:
            continue  # the theme's own files, the same for every site
        content = readable(path, sample_client)
        leaks += [(path.relative_to(sample_client).as_posix(), s) for s in secrets if s.lower() in content]
    assert leaks == []


def test_the_sample_client_site_has_no_hand_written_docs_or_internal_pages(sample_client: Path, sample_model) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(p.relative_to(sample_client).as_posix() for p in sample_client.rglob("*.html"))
    client_ids = sorted(d.id for d in sample_model.decisions.values() if d.audience is Audience.CLIENT)
    assert pages == sorted(
        [
            "404.html",
            "index.html",
            "calendars/index.html",
            "changes/index.html",
            *(f"decisions/{d}/index.html" for d in client_ids),
        ]
    )
    # No file of the repository's docs/ folder (pages, images, ...) is copied to the client site.
    docs_files = [p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*") if p.is_file()]
    assert [name for name in docs_files if (sample_client / name).exists()] == []
    docs = [p.stem for p in (REPO / "docs").glob("*.md") if p.stem != "index"]
    assert docs  # how-to-read, how-to-edit, ...
    index = readable(sample_client / "search" / "search_index.json", sample_client)
    for doc in docs:
        assert doc not in index, doc
    assert not (sample_client / "sitemap.xml").exists()  # no site_url; with one: test_readers_site
    out_of_scope = one_line(page(sample_client, "decisions/out-of-scope-request").select_one("article"))
    assert "承诺时限: 5-7 个工作日" in out_of_scope
    assert "内部审核 内部团队 · 时限 2 个工作日" in out_of_scope
    assert "总监审批" in out_of_scope and "财务总监 / Finance Controller" in out_of_scope


# ------------------------------------------------------------------ audience.client_view on the model


def test_client_view_of_the_model(canary_org: Org) -> None:
    org = canary_org.validate().org
    view = client_view(org, words("en"))
    assert view.people == {}
    assert sorted(view.decisions) == ["client-request", "second-client"]
    assert sorted(view.roles) == ["client-visible-role", INTERNAL_TEAM]
    assert view.roles[INTERNAL_TEAM].title == "Internal team"
    assert view.roles["client-visible-role"].title == "Client Visible Role Title"
    assert all(not r.held_by and not r.backup for r in view.roles.values())

    request = view.decisions["client-request"]
    assert list(request.stages) == ["intake", "internal-review-1", "internal-review-2", "person-step", "answer"]
    assert request.notes is None and request.category == "" and request.owner.id == INTERNAL_TEAM
    assert request.reviewed is None and request.file == ""
    assert request.client_notes == org.decisions["client-request"].client_notes
    for stage in request.stages.values():
        assert stage.does is None
        assert all(m.id in view.roles for m in stage.who.members), stage.id
        assert stage.escalate_to is None or stage.escalate_to.id in view.roles
    review = request.stages["internal-review-1"]
    assert review.title == "Internal review" and review.within.text == "2 business days"
    assert [m.id for m in review.who.members] == [INTERNAL_TEAM] and review.escalate_to is None
    assert [b.go.id for b in review.branches] == ["internal-review-2", "person-step"]
    assert request.stages["intake"].next_stage.id == "internal-review-1"
    assert request.stages["internal-review-2"].next_stage.id == "answer"
    person_step = request.stages["person-step"]
    assert person_step.who.mode.value == "any"
    assert [m.id for m in person_step.who.members] == [INTERNAL_TEAM, "client-visible-role"]
    assert person_step.escalate_to.id == INTERNAL_TEAM
    assert request.stages["intake"].escalate_to.id == INTERNAL_TEAM
    assert [m.id for m in request.stages["answer"].who.members] == [INTERNAL_TEAM]
    assert request.stages["answer"].outcomes == ("approved", "declined")

    second = view.decisions["second-client"]
    assert second.start.id == "internal-review-1" and second.category == ""
    assert [b.go.id for b in second.stages["internal-review-1"].branches] == ["fast", "slow"]
    # Nothing internal is left anywhere in the view: the same canaries, on the model's repr.
    shown = re.sub(r"file='[^']*'", "", repr(view)).lower()  # source locations are never shown
    leaked = [c for c in CANARIES if c.lower() in shown]
    assert leaked == []
    # Chinese words for a Chinese site.
    zh = client_view(org, words("zh"))
    assert zh.roles[INTERNAL_TEAM].title == "内部团队"
    assert zh.decisions["client-request"].stages["internal-review-1"].title == "内部审核"


# ------------------------------------------------------------------ the promise a client reads


def test_a_client_page_leads_with_the_answer_date_and_says_what_a_working_day_is(sample_client: Path) -> None:
    body = page(sample_client, "decisions/client-complaint").select_one("article")
    order = [el.get("id") for el in body.select("h2[id]")]
    assert order.index("calculator") < order.index("steps")  # the date comes before the steps
    # Without JavaScript: a complaint received today (2026-11-23) 10:00 on its slowest path;
    # the answer is the written resolution, not the follow-up call a week later.
    lead = one_line(body.select_one(".dp-result .dp-answer"))
    assert lead == "最迟 2026-12-01 18:00(北京时间)前收到答复:书面解决方案 / Written resolution"
    text = one_line(body)
    assert "承诺时限: 3-7 个工作日" in text
    rule = body.select_one(".dp-working-days")
    assert one_line(rule).startswith("工作日指星期一至星期五,中国法定节假日除外,官方调休上班日照常计入;")
    assert "北京时间 09:00-18:00" in one_line(rule)
    link = rule.find("a")
    assert link["href"] == "../../calendars/#calendar-shanghai"
    target = page(sample_client, "calendars").find(id="calendar-shanghai")
    assert target is not None and one_line(target).startswith("中国 · 北京时间")
    assert "如已超过承诺日期,请联系: 客户服务热线 400-000-0000" in text


def test_the_calendars_page_lists_the_days_and_warns_about_an_unpublished_year(sample_client: Path) -> None:
    body = page(sample_client, "calendars").select_one("article")
    text = one_line(body)
    assert "2026-02-17 星期二 春节" in text  # holiday names in the page's language
    assert "2026 年调休上班日(周末照常上班) : 2026-01-04 星期日, 2026-02-14 星期六" in text
    year_2027 = body.find(id="calendar-shanghai-2027")
    caveat = year_2027.find_next("p", class_="dp-caveat")
    assert one_line(caveat) == "2027 年的法定节假日和调休安排尚未公布,该年内的日期仍可能变化。"
    assert body.find(id="calendar-shanghai-2026").find_next("p").get("class") != ["dp-caveat"]
    assert "公司休息日 : 2026-12-31 星期四" in text
    assert "shanghai" not in text  # the editors' id stays on the internal site


def test_no_promise_on_either_site_is_a_sum_of_units(sample_client: Path, sample_model) -> None:  # type: ignore[no-untyped-def]
    for decision in sample_model.decisions.values():
        if decision.audience is not Audience.CLIENT:
            continue
        text = one_line(page(sample_client, f"decisions/{decision.id}").select_one("article"))
        promised = re.search(r"承诺时限: (\S+ \S+)", text)
        assert promised is not None, decision.id
        assert re.fullmatch(r"\d+(\.\d+)?(-\d+(\.\d+)?)? (个工作日|个工作小时|小时|天|周)", promised.group(1)), promised
    home = one_line(page(sample_client, "").select_one("article"))
    assert " + " not in home and " – " not in home
