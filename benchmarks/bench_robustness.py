"""The corpus laid out the ways real pages arrive: task F1 and unit F1 of each way (run on purpose:
`make bench`; the test that holds them at 0.97 of the plain text's is tests/robustness/).

Prints one row a way, over the whole corpus beside the project (../shared/corpus), scored with
the corpus scorer's matching, the parser run in this process; with `--docs`, the documents that
lost tasks or units under each way.
"""
from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.robustness import measure  # noqa: E402
from tests.robustness.ways import WAYS  # noqa: E402


def main(argv: list[str]) -> int:
    if not measure.available():
        print("bench_robustness: the shared corpus is not beside the project; nothing measured")
        return 0
    import jieba

    jieba.setLogLevel(logging.WARNING)   # its start-up notes are not figures (set after its import: it sets DEBUG)
    started = time.perf_counter()
    base, base_docs = measure.score_way(WAYS["plain"])
    print(f"robustness over {len(base_docs)} corpus documents (task F1, unit F1; ratio to the plain text)")
    print(f"{'way':<14} {'task F1':>8} {'ratio':>6} {'unit F1':>8} {'ratio':>6}")
    for name, way in WAYS.items():
        total, docs = (base, base_docs) if name == "plain" else measure.score_way(way)
        print(f"{name:<14} {total.task_f1:8.3f} {total.task_f1 / base.task_f1:6.3f} "
              f"{total.unit_f1:8.3f} {total.unit_f1 / base.unit_f1:6.3f}")
        if "--docs" in argv:
            for doc, c in docs.items():
                b = base_docs[doc]
                if (c.tp, c.utp) < (b.tp, b.utp):
                    print(f"    {doc}: tasks {c.tp}/{c.ngold} (plain {b.tp}), units {c.utp}/{c.ugold} (plain {b.utp})")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        measure.as_docx(folder)
        measure.as_html(folder)
        files = [(".docx", "a Word file, tables as real cells"), (".html", "a web page, tables as <table>")]
        for suffix, what in files:
            total, _ = measure.score_files(folder, suffix)
            print(f"{suffix[1:]:<14} {total.task_f1:8.3f} {total.task_f1 / base.task_f1:6.3f} "
                  f"{total.unit_f1:8.3f} {total.unit_f1 / base.unit_f1:6.3f}   ({what})")
        if soffice is None:
            print("pdf: LibreOffice is not installed; not measured")
        else:
            for source, what in (("docx", "the Word file laid out by LibreOffice, read from the PDF"),
                                 ("txt", "the text laid out by LibreOffice, read from the PDF")):
                if source == "txt":
                    measure.as_pdf(folder, soffice)
                else:
                    measure.convert(folder, soffice, sorted(folder.glob("*.docx")))
                total, _ = measure.score_files(folder, ".pdf")
                print(f"{'pdf of ' + source:<14} {total.task_f1:8.3f} {total.task_f1 / base.task_f1:6.3f} "
                      f"{total.unit_f1:8.3f} {total.unit_f1 / base.unit_f1:6.3f}   ({what})")
    print(f"{len(WAYS)} ways in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
