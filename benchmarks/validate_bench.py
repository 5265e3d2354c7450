"""Validate a synthetic organisation and compare with bare libyaml parsing.

Goal (issue 2): 1,000 decisions validated in under 2 s, and within 3x the time
libyaml alone takes to parse the same files, both measured in this run.

    .venv/bin/python benchmarks/validate_bench.py [--decisions 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import write_organisation

from decision_paths.load.files import find_files
from decision_paths.pipeline import validate_folder


def best_of(repeat: int, run) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def parse_only(files: list[str]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decisions"
        write_organisation(folder, args.decisions)
        files = find_files(str(folder))
        size = sum(Path(f).stat().st_size for f in files)
        today = dt.date(2026, 11, 23)
        result = validate_folder(str(folder), today)
        assert not result.findings, [f.to_text() for f in result.findings[:5]]
        libyaml_best, libyaml_median = best_of(args.repeat, lambda: parse_only(files))
        validate_best, validate_median = best_of(args.repeat, lambda: validate_folder(str(folder), today))
        command = [sys.executable, "-m", "decision_paths", "validate", str(folder), "--today", str(today)]
        cli_best, cli_median = best_of(args.repeat, lambda: subprocess.run(command, check=True, capture_output=True))
    print(f"{args.decisions} decisions, {len(files)} files, {size / 1024:.0f} KiB; best of {args.repeat} (median)")
    print(f"  libyaml parse only (yaml.load, CSafeLoader): {libyaml_best:.3f} s ({libyaml_median:.3f})")
    print(f"  validate, in process:                        {validate_best:.3f} s ({validate_median:.3f})")
    print(f"  decision-paths validate, whole command:      {cli_best:.3f} s ({cli_median:.3f})")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak memory of the command (max RSS):        {peak_mib:.0f} MiB")
    print(
        f"  ratio validate / libyaml parse: {validate_best / libyaml_best:.2f}x in process, "
        f"{cli_best / libyaml_best:.2f}x as a command (goal <= 3x)"
    )
    print(f"  whole command under 2 s: {'yes' if cli_best < 2 else 'NO'}")


if __name__ == "__main__":
    main()
