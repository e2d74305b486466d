"""Reading every kind of input, and refusing what cannot be read with one clear line (exit 2)."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest

from parser import parse_file
from plandoc.cli import main
from parser.errors import SourceError
from parser.sources import read_document

from .conftest import SAMPLE

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


def _parse_written(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path)


def _task_summary(plan):
    return [(t.number, t.text, [(u.name, u.role) for u in t.departments]) for t in plan.tasks]


@pytest.fixture(scope="module")
def reference():
    return _task_summary(parse_file(SAMPLE))


@pytest.mark.parametrize("encoding,newline,bom", [
    ("utf-8", "\n", False), ("utf-8", "\r\n", True), ("gb18030", "\r\n", False), ("gbk", "\n", False),
])
def test_text_encodings_and_newlines(tmp_path, reference, encoding, newline, bom):
    path = tmp_path / "plan.txt"
    data = SAMPLE_TEXT.replace("\n", newline).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    plan = parse_file(path)
    assert plan.source.encoding.startswith("utf-8" if encoding == "utf-8" else "gb18030")
    assert _task_summary(plan) == reference


def test_full_width_spaces_blank_lines_and_broken_lines(tmp_path):
    text = ("一、深化党建引领\n\n"
            "1.\u3000坚持党组会议“第一议题”制度，讨论决策重大事项前学习领会习近平总书记有关重要\n"
            "论述。（办公室牵头）\n\n\n"
            "2. 深入学习宣传贯彻党的十九届六中全会、党的二十大精神。\n（办公室牵头）\n")
    plan = _parse_written(tmp_path, "web-copy.txt", text)
    assert [(t.number, t.line, t.departments[0].name) for t in plan.tasks] == [("1", 3, "办公室"), ("2", 7, "办公室")]
    assert plan.tasks[0].text.endswith("有关重要论述。")
    assert plan.tasks[0].section == "深化党建引领"


def _docx_bytes(paragraphs, table_rows):
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    table = d.add_table(rows=len(table_rows), cols=len(table_rows[0]))
    for r, row in enumerate(table_rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("3. 做好“两会”建议提案办理工作。（办公室牵头）")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_task_table(tmp_path):
    rows = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
            ["1", "推动市政府出台《苏州市建设快递强市实施方案》", "市场监管处", "办公室、普遍服务处", "6月底前"],
            ["2", "力争年内新建15个绿色网点", "市场监管处", "", "年内"]]
    path = tmp_path / "plan.docx"
    path.write_bytes(_docx_bytes(["苏州市邮政管理局关于印发2022年工作要点的通知", "各处室："], rows))
    plan = parse_file(path)
    assert plan.source.format == "docx"
    assert plan.title == "苏州市邮政管理局关于印发2022年工作要点的通知"
    got = [(t.number, t.text, [(u.name, u.role) for u in t.departments],
            t.deadline and t.deadline.date.isoformat(), t.line) for t in plan.tasks]
    assert got == [
        ("1", "推动市政府出台《苏州市建设快递强市实施方案》",
         [("市场监管处", "lead"), ("办公室", "support"), ("普遍服务处", "support")], "2022-06-30", 4),  # line 3 is the header row
        ("2", "力争年内新建15个绿色网点", [("市场监管处", "lead")], "2022-12-31", 5),
        ("3", "做好“两会”建议提案办理工作。", [("办公室", "lead")], None, 6),
    ]
    assert [(g.value, g.unit) for g in plan.tasks[1].targets] == [(15, "个")]


HTML = """<!DOCTYPE html><html><head><title>苏州市邮政管理局关于印发2022年工作目标任务分解方案的通知</title>
<script>var nav = "1. 首页（办公室牵头）";</script><style>.x{}</style></head><body>
<div class="nav"><ul><li>首页</li><li>政务公开</li></ul></div>
<div id="zoom" class="article-content">
<p>苏州市邮政管理局关于印发2022年工作目标任务分解方案的通知</p>
<p>一、深化党建引领</p>
<p>1. 坚持党组会议“第一议题”制度，讨论决策重大事项前学习领会习近平总书记有关重要论述。（办公室牵头）</p>
<p>2. 推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）</p>
<p>3. 力争年内新建15个绿色网点、1个绿色分拨中心。（市场监管处牵头）</p>
</div>
<div class="footer">版权所有 苏州市邮政管理局 1. 网站地图（办公室牵头）</div>
</body></html>"""


def test_html_article_without_navigation_scripts_footer(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    plan = parse_file(path)
    assert plan.source.format == "html"
    assert [(t.number, t.departments[0].name) for t in plan.tasks] == [("1", "办公室"), ("2", "市场监管处"), ("3", "市场监管处")]
    assert all("首页" not in t.text and "网站地图" not in t.text for t in plan.tasks)
    lines = read_document(path).lines
    assert all(lines[t.line - 1].text.find(t.text[:10]) >= 0 for t in plan.tasks)


def _broken_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<not really>")
    return buf.getvalue()


BAD_INPUTS = [
    pytest.param("empty.txt", b"", "empty", id="empty"),
    pytest.param("blank.txt", b"  \n\r\n \t", "empty", id="whitespace-only"),
    pytest.param("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary", id="binary"),
    pytest.param("plan.docx", _broken_docx(), "not a readable .docx", id="broken-docx"),
    pytest.param("plan.docx", b"PK\x03\x04 truncated", "not a readable .docx", id="truncated-docx"),
    pytest.param("plan.rtf", "一、总体要求\n".encode(), "unsupported kind", id="unsupported-suffix"),
    pytest.param("plan.pdf", "一、总体要求\n".encode(), "not a readable PDF", id="pdf-not-pdf"),
]


@pytest.mark.parametrize("name,data,message", BAD_INPUTS)
def test_bad_input_raises_source_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceError, match=message):
        parse_file(path)


@pytest.mark.parametrize("name,data,message", BAD_INPUTS)
def test_bad_input_cli_one_line_exit_2(tmp_path, runner, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(main, ["parse", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_clause_fields_on_lines_of_their_own(tmp_path):
    text = ("二、主要任务\n"
            "1.加快村级综合寄递服务站建设，推进服务站全覆盖。\n"
            "牵头单位：商务局\n"
            "配合单位：交通运输局、供销社\n"
            "完成时限：2024年10月底前\n"
            "2.加大政策扶持力度（商务局牵头，各乡镇配合，9月底前完成）\n")
    plan = _parse_written(tmp_path, "fields.txt", text)
    got = [(t.number, [(u.name, u.role) for u in t.departments], t.deadline.text, t.deadline.date.isoformat())
           for t in plan.tasks]
    assert got == [
        ("1", [("商务局", "lead"), ("交通运输局", "support"), ("供销社", "support")], "2024年10月底前", "2024-10-31"),
        ("2", [("商务局", "lead"), ("各乡镇", "support")], "9月底前", "2024-09-30"),
    ]


def test_docx_automatic_numbering_keeps_the_numerals(tmp_path):
    d = docx.Document()
    d.add_paragraph("一、深化党建引领")
    d.add_paragraph("坚持党组会议“第一议题”制度。（办公室牵头）", style="List Number")
    d.add_paragraph("推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）", style="List Number")
    path = tmp_path / "numbered.docx"
    d.save(path)
    plan = parse_file(path)
    assert [(t.number, t.section, t.departments[0].name, t.line) for t in plan.tasks] == [
        ("1", "深化党建引领", "办公室", 2), ("2", "深化党建引领", "市场监管处", 3)]


def test_html_task_table(tmp_path):
    page = """<html><body><div class="content"><h1>2016年民生实事目标任务分解表</h1>
    <table><tr><th>序号</th><th>民生实事</th><th>责任单位</th><th>完成时限</th></tr>
    <tr><td>1</td><td>新建2座人行天桥。</td><td>县住建局</td><td>9月投入使用</td></tr>
    <tr><td>2</td><td>完成棚户区改造2836户。</td><td>县住建局、县财政局</td><td>12月底前</td></tr>
    </table><p>大竹县人民政府办公室 2016年2月26日 关于民生实事督办的说明，共计两项任务，由各单位认真落实。</p></div>
    <div class="footer">网站地图</div></body></html>"""
    plan = _parse_written(tmp_path, "table.html", page)
    got = [(t.number, t.text, [u.name for u in t.departments], t.deadline.date.isoformat(),
            [(g.value, g.unit) for g in t.targets], t.line) for t in plan.tasks]
    assert got == [("1", "新建2座人行天桥。", ["县住建局"], "2016-09-30", [(2, "座")], 3),
                   ("2", "完成棚户区改造2836户。", ["县住建局", "县财政局"], "2016-12-31", [(2836, "户")], 4)]


def test_full_width_pipe_table_keeps_original_text(tmp_path):
    text = "二、重點工作任務分解\n重點任務｜工作內容｜負責科室｜\n財政資金｜及時發佈財政預決算。｜綜合科｜\n"
    plan = _parse_written(tmp_path, "trad.txt", text)
    assert [(t.text, t.departments[0].name, t.section) for t in plan.tasks] == [
        ("財政資金｜及時發佈財政預決算。", "綜合科", "重點工作任務分解")]


# --- PDF and .doc ------------------------------------------------------------------------------

def _summary_with_values(plan):
    return [(t.number, t.text, [(u.name, u.role) for u in t.departments], t.deadline and t.deadline.date,
             [(x.value, x.unit) for x in t.targets]) for t in plan.tasks]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    """The sample printed to a PDF by WeasyPrint: A4, lines wrapped by the layout."""
    import html

    import weasyprint
    body = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>" for line in SAMPLE_TEXT.splitlines())
    page = ("<html><head><style>@page { size: A4; margin: 25mm } p { margin: 0; "
            "font: 12pt 'Noto Serif CJK SC', serif }</style></head><body>" + body + "</body></html>")
    path = tmp_path_factory.mktemp("pdf") / "suzhou-post-2022.pdf"
    weasyprint.HTML(string=page).write_pdf(path)
    return path


def test_a_pdf_of_the_sample_gives_the_same_96_tasks(sample_pdf):
    got, want = parse_file(sample_pdf), parse_file(SAMPLE)
    assert got.source.format == "pdf" and len(want.tasks) == 96
    assert _summary_with_values(got) == _summary_with_values(want)
    assert (got.title, got.issuer, got.date) == (want.title, want.issuer, want.date)
    # the layout wrapped most items; the lines were joined where they ran to the margin
    lines = [line.text for line in read_document(sample_pdf).lines]
    assert all(t.text[:8] in lines[t.line - 1] for t in got.tasks)


def test_a_pdf_without_a_text_layer_says_so(tmp_path, runner):
    import weasyprint
    path = tmp_path / "scan.pdf"
    weasyprint.HTML(string="<div style='width:50mm;height:50mm;background:#888'></div>").write_pdf(path)
    result = runner.invoke(main, ["parse", str(path)])
    assert result.exit_code == 2
    assert "no text layer (a scan?)" in result.stderr and "Traceback" not in result.output


@pytest.mark.skipif(not (__import__("shutil").which("soffice") or __import__("shutil").which("libreoffice")),
                    reason="LibreOffice is not installed (Debian package libreoffice-writer-nogui)")
def test_a_doc_file_is_read_through_libreoffice(tmp_path):
    """A .docx of the sample saved as Word 97-2003 .doc by LibreOffice reads as the .docx does."""
    import shutil
    import subprocess
    d = docx.Document()
    for line in SAMPLE_TEXT.splitlines():
        d.add_paragraph(line)
    source = tmp_path / "sample.docx"
    d.save(str(source))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "doc", "--outdir", str(tmp_path / "out"), str(source)],
                   capture_output=True, timeout=180, check=True)
    doc = parse_file(tmp_path / "out" / "sample.doc")
    assert doc.source.format == "doc"
    assert _summary_with_values(doc) == _summary_with_values(parse_file(source))
    assert len(doc.tasks) == 96


def test_a_doc_file_without_libreoffice_names_the_package(tmp_path, runner, monkeypatch):
    import shutil
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    result = runner.invoke(main, ["parse", str(path)])
    assert result.exit_code == 2 and "libreoffice-writer-nogui" in result.stderr


def test_several_circulars_one_plan_each(tmp_path, runner):
    other = tmp_path / "a" / "suzhou-post-2022.txt"
    other.parent.mkdir()
    other.write_text(SAMPLE_TEXT, encoding="utf-8")
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    out = tmp_path / "plans"
    result = runner.invoke(main, ["parse", str(SAMPLE), str(other), str(bad), "-o", str(out), "-q"])
    assert result.exit_code == 2 and "1 of 3 circulars could not be read" in result.stderr
    assert "empty.txt: the file is empty" in result.stderr
    # beside the plans, only parse's hidden record of what it wrote (to tell a hand edit later)
    assert sorted(p.name for p in out.iterdir()) == [".plandoc-parse.json", "suzhou-post-2022-2.json",
                                                     "suzhou-post-2022.json"]
    result = runner.invoke(main, ["parse", str(SAMPLE), str(other)])
    assert result.exit_code == 2 and "several circulars need -o FOLDER" in result.stderr


# --- damaged inputs: mended and warned of, never a traceback -------------------------------------

def test_a_bad_byte_after_a_bom_is_mended_and_warned_of(tmp_path, runner):
    data = SAMPLE.read_bytes()
    cut = data.index("13. 推动".encode())
    path = tmp_path / "damaged.txt"
    path.write_bytes(b"\xef\xbb\xbf" + data[:cut] + b"\xff" + data[cut:] + b"\xe4\xb8")   # and a cut character
    result = runner.invoke(main, ["parse", str(path), "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "96 tasks" in result.stdout
    line = data[:cut].count(b"\n") + 1
    assert f"{path}:{line}: 2 byte sequence(s) on 2 line(s) are not valid utf-8-sig" in result.stderr


def test_a_few_bad_bytes_without_a_bom_are_mended_too(tmp_path):
    data = SAMPLE.read_bytes()
    path = tmp_path / "damaged.txt"
    path.write_bytes(data + b"\xe4\xb8")           # the file ends inside a character
    plan = parse_file(path)
    assert len(plan.tasks) == 96 and plan.source.encoding == "utf-8"
    assert [w.code for w in plan.warnings if w.code == "undecodable-bytes"] == ["undecodable-bytes"]


def test_control_characters_are_spaces(tmp_path):
    path = tmp_path / "vt.txt"
    path.write_text("苏州市邮政管理局关于印发\v工作方案的通知\n1.做好统计\x0c工作。（办公室牵头）\n", encoding="utf-8")
    plan = parse_file(path)
    assert plan.title == "苏州市邮政管理局关于印发 工作方案的通知"
    assert plan.tasks[0].text == "做好统计 工作。"


def _with_numbering(tmp_path, numbering_xml: bytes, paragraphs: int):
    """A .docx whose paragraphs all use list 1, with numbering.xml replaced."""
    d = docx.Document()
    for n in range(paragraphs):
        d.add_paragraph(f"做好第{n + 1}项工作。（办公室牵头）", style="List Number")
    raw = io.BytesIO()
    d.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/numbering.xml":
                num = data[data.index(b"<w:num "):data.index(b"</w:numbering>")]
                data = numbering_xml.replace(b"<!--NUMS-->", num)
            dst.writestr(item, data)
    path = tmp_path / "numbered.docx"
    path.write_bytes(out.getvalue())
    return path


NUMBERING = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">%s'
             b'<!--NUMS--></w:numbering>')


def _abstract(*levels: bytes) -> bytes:
    return b"".join(b'<w:abstractNum w:abstractNumId="%d">%s</w:abstractNum>' % (n, lvl)
                    for n in range(0, 12) for lvl in levels)


@pytest.mark.parametrize("level", [
    b'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1\xe3\x80\x81"/></w:lvl>',
    b'<w:lvl w:ilvl="abc"><w:start w:val="x"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>',
    b'<w:lvl w:ilvl="20"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>',
    b'<w:lvl w:ilvl="0"><w:start w:val="99999999999999999999"/><w:numFmt/><w:lvlText/></w:lvl>',
], ids=["chinese-past-100", "ilvl-abc-start-x", "level-20", "no-values"])
def test_automatic_numbering_of_any_shape_never_crashes(tmp_path, level):
    plan = parse_file(_with_numbering(tmp_path, NUMBERING % _abstract(level), 105))
    assert len(plan.tasks) == 105          # every item read: numbered where the list can say how
    numbers = [t.number for t in plan.tasks]
    if b"chineseCounting" in level:
        assert numbers[98:101] == ["九十九", "100", "101"]
    else:
        assert set(numbers) == {None}         # a level Word would not show, or no text to show


# what the table with merged cells below says, read as it shows, whether a .docx or a web page
MERGED_TABLE_UNITS = [("1", [("市城管局", "lead"), ("各区政府", "support")]),
                      ("2", [("市城管局", "lead"), ("市公安局", "support")]),
                      ("3", [("市住建局", "lead"), ("各区政府", "support")])]


def units_by_task(plan) -> list:
    return [(x.number, [(u.name, u.role) for u in x.departments]) for x in plan.tasks]


def test_a_docx_table_with_merged_cells_reads_as_it_shows(tmp_path):
    """A two-row header (责任单位 over 牵头单位 | 配合单位, 序号 merged down) and a unit cell merged
    down over a group of rows: every row gets the units the table shows it."""
    d = docx.Document()
    t = d.add_table(rows=5, cols=5)
    head = ["序号", "工作任务", "责任单位", "", "完成时限"]
    for i, text in enumerate(head):
        t.cell(0, i).text = text
    t.cell(0, 2).merge(t.cell(0, 3)).text = "责任单位"
    for i in (0, 1, 4):
        t.cell(0, i).merge(t.cell(1, i))
    t.cell(1, 2).text, t.cell(1, 3).text = "牵头单位", "配合单位"
    rows = [("1", "建成10个口袋公园", "市城管局", "各区政府", "6月底前"),
            ("2", "新增停车位2000个", "", "市公安局", "年内"),
            ("3", "改造老旧小区30个", "市住建局", "各区政府", "年内")]
    for r, row in enumerate(rows, 2):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    t.cell(2, 2).merge(t.cell(3, 2))                      # 市城管局 leads rows 1 and 2
    path = tmp_path / "merged.docx"
    d.save(path)
    assert units_by_task(parse_file(path)) == MERGED_TABLE_UNITS


def test_an_html_table_with_rowspan_and_colspan_reads_as_it_shows(tmp_path):
    page = """<html><body><div class="content"><table>
    <tr><th rowspan="2">序号</th><th rowspan="2">工作任务</th><th colspan="2">责任单位</th><th rowspan="2">完成时限</th></tr>
    <tr><th>牵头单位</th><th>配合单位</th></tr>
    <tr><td>1</td><td>建成10个口袋公园</td><td rowspan="2">市城管局</td><td>各区政府</td><td>6月底前</td></tr>
    <tr><td>2</td><td>新增停车位2000个</td><td>市公安局</td><td>年内</td></tr>
    <tr><td>3</td><td>改造老旧小区30个</td><td>市住建局</td><td>各区政府</td><td>年内</td></tr>
    </table></div></body></html>"""
    path = tmp_path / "merged.html"
    path.write_text(page, encoding="utf-8")
    assert units_by_task(parse_file(path)) == MERGED_TABLE_UNITS


def test_a_bad_byte_in_a_web_page_is_warned_of_too(tmp_path):
    path = tmp_path / "page.html"
    page = "<html><body><div class='content'><p>1.做好统计工作。（办公室牵头）</p></div></body></html>".encode()
    path.write_bytes(b"\xef\xbb\xbf" + page.replace("统计".encode(), b"\xff\xfe"))
    plan = parse_file(path)
    assert [w.code for w in plan.warnings] == ["undecodable-bytes"] and len(plan.tasks) == 1
