"""Write the default Word templates (templates/*.docx) with their Jinja tags (docxtpl syntax).

The .docx files are committed so that an office can restyle them in Word, WPS or LibreOffice;
this script is how they were made, and re-running it after a layout change rewrites them:

    python tools/make_docx_templates.py

Layout after GB/T 9704-2012: A4, margins top 37 / bottom 35 / left 28 / right 26 mm (a type area
of 156 x 225 mm), body 3号 仿宋 with 22 lines a page, title 2号 小标宋, page numbers "— 1 —" in
4号 宋体 on the outer side of odd and even pages.  Font names come from plandoc/data/fonts.toml.
"""
from __future__ import annotations

import sys
from copy import deepcopy
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from plandoc.render.docx import fixed_zip   # noqa: E402  (the same byte-stable writer the build uses)
from plandoc.render.fonts import load_fonts  # noqa: E402
from plandoc.wording import load_wording  # noqa: E402

FONTS = load_fonts()
WORDING = load_wording()
FACE = FONTS.docx()
RED = RGBColor(0xE6, 0x00, 0x00)
LINE = Pt(28.95)          # 225 mm / 22 lines
BODY = Pt(16)             # 3号
TABLE = Pt(12)            # 小四 in tables


def set_font(target, face: str, size: Pt, bold: bool = False, color: RGBColor | None = None):
    """Set a style's or run's font: Latin text in the Latin face, Chinese in `face`."""
    font = target.font
    font.name = FONTS.latin
    font.size = size
    font.bold = bold
    if color is not None:
        font.color.rgb = color
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), face)
    rfonts.set(qn("w:ascii"), FONTS.latin)
    rfonts.set(qn("w:hAnsi"), FONTS.latin)


def new_document(landscape: bool) -> Document:
    """A document with plandoc's page, grid and styles, and nothing in its body."""
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(30)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # the number's top 7 mm under the type area: 35 mm margin - 7 mm - a 14 pt line
    section.footer_distance = Mm(23) if not landscape else Mm(18)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # 22 lines a page; 28 characters a line comes from the body styles' character spacing (a
    # character grid, type linesAndChars, is drawn by LibreOffice at two cells a character)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))

    styles = doc.styles
    document_defaults(doc)
    normal = styles["Normal"]
    set_font(normal, FACE["fangsong"], BODY)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True

    def para_style(name, face, size, *, bold=False, color=None, align=None, indent=True, line=LINE):
        st = styles.add_style(name, 1)
        st.base_style = normal
        set_font(st, face, size, bold, color)
        st.paragraph_format.first_line_indent = Pt(32) if indent else Pt(0)
        if align is not None:
            st.paragraph_format.alignment = align
        if line is not None:
            st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            st.paragraph_format.line_spacing = line
        return st

    condense(normal)
    para_style("正文", FACE["fangsong"], BODY)
    para_style("主送", FACE["fangsong"], BODY, indent=False)
    # 小标宋 is a heavy face already: bolding it (Word's synthetic bold) smears the strokes
    para_style("发文机关标志", FACE["xiaobiaosong"], Pt(30), color=RED,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=Pt(40))
    para_style("标题", FACE["xiaobiaosong"], Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False, line=Pt(34))
    para_style("副标题", FACE["kaiti"], BODY, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para_style("一级标题", FACE["heiti"], BODY)
    para_style("二级标题", FACE["kaiti"], BODY)
    para_style("出处", FACE["kaiti"], BODY)
    para_style("量化指标", FACE["kaiti"], BODY, bold=True)
    para_style("落款", FACE["fangsong"], BODY, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para_style("表格文字", FACE["fangsong"], TABLE, indent=False, line=None)
    para_style("表头", FACE["heiti"], TABLE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line=None)
    for name in ("表格文字", "表头"):
        styles[name].paragraph_format.line_spacing = 1.2
    # a heading, a task's source line and the issuer over the date stay with what follows them
    for name in ("标题", "一级标题", "二级标题", "出处"):
        styles[name].paragraph_format.keep_with_next = True
    # titles and tables keep their own line height instead of taking two lines of the page's grid
    for name in ("表格文字", "表头", "标题", "发文机关标志"):
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        styles[name].element.get_or_add_pPr().append(snap)
    page_numbers(doc)
    chinese_theme(doc)
    clear_body(doc)
    return doc


def chinese_theme(doc: Document) -> None:
    """python-docx's default template is Japanese underneath: East Asian theme language ja-JP,
    theme fonts ＭＳ 明朝 / ＭＳ ゴシック in its font table.  A Chinese office document says
    zh-CN and names the faces it uses."""
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    theme = next((p for p in doc.part.package.parts if p.partname.endswith("/theme/theme1.xml")), None)
    if theme is not None:
        xml = theme.blob.decode("utf-8")
        xml = xml.replace('<a:font script="Jpan" typeface="ＭＳ ゴシック"/>', f'<a:font script="Jpan" typeface="{FACE["heiti"]}"/>')
        xml = xml.replace('<a:font script="Jpan" typeface="ＭＳ 明朝"/>', f'<a:font script="Jpan" typeface="{FACE["songti"]}"/>')
        for kind, face in (("major", FACE["heiti"]), ("minor", FACE["songti"])):
            start = xml.find(f"<a:{kind}Font>")
            ea = xml.find('<a:ea typeface=""/>', start)
            if start >= 0 and ea >= 0:
                xml = xml[:ea] + f'<a:ea typeface="{face}"/>' + xml[ea + len('<a:ea typeface=""/>'):]
        theme._blob = xml.encode("utf-8")
    font_table = next((p for p in doc.part.package.parts if p.partname.endswith("/fontTable.xml")), None)
    if font_table is not None:
        xml = font_table.blob.decode("utf-8")
        for leftover in ("ＭＳ 明朝", "ＭＳ ゴシック"):
            start = xml.find(f'<w:font w:name="{leftover}"')
            end = xml.find("</w:font>", start)
            if start >= 0 and end >= 0:
                xml = xml[:start] + xml[end + len("</w:font>"):]
        font_table._blob = xml.encode("utf-8")


def condense(style) -> None:
    """28 characters in the 156 mm line: 15.79 pt a character, so 16 pt type is set 0.25 pt
    closer (Word counts character spacing in twentieths of a point: whole numbers only)."""
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "-5")
    style.element.get_or_add_rPr().append(spacing)


def document_defaults(doc: Document) -> None:
    """The defaults every style starts from: 16 pt Chinese text.  The character grid is measured
    from the default size, so it must be the body's (python-docx's template says 11 pt)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(int(BODY.pt * 2)))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), FONTS.latin)
    fonts.set(qn("w:hAnsi"), FONTS.latin)
    fonts.set(qn("w:eastAsia"), FACE["fangsong"])
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


def page_numbers(doc: Document) -> None:
    """"— N —" on the outer side: right on odd pages, left on even pages, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        pf = p.paragraph_format
        pf.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            pf.right_indent = Pt(14)
        else:
            pf.left_indent = Pt(14)
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        for text in ("— ", None, " —"):
            run = p.add_run()
            set_font(run, FACE["songti"], Pt(14))
            if text is None:
                field(run, "PAGE")
            else:
                run.text = text


def field(run, code: str) -> None:
    begin, instr, sep, value, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                     OxmlElement("w:fldChar"), OxmlElement("w:t"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    sep.set(qn("w:fldCharType"), "separate")
    value.text = "1"
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, value, end):
        run._r.append(el)


def red_rule(paragraph) -> None:
    """The red separator under the 发文机关标志: a thick line over a thin one."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "thickThinSmallGap"), ("sz", "24"), ("space", "6"), ("color", "E60000")):
        bottom.set(qn(f"w:{k}"), v)
    border.append(bottom)
    ppr.append(border)


def clear_body(doc: Document) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def letter_page() -> Document:
    """A portrait page with the letterhead, then a loop over the sections under their headings."""
    doc = new_document(landscape=False)
    letterhead(doc)
    doc.add_paragraph("{%p for section in sections %}", "正文")
    doc.add_paragraph("{{ section.heading }}", "一级标题")
    return doc


def letter() -> Document:
    doc = letter_page()
    add = doc.add_paragraph
    add("{%p for group in section.groups %}", "正文")
    add("{%p if group.heading %}", "正文")
    add("{{ group.heading }}", "二级标题")
    add("{%p endif %}", "正文")
    add("{%p for e in group.entries %}", "正文")
    item(doc, "e")
    add("{%p endfor %}", "正文")
    add("{%p endfor %}", "正文")
    add("{%p endfor %}", "正文")
    add("{%p if requirements %}", "正文")
    add("{{ requirements_heading }}", "一级标题")
    add("{%p for r in requirements %}", "正文")
    # the 落款 never stands alone on a page: the requirements, the 附件 line and the blank lines
    # between them keep with what follows, down to the date (GB/T 9704 7.3.5.5)
    keep(add("{{ r }}", "正文"))
    add("{%p endfor %}", "正文")
    add("{%p endif %}", "正文")
    keep(add("", "正文"))
    keep(add("{{ attachment }}", "正文"))
    signature(doc)
    return doc


def keep(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def letterhead(doc: Document) -> None:
    """发文机关标志 in red over its rule (when there is one), the title, 主送 and the opening."""
    add = doc.add_paragraph
    add("{%p if mark %}", "正文")
    red_rule(add("{{ mark }}", "发文机关标志"))
    add("{%p endif %}", "正文")
    # the title two lines under the red rule; a 发文字号 takes the first of them, at the right
    add("{%p if number %}", "正文")
    add("{{ number }}", "正文").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add("{%p else %}", "正文")
    add("", "正文")
    add("{%p endif %}", "正文")
    add("", "正文")
    add("{{ title_lines|breaks }}", "标题")
    add("", "正文")
    add("{{ unit }}：", "主送")
    add("{{ opening }}", "正文")


def item(doc: Document, var: str) -> None:
    """A task: its numbered text, where it comes from, and its targets when it has some."""
    add = doc.add_paragraph
    add(f"{{{{ {var}.n }}}}.{{{{ {var}.text }}}}", "正文")
    add(f"{{{{ {var}.source_line }}}}", "出处")
    add(f"{{%p if {var}.targets_line %}}", "正文")
    add(f"{{{{ {var}.targets_line }}}}", "量化指标")
    add("{%p endif %}", "正文")


def signature(doc: Document) -> None:
    """成文日期右空四字, the issuer centred over the date: both lines sit on one centre tab stop,
    placed so that a date 6.5 characters wide (2022年3月31日) ends four characters from the right."""
    keep(doc.add_paragraph("", "正文"))
    keep(doc.add_paragraph("", "正文"))
    centre = Mm(156) - Pt(4 * 16) - Pt(6.5 * 16 / 2)
    for text in ("\t{{ issuer }}", "\t{{ issued }}"):
        p = doc.add_paragraph(text, "落款")
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        p.paragraph_format.tab_stops.add_tab_stop(centre, WD_TAB_ALIGNMENT.CENTER)


def notice() -> Document:
    """任务调整通知: what a unit gains, no longer does, and what changed, old beside new."""
    doc = letter_page()
    add = doc.add_paragraph
    add("{%p for e in section.entries %}", "正文")
    item(doc, "e")
    add("{%p endfor %}", "正文")
    add("{%p endfor %}", "正文")
    add("{%p if changed %}", "正文")
    add("{{ changed_heading }}", "一级标题")
    add("{%p for c in changed %}", "正文")
    add("{{ c.n }}.{{ c.what }}", "出处")
    t = table(doc, [("{{ before_label }}", 0.5), ("{{ after_label }}", 0.5)], 156)
    row = add_row(t, ["{{ c.before.text }}", "{{ c.after.text }}"], doc)
    for cell, side in zip(row.cells, ("before", "after")):
        for field in ("source_line", "targets_line"):
            cell.add_paragraph(f"{{{{ c.{side}.{field} }}}}", "表格文字")
    add("{%p endfor %}", "正文")
    add("{%p endif %}", "正文")
    signature(doc)
    return doc


def table(doc: Document, headers: list[tuple[str, float]], width_mm: float):
    """A table with a header row of (text, share of the width) that repeats on every page."""
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    # Word and LibreOffice take column widths from the table grid, not from the cells
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    t._tbl.tblPr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(int(Mm(1).twips)))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    t._tbl.tblPr.append(margins)
    for col, (_, share) in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), headers):
        col.set(qn("w:w"), str(int(Mm(width_mm * share).twips)))
    for cell, (text, share) in zip(t.rows[0].cells, headers):
        cell.width = Mm(width_mm * share)
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = doc.styles["表头"]
    repeat_header(t.rows[0])
    return t


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def no_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def add_row(t, texts: list[str], doc, merge: bool = False):
    row = t.add_row()
    cells = row.cells
    if merge:
        cells[0].merge(cells[-1])
        cells = [row.cells[0]]
    for cell, text in zip(cells, texts):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = doc.styles["表格文字"]
    return row


def center(row, columns) -> None:
    for i in columns:
        row.cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for cell in row.cells:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


WIDTH = 297 - 28 - 26


def task_table(doc: Document, name: str):
    """A task table with the columns of letters.toml [columns] (the same the HTML templates
    read): headings as tags, so a reworded heading needs no new template; widths from the data."""
    columns = WORDING.columns[name]
    t = table(doc, [(f"{{{{ columns[{i}].heading }}}}", c.share / 100) for i, c in enumerate(columns)], WIDTH)
    return t, columns


def task_row(t, doc, columns, var: str):
    row = add_row(t, [f"{{{{ {var}.{c.field} }}}}" if c.field != "blank" else "" for c in columns], doc)
    center(row, [i for i, c in enumerate(columns) if c.center])
    no_split(row)
    return row


def table_page() -> Document:
    """A landscape page with the document's title and the plan's name over its tables."""
    doc = new_document(landscape=True)
    doc.add_paragraph("{{ title_lines|breaks }}", "标题")
    doc.add_paragraph("{{ plan }}", "副标题")
    return doc


def checklist() -> Document:
    doc = table_page()
    t, columns = task_table(doc, "checklist")
    add_row(t, ["{%tr for r in rows %}"], doc, merge=True)
    task_row(t, doc, columns, "r")
    add_row(t, ["{%tr endfor %}"], doc, merge=True)
    doc.add_paragraph("", "正文")
    doc.add_paragraph("{% for s in signature_lines %}{{ s }}　　　　　　　　　　{% endfor %}", "主送")
    return doc


def overview() -> Document:
    doc = table_page()
    summary = table(doc, [("{{ unit_column }}", 0.4), ("{{ role_names[0] }}", 0.15), ("{{ role_names[1] }}", 0.15),
                          ("{{ role_names[2] }}", 0.15), ("{{ total_column }}", 0.15)], WIDTH)
    add_row(summary, ["{%tr for u in units %}"], doc, merge=True)
    row = add_row(summary, ["{{ u.unit }}", "{{ u.counts[0] }}", "{{ u.counts[1] }}", "{{ u.counts[2] }}",
                            "{{ u.total }}"], doc)
    center(row, (1, 2, 3, 4))
    add_row(summary, ["{%tr endfor %}"], doc, merge=True)
    add_row(summary, ["{%tr for name in idle %}"], doc, merge=True)
    row = summary.add_row()
    row.cells[1].merge(row.cells[4])
    row.cells[0].paragraphs[0].text = "{{ name }}"
    row.cells[1].paragraphs[0].text = "{{ no_tasks }}"
    for c in (row.cells[0], row.cells[1]):
        c.paragraphs[0].style = doc.styles["表格文字"]
    row.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_row(summary, ["{%tr endfor %}"], doc, merge=True)
    # one table a unit: its name is a header row too, so it repeats on every page its rows run over
    doc.add_paragraph("{%p for u in units %}", "正文")
    doc.add_paragraph("", "正文")
    t, columns = task_table(doc, "overview")
    caption = t.rows[0]._tr
    caption.addprevious(deepcopy(caption))
    group = t.rows[0]
    group.cells[0].merge(group.cells[-1])
    cell = t.rows[0].cells[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    cell.paragraphs[0].text = "{{ u.heading }}"
    cell.paragraphs[0].style = doc.styles["表头"]
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    add_row(t, ["{%tr for r in u.rows %}"], doc, merge=True)
    task_row(t, doc, columns, "r")
    add_row(t, ["{%tr endfor %}"], doc, merge=True)
    doc.add_paragraph("{%p endfor %}", "正文")
    return doc


def main() -> None:
    out = ROOT / "templates"
    for name, make in (("letter", letter), ("checklist", checklist), ("overview", overview), ("notice", notice)):
        doc = make()
        doc.core_properties.author = "plandoc"
        (out / f"{name}.docx").write_bytes(fixed_zip(doc))
        print(f"wrote templates/{name}.docx")


if __name__ == "__main__":
    main()
