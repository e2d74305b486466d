"""Doubling the input at most doubles the time: the HTML reader on a page of unclosed tags, and
plan_jobs (who gets what, and every document's context) on a generated plan.  Run on purpose
(`make bench`), never in the tests; medians of 3 in one process."""
from __future__ import annotations

import gc
import logging
import statistics
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
    from plandoc.build import plan_jobs

    def page(n: int) -> bytes:
        return ("<html><body><div class='content'>" + "<span>办公室" * n
                + "<p>1.做好统计工作。（办公室牵头）</p></div></body></html>").encode()

    sizes = (25_000, 50_000)
    a, b = (median_time(lambda data=page(n): read_bytes(data, "p.html")) for n in sizes)
    print(f"HTML reader, unclosed <span>: {sizes[0]:,} {a:.2f} s, {sizes[1]:,} {b:.2f} s; ratio {b / a:.2f}"
          "  (goal <= 2.0)")
    # one plan alive at a time; with Python's cyclic collector as it runs, and without it (its full
    # passes walk every live object, so they add a share that grows with the heap, not the work)
    for collector in (True, False):
        times = []
        for n in (5_000, 10_000):
            plan = parse_text(generated_plan(n))
            if not collector:
                gc.disable()
            times.append(median_time(lambda: plan_jobs(plan, None, ("docx", "pdf"))))
            gc.enable()
            del plan
        a, b = times
        print(f"plan_jobs, generated items, collector {'on ' if collector else 'off'}: 5,000 {a:.2f} s, "
              f"10,000 {b:.2f} s; ratio {b / a:.2f}  (goal <= 2.0)")


if __name__ == "__main__":
    main()
