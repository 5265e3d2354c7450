"""How long the coverage proof takes on stages that branch on many inputs.

Goals (hardening issue): a fully covered stage on 12 choice inputs of 6 options
(6**12 = 2.2 billion combinations) validates in under 2 s, and one on 6 inputs of
10 options (10**6) in under 1 s. Both have no 'otherwise', so every combination
must be proved covered; the branches form a decision list (branch k: input k is
o0 and every earlier input is not).

    .venv/bin/python benchmarks/coverage_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from decision_paths.pipeline import validate_folder

SHARED = """\
people:
  li-na: {name: 李娜}
roles:
  clerk: {title: Clerk, held_by: [li-na]}
calendars:
  shanghai: {country: CN, timezone: Asia/Shanghai}
"""


def decision(count: int, options: int) -> str:
    listed = ", ".join(f"o{n}" for n in range(options))
    rest = "[" + ", ".join(f"o{n}" for n in range(1, options)) + "]"
    inputs = "".join(f"  i{k}: {{label: I{k}, type: choice, options: [{listed}]}}\n" for k in range(count))
    items = []
    for k in range(count):
        conditions = ", ".join([*(f"i{j}: {rest}" for j in range(k)), f"i{k}: o0"])
        items.append(f"      - when: {{{conditions}}}\n        go: done\n")
    items.append("      - when: {" + ", ".join(f"i{j}: {rest}" for j in range(count)) + "}\n        go: done\n")
    return (
        "title: Wide\nsummary: Many inputs.\nowner: clerk\nreviewed: 2026-10-01\nreview_every: 180 days\n"
        f"inputs:\n{inputs}start: intake\nstages:\n"
        "  intake:\n    title: Intake\n    who: clerk\n    within: 1 business day\n    next:\n"
        + "".join(items)
        + "  done:\n    title: Done\n    who: clerk\n    within: 1 business day\n"
    )


def measure(count: int, options: int, repeat: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decisions"
        folder.mkdir()
        (folder / "_org.yaml").write_text(SHARED, encoding="utf-8")
        (folder / "wide.yaml").write_text(decision(count, options), encoding="utf-8")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = validate_folder(str(folder), dt.date(2026, 11, 23))
            times.append(time.perf_counter() - start)
            assert not result.findings, [f.to_text() for f in result.findings]
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'stage':<24} {'combinations':>15} {'min':>9} {'median':>9}  goal")
    for count, options, goal in ((12, 6, 2.0), (6, 10, 1.0)):
        best, middle = measure(count, options, args.repeat)
        verdict = "PASS" if best < goal else "MISS"
        print(
            f"{count} inputs x {options} options  {options**count:>15,} "
            f"{best:>8.3f}s {middle:>8.3f}s  < {goal} s {verdict}"
        )


if __name__ == "__main__":
    main()
