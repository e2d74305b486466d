"""The template context: what the letters say, whatever the circular gives (or lacks)."""
from __future__ import annotations

from parser.rules import load_rules

import dataclasses

import pytest

from parser import load_profile, parse_file
from plandoc.render import context
from plandoc.assemble import assemble
from plandoc.wording import load_wording

from .conftest import PROFILE, SAMPLE


@pytest.fixture(scope="module")
def sample():
    profile = load_profile(PROFILE)
    return parse_file(SAMPLE, profile), profile


def letter_of(plan, profile, unit="市场监管处"):
    wording = load_wording()
    a = next(a for a in assemble(plan, profile, load_rules().same_work_similarity).units if a.unit == unit)
    return context.letter(plan, a, context.Sentences(wording, profile))


def test_the_sample_letter_names_the_plan_and_cites_the_circular(sample):
    c = letter_of(*sample)
    # a 函 as 公文 name it, short enough for one line; the opening cites the circular in the
    # office's own voice (not 「苏州市邮政管理局于…印发《…关于印发…》」)
    assert c["title"] == "关于交办2022年重点工作任务的函" and c["title_lines"] == [c["title"]]
    assert c["opening"].startswith("根据《苏州市邮政管理局关于印发2022年工作目标任务分解方案")
    assert "印发《" not in c["opening"] and not c["opening"].startswith("苏州市邮政管理局")
    assert "你单位承担任务42项（牵头29项、负责13项），现予交办" in c["opening"]
    assert [s["heading"] for s in c["sections"]] == ["一、牵头任务（29项）", "二、负责任务（13项）"]
    assert c["requirements_heading"] == "三、工作要求"
    assert c["mark"] == "苏州市邮政管理局" and c["date"] == "2022年3月31日"


def test_a_circular_without_a_year_gives_a_title_without_one(sample):
    plan, profile = sample
    plan = dataclasses.replace(plan, title="苏州市邮政管理局关于对民生实事进行重点督办的通知", year=None)
    c = letter_of(plan, profile)
    assert c["title"] == "关于交办重点工作任务的函"
    assert c["opening"].startswith("根据《苏州市邮政管理局关于对民生实事进行重点督办的通知》分工")


def test_a_long_title_is_broken_between_words_into_even_lines(sample, tmp_path):
    import jieba

    from parser import load_profile
    from plandoc.render.titles import width
    plan, _ = sample
    path = tmp_path / "office.toml"
    path.write_text(PROFILE.read_text(encoding="utf-8").split("\n[letters]")[0]
                    + '\n[letters]\ntitle = "关于落实{plan}的任务交办函"\n', encoding="utf-8")
    c = letter_of(plan, load_profile(path))
    lines = c["title_lines"]
    assert "".join(lines) == c["title"] and len(lines) == 3
    assert all(width(line) <= 20 for line in lines) and max(map(width, lines)) - min(map(width, lines)) <= 3
    bounds, at = set(), 0
    for word in jieba.cut(c["title"]):
        at += len(word)
        bounds.add(at)
    at = 0
    for line in lines[:-1]:
        at += len(line)
        assert at in bounds, f"a break inside a word: {lines}"
    # the unit and the part of a name are never split, whatever jieba's dictionary says
    assert not any(line.endswith("邮") for line in lines)


def test_without_issuer_or_date_the_opening_still_reads(sample):
    plan, _ = sample
    plan = dataclasses.replace(plan, issuer=None, date=None)
    c = letter_of(plan, None)
    assert c["mark"] == "" and c["issuer"] == ""
    assert c["opening"].startswith("根据《苏州市邮政管理局关于印发")
    bare = dataclasses.replace(plan, title=None)
    c = letter_of(bare, None)
    assert c["title"] == "关于交办2022年重点工作任务的函" and c["opening"].startswith("根据工作任务分工，你单位承担任务")


def test_a_task_without_a_number_is_cited_by_its_line(sample):
    plan, profile = sample
    first = dataclasses.replace(plan.tasks[0], number=None)
    plan = dataclasses.replace(plan, tasks=(first,) + plan.tasks[1:])
    c = letter_of(plan, profile, "办公室")
    refs = [e["refs"] for s in c["sections"] for g in s["groups"] for e in g["entries"]]
    assert refs[0] == f"分解方案第{first.line}行"


PDF_PAGE = {"fonts", "font_faces", "landscape", "timestamp", "doc_title", "piece", "page_start"}   # what PdfRenderer adds


@pytest.fixture(scope="module")
def contexts(sample):
    from plandoc.assemble import assemble
    plan, profile = sample
    wording = load_wording()
    s = context.Sentences(wording, profile)
    assignments = assemble(plan, profile, load_rules().same_work_similarity)
    a = next(a for a in assignments.units if a.unit == "市场监管处")
    letter, checklist = context.letter(plan, a, s), context.checklist(plan, a, s)
    return {"letter": letter, "checklist": checklist, "packet": context.packet(letter, checklist, s),
            "overview": context.overview(plan, assignments, s)}


def template_names(env, name: str, skip: tuple[str, ...] = ()) -> set[str]:
    """The names an HTML template and those it extends, includes or imports use (`skip`: an
    included template whose names the includer sets itself)."""
    from jinja2 import meta

    from plandoc.render.templates import default_dir
    tree = env.parse((default_dir() / name).read_text(encoding="utf-8"))
    names = meta.find_undeclared_variables(tree)
    for other in meta.find_referenced_templates(tree):
        if other not in skip:
            names |= template_names(env, other, skip)
    return names


def test_the_packet_s_attachment_is_the_checklist(contexts):
    from plandoc.render.templates import html_environment
    env = html_environment(None)
    assert template_names(env, "checklist_body.html") - set(contexts["packet"]["annex"]) == set()
    assert contexts["packet"]["annex"] == contexts["checklist"]


@pytest.mark.parametrize("kind", ["letter", "checklist", "packet", "overview"])
def test_every_name_a_template_uses_is_in_its_context(contexts, kind):
    """The context's keys are the contract: a template that names anything else fails here,
    not in an office's build."""
    import jinja2
    from docxtpl import DocxTemplate

    from plandoc.render.templates import html_breaks

    from plandoc.render.templates import default_dir, html_environment
    env = html_environment(None)
    # the packet sets the attachment's names itself, from `annex` (checked above)
    names = template_names(env, f"{kind}.html", skip=("checklist_body.html",) if kind == "packet" else ())
    assert names - set(contexts[kind]) - PDF_PAGE == set()
    if kind == "packet":
        return                      # PDF only: Word prints the letter and the checklist apart
    plain = jinja2.Environment()
    plain.filters["breaks"] = html_breaks
    docx_names = DocxTemplate(str(default_dir() / f"{kind}.docx")).get_undeclared_template_variables(plain)
    assert docx_names - set(contexts[kind]) == set()
