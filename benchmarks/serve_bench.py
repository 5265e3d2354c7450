"""Live preview: from saving a decision file to the served page showing the change.

Starts `decision-paths serve` on a synthetic organisation (300 decisions by default),
opens the page of the decision it will edit, then five times: changes that decision's
title, and polls the page (what the browser's live reload fetches) until the new title
is in it. Then breaks the file (a YAML syntax error) and polls until the page shows the
finding, and mends it again. Goal: median of the five edits under 2 s, and the broken
file's finding on the page within the same time.

    .venv/bin/python benchmarks/serve_bench.py [--decisions 300] [--edits 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_organisation

ROOT = Path(__file__).resolve().parent.parent
DECISION_PATHS = ROOT / ".venv" / "bin" / "decision-paths"
TODAY = "2026-11-23"
GOAL_S = 2.0
POLL_S = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, text: str, limit_s: float) -> float:
    """Seconds until the page at URL contains TEXT (polled every POLL_S); inf after LIMIT_S."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        if text in fetch(url):
            return time.perf_counter() - start
        time.sleep(POLL_S)
    return float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--limit", type=float, default=120.0, help="give up on one edit after this many seconds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dp-serve-bench-") as folder:
        project = Path(folder)
        write_organisation(project / "decisions", args.decisions)
        edited = next(p for p in sorted((project / "decisions").rglob("*.yaml")) if not p.name.startswith("_"))
        original = edited.read_text(encoding="utf-8")
        port = free_port()
        url = f"http://127.0.0.1:{port}/decisions/{edited.stem}/"
        log = open(project / "serve.log", "wb")  # noqa: SIM115 - open while the server runs
        env = {**os.environ, "DECISION_PATHS_CACHE": str(project / "cache")}
        command = [str(DECISION_PATHS), "serve", "--dev-addr", f"127.0.0.1:{port}", "--today", TODAY]
        started = time.perf_counter()
        server = subprocess.Popen(
            command, cwd=project, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            first = wait_for(url, "<html", args.limit * 3)
            print(f"{args.decisions} decisions: first page served after {time.perf_counter() - started:.1f} s")
            if first == float("inf"):
                log.flush()
                sys.exit(
                    f"the server never served {url}:\n{(project / 'serve.log').read_text(errors='replace')[-3000:]}"
                )
            seconds = []
            for n in range(1, args.edits + 1):
                marker = f"改名{n}号"
                time.sleep(1.0)  # the watcher sees a new change, not the last one
                edited.write_text(original.replace("title: ", f"title: {marker} ", 1), encoding="utf-8")
                seconds.append(wait_for(url, marker, args.limit))
                print(f"edit {n}: {seconds[-1]:.2f} s", flush=True)
            time.sleep(1.0)
            edited.write_text(original.replace("title: ", "title: [unclosed ", 1), encoding="utf-8")
            broken = wait_for(url, edited.name, args.limit)  # the finding names the file
            print(f"broken file, finding on the page: {broken:.2f} s", flush=True)
            edited.write_text(original, encoding="utf-8")
            median = statistics.median(seconds)
            print(
                f"\nsave -> page shows it: min {min(seconds):.2f} s, median {median:.2f} s "
                f"(goal < {GOAL_S:.0f} s: {'PASS' if median < GOAL_S else 'MISS'}); broken file: {broken:.2f} s "
                f"({'PASS' if broken < GOAL_S else 'MISS'})"
            )
            missed = median >= GOAL_S or broken >= GOAL_S
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            log.close()
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
