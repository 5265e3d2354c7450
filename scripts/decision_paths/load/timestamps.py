"""The build timestamp when SOURCE_DATE_EPOCH is not set and there is no history."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path


def source_date_epoch(decisions: str) -> int:
    """The time of the last commit that touched the decisions (reproducible from the same commit);
    without git, the newest decision file's time."""
    with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError):
        # git from PATH, as the user runs it, with fixed arguments.
        command = ["git", "log", "-1", "--format=%ct", "--", "."]
        stamp = subprocess.run(command, cwd=decisions, capture_output=True, text=True, timeout=30).stdout.strip()  # noqa: S603
        if stamp:
            return int(stamp)
    times = [p.stat().st_mtime for p in Path(decisions).rglob("*") if p.is_file()]
    return int(max(times, default=0))
