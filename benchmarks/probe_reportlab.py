"""A probe, not part of `make bench`: how fast another PDF engine lays out one of our tables.

WeasyPrint spends about 100 ms on a landscape page of the checklist (issue 10 measures it; the
time goals of issues 9 and 10 are out of its reach).  This lays out the same checklist, the
sample's largest unit's, once with plandoc's own renderer and once with ReportLab's platypus
table, in one run, and prints the time of each a page.  ReportLab reads TrueType outlines only,
and Fandol's faces are CFF, so the probe first converts the prepared faces (fontTools' cu2qu),
and says how long that takes (a build would do it once, into the font cache).

ReportLab is not a dependency of plandoc.  To run the probe:

    .venv/bin/pip install reportlab && .venv/bin/python benchmarks/probe_reportlab.py

The ReportLab table is a sketch for timing (the columns, the header repeated on every page, the
grid, CJK line breaking), not a finished checklist.
"""
from __future__ import annotations

import io
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "samples" / "suzhou-post-2022.txt"
PROFILE = ROOT / "samples" / "suzhou-post.profile.toml"
RUNS = 3


def truetype(source: Path, target: Path) -> None:
    """A CFF OpenType face with TrueType outlines (quadratic curves within 1 unit)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(source)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\0\1\0\0"
    font.save(target)


def reportlab_checklist(context: dict, repeat: int) -> tuple[bytes, int]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    page = landscape(A4)
    body = ParagraphStyle("body", fontName="Fang", fontSize=12, leading=16.8, wordWrap="CJK", alignment=TA_JUSTIFY)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=centred, fontName="Hei")
    columns = context["columns"]
    data = [[Paragraph(c["heading"], heading) for c in columns]]
    for row in context["rows"] * repeat:
        data.append([Paragraph(str(row[c["field"]] or ""), centred if c.get("center") else body) for c in columns])
    width = page[0] - 54 * mm
    table = Table(data, colWidths=[width * c["share"] / 100 for c in columns], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.75, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=28 * mm, rightMargin=26 * mm,
                            topMargin=28 * mm, bottomMargin=30 * mm)

    def number(canvas, doc):
        canvas.setFont("Fang", 14)
        canvas.drawRightString(page[0] - 30 * mm, 20 * mm, f"— {doc.page} —")
    doc.build([table], onFirstPage=number, onLaterPages=number)
    return out.getvalue(), doc.page


def median_time(make) -> tuple[float, int]:
    make()                                  # warm-up
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        _, pages = make()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), pages


def main() -> None:
    try:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
    except ImportError:
        sys.exit("ReportLab is not installed: .venv/bin/pip install reportlab")
    from parser import load_plan, load_profile
    from plandoc.build import plan_jobs, render_job, _prepared_fonts
    from pypdf import PdfReader

    profile = load_profile(PROFILE)
    plan = load_plan(SAMPLE, profile)
    jobs, _ = plan_jobs(plan, profile, ("pdf",))
    packet = max((j for j in jobs if j.kind == "packet"), key=lambda j: len(j.context["annex"]["rows"]))
    prepared = _prepared_fonts(jobs, ("pdf",))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for name, face in (("Fang", "FandolFang-Regular"), ("Hei", "FandolHei-Regular")):
            # the prepared cut of the face this build uses (the cache may hold others)
            url = re.search(rf"url\('file://([^']*/{face}-[^']*)'\)", prepared.font_faces).group(1)
            source = Path(unquote(url))
            target = Path(tmp) / f"{name}.ttf"
            truetype(source, target)
            pdfmetrics.registerFont(TTFont(name, str(target)))
        converted = time.perf_counter() - start
        context = packet.context["annex"]
        import dataclasses
        job = dataclasses.replace(packet, kind="checklist", context=context, parts=(), path="checklist.pdf")
        stamp = datetime(2022, 3, 31, tzinfo=timezone.utc)

        def weasyprint():
            data = render_job(job, None, stamp, prepared)[0][2]
            return data, len(PdfReader(io.BytesIO(data)).pages)
        rows = len(context["rows"])
        print(f"{packet.unit}'s checklist, {rows} rows, median of {RUNS} in process; the two faces "
              f"converted to TrueType in {converted:.1f} s")
        for label, make in (("WeasyPrint (plandoc's renderer)", weasyprint),
                            ("ReportLab", lambda: reportlab_checklist(context, 1)),
                            (f"ReportLab, the rows 10 times ({rows * 10})", lambda: reportlab_checklist(context, 10))):
            seconds, pages = median_time(make)
            print(f"  {label}: {seconds:.2f} s, {pages} pages, {seconds / pages * 1000:.1f} ms a page")


if __name__ == "__main__":
    main()
