"""The case record at scale (issue 13): stats, cases --check and a site build with a record.

Goals: on a record of 1,000,000 cases (about 5 million events) in Parquet,
`stats` for all decisions under 20 s with peak memory under 1.5 GB, and
`cases --check` under 30 s; the same `stats` on CSV is reported too. A site
build with a 100,000-case record adds at most 30% to the same build without
one, and an unchanged record is not read again (the second build hits the cache).

The record is written by the repository's own generator (scripts/generate_cases.py)
for the sample organisation. Every command runs as a subprocess, so wall time and
peak memory (ru_maxrss of the child) are what a user would see.

    .venv/bin/python benchmarks/record_bench.py [--cases 1000000] [--site-cases 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NOW = "2026-11-23T09:00:00+08:00"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak MB of this one child) of a command, which must succeed. The peak
    comes from GNU time's %M: ru_maxrss of RUSAGE_CHILDREN is the largest child so far."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *command],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - start
        peak_kb = float(Path(rss.name).read_text().split()[-1])
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, peak_kb / 1024


def repeated(repeat: int, command: list[str], cwd: Path, env: dict[str, str], *, cold: bool = True) -> dict[str, float]:
    """Min, median and peak of ``repeat`` runs; ``cold``: each run with an empty cache of its
    own (else the record measured by the first run is read back by the others)."""
    times, peaks = [], []
    for _ in range(repeat):
        run_env = env
        if cold:
            cache = tempfile.mkdtemp(prefix="record-bench-cache-")
            run_env = {**env, "DECISION_PATHS_CACHE": cache}
        seconds, peak = run(command, cwd, run_env)
        if cold:
            shutil.rmtree(run_env["DECISION_PATHS_CACHE"], ignore_errors=True)
        times.append(seconds)
        peaks.append(peak)
    return {"min": min(times), "median": statistics.median(times), "peak_mb": max(peaks)}


def generate(folder: Path, cases: int, fmt: str) -> float:
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [
            *(PYTHON, str(ROOT / "scripts" / "generate_cases.py"), "--decisions", str(ROOT / "decisions")),
            *("--out", str(folder), "--cases", str(cases), "--seed", "11", "--end", "2026-11-22", "--format", fmt),
        ],
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--site-cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-csv", action="store_true")
    args = parser.parse_args()
    dp = [PYTHON, "-m", "decision_paths", "--decisions", str(ROOT / "decisions")]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = dict(os.environ)  # every run gets an empty cache of its own (``repeated``)
        results: list[tuple[str, dict[str, float]]] = []
        parquet = base / "parquet"
        made = generate(parquet, args.cases, "parquet")
        print(f"generated {args.cases:,} cases in Parquet in {made:.1f} s, {size_mb(parquet):.1f} MB", flush=True)
        for name, command in (
            ("stats (Parquet)", [*dp, "stats", "--cases", str(parquet), "--now", NOW, "--format", "json"]),
            ("cases --check (Parquet)", [*dp, "cases", "--check", "--cases", str(parquet), "--now", NOW]),
        ):
            results.append((name, repeated(args.repeat, command, ROOT, env)))
            print(name, results[-1][1], flush=True)
        if not args.skip_csv:
            csv_folder = base / "csv"
            made = generate(csv_folder, args.cases, "csv")
            print(f"generated CSV in {made:.1f} s, {size_mb(csv_folder):.1f} MB", flush=True)
            command = [*dp, "stats", "--cases", str(csv_folder), "--now", NOW, "--format", "json"]
            results.append(("stats (CSV)", repeated(args.repeat, command, ROOT, env)))
            print(results[-1], flush=True)
        # A site build beside a copy of the sample organisation, with and without a record.
        site_root = base / "site-org"
        shutil.copytree(ROOT / "decisions", site_root / "decisions")
        build = [PYTHON, "-m", "decision_paths", "build", "--audience", "all", "--today", "2026-11-23"]
        without = repeated(args.repeat, [*build, "--out", str(base / "out0")], site_root, env)
        generate(site_root / "cases", args.site_cases, "parquet")
        with_record = repeated(args.repeat, [*build, "--out", str(base / "out1")], site_root, env)
        cached_env = {**os.environ, "DECISION_PATHS_CACHE": str(base / "kept-cache")}
        run([*build, "--out", str(base / "out2")], site_root, cached_env)
        cached = repeated(args.repeat, [*build, "--out", str(base / "out2")], site_root, cached_env, cold=False)
        results += [("build, no record", without), (f"build, {args.site_cases:,} cases", with_record)]
        results.append(("build, same record again (cache)", cached))
        print()
        print("| step | min s | median s | peak MB |")
        print("|---|---|---|---|")
        for name, found in results:
            print(f"| {name} | {found['min']:.2f} | {found['median']:.2f} | {found['peak_mb']:.0f} |")
        ratio = with_record["median"] / without["median"]
        print(f"\nbuild with the record / without: {ratio:.2f}x (goal: at most 1.30x)")


if __name__ == "__main__":
    main()
