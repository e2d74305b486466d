"""Benchmark of a large build (run on purpose: `make bench`; never part of the tests).

A generated plan of 2,000 numbered tasks across 60 units, each item with a `（X牵头，Y配合）`
clause, built whole (DOCX and PDF: every unit's letter, checklist and letter with attachment,
and the overview).  Prints, from one run: the whole-process time of that
build beside LibreOffice converting the build's own DOCX files to PDF in one run (goal: the
build at most 1.0 x LibreOffice), the peak memory of the build (the largest single process,
resident, goal <= 300 MB; the most all its processes held at once, proportional, goal <= 500
MB), and two rebuilds as ratios to the full build: after a one-task revision (one item's target
raised: 2 of the 60 units concerned; goal <= 0.1) and with nothing changed (goal <= 0.05).

Also the floor under that time: how many pages WeasyPrint lays out for the build (the letters
with their attachments and the overview; the letters and checklists alone are cut from the
former), and what WeasyPrint takes for a page of plain 仿宋 paragraphs, without a table, in
process on this machine.  The pages times that is the least CPU time any layout of these
documents with WeasyPrint needs, to set against the goal's 20 s on every core.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import libreoffice, tree_pss_kb  # noqa: E402

PLANDOC = Path(sys.executable).with_name("plandoc")
TASKS, UNITS = 2000, 60
REVISION = ("力争年内新建4个便民网点。", "力争年内新建9个便民网点。")     # item 3: 第4业务处 leads, 第25业务处 supports


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
    import pikepdf
    pages = 0
    for manifest in out.glob("*/latest/manifest.json"):
        folder = manifest.parent
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            if entry["format"] == "pdf" and entry["kind"] in ("packet", "overview"):
                pages += len(pikepdf.open(folder / entry["path"]).pages)
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


def timed_build(source: Path, out: Path, env: dict, sample_memory: bool = False) -> tuple[float, int]:
    """(seconds, most KB its processes held at once, sampled every 50 ms when `sample_memory`)."""
    argv = [str(PLANDOC), "build", "-q", str(source), "--name", "plan", "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        if sample_memory:
            peak = max(peak, tree_pss_kb(proc.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"plandoc build failed ({proc.returncode}): {proc.stderr.read()[-500:]}")
    return elapsed, peak


def main() -> None:
    if not PLANDOC.exists():
        sys.exit(f"{PLANDOC} not found: run `make bench`, which installs plandoc into .venv")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        text = generated_plan()
        assert REVISION[0] in text
        source, revised = tmp / "large-plan.txt", tmp / "revised.txt"
        source.write_text(text, encoding="utf-8")
        revised.write_text(text.replace(*REVISION, 1), encoding="utf-8")
        env = dict(os.environ, PLANDOC_CACHE=str(tmp / "cache"))
        out = tmp / "out"
        elapsed, peak = timed_build(source, out, env, sample_memory=True)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss       # before LibreOffice runs
        files = sum(1 for p in out.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(out).parts))
        pages = laid_out_pages(out)
        made = sorted((out / "plan" / "latest").glob("**/*.docx"))
        docx_folder = tmp / "docx"
        docx_folder.mkdir()
        for n, path in enumerate(made):        # one folder, names that do not collide
            shutil.copy(path, docx_folder / f"{n:03d}-{path.name}")
        lo = libreoffice(sorted(docx_folder.glob("*.docx")), 1)
        revision, _ = timed_build(revised, out, env)
        nothing, _ = timed_build(revised, out, env)
    print(f"large build: {TASKS:,} tasks across {UNITS} units, {files} files, whole process, {os.cpu_count()} cores, "
          f"one run:")
    if lo is None:
        print(f"  {elapsed:.1f} s; LibreOffice is not installed: no comparison")
    else:
        print(f"  {elapsed:.1f} s; LibreOffice converting its {len(made)} DOCX files to PDF in one run: {lo:.1f} s; "
              f"ratio {elapsed / lo:.2f}   goal <= 1.0")
    print(f"  peak memory: largest process {largest / 1024:.0f} MB (resident)   goal <= 300 MB; all at once "
          f"{peak / 1024:.0f} MB (proportional; sampled every 50 ms)   goal <= 500 MB")
    print(f"  rebuild after a one-task revision (2 of {UNITS} units concerned): {revision:.1f} s, ratio "
          f"{revision / elapsed:.2f}   goal <= 0.1")
    print(f"  rebuild with nothing changed: {nothing:.2f} s, ratio {nothing / elapsed:.3f}   goal <= 0.05")
    per_page = plain_page_seconds()
    cores = os.cpu_count() or 1
    print(f"  the floor: {pages:,} pages laid out; WeasyPrint takes {per_page * 1000:.1f} ms a page of plain "
          f"paragraphs (in process, median of 3): {pages * per_page:.1f} s of CPU at the least, "
          f"{pages * per_page / cores:.1f} s on {cores} cores")


if __name__ == "__main__":
    main()
