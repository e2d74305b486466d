"""Fuzz plandoc with mutated real inputs, run on purpose (never in the tests):

    .venv/bin/python tools/fuzz.py [--parse 10000] [--build 300] [--other 2000] [--seed 1]

Mutates the corpus circulars (../shared/corpus/docs, else samples/): lines swapped, deleted or
repeated, CJK characters, punctuation and numerals inserted, truncation, bytes flipped,
encodings (GB18030, UTF-16, a BOM); and plan JSON and profiles (values of the wrong kind,
fields removed, deep nesting); with --other, PDFs damaged (bytes flipped, cut, objects repeated,
page counts and lengths that lie), files named .doc that are text, web pages, noise or a Word 97
header on noise, pairs of mutated plan JSON through `diff`, and Word templates holding hostile
expressions through `build`.  Every input goes through the real command (click's runner): a
parse in this process with a 10 s alarm, a build in a forked child, killed after 10 s.  Reports crashes (a traceback, or an exit code other
than 0, 1, 2), hangs (over 10 s), writes outside the output folders, and each command's peak memory.
Exit 1 when there is a crash, a hang or a write outside; the failing inputs are kept in output/fuzz/
to reproduce them.

Writes outside: the commands run in a working folder of sentinel files, a link inside every plan
folder the builds make leads to another folder of them, and the output folders hold other
programs' temporary files (.other.tmp); after every command, nothing of these may have changed,
and nothing may have appeared outside the output folders (issue 18: a build removed .*.tmp files
through a link, diff --notices other programs' ones).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HANG_SECONDS = 10
PIECES = ["一、", "（一）", "1.", "2、", "(3)", "①", "牵头", "负责", "配合", "（办公室牵头）", "责任单位：", "牵头单位:",
          "|", " | ", "\t", "。", "，", "、", "（", "）", "(", ")", "[", "]", "年内", "6月底前", "15个", "90%", "万元",
          "序号", "工作任务", "完成时限", "附件", "〔2016〕3号", "发(fā)", "■", "??", "\v", "\x00", "\ufffd", "9" * 40]


def mutate_text(data: bytes, rnd: random.Random) -> tuple[bytes, str]:
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    kind = rnd.choice(["swap", "delete", "repeat", "insert", "truncate", "flip", "encoding", "join", "many"])
    if kind == "swap" and len(lines) > 2:
        i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "delete" and lines:
        del lines[rnd.randrange(len(lines))]
    elif kind == "repeat" and lines:
        i = rnd.randrange(len(lines))
        lines[i:i] = [lines[i]] * rnd.randint(1, 50)
    elif kind == "insert" and lines:
        i = rnd.randrange(len(lines))
        at = rnd.randint(0, len(lines[i]))
        lines[i] = lines[i][:at] + "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 6))) + lines[i][at:]
    elif kind == "join":
        lines = [" ".join(lines)]
    elif kind == "many":
        for _ in range(rnd.randint(5, 40)):
            i = rnd.randrange(len(lines))
            lines[i] += rnd.choice(PIECES)
    out = "\n".join(lines).encode("utf-8")
    if kind == "truncate":
        out = out[:rnd.randint(0, len(out))]
    elif kind == "flip" and out:
        b = bytearray(out)
        for _ in range(rnd.randint(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        out = bytes(b)
    elif kind == "encoding":
        how = rnd.choice(["gb18030", "utf-16", "bom", "latin"])
        t = out.decode("utf-8", errors="replace")
        out = {"gb18030": lambda: t.encode("gb18030", errors="replace"), "utf-16": lambda: t.encode("utf-16"),
               "bom": lambda: b"\xef\xbb\xbf" + out, "latin": lambda: t.encode("utf-8")[:len(t)]}[how]()
    return out, kind


def mutate_json(value, rnd: random.Random, depth: int = 0):
    """A plan or profile with one value replaced by one of the wrong kind, a field gone, or deep nesting."""
    if isinstance(value, dict) and value:
        key = rnd.choice(list(value))
        value = dict(value)
        roll = rnd.random()
        if roll < 0.2:
            del value[key]
        elif roll < 0.4 or depth > 4:
            value[key] = rnd.choice([5, -5, 2.5, 1e300, "abc", "", None, True, [], {}, [1, 2], "\ud800", "\x0b",
                                     "x" * 300, "{unit:>99999}", [[[[[[]]]]]]])
        else:
            value[key] = mutate_json(value[key], rnd, depth + 1)
        return value
    if isinstance(value, list) and value:
        value = list(value)
        i = rnd.randrange(len(value))
        value[i] = mutate_json(value[i], rnd, depth + 1)
        if rnd.random() < 0.2:
            value.append(value[i])            # a copied block: duplicate ids
        return value
    return rnd.choice([5, "abc", None, [], {}, "\x0b", "x" * 300])


PDF_DAMAGE = [b"/Count 1000000", b"/Kids [2 0 R]", b"/Length 999999999", b"9999999999 0 R", b"<<<<<<<<", b"endobj",
              b"BT /F1 1 Tf (a) Tj ET " * 50, b"\x00" * 64]
TEMPLATE_SNIPPETS = ['{{ "x" * 10**10 }}', "{{ 10 ** 10 ** 10 }}", "{% for i in range(10**6) %}{% endfor %}",
                     "{{ cycler.__init__.__globals__ }}", "{{ title * 999999999 }}", "{% include '/etc/passwd' %}",
                     "{{ ''.__class__.__mro__ }}", "{% for t in tasks %}{% for u in tasks %}{{ t }}{% endfor %}{% endfor %}",
                     "{{ unknown }}", "{%", "{{ title|breaks }}", "{% set x = [1] * 99999999 %}"]


def seed_pdf(text: str) -> bytes:
    """A PDF of the text, made once by WeasyPrint, to be damaged."""
    import html

    import weasyprint
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()[:80])
    return weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def mutate_pdf(data: bytes, rnd: random.Random) -> tuple[bytes, str]:
    kind = rnd.choice(["flip", "truncate", "insert", "repeat"])
    b = bytearray(data)
    if kind == "flip":
        for _ in range(rnd.randint(1, 30)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
    elif kind == "truncate":
        del b[rnd.randint(0, len(b)):]
    elif kind == "insert":
        at = rnd.randrange(len(b))
        b[at:at] = rnd.choice(PDF_DAMAGE)
    else:
        at, size = rnd.randrange(len(b)), rnd.randint(1, 4000)
        b[at:at] = b[at:at + size] * rnd.randint(2, 20)
    return bytes(b), kind


def mutate_doc(text: bytes, rnd: random.Random) -> tuple[bytes, str]:
    """What a careless user names .doc: text, a web page, noise, or a Word 97 header on noise."""
    kind = rnd.choice(["text", "html", "noise", "ole", "rtf"])
    if kind == "text":
        return text[:rnd.randint(1, len(text))], kind
    if kind == "html":
        return b"<html><body><p>" + text[:2000] + b"</p></body></html>", kind
    if kind == "rtf":
        return b"{\\rtf1\\ansi " + bytes(rnd.randrange(256) for _ in range(200)) + b"}", kind
    noise = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 4000)))
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise if kind == "ole" else noise), kind


class Hang(Exception):
    pass


OUTPUTS = ("in", "out", "tout", "notices", "pout")     # what the commands may write into (and the inputs)


class Guard:
    """What no command may change, in the fuzzer's folder: everything outside OUTPUTS (the
    working folder `here/` and the folder `elsewhere/` that links inside the plan folders lead
    to, both of sentinel files), and the files planted inside the output folders."""

    def __init__(self, work: Path):
        self.work = work
        self.planted: set[Path] = set()
        for folder in ("here", "elsewhere", *OUTPUTS):
            (work / folder).mkdir(exist_ok=True)
        for folder in ("here", "elsewhere"):
            (work / folder / "sentinel.txt").write_text("left alone", encoding="utf-8")
            (work / folder / ".other.tmp").write_text("another program's", encoding="utf-8")
            (work / folder / "sub").mkdir(exist_ok=True)
            (work / folder / "sub" / ".plan.json.1234.tmp").write_text("another program's", encoding="utf-8")
        for folder in OUTPUTS[1:]:
            self.plant(work / folder / ".other.tmp")
        self.before = self.snapshot()

    def plant(self, path: Path, link: Optional[Path] = None) -> None:
        if link is not None:
            path.symlink_to(link, target_is_directory=True)
        else:
            path.write_text("another program's", encoding="utf-8")
        self.planted.add(path)

    def plant_links(self) -> None:
        """A link to `elsewhere/` inside each plan folder a build made (`ln -s ../../../elsewhere
        output/suzhou-post-2022/x`, then a build of a revision, removed .*.tmp files there)."""
        changed = False
        for folder in (self.work / "out", self.work / "tout"):
            for plan in folder.iterdir():
                if plan.is_dir() and not plan.is_symlink() and not (plan / "x").is_symlink():
                    self.plant(plan / "x", self.work / "elsewhere")
                    changed = True
        if changed:
            self.before = self.snapshot()

    def snapshot(self) -> dict[str, tuple]:
        found = {}
        keep = self.planted | {a for p in self.planted for a in p.parents}
        for top, dirs, files in os.walk(self.work):          # links are not followed
            here = Path(top)
            inside = here != self.work and here.relative_to(self.work).parts[0] in OUTPUTS
            if inside or here == self.work:                # of the output folders, only what was planted
                dirs[:] = [d for d in dirs if not (inside or d in OUTPUTS) or here / d in keep]
            for name in dirs + files:
                path = here / name
                if inside and path not in keep:
                    continue
                st = path.lstat()
                plain = not path.is_dir() or path.is_symlink()
                found[str(path.relative_to(self.work))] = (st.st_mode, st.st_size if plain else None,
                                                           st.st_mtime_ns if plain else None,
                                                           os.readlink(path) if path.is_symlink() else None)
        return found

    def check(self) -> Optional[str]:
        """None, or what a command changed outside the output folders; then taken as it is now,
        so that one change is told once."""
        before, now = self.before, self.snapshot()
        if now == before:
            return None
        self.before = now
        changed = sorted(k for k in now.keys() | before.keys() if now.get(k) != before.get(k))
        return "wrote outside the output folders: " + ", ".join(
            f"{k} ({'added' if k not in before else 'removed' if k not in now else 'changed'})" for k in changed[:5])


def _damage_previous(out: Path, rnd: random.Random) -> bytes:
    """Damage the latest version of the sample's build, as a hand or a disk might: its manifest,
    its plan.json or the `latest` pointer.  Returns what was written."""
    folder = out / "suzhou-post-2022"
    latest = folder / "latest"
    if not latest.exists():
        return b""
    # `latest` damaged before may be a file now: then only it can be damaged again
    target = rnd.choice([latest / "manifest.json", latest / "plan.json", latest]) if latest.is_dir() else latest
    if target == latest:
        latest.unlink()
        data = rnd.choice([b"../../etc", b"", b"\xff\xfe", b"2022-03-31-00000000", b"a" * 300])
        latest.write_bytes(data)
        return data
    try:
        value = json.loads(target.read_text(encoding="utf-8"))
        data = json.dumps(mutate_json(value, rnd)).encode("utf-8")
    except (OSError, ValueError):
        data = b"{"
    target.write_bytes(data)
    return data


def _alarm(signum, frame):
    raise Hang()


def run_here(runner, main, args: list[str]) -> tuple[str, float, float]:
    """('ok' / 'crash: …' / 'hang', seconds, 0) of one command in this process, stopped by an
    alarm after HANG_SECONDS: fast enough for ten thousand parses."""
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        outcome = _outcome(runner.invoke(main, args, catch_exceptions=True))
    except Hang:
        outcome = "hang"
    finally:
        signal.alarm(0)
    if outcome.startswith("crash") and "Hang" in outcome:
        outcome = "hang"
    return outcome, time.perf_counter() - start, 0.0


def run(runner, main, args: list[str]) -> tuple[str, float, float]:
    """('ok' / 'crash: …' / 'hang', seconds, peak MB) of one command, run in a forked child so
    that its memory is its own and a hang can be killed."""
    read, write = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:                                    # the child: run it, say how it went
        os.close(read)
        try:
            outcome = _outcome(runner.invoke(main, args, catch_exceptions=True))
        except BaseException as exc:                # noqa: BLE001 - anything at all is a crash
            outcome = "crash: " + "".join(traceback.format_exception(exc))[-600:]
        os.write(write, outcome.encode("utf-8", errors="replace")[:8000])
        os._exit(0)
    os.close(write)
    chunks = []
    while True:
        ready, _, _ = select.select([read], [], [], max(0.0, HANG_SECONDS - (time.perf_counter() - start)))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.close(read)
            _, _, usage = os.wait4(pid, 0)
            return "hang", time.perf_counter() - start, usage.ru_maxrss / 1024
        chunk = os.read(read, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    _, status, usage = os.wait4(pid, 0)
    outcome = b"".join(chunks).decode("utf-8", errors="replace") or f"crash: the child died ({status})"
    return outcome, time.perf_counter() - start, usage.ru_maxrss / 1024


def _outcome(result) -> str:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "crash: " + "".join(traceback.format_exception(result.exception))[-600:]
    if result.exit_code not in (0, 1, 2) or "Traceback" in (result.stderr or ""):
        return f"crash: exit {result.exit_code}: {(result.stderr or '')[-300:]}"
    return "ok"


def main_() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parse", type=int, default=10_000)
    ap.add_argument("--build", type=int, default=300)
    ap.add_argument("--other", type=int, default=0,
                    help="inputs of the other kinds: PDF and .doc through parse, plan JSON pairs through diff, "
                         "Word templates through build (one in 20)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    import logging
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    from click.testing import CliRunner
    from plandoc.cli import main

    rnd = random.Random(args.seed)
    corpus = ROOT.parent / "shared" / "corpus" / "docs"
    docs = sorted(corpus.glob("*.txt")) if corpus.is_dir() else [ROOT / "samples" / "suzhou-post-2022.txt"]
    seeds = [p.read_bytes() for p in docs]
    sample = ROOT / "samples" / "suzhou-post-2022.txt"
    profile = ROOT / "samples" / "suzhou-post.profile.toml"
    keep = ROOT / "output" / "fuzz"
    runner = CliRunner()
    failures: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    slowest = 0.0
    peaks: list[float] = []
    work = Path(tempfile.mkdtemp(prefix="plandoc-fuzz-"))
    plan_json = json.loads(runner.invoke(main, ["parse", str(sample), "-q"]).stdout)
    profile_toml = profile.read_text(encoding="utf-8")
    guard = Guard(work)
    os.chdir(work / "here")                 # what a command writes without being told where lands here
    inputs = work / "in"

    def record(what: str, outcome: str, took: float, peak: float, data: bytes, suffix: str) -> None:
        nonlocal slowest
        outside = guard.check()
        if outside and outcome == "ok":
            outcome = outside
        slowest = max(slowest, took)
        peaks.append(peak)
        counts[what] = counts.get(what, 0) + 1
        if outcome != "ok":
            keep.mkdir(parents=True, exist_ok=True)
            path = keep / f"{what}-{len(failures)}{suffix}"
            path.write_bytes(data)
            failures.append((str(path), outcome))

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024    # what every child starts from
    started = time.perf_counter()
    # builds first, each in a child forked from a parent that has loaded little: its peak is its own
    for n in range(args.build):
        roll = rnd.random()
        out = work / "out"
        fmt = "docx,pdf" if n % 25 == 0 else "docx"
        if roll < 0.4:
            data, kind = mutate_text(rnd.choice(seeds), rnd)
            path, extra, suffix = inputs / "b.txt", [], ".txt"
        elif roll < 0.6:
            data = json.dumps(mutate_json(plan_json, rnd)).encode("utf-8")
            path, extra, suffix, kind = inputs / "plan.json", [], ".json", "json"
        elif roll < 0.75:
            # the previous version damaged by hand: its manifest, its plan or `latest`
            data, kind, path, extra, suffix = _damage_previous(out, rnd), "previous", sample, [], ".txt"
        else:
            text = profile_toml + rnd.choice(['\n[letters]\nfeedback = 5\n', '\nunits = 5\n', '\n[groups]\n"x" = 5\n',
                                              '\n[letters]\ncontact = "{unit:>999}"\n', "\nx = " + "[" * 3000])
            data, kind = text.encode("utf-8"), "profile"
            (inputs / "p.toml").write_bytes(data)
            path, extra, suffix = sample, ["--profile", str(inputs / "p.toml")], ".toml"
        if path != sample:
            path.write_bytes(data)
        force = ["--force"] if rnd.random() < 0.3 else []        # otherwise what is unchanged is taken over
        outcome, took, peak = run(runner, main, ["build", str(path), *extra, "-o", str(out), "--format", fmt,
                                                 "-q", "-j", "1", *force])
        record(f"build-{kind}", outcome, took, peak, data, suffix)
        guard.plant_links()
    pdf = seed_pdf(sample.read_text(encoding="utf-8")) if args.other else b""
    mine = inputs / "templates"
    mine.mkdir()
    for n in range(args.other):
        roll = n % 20
        if roll == 0:               # a Word template with a hostile expression, in a forked child
            import docx
            d = docx.Document()
            d.add_paragraph("{{ title }}" + rnd.choice(TEMPLATE_SNIPPETS))
            d.save(str(mine / "letter.docx"))
            data = (mine / "letter.docx").read_bytes()
            outcome, took, peak = run(runner, main, ["build", str(sample), "--profile", str(profile), "--templates",
                                                     str(mine), "-o", str(work / "tout"), "--format", "docx",
                                                     "--only", "办公室", "-q", "-j", "1", "--force"])
            record("template", outcome, took, peak, data, ".docx")
            guard.plant_links()
        elif roll < 9:
            data, kind = mutate_pdf(pdf, rnd)
            (inputs / "x.pdf").write_bytes(data)
            outcome, took, peak = run_here(runner, main, ["parse", str(inputs / "x.pdf"), "-q"])
            record(f"pdf-{kind}", outcome, took, peak, data, ".pdf")
        elif roll < 12:
            data, kind = mutate_doc(rnd.choice(seeds), rnd)
            (inputs / "x.doc").write_bytes(data)
            outcome, took, peak = run_here(runner, main, ["parse", str(inputs / "x.doc"), "-q"])
            record(f"doc-{kind}", outcome, took, peak, data, ".doc")
        else:
            old = json.dumps(mutate_json(plan_json, rnd) if rnd.random() < 0.5 else plan_json).encode("utf-8")
            data = json.dumps(mutate_json(plan_json, rnd)).encode("utf-8")
            (inputs / "old.json").write_bytes(old)
            (inputs / "new.json").write_bytes(data)
            # one diff in four writes its change notices (with the other program's .tmp files beside them)
            notices = ["--notices", str(work / "notices"), "--notice-format", "docx"] if n % 4 == 0 else []
            outcome, took, peak = run_here(runner, main, ["diff", str(inputs / "old.json"), str(inputs / "new.json"),
                                                          *notices])
            record("diff-notices" if notices else "diff-json", outcome, took, peak, data, ".json")
        if n % 1000 == 999:
            print(f"  other {n + 1}/{args.other} …", file=sys.stderr)
    print(f"fuzz: {args.parse} inputs through parse, {args.build} through build, {args.other} of the other kinds "
          f"(seed {args.seed}), {time.perf_counter() - started:.0f} s before the parses")
    for n in range(args.parse):
        data, kind = mutate_text(rnd.choice(seeds), rnd)
        path = inputs / f"doc{n % 50}.txt"
        path.write_bytes(data)
        # one parse in ten writes its plan (-o), with --force: a file a person changed is refused
        written = ["-o", str(work / "pout" / f"plan{n % 7}.json"), "--force"] if n % 10 == 0 else []
        outcome, took, peak = run_here(runner, main, ["parse", str(path), "-q", *written])
        record(f"parse-{kind}", outcome, took, peak, data, ".txt")
        if n % 1000 == 999:
            print(f"  parse {n + 1}/{args.parse} …", file=sys.stderr)
    parse_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # every parse ran in this process
    crashes = [f for f in failures if f[1].startswith("crash")]      # counted after every phase
    hangs = [f for f in failures if f[1] == "hang"]
    outside = [f for f in failures if f[1].startswith("wrote outside")]
    print(f"  {time.perf_counter() - started:.0f} s in all")
    peaks = sorted(p for p in peaks if p)
    print(f"  crashes {len(crashes)} | hangs (> {HANG_SECONDS} s) {len(hangs)} | writes outside the output "
          f"folders {len(outside)} | slowest {slowest:.2f} s | "
          f"peak memory: all parses in one process {parse_peak:.0f} MB; one build, median "
          f"{peaks[len(peaks) // 2] if peaks else 0:.0f} MB, largest {peaks[-1] if peaks else 0:.0f} MB "
          f"(resident, counting the {baseline:.0f} MB it shares with the parent it was forked from)")
    print("  by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for path, outcome in failures[:20]:
        print(f"  {path}: {outcome.splitlines()[-1] if outcome.splitlines() else outcome}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main_())
