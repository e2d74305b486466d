"""Benchmark of rebuilding a revised plan (run on purpose: `make bench`; never part of the tests).

Prints, from one run on this machine, the whole-process time of `plandoc build` on the sample:
- a full build (a new output folder: every document made);
- a rebuild after a one-task revision (one target raised: that unit's letter and checklist and
  the overview are made, the rest taken over from the previous version);
- a rebuild with nothing changed (nothing made);
each the median of RUNS rounds run in turn (full, revision, nothing), and the ratios to the full
build.  The font cache is filled before the first round, as after `make demo`.

Also the share of the PDF pages a one-task revision lays out again at the least: the pages of the
letter with attachment of the unit concerned, among all the pages the full build lays out (the
letters with attachment and the overview).  And, in the same rounds, the least a revision that
makes a PDF again does in a process of its own before laying out a page: read the circular
(`plandoc parse`, whole process) and import WeasyPrint as a worker does (plandoc.render.weasy).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "suzhou-post-2022.txt"
PROFILE = ROOT / "samples" / "suzhou-post.profile.toml"
PLANDOC = Path(sys.executable).with_name("plandoc")
RUNS = 5
IMPORT = "from plandoc.render.weasy import import_weasyprint; import_weasyprint()"     # as a worker does
REVISION = ("15个绿色网点", "20个绿色网点")      # a target raised: the same work in two parts


def timed_build(source: Path, out: Path, env: dict) -> float:
    argv = [str(PLANDOC), "build", "-q", str(source), "--name", "plan", "--profile", str(PROFILE), "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"plandoc build failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


def remade_pages(plan_folder: Path) -> tuple[int, int, list[str]]:
    """(pages of the letters with attachment the latest version made again, pages of all the
    letters with attachment and the overview, the units concerned), from its manifest."""
    import pikepdf
    folder = plan_folder / "latest"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    version = manifest["version"]
    remade, total, units = 0, 0, []
    for entry in manifest["files"]:
        if entry["format"] != "pdf" or entry["kind"] not in ("packet", "overview"):
            continue
        pages = len(pikepdf.open(folder / entry["path"]).pages)
        total += pages
        if entry["kind"] == "packet" and entry["made_in"] == version:
            remade += pages
            units.append(entry["unit"])
    return remade, total, units


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    if not PLANDOC.exists():
        sys.exit(f"{PLANDOC} not found: run `make bench`, which installs plandoc into .venv")
    text = SAMPLE.read_text(encoding="utf-8")
    assert REVISION[0] in text
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        revised = tmp / "revised.txt"
        revised.write_text(text.replace(*REVISION), encoding="utf-8")
        env = dict(os.environ, PLANDOC_CACHE=str(tmp / "cache"))
        timed_build(SAMPLE, tmp / "warm-up", env)
        full, revision, nothing, parse, imports = [], [], [], [], []
        for n in range(RUNS):
            out = tmp / f"round{n}"
            full.append(timed_build(SAMPLE, out, env))
            revision.append(timed_build(revised, out, env))
            nothing.append(timed_build(revised, out, env))
            parse.append(timed([str(PLANDOC), "parse", "-q", str(revised), "--profile", str(PROFILE)], env))
            imports.append(timed([sys.executable, "-c", IMPORT], env))
            versions = [p for p in (out / "plan").iterdir() if p.name != "latest" and not p.name.startswith(".")]
            if len(versions) != 2:
                sys.exit(f"expected 2 versions after a round, found {len(versions)}")
        unit_pages, all_pages, units = remade_pages(tmp / "round0" / "plan")
    f, r, z = (statistics.median(x) for x in (full, revision, nothing))
    print(f"rebuilding the sample (17 files, DOCX + PDF), whole process, median of {RUNS} rounds, "
          f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}:")
    print(f"  full build:                {f:.2f} s  (min {min(full):.2f}, max {max(full):.2f})")
    print(f"  after a one-task revision: {r:.2f} s  (min {min(revision):.2f}, max {max(revision):.2f});  "
          f"ratio {r / f:.2f}   goal <= 0.6")
    print(f"  nothing changed:           {z:.2f} s  (min {min(nothing):.2f}, max {max(nothing):.2f});  "
          f"ratio {z / f:.3f}   goal <= 0.05")
    print(f"  the letters with attachment of the units concerned ({', '.join(units)}) are {unit_pages} of the "
          f"{all_pages} pages the full build lays out ({unit_pages / all_pages:.2f}), the overview left aside")
    p, w = statistics.median(parse), statistics.median(imports)
    print(f"  the least a revision that makes a PDF does, before its first page: reading the circular "
          f"{p:.2f} s + importing WeasyPrint {w:.2f} s = {p + w:.2f} s (whole processes), ratio {(p + w) / f:.2f}")


if __name__ == "__main__":
    main()
