"""Write step: run MkDocs for one audience into a fresh folder, then swap it in.

The site is built into a temporary folder beside the target and renamed into
place only when complete, so an interrupted build leaves the previous site as
it was. Only a folder this tool made (it carries a marker file) is ever
replaced, and nothing outside the output folder is deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import io
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from decision_paths.pipeline import CheckedFolder
    from decision_paths.render.mkdocs_plugin import DecisionPathsPlugin

MARKER = ".decision-paths-site"
PLUGIN = "decision-paths"

# The built-in site configuration for a folder that holds only decisions/.
DEFAULT_CONFIG = r"""
site_name: Decision Paths
theme:
  name: material
  language: zh
  font: false
  features: [navigation.sections, search.suggest, search.highlight]
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Dark}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Light}
plugins:
  - search:
      lang: [zh, en]
      separator: '[\s\u200b\-]'
  - decision-paths
markdown_extensions: [tables, admonition, attr_list, md_in_html, {toc: {permalink: true}}]
"""


class BuildError(Exception):
    """The site could not be built; the message says why and what to do."""

    def __init__(self, message: str, findings: tuple = ()):  # type: ignore[type-arg]
        super().__init__(message)
        self.findings = findings


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collected_warnings() -> Iterator[list[str]]:
    collector = _WarningCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


_LINK_WARNING = re.compile(
    r"Doc file '(?P<page>[^']+)' contains (?:a link|an unrecognized relative link) "
    r"'(?P<link>[^']+)'"
)


def link_finding(message: str, docs_dir: str):  # type: ignore[no-untyped-def]
    """A MkDocs strict-mode warning as a finding: at the line of the link when the page is one of ours."""
    from decision_paths.model.findings import Loc, finding

    match = _LINK_WARNING.search(message)
    if not match:
        return finding("broken-link", Loc("mkdocs.yml"), message)
    path = Path(docs_dir, match["page"])
    loc = Loc(str(path))
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            column = line.find(match["link"])
            if column >= 0:
                loc = Loc(str(path), number, column + 1)
                break
    reason = re.sub(r"^but ", "", message.split(",", 1)[-1].strip())
    return finding("broken-link", loc, f"link '{match['link']}' leads nowhere: {reason}")


def quiet_third_parties() -> None:
    """Keep the terminal for findings: no MkDocs 2 banner, no jieba start-up chatter."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with contextlib.suppress(ImportError):
        import jieba

        jieba.setLogLevel(logging.WARNING)


def load_site_config(
    *, decisions: str, site_dir: str, today: dt.date, config_file: str | None = None, audience: str = "internal"
) -> MkDocsConfig:
    """The user's mkdocs.yml (or the built-in default), with the decision-paths plugin set up."""
    from mkdocs.config import load_config

    from decision_paths.render.mkdocs_plugin import DecisionPathsPlugin

    if config_file is None:
        # The client site may have a configuration of its own (site name, no editor pages).
        candidates = ("mkdocs.client.yml", "mkdocs.yml") if audience == "client" else ("mkdocs.yml",)
        config_file = next((name for name in candidates if os.path.isfile(name)), None)
    if config_file is not None:
        config = _load_user_config(config_file, site_dir)
    else:
        docs = os.path.abspath("docs") if os.path.isdir("docs") else _empty_docs_dir()
        config = load_config(config_file=io.StringIO(DEFAULT_CONFIG), site_dir=site_dir, docs_dir=docs)
    plugin = config.plugins.get(PLUGIN)
    if plugin is None:  # the user's mkdocs.yml does not list it: add it as if it did
        plugin = DecisionPathsPlugin()
        errors, _ = plugin.load_config({})
        if errors:  # pragma: no cover - empty options cannot be wrong
            raise BuildError(str(errors))
        config.plugins[PLUGIN] = plugin
    plugin.config.decisions = os.path.abspath(decisions)
    plugin.config.audience = audience
    plugin.config.today = today.isoformat()
    return config


def site_plugin(config: MkDocsConfig) -> DecisionPathsPlugin:
    """Our plugin in a configuration that ``load_site_config`` made."""
    from decision_paths.render.mkdocs_plugin import DecisionPathsPlugin

    plugin = config.plugins[PLUGIN]
    if not isinstance(plugin, DecisionPathsPlugin):  # another plugin registered under our name
        raise BuildError(f"the plugin named '{PLUGIN}' in the configuration is not Decision Paths")
    return plugin


def _load_user_config(config_file: str, site_dir: str) -> MkDocsConfig:
    """The user's configuration; pages in docs/ are optional, so a missing docs folder is an empty one."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    overrides = {}
    with contextlib.suppress(Exception):  # MkDocs itself reports a configuration it cannot read
        with open(config_file, encoding="utf-8") as handle:
            settings = yaml_load(handle) or {}
        docs_dir = Path(config_file).parent / str(settings.get("docs_dir", "docs"))
        if not docs_dir.is_dir():
            overrides["docs_dir"] = _empty_docs_dir()
        if "theme" not in settings:  # the pages are made for Material: use the built-in theme settings
            overrides["theme"] = yaml.safe_load(DEFAULT_CONFIG)["theme"]
    try:
        return load_config(config_file=config_file, site_dir=site_dir, **overrides)
    except (ConfigurationError, Abort) as err:
        raise BuildError(f"{config_file}: {err}") from None


def _empty_docs_dir() -> str:
    folder = Path(tempfile.gettempdir()) / "decision-paths-empty-docs"
    folder.mkdir(exist_ok=True)
    return str(folder)


def build_site(
    *,
    decisions: str,
    out: str,
    audience: str,
    today: dt.date,
    config_file: str | None = None,
    strict: bool = False,
    history: bool = True,
    checked: CheckedFolder | None = None,
) -> Path:
    """Build one audience's site into OUT/AUDIENCE, replacing the previous one only when done.

    With ``strict``, a broken link or missing page fails the build (MkDocs strict
    mode) and each one is reported as a finding.
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    quiet_third_parties()
    target = Path(out) / audience
    with replaced_atomically(target) as building:
        config = load_site_config(
            decisions=decisions, site_dir=str(building), today=today, config_file=config_file, audience=audience
        )
        config.strict = strict
        plugin = site_plugin(config)
        plugin.config.history = history
        plugin.report_findings = False  # the command prints them once, before building
        plugin.checked = checked
        with _collected_warnings() as warnings:
            try:
                build(config)
            except MkDocsException as err:
                found = [link_finding(message, config.docs_dir) for message in warnings]
                raise BuildError(str(err), tuple(found)) from None
        (building / MARKER).write_text("built by decision-paths; replaced whole on each build\n", encoding="utf-8")
    return target


@contextlib.contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it takes ``target``'s place
    in one step, so at every instant ``target`` is the old complete site or the new one.

    Builds into the same output folder take turns (a lock on the folder), and the first
    thing a build does is remove what killed builds left behind.
    """
    target = target.absolute()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BuildError(_io_problem(target.parent, err)) from None
    with _output_lock(target.parent):
        _remove_leftovers(target)
        if target.exists() and not _made_by_us(target):
            raise BuildError(
                f"{target} exists and was not made by decision-paths: move it away or choose another --out"
            )
        try:
            building = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
            building.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the site is for a web server to read
        except OSError as err:
            raise BuildError(_io_problem(target.parent, err)) from None
        try:
            yield building
            _swap_in(building, target)
        except OSError as err:
            raise BuildError(_io_problem(target, err)) from None
        finally:
            shutil.rmtree(building, ignore_errors=True)  # the new site if it failed, the old one if it was swapped


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _swap_in(building: Path, target: Path) -> None:
    if not target.exists():
        os.rename(building, target)  # one step: target appears complete
    elif not exchange_paths(building, target):
        # No atomic exchange here (not Linux, or a file system without it): the
        # two renames leave a moment with no target. Documented in docs/deploy.md.
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rename(target, old / "site")
        os.rename(building, target)
        shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where
    the system cannot, so the caller falls back."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # glibc before 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@contextlib.contextmanager
def _output_lock(out: Path) -> Iterator[None]:
    """Hold a lock on the output folder itself (no lock file is left in it): a second
    build into the same folder waits until the first is done."""
    try:
        handle = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise BuildError(_io_problem(out, err)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"decision-paths: waiting for another build into {out} to finish", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network shares): build without taking turns
            pass
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _remove_leftovers(target: Path) -> None:
    """The temporary folders of builds that were killed (we hold the lock, so none is in use)."""
    for prefix in (f".{target.name}.building-", f".{target.name}.old-"):
        for leftover in target.parent.glob(prefix + "*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)


def _io_problem(path: Path, err: OSError) -> str:
    """One line that says what went wrong with the output and what to do."""
    advice = {
        errno.ENOSPC: "the disk is full: free some space and build again",
        errno.EDQUOT: "the disk quota is used up: free some space and build again",
        errno.EROFS: "that file system is read-only: choose another --out",
        errno.EACCES: "permission denied: choose another --out or fix its permissions",
        errno.EPERM: "permission denied: choose another --out or fix its permissions",
        errno.ENOTDIR: "a file is in the way where a folder is needed: choose another --out",
        errno.EEXIST: "a file is in the way where a folder is needed: choose another --out",
        errno.ENOTEMPTY: "another program changed the output folder during the build: build again",
    }.get(err.errno or 0, "build again, or choose another --out")
    return f"cannot write the site to {path}: {err.strerror or err}; {advice}"


def _made_by_us(folder: Path) -> bool:
    try:
        return folder.is_dir() and ((folder / MARKER).is_file() or not any(folder.iterdir()))
    except OSError:  # unreadable: certainly not replaced
        return False
