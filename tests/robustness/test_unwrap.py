"""parser/unwrap.py: lines a hard wrap broke are joined again, and only those."""
from __future__ import annotations

import io
import shutil

import pytest

from parser import parse_file, parse_text
from parser.errors import RuleFileError
from parser.rules import DATA_DIR
from parser.sources import Line
from parser.unwrap import display_columns, find_width, join_wrapped, load_wrap_rules

from ..conftest import SAMPLE
from . import measure
from .ways import WRAP_WIDTHS, wrap

corpus_needed = pytest.mark.skipif(not measure.available(), reason="the shared corpus is not beside the project")


def _lines(text: str) -> list[Line]:
    return [Line(i, t) for i, t in enumerate(text.split("\n"), 1)]


def test_the_sample_as_printed_is_not_wrapped(rules):
    lines = _lines(SAMPLE.read_text(encoding="utf-8"))
    assert join_wrapped(lines, rules) == (lines, {})


@corpus_needed
def test_no_corpus_document_as_printed_is_wrapped(rules):
    joined = [d.name for d in measure.corpus() if join_wrapped(_lines(d.text), rules)[1]]
    assert joined == []


@corpus_needed
@pytest.mark.parametrize("width", WRAP_WIDTHS)
def test_wrapped_corpus_lines_are_joined_back(rules, width):
    """Nearly every line of every document comes back as printed: the few that do not are
    lines that end exactly at the width, where only the next line can tell (see wraps.toml)."""
    total = restored = 0
    for doc in measure.corpus():
        printed = [t for t in doc.text.split("\n") if t.strip()]
        joined, _ = join_wrapped(_lines(wrap(doc.text, width)), rules)
        got = {line.text for line in joined}
        total += len(printed)
        restored += sum(1 for t in printed if t in got)
    assert restored >= 0.98 * total, f"{restored} of {total} lines restored at {width}"


def test_a_wrapped_line_keeps_the_source_line_of_each_character(rules):
    text = "1.深入推进政策解读，创新解读形式，注重以图表解读等形式进行解读。（综合科负责）\n"
    joined, joins = join_wrapped(_lines(wrap(text * 4, 15)), rules)
    assert [line.text for line in joined if line.text] == [text.strip()] * 4
    first = joins[1]
    assert first.line_at(0) == 1 and first.line_at(text.index("图表")) == 2 and first.line_at(len(text) - 2) == 3


def test_a_task_joined_from_wrapped_lines_says_so(rules):
    """A task whose text a wrap broke carries `joined-lines` evidence quoting its first line;
    a task on one line of a wrapped page carries none."""
    src = "\n".join(["1.深入推进政策解读，创新解读形式，注重以图", "表解读等形式进行解读。（综合科负责）",
                     "2.注重回应关切。（办公室负责）", "3.加强重点领域信息公开工作。注重政务服务办",
                     "理流程、办理结果等信息发布。（各科室负责）"])
    tasks = parse_text(src).tasks
    assert [[(e.rule, e.text, e.line) for e in t.evidence] for t in tasks] == [
        [("joined-lines", "深入推进政策解读，创新解读形式，注重以图", 1)], [],
        [("joined-lines", "加强重点领域信息公开工作。注重政务服务办", 4)]]


def test_the_numbering_and_labels_begin_lines_of_their_own(rules):
    """At the width, 2. after item 1 begins item 2, and 牵头单位： under an item is its own line;
    inside a paragraph of items run together, they are cut like any other word."""
    listed = ["1.加强行业监管工作推进邮快合作", "2.完善末端服务网络建设快递驿站", "牵头单位：市场监管处",
              "3.深化寄递渠道安全治理专项行动", "。"]
    joined, _ = join_wrapped(_lines("\n".join(listed)), rules)
    assert [line.text for line in joined] == listed[:3] + ["3.深化寄递渠道安全治理专项行动。"]
    run = "项目共有三项任务，现予公示。 1.新建充电桩三百五十个。 牵头单位：市发改局 2.建设驿站。 牵头单位：消防大队"
    joined, _ = join_wrapped(_lines("\n".join([wrap(run, 15)] * 3)), rules)
    assert [line.text for line in joined] == [run] * 3


def test_table_rows_at_the_width_end_with_their_bar(rules):
    rows = ["重点任务 | 工作内容 | 负责科室 |", "政策解读 | 对政策文件进行全面解读，创新解读形式 | 综合科 |",
            "回应关切 | 对群众普遍关注的热点问题及时回应 | 各科室 |", "信息公开 | 及时发布财政预决算和部门项目信息 | 综合科 |"]
    width = len(rows[0])
    joined, _ = join_wrapped(_lines(wrap("\n".join(rows), width)), rules)
    assert [line.text for line in joined] == rows


def test_real_cells_are_never_joined(rules):
    row = Line(2, "序号 | 工作任务 | 责任处室 | 完成时限 | 备注 | 其他 |", ("序号", "工作任务", "责任处室", "完成时限", "备注", "其他"))
    lines = [Line(1, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十")] * 4 + [row]
    joined, _ = join_wrapped(lines, rules)
    assert joined[-1] is row


def test_without_a_width_only_an_open_bracket_or_a_lost_indent_joins(rules):
    """Too few lines wrapped to tell a width: a line ending with an opening bracket goes on, and
    on a page of indented lines an unindented one continues the line above, unless that line
    ended its sentence or the next begins an item."""
    more = [f"　　{n}.做好第{n}项工作。" for n in range(6, 18)]
    texts = ["　　1.整治沿街占道经营（", "牵头单位：城管局）", "　　2.清理背街小巷卫生死角，垃圾堆", "放点位", "　　3.修复破损路面。",
             "4.规范共享单车停放", "　　5.治理噪声扰民。", "另行部署。", *more]
    joined, joins = join_wrapped(_lines("\n".join(texts)), rules)
    assert [l.text for l in joined] == ["　　1.整治沿街占道经营（牵头单位：城管局）", "　　2.清理背街小巷卫生死角，垃圾堆放点位",
                                        "　　3.修复破损路面。", "4.规范共享单车停放", "　　5.治理噪声扰民。", "另行部署。", *more]
    assert joins[3].line_at(joins[3].text.index("放点位")) == 4
    # a page of unindented lines gives no such joins
    plain = [t.lstrip("　") for t in texts[2:]]
    assert [l.text for l in join_wrapped(_lines("\n".join(plain)), rules)[0]] == plain


def test_a_width_is_found_in_characters_or_in_columns():
    wraps = load_wrap_rules()
    chars = ["第1项工作推进邮快合作建设驿站网点"] * 5 + ["短"]
    assert find_width(chars, wraps).columns is False
    # a mail client fills 40 columns: a line with half-width digits holds more characters, and
    # a line whose next character was wide ends a column short
    columns = ["加强行业监管推进邮快合作建设驿站网点工作", "新建15个绿色网点和30个驿站推进合作建设站", "加强行业监管推进邮快合作建设驿站网点好5"] * 3
    assert [display_columns(t) for t in columns[:3]] == [40, 40, 39]
    width = find_width(columns, wraps)
    assert width.columns is True and width.size == 40 and all(width.reached(Line(1, t)) for t in columns)


def test_wrap_rules_are_checked(tmp_path):
    for name in ("wraps.toml",):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / "wraps.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("min_width =", "min_widht ="), encoding="utf-8")
    with pytest.raises(RuleFileError, match="wraps.toml: width.min_width: missing"):
        load_wrap_rules(tmp_path)


@corpus_needed
def test_a_docx_of_wrapped_paragraphs_reads_as_the_wrapped_text(tmp_path):
    """The join is made on the lines whatever file they came from: a .docx whose paragraphs
    are the lines of a PDF's text gives the tasks of that text."""
    import docx

    doc = next(d for d in measure.corpus() if d.name == "anshan-gov-report-2024")
    wrapped = wrap(doc.text, 31)
    document = docx.Document()
    for line in wrapped.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "anshan.docx"
    path.write_bytes(buffer.getvalue())

    def shape(plan):
        return [(t.number, t.text, t.departments) for t in plan.tasks]

    from_docx, from_text = shape(parse_file(path)), shape(parse_text(wrapped, "anshan.txt"))
    assert from_docx == from_text and len(from_text) == len(doc.gold["tasks"])
