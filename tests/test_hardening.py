"""Real mistakes and hostile files: one line on stderr and the documented exit code, never a
traceback, nothing written outside the output folder, nothing lost (issue: hardening)."""
from __future__ import annotations

import json
import os
import stat

import pytest

from plandoc.cli import main

from .conftest import PROFILE, ROOT, SAMPLE

GOLDEN = ROOT / "tests" / "golden" / "suzhou-post-2022.json"


def one_line_error(result, code: int, words: str):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [l for l in result.stderr.splitlines() if l.startswith("Error:")]
    assert len(lines) == 1 and words in lines[0], result.stderr


def test_tasks_that_share_an_id_are_refused(runner, tmp_path):
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    plan["tasks"].append(dict(plan["tasks"][0], text="拆分出的另一项工作。"))    # a block copied to split it
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["build", str(path), "-o", str(tmp_path / "out"), "--format", "docx"])
    one_line_error(result, 2, f'tasks[{len(plan["tasks"]) - 1}]: id "{plan["tasks"][0]["id"]}" is also the id of tasks[0]')
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_given_as_output_is_written_to_not_replaced(runner):
    before = os.stat("/dev/null")
    result = runner.invoke(main, ["parse", str(SAMPLE), "-q", "-o", "/dev/null"])
    assert result.exit_code == 0, result.output
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_symlink_given_as_output_is_refused(runner, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "plan.json"
    link.symlink_to(target)
    result = runner.invoke(main, ["parse", str(SAMPLE), "-q", "-o", str(link)])
    one_line_error(result, 2, "is a symbolic link")
    assert target.read_text(encoding="utf-8") == "keep me" and link.is_symlink()


def test_a_linked_plan_folder_is_refused_before_anything_is_written(runner, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "suzhou-post-2022").symlink_to(elsewhere)
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "-o", str(out),
                                  "--format", "docx", "-q"])
    one_line_error(result, 2, "suzhou-post-2022 is a symbolic link")
    assert list(elsewhere.iterdir()) == []


def test_a_latest_link_pointing_elsewhere_is_replaced_never_written_through(runner, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (out / "suzhou-post-2022").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "manifest.json").write_text('{"files": [{"path": "../../../x"}]}', encoding="utf-8")
    (out / "suzhou-post-2022" / "latest").symlink_to(elsewhere)
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "-o", str(out),
                                  "--format", "docx", "-q"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in elsewhere.iterdir()] == ["manifest.json"]
    latest = out / "suzhou-post-2022" / "latest"
    assert latest.is_symlink() and latest.resolve().parent == (out / "suzhou-post-2022").resolve()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_line_before_rendering(runner, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(out), "--format", "docx"])
        one_line_error(result, 2, "cannot write")
        assert "[1/" not in result.stderr            # nothing was rendered first
        result = runner.invoke(main, ["parse", str(SAMPLE), "-q", "-o", str(out / "plan.json")])
        one_line_error(result, 2, "cannot write")
    finally:
        out.chmod(0o755)


def test_files_get_the_umask_and_keep_their_mode(runner, tmp_path):
    old = os.umask(0o002)
    try:
        path = tmp_path / "plan.json"
        assert runner.invoke(main, ["parse", str(SAMPLE), "-q", "-o", str(path)]).exit_code == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o664
        path.chmod(0o640)
        path.write_text("{}", encoding="utf-8")        # a hand edit: replaced only when asked to
        assert runner.invoke(main, ["parse", str(SAMPLE), "-q", "-o", str(path), "--force"]).exit_code == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_a_format_spec_in_a_profile_sentence_is_refused(runner, tmp_path):
    profile = tmp_path / "office.toml"
    profile.write_text(PROFILE.read_text(encoding="utf-8").split("\n[letters]")[0]
                       + '\n[letters]\nfeedback = "{unit:>999999999}"\n', encoding="utf-8")
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(profile), "-o", str(tmp_path / "o"),
                                  "--format", "docx"])
    one_line_error(result, 1, "letters.feedback: {unit:>999999999} holds a format or conversion")


def test_a_word_template_that_is_not_a_docx_names_the_template(runner, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "letter.docx").write_bytes(b"")
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine),
                                  "-o", str(tmp_path / "o"), "--format", "docx", "--only", "办公室"])
    one_line_error(result, 1, "letter.docx: not a usable Word template")


def test_a_number_of_400_digits_is_no_target_and_the_json_stays_json(runner, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(f"1.新建{'9' * 400}个绿色网点，新建15个快递驿站。（办公室牵头）\n", encoding="utf-8")
    result = runner.invoke(main, ["parse", str(path), "-q"])
    assert result.exit_code == 0 and "Infinity" not in result.stdout
    plan = json.loads(result.stdout)
    assert [t["value"] for t in plan["tasks"][0]["targets"]] == [15]


def test_a_vertical_tab_in_a_title_builds(runner, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("苏州市邮政管理局关于印发\v2022年工作方案的通知\n1.做好统计工作。（办公室牵头）\n", encoding="utf-8")
    result = runner.invoke(main, ["build", str(path), "-o", str(tmp_path / "o"), "--format", "docx", "-q"])
    assert result.exit_code == 0, result.output


def _golden_with(change) -> str:
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    change(plan)
    return json.dumps(plan)         # escaped: a lone surrogate stays what a JSON file can hold


@pytest.mark.parametrize("change, field", [
    (lambda p: p["source"].update(path=5), "source.path: 5 is not of type 'string'"),
    (lambda p: p["tasks"][3]["departments"][0].update(name=5), "tasks[3].departments[0].name"),
    (lambda p: p["tasks"][0].update(part=["a"]), "tasks[0].part"),
    (lambda p: p["tasks"][0].update(number=7), "tasks[0].number"),
    (lambda p: p["tasks"][0]["targets"].append({"text": 5}), "tasks[0].targets[0]"),
    (lambda p: p.update(title=5), "title: 5 is not of type"),
    (lambda p: p.update(year="abc"), "year"),
    (lambda p: p.update(year=2022.5), "year"),
    (lambda p: p.update(year=99999), "year: 99999 is greater than the maximum"),
    (lambda p: p.update(year=-5), "year: -5 is less than the minimum"),
    (lambda p: p["tasks"][0].update(line=1e400), "tasks[0].line"),
    (lambda p: p["tasks"][0].update(text="做好\ud800工作"), "tasks[0].text: holds a control character or a lone surrogate"),
    (lambda p: p.update(title="关于\v印发的通知"), "title: holds a control character"),
], ids=["source-path", "unit-name", "part", "number", "target-text", "title", "year-abc", "year-float",
        "year-huge", "year-negative", "line-inf", "lone-surrogate", "control"])
def test_a_hand_edited_plan_json_names_the_field_that_is_wrong(runner, tmp_path, change, field):
    path = tmp_path / "plan.json"
    path.write_text(_golden_with(change), encoding="utf-8")
    result = runner.invoke(main, ["build", str(path), "-o", str(tmp_path / "out"), "--format", "docx"])
    one_line_error(result, 2, field)
    assert not (tmp_path / "out").exists()


def test_a_plan_json_saved_with_a_bom_and_long_names_builds(runner, tmp_path):
    def change(p):
        p["title"] = "关于" + "很长" * 150 + "的通知"
        p["tasks"][0]["departments"][0]["name"] = "很长的单位" * 60
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xef\xbb\xbf" + _golden_with(change).encode("utf-8"))
    result = runner.invoke(main, ["build", str(path), "-o", str(tmp_path / "out"), "--format", "docx", "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text, key", [
    ("units = 5\n", "units: must be a table"),
    ('[units."办公室"]\naliases = "局办公室"\n', 'units.办公室.aliases: must be a list of names'),
    ('[units."办公室"]\naliases = [1, 2]\n', "units.办公室.aliases: must be a list of names"),
    ("groups = 5\n", "groups: must be a table"),
    ('[units."办公室"]\n[groups]\n"各处室" = 5\n', "groups.各处室: must be a list of names"),
    ('[letters]\nfeedback = 5\n', "letters.feedback: must be a sentence"),
    ('[letters]\nfeedback = ["a"]\n', "letters.feedback: must be a sentence"),
    ('[letters]\nsignature_lines = 5\n', "letters.signature_lines: must be a list of names"),
    ("issuer = 5\n", "issuer: must be a name"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "not a valid TOML profile"),
], ids=["units-int", "aliases-string", "aliases-ints", "groups-int", "group-int", "letters-int",
        "letters-list", "signature-int", "issuer-int", "deep"])
def test_a_malformed_profile_names_the_key(runner, tmp_path, text, key):
    profile = tmp_path / "office.toml"
    profile.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(profile), "-o", str(tmp_path / "o")])
    one_line_error(result, 1, key)


def test_a_profile_saved_with_a_bom_is_read(runner, tmp_path):
    profile = tmp_path / "office.toml"
    profile.write_bytes(b"\xef\xbb\xbf" + PROFILE.read_bytes())
    result = runner.invoke(main, ["parse", str(SAMPLE), "--profile", str(profile), "-q"])
    assert result.exit_code == 0, result.output


def test_letters_edited_by_hand_are_never_lost(runner, tmp_path, font_cache):
    def build(source, *more):
        result = runner.invoke(main, ["build", str(source), "--name", "plan", "--profile", str(PROFILE), "-o",
                                      str(tmp_path / "out"), "--format", "docx", "-q", *more])
        assert result.exit_code == 0, result.output
        return result, (tmp_path / "out" / "plan" / "latest").resolve()

    _, first = build(SAMPLE)
    letter = first / "办公室" / "任务交办函.docx"
    letter.write_bytes(letter.read_bytes() + b"edited")            # the clerk's own changes
    edited = letter.read_bytes()
    # a revision that does not concern 办公室: its edited letter is taken over as it is
    text = SAMPLE.read_text(encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text(text.replace("15个绿色网点", "20个绿色网点"), encoding="utf-8")
    _, second = build(other)
    assert second != first and (second / "办公室" / "任务交办函.docx").read_bytes() == edited
    # one that does: made anew in the new version, said so, and the edited one stays where it was
    mine = tmp_path / "mine.txt"
    mine.write_text(other.read_text(encoding="utf-8").replace("“第一议题”制度，", "“第一议题”制度，认真"),
                    encoding="utf-8")
    result, third = build(mine)
    assert (third / "办公室" / "任务交办函.docx").read_bytes() != edited
    assert f"{second / '办公室' / '任务交办函.docx'} was edited by hand" in result.stderr
    assert (second / "办公室" / "任务交办函.docx").read_bytes() == edited == letter.read_bytes()
    # --force makes every document again, into a version of its own
    result, forced = build(mine, "--force")
    assert forced.name == third.name + "-2" and len(list(forced.rglob("*.docx"))) == 7
    assert sorted(p.name for p in (tmp_path / "out" / "plan").iterdir()) == sorted(
        ["latest", first.name, second.name, third.name, forced.name])


def test_an_input_over_the_limit_is_refused_unread(runner, tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(SAMPLE.read_bytes() * 60)         # about 1.2 MB
    result = runner.invoke(main, ["parse", str(path), "--max-input-mb", "1"])
    one_line_error(result, 2, "more than the 1 MB a circular may be (--max-input-mb raises the limit)")
    result = runner.invoke(main, ["build", str(path), "--max-input-mb", "1", "-o", str(tmp_path / "o")])
    one_line_error(result, 2, "more than the 1 MB")
    assert runner.invoke(main, ["parse", str(path), "-q", "--max-input-mb", "2"]).exit_code == 0


def test_a_docx_that_inflates_beyond_reason_is_refused(runner, tmp_path):
    import io
    import zipfile

    import docx
    d = docx.Document()
    d.add_paragraph("1.做好统计工作。（办公室牵头）")
    raw = io.BytesIO()
    d.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":       # 30 MB of one character compresses to ~30 KB
                data = data.replace(b"</w:body>", b"<!--" + b"a" * 30_000_000 + b"--></w:body>")
            dst.writestr(item.filename, data)
    path = tmp_path / "bomb.docx"
    path.write_bytes(out.getvalue())
    result = runner.invoke(main, ["parse", str(path)])
    one_line_error(result, 2, "word/document.xml inflates")


# reaching Python's os module from a template: os.popen, os.system… from there (getpid stands
# for them: the trusted run does not leave a process behind)
HOSTILE = [
    ("letter.html", '{% extends "base.html" %}{% block body %}{{ cycler.__init__.__globals__.os.getpid() }}'
                    '{% endblock %}', "pdf"),
    ("letter.docx", "{{ cycler.__init__.__globals__.os.getpid() }}", "docx"),
]


@pytest.mark.parametrize("name, text, fmt", HOSTILE, ids=["html", "docx"])
def test_a_template_is_code_and_runs_in_the_sandbox(runner, tmp_path, font_cache, name, text, fmt):
    mine = tmp_path / "mine"
    mine.mkdir()
    if name.endswith(".docx"):
        import docx
        d = docx.Document()
        d.add_paragraph(text)
        d.save(str(mine / name))
    else:
        (mine / name).write_text(text, encoding="utf-8")
    args = ["build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine), "-o", str(tmp_path / "o"),
            "--format", fmt, "--only", "办公室", "-q"]
    result = runner.invoke(main, args)
    one_line_error(result, 1, "unsafe")
    result = runner.invoke(main, args + ["--trust-templates"])       # the office vouches for it
    assert result.exit_code == 0, result.output


def test_a_template_fetches_nothing_outside_its_folder(tmp_path, font_cache):
    from plandoc.render.templates import url_fetcher
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "style.css").write_text("p { color: blue }", encoding="utf-8")
    fetch = url_fetcher([mine])
    fetch = getattr(fetch, "fetch", fetch)
    for url in (secret.as_uri(), (mine / ".." / "secret.css").as_uri(), "http://127.0.0.1:9/x", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="fetches nothing outside"):
            fetch(url)
    assert fetch((mine / "style.css").as_uri()) is not None
    assert fetch("data:text/css,p%7Bcolor:red%7D") is not None


def test_a_stylesheet_outside_the_templates_is_not_in_the_pdf(runner, tmp_path, font_cache):
    import pdfplumber
    outside = tmp_path / "outside.css"
    outside.write_text("body::before { content: 'LEAKED-FROM-OUTSIDE' }", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    (mine / "base.html").write_text(base.replace("</head>", f'<link rel="stylesheet" href="{outside.as_uri()}"></head>'),
                                    encoding="utf-8")
    args = ["build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine), "-o", str(tmp_path / "o"),
            "--format", "pdf", "--only", "办公室", "-q"]
    assert runner.invoke(main, args).exit_code == 0
    pdf = tmp_path / "o" / "suzhou-post-2022" / "latest" / "办公室" / "任务交办函.pdf"
    with pdfplumber.open(pdf) as doc:
        assert "LEAKED-FROM-OUTSIDE" not in doc.pages[0].extract_text()
    assert runner.invoke(main, args + ["--trust-templates"]).exit_code == 0     # trusted: made anew
    with pdfplumber.open(pdf) as doc:
        assert "LEAKED-FROM-OUTSIDE" in doc.pages[0].extract_text()


def test_a_second_build_into_the_same_folder_waits_then_says_so(runner, tmp_path, monkeypatch):
    from plandoc import output
    folder = tmp_path / "suzhou-post-2022"
    monkeypatch.setattr(output, "LOCK_WAIT", 0.3)
    with output.locked(folder):                         # a first build holds the folder
        result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "--format", "docx"])
    one_line_error(result, 2, "another build is writing there")
    assert [p.name for p in folder.iterdir()] == []
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "--format", "docx", "-q"])
    assert result.exit_code == 0                        # and once it is done, the second one goes


def test_temporary_files_a_killed_build_left_are_cleared(runner, tmp_path):
    folder = tmp_path / "suzhou-post-2022"
    (folder / "办公室").mkdir(parents=True)
    (folder / ".building-2022-03-31-0badc0de-4242" / "办公室").mkdir(parents=True)      # a half-made version
    leftovers = [folder / ".manifest.json.x1y2.tmp", folder / "办公室" / ".任务交办函.docx.abc.tmp",
                 folder / ".building-2022-03-31-0badc0de-4242" / "办公室" / "任务交办函.docx"]
    for p in leftovers:
        p.write_bytes(b"half")
    keep = folder / "办公室" / "notes.txt"
    keep.write_text("the clerk's own", encoding="utf-8")
    assert runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "--format", "docx", "-q"]).exit_code == 0
    assert keep.read_text(encoding="utf-8") == "the clerk's own"
    assert not (folder / ".building-2022-03-31-0badc0de-4242").exists()     # the half-made version goes
    # files that only look like temporary ones stay: nothing is removed by a pattern (issue 18:
    # other programs' .tmp files were deleted, and through a linked folder files outside)
    assert all(p.exists() for p in leftovers[:2])


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux")
def test_workers_end_with_a_killed_build(tmp_path, font_cache):
    """kill -9 on a build: its rendering processes do not go on for nobody."""
    import signal
    import subprocess
    import sys
    import time
    proc = subprocess.Popen([sys.executable, "-m", "plandoc", "build", str(SAMPLE), "--profile", str(PROFILE),
                             "-o", str(tmp_path), "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ, PLANDOC_CACHE=str(font_cache)))
    proc.stderr.readline()                  # the first document is done: the workers are busy
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the build started no worker"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    time.sleep(2)
    def running(pid: str) -> bool:
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
                return "Z" not in fh.read().split("State:")[1][:4]        # a zombie has ended
        except FileNotFoundError:
            return False
    assert [c for c in children if running(c)] == []


def test_a_task_of_a_million_characters_is_printed_cut(runner, tmp_path, font_cache):
    path = tmp_path / "long.txt"
    path.write_text("1." + "推进工作建设" * 170_000 + "。（办公室牵头）\n", encoding="utf-8")
    result = runner.invoke(main, ["build", str(path), "-o", str(tmp_path / "o"), "--only", "办公室", "-q"])
    assert result.exit_code == 0, result.output
    import docx
    letter = docx.Document(str(tmp_path / "o" / "long" / "latest" / "办公室" / "任务交办函.docx"))
    item = next(p.text for p in letter.paragraphs if p.text.startswith("1.推进工作建设"))
    assert item.endswith("……（全文1020001字，见原文第1行）") and len(item) < 2100


def test_a_font_cache_that_cannot_be_written_is_one_line(runner, tmp_path, monkeypatch):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("PLANDOC_CACHE", str(blocked))
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "o"), "--format", "pdf",
                                  "--only", "办公室"])
    one_line_error(result, 1, "cannot be written")
    assert "PLANDOC_CACHE" in result.stderr


def test_an_output_folder_that_cannot_be_made_is_one_line_before_rendering(runner, tmp_path):
    (tmp_path / "suzhou-post-2022").write_text("a file where the plan's folder would go", encoding="utf-8")
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "--format", "docx"])
    one_line_error(result, 2, "cannot write there")
    assert "[1/" not in result.stderr
