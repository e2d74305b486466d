"""What a clerk sees on the printed letters (issue 10), measured on the sample's letters and on
three corpus circulars built without a profile: the 仿宋 body face, no 落款 alone on a page (in
plandoc's PDF and in LibreOffice's rendering of the DOCX), justified lines, titles broken
between words, the page number's place, the checklist's dates."""
from __future__ import annotations

import shutil
import subprocess

import jieba
import pdfplumber
import pytest

from parser import load_plan, load_profile
from plandoc.build import build
from plandoc.render.fonts import load_fonts

from .conftest import CORPUS, PROFILE, SAMPLE

MM = 72 / 25.4
OWN = {f for face in load_fonts().faces.values() for f in face.pdf[:face.own]}
CORPUS_DOCS = ("jiangmen-tdcb-zwgk.txt", "chizhou-xfj-zwgk.txt", "county-bureau-zwgk-trad.txt")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def letters(sample_build, tmp_path_factory):
    """(plan, folder of the version) for the sample and each of the corpus documents (those of
    them the corpus beside the project holds: the sample's are measured in any case)."""
    plan, _, result = sample_build
    out = [(plan, result.folder)]
    root = tmp_path_factory.mktemp("corpus-builds")
    for name in CORPUS_DOCS:
        path = CORPUS / "docs" / name
        if path.is_file():
            plan = load_plan(path)
            out.append((plan, build(plan, None, root, workers=2).folder))
    return out


def expected_letters(letters) -> int:
    """How many letters the builds hold at the least: the sample's 3, and 8 for the corpus's."""
    return 3 + (8 if len(letters) > 1 else 0)


def pdfs(letters, name: str):
    return [p for _, folder in letters for p in sorted(folder.glob(f"*/{name}.pdf"))]


def body_lines(page, size: int = 16) -> dict[int, list[dict]]:
    """The lines of `size`-point characters inside the type area of a portrait page, by bottom."""
    lines: dict[int, list[dict]] = {}
    for c in page.chars:
        if round(c["size"]) == size and c["bottom"] <= page.height - 35 * MM and c["text"].strip():
            lines.setdefault(round(c["bottom"]), []).append(c)
    return lines


def test_the_body_is_set_in_a_fangsong(letters):
    fangsong = load_fonts().faces["fangsong"].pdf[0]
    for path in pdfs(letters, "任务交办函"):
        with pdfplumber.open(path) as pdf:
            faces = {c["fontname"].split("+")[-1].split("-")[0] for c in pdf.pages[0].chars
                     if round(c["size"]) == 16 and c["top"] > 80 * MM}
        assert fangsong in faces, f"{path}: body set in {faces}"


def signature_page_has_body_text(pages_text: list[str], attachment: str) -> bool:
    """Whether the page holding the 附件 line has a line of the body above it."""
    page = next(t for t in reversed(pages_text) if attachment in t)
    before = page.split(attachment)[0]
    return any(line.strip() for line in before.splitlines())


def test_no_signature_stands_alone_on_a_page(letters):
    checked = 0
    for path in pdfs(letters, "任务交办函"):
        with pdfplumber.open(path) as pdf:
            pages = [p.extract_text() or "" for p in pdf.pages]
        assert signature_page_has_body_text(pages, "附件："), f"{path}: the 落款's page has no body text"
        checked += 1
    assert checked >= expected_letters(letters)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")
def test_no_signature_stands_alone_in_libreoffice_s_rendering_of_the_docx(letters, tmp_path):
    sources = []
    for n, (_, folder) in enumerate(letters):
        for docx in sorted(folder.glob("*/任务交办函.docx")):
            copy = tmp_path / f"{n}-{docx.parent.name}.docx"
            shutil.copyfile(docx, copy)
            sources.append(copy)
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, sources)],
                   check=True, capture_output=True, timeout=600)
    for source in sources:
        with pdfplumber.open(tmp_path / "pdf" / f"{source.stem}.pdf") as pdf:
            pages = [p.extract_text() or "" for p in pdf.pages]
        assert signature_page_has_body_text(pages, "附件："), f"{source.name}: the 落款's page has no body text"


def test_wrapped_lines_reach_the_right_edge(letters):
    """At most 5 % of the body lines that wrap end more than one character short of the type area."""
    short, wrapped = [], 0
    for path in pdfs(letters, "任务交办函"):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                right = page.width - 26 * MM
                lines = body_lines(page)
                keys = sorted(lines)
                for a, b in zip(keys, keys[1:]):
                    # a line that the next one continues: the next starts at the left edge (a new
                    # paragraph is indented two characters) and follows at one line's distance
                    if abs(min(c["x0"] for c in lines[b]) - 28 * MM) < 2 and b - a < 35:
                        wrapped += 1
                        gap = right - max(c["x1"] for c in lines[a])
                        if gap > 16:
                            short.append((path.parent.name, "".join(c["text"] for c in lines[a]), gap / MM))
    assert wrapped > 100
    assert len(short) <= 0.05 * wrapped, short[:5]


def test_the_checklist_s_date_column_is_filled_wherever_the_plan_has_a_deadline(sample_build):
    import docx
    plan, _, result = sample_build
    # an annual plan: a task with no deadline of its own is due at the year's end
    assert sum(1 for t in plan.tasks if t.deadline) < len(plan.tasks)
    for path in sorted(result.folder.glob("*/任务清单.docx")):
        table = docx.Document(str(path)).tables[0]
        column = [c.text for c in table.rows[0].cells].index("完成时限")
        dates = [row.cells[column].text for row in table.rows[1:]]
        assert dates and all(dates), f"{path}: {dates}"
        assert "年内" not in dates and set(dates) <= {"12月底前"} | {t.deadline.text for t in plan.tasks if t.deadline}
        with pdfplumber.open(path.with_suffix(".pdf")) as pdf:
            text = "".join((p.extract_text() or "").replace("\n", "") for p in pdf.pages)
        assert text.count("12月底前") == dates.count("12月底前")


@pytest.mark.parametrize("title, year, due", [
    ("苏州市邮政管理局关于印发2022年工作目标任务分解方案的通知", 2022, "2022-12-31"),
    ("关于印发2016年市政府民生实事分工方案的通知", 2016, "2016-12-31"),
    ("关于印发“十四五”邮政业发展规划的通知", 2021, None),
    ("关于印发2021-2025年重点工作任务分工的通知", 2021, None),
    ("关于召开会议的通知", 2022, None),
    ("关于印发2022年工作要点的通知", None, None),
])
def test_when_a_task_with_no_deadline_is_due(title, year, due):
    from plandoc.wording import load_wording
    w = load_wording()
    when = w.year_end(title, year)
    assert (when.isoformat() if when else None) == due
    from datetime import date
    assert w.due_text("6月底前", date(2022, 6, 30), 2022) == "6月底前"         # says its month: as written
    assert w.due_text("年内", date(2022, 12, 31), 2022) == "12月底前"
    assert w.due_text("2023年底前", date(2023, 12, 31), 2022) == "2023年12月底前"
    assert w.due_text("长期坚持", None, 2022) == "长期坚持"
    assert w.due_text("", date(2022, 9, 15), 2022) == "9月15日前"


def test_a_long_title_prints_on_the_lines_chosen_for_it(tmp_path, font_cache):
    """Both formats break the title where it was broken between words, and nowhere else."""
    import docx
    from docx.oxml.ns import qn

    profile = tmp_path / "office.toml"
    profile.write_text(PROFILE.read_text(encoding="utf-8").split("\n[letters]")[0]
                       + '\n[letters]\ntitle = "关于落实{plan}的任务交办函"\n', encoding="utf-8")
    prof = load_profile(profile)
    plan = load_plan(SAMPLE, prof)
    folder = build(plan, prof, tmp_path / "out", only=["普遍服务处"], workers=1).folder
    lines = json_context_title(folder)
    assert len(lines) == 3
    with pdfplumber.open(folder / "普遍服务处" / "任务交办函.pdf") as pdf:
        title = body_lines(pdf.pages[0], size=22)
        printed = ["".join(c["text"] for c in sorted(title[k], key=lambda c: c["x0"])) for k in sorted(title)]
    assert printed == lines
    paragraph = next(p for p in docx.Document(str(folder / "普遍服务处" / "任务交办函.docx")).paragraphs
                     if p.style.name == "标题")
    assert len(paragraph._p.findall(".//" + qn("w:br"))) == 2 and paragraph.text.replace("\n", "") == "".join(lines)
    words = set()
    at = 0
    for word in jieba.cut("".join(lines)):
        at += len(word)
        words.add(at)
    assert all(sum(map(len, lines[:n])) in words for n in (1, 2))


def json_context_title(folder) -> list[str]:
    """The title's lines as the build chose them, from the letter's context (made again)."""
    from plandoc.build import plan_jobs
    from parser import load_plan as load
    import json
    recorded = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert recorded["files"]
    plan = load(folder / "plan.json")
    profile = load_profile(folder.parent.parent.parent / "office.toml")
    jobs, _ = plan_jobs(plan, profile, ("docx",), only=["普遍服务处"])
    return next(j.context["title_lines"] for j in jobs if j.kind == "letter")


def ink_rows(page, scale: float):
    """The page drawn (pdfium) as a grey image, and a test for a dark pixel."""
    image = page.render(scale=scale).to_pil().convert("L")
    return image, image.load()


def test_page_numbers_dash_7_mm_under_the_type_area_and_lines_keep_their_pitch(letters):
    """GB/T 9704 7.5: 一字线上距版心下边缘7mm, measured on the ink; and every body line of a letter
    28.95 pt under the one before (or a whole number of lines, for a blank line), 楷体 lines too."""
    import itertools

    import pypdfium2 as pdfium
    scale = 200 / 72
    mm = 200 / 25.4
    dashes, pitches = [], set()
    for path in pdfs(letters, "任务交办函"):
        document = pdfium.PdfDocument(str(path))
        for page in document:
            image, px = ink_rows(page, scale)
            w, h = image.size
            bottom = h - 35 * mm
            for y in range(int(bottom), h):
                runs = (len(list(g)) for dark, g in itertools.groupby(px[x, y] < 128 for x in range(w)) if dark)
                if max(runs, default=0) > 3 * mm:           # the dash: a horizontal stroke 4-5 mm long
                    dashes.append((y - bottom) / mm)
                    break
            else:
                dashes.append(None)
        document.close()
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                # baselines (a glyph box's bottom depends on its font's metrics; the baseline not)
                # of lines set in the faces asked for: a character that is not in them (a
                # traditional one: Fandol has GB 2312) comes from a fallback of other metrics,
                # which the build reports (and --strict-fonts refuses)
                lines: dict = {}
                for c in page.chars:
                    if round(c["size"]) == 16 and 40 * MM < c["bottom"] <= page.height - 35 * MM:
                        lines.setdefault(round(page.height - c["matrix"][5], 1), set()).add(
                            c["fontname"].split("+")[-1].split("-")[0])
                keys = sorted(lines)
                pitches |= {round((b - a) / 28.95, 2) for a, b in zip(keys, keys[1:])
                            if lines[a] <= OWN and lines[b] <= OWN}
    assert dashes and all(d is not None and 6 <= d <= 8 for d in dashes), dashes
    assert all(abs(p - round(p)) <= 0.02 for p in pitches), sorted(pitches)


def test_the_title_stands_two_lines_under_the_red_rule(sample_build):
    import pypdfium2 as pdfium
    _, _, result = sample_build
    scale = 200 / 72
    for path in sorted(result.folder.glob("*/任务交办函.pdf")):
        document = pdfium.PdfDocument(str(path))
        image = document[0].render(scale=scale).to_pil().convert("RGB")
        document.close()
        px, (w, h) = image.load(), image.size
        red = [y for y in range(h // 3) if any(px[x, y][0] > 200 and px[x, y][1] < 80 for x in range(0, w, 3))]
        ink = next(y for y in range(red[-1] + 1, h) if any(sum(px[x, y]) < 200 for x in range(0, w, 2)))
        lines = (ink - red[-1]) / scale / 28.95        # the title's glyphs start a little under its line's top
        assert 2.0 <= lines <= 2.6, f"{path}: {lines:.2f} lines under the rule"


def test_strict_fonts_refuses_what_would_be_substituted(runner, tmp_path, font_cache):
    from plandoc.cli import main
    trad = CORPUS / "docs" / "county-bureau-zwgk-trad.txt"
    if not trad.is_file():
        pytest.skip("the corpus beside the project is missing")
    # traditional characters: not in FandolFang (GB 2312), set in a fallback
    result = runner.invoke(main, ["build", str(trad), "-o", str(tmp_path / "a"), "--format", "pdf", "-q"])
    assert result.exit_code == 0 and "not in FandolFang" in result.stderr and "羣" in result.stderr
    # what Fandol lacks comes from a prepared cut of the next font, never from a whole installed
    # CJK collection (WeasyPrint loading one took a 2-task build to 555 MB)
    for pdf in (tmp_path / "a").rglob("*.pdf"):
        with pdfplumber.open(pdf) as document:
            names = {f["fontname"].split("+")[-1] for p in document.pages for f in p.chars}
        # every face's first font is installed here (the test above needs FandolFang): any other
        # font embedded is a prepared cut, named so
        firsts = {face.pdf[0].replace(" ", "-") for face in load_fonts().faces.values()}
        assert all("-plandoc" in n or n.split("-Bold")[0] in firsts | {"FandolSong"} for n in names), \
            (pdf.name, names)
    result = runner.invoke(main, ["build", str(trad), "-o", str(tmp_path / "b"), "--format", "pdf", "--strict-fonts"])
    assert result.exit_code == 1 and "--strict-fonts: fangsong: 5 character(s)" in result.stderr
    assert "Traceback" not in result.output and not list((tmp_path / "b").rglob("*.pdf"))
    # the sample needs nothing substituted
    result = runner.invoke(main, ["build", str(SAMPLE), "--profile", str(PROFILE), "-o", str(tmp_path / "c"),
                                  "--format", "pdf", "--only", "办公室", "--strict-fonts", "-q"])
    assert result.exit_code == 0 and "PDF fonts" not in result.stderr, result.output


def test_regular_and_bold_are_told_apart_by_style_where_the_weights_agree():
    """Fandol's bold files declare the regular weight: the style name tells them apart, so that
    a 黑体 heading is not set in the bold file."""
    from plandoc.render import fonts
    faces = fonts.load_fonts().faces
    for name in ("heiti", "songti"):
        regular, bold = fonts.locate(faces[name], False), fonts.locate(faces[name], True)
        if regular is None or not regular[2].startswith("Fandol"):
            pytest.skip("Fandol is not installed (make installs it)")
        assert regular[0].endswith("-Regular.otf") and bold[0].endswith("-Bold.otf")


def test_a_missing_face_is_reported(monkeypatch):
    from plandoc.render import fonts
    real = fonts.locate

    def without_fandol(face, bold):
        return real(fonts.Face(face.docx, tuple(f for f in face.pdf if not f.startswith("Fandol")), face.bold),
                    bold)
    monkeypatch.setattr(fonts, "locate", without_fandol)
    notes = fonts.substitutions(fonts.load_fonts(), "任务")
    assert any(n.startswith("fangsong: none of FandolFang is installed, Noto Serif CJK SC stands in") for n in notes)
    assert not any(n.startswith("heiti") for n in notes)        # Noto Sans CJK is a 黑体 of its own


def test_the_letter_with_its_attachment_is_one_document_numbered_on(letters):
    """任务交办函（含附件）.pdf: the letter's pages, then the checklist on landscape pages under the
    附件 label (3号黑体, top left of the type area), the page numbers running on."""
    checked = 0
    for path in pdfs(letters, "任务交办函（含附件）"):
        with pdfplumber.open(path.with_name("任务交办函.pdf")) as pdf:
            letter = [p.extract_text() for p in pdf.pages]
        with pdfplumber.open(path.with_name("任务清单.pdf")) as pdf:
            checklist = len(pdf.pages)
        with pdfplumber.open(path) as pdf:
            pages = pdf.pages
            assert len(pages) == len(letter) + checklist
            assert [p.extract_text() for p in pages[:len(letter)]] == letter
            for n, page in enumerate(pages, 1):
                assert (page.width > page.height) == (n > len(letter))
                assert (page.extract_text() or "").replace(" ", "").rstrip().endswith(f"—{n}—")
            first = pages[len(letter)]
            label = [c for c in first.chars if c["top"] < 28 * MM + 30]
            assert "".join(c["text"] for c in label).startswith("附件")
            assert min(c["x0"] for c in label) == pytest.approx(28 * MM, abs=1)
            assert {c["fontname"].split("+")[-1].split("-")[0] for c in label[:2]} == {"FandolHei"}
        checked += 1
    assert checked >= expected_letters(letters)


def test_a_long_overview_is_made_in_pieces_numbered_on(sample_build, monkeypatch, tmp_path, font_cache):
    """An overview longer than PIECE_ROWS rows is laid out piece by piece and joined (the memory
    of one piece at a time): every unit's table and task, pages numbered 1, 2, 3… throughout."""
    import dataclasses

    from plandoc.build import plan_jobs, render_job, _prepared_fonts, _timestamp
    from plandoc.render import pdf as pdf_module
    plan, profile, result = sample_build
    jobs, _ = plan_jobs(plan, profile, ("pdf",))
    job = next(j for j in jobs if j.kind == "overview")
    monkeypatch.setattr(pdf_module, "PIECED_FROM", 20)
    monkeypatch.setattr(pdf_module, "PIECE_ROWS", 20)
    assert len(pdf_module._pieces(job.context)) == 3        # 3 units, each over 20 rows
    prepared = _prepared_fonts([job], ("pdf",))
    # the title of a job of its own, so that no renderer of the whole overview is reused
    data = render_job(dataclasses.replace(job, path="pieces.pdf"), tmp_path, _timestamp(plan), prepared)[0][2]
    path = tmp_path / "pieces.pdf"
    path.write_bytes(data)
    with pdfplumber.open(path) as pdf:
        texts = [(p.extract_text() or "") for p in pdf.pages]
        assert pdf.metadata.get("Title") == job.context["title"]
        assert all(page.width > page.height for page in pdf.pages)
    for n, text in enumerate(texts, 1):
        assert text.replace(" ", "").rstrip().endswith(f"—{n}—"), (n, text[-20:])
    whole = "".join(t.replace("\n", "") for t in texts)
    for unit in job.context["units"]:
        assert unit["heading"] in whole
    assert whole.count("任务分解总表") == 1           # the summary once, at the start
