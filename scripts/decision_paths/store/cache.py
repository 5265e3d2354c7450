"""The build cache: what the check, history and plan steps worked out, kept between builds.

Each entry is keyed by a hash of everything its step reads: the bytes of the
decision files, today's date, the site settings, the git commit, and this
program's own code and the versions of the libraries that shape its output.
So an entry is only ever reused where working it out again would give the
same answer, and a second build with nothing changed skips loading, checking,
reading git and planning (the diagrams have their own cache, by DOT source).

Entries are plain JSON, never pickles: a cache folder can be damaged, or
restored by CI from elsewhere, and must never be able to run code. An entry
that cannot be read is ignored and worked out again; a cache that cannot be
written is skipped. Only the newest entries of each kind are kept.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from decision_paths.store import codec
from decision_paths.store.files import write_atomically

T = TypeVar("T")

KEEP_PER_KIND = 8  # a few sites (audiences, branches) side by side; older entries are deleted

# Libraries whose versions change what a step produces (holiday data, DOT text, Markdown fields, pages).
_LIBRARIES = (
    "holidays",
    "graphviz",
    "Markdown",
    "nh3",
    "PyYAML",
    "mkdocs",
    "Jinja2",
    "MarkupSafe",
    "duckdb",
    "babel",
    "vl-convert-python",  # the charts
)


def cache_root() -> Path:
    return Path(os.environ.get("DECISION_PATHS_CACHE", ".cache/decision-paths"))


def key(*parts: object) -> str:
    """A hash of the parts (anything ``codec`` can store: strings, dates, dataclasses...),
    with the code version."""
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        digest.update(b"\0" + codec.canonical(part))
    return digest.hexdigest()


@functools.cache
def code_version() -> str:
    """This program's files and the versions of the libraries it builds with."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).parent.parent  # the whole decision_paths package
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(library_versions(_LIBRARIES).encode())
    return digest.hexdigest()


def library_versions(names: tuple[str, ...]) -> str:
    """``name=version`` of each installed library (``none`` when it is not installed)."""
    from importlib import metadata  # 40 ms of imports, paid only by builds that use the cache

    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=none")
    return "\0".join(found) + "\0"


def sources_version(sources: Mapping[str, bytes]) -> str:
    """A hash of a folder's files as the loader reads them: names and bytes."""
    digest = hashlib.sha256()
    for path, data in sources.items():
        digest.update(b"\0" + path.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def read(kind: str, entry_key: str, value_type: type[T]) -> T | None:
    """The entry of ``kind`` under ``entry_key``, if there is one that fits ``value_type``."""
    try:
        data = (cache_root() / kind / f"{entry_key}.json").read_bytes()
    except OSError:
        return None
    return codec.decode(data, entry_key, value_type)


def write(kind: str, entry_key: str, value: object) -> None:
    folder = cache_root() / kind
    try:
        data = codec.encode(entry_key, value)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{entry_key}.json", data)
        _prune(folder)
    except (OSError, TypeError, ValueError):
        return  # a read-only or full disk only makes the next build slower


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP_PER_KIND:]:
        old.unlink(missing_ok=True)
