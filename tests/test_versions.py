"""Versioned builds: each build a folder of its own, earlier versions never touched, only what
changed made again, the rest taken over byte for byte (issue 9)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from parser import load_plan, load_profile
from plandoc.build import build

from .conftest import PROFILE, SAMPLE

TEXT = SAMPLE.read_text(encoding="utf-8")


def snapshot(folder):
    """Every file under a folder with its digest and its inode times (a touched file shows)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def revised(tmp_path, name, *edits, profile=PROFILE):
    text = TEXT
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_plan(path, load_profile(profile) if profile else None)


@pytest.fixture
def first(sample_build, tmp_path):
    """The sample's full build (both formats), copied to a folder of this test's."""
    plan, profile, result = sample_build
    out = tmp_path / "out"
    shutil.copytree(result.folder.parent, out / "suzhou-post-2022", symlinks=True)
    return profile, out, out / "suzhou-post-2022" / result.folder.name


def test_a_one_task_revision_makes_only_what_changed_and_keeps_every_earlier_file(first, tmp_path):
    profile, out, v1 = first
    before = snapshot(v1)
    plan = revised(tmp_path, "suzhou-post-2022.txt", ("15个绿色网点", "20个绿色网点"))
    result = build(plan, profile, out, workers=1)
    v2 = result.folder
    assert v2 != v1 and v2.parent == v1.parent and result.follows == v1.name
    assert (v1.parent / "latest").resolve() == v2.resolve()
    assert snapshot(v1) == before                      # the earlier version, untouched
    made = sorted(str(p.relative_to(v2)) for p in result.made)
    assert made == sorted(["市场监管处/任务交办函.docx", "市场监管处/任务交办函.pdf", "市场监管处/任务清单.docx",
                           "市场监管处/任务清单.pdf", "市场监管处/任务交办函（含附件）.pdf",
                           "任务分解总表.docx", "任务分解总表.pdf", "督办台账.xlsx"])
    carried = sorted(str(p.relative_to(v2)) for p in result.carried)
    assert len(carried) == 10 and not set(carried) & set(made)
    for rel in carried:                                 # byte for byte, and not a link to the old file
        assert (v2 / rel).read_bytes() == (v1 / rel).read_bytes()
        assert not os.path.samefile(v2 / rel, v1 / rel)
    manifest = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == v2.name and manifest["follows"] == v1.name
    changes = manifest["diff"]["changes"]
    # the same work in 分解方案 and 民生实事: both raised, each keeping its id
    old_ids = {t["id"] for t in json.loads((v1 / "plan.json").read_text(encoding="utf-8"))["tasks"]}
    assert [(c["kind"], c["aspects"], c["units_concerned"]) for c in changes] == [
        ("changed", ["targets"], ["市场监管处"])] * 2
    assert {c["id"] for c in changes} <= old_ids
    assert manifest["diff"]["unchanged"] == 94
    new_ids = {t["id"] for t in json.loads((v2 / "plan.json").read_text(encoding="utf-8"))["tasks"]}
    assert new_ids == old_ids
    # the manifest holds every file of the version, made now or taken over
    assert {f["path"] for f in manifest["files"]} == set(made) | set(carried)
    for f in manifest["files"]:
        assert f["made_in"] == (v2.name if f["path"] in made else v1.name)


def test_nothing_changed_makes_nothing(first, monkeypatch):
    from plandoc import build as build_module
    profile, out, v1 = first
    before = snapshot(v1.parent)

    def refuse(*args):
        raise AssertionError("rendered a document although nothing changed")
    monkeypatch.setattr(build_module, "render_job", refuse)
    result = build(load_plan(SAMPLE, profile), profile, out, workers=1)
    assert result.same_as == v1.name and result.made == [] and result.folder == v1
    assert snapshot(v1.parent) == before


def test_a_reworded_task_keeps_its_id_and_a_unit_that_lost_its_tasks_loses_its_folder(tmp_path, font_cache):
    out = tmp_path / "out"          # no profile: 各处室 is a unit of its own, not given to 普遍服务处
    v1 = build(load_plan(SAMPLE), None, out, formats=("docx",)).folder
    # 普遍服务处's tasks all given to 市场监管处; one sentence polished
    plan = revised(tmp_path, "suzhou-post-2022.txt", ("普遍服务处", "市场监管处"),
                   ("坚持党组会议“第一议题”制度，", "坚持并落实党组会议“第一议题”制度，"), profile=None)
    result = build(plan, None, out, formats=("docx",))
    v2 = result.folder
    assert not (v2 / "普遍服务处").exists() and (v1 / "普遍服务处" / "任务交办函.docx").is_file()
    reworded = next(c for c in result.changes.changes if "text" in c.aspects)
    assert reworded.new.text.startswith("坚持并落实") and reworded.old.id == reworded.new.id
    ids = [t["id"] for t in json.loads((v2 / "plan.json").read_text(encoding="utf-8"))["tasks"]]
    assert reworded.old.id in ids and len(set(ids)) == len(ids)
    office = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    letter = next(f for f in office["files"] if f["path"] == "办公室/任务交办函.docx")
    assert reworded.old.id in letter["task_ids"]


def test_latest_is_a_text_file_where_links_cannot_be_made(tmp_path, monkeypatch, font_cache):
    from plandoc import versions

    def no_links(*args, **kwargs):
        raise OSError(1, "Operation not permitted")
    monkeypatch.setattr(versions.os, "symlink", no_links)
    profile = load_profile(PROFILE)
    out = tmp_path / "out"
    v1 = build(load_plan(SAMPLE, profile), profile, out, formats=("docx",)).folder
    latest = out / "suzhou-post-2022" / "latest"
    assert latest.is_file() and not latest.is_symlink() and latest.read_text(encoding="utf-8") == v1.name + "\n"
    again = build(load_plan(SAMPLE, profile), profile, out, formats=("docx",))
    assert again.same_as == v1.name            # read back from the file


@pytest.mark.parametrize("content", ["../../elsewhere", "/etc", "..", "", "名字", "a" * 200])
def test_a_latest_file_naming_no_version_is_ignored(tmp_path, content, font_cache):
    profile = load_profile(PROFILE)
    out = tmp_path / "out"
    (out / "suzhou-post-2022").mkdir(parents=True)
    (out / "suzhou-post-2022" / "latest").write_text(content, encoding="utf-8")
    result = build(load_plan(SAMPLE, profile), profile, out, formats=("docx",))
    assert result.follows is None and result.folder.parent == out / "suzhou-post-2022"
    assert (out / "suzhou-post-2022" / "latest").resolve() == result.folder.resolve()


def test_the_same_inputs_again_are_not_even_parsed(runner, tmp_path, monkeypatch, font_cache):
    import parser
    from plandoc.cli import main
    args = ["build", str(SAMPLE), "--profile", str(PROFILE), "-o", str(tmp_path / "out"), "--format", "docx", "-q"]
    assert runner.invoke(main, args).exit_code == 0
    real = parser.load_plan

    def refuse(*a, **k):
        raise AssertionError("parsed although the inputs are those of the latest version")
    monkeypatch.setattr(parser, "load_plan", refuse)
    result = runner.invoke(main, args)
    assert result.exit_code == 0 and "nothing changed" in result.stderr, result.output
    assert "no tasks, so no letter: 市邮政业安全发展中心" in result.stderr
    # another profile (a sentence of the letters changed): read, parsed, and made again
    monkeypatch.setattr(parser, "load_plan", real)
    profile = tmp_path / "office.toml"
    profile.write_text(PROFILE.read_text(encoding="utf-8").replace("书面报送办公室", "报送办公室"), encoding="utf-8")
    result = runner.invoke(main, args[:3] + [str(profile)] + args[4:])
    assert result.exit_code == 0 and "nothing changed" not in result.stderr
    assert "files made" in result.stderr


def test_letters_bear_the_day_they_are_made_and_keep_it_when_taken_over(tmp_path, font_cache):
    """The 落款 date: --date, else the day the letter is made; a letter taken over unchanged keeps
    the date it was sent with; the 发文字号 from --number, numbered by the letter's place."""
    import datetime

    import docx
    profile = load_profile(PROFILE)
    out = tmp_path / "out"
    first = build(load_plan(SAMPLE, profile), profile, out, formats=("docx",), issued=datetime.date(2022, 4, 6),
                  number="苏邮管函〔{year}〕{n}号")

    def said(folder, unit):
        paragraphs = [p.text for p in docx.Document(str(folder / unit / "任务交办函.docx")).paragraphs]
        return paragraphs[1], paragraphs[-1].strip()
    assert said(first.folder, "办公室") == ("苏邮管函〔2022〕1号", "2022年4月6日")
    assert said(first.folder, "市场监管处") == ("苏邮管函〔2022〕3号", "2022年4月6日")
    plan = revised(tmp_path, "suzhou-post-2022.txt", ("15个绿色网点", "20个绿色网点"))
    second = build(plan, profile, out, formats=("docx",), number="苏邮管函〔{year}〕{n}号")
    today = datetime.date.today()
    assert said(second.folder, "市场监管处")[1] == f"{today.year}年{today.month}月{today.day}日"
    assert said(second.folder, "办公室") == ("苏邮管函〔2022〕1号", "2022年4月6日")          # taken over
    entries = json.loads(second.manifest.read_text(encoding="utf-8"))["files"]
    assert {e["path"]: e["issued"] for e in entries}["市场监管处/任务交办函.docx"] == today.isoformat()


@pytest.mark.parametrize("value, message", [("苏邮管函〔{x}〕号", "{x} is not a field; fields: n, year"),
                                            ("{n:>999999}号", "holds a format or conversion")])
def test_a_bad_number_is_a_usage_error(runner, tmp_path, value, message):
    from plandoc.cli import main
    result = runner.invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "o"), "--number", value])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_a_revision_lays_out_again_only_the_overview_pieces_of_the_units_it_concerns(tmp_path, monkeypatch,
                                                                                     font_cache):
    """A long overview is laid out in pieces kept beside the versions: a one-task revision lays
    out again the piece of the unit it concerns and takes the others as they were, and the
    joined overview is the one a build from nothing makes."""
    from plandoc.render import pdf as pdf_module
    from plandoc.versions import PIECES
    monkeypatch.setattr(pdf_module, "PIECED_FROM", 20)     # the sample's overview in pieces: one a unit
    monkeypatch.setattr(pdf_module, "PIECE_ROWS", 20)
    profile = load_profile(PROFILE)
    out = tmp_path / "out"
    build(load_plan(SAMPLE, profile), profile, out, formats=("pdf",), workers=1)
    pieces = out / "suzhou-post-2022" / PIECES
    first = {p.name: p.read_bytes() for p in pieces.glob("*.pdf")}
    assert len(first) == 3
    for p in pieces.glob("*.pdf"):          # made an hour ago: a piece the next build does not use goes
        os.utime(p, (p.stat().st_mtime - 3600,) * 2)
    plan = revised(tmp_path, "suzhou-post-2022.txt", ("15个绿色网点", "20个绿色网点"))   # 市场监管处's
    result = build(plan, profile, out, formats=("pdf",), workers=1)
    now = {p.name: p.read_bytes() for p in pieces.glob("*.pdf")}
    assert len(now) == 3 and len(set(now) - set(first)) == 1        # one piece laid out again
    kept = set(now) & set(first)
    assert len(kept) == 2 and all(now[n] == first[n] for n in kept)
    again = build(plan, profile, tmp_path / "fresh", formats=("pdf",), workers=1)
    assert (result.folder / "任务分解总表.pdf").read_bytes() == (again.folder / "任务分解总表.pdf").read_bytes()
