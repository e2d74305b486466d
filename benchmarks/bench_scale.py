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

    for what, sizes, make in (
            ("HTML reader, unclosed <span>", (25_000, 50_000), lambda n: (lambda data=page(n): read_bytes(data, "p.html"))),
            ("plan_jobs, generated items", (5_000, 10_000),
             lambda n: (lambda plan=parse_text(generated_plan(n)): plan_jobs(plan, None, ("docx", "pdf"))))):
        a, b = (median_time(make(n)) for n in sizes)
        print(f"{what}: {sizes[0]:,} {a:.2f} s, {sizes[1]:,} {b:.2f} s; ratio {b / a:.2f}  (goal <= 2.0)")


if __name__ == "__main__":
    main()
