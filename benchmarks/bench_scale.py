"""Doubling the input at most doubles the time: the HTML reader on a page of unclosed tags, and
plan_jobs (who gets what, and every document's context) on a generated plan.  Run on purpose
(`make bench`), never in the tests; medians of 3 in one process."""
from __future__ import annotations

import gc
import logging
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def median_time(run, times: int = 3) -> float:
    out = []
    for _ in range(times):
        gc.collect()
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def main() -> None:
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    from bench_parse import generated_plan
    from parser import parse_text
    from parser.sources import read_bytes

    def page(n: int) -> bytes:
        return ("<html><body><div class='content'>" + "<span>办公室" * n
                + "<p>1.做好统计工作。（办公室牵头）</p></div></body></html>").encode()

    sizes = (50_000, 100_000)
    pages = {n: page(n) for n in sizes}
    times: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(5):                                  # interleaved: the machine's mood hits both
        for n in sizes:
            times[n].append(median_time(lambda data=pages[n]: read_bytes(data, "p.html"), times=1))
    a, b = (statistics.median(times[n]) for n in sizes)
    print(f"HTML reader, unclosed <span>: {sizes[0]:,} {a:.2f} s, {sizes[1]:,} {b:.2f} s; ratio {b / a:.2f}"
          "  (goal <= 2.0)")
    # plan_jobs as a build runs it: one plan in a fresh process (a long-lived one carries the
    # last plan's garbage into the next measurement); the sizes interleaved, medians of 5
    runs: dict[int, list[float]] = {5_000: [], 10_000: []}
    for _ in range(5):
        for n in runs:
            out = subprocess.run([sys.executable, __file__, "--plan-jobs", str(n)], capture_output=True, text=True,
                                 check=True).stdout
            runs[n].append(float(out.split()[-1]))
    a, b = (statistics.median(runs[n]) for n in runs)
    print(f"plan_jobs, generated items (a process each, medians of 5): 5,000 {a:.2f} s, 10,000 {b:.2f} s; "
          f"ratio {b / a:.2f}  (goal <= 2.0)")


def plan_jobs_once(n: int) -> None:
    """Time plan_jobs on a generated plan of n items, in this process."""
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    from bench_parse import generated_plan
    from parser import parse_text
    from plandoc.build import plan_jobs
    plan = parse_text(generated_plan(n))
    gc.collect()
    start = time.perf_counter()
    plan_jobs(plan, None, ("docx", "pdf"))
    print(time.perf_counter() - start)

if __name__ == "__main__":
    if sys.argv[1:2] == ["--plan-jobs"]:
        plan_jobs_once(int(sys.argv[2]))
    else:
        main()
