"""History: every change to the decision paths, read from git in one pass.

One ``git log --raw`` over the decisions folder gives every commit with the
blob ids of each changed file; one ``git cat-file --batch`` reads all those
blobs. The versions are replayed oldest first and each change is described
by ``changes`` in the model's terms. What clients may see is the semantic
diff of the *client views* of the two versions (``audience.client_view``), so
the client history cannot carry anything the client site would not show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import posixpath
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from decision_paths.load.decisions import load_folder
from decision_paths.load.files import is_shared, is_yaml_path
from decision_paths.model.audience import INTERNAL_TEAM, client_view
from decision_paths.model.changes import Naming, decision_changes, shared_changes
from decision_paths.model.history import Commit, Entry, History, VersionRef
from decision_paths.model.organisation import Audience, Decision, Organisation, Visibility

NO_BLOB = "0" * 40


def repository_state(decisions: str) -> tuple[str, ...] | None:
    """What the history depends on besides the files: the commit, and whether the clone is
    shallow; None outside a repository or before the first commit (nothing to cache by)."""
    try:
        state = _git(["rev-parse", "--is-shallow-repository", "HEAD"], os.path.abspath(decisions)).decode().split()
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(state) if len(state) == 2 else None


def _git(args: list[str], cwd: str, data: bytes | None = None) -> bytes:
    # git from PATH, as the user runs it; the arguments are ours, never text from a file.
    command = ["git", *args]
    return subprocess.run(command, cwd=cwd, input=data, capture_output=True, check=True, timeout=600).stdout  # noqa: S603


def blob_id(data: bytes) -> str:
    """The id git gives a file's content, worked out without asking git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_history(
    decisions: str, words: Mapping[str, str], loaded: Callable[[], Mapping[tuple[str, str], Decision]] | None = None
) -> History:
    """The history of a decisions folder, from one ``git log`` and one ``git cat-file``.

    ``loaded`` may give the decisions already loaded from the working tree, by (path
    in the folder, git blob id): versions with those very bytes are not loaded again."""
    folder = os.path.abspath(decisions)
    try:
        root = _git(["rev-parse", "--show-toplevel"], folder).decode().strip()
    except (OSError, subprocess.SubprocessError):
        return History(warning="not a git repository: the sites are built without change history")
    if _git(["rev-parse", "--is-shallow-repository"], root).strip() == b"true":
        return History(
            warning="this is a shallow clone, so the change history is incomplete and is left out; "
            "fetch the full history (e.g. actions/checkout with fetch-depth: 0)"
        )
    prefix = os.path.relpath(folder, root).replace(os.sep, "/")
    log = _git(
        [
            "log",
            "--reverse",
            "--raw",
            "-M",
            "--no-abbrev",
            "-z",
            "--no-color",
            "--format=%x1e%H%x1f%an%x1f%aI%x1f%s%x1f",
            "--",
            prefix,
        ],
        root,
    ).decode("utf-8", "replace")
    commits = _parse_log(log)
    blobs = _read_blobs(root, {b for _, changes in commits for c in changes for b in c[1:3] if b != NO_BLOB})
    history = _Replay(prefix, blobs, words, dict(loaded()) if loaded else {}).run(commits)
    last = commits[-1][0].when if commits else None
    return History(history.entries, history.warning, last, _versions(prefix, commits))


def _versions(prefix: str, commits) -> tuple[VersionRef, ...]:  # type: ignore[no-untyped-def]
    """Every committed version of every decision file, oldest first (a deletion ends one)."""
    found = []
    for commit, changes in commits:
        for _status, old_blob, new_blob, old_path, new_path in changes:
            if is_shared(new_path) or not is_yaml_path(new_path, prefix):
                continue
            if old_path != new_path and old_blob != NO_BLOB and is_yaml_path(old_path, prefix):
                found.append(VersionRef(_decision_id(old_path), commit.when, old_path, ""))
            blob = "" if new_blob == NO_BLOB else new_blob
            found.append(VersionRef(_decision_id(new_path), commit.when, new_path, blob))
    return tuple(found)


def _decision_id(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def load_versions(decisions: str, refs: Sequence[VersionRef]) -> dict[str, list[tuple[dt.datetime, Decision | None]]]:
    """The decisions of those versions, by decision id, oldest first (None: deleted or broken)."""
    folder = os.path.abspath(decisions)
    root = _git(["rev-parse", "--show-toplevel"], folder).decode().strip()
    prefix = os.path.relpath(folder, root).replace(os.sep, "/")
    blobs = _read_blobs(root, {r.blob for r in refs if r.blob})
    loaded: dict[str, Decision | None] = {}
    found: dict[str, list[tuple[dt.datetime, Decision | None]]] = {}
    for ref in refs:
        if ref.blob and ref.blob not in loaded:
            decisions_here = load_folder(prefix, {ref.path: blobs.get(ref.blob, b"")}).org.decisions
            loaded[ref.blob] = next(iter(decisions_here.values()), None)
        found.setdefault(ref.decision, []).append((ref.when, loaded.get(ref.blob) if ref.blob else None))
    return found


_SYMLINK_MODE = "120000"


def _parse_log(log: str) -> list[tuple[Commit, list[tuple[str, str, str, str, str]]]]:
    """[(commit, [(status, old blob, new blob, old path, new path)])]"""
    commits = []
    for chunk in log.split("\x1e")[1:]:
        sha, author, when, subject, raw = chunk.split("\x1f", 4)
        tokens = [t for t in raw.strip("\x00\n").split("\x00") if t != ""]
        changes = []
        index = 0
        while index < len(tokens):
            meta = tokens[index].lstrip("\n").split()
            status, old_blob, new_blob = meta[4], meta[2], meta[3]
            # A symbolic link's blob is the path it points to, not a decision: as if absent.
            old_blob = NO_BLOB if meta[0].lstrip(":") == _SYMLINK_MODE else old_blob
            new_blob = NO_BLOB if meta[1] == _SYMLINK_MODE else new_blob
            if status[0] in "RC":
                old_path, new_path = tokens[index + 1], tokens[index + 2]
                index += 3
            else:
                old_path = new_path = tokens[index + 1]
                index += 2
            changes.append((status[0], old_blob, new_blob, old_path, new_path))
        commits.append((Commit(sha, author, dt.datetime.fromisoformat(when), subject), changes))
    return commits


def _read_blobs(root: str, ids: set[str]) -> dict[str, bytes]:
    if not ids:
        return {}
    ordered = sorted(ids)
    output = _git(["cat-file", "--batch"], root, ("\n".join(ordered) + "\n").encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for blob_id in ordered:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        if len(header) < 3:  # "<id> missing"
            position = header_end + 1
            continue
        size = int(header[2])
        blobs[blob_id] = output[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
    return blobs


@dataclass
class _Replay:
    prefix: str
    blobs: dict[str, bytes]
    words: Mapping[str, str]
    known: dict[tuple[str, str], Decision] = field(default_factory=dict)  # (path in the folder, blob) -> decision
    shared_files: dict[str, str] = field(default_factory=dict)  # path -> blob id
    decision_cache: dict[tuple[str, str], Decision | None] = field(default_factory=dict)
    shared_cache: dict[tuple[tuple[str, str], ...], Organisation] = field(default_factory=dict)
    internal_now: dict[str, set[str]] = field(default_factory=dict)  # decision id -> stages internal now

    def shared(self, files: Mapping[str, str] | None = None) -> Organisation:
        key = tuple(sorted((self.shared_files if files is None else files).items()))
        if key not in self.shared_cache:
            sources = {path: self.blobs.get(blob, b"") for path, blob in key}
            self.shared_cache[key] = load_folder(self.prefix, sources).org
        return self.shared_cache[key]

    def decision(self, path: str, blob: str) -> Decision | None:
        """The decision in one version of a file; None if it does not load (the change shows as missing)."""
        if blob == NO_BLOB or not is_yaml_path(path, self.prefix):
            return None
        key = (path, blob)
        known = self.known.get((posixpath.relpath(path, self.prefix), blob))
        if known is not None:
            return known
        if key not in self.decision_cache:
            loaded = load_folder(self.prefix, {path: self.blobs.get(blob, b"")}).org.decisions
            self.decision_cache[key] = next(iter(loaded.values()), None)
        return self.decision_cache[key]

    def run(self, commits) -> History:  # type: ignore[no-untyped-def]
        self.internal_now = self._internal_stages_now(commits)
        entries: list[Entry] = []
        for commit, changes in commits:
            # Each change carries its own old and new blob: comparing those (not
            # whatever was replayed last) keeps merged branches' commits right.
            before, after = dict(self.shared_files), dict(self.shared_files)
            decision_changes_here = []
            for _status, old_blob, new_blob, old_path, new_path in changes:
                if is_shared(new_path) or is_shared(old_path):
                    after.pop(old_path, None)
                    if old_blob != NO_BLOB and is_yaml_path(old_path, self.prefix):
                        before[old_path] = old_blob
                    else:
                        before.pop(old_path, None)
                    if new_blob != NO_BLOB and is_yaml_path(new_path, self.prefix):
                        after[new_path] = new_blob
                    continue
                decision_changes_here.append((old_path, old_blob, new_path, new_blob))
            shared_before, shared_after = self.shared(before), self.shared(after)
            self.shared_files = after
            for old_path, old_blob, new_path, new_blob in decision_changes_here:
                entry = self._entry(
                    commit,
                    self.decision(old_path, old_blob),
                    self.decision(new_path, new_blob),
                    shared_before,
                    shared_after,
                )
                if entry is not None:
                    entries.append(entry)
            shared = shared_changes(shared_before, shared_after, self.words, readers=True)
            if shared:
                entries.append(Entry(commit, "shared", "", tuple(c.text for c in shared), ()))
        entries.reverse()
        return History(tuple(entries))

    def _entry(
        self,
        commit: Commit,
        old: Decision | None,
        new: Decision | None,
        shared_before: Organisation,
        shared_after: Organisation,
    ) -> Entry | None:
        # Named as the pages name them: role titles, people's names, stage titles, labels.
        internal = tuple(
            c.text for c in decision_changes(old, new, Naming.for_readers(shared_before, shared_after), self.words)
        )
        if not internal:
            return None  # formatting only
        client = tuple(
            c.text
            for c in decision_changes(
                self._client(old, shared_before),
                self._client(new, shared_after),
                self._client_naming(shared_after),
                self.words,
            )
        )
        subject = (new or old).id  # type: ignore[union-attr]
        return Entry(commit, subject, (new or old).title, internal, client)  # type: ignore[union-attr]

    def _internal_stages_now(self, commits) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
        """Decision id -> the stages that are internal in the newest version."""
        newest: dict[str, str] = {}
        for _, changes in commits:
            for _status, _old_blob, new_blob, old_path, new_path in changes:
                newest.pop(old_path, None)
                if new_blob != NO_BLOB and not is_shared(new_path):
                    newest[new_path] = new_blob
        internal: dict[str, set[str]] = {}
        for path, blob in newest.items():
            decision = self.decision(path, blob)
            if decision is not None:
                internal[decision.id] = {s.id for s in decision.stages.values() if s.visibility is Visibility.INTERNAL}
        return internal

    def _client(self, decision: Decision | None, shared: Organisation) -> Decision | None:
        if decision is None or decision.audience is not Audience.CLIENT:
            return None
        # A stage that is internal now is spoken of only as internal review, in every
        # entry: an older entry must not keep the title clients may no longer see.
        hidden = self.internal_now.get(decision.id, set())
        if hidden:
            stages = {
                sid: dataclasses.replace(stage, visibility=Visibility.INTERNAL) if sid in hidden else stage
                for sid, stage in decision.stages.items()
            }
            decision = dataclasses.replace(decision, stages=stages)
        view = client_view(_with_decision(shared, decision), self.words)
        return view.decisions.get(decision.id)

    def _client_naming(self, shared: Organisation) -> Naming:
        """Titles of the roles clients may see; the client view already mapped the rest
        (people among them) to the internal team, and has no categories."""
        visible = {r.id: r.title for r in shared.roles.values() if r.visibility is Visibility.CLIENT}
        return Naming({**visible, INTERNAL_TEAM: self.words["internal_team"]}, readers=True)


def _with_decision(shared: Organisation, decision: Decision) -> Organisation:
    return Organisation(shared.people, shared.roles, shared.calendars, shared.defaults, {decision.id: decision}, ())


# ------------------------------------------------------------ two versions


class RevisionError(Exception):
    """A revision that git does not know, or no repository."""


def organisation_at(decisions: str, revision: str | None) -> Organisation:
    """The model of the decisions folder at a git revision; None means the working tree."""
    if revision is None:
        return load_folder(decisions).org
    folder = os.path.abspath(decisions)
    try:
        root = _git(["rev-parse", "--show-toplevel"], folder).decode().strip()
        listing = _git(
            ["ls-tree", "-r", "-z", "--full-tree", revision, "--", os.path.relpath(folder, root).replace(os.sep, "/")],
            root,
        ).decode("utf-8", "replace")
    except (OSError, subprocess.CalledProcessError) as err:
        stderr = getattr(err, "stderr", b"") or b""
        raise RevisionError(f"cannot read '{revision}': {stderr.decode(errors='replace').strip() or err}") from None
    prefix = os.path.relpath(folder, root).replace(os.sep, "/")
    files = {}
    for line in filter(None, listing.split("\x00")):
        meta, path = line.split("\t", 1)
        if meta.split()[1] == "blob" and is_yaml_path(path, prefix):
            files[path] = meta.split()[2]
    blobs = _read_blobs(root, set(files.values()))
    return load_folder(prefix, {path: blobs.get(blob, b"") for path, blob in files.items()}).org


def default_base(decisions: str) -> str:
    """The merge base of HEAD with the default branch (origin/HEAD, main or master)."""
    folder = os.path.abspath(decisions)
    for branch in ("origin/HEAD", "origin/main", "main", "origin/master", "master"):
        try:
            return _git(["merge-base", "HEAD", branch], folder).decode().strip()
        except (OSError, subprocess.CalledProcessError):
            continue
    raise RevisionError("no default branch to compare with (origin/HEAD, main or master): give REV1")
