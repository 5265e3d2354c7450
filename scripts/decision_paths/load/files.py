"""Which files a decisions folder holds: the walk, hidden and shared files, symbolic links."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

from decision_paths.load.rules import LINK_LOOP, LINK_OUTSIDE
from decision_paths.load.yamlsource import read_bytes
from decision_paths.model.findings import Finding, Loc, Rule

YAML_SUFFIXES = (".yaml", ".yml")
CASES_FOLDER = "cases"  # the case record's folder, beside the decisions folder (SPEC 11)


def cases_folder(decisions: str, given: str | None) -> str | None:
    """``--cases DIR``, else ``cases/`` beside the decisions folder; None when there is none."""
    folder = given if given is not None else os.path.join(os.path.dirname(os.path.abspath(decisions)), CASES_FOLDER)
    return folder if os.path.isdir(folder) else None


@dataclass(frozen=True, slots=True)
class FolderScan:
    files: tuple[str, ...]  # the YAML files to read, in a stable order
    refused: tuple[Finding, ...]  # symbolic links that are not followed, and why


def scan_folder(folder: str) -> FolderScan:
    """Every YAML file under ``folder``, recursively: in each folder its files, then its
    subfolders, by name; hidden files and folders skipped.

    The folder is the boundary: a symbolic link (to a file or a folder) is followed
    only when where it leads is inside the folder, and a link that leads outside is
    never opened, so a pull request cannot publish or print a file from elsewhere.
    """
    root = os.path.realpath(folder)
    files: list[str] = []
    refused: list[Finding] = []
    # Real folders walked so far: a link to one of them is not walked again, so links
    # that fan out to the same folders cost one visit each, not one per path.
    walked: set[str] = set()

    def walk(current: str, real: str, above: frozenset[str]) -> None:
        walked.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            return  # an unreadable or vanished folder holds nothing to read
        subfolders: list[tuple[str, str, bool]] = []  # (path, real path, reached by a link)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(current, entry.name)
            is_yaml = entry.name.lower().endswith(YAML_SUFFIXES)
            if entry.is_symlink():
                try:
                    target = os.path.realpath(path, strict=True)
                except OSError as err:
                    if err.errno == errno.ELOOP:
                        refused.append(_link_finding(LINK_LOOP, path))
                    elif is_yaml:
                        files.append(path)  # leads nowhere: reading it reports that
                    continue
                if os.path.commonpath([root, target]) != root:
                    if is_yaml or os.path.isdir(target):
                        refused.append(_link_finding(LINK_OUTSIDE, path))
                    continue
                if os.path.isdir(target):
                    if target in above or target == real:
                        refused.append(_link_finding(LINK_LOOP, path))
                    else:
                        subfolders.append((path, target, True))
                elif is_yaml and os.path.isfile(target):  # never a pipe or a device
                    files.append(path)
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append((path, os.path.join(real, entry.name), False))
            elif is_yaml and entry.is_file(follow_symlinks=False):
                files.append(path)
        for path, target, by_link in subfolders:
            if not (by_link and target in walked):
                walk(path, target, above | {real})

    walk(folder, root, frozenset())
    return FolderScan(tuple(files), tuple(refused))


def _link_finding(rule: Rule, path: str) -> Finding:
    name = os.path.basename(path)
    if rule is LINK_OUTSIDE:
        message = (
            f"'{name}' is a symbolic link that points outside the decisions folder, so it is not read; "
            "put the file itself in the folder, or link to a file inside it"
        )
    else:
        message = f"'{name}' is a symbolic link that leads back to itself or to a folder above it; remove it"
    return rule.at(Loc(path, 1, 1), message)


def find_files(folder: str) -> list[str]:
    """The YAML files ``scan_folder`` finds."""
    return list(scan_folder(folder).files)


def read_sources(folder: str, scan: FolderScan | None = None) -> dict[str, bytes] | None:
    """Every file ``scan_folder`` lists, read once as the loader reads it; None if one
    cannot be read, so the loader reports it."""
    sources: dict[str, bytes] = {}
    for path in (scan or scan_folder(folder)).files:
        try:
            sources[path] = read_bytes(path)
        except OSError:
            return None
    return sources


def walk_order(path: str) -> tuple[tuple[int, str], ...]:
    """Sort key giving the order of ``find_files``: in each folder its files, then its subfolders."""
    *folders, name = path.replace(os.sep, "/").split("/")
    return (*((1, part) for part in folders), (0, name))


def is_yaml_path(path: str, folder: str = "") -> bool:
    """A YAML file the loader reads: .yaml/.yml, not hidden, not inside a hidden folder
    of the decisions ``folder`` (where the folder itself is, say ~/.work/, does not matter)."""
    if folder:
        path = os.path.relpath(path, folder)
    name = os.path.basename(path)
    return (
        name.lower().endswith(YAML_SUFFIXES)
        and not name.startswith(".")
        and not any(
            part.startswith(".") for part in path.replace(os.sep, "/").split("/")[:-1] if part not in (".", "..")
        )
    )


def is_shared(path: str) -> bool:
    return os.path.basename(path).startswith("_")
