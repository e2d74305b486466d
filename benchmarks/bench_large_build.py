"""Benchmark of a large build (run on purpose: `make bench`; never part of the tests).

A generated plan of 2,000 numbered tasks across 60 units, each item with a `（X牵头，Y配合）`
clause, built whole (DOCX and PDF: every unit's letter, checklist and letter with attachment,
and the overview).  Prints the whole-process time and the peak memory: the largest single
process (resident) and the most all the build's processes held at once (proportional).
Goals (issue 10): at most 20 s and 400 MB.

Also the floor under that time: how many pages WeasyPrint lays out for the build (the letters
with their attachments and the overview; the letters and checklists alone are cut from the
former), and what WeasyPrint takes for a page of plain 仿宋 paragraphs, without a table, in
process on this machine.  The pages times that is the least CPU time any layout of these
documents with WeasyPrint needs, to set against the goal's 20 s on every core.
"""
from __future__ import annotations

import io
import json
import os
import resource
import statistics
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


def laid_out_pages(out: Path) -> int:
    """Pages of the PDFs the build laid out (the manifest's letters with attachment and overview)."""
    from pypdf import PdfReader
    pages = 0
    for manifest in out.glob("*/latest/manifest.json"):
        folder = manifest.parent
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            if entry["format"] == "pdf" and entry["kind"] in ("packet", "overview"):
                pages += len(PdfReader(io.BytesIO((folder / entry["path"]).read_bytes())).pages)
    return pages


def plain_page_seconds(runs: int = 3) -> float:
    """WeasyPrint's time for a page of plain paragraphs (3号仿宋, 22 lines of 28 characters, no
    table), from a 50-page document laid out and written, median of `runs`, after a warm-up."""
    import weasyprint
    sentence = "推进第一千二百项重点工作，加强统筹协调，力争年内新建十五个便民网点。"
    html = ("<style>@page { size: A4; margin: 37mm 26mm 35mm 28mm } "
            "body { font-family: 'FandolFang', serif; font-size: 16pt; line-height: 28.95pt; margin: 0 } "
            "p { margin: 0; text-indent: 2em }</style>" + f"<p>{sentence * 3}</p>" * 270)
    weasyprint.HTML(string=html).render().write_pdf()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        document = weasyprint.HTML(string=html).render()
        document.write_pdf()
        times.append((time.perf_counter() - start) / len(document.pages))
    return statistics.median(times)


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
        pages = laid_out_pages(Path(tmp) / "out")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"large build: {TASKS:,} tasks across {UNITS} units, {files} files, whole process, {os.cpu_count()} cores:")
    print(f"  {elapsed:.1f} s (goal <= 20 s); largest process {largest / 1024:.0f} MB (resident), "
          f"all at once {peak / 1024:.0f} MB (proportional; sampled every 50 ms)   goal <= 400 MB")
    per_page = plain_page_seconds()
    cores = os.cpu_count() or 1
    print(f"  the floor: {pages:,} pages laid out; WeasyPrint takes {per_page * 1000:.1f} ms a page of plain "
          f"paragraphs (in process, median of 3): {pages * per_page:.1f} s of CPU at the least, against "
          f"the goal's {20 * cores} s ({cores} cores x 20 s)")


if __name__ == "__main__":
    main()
