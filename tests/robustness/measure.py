"""The corpus scored in-process, a way at a time, with the corpus scorer's own matching.

The scorer (`../shared/tools/score_corpus.py`) runs the parser as a command, once a document;
here its functions (`match_tasks`, `norm`, `prf`) are imported from its file and the parser
runs in this process, so that every way of every document is scored in seconds and by the same
rules as `score_corpus.py`.
"""
from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from .ways import Way

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SCORER = ROOT.parent / "shared" / "tools" / "score_corpus.py"


def available() -> bool:
    return (CORPUS / "gold").is_dir() and (CORPUS / "docs").is_dir() and SCORER.is_file()


@functools.lru_cache(maxsize=1)
def scorer():
    """The corpus scorer as a module (its file is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("score_corpus", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Doc:
    name: str
    text: str
    gold: dict


@functools.lru_cache(maxsize=1)
def corpus() -> tuple[Doc, ...]:
    docs = []
    for gold_path in sorted((CORPUS / "gold").glob("*.json")):
        text = (CORPUS / "docs" / f"{gold_path.stem}.txt").read_text(encoding="utf-8")
        docs.append(Doc(gold_path.stem, text, json.loads(gold_path.read_text(encoding="utf-8"))))
    return tuple(docs)


@dataclass
class Count:
    """The scorer's counts for task F1 and unit F1, added up over documents."""
    tp: int = 0
    npred: int = 0
    ngold: int = 0
    utp: int = 0
    upred: int = 0
    ugold: int = 0

    def add(self, other: "Count") -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def task_f1(self) -> float:
        return scorer().prf(self.tp, self.npred, self.ngold)[2]

    @property
    def unit_f1(self) -> float:
        return scorer().prf(self.utp, self.upred, self.ugold)[2]


def parsed_tasks(text: str, name: str) -> list[dict]:
    """The tasks of a text, as the plan JSON gives them (CONTRACT.md)."""
    from parser import parse_text

    return parse_text(text, name + ".txt").to_dict()["tasks"]


def score(gold: dict, tasks: list[dict]) -> tuple[Count, list]:
    """Counts as `score_corpus.py` makes them for one document, and the (gold, predicted) pairs."""
    s = scorer()
    preds = [t for t in tasks if t.get("departments")]
    pairs = s.match_tasks(gold["tasks"], preds)
    c = Count(npred=len(preds), ngold=len(gold["tasks"]))
    for g, p in pairs:
        if p is None:
            continue
        c.tp += 1
        gunits = {(s.norm(u["name"]), u["role"]) for u in g.get("departments", [])}
        punits = {(s.norm(u.get("name", "")), u.get("role")) for u in p.get("departments", [])}
        c.utp += len(gunits & punits)
        c.upred += len(punits)
        c.ugold += len(gunits)
    return c, pairs


def score_doc(doc: Doc, way: Way) -> tuple[Count, list]:
    return score(way.gold(doc.gold), parsed_tasks(way.text(doc.text), doc.name))


def score_way(way: Way, docs=None) -> tuple[Count, dict[str, Count]]:
    """The whole corpus (or `docs`) laid out one way: the total counts, and each document's."""
    total, each = Count(), {}
    for doc in docs or corpus():
        each[doc.name] = score_doc(doc, way)[0]
        total.add(each[doc.name])
    return total, each


def as_pdf(folder: Path, soffice: str) -> None:
    """The corpus's texts written to `folder` and converted there to PDF in one LibreOffice run
    (the way the apart set is judged as PDF: laid out on A4 by a real layout engine)."""
    texts = []
    for doc in corpus():
        path = folder / f"{doc.name}.txt"
        path.write_text(doc.text, encoding="utf-8")
        texts.append(path)
    convert(folder, soffice, texts, "--infilter=Text (encoded):UTF8,LF,,,")


def convert(folder: Path, soffice: str, files: list[Path], *options: str) -> None:
    """`files` converted to PDF into `folder` in one LibreOffice run."""
    import subprocess

    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo-profile", *options,
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)],
                   check=True, capture_output=True, timeout=600)


def score_files(folder: Path, suffix: str) -> tuple[Count, dict[str, Count]]:
    """The corpus read from files `folder/NAME{suffix}` (made by as_pdf, say), scored as score_way."""
    from parser import parse_file

    total, each = Count(), {}
    for doc in corpus():
        each[doc.name] = score(doc.gold, parse_file(folder / f"{doc.name}{suffix}").to_dict()["tasks"])[0]
        total.add(each[doc.name])
    return total, each


def _blocks(text: str):
    """A text's lines as ("p", line) and ("table", rows of cells): runs of `a | b |` lines are a table."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].count("|") >= 2:
            rows = []
            while i < len(lines) and lines[i].count("|") >= 2:
                cells = [c.strip() for c in lines[i].split("|")]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(cells)
                i += 1
            yield "table", rows
            continue
        yield "p", lines[i]
        i += 1


def as_docx(folder: Path) -> None:
    """The corpus's texts as Word files: a paragraph a line, and a Word table (real cells) for
    each run of `a | b |` rows, as an office that typed the circular in Word would have it."""
    import docx

    for doc in corpus():
        document = docx.Document()
        for kind, value in _blocks(doc.text):
            if kind == "p":
                document.add_paragraph(value)
                continue
            table = document.add_table(rows=len(value), cols=max(len(r) for r in value))
            for r, row in enumerate(value):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        document.save(folder / f"{doc.name}.docx")


def as_html(folder: Path) -> None:
    """The corpus's texts as web pages: a <p> a line, and a <table> for each run of `a | b |` rows."""
    import html

    for doc in corpus():
        parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body>"]
        for kind, value in _blocks(doc.text):
            if kind == "p":
                parts.append(f"<p>{html.escape(value)}</p>")
                continue
            parts.append("<table>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                                             for row in value) + "</table>")
        parts.append("</body></html>")
        (folder / f"{doc.name}.html").write_text("\n".join(parts), encoding="utf-8")
