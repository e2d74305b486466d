"""The bundled sample end to end, its golden plan, the schema, and the corpus figures."""
from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from parser import parse_file
from plandoc.cli import plan_schema_text

from .conftest import CORPUS, PROFILE, ROOT, SAMPLE

GOLDEN = ROOT / "tests" / "golden" / "suzhou-post-2022.json"


@pytest.fixture(scope="module")
def plan():
    import os
    cwd = os.getcwd()
    os.chdir(ROOT)   # the plan records the source path as given: keep it the project's relative path
    try:
        return parse_file(SAMPLE.relative_to(ROOT), PROFILE.relative_to(ROOT))
    finally:
        os.chdir(cwd)


def test_golden_plan(plan, update_golden):
    """The golden plan was checked by hand against the circular, item by item."""
    got = plan.to_json()
    if update_golden:
        GOLDEN.write_text(got, encoding="utf-8")
    assert json.loads(got) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_plan_validates_against_published_schema(plan):
    schema = json.loads(plan_schema_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(plan.to_dict())


def test_every_item_of_both_parts(plan):
    parts = [p.title for p in plan.parts]
    assert parts == ["苏州市邮政管理局2022年工作目标任务分解方案", "2022年邮政业更贴近民生八件实事分工安排"]
    plan_items = [t for t in plan.tasks if t.part == parts[0]]
    minsheng = [t for t in plan.tasks if t.part == parts[1]]
    assert [t.number for t in plan_items] == [str(n) for n in range(1, 76)]
    assert len(minsheng) == 21
    assert [t.number for t in minsheng if t.section == "实施“快递进村”提升工程"] == ["1", "2", "3", "4"]


def test_repeated_section_numeral_is_one_warning(plan):
    assert [(w.code, w.line) for w in plan.warnings] == [("section-number-repeated", 78)]


def test_header(plan):
    assert plan.issuer == "苏州市邮政管理局"
    assert plan.date.isoformat() == "2022-03-31" and plan.year == 2022
    assert plan.recipients == ("各县级市邮政管理局", "机关各处室", "市邮政业安全发展中心", "市快递协会")
    assert plan.publication == "（此件公开发布）"


def test_list_without_units_is_content_and_plan_targets_belong_to_the_plan(plan):
    assert [i.number for i in plan.items] == [str(n) for n in range(1, 10)]
    assert (2_781_000_000, "件") in {(t.value, t.unit) for t in plan.targets}
    assert all(t.line == 18 for t in plan.targets)


def test_every_task_line_points_at_its_text(plan):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for t in plan.tasks:
        assert t.text[:10] in lines[t.line - 1], t.number


def test_profile_alias_and_mentions(plan):
    task = next(t for t in plan.tasks if t.number == "23")
    assert task.mentions == ("市级安全中心",)
    assert all(u.canonical is None for t in plan.tasks for u in t.departments)


def test_unknown_unit_warning_with_profile(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("1. 做好统计工作。（信息处牵头）\n2. 做好宣传工作。（局办公室牵头）\n", encoding="utf-8")
    plan = parse_file(path, PROFILE)
    assert [(w.code, w.line) for w in plan.warnings] == [("unknown-unit", 1)]
    assert plan.tasks[1].departments[0].canonical == "办公室"


def test_task_ids_survive_renumbering_and_insertions(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    revised = text.replace("13. 推动市政府出台", "13. 新增一项工作。（办公室牵头）\n14. 推动市政府出台")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text, encoding="utf-8")
    b.write_text(revised, encoding="utf-8")
    ids_a = {t.text: t.id for t in parse_file(a).tasks}
    ids_b = {t.text: t.id for t in parse_file(b).tasks}
    assert len(ids_b) == len(ids_a) + 1
    assert all(ids_b[text] == tid for text, tid in ids_a.items())


@pytest.mark.skipif(not (CORPUS / "gold").is_dir(), reason="the shared corpus is not beside the project")
def test_corpus_figures():
    """The goals of the parse issues (issue 17's), on the real circulars with hand-made gold annotations."""
    scorer = CORPUS.parent / "tools" / "score_corpus.py"
    cmd = f"{sys.executable} -m plandoc parse -q {{doc}}"
    out = subprocess.run([sys.executable, str(scorer), "--cmd", cmd], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    summary = out.strip().splitlines()[-1]
    figures = dict(part.strip().rsplit(" ", 1) for part in summary.split("|")[1:5])
    task_f1 = float(summary.split("F1 ")[1].split()[0])
    assert task_f1 >= 0.97, summary
    assert float(figures["unit F1"]) >= 0.95, summary
    assert float(figures["deadline acc"]) >= 0.95, summary
    assert float(summary.split("target R ")[1].split()[0]) >= 0.90, summary
    assert "false targets 0 " in summary and "crashed docs 0" in summary, summary
    # every office's circular, not the average one: no document left behind
    assert float(summary.split("doc-macro task F1 ")[1].split()[0]) >= 0.95, summary
    assert float(summary.split("lowest doc F1 ")[1].split()[0]) >= 0.8, summary
