"""Hostile and careless input, round two (issue 18): devices, zip bombs, hostile templates, invisible
characters, names, ids, full disks, huge PDFs and plans.  Every input is generated here.  Each
case checks the exit code and the one line on stderr, that nothing outside the output folder
changed, and, where the case is about them, time and memory, measured on the command run as a
process of its own (its peak resident memory from wait4, its time on the clock)."""
from __future__ import annotations

import base64
import io
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from plandoc.cli import main

from .conftest import PROFILE, ROOT, SAMPLE

GOLDEN = ROOT / "tests" / "golden" / "suzhou-post-2022.json"
SECONDS = 20           # what the issue allows each hostile input, generously over what they take
MEMORY_MB = 1024


# --- helpers ------------------------------------------------------------------------------------

class Run:
    def __init__(self, code: int, stdout: str, stderr: str, seconds: float, peak_mb: float):
        self.exit_code, self.stdout, self.stderr, self.seconds, self.peak_mb = code, stdout, stderr, seconds, peak_mb


def run(*args: str, cwd: Path = ROOT, limit: float = SECONDS * 3, file_bytes: int | None = None) -> Run:
    """`plandoc ARGS` as a process of its own: exit code, output, time, peak memory.  It is killed
    after `limit` seconds (the test then fails on the time) and cannot take more than 4 GB.
    `file_bytes`: no file it writes may grow past this (a disk that fills: writes fail)."""
    def bounded():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        if file_bytes is not None:
            import signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails, as on a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "plandoc", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=bounded)
    out: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, s=s: out.__setitem__(k, s.read()))
               for k, s in (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for r in readers:
        r.start()
    timer = threading.Timer(limit, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    seconds = time.monotonic() - start
    for r in readers:
        r.join()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(proc.returncode, out["stdout"].decode("utf-8", "replace"), out["stderr"].decode("utf-8", "replace"),
               seconds, usage.ru_maxrss / 1024)


def one_line(result, code: int, words: str) -> None:
    """Exit `code`, no traceback, and exactly one `Error:` line on stderr, holding `words`."""
    assert result.exit_code == code, (result.exit_code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr[-2000:]
    errors = [l for l in result.stderr.splitlines() if l.startswith("Error:")]
    assert len(errors) == 1 and words in errors[0], result.stderr[-2000:]


def bounded(result, seconds: float = SECONDS, mb: float = MEMORY_MB) -> None:
    assert result.seconds < seconds, f"took {result.seconds:.1f} s"
    assert result.peak_mb < mb, f"took {result.peak_mb:.0f} MB"


def snapshot(folder: Path, *, leave_out: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """Every file and link under `folder` (but those under `leave_out`) with what would show a change."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if any(path == x or x in path.parents for x in leave_out):
            continue
        st = path.lstat()
        if path.is_dir() and not path.is_symlink():       # a folder's time changes with what was tried in it
            found[str(path.relative_to(folder))] = (st.st_mode,)
            continue
        found[str(path.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns,
                                                os.readlink(path) if path.is_symlink() else None)
    return found


def docx_bytes(paragraphs=("一、做好统计工作（办公室牵头）",), replace: dict[str, bytes] | None = None,
               extra: dict[str, bytes] | None = None) -> bytes:
    """A .docx made by python-docx, with parts replaced or added, deflated."""
    import docx
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    raw = io.BytesIO()
    d.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, (replace or {}).get(item.filename, src.read(item.filename)))
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def deflated_zeros_docx(mb: int) -> bytes:
    """A .docx whose document.xml inflates to `mb` MB (a zip bomb: ~1,000 to 1), written a chunk at
    a time so that the test never holds the inflated part."""
    base = docx_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item.filename, src.read(item.filename))
                continue
            info = zipfile.ZipInfo("word/document.xml")
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w", force_zip64=True) as part:
                part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                           b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
                chunk = b"x" * (1 << 20)
                for _ in range(mb):
                    part.write(chunk)
                part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def lying_sizes(data: bytes, name: str, claimed: int) -> bytes:
    """The zip with the sizes its headers give for `name` replaced by `claimed` (local header and
    central directory): the part inflates to what it does, whatever the headers say."""
    z = bytearray(data)
    encoded = name.encode()
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = 0
        while (at := z.find(sig, at)) >= 0:
            if z[at + name_at:at + name_at + len(encoded)] == encoded:
                z[at + size_at:at + size_at + 4] = claimed.to_bytes(4, "little")
            at += 4
    return bytes(z)


# --- 7: devices and pipes are read up to the limit, never without one --------------------------

DEVICES = [pytest.param(["parse", "{dev}"], "50 MB a circular", id="circular"),
           pytest.param(["parse", str(SAMPLE), "--profile", "{dev}"], "5 MB a profile", id="profile"),
           pytest.param(["build", "{plan}", "-o", "{out}", "--format", "docx"], "50 MB a plan", id="plan-json")]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("args, what", DEVICES)
def test_a_device_as_input_is_read_only_up_to_the_limit(tmp_path, args, what):
    plan = tmp_path / "plan.json"
    plan.symlink_to("/dev/zero")            # a plan JSON that is a device: read as a plan
    before = snapshot(tmp_path, leave_out=(tmp_path / "out",))
    result = run(*[a.format(dev="/dev/zero", plan=plan, out=tmp_path / "out") for a in args])
    one_line(result, 2, f"more than the {what} may be")
    bounded(result)
    assert snapshot(tmp_path, leave_out=(tmp_path / "out",)) == before


def test_a_fifo_nobody_writes_to_does_not_hang_the_command(tmp_path):
    fifo = tmp_path / "circular.txt"
    os.mkfifo(fifo)
    result = run("parse", str(fifo), limit=SECONDS)
    one_line(result, 2, "the file is empty")
    bounded(result)


def test_a_pipe_is_still_read_whole_when_it_is_under_the_limit(tmp_path):
    from parser.sources import read_limited
    read, write = os.pipe()
    data = SAMPLE.read_bytes()
    threading.Thread(target=lambda: (os.write(write, data), os.close(write))).start()
    assert read_limited(f"/dev/fd/{read}") == data
    os.close(read)


# --- 8: .docx zip bombs: inflated bytes counted as they come -----------------------------------

def test_a_docx_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(deflated_zeros_docx(30))           # 30 KB on disk, 30 MB inflated: under the total
    result = run("parse", str(path))
    one_line(result, 2, "word/document.xml inflates more than 200 times (a damaged or hostile .docx)")
    bounded(result, mb=600)   # 431 MB seen once in a whole-suite run on a busy machine


def test_a_large_docx_bomb_is_refused_at_the_inflated_limit(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(deflated_zeros_docx(1000))          # 1 MB on disk, 1 GB inflated (was 7 GB at 120 s)
    assert path.stat().st_size < 2 << 20
    result = run("parse", str(path))
    one_line(result, 2, "its parts inflate to more than 40 MB")
    bounded(result, mb=600)   # 431 MB seen once in a whole-suite run on a busy machine


def test_a_docx_whose_headers_lie_about_the_size_is_refused_unread(tmp_path):
    path = tmp_path / "liar.docx"
    path.write_bytes(lying_sizes(deflated_zeros_docx(300), "word/document.xml", 4000))
    result = run("parse", str(path))
    one_line(result, 2, "not a readable .docx file")
    bounded(result, mb=600)   # 431 MB seen once in a whole-suite run on a busy machine


def test_a_docx_of_more_text_than_a_thousand_pages_is_refused(tmp_path):
    # random letters: they do not compress, so no part inflates beyond the ratio, yet together
    # the parts are more than a circular ever is
    noise = base64.b64encode(os.urandom(12 << 20))
    extra = {f"word/media/noise{n}.bin": noise for n in range(3)}
    path = tmp_path / "large.docx"
    path.write_bytes(docx_bytes(extra=extra))
    assert path.stat().st_size < 50 << 20
    result = run("parse", str(path))
    one_line(result, 2, "its parts inflate to more than 40 MB (a thousand pages of text are about 5 MB")
    bounded(result)


def test_a_docx_of_ten_thousand_parts_is_refused(tmp_path):
    path = tmp_path / "parts.docx"
    path.write_bytes(docx_bytes(extra={f"customXml/extra{n}.xml": b"<a/>" for n in range(10_001)}))
    result = run("parse", str(path))
    one_line(result, 2, "more than the 10000 a .docx holds")
    bounded(result)


# --- 9: Word templates are inputs too ------------------------------------------------------------

def test_a_word_template_bomb_is_refused_as_an_input_bomb_is(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "letter.docx").write_bytes(deflated_zeros_docx(300))
    out = tmp_path / "out"
    result = run("build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine), "-o", str(out),
                 "--format", "docx", "--only", "办公室", "-q")
    one_line(result, 1, "letter.docx: not a usable Word template: refused: its parts inflate to more than 40 MB")
    bounded(result, mb=600)
    assert not any(p.suffix == ".docx" for p in out.rglob("*")), "no document is made from a refused template"


# --- 1: the published schema keeps up with the code ----------------------------------------------

def _schema() -> dict:
    from parser.sources import _plan_schema
    return _plan_schema()


def test_the_schema_names_every_format_warning_and_rule_the_model_knows():
    from parser.model import EVIDENCE_RULES, SOURCE_FORMATS, WARNING_CODES
    schema = _schema()
    assert schema["properties"]["source"]["properties"]["format"]["enum"] == list(SOURCE_FORMATS)
    assert schema["properties"]["warnings"]["items"]["properties"]["code"]["enum"] == list(WARNING_CODES)
    assert schema["$defs"]["task"]["properties"]["evidence"]["items"]["properties"]["rule"]["enum"] == \
        list(EVIDENCE_RULES)


def test_every_code_and_rule_the_parser_writes_is_in_the_model():
    """Read from the parser's source: a warning code or an evidence rule added there without
    being added to the model (and so to the schema) makes the plan it writes unreadable."""
    from parser.model import EVIDENCE_RULES, SOURCE_FORMATS, WARNING_CODES
    codes, rules, formats = set(), set(), set()
    for path in (ROOT / "parser").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'Notice\(\s*"([a-z-]+)"', text))
        for what in re.findall(r'Notice\(\s*f"\{what\}(-[a-z-]+)"', text):       # section-/item-number-…
            codes |= {"section" + what, "item" + what}
        rules |= set(re.findall(r'\brule\s*=\s*"([a-z-]+)"', text))
        formats |= set(re.findall(r'SourceInfo\([^()]*?,\s*"([a-z]+)"', text))
    assert codes and rules and formats
    assert codes <= set(WARNING_CODES), codes - set(WARNING_CODES)
    assert rules <= set(EVIDENCE_RULES), rules - set(EVIDENCE_RULES)
    assert formats <= set(SOURCE_FORMATS), formats - set(SOURCE_FORMATS)


@pytest.mark.parametrize("fmt", ["pdf", "doc"])
def test_a_plan_parsed_from_a_pdf_or_doc_with_newer_warnings_is_read_back(runner, tmp_path, fmt):
    from parser.model import WARNING_CODES
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    plan["source"]["format"] = fmt
    plan["warnings"] = [{"code": c, "line": 1, "message": "x"} for c in WARNING_CODES]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    plan["tasks"][0]["text"] += "（新增要求）"
    new.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    result = runner.invoke(main, ["build", str(new), "-o", str(tmp_path / "out"), "--format", "docx", "-q",
                                  "--only", "办公室"])
    assert result.exit_code == 0, result.output


# --- 6: invisible and direction-control characters ----------------------------------------------

def test_a_zero_width_space_in_a_unit_name_is_removed_and_said(runner, tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    hidden = text.replace("办公室", "办\u200b公室", 3).replace("市场监管处", "\u202e市场监管处", 1)
    path = tmp_path / "web.txt"
    path.write_text(hidden, encoding="utf-8")
    clean = runner.invoke(main, ["parse", str(SAMPLE), "-q"])
    result = runner.invoke(main, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    got, want = json.loads(result.stdout), json.loads(clean.stdout)
    assert [t["departments"] for t in got["tasks"]] == [t["departments"] for t in want["tasks"]]
    notes = [l for l in result.stderr.splitlines() if "[invisible-characters]" in l]
    assert len(notes) == 1 and "4 invisible or direction-control character(s)" in notes[0], result.stderr
    assert "U+200B ZERO WIDTH SPACE" in notes[0] and "U+202E RIGHT-TO-LEFT OVERRIDE" in notes[0]


def test_no_folder_name_holds_an_invisible_or_direction_character(runner, tmp_path):
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    unit = plan["tasks"][0]["departments"][0]
    unit["name"] = "\u202e" + "fdp.exe"
    plan["tasks"][1]["departments"] = [dict(unit, name="fdp.exe\u200b")]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(path), "-o", str(out), "--format", "docx", "-q"])
    assert result.exit_code == 0, result.output
    names = [p.name for p in out.rglob("*")]
    assert not [n for n in names if re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", n)], names
    assert names.count("fdp.exe") == 1          # the two spellings are one unit, in one folder
    plan_json = json.loads(next(out.rglob("plan.json")).read_text(encoding="utf-8"))
    assert any(w["code"] == "invisible-characters" for w in plan_json["warnings"])


# --- 10 and 11: what a template may make, and where it may read from ------------------------------

def _word_template(folder: Path, text: str) -> None:
    import docx
    d = docx.Document()
    d.add_paragraph(text)
    d.save(str(folder / "letter.docx"))


LIMITS = [
    ('{{ "x" * 10**10 }}', "a template may repeat to 1,000,000 items at most"),
    ("{{ 10 ** 10 ** 10 }}", "a template may compute numbers up to"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     "range() in a template gives 10,000 items at most"),
]


# a template past a bound is an input that cannot be used (exit 2, as an input past a size
# limit is); one that cannot be rendered for what it is stays a template error (exit 1)
@pytest.mark.parametrize("text, words, code", [
    *((text, words, 2) for text, words in LIMITS),
    ("{% include '/etc/passwd' %}", "cannot be rendered: no loader for this environment specified", 1),  # fuzz.py
], ids=["repeat", "power", "range", "include"])
def test_a_word_template_cannot_ask_for_unbounded_work(tmp_path, text, words, code):
    mine = tmp_path / "mine"
    mine.mkdir()
    _word_template(mine, text)
    result = run("build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine), "-o",
                 str(tmp_path / "out"), "--format", "docx", "--only", "办公室", "-q")
    one_line(result, code, words)
    bounded(result)


@pytest.mark.parametrize("text, words", LIMITS, ids=["repeat", "power", "range"])
def test_an_html_template_past_a_bound_is_one_line_and_exit_2(tmp_path, text, words):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "review.html").write_text(text, encoding="utf-8")
    result = run("review", str(SAMPLE), "--templates", str(mine), "-o", str(tmp_path / "page.html"), "-q")
    one_line(result, 2, f"review.html:1: {words}")
    bounded(result)
    assert not (tmp_path / "page.html").exists()


def test_a_template_that_runs_past_the_time_limit_is_one_line_and_exit_2(runner, tmp_path, monkeypatch):
    from plandoc.render import templates
    monkeypatch.setattr(templates, "RENDER_SECONDS", 1)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "review.html").write_text(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", encoding="utf-8")
    start = time.monotonic()
    result = runner.invoke(main, ["review", str(SAMPLE), "--templates", str(mine), "-o", str(tmp_path / "p.html"), "-q"])
    assert time.monotonic() - start < 10
    one_line(result, 2, "rendering took more than 1 s (a loop without end?)")
    assert not (tmp_path / "p.html").exists()


def test_rendering_that_runs_on_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    from plandoc.errors import TemplateError
    from plandoc.render import templates
    monkeypatch.setattr(templates, "RENDER_SECONDS", 1)
    (tmp_path / "slow.html").write_text(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", encoding="utf-8")
    env = templates.html_environment(tmp_path)
    start = time.monotonic()
    with pytest.raises(TemplateError, match=r"rendering took more than 1 s"):
        templates.render_html(env, "slow.html", {})
    assert time.monotonic() - start < 5


def test_the_template_loader_follows_no_link_out_of_its_folder(tmp_path):
    from plandoc.errors import TemplateError
    from plandoc.render import templates
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret-hash", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "footer.html").symlink_to(secret)
    (mine / "page.html").write_text('<p>{% include "footer.html" %}</p>', encoding="utf-8")
    with pytest.raises(TemplateError, match="footer.html: is a link out of its folder"):
        templates.render_html(templates.html_environment(mine), "page.html", {})
    # a link inside the folder is followed; and templates the office trusts may link anywhere
    (mine / "inner.html").write_text("inside", encoding="utf-8")
    (mine / "alias.html").symlink_to(mine / "inner.html")
    (mine / "both.html").write_text('{% include "alias.html" %}', encoding="utf-8")
    assert templates.render_html(templates.html_environment(mine), "both.html", {}) == "inside"
    trusted = templates.html_environment(mine, trusted=True)
    assert "secret-hash" in templates.render_html(trusted, "page.html", {})


def test_a_word_template_linked_from_outside_is_refused(tmp_path):
    elsewhere, mine = tmp_path / "elsewhere", tmp_path / "mine"
    elsewhere.mkdir()
    mine.mkdir()
    _word_template(elsewhere, "{{ title }}")
    (mine / "letter.docx").symlink_to(elsewhere / "letter.docx")
    result = run("build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine), "-o",
                 str(tmp_path / "out"), "--format", "docx", "--only", "办公室", "-q")
    one_line(result, 1, "letter.docx: is a link out of its folder")


# --- 2 and 3: only what this run made is removed; nothing edited by hand is replaced silently ----

def _revised(tmp_path: Path) -> Path:
    """The sample with its first 15个 raised to 20个: one task of 市场监管处 changes."""
    path = tmp_path / "rev.txt"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace("15个", "20个", 1), encoding="utf-8")
    return path


def _build(runner, source: Path, out: Path, *more: str):
    result = runner.invoke(main, ["build", str(source), "--profile", str(PROFILE), "-o", str(out), "--format", "docx",
                                  "--name", "plan", "--date", "2022-04-06", "-q", *more])
    assert result.exit_code == 0, result.output
    return result


def test_a_build_removes_no_temporary_file_it_did_not_make(runner, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    _build(runner, SAMPLE, out)
    elsewhere.mkdir()
    (elsewhere / ".other.tmp").write_text("another program's", encoding="utf-8")
    (out / "plan" / "x").symlink_to(elsewhere)                 # a link inside the plan folder
    (out / "plan" / ".editor.tmp").write_text("an editor's", encoding="utf-8")
    rev = _revised(tmp_path)
    before = snapshot(tmp_path, leave_out=(out,))
    _build(runner, rev, out)
    assert snapshot(tmp_path, leave_out=(out,)) == before
    assert (elsewhere / ".other.tmp").exists() and (out / "plan" / ".editor.tmp").exists()
    assert not list(out.rglob(".*.tmp.*")) and not list((out / "plan").glob(".building-*"))


def test_notices_remove_no_temporary_file_they_did_not_make(runner, tmp_path):
    folder = tmp_path / "notices"
    (folder / "sub").mkdir(parents=True)
    for path in (folder / ".a.tmp", folder / "sub" / ".b.tmp"):
        path.write_text("another program's", encoding="utf-8")
    result = runner.invoke(main, ["diff", str(SAMPLE), str(_revised(tmp_path)), "--profile", str(PROFILE),
                                  "--notices", str(folder), "--notice-format", "docx"])
    assert result.exit_code == 1, result.output
    assert (folder / ".a.tmp").exists() and (folder / "sub" / ".b.tmp").exists()
    assert (folder / "市场监管处" / "任务调整通知.docx").is_file()


def test_a_notice_edited_by_hand_is_kept_and_the_new_one_written_beside_it(runner, tmp_path):
    folder = tmp_path / "notices"
    args = ["diff", str(SAMPLE), str(_revised(tmp_path)), "--profile", str(PROFILE), "--notices", str(folder),
            "--notice-format", "docx"]
    assert runner.invoke(main, args).exit_code == 1
    notice = folder / "市场监管处" / "任务调整通知.docx"
    made = notice.read_bytes()
    result = runner.invoke(main, args)                       # run again: the same notice, replaced by itself
    assert result.exit_code == 1 and "note: kept" not in result.stderr
    assert not (folder / "市场监管处" / "任务调整通知-2.docx").exists()
    notice.write_bytes(made + b"edited")                     # a clerk's edits
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert notice.read_bytes() == made + b"edited"
    assert (folder / "市场监管处" / "任务调整通知-2.docx").read_bytes() == made
    notes = [l for l in result.stderr.splitlines() if l.startswith("note: kept")]
    assert len(notes) == 1 and "任务调整通知.docx" in notes[0] and "the new one is 任务调整通知-2.docx" in notes[0]


def test_a_letter_edited_by_hand_survives_an_only_build_and_then_a_whole_one(runner, tmp_path):
    out = tmp_path / "out"
    _build(runner, SAMPLE, out)
    first = (out / "plan" / "latest").resolve()
    letter = first / "办公室" / "任务交办函.docx"
    edited = letter.read_bytes() + b"edited by hand"
    letter.write_bytes(edited)
    rev = _revised(tmp_path)
    _build(runner, rev, out, "--only", "普遍服务处")
    only = (out / "plan" / "latest").resolve()
    assert only != first and not (only / "办公室").exists()
    _build(runner, rev, out)
    whole = (out / "plan" / "latest").resolve()
    assert whole not in (first, only)
    assert (whole / "办公室" / "任务交办函.docx").read_bytes() == edited
    assert letter.read_bytes() == edited


def test_a_plan_corrected_by_hand_is_not_replaced_by_parse_without_force(runner, tmp_path):
    plan = tmp_path / "out" / "plan.json"
    args = ["parse", str(SAMPLE), "--profile", str(PROFILE), "-q", "-o", str(plan)]
    assert runner.invoke(main, args).exit_code == 0
    made = plan.read_bytes()
    assert runner.invoke(main, args).exit_code == 0                # run again: its own file, replaced by itself
    rev = _revised(tmp_path)
    assert runner.invoke(main, [*args[:1], str(rev), *args[2:]]).exit_code == 0     # a new parse of a revision
    revised = plan.read_bytes()
    assert revised != made
    corrected = revised.replace("办公室".encode(), "财务科".encode(), 1)             # a clerk's correction
    plan.write_bytes(corrected)
    before = snapshot(tmp_path)
    result = runner.invoke(main, args)
    one_line(result, 2, f"{plan} is not the file parse last wrote there (edited by hand?); give --force")
    assert plan.read_bytes() == corrected and snapshot(tmp_path) == before
    table = runner.invoke(main, [*args, "--format", "table"])       # the same for a table
    one_line(table, 2, "edited by hand?")
    assert plan.read_bytes() == corrected
    result = runner.invoke(main, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert plan.read_bytes() == made
    assert runner.invoke(main, args).exit_code == 0                  # and now it is plandoc's again


def test_a_file_parse_never_wrote_is_not_replaced_and_one_plan_of_several_is_kept(runner, tmp_path):
    out = tmp_path / "plans"
    out.mkdir()
    mine = out / "notes.json"
    mine.write_text("a file of my own", encoding="utf-8")
    result = runner.invoke(main, ["parse", str(SAMPLE), "-q", "-o", str(mine)])
    one_line(result, 2, "is not the file parse last wrote there")
    assert mine.read_text(encoding="utf-8") == "a file of my own"
    other = tmp_path / "other.txt"
    other.write_text("1. 做好统计工作。（办公室牵头）\n", encoding="utf-8")
    several = ["parse", str(SAMPLE), str(other), "-q", "-o", str(out)]
    assert runner.invoke(main, several).exit_code == 0
    edited = (out / "other.json").read_text(encoding="utf-8").replace("统计", "财务")
    (out / "other.json").write_text(edited, encoding="utf-8")
    result = runner.invoke(main, several)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert [l for l in result.stderr.splitlines() if "Error:" in l] == [
        f"Error: {out / 'other.json'} is not the file parse last wrote there (edited by hand?); "
        "give --force to replace it, or another -o",
        "Error: 1 of 2 circulars could not be read or written (see above)"]
    assert (out / "other.json").read_text(encoding="utf-8") == edited
    assert f"wrote {out / 'suzhou-post-2022.json'}" in result.stderr          # the other one is written


# --- 4: a disk that fills up ----------------------------------------------------------------------

def test_a_disk_that_fills_while_documents_are_copied_is_one_line_and_no_half_made_version(runner, tmp_path):
    out = tmp_path / "out"
    _build(runner, SAMPLE, out)
    latest = os.readlink(out / "plan" / "latest")
    before = snapshot(out)
    rev = _revised(tmp_path)
    result = run("build", str(rev), "--profile", str(PROFILE), "-o", str(out), "--format", "docx", "--name", "plan",
                 "-q", file_bytes=4096)          # no document fits: the first copy fails
    # the first document that does not fit (copied, or made when the code changed meanwhile)
    one_line(result, 2, "(File too large); the new version was not made")
    assert ".building-" not in result.stderr
    assert os.readlink(out / "plan" / "latest") == latest
    assert snapshot(out) == before, "the half-made version is removed, the others are as they were"


# --- 5: an id is never reused for other work ------------------------------------------------------

def _plan_file(tmp_path: Path, name: str, tasks: list[dict]) -> Path:
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    plan["tasks"] = tasks
    path = tmp_path / name
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_removed_tasks_id_given_to_other_work_is_not_reused(runner, tmp_path):
    tasks = json.loads(GOLDEN.read_text(encoding="utf-8"))["tasks"]
    gone = tasks[0]
    other = dict(tasks[1], id=gone["id"], text="开展一项与原任务毫不相干的新工作，建立寄递安全长效机制。")
    old = _plan_file(tmp_path, "old.json", tasks)
    new = _plan_file(tmp_path, "new.json", tasks[2:] + [other])       # task 0 removed, task 1 too, one added
    result = runner.invoke(main, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1, result.output
    changes = json.loads(result.stdout)["changes"]
    removed = [c["id"] for c in changes if c["kind"] == "removed"]
    added = [c["id"] for c in changes if c["kind"] == "added"]
    assert gone["id"] in removed and gone["id"] not in added and added == [gone["id"] + "-2"]


def test_an_id_removed_two_versions_ago_is_not_given_to_other_work(runner, tmp_path):
    tasks = json.loads(GOLDEN.read_text(encoding="utf-8"))["tasks"]
    out = tmp_path / "out"
    gone = tasks[0]
    _build(runner, _plan_file(tmp_path, "v1.json", tasks), out)
    _build(runner, _plan_file(tmp_path, "v2.json", tasks[1:]), out)                       # removed
    other = dict(tasks[0], text="开展一项与原任务毫不相干的新工作，建立寄递安全长效机制。")     # its id, other work
    _build(runner, _plan_file(tmp_path, "v3.json", tasks[1:] + [other]), out)
    latest = out / "plan" / "latest"
    ids = [t["id"] for t in json.loads((latest / "plan.json").read_text(encoding="utf-8"))["tasks"]]
    assert gone["id"] not in ids and gone["id"] + "-2" in ids
    assert gone["id"] in json.loads((latest / "manifest.json").read_text(encoding="utf-8"))["retired_ids"]


# --- 12: PDFs that loop, repeat a page a million times, or hold 100,000 pieces of text ----------

def pdf_bytes(contents: list[bytes], kids: bytes | None = None, count: int | None = None) -> bytes:
    """A minimal PDF: one Helvetica font and a page per content stream; `kids` and `count` replace
    the page tree's (to make it loop, or name one page many times)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + (kids or b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(contents))))
               + b"] /Count %d >>" % (len(contents) if count is None else count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, content in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


HELLO = b"BT /F1 12 Tf 72 720 Td (1. hello;) Tj ET"     # ";" ends a line: not joined to the next


def _tiny_texts(n: int) -> bytes:
    return b"".join(b"BT /F1 2 Tf %d %d Td (a) Tj ET\n" % (10 + i % 280 * 2, 800 - i // 280 * 2 % 790) for i in range(n))


@pytest.mark.parametrize("data, words", [
    (lambda: pdf_bytes([HELLO], kids=b"2 0 R 4 0 R", count=2), "page 2 cannot be read (Failed to load page.; a damaged PDF)"),
    (lambda: pdf_bytes([HELLO], kids=b" ".join([b"4 0 R"] * 1_000_000), count=1_000_000),
     "refused: 1,000,000 pages, more than the 3,000 a circular may have"),
    (lambda: pdf_bytes([_tiny_texts(100_000)]), "refused: page 1 holds 100,000 pieces of text"),
], ids=["cyclic-page-tree", "one-page-a-million-times", "100000-text-objects"])
def test_a_hostile_pdf_is_one_line_in_bounded_time(tmp_path, data, words):
    path = tmp_path / "hostile.pdf"
    path.write_bytes(data())
    result = run("parse", str(path))
    one_line(result, 2, words)
    bounded(result)


def test_a_small_pdf_made_the_same_way_is_read(tmp_path):
    """The generator above makes PDFs that read: the refusals are the hostile parts', not its."""
    from parser.sources import read_bytes
    assert [l.text for l in read_bytes(pdf_bytes([HELLO, HELLO]), "x.pdf").lines] == ["1. hello;", "1. hello;"]


# --- 13: diff of two large plans with nothing in common is near linear ----------------------------

def _random_plan(tmp_path: Path, name: str, seed: int, n: int) -> Path:
    import random
    rnd = random.Random(seed)
    base = json.loads(GOLDEN.read_text(encoding="utf-8"))["tasks"][0]
    tasks = [dict(base, id=f"t{seed * 10 ** 6 + k:010x}", text="".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(30)))
             for k in range(n)]
    return _plan_file(tmp_path, name, tasks)


def test_diff_of_two_20000_task_plans_with_no_text_in_common_is_bounded(tmp_path):
    old, new = _random_plan(tmp_path, "old.json", 1, 20_000), _random_plan(tmp_path, "new.json", 2, 20_000)
    result = run("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 1, result.stderr[-2000:]
    kinds = [c["kind"] for c in json.loads(result.stdout)["changes"]]
    assert kinds.count("removed") == kinds.count("added") == 20_000
    bounded(result)


def test_the_pairing_by_character_pairs_finds_the_moved_tasks_every_comparison_finds(monkeypatch):
    """Tasks moved and reworded, among thousands: the near-linear pairing and the comparison of
    every text with every other agree."""
    import random

    from plandoc import diff as diffing
    rnd = random.Random(3)
    texts = ["".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(rnd.randrange(12, 60))) for _ in range(1500)]
    old = list(texts)
    new = [t[:len(t) // 3] + "进一步" + t[len(t) // 3:] if k % 3 == 0 else t for k, t in enumerate(texts)]
    rnd.shuffle(new)              # all moved: nothing is aligned in order
    rows, cols = list(range(len(old))), list(range(len(new)))
    fast = diffing._best_pairs(old, new, rows, cols)
    monkeypatch.setattr(diffing, "EXHAUSTIVE", 10 ** 12)
    assert sorted(fast) == sorted(diffing._best_pairs(old, new, rows, cols))
    assert len(fast) == 1500


# --- 14: LibreOffice that hangs, and files that only say they are .doc -----------------------------

@pytest.mark.skipif(not Path("/proc/self/stat").exists() or os.name != "posix", reason="needs /proc and sh")
def test_a_hanging_libreoffice_is_killed_with_everything_it_started(tmp_path, monkeypatch):
    from parser import sources
    from parser.errors import SourceError
    pids = tmp_path / "pids"
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    # soffice starts soffice.bin and waits for it: both hang here
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sources, "CONVERT_SECONDS", 2)
    with pytest.raises(SourceError, match="LibreOffice took more than 2 s to convert it"):
        sources.read_bytes(sources.OLE_MAGIC + b"\0" * 600, "old.doc")
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 2
    time.sleep(0.2)
    assert not [pid for pid in started if _running(pid)]


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for init to reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("data, what", [
    (lambda: "一、做好工作（办公室牵头）\n".encode() * 1000, "it is plain text (.txt)"),
    (lambda: b"<!DOCTYPE html><html><body><p>x</p></body></html>", "it is a web page (.html)"),
    (lambda: os.urandom(4096).replace(OLE, b"") if (OLE := b"\xd0\xcf") else b"", "it is of no kind plandoc reads"),
], ids=["text", "html", "binary"])
def test_a_file_named_doc_that_is_not_one_says_what_it_is(tmp_path, data, what):
    path = tmp_path / "circular.doc"
    path.write_bytes(data())
    result = run("parse", str(path))
    one_line(result, 2, f"named .doc but {what}, not a Word 97-2003 or WPS document")
    bounded(result, seconds=10)


# --- 15: --date and --number ----------------------------------------------------------------------

@pytest.mark.parametrize("date, words", [
    ("0001-01-01", "0001-01-01: the plan is of 2022, so its letters are dated from 2021 to 2024"),
    ("9999-12-31", "9999-12-31: the plan is of 2022, so its letters are dated from 2021 to 2024"),
])
def test_a_date_far_from_the_plans_year_is_a_usage_error(runner, tmp_path, date, words):
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "o"), "--format", "docx", "--date", date])
    assert result.exit_code == 2 and words in result.stderr and "Traceback" not in result.output, result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("number", ["苏邮管函〔{year}〕" + "9" * 20000 + "号", "苏邮管函\n〔{year}〕{n}号",
                                    "\u202e苏邮管函〔{year}〕{n}号", "第{n}号", "苏邮管函〔{year}〕{n}"],
                         ids=["20000-characters", "newline", "right-to-left", "no-year", "no-hao"])
def test_a_number_that_is_no_document_number_is_a_usage_error(runner, tmp_path, number):
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "o"), "--format", "docx",
                                  "--number", number])
    assert result.exit_code == 2 and "is not a 发文字号 such as" in result.stderr, result.output
    error = [l for l in result.stderr.splitlines() if "Invalid value" in l or "Error" in l]
    assert error and all(len(l) < 400 for l in result.stderr.splitlines()) and "\u202e" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_document_number_and_a_date_in_the_window_are_taken(runner, tmp_path):
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "o"), "--format", "docx", "-q",
                                  "--only", "办公室", "--date", "2023-01-05", "--number", "苏邮管函〔{year}〕{n}号"])
    assert result.exit_code == 0, result.output


# --- 16: Ctrl-C during a build ---------------------------------------------------------------------

@pytest.mark.parametrize("delay", [0.0, 0.7, 1.5], ids=["at-once", "later", "later-still"])
def test_ctrl_c_during_a_build_is_one_line_from_the_build_and_nothing_from_its_workers(tmp_path, delay):
    """Ctrl-C at a few moments of the rendering (the traceback came when it caught a worker inside
    WeasyPrint, or waiting for a job)."""
    import signal
    out = tmp_path / "out"
    # a plan of 16 units' letters, so that the build is still at work when the signal comes (the
    # sample's four PDFs could be all made 0.7 s after the first)
    lines = ["示例市管理局关于印发2022年重点工作任务分解方案的通知", "", "2022年重点工作任务分解方案",
             "一、重点工作"]
    lines += [f"{n}. 推进第{n}项重点工作，6月底前完成。（第{n % 16 + 1}业务处牵头，第{(n * 7 + 3) % 16 + 1}业务处配合）"
              for n in range(1, 161)]
    source = tmp_path / "plan.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "plandoc", "build", str(source), "--name", "plan", "-o",
                             str(out), "--format", "pdf", "-j", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            start_new_session=True)
    first = proc.stderr.readline()          # the first document made: the workers are at work
    assert first.startswith(b"["), first
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)      # what a terminal sends: to the build and its workers
    try:
        _, err = proc.communicate(timeout=SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)     # the hung build and its workers, so that no later
        _, err = proc.communicate()             # test reports them still running
        pytest.fail("the build did not end on Ctrl-C:\n" + err.decode("utf-8", "replace"))
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "Exception ignored" not in text and "KeyboardInterrupt" not in text, text
    assert text.strip().splitlines()[-1].startswith("interrupted: the new version was not made")
    plan = out / "plan"
    assert not (plan / "latest").exists() and not list(plan.glob(".building-*")) and not list(plan.glob("2*"))


def test_ctrl_c_inside_the_pools_locks_is_raised_as_they_are_left():
    """The build hung on Ctrl-C when it came while concurrent.futures.wait() took the futures'
    locks: held() notes it there and raises it after (now and then in the test above)."""
    import signal

    from plandoc.interrupt import held
    before = signal.getsignal(signal.SIGINT)
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)                # the handler has run by now: it only took note
            reached.append(True)
    assert reached and signal.getsignal(signal.SIGINT) is before
    with held():                            # no Ctrl-C: nothing raised, the handler put back
        pass
    assert signal.getsignal(signal.SIGINT) is before
