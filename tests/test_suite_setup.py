"""What the suite's own speed rests on: a module marked ``xdist_group`` runs on one worker,
so the site its module fixtures build is built once (pyproject.toml, ``--dist loadgroup``).

With pytest 9.2 and pytest-xdist 3.8 the mark silently stopped working (pytest-xdist issue
1386): every grouped module was spread over both workers and built its sites twice. A
``make upgrade`` that brings that back fails here, not as a slower suite nobody notices.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("{name}")


@pytest.mark.parametrize("n", range(4))
def test_where(n):
    with open("{out}", "a") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / f"test_{name}.py").write_text(GROUPED.format(name=name, out=tmp_path / f"{name}.seen"))
    done = subprocess.run(
        # the suite's own options (pyproject.toml) on a folder of its own
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "-o", "addopts=--dist loadgroup"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("one", "two"):
        workers = (tmp_path / f"{name}.seen").read_text(encoding="utf-8").split()
        assert len(workers) == 4 and len(set(workers)) == 1, f"group {name!r} ran on {sorted(set(workers))}"
