"""History: change entries read from git (history.py), shown on both sites (plan.py,
feed.py, the MkDocs plugin) without leaking anything internal to clients.

The fixture is the sample organisation with a realistic git history: an import,
then edits by different authors on fixed dates (one of them formatting only).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_helpers import REPO, article, page, run_cli, text

from decision_paths.load.history import read_history
from decision_paths.model.words import words
from decision_paths.pipeline import validate_folder

# its module fixtures build both sites of a repository: once, on one xdist worker
pytestmark = pytest.mark.xdist_group("history")

TODAY = "2026-11-23"
ATOM = "{http://www.w3.org/2005/Atom}"
CANARY_DOES = "CANARY-DOES-7731"
CANARY_MESSAGE = "CANARY-MSG-5512"
CANARY_AUTHOR = "Mallory CANARY-AUTHOR-4419"
REFUND = "decisions/finance/refund-request.yaml"
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass(frozen=True)
class Edit:
    author: str
    date: str  # ISO 8601 with offset
    message: str


IMPORT = Edit("Alice Importer", "2026-01-05T10:00:00+08:00", "Import the decision paths")
WHO = Edit("Bob Approver", "2026-03-02T11:00:00+08:00", "Refunds: the delivery director assesses delivered work")
WITHIN = Edit("Carol Timer", "2026-04-10T09:30:00+08:00", "Give finance three days for the refund check")
DOES = Edit(CANARY_AUTHOR, "2026-05-15T16:45:00+08:00", f"Refund check steps {CANARY_MESSAGE}")
FORMAT = Edit("Dave Formatter", "2026-06-01T08:00:00+08:00", "Tidy refund-request formatting")
MOVE = Edit("Erin Mover", "2026-07-20T14:00:00+08:00", "Move out-of-scope requests to delivery")
EDITS = (IMPORT, WHO, WITHIN, DOES, FORMAT, MOVE)
AUTHORS = [e.author for e in EDITS]
MESSAGES = [e.message for e in EDITS]

WHO_LINE = "交付评估 / Assessment of delivered work: 交付负责人 / Delivery Lead -> 交付总监 / Delivery Director"
WITHIN_LINE = "财务核对 / Finance check: within 2 business days -> 3 business days"
DOES_LINE = "财务核对 / Finance check: what the approver does changed"
# The same lines on the sample's Chinese sites (theme.language zh): generated words in Chinese.
WITHIN_LINE_ZH = "财务核对 / Finance check: 时限 2 个工作日 -> 3 个工作日"
DOES_LINE_ZH = "财务核对 / Finance check: 审批人的具体工作有改动"
CLIENT_WITHIN_LINE_ZH = "内部审核: 时限 2 个工作日 -> 3 个工作日"


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def commit(repo: Path, edit: Edit) -> None:
    email = re.sub(r"[^a-z]+", ".", edit.author.lower()).strip(".") + "@example.invalid"
    git(repo, "add", "-A")
    git(
        repo,
        "commit",
        "-q",
        "-m",
        edit.message,
        env={
            "GIT_AUTHOR_NAME": edit.author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": edit.date,
            "GIT_COMMITTER_NAME": edit.author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": edit.date,
        },
    )


def replace_once(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, f"{old!r} occurs {content.count(old)} times in {path}"
    path.write_text(content.replace(old, new), encoding="utf-8")


FINANCE_APPROVAL_BLOCK = """\
  finance-approval:
    title: 财务总监审批 / Finance Controller approval
    who: finance-controller
    within: 2 business days
    escalate_to: coo
    next: payment
    independent_of: [finance-check]   # four eyes: whoever checked does not approve
"""
FINANCE_APPROVAL_FLOW = """\
  finance-approval: {next: payment, escalate_to: "coo", within: 2个工作日, who: finance-controller,
                     independent_of: [finance-check], title: "财务总监审批 / Finance Controller approval"}
"""


def make_repository(repo: Path) -> None:
    repo.mkdir()
    for name in ("decisions", "docs"):
        shutil.copytree(REPO / name, repo / name)
    for name in ("mkdocs.yml", "mkdocs.client.yml"):
        shutil.copy(REPO / name, repo / name)
    # one decision reviewed long ago: overdue on the review page
    replace_once(repo / "decisions/finance/expense-approval.yaml", "reviewed: 2026-10-20", "reviewed: 2025-01-10")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, IMPORT)

    refund = repo / REFUND
    # a client-visible stage: another existing role approves
    replace_once(refund, "    who: delivery-lead\n", "    who: delivery-director\n")
    commit(repo, WHO)
    # an internal stage takes longer
    replace_once(refund, "already made.\n    within: 2 business days\n", "already made.\n    within: 3 business days\n")
    commit(repo, WITHIN)
    # an internal stage's `does`, with a secret in it
    replace_once(
        refund,
        "and that no refund was already made.",
        f"and that no refund was already made; then ask {CANARY_DOES} for the ledger code.",
    )
    commit(repo, DOES)
    # formatting only: comments, quoting, key order, flow style, a duration in Chinese
    replace_once(
        refund, "title: 退款申请 / Refund requests\n", '# formatting only\ntitle: "退款申请 / Refund requests"\n'
    )
    replace_once(refund, FINANCE_APPROVAL_BLOCK, FINANCE_APPROVAL_FLOW)
    replace_once(
        refund,
        "outcomes: [full-refund, partial-refund, declined]",
        "outcomes:\n      - full-refund\n      - 'partial-refund'\n      - declined",
    )
    commit(repo, FORMAT)
    # a decision moves to another category folder
    git(repo, "mv", "decisions/sales/out-of-scope-request.yaml", "decisions/delivery/out-of-scope-request.yaml")
    commit(repo, MOVE)


GIT_WRAPPER = """\
#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
exec /usr/bin/git "$@"
"""


@dataclass(frozen=True)
class Built:
    repo: Path
    internal: Path
    client: Path
    git_calls: list[str]
    stderr: str


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return tmp_path_factory.mktemp("diagram-cache")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("history") / "repo"
    make_repository(path)
    return path


@pytest.fixture(scope="module")
def built(repo: Path, cache: Path, tmp_path_factory) -> Built:  # type: ignore[no-untyped-def]
    """Both sites built from the repository, with every git command the build ran logged."""
    tools = tmp_path_factory.mktemp("tools")
    log = tools / "git-calls.txt"
    wrapper = tools / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(GIT_WRAPPER.format(log=log), encoding="utf-8")
    wrapper.chmod(0o755)
    out = tools / "out"
    done = run_cli(
        "build",
        "--audience",
        "all",
        "--out",
        str(out),
        "--today",
        TODAY,
        cwd=repo,
        env={
            "PATH": f"{wrapper.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DECISION_PATHS_CACHE": str(cache),
            **GIT_ENV,
        },
    )
    assert done.code == 0, done.out + done.err
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return Built(repo, out / "internal", out / "client", calls, done.err)


# ------------------------------------------------------------------ read_history


def test_entries_newest_first_with_commit_details(repo: Path) -> None:
    history = read_history(str(repo / "decisions"), words("en"))
    assert history.warning is None
    later = [e for e in history.entries if e.commit.message != IMPORT.message]
    assert [(e.subject, e.commit.author, e.commit.message) for e in later] == [
        ("out-of-scope-request", MOVE.author, MOVE.message),
        ("refund-request", DOES.author, DOES.message),
        ("refund-request", WITHIN.author, WITHIN.message),
        ("refund-request", WHO.author, WHO.message),
    ]
    assert [e.commit.when for e in later] == [dt.datetime.fromisoformat(e.date) for e in (MOVE, DOES, WITHIN, WHO)]
    # the import comes last (oldest): every decision added, and the shared data
    imported = history.entries[len(later) :]
    assert {e.commit.message for e in imported} == {IMPORT.message}
    assert {e.subject for e in imported} == {
        p.stem for p in (REPO / "decisions").rglob("*.yaml") if not p.name.startswith("_")
    } | {"shared"}
    refund = next(e for e in imported if e.subject == "refund-request")
    assert refund.internal == ("decision added: 退款申请 / Refund requests",)
    assert refund.client == refund.internal
    internal_only = next(e for e in imported if e.subject == "expense-approval")
    assert internal_only.client == ()  # an internal decision: nothing for clients
    # the formatting-only commit left no entry
    assert all(e.commit.message != FORMAT.message for e in history.entries)
    # all dates in order, newest first
    whens = [e.commit.when for e in history.entries]
    assert whens == sorted(whens, reverse=True)


@pytest.mark.site
def test_versions_already_loaded_from_the_working_tree_are_not_loaded_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import decision_paths.load.history as history_module
    from decision_paths.pipeline.sites import _loaded_decisions, check_folder

    folder = str(repo / "decisions")
    assert git(repo, "status", "--porcelain") == "", "the working tree is the last commit"
    loads: list[str] = []
    real = history_module.load_folder

    def counted(prefix, sources=None):  # type: ignore[no-untyped-def]
        if sources is not None and len(sources) == 1 and not Path(next(iter(sources))).name.startswith("_"):
            loads.append(next(iter(sources)))
        return real(prefix, sources)

    monkeypatch.setattr(history_module, "load_folder", counted)
    alone = history_module.read_history(folder, words("en"))
    loads_alone = len(loads)
    loads.clear()
    checked = check_folder(folder, dt.date.fromisoformat(TODAY))
    helped = history_module.read_history(folder, words("en"), lambda: _loaded_decisions(checked))
    assert helped == alone
    decisions = len(checked.org.decisions)
    assert decisions == 8 and len(loads) == loads_alone - decisions, (
        "each decision's current version comes from the working tree, not from git"
    )


def test_change_lines_internal_and_client(repo: Path) -> None:
    history = read_history(str(repo / "decisions"), words("en"))
    by_message = {e.commit.message: e for e in history.entries if e.commit.message != IMPORT.message}
    who = by_message[WHO.message]
    assert who.title == "退款申请 / Refund requests"
    assert who.internal == (WHO_LINE,)
    assert who.client == (WHO_LINE,)  # both roles are visible to clients
    within = by_message[WITHIN.message]
    assert within.internal == (WITHIN_LINE,)
    assert within.client == ("Internal review: within 2 business days -> 3 business days",)
    does = by_message[DOES.message]
    assert does.internal == (DOES_LINE,)
    assert does.client == ()  # clients never see `does`
    moved = by_message[MOVE.message]
    assert moved.internal == ("moved: 销售 / Sales -> 交付 / Delivery",)  # the categories' titles
    assert moved.client == ()  # categories are not shown to clients
    assert history.for_decision("refund-request") == [e for e in history.entries if e.subject == "refund-request"]


def test_client_lines_use_the_site_language_and_hide_internal_names(repo: Path) -> None:
    history = read_history(str(repo / "decisions"), words("zh"))
    within = next(e for e in history.entries if e.commit.message == WITHIN.message)
    assert within.client == (CLIENT_WITHIN_LINE_ZH,)
    assert within.internal == (WITHIN_LINE_ZH,)
    moved = next(e for e in history.entries if e.commit.message == MOVE.message)
    assert moved.internal == ("移动: 销售 / Sales -> 交付 / Delivery",)
    every_client_line = "\n".join(line for e in history.entries for line in e.client)
    for secret in (
        CANARY_DOES,
        CANARY_MESSAGE,
        CANARY_AUTHOR,
        "finance-check",
        "财务核对",
        "Finance Manager",
        "财务经理",
        "lin-xue",
        "林雪",
    ):
        assert secret not in every_client_line, secret


def test_shared_data_history_across_merged_branches(tmp_path: Path) -> None:
    """Known bug: _Replay keeps ONE current blob per shared file and replays the log's commits in
    date order, but `git log --raw` shows nothing for merge commits. Two branches that each add a
    person to _people.yaml, merged with --no-ff, make the second branch's commit report
    'person removed' for the first branch's person (its blob predates the other branch), and the
    next commit on main report that person 'added' again."""
    repo = tmp_path / "merged"
    (repo / "decisions").mkdir(parents=True)
    people = repo / "decisions" / "_people.yaml"
    people.write_text("people:\n  li-na: {name: 李娜}\n  wang-wei: {name: 王伟}\n", encoding="utf-8")
    (repo / "decisions" / "_roles.yaml").write_text(
        "roles:\n  lead: {title: Lead, held_by: [li-na]}\n", encoding="utf-8"
    )
    git(repo, "init", "-q", "-b", "main")
    commit(repo, Edit("Ann", "2026-01-01T10:00:00+08:00", "import"))
    git(repo, "checkout", "-q", "-b", "a")
    replace_once(people, "  wang-wei: {name: 王伟}\n", "  wang-wei: {name: 王伟}\n  zhang-min: {name: 张敏}\n")
    commit(repo, Edit("Ann", "2026-01-02T10:00:00+08:00", "add zhang-min"))
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "b")
    replace_once(people, "  li-na: {name: 李娜}\n", "  chen-jing: {name: 陈静}\n  li-na: {name: 李娜}\n")
    commit(repo, Edit("Ben", "2026-01-03T10:00:00+08:00", "add chen-jing"))
    git(repo, "checkout", "-q", "main")
    for branch, day in (("a", "04"), ("b", "05")):
        when = f"2026-01-{day}T10:00:00+08:00"
        git(
            repo,
            "merge",
            "-q",
            "--no-ff",
            branch,
            "-m",
            f"merge {branch}",
            env={
                "GIT_AUTHOR_NAME": "Ann",
                "GIT_AUTHOR_EMAIL": "ann@example.invalid",
                "GIT_AUTHOR_DATE": when,
                "GIT_COMMITTER_NAME": "Ann",
                "GIT_COMMITTER_EMAIL": "ann@example.invalid",
                "GIT_COMMITTER_DATE": when,
            },
        )
    assert "zhang-min" in people.read_text(encoding="utf-8") and "chen-jing" in people.read_text(encoding="utf-8")
    replace_once(people, "  li-na: {name: 李娜}\n", "  li-na: {name: 李娜}\n  xu-hao: {name: 徐浩}\n")
    commit(repo, Edit("Ann", "2026-01-06T10:00:00+08:00", "add xu-hao"))

    history = read_history(str(repo / "decisions"), words("en"))
    assert [(e.commit.message, e.internal) for e in history.entries] == [
        ("add xu-hao", ("person added: 徐浩",)),
        ("add chen-jing", ("person added: 陈静",)),
        ("add zhang-min", ("person added: 张敏",)),
        ("import", ("role added: Lead", "person added: 李娜", "person added: 王伟")),
    ]


# ------------------------------------------------------------------ both sites


@pytest.mark.site
def test_refund_page_history_on_both_sites(built: Built) -> None:
    internal = text(article(built.internal, "decisions/refund-request/"))
    assert "变更记录" in internal
    history = internal.split("变更记录", 1)[1]
    assert f"2026-03-02 · {WHO.author}: {WHO.message}" in history
    assert WHO_LINE in history
    assert f"2026-04-10 · {WITHIN.author}: {WITHIN.message}" in history
    assert WITHIN_LINE_ZH in history and DOES_LINE_ZH in history
    assert FORMAT.message not in history and FORMAT.author not in history
    # newest first on the page
    assert (
        history.index("2026-05-15")
        < history.index("2026-04-10")
        < history.index("2026-03-02")
        < history.index("2026-01-05")
    )

    client = text(article(built.client, "decisions/refund-request/"))
    assert "变更记录" in client
    history = client.split("变更记录", 1)[1]
    assert "2026-03-02" in history and WHO_LINE in history
    assert "2026-04-10" in history
    assert CLIENT_WITHIN_LINE_ZH in history
    assert "2026-05-15" not in history  # the `does` edit shows nothing to clients
    for secret in (*AUTHORS, *MESSAGES, CANARY_DOES, CANARY_MESSAGE, CANARY_AUTHOR, "财务核对"):
        assert secret not in client, secret


@pytest.mark.site
def test_client_site_carries_no_author_message_or_canary(built: Built) -> None:
    secrets = (*AUTHORS, *MESSAGES, CANARY_DOES, CANARY_MESSAGE, "CANARY", "Finance check", "finance-check")
    checked = 0
    for path in sorted(built.client.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".xml", ".json", ".js", ".txt"):
            continue
        content = path.read_text(encoding="utf-8", errors="replace")
        checked += 1
        for secret in secrets:
            assert secret not in content, f"{secret!r} in {path.relative_to(built.client)}"
    assert checked > 5
    changes = text(article(built.client, "changes/"))
    assert "2026-03-02" in changes and WHO_LINE in changes


@pytest.mark.site
def test_internal_site_carries_the_canary_where_editors_see_it(built: Built) -> None:
    """The internal history does name who changed what and why (the canary's only place)."""
    refund = text(article(built.internal, "decisions/refund-request/"))
    assert CANARY_DOES in refund  # the current `does` text of the internal stage
    assert f"{CANARY_AUTHOR}: {DOES.message}" in refund


@pytest.mark.site
def test_internal_changes_page_newest_first(built: Built) -> None:
    body = article(built.internal, "changes/")
    commits = [text(h).removesuffix("¶").strip() for h in body.find_all("h2")]
    edits = (MOVE, DOES, WITHIN, WHO, IMPORT)
    assert commits == [f"{e.date[:10]} · {e.author}" for e in edits]  # one section per commit
    content = text(body)
    assert (
        content.index(MOVE.message)
        < content.index(DOES.message)
        < content.index(WITHIN.message)
        < content.index(WHO.message)
        < content.index(IMPORT.message)
    )
    assert "移动: 销售 / Sales -> 交付 / Delivery" in content
    assert FORMAT.message not in content
    # each entry links to its decision page
    links = [a["href"] for a in body.find_all("a", href=True)]
    assert any("decisions/refund-request/" in link for link in links)
    assert any("feed.xml" in link for link in links)


HYPHENATED_ID = re.compile(r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])")


def history_lines(body) -> list[str]:  # type: ignore[no-untyped-def]
    """The change lines of a changes page or a decision page's history, as readers see them."""
    history = body.find(id="history")
    scope = history.find_next("ul") if history is not None else body
    return [text(li) for li in scope.find_all("li")]


@pytest.mark.site
def test_the_changes_page_gives_each_commit_once_and_names_what_it_changed(built: Built) -> None:
    """Issue 12: a commit's date, author and message head its section once, however many
    decisions it changed; its lines name roles, people, stages and categories as the pages do."""
    org = validate_folder(str(built.repo / "decisions"), dt.date.fromisoformat(TODAY)).org
    body = article(built.internal, "changes/")
    content = text(body)
    for edit in (MOVE, DOES, WITHIN, WHO, IMPORT):
        assert content.count(edit.message) == 1, edit.message
        assert content.count(edit.author) == 1, edit.author
    imported = next(h for h in body.find_all("h2") if IMPORT.author in text(h))
    section = []  # the import's section: its decision headings up to the next commit
    for sibling in imported.find_next_siblings():
        if sibling.name == "h2":
            break
        section.append(sibling)
    decisions = [text(h).removesuffix("¶").strip() for h in section if h.name == "h3"]
    assert len(decisions) == len(org.decisions) + 1  # every decision, and the shared data, under one heading
    assert [text(p) for p in section if p.name == "p"] == [IMPORT.message]
    lines = [text(li) for ul in section if ul.name == "ul" for li in ul.find_all("li")]
    for role in org.roles.values():
        assert f"新增角色: {role.title}" in lines, role.id
    for person in org.people.values():
        assert f"新增人员: {person.name}" in lines, person.id
    # no id an editor wrote, in any line of the page or of a decision page's history
    written = {*org.people, *org.roles, *(s for d in org.decisions.values() for s in d.stages), *org.decisions}
    written |= {o for d in org.decisions.values() for i in d.inputs.values() for o in i.options}
    pages = [body] + [article(built.internal, f"decisions/{d}/") for d in org.decisions]
    every_line = [line for tree in pages for line in history_lines(tree)]
    assert len(every_line) > 40
    raw = {(m, line) for line in every_line for m in HYPHENATED_ID.findall(line) if m in written}
    assert raw == set()
    assert "移动: 销售 / Sales -> 交付 / Delivery" in content  # category titles, not folders


@pytest.mark.site
def test_the_client_history_never_names_a_person(built: Built) -> None:
    """SPEC section 7: people appear nowhere on the client site, its history and feed included."""
    org = validate_folder(str(built.repo / "decisions"), dt.date.fromisoformat(TODAY)).org
    people = [t for p in org.people.values() for t in (p.id, p.name, p.email or "") if t]
    client_ids = [d.id for d in org.decisions.values() if d.audience.value == "client"]
    pages = [article(built.client, "changes/")] + [article(built.client, f"decisions/{d}/") for d in client_ids]
    lines = [line for tree in pages for line in history_lines(tree)]
    assert len(lines) > len(client_ids)
    shown = "\n".join(lines) + (built.client / "feed.xml").read_text(encoding="utf-8")
    assert [p for p in people if p in shown] == []
    # and the days head the client's changes page once each, without authors or messages
    days = [text(h).removesuffix("¶").strip() for h in pages[0].find_all("h2")]
    assert days == sorted(set(days), reverse=True) and days[0] == WITHIN.date[:10]
    assert pages[0].select("p.dp-commit-message") == []


def atom_entries(feed: Path) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.parse(feed).getroot()
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{child}") is not None and root.find(f"{ATOM}{child}").text, child
    return root, root.findall(f"{ATOM}entry")


@pytest.mark.site
def test_internal_feed_is_atom_with_authors(built: Built) -> None:
    root, entries = atom_entries(built.internal / "feed.xml")
    assert entries
    first = entries[0]
    assert first.find(f"{ATOM}updated").text == "2026-07-20T06:00:00Z"
    assert root.find(f"{ATOM}updated").text == "2026-07-20T06:00:00Z"
    assert first.find(f"{ATOM}author/{ATOM}name").text == MOVE.author
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}link").get("href")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    refund = [e for e in entries if e.find(f"{ATOM}link").get("href").rstrip("/").endswith("refund-request")]
    assert [e.find(f"{ATOM}updated").text[:10] for e in refund] == [
        "2026-05-15",
        "2026-04-10",
        "2026-03-02",
        "2026-01-05",
    ]
    assert html_text(refund[2]) == WHO_LINE


def html_text(entry: ET.Element) -> str:
    """The change lines of an entry: its content is HTML (type="html"), escaped inside the XML."""
    content = entry.find(f"{ATOM}content").text or ""
    return text(BeautifulSoup(content, "html.parser"))


@pytest.mark.site
def test_client_feed_is_atom_without_authors(built: Built) -> None:
    raw = (built.client / "feed.xml").read_text(encoding="utf-8")
    _root, entries = atom_entries(built.client / "feed.xml")
    assert entries
    for entry in entries:
        assert entry.find(f"{ATOM}author") is None
    assert entries[0].find(f"{ATOM}updated").text == "2026-04-10T01:30:00Z"  # the newest change clients see
    contents = " ".join(html_text(e) for e in entries)
    assert "内部审核: 时限 2 个工作日 -> 3 个工作日" in contents
    for secret in (*AUTHORS, *MESSAGES, CANARY_DOES, CANARY_MESSAGE, "CANARY", "finance-check"):
        assert secret not in raw, secret
    # only client decisions
    assert "expense-approval" not in raw and "subcontractor-hiring" not in raw


@pytest.mark.site
def test_review_status_lists_the_overdue_decision_with_its_owner(built: Built) -> None:
    review = article(built.internal, "review/")
    rows = [text(row) for row in review.select("table tr")]
    overdue = [row for row in rows if "费用报销审批" in row]
    assert len(overdue) == 1, rows
    assert "财务总监 / Finance Controller" in overdue[0]
    assert "2025-07-09" in overdue[0]  # reviewed 2025-01-10 + 180 days
    assert "复核已逾期" in overdue[0]
    assert any("decisions/expense-approval/" in a["href"] for a in review.find_all("a", href=True))
    assert all("退款申请" not in row for row in rows)  # reviewed in time

    home = article(built.internal, "")
    home_rows = [text(row) for row in home.select("table tr") if "费用报销审批" in text(row)]
    assert any("财务总监 / Finance Controller" in row and "复核已逾期" in row for row in home_rows), home_rows
    # clients see neither review dates nor owners
    assert not (built.client / "review").exists()
    assert "复核已逾期" not in text(article(built.client, ""))


@pytest.mark.site
def test_history_is_read_in_one_git_log_pass_per_read(built: Built) -> None:
    """Each history read: rev-parse, one `git log --raw` over decisions/, one `cat-file --batch`."""
    reads = [i for i, call in enumerate(built.git_calls) if call == "rev-parse --show-toplevel"]
    assert reads, built.git_calls
    for start, end in zip(reads, [*reads[1:], len(built.git_calls)], strict=True):
        calls = built.git_calls[start:end]
        history_logs = [c for c in calls if c.startswith("log ") and "--raw" in c]
        assert len(history_logs) == 1, calls
        assert sum(c.startswith("cat-file") for c in calls) == 1, calls
    # never one call per commit or per file
    assert not any(c.startswith(("show ", "diff ")) for c in built.git_calls), built.git_calls


@pytest.mark.site
def test_building_both_sites_reads_the_history_once(built: Built) -> None:
    """Known issue: `build --audience all` reads the whole history twice, once per site (the plugin
    calls read_history in each site's on_files): two `git log --raw` and two `cat-file --batch`.
    (Besides these, build_site runs `git log -1 --format=%ct` once per site for SOURCE_DATE_EPOCH,
    even when SOURCE_DATE_EPOCH is already set; those are not counted here.)"""
    history_logs = [c for c in built.git_calls if c.split(" ", 1)[0] == "log" and "--raw" in c]
    other_logs = [c for c in built.git_calls if c.split(" ", 1)[0] == "log" and "--raw" not in c]
    cat_files = [c for c in built.git_calls if c.split(" ", 1)[0] == "cat-file"]
    assert all(c.startswith("log -1 ") for c in other_logs), other_logs
    assert len(history_logs) == 1, built.git_calls
    assert len(cat_files) <= 1, built.git_calls


# ------------------------------------------------------------------ without history


@pytest.mark.site
def test_shallow_clone_builds_without_history(repo: Path, cache: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "true"
    out = tmp_path / "out"
    done = run_cli(
        "build",
        "--audience",
        "internal",
        "--out",
        str(out),
        "--today",
        TODAY,
        cwd=shallow,
        env={"DECISION_PATHS_CACHE": str(cache), **GIT_ENV},
    )
    assert done.code == 0, done.out + done.err
    refund = text(article(out / "internal", "decisions/refund-request/"))
    assert "变更记录" not in refund
    for leaked in (*AUTHORS, *MESSAGES):
        assert leaked not in refund
    changes = text(article(out / "internal", "changes/"))
    assert "暂无变更记录" in changes
    assert not any(e.author in changes for e in EDITS)
    # Known bug: the plugin logs this warning on the "mkdocs.plugins.decision-paths" logger, but
    # `decision-paths build` only attaches its own collecting handler to "mkdocs", so nothing reaches
    # the terminal: stderr is empty and the reason the history is missing is never shown.
    assert "shallow" in done.err, f"no warning about the shallow clone on stderr: {done.err!r}"


@pytest.mark.site
def test_a_folder_that_is_not_a_git_repository_builds_without_history(repo: Path, cache: Path, tmp_path: Path) -> None:
    plain_copy = tmp_path / "plain"
    shutil.copytree(repo, plain_copy, ignore=shutil.ignore_patterns(".git"))
    out = tmp_path / "out"
    done = run_cli(
        "build",
        "--audience",
        "internal",
        "--out",
        str(out),
        "--today",
        TODAY,
        cwd=plain_copy,
        env={"DECISION_PATHS_CACHE": str(cache), "GIT_CEILING_DIRECTORIES": str(tmp_path), **GIT_ENV},
    )
    assert done.code == 0, done.out + done.err
    assert "Traceback" not in done.err
    refund = text(article(out / "internal", "decisions/refund-request/"))
    assert "变更记录" not in refund
    assert "暂无变更记录" in text(article(out / "internal", "changes/"))
    history = read_history(str(plain_copy / "decisions"), words("en"))
    assert history.entries == () and history.warning and "not a git repository" in history.warning


@pytest.mark.site
def test_no_history_flag_leaves_history_out(repo: Path, cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli(
        "build",
        "--audience",
        "client",
        "--no-history",
        "--out",
        str(out),
        "--today",
        TODAY,
        cwd=repo,
        env={"DECISION_PATHS_CACHE": str(cache), **GIT_ENV},
    )
    assert done.code == 0, done.out + done.err
    assert "变更记录" not in text(article(out / "client", "decisions/refund-request/"))
    assert page(out / "client", "changes/") is not None


# ------------------------------------------------------------ what became internal, and links


def _small_repo(root: Path) -> Path:
    (root / "decisions").mkdir(parents=True)
    (root / "decisions" / "_org.yaml").write_text(
        "people:\n  li-na: {name: 李娜}\nroles:\n  clerk: {title: Clerk, held_by: [li-na]}\n"
        "calendars:\n  shanghai: {country: CN, timezone: Asia/Shanghai}\n",
        encoding="utf-8",
    )
    git(root, "init", "-q")
    git(root, "config", "user.name", "T")
    git(root, "config", "user.email", "t@example.invalid")
    return root


SECRET_STAGE = "Secret credit scoring"
CLIENT_DECISION = f"""\
title: Loan
summary: A loan.
audience: client
owner: clerk
reviewed: 2026-10-01
review_every: 180 days
start: intake
stages:
  intake:
    title: Intake
    who: clerk
    within: 1 business day
    next: scoring
  scoring:
    title: {SECRET_STAGE}
    who: clerk
    within: WITHIN{{VISIBILITY}}
    next: answer
  answer:
    title: Answer
    who: clerk
    within: 1 business day
"""


def test_a_stage_that_is_internal_now_is_internal_review_in_every_client_line(tmp_path: Path) -> None:
    repo = _small_repo(tmp_path)
    path = repo / "decisions" / "loan.yaml"
    for within, visibility in (("2 business days", ""), ("3 business days", ""), ("3 business days", "internal")):
        extra = f"\n    visibility: {visibility}" if visibility else ""
        path.write_text(CLIENT_DECISION.replace("WITHIN{VISIBILITY}", within + extra), encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"loan {within} {visibility}")
    history = read_history(str(repo / "decisions"), words("en"))
    client_lines = [line for entry in history.entries for line in entry.client]
    assert client_lines, "the loan is a client decision: its history has client lines"
    assert all(SECRET_STAGE not in line and "(scoring)" not in line for line in client_lines), client_lines
    assert any("Internal review" in line for line in client_lines), client_lines
    internal_lines = [line for entry in history.entries for line in entry.internal]
    assert any(SECRET_STAGE in line for line in internal_lines)  # editors still see it


def test_a_committed_symbolic_link_is_not_read_as_a_decision(tmp_path: Path) -> None:
    repo = _small_repo(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text(CLIENT_DECISION.replace("WITHIN{VISIBILITY}", "1 week"), encoding="utf-8")
    os.symlink(outside, repo / "decisions" / "linked.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a link")
    history = read_history(str(repo / "decisions"), words("en"))
    assert all(entry.subject != "linked" for entry in history.entries)
    assert SECRET_STAGE not in repr(history.entries)
