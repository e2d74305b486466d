"""Benchmark of `plandoc build` (run on purpose: `make bench`; never part of the test suite).

Prints, from one run on this machine:
- the whole-process time of building the full sample (every unit's letter and checklist and the
  overview, DOCX and PDF): once with an empty font cache, then the median of warm runs;
- the peak memory of that build: the largest single process (its peak resident set), and the most
  its processes held at once (the sum of their proportional set sizes, sampled every 10 ms);
- LibreOffice converting all the DOCX files of that build to PDF in one run (whole process, as a
  user runs it), and the full build's time against it;
- the time of one letter's PDF rendered by plandoc (in process, after a warm-up) beside
  LibreOffice converting the same letter's DOCX (whole process), and the ratio.
"""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "suzhou-post-2022.txt"
PROFILE = ROOT / "samples" / "suzhou-post.profile.toml"
PLANDOC = Path(sys.executable).with_name("plandoc")
RUNS = 5
UNIT = "市场监管处"


def tree_pss_kb(root: int) -> int:
    """Memory of a process and all its descendants, in KB: the sum of their proportional set sizes
    (a page shared by n processes, as forked workers share their parent's, counts 1/n in each)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = pss_kb(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def run_build(out: Path, env: dict, sample_memory: bool = False) -> tuple[float, int]:
    """(seconds, most KB held at once by the build's processes, or 0 when not sampled: sampling
    takes CPU from the build, so timed runs are not sampled)."""
    argv = [str(PLANDOC), "build", "-q", str(SAMPLE), "--profile", str(PROFILE), "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while sample_memory and proc.poll() is None:
        peak = max(peak, tree_pss_kb(proc.pid))
        time.sleep(0.01)
    proc.wait()
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"plandoc build failed ({proc.returncode})")
    return elapsed, peak


def letter_pdf_in_process(runs: int) -> tuple[float, Path]:
    sys.path.insert(0, str(ROOT))
    from parser import load_profile
    from parser import load_plan
    from plandoc.build import plan_jobs, render_job
    from plandoc.render.fonts import load_fonts, prepare

    profile = load_profile(PROFILE)
    plan = load_plan(SAMPLE, profile)
    import dataclasses
    jobs, _ = plan_jobs(plan, profile, ("docx", "pdf"), only=[UNIT])
    docx = next(j for j in jobs if j.kind == "letter" and j.fmt == "docx")
    # the letter alone as a PDF (a build cuts it from the letter with its attachment)
    pdf = dataclasses.replace(docx, fmt="pdf", path=docx.path.replace(".docx", ".pdf"))
    prepared = prepare(load_fonts(), {c for j in jobs for c in str(j.context)})
    stamp = datetime(2022, 3, 31)
    render_job(pdf, None, stamp, prepared)              # warm-up: imports, fonts, templates
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render_job(pdf, None, stamp, prepared)
        times.append(time.perf_counter() - start)
    path = Path(tempfile.mkdtemp()) / "letter.docx"
    path.write_bytes(render_job(docx, None, stamp, prepared)[0][2])
    return statistics.median(times), path


def libreoffice(docx: Path | list[Path], runs: int) -> float | None:
    """LibreOffice converting these DOCX files to PDF in one run: the median of `runs`, after one
    that creates its profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    files = docx if isinstance(docx, list) else [docx]
    folder = files[0].parent
    profile = folder / "lo-profile"
    argv = [soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
            "--outdir", str(folder / "lo-pdf"), *map(str, files)]
    # the first start creates the profile (with one file: the run is not timed)
    subprocess.run(argv[:-len(files)] + [str(files[0])], check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    if not PLANDOC.exists():
        sys.exit(f"{PLANDOC} not found: run `make bench`, which installs plandoc into .venv")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PLANDOC_CACHE=str(Path(tmp) / "cache"))
        cold, _ = run_build(Path(tmp) / "cold", env)
        warm = [run_build(Path(tmp) / f"warm{i}", env) for i in range(RUNS)]
        _, peak = run_build(Path(tmp) / "memory", dict(env, PLANDOC_CACHE=str(Path(tmp) / "cache2")), True)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss       # before LibreOffice runs
        made = sorted((Path(tmp) / "warm0").glob("*/latest/**/*.docx"))
        docx_folder = Path(tmp) / "docx"
        docx_folder.mkdir()
        for n, path in enumerate(made):        # one folder, names that do not collide
            shutil.copy(path, docx_folder / f"{n:02d}-{path.name}")
        lo_all = libreoffice(sorted(docx_folder.glob("*.docx")), RUNS)
    median = statistics.median(t for t, _ in warm)
    print(f"full build of the sample (3 units x letter, checklist and letter with attachment, overview; DOCX + PDF; 17 files), "
          f"whole process, {os.cpu_count()} cores:")
    print(f"  empty font cache: {cold:.2f} s;  warm: median {median:.2f} s of {RUNS} "
          f"(min {min(t for t, _ in warm):.2f}, max {max(t for t, _ in warm):.2f}); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  peak memory: largest process {largest / 1024:.0f} MB (resident); all its processes at once "
          f"{peak / 1024:.0f} MB (proportional)")
    if lo_all is not None:
        print(f"  LibreOffice converting that build's {len(made)} DOCX files to PDF in one run: {lo_all:.2f} s "
              f"(whole process, median of {RUNS}, run after the builds); the full build against it: {median / lo_all:.2f}"
              f"   goal <= 0.8")
    pdf, docx = letter_pdf_in_process(RUNS)
    lo = libreoffice(docx, RUNS)
    print(f"one letter ({UNIT}) as PDF: plandoc {pdf:.3f} s (in process, median of {RUNS})")
    if lo is None:
        print("  LibreOffice is not installed: no comparison")
    else:
        print(f"  LibreOffice converting its DOCX: {lo:.3f} s (whole process, median of {RUNS}); "
              f"ratio {pdf / lo:.2f}   goal <= 0.3")


if __name__ == "__main__":
    main()
