"""plandoc diff on revised versions of the sample, made here: each change found exactly, the
right tasks, kinds, aspects and units, and nothing for what was untouched or merely renumbered."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parser import parse_text
from plandoc.cli import main
from plandoc.diff import diff

from .conftest import SAMPLE

TEXT = SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def base():
    return parse_text(TEXT, "suzhou-post-2022.txt")


def revised(*edits: tuple[str, str]):
    text = TEXT
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_text(text, "revised.txt")


def summary(d):
    return [(c.kind, (c.new or c.old).number, c.aspects) for c in d.changes]


def test_the_same_plan_has_no_change(base):
    d = diff(base, base)
    assert d.empty and d.renumbered == () and d.unchanged == 96


def test_an_item_reassigned_to_another_unit(base):
    d = diff(base, revised(("出台《苏州市建设快递强市实施方案》。（市场监管处牵头）", "出台《苏州市建设快递强市实施方案》。（普遍服务处牵头）")))
    assert summary(d) == [("changed", "13", ("units",))]
    assert d.changes[0].details["units"] == {"added": [{"name": "普遍服务处", "role": "lead"}],
                                             "removed": [{"name": "市场监管处", "role": "lead"}], "role_changed": []}
    assert d.changes[0].units_concerned == ("市场监管处", "普遍服务处")
    assert d.unchanged == 95


def test_a_role_changed(base):
    d = diff(base, revised(("（普遍服务处、市场监管处按职责分工负责）", "（普遍服务处牵头，市场监管处配合）")))
    assert summary(d) == [("changed", "18", ("units",))]
    assert d.changes[0].details["units"]["role_changed"] == [
        {"name": "普遍服务处", "old": "responsible", "new": "lead"},
        {"name": "市场监管处", "old": "responsible", "new": "support"}]


def test_a_target_raised_is_one_change_not_a_removal_and_an_addition(base):
    d = diff(base, revised(("新建15个绿色网点", "新建20个绿色网点")))
    assert summary(d) == [("changed", "43", ("targets",))]
    target = d.changes[0].details["targets"][0]
    assert (target["indicator"], target["old"], target["new"], target["change"]) == ("绿色网点", 15, 20, "raised")
    assert d.changes[0].new.id == d.changes[0].old.id


def test_an_item_deleted(base):
    d = diff(base, revised(("13. 推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）\n", "")))
    assert summary(d) == [("removed", "13", ())]
    assert d.changes[0].units_concerned == ("市场监管处",)


def test_an_item_inserted_at_the_top_of_a_section_renumbers_what_follows_and_that_is_no_change(base):
    lines = TEXT.split("\n")
    out, inserted = [], False
    import re
    for line in lines:
        m = re.match(r"^(\d+)\. ", line)
        if m and int(m.group(1)) >= 11 and int(m.group(1)) <= 75 and "工作目标任务分解方案" not in line:
            n = int(m.group(1))
            if n == 11 and not inserted:
                out.append("11. 开展快递末端网点备案核查。（市场监管处牵头）")
                inserted = True
            line = f"{n + 1}. " + line[m.end():]
        out.append(line)
    d = diff(base, parse_text("\n".join(out), "inserted.txt"))
    assert summary(d) == [("added", "11", ())]
    assert len(d.renumbered) == 65 and d.unchanged == 96 - 65
    assert all(int(b.number) == int(a.number) + 1 for a, b in d.renumbered)


def test_a_section_moved_whole_changes_no_task(base):
    start = TEXT.index("二、深化政策赋能")
    end = TEXT.index("三、深化协同发展")
    after = TEXT.index("四、", end)
    moved = TEXT[:start] + TEXT[end:after] + TEXT[start:end] + TEXT[after:]
    d = diff(base, parse_text(moved, "moved.txt"))
    assert d.changes == () and d.unchanged + len(d.renumbered) == 96


def test_an_item_moved_to_another_section(base):
    item = "13. 推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）\n"
    text = TEXT.replace(item, "", 1)
    at = text.index("16. ")
    d = diff(base, parse_text(text[:at] + item + text[at:], "moved.txt"))
    assert summary(d) == [("changed", "13", ("section",))]
    assert (d.changes[0].details["section"]["old"], d.changes[0].details["section"]["new"]) == ("深化政策赋能", "深化协同发展")


def test_a_polished_sentence_is_a_change_of_text_with_the_changes_marked(base):
    d = diff(base, revised(("深入学习宣传贯彻党的十九届六中全会", "认真学习宣传贯彻党的十九届六中全会")))
    assert summary(d) == [("changed", "2", ("text",))]
    assert "〔-深入-〕〔+认真+〕学习宣传贯彻" in d.changes[0].details["text"]["marked"]


def test_a_deadline_moved_earlier(base):
    d = diff(base, revised(("推动吴江区成立邮政管理机构，力争年内挂牌", "推动吴江区成立邮政管理机构，力争9月底前挂牌")))
    assert summary(d) == [("changed", "66", ("deadline",))]
    moved = d.changes[0].details["deadline"]
    assert (moved["old_date"], moved["new_date"], moved["moved"]) == ("2022-12-31", "2022-09-30", "earlier")


def test_the_command_json_and_exit_codes(runner, tmp_path):
    new = tmp_path / "new.txt"
    new.write_text(TEXT.replace("新建15个绿色网点", "新建20个绿色网点", 1), encoding="utf-8")
    result = runner.invoke(main, ["diff", str(SAMPLE), str(new), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"changes", "renumbered", "unchanged"}
    change = data["changes"][0]
    assert (change["kind"], change["aspects"], change["units_concerned"]) == ("changed", ["targets"], ["市场监管处"])
    assert change["old"]["targets"][0]["value"] == 15 and change["new"]["targets"][0]["value"] == 20
    assert change["id"] == change["old"]["id"] == change["new"]["id"]
    table = runner.invoke(main, ["diff", str(SAMPLE), str(new)])
    assert table.exit_code == 1 and "target: 绿色网点 15 → 20 (raised)" in table.stdout
    same = runner.invoke(main, ["diff", str(SAMPLE), str(SAMPLE)])
    assert same.exit_code == 0 and same.stdout.startswith("0 changes, 0 renumbered, 96 unchanged")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    bad = runner.invoke(main, ["diff", str(SAMPLE), str(empty)])
    assert bad.exit_code == 2 and "is empty" in bad.stderr and "Traceback" not in bad.output


EDITS = [("新建15个绿色网点", "新建20个绿色网点"), ("（市场监管处牵头）", "（普遍服务处牵头）"),
         ("深入学习", "认真学习"), ("13. 推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）\n", ""),
         ("年内", "6月底前"), ("（办公室牵头）", "（办公室牵头，普遍服务处配合）")]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(EDITS), max_size=4))
def test_diff_is_empty_for_itself_and_mirrors_itself(base, edits):
    text = TEXT
    for old, new in edits:
        text = text.replace(old, new, 1)
    other = parse_text(text, "other.txt")
    assert diff(other, other).empty
    forth, back = diff(base, other), diff(other, base)
    mirror = {"added": "removed", "removed": "added", "changed": "changed"}
    assert sorted((mirror[c.kind], c.aspects) for c in forth.changes) == sorted((c.kind, c.aspects) for c in back.changes)
    assert len(forth.renumbered) == len(back.renumbered) and forth.unchanged == back.unchanged


def test_two_parts_made_inconsistent_warn_naming_both_lines():
    first = TEXT.index("新建15个绿色网点")
    second = TEXT.index("新建15个绿色网点", first + 1)
    text = TEXT[:second] + "新建20个绿色网点" + TEXT[second + len("新建15个绿色网点"):]
    plan = parse_text(text, "inconsistent.txt")
    notes = [(w.code, w.line, w.message) for w in plan.warnings if w.code.startswith("inconsistent")]
    line_a = TEXT[:first].count("\n") + 1
    line_b = TEXT[:second].count("\n") + 1
    assert notes == [("inconsistent-target", line_b,
                      f"绿色网点: “力争年内新建20个绿色网点” here, but “力争年内新建15个绿色网点” at line {line_a} "
                      "for the same work")]


def test_the_sample_itself_is_consistent(base):
    assert not [w for w in base.warnings if w.code.startswith("inconsistent")]


def test_a_deadline_that_disagrees_between_parts():
    plan = parse_text("苏州市邮政管理局关于印发2022年工作方案的通知\n苏州市邮政管理局2022年工作目标任务分解方案\n"
                      "1.推进快递物流园区和分拨中心建设，建成市级快递物流园区，年内完成。（市场监管处牵头）\n"
                      "2022年民生实事项目\n"
                      "1.推进快递物流园区和分拨中心建设，建成市级快递物流园区，6月底前完成。（市场监管处负责）\n", "d.txt")
    assert [(w.code, w.line) for w in plan.warnings if w.code.startswith("inconsistent")] == [
        ("inconsistent-deadline", 5)]


def test_change_notices_say_what_changed_for_each_unit(runner, tmp_path, font_cache):
    """Item 13 moves from 市场监管处 to 普遍服务处 and a target is raised in both parts: each unit
    concerned gets a notice, in DOCX and PDF, that says the same."""
    import docx
    import pdfplumber

    from .conftest import PROFILE
    new = tmp_path / "revised.txt"
    new.write_text(TEXT.replace("出台《苏州市建设快递强市实施方案》。（市场监管处牵头）", "出台《苏州市建设快递强市实施方案》。（普遍服务处牵头）")
                   .replace("新建15个绿色网点", "新建20个绿色网点"), encoding="utf-8")
    out = tmp_path / "notices"
    result = runner.invoke(main, ["diff", str(SAMPLE), str(new), "--profile", str(PROFILE), "--notices", str(out)])
    assert result.exit_code == 1, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.*")) == [
        "notices.json",                 # what was written, so that a notice edited by hand is kept
        "市场监管处/任务调整通知.docx", "市场监管处/任务调整通知.pdf", "普遍服务处/任务调整通知.docx", "普遍服务处/任务调整通知.pdf"]

    def docx_text(unit):
        d = docx.Document(str(out / unit / "任务调整通知.docx"))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)

    def pdf_text(unit):
        """The pages' text, then that of each page's left half and right half: the before and
        after columns of the table, each read as a whole."""
        with pdfplumber.open(out / unit / "任务调整通知.pdf") as pdf:
            parts = [p for page in pdf.pages for p in (page, page.crop((0, 0, page.width / 2, page.height)),
                                                        page.crop((page.width / 2, 0, page.width, page.height)))]
            return "".join((p.extract_text() or "").replace("\n", "") for p in parts)

    for text in (docx_text("普遍服务处"), pdf_text("普遍服务处")):
        squeezed = text.replace("\n", "")
        assert "普遍服务处：" in squeezed and "新增1项、不再承担0项、调整0项" in squeezed
        assert "一、新增任务" in squeezed and "推动市政府出台《苏州市建设快递强市实施方案》" in squeezed
        assert "不再承担的任务" not in squeezed
    for text in (docx_text("市场监管处"), pdf_text("市场监管处")):
        squeezed = text.replace("\n", "")
        assert "新增0项、不再承担1项、调整2项" in squeezed
        assert "一、不再承担的任务" in squeezed and "二、调整的任务" in squeezed
        assert "调整内容：量化指标" in squeezed and "调整前" in squeezed and "调整后" in squeezed
        assert "力争年内新建15个绿色网点" in squeezed and "力争年内新建20个绿色网点" in squeezed
        assert "分解方案第43项" in squeezed and "民生实事六.2" in squeezed
