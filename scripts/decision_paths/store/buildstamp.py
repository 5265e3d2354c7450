"""A build with nothing to do: the stamp the last build of an output folder left.

A stamp holds a fingerprint of everything a build reads (the files of the project,
the decisions and the record, the options, the date, the environment the build and
its configuration read, the git commit, this program's code and the libraries that
shape the pages) and a list of the files it wrote, with their sizes and times. When
the fingerprint is the same and the output is exactly as that build left it, building
again would write the same bytes, so the build is skipped and the site left alone.

The fingerprint errs towards building: any file touched under the project, an edit
of the site by hand, or a stamp that cannot be read means a full build. Stamps live
in the build cache (``builds/``), never in the published site.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from decision_paths.load.history import repository_state
from decision_paths.store import cache
from decision_paths.store.cache import code_version, library_versions
from decision_paths.store.files import MARKER

# Folders no build reads: version control, virtualenvs, caches.
_UNREAD = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".cache", "__pycache__", "node_modules", ".tox"})
# The theme's and search's libraries: their versions change pages that no cached step holds.
_SITE_LIBRARIES = ("mkdocs-material", "pymdown-extensions", "jieba", "vl-convert-python", "cryptography")
# Environment variables the build itself reads (the secret only as a hash).
_BUILD_VARIABLES = ("SOURCE_DATE_EPOCH", "DECISION_PATHS_TRACKING_SECRET", "GITHUB_ACTIONS")
# MkDocs' `!ENV NAME` and `!ENV [NAME, OTHER, default]` in a configuration file.
_ENV_TAG = re.compile(r"!ENV\s+(?:\[([^\]]*)\]|([A-Za-z_][A-Za-z0-9_]*))")

Listing = tuple[tuple[str, int, int], ...]  # (path under the output folder, size, mtime_ns)


@dataclass(frozen=True, slots=True)
class Stamp:
    fingerprint: str
    files: Listing
    lines: tuple[tuple[str, str], ...]  # what the build printed: ("stdout" | "stderr", text)


def fingerprint(roots: Iterable[Path], skipped: Iterable[Path], options: Mapping[str, object]) -> str:
    """A hash of every file under ``roots`` (not under ``skipped`` or a folder no build reads),
    of ``options``, of the environment the build and the configuration files read, of the
    git commit of each root and of the code and libraries."""
    digest = hashlib.sha256(code_version().encode() + library_versions(_SITE_LIBRARIES).encode())
    digest.update(json.dumps(dict(options), sort_keys=True, default=str).encode() + b"\0")
    variables = set(_BUILD_VARIABLES)
    skip = {p.resolve() for p in skipped}
    for root in _distinct(roots):
        digest.update(b"root\0" + str(root).encode() + b"\0" + _commit(root).encode() + b"\0")
        for path in _files(root, skip):
            try:
                data = path.read_bytes()
            except OSError:  # unreadable here: never call the build unchanged (the build says why)
                data = os.urandom(32)
            digest.update(str(path.relative_to(root)).encode() + b"\0" + hashlib.sha256(data).digest())
            if path.suffix in (".yml", ".yaml"):
                variables.update(_env_names(data.decode("utf-8", "replace")))
    for name in sorted(variables):
        value = os.environ.get(name)
        shown = None if value is None else hashlib.sha256(value.encode()).hexdigest()
        digest.update(f"env {name}={shown}\0".encode())
    return digest.hexdigest()


def _distinct(roots: Iterable[Path]) -> list[Path]:
    """The existing roots, none inside another."""
    found = sorted({r.resolve() for r in roots if r.is_dir()})
    return [r for r in found if not any(o != r and r.is_relative_to(o) for o in found)]


def _files(root: Path, skip: set[Path]) -> list[Path]:
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root):  # symbolic links to folders are not followed
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if d not in _UNREAD and (here / d).resolve() not in skip)
        found.extend(here / n for n in sorted(names) if (here / n).is_file())
    return found


def _env_names(text: str) -> set[str]:
    names: set[str] = set()
    for listed, single in _ENV_TAG.findall(text):
        names.update(n.strip() for n in (listed.split(",") if listed else [single]) if n.strip())
    return names


def _commit(root: Path) -> str:
    """The commit checked out in ``root`` and whether the clone is shallow (the change
    history is read from them), or '' outside a repository."""
    return " ".join(repository_state(str(root)) or ())


def listing(targets: Sequence[Path]) -> Listing | None:
    """Every file of the built sites, or None when one is missing or not one this tool built."""
    rows: list[tuple[str, int, int]] = []
    for target in targets:
        if not (target / MARKER).is_file():
            return None
        for folder, subfolders, names in os.walk(target):
            subfolders.sort()
            for name in sorted(names):
                path = Path(folder) / name
                stat = path.lstat()
                rows.append((path.relative_to(target.parent).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(rows)


def _entry(out: Path) -> str:
    """The cache entry of an output folder (by its absolute path)."""
    return hashlib.sha256(str(out.resolve()).encode()).hexdigest()


def unchanged(out: Path, targets: Sequence[Path], print_: str) -> Stamp | None:
    """The stamp of the last build into ``out`` when it had this fingerprint (``print_``) and
    its sites are exactly as it left them; else None (build)."""
    stamp = cache.read("builds", _entry(out), Stamp)
    if stamp is None or stamp.fingerprint != print_ or listing(targets) != stamp.files:
        return None
    return stamp


def record(out: Path, targets: Sequence[Path], print_: str, lines: Sequence[tuple[str, str]]) -> None:
    """Leave the stamp of a build that succeeded (the cache's own entry: damaged ones are
    ignored, only the newest are kept, an unwritable cache is skipped)."""
    files = listing(targets)
    if files is not None:
        cache.write("builds", _entry(out), Stamp(print_, files, tuple(lines)))
