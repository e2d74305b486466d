"""Benchmark of the 督办台账 (run on purpose: `make bench`; never part of the tests).

Prints the medians of several runs of writing the ledger beyond the parse (the units of each
task, then the workbook's bytes, in process, the plan parsed once before), for the sample
(goal <= 0.5 s) and for the generated plan of 2,000 tasks across 60 units that
bench_large_build.py builds (goal <= 3 s); and for that plan, the whole `plandoc ledger`
process: its time and its peak memory, resident (goal <= 300 MB), parse included.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_large_build import PLANDOC, TASKS, UNITS, generated_plan  # noqa: E402

SAMPLE = ROOT / "samples" / "suzhou-post-2022.txt"
PROFILE = ROOT / "samples" / "suzhou-post.profile.toml"


def ledger_seconds(source: Path, profile: Path | None, runs: int) -> tuple[float, list[float], int]:
    """Median and all times of writing the ledger of `source`, beyond its parse; its size."""
    from parser import load_plan, load_profile
    from plandoc.ledger import Options, render_ledger, task_units

    prof = load_profile(profile) if profile else None
    plan = load_plan(source, prof)
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(render_ledger(plan, task_units(plan, prof), Options()))
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, size


def whole_process(source: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of `plandoc ledger SOURCE -o OUT` in a process of its own."""
    start = time.perf_counter()
    subprocess.run([str(PLANDOC), "ledger", str(source), "-o", str(out), "--force"], check=True,
                   capture_output=True)
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    median, times, size = ledger_seconds(SAMPLE, PROFILE, runs=7)
    print(f"sample's ledger beyond the parse (96 tasks, {size // 1024} KB), median of 7: {median:.3f} s "
          f"(goal <= 0.5 s; runs {', '.join(f'{t:.3f}' for t in times)})")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "large.txt"
        source.write_text(generated_plan(), encoding="utf-8")
        median, times, size = ledger_seconds(source, None, runs=5)
        print(f"{TASKS}-task, {UNITS}-unit plan's ledger beyond the parse ({size // 1024} KB), median of 5: "
              f"{median:.3f} s (goal <= 3 s; runs {', '.join(f'{t:.3f}' for t in times)})")
        runs = [whole_process(source, Path(tmp) / "large.xlsx") for _ in range(3)]
        print(f"the same, whole `plandoc ledger` process with the parse, median of 3: "
              f"{statistics.median(s for s, _ in runs):.2f} s; peak resident memory {max(m for _, m in runs):.0f} MB "
              f"(goal <= 300 MB)")


if __name__ == "__main__":
    main()
