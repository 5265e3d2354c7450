"""What history costs: a cold build of 500 decisions whose git history has 300
commits of realistic edits, with and without history, in one run.

Goal (issue 6): history adds at most 20% to the cold build.

    .venv/bin/python benchmarks/history_bench.py [--decisions 500] [--commits 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_organisation

DP = str(Path(sys.executable).with_name("decision-paths"))
EDITS = (
    (r"within: 1 business day", "within: 2 business days"),
    (r"within: 2 business days", "within: 3 business days"),
    (r"within: 3个工作日", "within: 4个工作日"),
    (r"within: 8 business hours", "within: 6 business hours"),
    (r"visibility: internal", "visibility: client"),
    (r"does: 书面记录需求并向客户确认收到", "does: 书面记录需求,当天向客户确认收到"),
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "Bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "Bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        },
    )


def make_repository(repo: Path, decisions: int, commits: int) -> None:
    rng = random.Random(11)
    folder = repo / "decisions"
    write_organisation(folder, decisions)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "Import the organisation")
    files = sorted(p for p in folder.rglob("decision-*.yaml"))
    for number in range(commits - 1):
        for path in rng.sample(files, rng.randint(1, 3)):
            text = path.read_text(encoding="utf-8")
            pattern, replacement = rng.choice(EDITS)
            changed = re.sub(pattern, replacement, text, count=1)
            if changed == text:  # make sure every commit changes something real
                changed = text.replace("title: 书面答复客户", f"title: 书面答复客户 v{number}", 1)
            path.write_text(changed, encoding="utf-8")
        git(repo, "commit", "-qam", f"Edit {number}")


def timed_build(repo: Path, out: Path, history: bool, cache: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)  # cold: no diagram cache
    command = [DP, "build", "--audience", "internal", "--out", str(out), "--today", "2026-11-23"]
    if not history:
        command.append("--no-history")
    start = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DECISION_PATHS_CACHE": str(cache)},
    )
    if done.returncode:
        raise SystemExit(f"build failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        started = time.perf_counter()
        make_repository(repo, args.decisions, args.commits)
        print(f"made {args.decisions} decisions with {args.commits} commits in {time.perf_counter() - started:.1f} s")
        without, with_history = [], []
        for _ in range(args.repeat):  # interleaved, so drift in machine load hits both alike
            without.append(timed_build(repo, Path(tmp) / "out", False, Path(tmp) / "cache"))
            with_history.append(timed_build(repo, Path(tmp) / "out", True, Path(tmp) / "cache"))
        sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
        from decision_paths.load.history import read_history
        from decision_paths.model.words import words

        os.environ["DECISION_PATHS_CACHE"] = str(Path(tmp) / "cache-alone")  # empty: a cold read
        start = time.perf_counter()
        history = read_history(str(repo / "decisions"), words("zh"))
        history_alone = time.perf_counter() - start
    low_without, low_with = min(without), min(with_history)
    print(f"cold build without history: {low_without:.2f} s (median {statistics.median(without):.2f})")
    print(f"cold build with history:    {low_with:.2f} s (median {statistics.median(with_history):.2f})")
    print(f"reading history alone: {history_alone:.2f} s for {len(history.entries)} entries")
    overhead = low_with / low_without - 1
    print(f"history adds {overhead * 100:.1f}% (goal <= 20%): {'PASS' if overhead <= 0.2 else 'MISS'}")


if __name__ == "__main__":
    main()
