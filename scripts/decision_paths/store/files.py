"""Writing without ever leaving half a file or half a site.

A file is written beside its target and renamed over it; a site is built in a
folder beside the target and swapped in whole. Only a folder this tool made
(it carries a marker file) is ever replaced, and nothing outside the output
folder is deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MARKER = ".decision-paths-site"


class BuildError(Exception):
    """The site could not be built; the message says why and what to do."""

    def __init__(self, message: str, findings: tuple = ()):  # type: ignore[type-arg]
        super().__init__(message)
        self.findings = findings


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file beside it, so a reader (another
    build) sees the old file or the new one, never half of one. Raises OSError."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def written_atomically(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through, piece by piece (a file too big to hold in memory):
    a temporary file beside it that takes its place when the block ends, and is removed if
    the block fails, so ``path`` is the old file or the new one, never half of one. Unlike
    the build's own files, it gets the permissions a new file of the user's gets.
    Raises OSError."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; the file is the user's, as open() makes it
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
