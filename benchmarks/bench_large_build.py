"""Benchmark of a large build (run on purpose: `make bench`; never part of the tests).

A generated plan of 2,000 numbered tasks across 60 units, each item with a `（X牵头，Y配合）`
clause, built whole (DOCX and PDF: every unit's letter, checklist and letter with attachment,
and the overview).  Prints the whole-process time and the peak memory: the largest single
process (resident) and the most all the build's processes held at once (proportional).
Goals (issue 10): at most 20 s and 400 MB.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import tree_pss_kb  # noqa: E402

PLANDOC = Path(sys.executable).with_name("plandoc")
TASKS, UNITS = 2000, 60


def generated_plan(tasks: int = TASKS, units: int = UNITS) -> str:
    names = [f"第{n}业务处" for n in range(1, units + 1)]
    lines = ["示例市管理局关于印发2022年重点工作任务分解方案的通知", "",
             "示例市管理局2022年重点工作任务分解方案"]
    cn = "一二三四五六七八九十"
    for n in range(1, tasks + 1):
        if n % 50 == 1:
            lines.append(f"{cn[(n // 50) % 10]}、第{n // 50 + 1}组重点工作")
        lead, partner = names[n % units], names[(n * 7 + 3) % units]
        extra = f"力争年内新建{n % 50 + 1}个便民网点。" if n % 3 == 0 else "6月底前完成。"
        lines.append(f"{n}. 推进第{n}项重点工作，加强统筹协调，{extra}（{lead}牵头，{partner}配合）")
    return "\n".join(lines) + "\n"


def main() -> None:
    if not PLANDOC.exists():
        sys.exit(f"{PLANDOC} not found: run `make bench`, which installs plandoc into .venv")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "large-plan.txt"
        source.write_text(generated_plan(), encoding="utf-8")
        env = dict(os.environ, PLANDOC_CACHE=str(Path(tmp) / "cache"))
        argv = [str(PLANDOC), "build", "-q", str(source), "-o", str(Path(tmp) / "out")]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_pss_kb(proc.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        if proc.returncode:
            sys.exit(f"plandoc build failed ({proc.returncode}): {proc.stderr.read()[-500:]}")
        files = sum(1 for p in (Path(tmp) / "out").rglob("*") if p.is_file())
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"large build: {TASKS:,} tasks across {UNITS} units, {files} files, whole process, {os.cpu_count()} cores:")
    print(f"  {elapsed:.1f} s (goal <= 20 s); largest process {largest / 1024:.0f} MB (resident), "
          f"all at once {peak / 1024:.0f} MB (proportional; sampled every 50 ms)   goal <= 400 MB")


if __name__ == "__main__":
    main()
