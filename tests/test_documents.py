"""The documents themselves, read back as a user's software reads them: python-docx for the Word
files, pdfplumber for the PDFs, LibreOffice for a real conversion.  Layout after GB/T 9704-2012."""
from __future__ import annotations

from parser.rules import load_rules

import io
import re
import shutil
import subprocess

import docx
import pdfplumber
import pytest
import regex
from docx.oxml.ns import qn
from docx.shared import Mm
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pdfminer.pdftypes import resolve1

from plandoc.render.fonts import load_fonts

MM = 72 / 25.4          # PDF points in a millimetre
FONTS = load_fonts()


def face(char: dict) -> str:
    """The family of the font a PDF character is set in: ABCDEF+FandolSong-Bold -> FandolSong."""
    return char["fontname"].split("+")[-1].split("-")[0]
UNITS = ("办公室", "普遍服务处", "市场监管处")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def letters_only(text: str) -> str:
    return regex.sub(r"[\s\p{P}]+", "", text)


def unit_tasks(plan, unit: str) -> list[str]:
    from plandoc.assemble import assemble
    plan_, profile = plan
    from plandoc.wording import load_wording
    a = next(a for a in assemble(plan_, profile, load_rules().same_work_similarity).units if a.unit == unit)
    return [e.text for e in a.entries]


@pytest.fixture(scope="module")
def built(sample_build):
    plan, profile, result = sample_build
    return (plan, profile), result.folder


def docx_text(document) -> str:
    return "".join(p.text for p in document.paragraphs)


def pdf_pages(path):
    with pdfplumber.open(path) as pdf:
        return [(page.width, page.height, page.chars, page.extract_text() or "") for page in pdf.pages]


# --- DOCX ---------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS)
def test_docx_letter_page_fonts_and_tasks(built, unit):
    plan, folder = built
    d = docx.Document(str(folder / unit / "任务交办函.docx"))
    s = d.sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(0.1) and abs(s.page_height - Mm(297)) < Mm(0.1)
    assert abs(s.top_margin - Mm(37)) < Mm(0.1) and abs(s.left_margin - Mm(28)) < Mm(0.1)
    # type area 156 x 225 mm
    assert abs(s.page_width - s.left_margin - s.right_margin - Mm(156)) < Mm(0.2)
    assert abs(s.page_height - s.top_margin - s.bottom_margin - Mm(225)) < Mm(0.2)
    normal = d.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert round(normal.paragraph_format.line_spacing.pt, 2) == 28.95      # 22 lines of 225 mm
    assert s._sectPr.find(qn("w:docGrid")).get(qn("w:linePitch")) == "579"
    # 28 characters a line: 16 pt type set closer, so that 28 fit in 156 mm and 29 do not
    pitch = 16 + int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * pitch <= 156 * MM < 29 * pitch
    paragraphs = d.paragraphs
    mark, title = paragraphs[0], next(p for p in paragraphs if p.style.name == "标题")
    assert mark.text == "苏州市邮政管理局" and mark.style.font.color.rgb == docx.shared.RGBColor(0xE6, 0, 0)
    assert title.style.font.size.pt == 22
    assert title.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.text == "关于交办2022年重点工作任务的函"
    assert paragraphs[paragraphs.index(title) + 2].text == f"{unit}："
    headings = [p for p in paragraphs if p.style.name == "一级标题"]
    assert headings and all(h.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体" for h in headings)
    assert [h.text[:2] for h in headings] == ["一、", "二、", "三、"]
    # level two: the parts of the circular the tasks come from, in 楷体
    second = [p for p in paragraphs if p.style.name == "二级标题"]
    assert second[0].text.startswith("（一）工作目标任务分解方案（")
    assert second[1].text.startswith("（二）邮政业更贴近民生八件实事分工安排（")
    assert all(h.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312" for h in second)
    text = docx_text(d)
    for task in unit_tasks(plan, unit):
        assert task in text
    assert f"附件：{unit}任务清单" in text and squeeze(text).endswith("苏州市邮政管理局2022年4月6日")
    # 落款: the issuer and the date on one centre tab stop, so the issuer stands centred over the date
    issuer, date = paragraphs[-2], paragraphs[-1]
    stops = [[(t.alignment.name, t.position) for t in p.paragraph_format.tab_stops] for p in (issuer, date)]
    assert stops[0] == stops[1] and len(stops[0]) == 1 and stops[0][0][0] == "CENTER"


def test_docx_page_numbers_on_the_outer_side_of_odd_and_even_pages(built):
    _, folder = built
    d = docx.Document(str(folder / "办公室" / "任务交办函.docx"))
    assert d.settings.odd_and_even_pages_header_footer
    s = d.sections[0]
    for footer, align in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.alignment.name.lower() == align
        assert p.text == "— 1 —"                                  # the PAGE field's cached value
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert {r.font.size.pt for r in p.runs} == {14}
        assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in p.runs} == {"宋体"}


@pytest.mark.parametrize("unit", UNITS)
def test_docx_checklist_is_a_landscape_table_with_a_repeated_header(built, unit):
    plan, folder = built
    d = docx.Document(str(folder / unit / "任务清单.docx"))
    s = d.sections[0]
    assert s.page_width > s.page_height and abs(s.page_width - Mm(297)) < Mm(0.1)
    table = d.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "来源", "任务内容", "责任方式", "量化指标", "完成时限", "完成", "进展情况", "备注"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rows = table.rows[1:]
    assert [r.cells[2].text for r in rows] == unit_tasks(plan, unit)
    assert all(r.cells[6].text == "□" and r.cells[7].text == "" and r.cells[8].text == "" for r in rows)
    assert [r.cells[0].text for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert "责任人：" in docx_text(d) and "分管领导：" in docx_text(d)


def test_docx_overview_has_every_unit_and_the_idle_one(built):
    plan, folder = built
    d = docx.Document(str(folder / "任务分解总表.docx"))
    summary, *details = d.tables
    assert [r.cells[0].text for r in summary.rows[1:]] == list(UNITS) + ["市邮政业安全发展中心"]
    assert summary.rows[-1].cells[1].text == "无任务"
    # a table a unit, its name in a header row that repeats on every page
    assert len(details) == len(UNITS)
    for unit, detail in zip(UNITS, details):
        caption = detail.rows[0]
        assert caption.cells[0].text.startswith(unit + "（")
        assert caption._tr.trPr.find(qn("w:tblHeader")) is not None
        text = "".join(c.text for r in detail.rows for c in r.cells)
        for task in unit_tasks(plan, unit):
            assert task in text


# --- PDF ----------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", UNITS)
def test_pdf_letter_page_margins_sizes_and_numbers(built, unit):
    plan, folder = built
    pages = pdf_pages(folder / unit / "任务交办函.pdf")
    assert len(pages) >= 2
    lefts = []
    for n, (width, height, chars, _) in enumerate(pages, 1):
        assert (round(width), round(height)) == (595, 842)          # A4 portrait
        number = [c for c in chars if c["bottom"] > height - 35 * MM]
        body = [c for c in chars if c["bottom"] <= height - 35 * MM]
        assert squeeze("".join(c["text"] for c in number)) == f"—{n}—"
        assert {round(c["size"]) for c in number} == {14}
        # outer side: right on odd pages, left on even ones; 7 mm under the type area
        if n % 2:
            assert max(c["x1"] for c in number) > width - 26 * MM - 16
        else:
            assert min(c["x0"] for c in number) < 28 * MM + 16
        # under the type area (where its dash's ink lies, 7 mm under, is measured in
        # test_print_quality.py on the drawn page)
        assert height - 35 * MM < min(c["top"] for c in number) < height - 35 * MM + 10 * MM
        # the type area: left 28 mm, right 26 mm, top 37 mm
        assert min(c["x0"] for c in body) >= 28 * MM - 0.5
        lefts.append(min(c["x0"] for c in body))
        # a full line's last glyph box (16 pt wide on a 15.78 pt advance) overhangs the edge by the
        # negative letter spacing, 0.22 pt, and a justified line's rounding: under 1 pt in all
        assert max(c["x1"] for c in body) <= width - 26 * MM + 1
        assert min(c["top"] for c in body) >= 37 * MM - 6             # line height above the glyphs
    assert min(lefts) == pytest.approx(28 * MM, abs=0.5)             # lines that are not indented
    # 28 characters a line: count the full lines of Chinese text
    widths = []
    for _, height, chars, _ in pages:
        lines: dict = {}
        for c in chars:
            if round(c["size"]) == 16 and c["bottom"] <= height - 35 * MM:
                lines.setdefault(round(c["bottom"]), []).append(c["text"])
        widths += [len(t) for t in lines.values() if all(ord(ch) > 0x2E80 for ch in t)]
    assert max(widths) == 28
    first = pages[0][2]
    sizes = {round(c["size"]) for c in first if c["bottom"] <= 842 - 35 * MM}
    assert {16, 22}.issubset(sizes)
    title = [c for c in first if round(c["size"]) == 22]
    assert title and {face(c) for c in title} <= set(FONTS.faces["xiaobiaosong"].pdf)
    # the body is set in a 仿宋 (the PDF names the face it embeds), not a 宋体 standing in for it
    body_text = [c for c in first if round(c["size"]) == 16 and c["top"] > 60 * MM]
    assert {face(c) for c in body_text} >= {"FandolFang"}
    # headings: level one 黑体, level two 楷体
    lines: dict = {}
    for c in first:
        lines.setdefault(round(c["bottom"]), []).append(c)
    for chars in lines.values():
        text = "".join(c["text"] for c in chars)
        if text.startswith("一、牵头任务"):
            assert {face(c) for c in chars} == {FONTS.faces["heiti"].pdf[0]}
        if text.startswith("（一）工作目标任务分解方案"):
            assert {face(c) for c in chars} == {FONTS.faces["kaiti"].pdf[0]}
    assert any("".join(c["text"] for c in chars).startswith("（一）") for chars in lines.values())
    red = [c for c in first if c["non_stroking_color"] and c["non_stroking_color"][0] > 0.8
           and len(c["non_stroking_color"]) == 3 and c["non_stroking_color"][1] < 0.1]
    assert squeeze("".join(c["text"] for c in red)) == "苏州市邮政管理局"
    text = squeeze("".join(p[3] for p in pages))
    for task in unit_tasks(plan, unit):
        assert squeeze(task) in text
    # 落款: the date four characters in from the right, the issuer centred over it, and not alone
    # on the last page
    width, height, last, last_text = pages[-1]
    assert "附件：" in last_text
    body = [c for c in last if c["bottom"] <= height - 35 * MM]
    date_line = max(c["bottom"] for c in body)
    date = [c for c in body if c["bottom"] == date_line]
    issuer = [c for c in body if date_line - 40 < c["bottom"] < date_line - 20]
    assert squeeze("".join(c["text"] for c in date)) == "2022年4月6日"      # the day it is issued
    assert squeeze("".join(c["text"] for c in issuer)) == "苏州市邮政管理局"
    assert max(c["x1"] for c in date) == pytest.approx(width - 26 * MM - 4 * 16, abs=4)
    centre = lambda cs: (min(c["x0"] for c in cs) + max(c["x1"] for c in cs)) / 2   # noqa: E731
    assert centre(issuer) == pytest.approx(centre(date), abs=2)


def test_pdf_checklist_and_overview_are_landscape_with_the_header_on_every_page(built):
    plan, folder = built
    for path, first_header in ((folder / "市场监管处" / "任务清单.pdf", "序号来源任务内容责任方式量化指标完成时限完成进展情况备注"),
                               (folder / "任务分解总表.pdf", "序号来源任务内容责任方式量化指标完成时限")):
        pages = pdf_pages(path)
        assert len(pages) >= 2
        for width, height, _, text in pages:
            assert (round(width), round(height)) == (842, 595)
            assert first_header in squeeze(text)
    # every page of the overview after the summary names the unit whose rows it holds
    for _, _, _, text in pdf_pages(folder / "任务分解总表.pdf")[1:]:
        assert any(f"{unit}（" in squeeze(text) for unit in UNITS), text[:80]
    with pdfplumber.open(folder / "市场监管处" / "任务清单.pdf") as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables() for row in table]
        text = squeeze(pdf.pages[-1].extract_text())
    tasks = [squeeze(row[2] or "") for row in rows if row[0] and row[0].isdigit()]
    assert tasks == [squeeze(t) for t in unit_tasks(plan, "市场监管处")]
    assert all(row[6] == "□" for row in rows if row[0] and row[0].isdigit())
    assert "责任人：" in text and "分管领导：" in text


@pytest.mark.parametrize("unit", UNITS)
def test_docx_and_pdf_letters_say_the_same(built, unit):
    _, folder = built
    d = docx.Document(str(folder / unit / "任务交办函.docx"))
    in_docx = squeeze(docx_text(d))
    pages = pdf_pages(folder / unit / "任务交办函.pdf")
    in_pdf = squeeze("".join("".join(c["text"] for c in chars if c["bottom"] <= h - 35 * MM)
                             for _, h, chars, _ in pages))
    assert in_pdf == in_docx


def embedded_fonts(path) -> dict[str, TTFont]:
    """Every font program embedded in a PDF, by its PDF name."""
    fonts = {}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for ref in resolve1(page.page_obj.resources["Font"]).values():
                font = resolve1(ref)
                name = font["BaseFont"].name
                if name in fonts:
                    continue
                descendant = resolve1(resolve1(font["DescendantFonts"])[0])
                descriptor = resolve1(descendant["FontDescriptor"])
                stream = next(descriptor[k] for k in ("FontFile3", "FontFile2", "FontFile") if k in descriptor)
                fonts[name] = TTFont(io.BytesIO(resolve1(stream).get_data()))
    return fonts


def test_every_character_of_the_sample_s_tasks_is_drawn_with_a_real_glyph(built):
    plan, folder = built
    wanted = {c for t in plan[0].tasks for c in t.text if not c.isspace()}
    seen = set()
    for path in sorted(folder.rglob("*.pdf")):
        fonts = embedded_fonts(path)
        glyphs = {name: (f.getBestCmap(), f.getGlyphSet()) for name, f in fonts.items()}
        for page in pdf_pages(path):
            for c in page[2]:
                ch = c["text"]
                if ch.isspace():
                    continue
                cmap, glyph_set = glyphs[c["fontname"]]
                assert ord(ch) in cmap, f"{path.name}: {ch} has no glyph in {c['fontname']}"
                glyph = cmap[ord(ch)]
                assert glyph != ".notdef"
                pen = BoundsPen(glyph_set)
                glyph_set[glyph].draw(pen)
                assert pen.bounds is not None, f"{path.name}: {ch} is drawn with an empty glyph"
                seen.add(ch)
    assert wanted <= seen


# --- a real consumer ------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")
def test_libreoffice_converts_a_built_letter(built, tmp_path):
    plan, folder = built
    source = tmp_path / "letter.docx"
    shutil.copyfile(folder / "市场监管处" / "任务交办函.docx", source)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pages = pdf_pages(tmp_path / "letter.pdf")
    assert len(pages) >= 2 and all((round(w), round(h)) == (595, 842) for w, h, _, _ in pages)
    # LibreOffice hangs a comma that ends a line past the margin, where the text layer loses it
    text = letters_only("".join(p[3] for p in pages))
    for task in unit_tasks(plan, "市场监管处"):
        assert letters_only(task) in text
    # the page-number field was computed by LibreOffice on each page
    assert f"—{len(pages)}—" in squeeze(pages[-1][3])


def test_word_documents_are_chinese_underneath_and_keep_headings_with_their_text(built):
    """No Japanese leftovers of python-docx's default template; 小标宋 not bolded; headings, a
    task's source line and the title keep with what follows them."""
    import zipfile
    _, folder = built
    path = folder / "市场监管处" / "任务交办函.docx"
    with zipfile.ZipFile(path) as z:
        settings = z.read("word/settings.xml").decode("utf-8")
        theme = z.read("word/theme/theme1.xml").decode("utf-8")
        fonts = z.read("word/fontTable.xml").decode("utf-8")
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings
    assert "ＭＳ" not in theme and "ＭＳ" not in fonts and '<a:ea typeface="宋体"/>' in theme
    d = docx.Document(str(path))
    styles = d.styles
    assert not styles["标题"].font.bold and not styles["发文机关标志"].font.bold
    assert all(styles[name].paragraph_format.keep_with_next for name in ("标题", "一级标题", "二级标题", "出处"))
