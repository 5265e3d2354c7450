"""Shared helpers for the site tests: build a site, parse its pages, check its links.

The sample sites (the repository's own decisions/, mkdocs.yml and docs/, built
with ``--today 2026-11-23``, both audiences in one build) are built once per test
session, even under pytest-xdist (the first worker to ask builds them, the others
wait for it and read the same folder), and shared by every module that asks for
them; tests must treat them as read-only.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import posixpath
import shutil
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
COMMAND = REPO / ".venv" / "bin" / "decision-paths"
TODAY = "2026-11-23"

_sample: dict[str, Path] = {}


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 120) -> Run:
    """The installed console command, as CI runs it."""
    assert COMMAND.exists(), f"the console command is not installed at {COMMAND}"
    done = subprocess.run(
        [str(COMMAND), *args],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def build_cli(cwd: Path, out: Path, *extra: str, cache: Path | None = None, audience: str = "internal") -> Run:
    """``decision-paths build`` of one audience (the internal site unless told)."""
    env = {"DECISION_PATHS_CACHE": str(cache)} if cache else None
    return run_cli("build", "--audience", audience, "--out", str(out), "--today", TODAY, *extra, cwd=cwd, env=env)


def shared_build(name: str, tmp_path_factory, build) -> Path:  # type: ignore[no-untyped-def]
    """``build(base)`` into a folder that every xdist worker of this session shares, run once.

    The first worker to ask runs it under a file lock; the others wait on the lock and
    find the result (or the same failure). ``build`` returns a Run of the build.
    """
    if name in _sample:
        return _sample[name]
    # Under xdist every worker's basetemp is <session root>/popen-gwN; the root is this
    # session's own (never an earlier session's), so it is safe to share through.
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    base = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = base / "result.txt"
            if not result.exists():
                base.mkdir(exist_ok=True)
                done = build(base)
                failure = "" if done.code == 0 else f"exit {done.code}\n{done.out}\n{done.err}"
                result.write_text(failure, encoding="utf-8")
            failure = result.read_text(encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert not failure, f"building {name} failed:\n{failure}"
    _sample[name] = base / "out"
    return _sample[name]


def sample_sites(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The repository's sample, both sites from one ``--audience all`` build (the same pages as
    two builds of one audience each), without tracking pages: the out/ folder holding
    internal/ and client/."""

    def build(base: Path) -> Run:
        # no tracking secret, whatever the environment has: the plain sites
        return run_cli(
            "build",
            "--audience",
            "all",
            "--out",
            str(base / "out"),
            "--today",
            TODAY,
            cwd=REPO,
            env={"DECISION_PATHS_CACHE": str(base / "cache"), "DECISION_PATHS_TRACKING_SECRET": ""},
        )

    return shared_build("sample", tmp_path_factory, build)


def sample_site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The repository's sample internal site, built once per session: its internal/ folder."""
    return sample_sites(tmp_path_factory) / "internal"


def sample_client_site(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The repository's sample client site (no tracking pages), built once per session."""
    return sample_sites(tmp_path_factory) / "client"


def copy_sample(to: Path) -> Path:
    """A copy of the sample decisions folder (only decisions/) under ``to``; returns ``to``."""
    shutil.copytree(REPO / "decisions", to / "decisions")
    return to


# ---------------------------------------------------------------- pages


@functools.lru_cache(maxsize=512)
def _parse(path: str, mtime: float) -> BeautifulSoup:
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def soup(path: Path) -> BeautifulSoup:
    """A parsed page (cached while the file is unchanged; do not modify the tree)."""
    return _parse(str(path), path.stat().st_mtime)


def page(site: Path, url: str) -> BeautifulSoup:
    """A page by its site URL, e.g. 'decisions/refund-request/'."""
    target = site / url
    if url == "" or url.endswith("/"):
        target = target / "index.html"
    assert target.is_file(), f"no page {url} in {site}: expected {target}"
    return soup(target)


def article(site: Path, url: str):  # type: ignore[no-untyped-def]
    found = page(site, url).select_one("article")
    assert found is not None, f"{url} has no <article>"
    return found


def text(node) -> str:  # type: ignore[no-untyped-def]
    """Visible text with whitespace runs collapsed."""
    return " ".join(node.get_text(" ").split())


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ---------------------------------------------------------------- links

_SKIPPED_SCHEMES = ("http:", "https:", "mailto:")


def _ids(path: Path) -> set[str]:
    if path.suffix == ".html":
        tree = soup(path)
    elif path.suffix == ".svg":
        tree = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    else:
        return set()
    found = {tag["id"] for tag in tree.find_all(id=True)}
    found |= {tag["name"] for tag in tree.find_all("a", attrs={"name": True})}
    return found


def link_targets(tree: BeautifulSoup) -> list[tuple[str, str]]:
    """(what, url) of every link and resource reference in a page, SVG links included."""
    found = []
    for tag in tree.find_all(True):
        for attribute in ("href", "xlink:href", "src"):
            value = tag.get(attribute)
            if value is not None and tag.name != "svg":
                found.append((f"<{tag.name} {attribute}>", value))
    return found


def resolve(site: Path, page_path: Path, url: str) -> tuple[Path | None, str, str]:
    """(file, fragment, problem) for a link on ``page_path``; problem is '' when it resolves."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, "", f"unexpected scheme or host in {url!r}"
    path = unquote(parts.path)
    relative_page = page_path.relative_to(site).as_posix()
    if path.startswith("/"):
        # Only MkDocs' 404 page may use root-absolute links (it is served at any URL).
        if relative_page != "404.html":
            return None, "", f"root-absolute link {url!r} breaks when the site is not at the server root"
        joined = posixpath.normpath(path.lstrip("/") or ".")
    elif path == "":
        joined = relative_page
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(relative_page), path))
    if joined == ".." or joined.startswith("../"):
        return None, "", f"{url!r} leads outside the site"
    target = site / joined if joined != "." else site
    if target.is_dir():
        target = target / "index.html"
    elif path.endswith("/"):
        return None, "", f"{url!r}: no folder {joined}/"
    if not target.is_file():
        return None, "", f"{url!r}: no file {target.relative_to(site)}"
    fragment = unquote(parts.fragment)
    if fragment and fragment not in _ids(target):
        return target, fragment, f"{url!r}: no id {fragment!r} in {target.relative_to(site)}"
    return target, fragment, ""


def broken_links(site: Path, pages: list[Path] | None = None) -> list[str]:
    problems = []
    for page_path in pages or html_pages(site):
        for what, url in link_targets(soup(page_path)):
            if url.startswith(_SKIPPED_SCHEMES):
                continue
            _, _, problem = resolve(site, page_path, url)
            if problem:
                problems.append(f"{page_path.relative_to(site)}: {what} {problem}")
    return problems


# ---------------------------------------------------------------- a small organisation


def write_org(root: Path, files: dict[str, str]) -> Path:
    """Write decisions/<relative> files under root; returns the decisions folder."""
    folder = root / "decisions"
    for relative, body in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


def all_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the theme's landmarks
# Where the theme puts what a reader looks for. Tests ask these helpers, so a
# change in Material's markup is mended here once, not in every assertion.


def site_name(tree: BeautifulSoup) -> str:
    """The site's name as the header shows it."""
    header = tree.select_one("header [class*=header__topic]") or tree.select_one("header")
    assert header is not None, "the page has no header"
    return text(header)


def main_menu(tree: BeautifulSoup):  # type: ignore[no-untyped-def]
    """The site's main navigation (the menu of every page)."""
    menu = tree.select_one("nav[class*=nav--primary]") or tree.find("nav")
    assert menu is not None, "the page has no navigation"
    return menu


def menu_labels(tree: BeautifulSoup) -> list[str]:
    return [text(a) for a in main_menu(tree).select("a, label") if text(a)]


def page_contents(tree: BeautifulSoup) -> list[tuple[str, str]]:
    """The page's own table of contents as (href, title)."""
    toc = tree.select_one("nav[class*=nav--secondary]")
    assert toc is not None, "the page has no table of contents"
    return [(a["href"], text(a)) for a in toc.select("a[href]")]


def search_box(tree: BeautifulSoup):  # type: ignore[no-untyped-def]
    box = tree.select_one("form[name=search] input[name=query]")
    assert box is not None, "the page has no search box"
    return box


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to the test output."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(handler) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A local HTTP server on a free port, for the browser tests: yields http://127.0.0.1:PORT."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
