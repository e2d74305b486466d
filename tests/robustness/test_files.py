"""Every corpus circular as the files it arrives in gives the tasks of its text: a Word file with
real tables, a web page with <table>s, a PDF made by LibreOffice from the text, and a PDF made by
LibreOffice from that Word file (a table's grid, no bars).

The PDFs are the way the apart set is judged as PDF: the text laid out on A4 by a real layout
engine and read back from the PDF's text layer (the layout's own wraps, the gap it leaves between
Chinese and digits, quotation marks set in another font).  Scored with the corpus scorer's
matching against the same 0.97 of the plain text's figures as every other way.
"""
from __future__ import annotations

import shutil

import pytest

from . import measure
from .ways import WAYS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
RATIO = 0.97
needs_soffice = pytest.mark.skipif(SOFFICE is None,
                                   reason="LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")

pytestmark = pytest.mark.skipif(not measure.available(), reason="the shared corpus is not beside the project")


def keeps_the_plain_figures(folder, suffix: str, what: str) -> None:
    base, base_docs = measure.score_way(WAYS["plain"])
    total, docs = measure.score_files(folder, suffix)
    lost = [f"{d} ({c.tp}/{base_docs[d].tp} tasks, {c.utp}/{base_docs[d].utp} units)" for d, c in sorted(docs.items())
            if (c.tp, c.utp) < (base_docs[d].tp, base_docs[d].utp)]
    said = (f"{what}: task F1 {total.task_f1:.3f} (plain {base.task_f1:.3f}), unit F1 {total.unit_f1:.3f} "
            f"(plain {base.unit_f1:.3f}); documents that lost tasks or units: {', '.join(lost) or 'none'}")
    assert total.task_f1 >= RATIO * base.task_f1, said
    assert total.unit_f1 >= RATIO * base.unit_f1, said


def test_the_corpus_as_word_files_with_real_tables(tmp_path):
    measure.as_docx(tmp_path)
    keeps_the_plain_figures(tmp_path, ".docx", "as .docx")


def test_the_corpus_as_web_pages_with_tables(tmp_path):
    measure.as_html(tmp_path)
    keeps_the_plain_figures(tmp_path, ".html", "as .html")


@needs_soffice
def test_the_corpus_as_pdf_of_its_text(tmp_path):
    measure.as_pdf(tmp_path, SOFFICE)
    keeps_the_plain_figures(tmp_path, ".pdf", "as PDF of the text")


@needs_soffice
def test_the_corpus_as_pdf_of_word_files(tmp_path):
    measure.as_docx(tmp_path)
    measure.convert(tmp_path, SOFFICE, sorted(tmp_path.glob("*.docx")))
    keeps_the_plain_figures(tmp_path, ".pdf", "as PDF of a Word file")
