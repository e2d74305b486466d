"""Benchmark of rebuilding a revised plan (run on purpose: `make bench`; never part of the tests).

Prints, from one run on this machine, the whole-process time of `plandoc build` on the sample:
- a full build (a new output folder: every document made);
- a rebuild after a one-task revision (one target raised: that unit's letter and checklist and
  the overview are made, the rest taken over from the previous version);
- a rebuild with nothing changed (nothing made);
each the median of RUNS rounds run in turn (full, revision, nothing), and the ratios to the full
build.  The font cache is filled before the first round, as after `make demo`.
"""
from __future__ import annotations

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
REVISION = ("15个绿色网点", "20个绿色网点")      # a target raised: the same work in two parts


def timed_build(source: Path, out: Path, env: dict) -> float:
    argv = [str(PLANDOC), "build", "-q", str(source), "--name", "plan", "--profile", str(PROFILE), "-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"plandoc build failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


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
        full, revision, nothing = [], [], []
        for n in range(RUNS):
            out = tmp / f"round{n}"
            full.append(timed_build(SAMPLE, out, env))
            revision.append(timed_build(revised, out, env))
            nothing.append(timed_build(revised, out, env))
            versions = [p for p in (out / "plan").iterdir() if p.name != "latest"]
            if len(versions) != 2:
                sys.exit(f"expected 2 versions after a round, found {len(versions)}")
    f, r, z = (statistics.median(x) for x in (full, revision, nothing))
    print(f"rebuilding the sample (17 files, DOCX + PDF), whole process, median of {RUNS} rounds, "
          f"{os.cpu_count()} cores:")
    print(f"  full build:                {f:.2f} s  (min {min(full):.2f}, max {max(full):.2f})")
    print(f"  after a one-task revision: {r:.2f} s  (min {min(revision):.2f}, max {max(revision):.2f});  "
          f"ratio {r / f:.2f}   goal <= 0.3")
    print(f"  nothing changed:           {z:.2f} s  (min {min(nothing):.2f}, max {max(nothing):.2f});  "
          f"ratio {z / f:.2f}   goal <= 0.1")


if __name__ == "__main__":
    main()
