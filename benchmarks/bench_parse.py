"""Benchmark of `plandoc parse` (run on purpose: `make bench`; never part of the test suite).

Prints, from one run on this machine:
- the whole-process time of `plandoc parse` on the sample beside jieba's own start-up
  (`python -c "import jieba; jieba.initialize()"`), medians of alternating runs, and their ratio;
- the in-process parse time of generated plans of 10,000 and 20,000 items, and their ratio.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "suzhou-post-2022.txt"
RUNS = 7


def whole_process(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def generated_plan(items: int) -> str:
    """A plan in the sample's shape: sections of 25 items, each with a clause, some with targets and deadlines."""
    units = ["办公室", "普遍服务处", "市场监管处", "普遍服务处、市场监管处"]
    roles = ["牵头", "牵头", "牵头", "按职责分工负责"]
    lines = ["苏州市邮政管理局关于印发2022年工作目标任务分解方案的通知", "", "苏州市邮政管理局2022年工作目标任务分解方案"]
    cn = "一二三四五六七八九"
    for n in range(1, items + 1):
        if n % 25 == 1:
            s = (n // 25) % 9
            lines.append(f"{cn[s]}、第{n // 25 + 1}组重点工作")
        k = n % 4
        extra = f"力争年内新建{n % 50 + 1}个绿色网点、同比增长{n % 13}.5%。" if n % 3 == 0 else "6月底前完成。"
        lines.append(f"{n}. 加强行业监管第{n}项工作，推进“邮快合作”，{extra}（{units[k]}{roles[k]}）")
    return "\n".join(lines) + "\n"


def main() -> None:
    plandoc = [sys.executable, "-m", "plandoc", "parse", str(SAMPLE), "-q"]
    jieba_start = [sys.executable, "-c", "import jieba; jieba.initialize()"]
    whole_process(jieba_start)  # let jieba write its cache once, as any installed machine has it
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(whole_process(plandoc))
        theirs.append(whole_process(jieba_start))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"plandoc parse sample (whole process): median {a:.3f} s over {RUNS} runs")
    print(f"jieba import + initialize:           median {b:.3f} s over {RUNS} runs")
    print(f"ratio plandoc / jieba start-up:      {a / b:.2f}  (goal <= 0.5)")

    sys.path.insert(0, str(ROOT))
    import logging
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    from parser import parse_text

    parse_text(generated_plan(100))  # warm: rule loading is a one-off per process
    times = {}
    for items in (10_000, 20_000):
        text = generated_plan(items)
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            plan = parse_text(text)
            runs.append(time.perf_counter() - start)
        assert len(plan.tasks) == items, len(plan.tasks)
        times[items] = statistics.median(runs)
        print(f"generated plan of {items:>6} items: median {times[items]:.2f} s over 5 runs (goal for 10,000: <= 5 s)")
    print(f"ratio 20,000 / 10,000 items:          {times[20_000] / times[10_000]:.2f}  (goal <= 2.0)")


if __name__ == "__main__":
    main()
