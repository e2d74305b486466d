"""`plandoc build` on the sample: the files, the manifest, what each unit receives, and safety.

The layout of the documents themselves is checked in test_documents.py.
"""
from __future__ import annotations

from parser.rules import load_rules

import hashlib
import json
import re
import tomllib

import pytest

from plandoc.cli import main

from .conftest import ISSUED, PROFILE, ROOT, SAMPLE

UNITS = ("办公室", "普遍服务处", "市场监管处")
GOLDEN = ROOT / "tests" / "golden" / "suzhou-post-2022.json"


def expected_task_ids() -> dict[str, set[str]]:
    """Each unit's tasks, worked out from the golden plan and the profile without plandoc's code."""
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    profile = tomllib.loads(PROFILE.read_text(encoding="utf-8"))
    aliases = {a: name for name, spec in profile["units"].items() for a in spec.get("aliases", [])}
    out: dict[str, set[str]] = {}
    for task in plan["tasks"]:
        for d in task["departments"]:
            name = aliases.get(d["name"], d["name"])
            for unit in profile["groups"].get(name, [name]):
                out.setdefault(unit, set()).add(task["id"])
    return out


def test_every_unit_with_tasks_gets_a_letter_and_a_checklist_in_both_formats(sample_build):
    _, _, result = sample_build
    folder = result.folder
    # a version of its own: the circular's date and 8 hex digits, named by `latest`
    assert folder.parent.name == "suzhou-post-2022" and re.fullmatch(r"2022-03-31-[0-9a-f]{8}", folder.name)
    assert (folder.parent / "latest").resolve() == folder.resolve()
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    expected = sorted([f"{u}/{doc}.{fmt}" for u in UNITS for doc in ("任务交办函", "任务清单") for fmt in ("docx", "pdf")]
                      + [f"{u}/任务交办函（含附件）.pdf" for u in UNITS]
                      + ["任务分解总表.docx", "任务分解总表.pdf", "manifest.json", "plan.json", "review.html",
                         "督办台账.xlsx"])
    assert files == expected
    # the profile's fourth unit has no task in this plan: no folder, and the build says so
    assert result.idle == ("市邮政业安全发展中心",)
    assert not (folder / "市邮政业安全发展中心").exists()


def test_manifest_lists_every_file_with_its_hash_and_the_unit_s_tasks(sample_build):
    plan, _, result = sample_build
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["plan"]["tasks"] == 96 and manifest["plan"]["idle_units"] == ["市邮政业安全发展中心"]
    on_disk = {str(p.relative_to(result.folder)) for p in result.folder.rglob("*")
               if p.name not in ("manifest.json", "plan.json", "review.html")   # recorded apart
               and p.is_file()}
    assert {f["path"] for f in manifest["files"]} == on_disk
    expected = expected_task_ids()
    for f in manifest["files"]:
        data = (result.folder / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
        if f["unit"]:
            assert set(f["task_ids"]) == expected[f["unit"]], f["path"]
        else:
            assert f["task_ids"] == [t.id for t in plan.tasks]


def test_a_group_gives_its_task_to_each_member(sample_build):
    plan, _, result = sample_build
    grouped = [t for t in plan.tasks if any(d.name == "各处室" for d in t.departments)]
    assert len(grouped) == 1
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    holders = {f["unit"] for f in manifest["files"] if f["unit"] and grouped[0].id in f["task_ids"]}
    assert holders == set(UNITS)


def test_the_same_work_in_two_parts_is_one_entry_with_both_references(sample_build):
    from plandoc.assemble import assemble
    plan, profile, _ = sample_build
    from plandoc.render.context import reference
    from plandoc.wording import load_wording
    wording = load_wording()
    office = next(a for a in assemble(plan, profile, load_rules().same_work_similarity).units if a.unit == "办公室")
    merged = [e for e in office.entries if len(e.refs) > 1]
    assert [[reference(r, wording) for r in e.refs] for e in merged] == [["分解方案第64项", "民生实事三.2"]]
    # 32 distinct pieces of work for 33 tasks
    assert len(office.entries) == 32 and len({i for e in office.entries for i in e.task_ids}) == 33


def test_a_second_build_gives_the_same_bytes_and_rewrites_nothing(sample_build, tmp_path):
    from plandoc.build import build
    plan, profile, first = sample_build
    again = build(plan, profile, first.folder.parent.parent, workers=1)
    assert again.made == [] and again.same_as == first.version and again.folder == first.folder
    # the same plan on the same date elsewhere: the same bytes
    elsewhere = build(plan, profile, tmp_path, workers=2, issued=ISSUED)
    a = json.loads(first.manifest.read_text(encoding="utf-8"))
    b = json.loads(elsewhere.manifest.read_text(encoding="utf-8"))
    assert a == b


def test_build_from_a_corrected_plan_json(runner, tmp_path, font_cache):
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    plan["tasks"][0]["text"] = "坚持党组会议“第一议题”制度（已改正）。"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["build", str(path), "--profile", str(PROFILE), "-o", str(tmp_path / "out"),
                                  "--format", "docx", "--only", "办公室", "-q"])
    assert result.exit_code == 0, result.output
    import docx
    latest = tmp_path / "out" / "suzhou-post-2022" / "latest"
    letter = docx.Document(str(latest / "办公室" / "任务交办函.docx"))
    assert any("（已改正）" in p.text for p in letter.paragraphs)
    assert not (latest / "市场监管处").exists()
    assert not (latest / "任务分解总表.docx").exists()     # --only builds no overview


@pytest.mark.parametrize("args, message", [
    (["--format", "odt"], "choose from docx, pdf"),
    (["--only", "宣传处"], "no such unit: 宣传处"),
])
def test_bad_options_are_one_clear_line(runner, tmp_path, args, message):
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "-o", str(tmp_path)] + args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("content, message", [
    ("{}", "not a plan JSON written by `plandoc parse`"),
    ('{"schema_version": 1, "source": {"path": "x"}, "tasks": [{"id": "t1"}]}', "'title' is a required property"),
    ("[1, 2", "not a plan JSON"),
    ("[" * 200_000, "nested too deep"),
])
def test_a_broken_plan_json_is_an_input_error(runner, tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["build", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_unit_names_cannot_escape_the_output_folder(runner, tmp_path, font_cache):
    # a plan JSON corrected by hand can name units anything
    plan = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for task, name in zip(plan["tasks"], ["../x", "a/b", "CON", "a_b", "..", "名称:*?", "manifest.json"]):
        task["departments"] = [{"name": name, "role": "lead"}]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(path), "-o", str(out), "--format", "docx", "-q"])
    assert result.exit_code == 0, result.output
    version = out / "suzhou-post-2022" / "latest"
    made = {p.name for p in version.iterdir() if p.is_dir()}
    assert {"_x", "a_b", "a_b-2", "_CON", "_", "名称_", "manifest.json-2"} <= made
    assert (version / "manifest.json").is_file()
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    assert not (tmp_path / "x").exists() and not (out / "x").exists()


def test_an_interrupted_build_leaves_no_half_written_file(tmp_path, monkeypatch, font_cache):
    from plandoc import build as build_module
    from parser import load_profile, parse_file
    plan = parse_file(SAMPLE, load_profile(PROFILE))
    real = build_module.render_job
    calls = []

    def interrupted(job, *args):
        calls.append(job.path)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(job, *args)

    monkeypatch.setattr(build_module, "render_job", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_module.build(plan, load_profile(PROFILE), tmp_path, formats=("docx",), workers=1)
    # no version half made, and nothing named the newest
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert [p.name for p in (tmp_path / "suzhou-post-2022").iterdir()] == []


def test_templates_export_and_a_template_error_names_file_and_line(runner, tmp_path, font_cache):
    mine = tmp_path / "mine"
    result = runner.invoke(main, ["templates", "export", str(mine)])
    assert result.exit_code == 0
    assert sorted(p.name for p in mine.iterdir()) == sorted(
        ["base.html", "columns.html", "parts.html", "letter.html", "checklist_body.html", "checklist.html",
         "packet.html", "overview.html", "notice.html",
         "letter.docx", "checklist.docx", "overview.docx", "notice.docx"])
    again = runner.invoke(main, ["templates", "export", str(mine)])
    assert "kept 13 existing file(s)" in again.stderr
    html = (mine / "letter.html").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(html, 1) if "{{ attachment }}" in text)
    html[line - 1] = html[line - 1].replace("{{ attachment }}", "{{ attachment | nosuchfilter }}")
    (mine / "letter.html").write_text("\n".join(html), encoding="utf-8")
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine),
                                  "-o", str(tmp_path / "out"), "--format", "pdf", "--only", "办公室", "-j", "1"])
    assert result.exit_code == 1
    assert f"letter.html:{line}:" in result.stderr and "nosuchfilter" in result.stderr
    assert "Traceback" not in result.output


def test_a_broken_word_template_is_named(runner, tmp_path, font_cache):
    import docx
    mine = tmp_path / "mine"
    runner.invoke(main, ["templates", "export", str(mine)])
    doc = docx.Document(str(mine / "letter.docx"))
    doc.add_paragraph("{%p for x in %}")
    doc.save(str(mine / "letter.docx"))
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "--templates", str(mine),
                                  "-o", str(tmp_path / "out"), "--format", "docx", "--only", "办公室"])
    assert result.exit_code == 1
    paragraphs = len(docx.Document(str(mine / "letter.docx")).paragraphs)      # the new one is the last
    assert f"letter.docx: paragraph {paragraphs}: " in result.stderr, result.stderr
    assert "(in “{%p for x in %}”)" in result.stderr


def test_missing_pdf_fonts_name_the_packages(runner, tmp_path, monkeypatch):
    from plandoc.render import fonts
    monkeypatch.setattr(fonts, "installed_fonts", lambda: ())
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "no font installed for fangsong" in result.stderr
    assert "fonts-noto-cjk" in result.stderr and "Traceback" not in result.output


def test_without_a_profile_every_named_unit_gets_a_letter(runner, tmp_path, font_cache):
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "--format", "docx"])
    assert result.exit_code == 0, result.output
    folders = {p.name for p in (tmp_path / "suzhou-post-2022" / "latest").iterdir() if p.is_dir()}
    assert folders == {"办公室", "普遍服务处", "市场监管处", "各处室"}
    assert "without --profile" in result.stderr
    # progress, one line a document, on stderr
    assert "[1/9] " in result.stderr and "[9/9] " in result.stderr


def test_a_circular_without_tasks_builds_nothing(runner, tmp_path):
    empty = tmp_path / "notice.txt"
    empty.write_text("关于召开会议的通知\n各处室：\n定于下周召开工作会议。\n", encoding="utf-8")
    result = runner.invoke(main, ["build", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no tasks found" in result.stderr
    assert not (tmp_path / "out").exists()


def test_only_one_unit_is_a_version_of_that_unit_s_documents(sample_build, tmp_path, font_cache):
    from plandoc.build import build
    plan, profile, first = sample_build
    full = build(plan, profile, tmp_path, formats=("docx",), workers=1)
    again = build(plan, profile, tmp_path, formats=("docx",), only=["办公室"], workers=1)
    after = json.loads(again.manifest.read_text(encoding="utf-8"))
    assert {f["path"] for f in after["files"]} == {"办公室/任务交办函.docx", "办公室/任务清单.docx"}
    assert after["only"] == ["办公室"] and after["follows"] == full.version
    assert again.made == [] and len(again.carried) == 2       # the same content: taken over, not made
    assert full.folder.is_dir() and len(list(full.folder.rglob("*.docx"))) == 7


def profile_with(tmp_path, letters: str):
    path = tmp_path / "office.toml"
    path.write_text(PROFILE.read_text(encoding="utf-8").split("\n[letters]")[0] + "\n[letters]\n" + letters,
                    encoding="utf-8")
    return path


def test_the_profile_rewords_the_letters(runner, tmp_path, font_cache):
    profile = profile_with(tmp_path, 'mark = "苏州市邮政管理局办公室"\nfeedback = "请于{year}年6月底前报送{unit}的进展。"\n')
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(profile), "-o", str(tmp_path / "out"),
                                  "--format", "docx", "--only", "市场处", "-q"])      # the profile's alias
    assert result.exit_code == 0, result.output
    import docx
    d = docx.Document(str(tmp_path / "out" / "suzhou-post-2022" / "latest" / "市场监管处" / "任务交办函.docx"))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "苏州市邮政管理局办公室"
    assert "请于2022年6月底前报送市场监管处的进展。" in texts


@pytest.mark.parametrize("letters, message", [
    ('feedbak = "x"\n', "letters.feedbak: not a setting of the letters"),
    ('feedback = "请于{季度}报送"\n', "letters.feedback: {季度} is not a field"),
])
def test_a_wrong_letters_setting_names_the_profile_key(runner, tmp_path, letters, message):
    profile = profile_with(tmp_path, letters)
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(profile), "-o", str(tmp_path / "out"),
                                  "--format", "docx"])
    assert result.exit_code == 1
    assert f"{profile}: {message}" in result.stderr and "Traceback" not in result.output


def test_weasyprint_without_its_system_libraries_is_a_clear_error(monkeypatch):
    import builtins

    from plandoc.errors import FontError
    from plandoc.render.fonts import PreparedFonts
    from plandoc.render.pdf import PdfRenderer
    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(FontError, match="install the packages .*libpango-1.0-0"):
        PdfRenderer(None, PreparedFonts("", {}))
