"""The output swap: at every instant OUT/AUDIENCE is the old complete site or the new one."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from site_helpers import REPO, run_cli

from decision_paths.store import files as build
from decision_paths.store.files import MARKER, BuildError, replaced_atomically

PYTHON = REPO / ".venv" / "bin" / "python"
FILES = 40

# A stand-in for a build: writes FILES pages slowly, each naming its version.
SLOW_BUILD = """
import sys, time
from pathlib import Path
from decision_paths.store.files import MARKER, replaced_atomically
target, version = Path(sys.argv[1]), sys.argv[2]
with replaced_atomically(target) as building:
    for number in range(PAGES):
        (building / f"page-{number}.html").write_text(version)
        print("page", flush=True)
        time.sleep(0.002)
    (building / MARKER).write_text("ours")
print("swapped", flush=True)
""".replace("PAGES", str(FILES))


def run_slow_build(target: Path, version: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(PYTHON), "-c", SLOW_BUILD, str(target), version],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def site_version(target: Path) -> str:
    """The version of a complete site at ``target``; fails on a missing or mixed one."""
    assert target.is_dir(), f"{target} is missing"
    assert (target / MARKER).is_file(), "the site is incomplete"
    versions = {(target / f"page-{n}.html").read_text() for n in range(FILES)}
    assert len(versions) == 1, f"a mix of sites: {versions}"
    return versions.pop()


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".site."))


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    target = tmp_path / "out" / "site"
    first = run_slow_build(target, "v0")
    assert first.wait(timeout=60) == 0, first.stderr.read() if first.stderr else ""
    seen = set()
    # Kill after 0, 4, 8, ... pages, around the swap (the last page, then a moment
    # later) and after it: every moment of a build, whatever the machine's speed.
    moments = [*range(0, FILES + 1, 4), FILES, FILES, FILES, FILES + 1]
    for attempt, kill_after in enumerate(moments):
        version = f"v{attempt + 1}"
        child = run_slow_build(target, version)
        assert child.stdout is not None
        for _ in range(kill_after):
            if not child.stdout.readline():
                break
        time.sleep(0.003 * (attempt % 4))
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        now = site_version(target)
        seen.add("new" if now == version else "old")
        # the next build cleans up after the killed one and succeeds
        again = run_slow_build(target, f"{version}-again")
        assert again.wait(timeout=60) == 0
        assert site_version(target) == f"{version}-again"
        assert leftovers(target.parent) == []
    assert seen == {"old", "new"}, f"the kills never landed on both sides of the swap: {seen}"


@pytest.mark.slow
def test_concurrent_builds_take_turns(tmp_path: Path) -> None:
    target = tmp_path / "out" / "site"
    builds = [run_slow_build(target, f"v{n}") for n in range(3)]
    for child in builds:
        assert child.wait(timeout=120) == 0, child.stderr.read() if child.stderr else ""
    assert site_version(target) in {"v0", "v1", "v2"}
    assert leftovers(target.parent) == []


def test_the_swap_exchanges_in_one_step_on_linux(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "x").write_text("a")
    (second / "x").write_text("b")
    if not build.exchange_paths(first, second):
        pytest.fail("renameat2(RENAME_EXCHANGE) is expected on this Linux machine")
    assert (first / "x").read_text() == "b" and (second / "x").read_text() == "a"


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only"),
        (errno.ENOTEMPTY, "build again"),
    ],
)
def test_output_problems_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def fail(*args: object, **kwargs: object) -> str:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkdtemp", fail)
    with pytest.raises(BuildError) as raised, replaced_atomically(tmp_path / "out" / "internal"):
        pass
    message = str(raised.value)
    assert "\n" not in message and words in message and str(tmp_path / "out") in message


def test_out_naming_an_existing_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "decisions").mkdir()
    (tmp_path / "decisions" / "_org.yaml").write_text("people: {}\n", encoding="utf-8")
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    done = run_cli("build", "--out", "taken", "--today", "2026-11-23", cwd=tmp_path)
    assert done.code == 1 and "Traceback" not in done.err, done.err
    assert "a file is in the way" in done.err and "--out" in done.err
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file"


def test_the_site_folder_can_be_read_by_a_web_server(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        with replaced_atomically(tmp_path / "out" / "internal") as building:
            (building / MARKER).write_text("ours")
    finally:
        os.umask(previous)
    assert (tmp_path / "out" / "internal").stat().st_mode & 0o777 == 0o755


def test_a_killed_builds_leftovers_are_removed_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in (".internal.building-abc", ".internal.old-def"):
        (out / name / "site").mkdir(parents=True)
        (out / name / "site" / "big.bin").write_bytes(b"0" * 1024)
    (out / ".keep-me").mkdir()
    with replaced_atomically(out / "internal") as building:
        (building / MARKER).write_text("ours")
    assert sorted(p.name for p in out.iterdir()) == [".keep-me", "internal"]


assert sys.platform.startswith("linux")  # these tests run where CI runs
