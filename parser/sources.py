"""The only reader of inputs: turns a .txt, .docx, .html, .pdf or .doc file into numbered lines.

What `line` means, per format (every task's `line` points here):
- .txt:  the 1-based text line.
- .pdf:  the 1-based line of the text layer, pages one after the other (pdfium's reading order).
- .doc, .wps: as .docx, after LibreOffice has converted the file.
- .docx: the 1-based ordinal of the body's blocks in document order: each paragraph is one
         line and each table row is one line, whose `cells` hold the row's cell texts.
- .html: the 1-based ordinal of the article's text blocks (paragraphs, headings, list items,
         table rows with their cells), after navigation, scripts and footer are dropped.
"""
from __future__ import annotations

import codecs
import collections
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import regex

from .errors import SourceError
from .limits import MAX_INPUT_MB, MB, read_limited  # noqa: F401  (read_limited: the readers' own)
from .model import Notice, Plan, SourceInfo, plan_from_dict

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
DOCX_SUFFIXES = {".docx"}
PDF_SUFFIXES = {".pdf"}
LEGACY_SUFFIXES = {".doc", ".wps"}           # Word 97-2003 and WPS: converted by LibreOffice
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_SECONDS = 120
KINDS = ".txt, .docx, .html, .pdf or .doc"
TEXT_MB = 5               # a circular of a thousand pages
# a .docx's parts together inflate to no more than this: Word's markup around 5 MB of text
# (runs, properties, a table's cells) is a few times the text; more is a zip bomb, and
# reading it would cost far more than the time and memory the command may take
MAX_INFLATED_MB = 8 * TEXT_MB
MAX_RATIO = 200            # nor may a part inflate more than this many times its compressed size
MAX_PARTS = 10_000         # parts in a package (a letter with its images has a few dozen)
CHUNK = 256 * 1024
MAX_SPAN = 64              # columns a merged table cell may stand in
REPLACED = "\ufffd"          # what a byte the encoding does not allow is decoded as
# format characters (Unicode category Cf): zero-width space, joiners, direction marks and overrides,
# the soft hyphen, a BOM inside the text; invisible, so no part of any name a reader sees
INVISIBLE = regex.compile(r"\p{Cf}")
CONTROLS = {c: " " for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F]}   # all but \t and \n


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    cells: Optional[tuple[str, ...]] = None   # a table row's cells, when the source has real cells
    # a PDF's line that ends its sentence at the right margin, where the layout may have wrapped
    # it (True), or not (False); None: the source does not say
    full: Optional[bool] = None


@dataclass(frozen=True)
class Document:
    lines: tuple[Line, ...]
    info: SourceInfo
    notices: tuple[Notice, ...] = ()      # what the reading had to mend: bytes not in the encoding


def read_document(path: Path | str, max_mb: float = MAX_INPUT_MB) -> Document:
    """Read a circular from disk; a file larger than `max_mb` megabytes is refused unread.

    Raises SourceError for a missing, empty, too large, binary or corrupt file, or an unknown kind.
    """
    path = Path(path)
    data = read_limited(path, max_mb, "a circular")
    return read_bytes(data, name=str(path))


def read_plan_json(path: Path | str, max_mb: float = MAX_INPUT_MB, written_sha256: Optional[str] = None) -> Plan:
    """A plan JSON written by `plandoc parse`, possibly corrected by hand.

    `written_sha256`: the digest the caller recorded when it wrote this file itself; a file that
    still has it is not checked against the schema again (a rebuild reads its previous plan).
    Raises SourceError naming the file and the first field that is wrong.
    """
    path = Path(path)
    raw = read_limited(path, max_mb, "a plan")
    try:
        data = json.loads(raw.decode("utf-8-sig"))      # a BOM from an editor is fine
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{path}: not a plan JSON: {exc}") from None
    except RecursionError:
        raise SourceError(f"{path}: not a plan JSON: nested too deep") from None
    own = written_sha256 is not None and hashlib.sha256(raw).hexdigest() == written_sha256
    problem = None if own else _plan_problem(data)
    if problem:
        raise SourceError(f"{path}: not a plan JSON written by `plandoc parse`: {problem}")
    data, removed = _without_invisible(data)
    try:
        plan = plan_from_dict(data)
    except ValueError as exc:
        raise SourceError(f"{path}: not a plan JSON written by `plandoc parse`: {exc}") from None
    if removed:         # edited by hand (or pasted from a web page): said in the plan's warnings
        plan = dataclasses.replace(plan, warnings=plan.warnings + (Notice(
            "invisible-characters", 1, f"{removed} invisible or direction-control character(s) removed from "
                                       "the plan's texts: names that look the same are the same"),))
    return plan


def _without_invisible(value) -> tuple[object, int]:
    """A JSON value with the invisible format characters taken out of every string, and how many."""
    if isinstance(value, str):
        folded, n = INVISIBLE.subn("", value)
        return folded, n
    if isinstance(value, list):
        items = [_without_invisible(v) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        items = {k: _without_invisible(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, sum(n for _, n in items.values())
    return value, 0


def _plan_problem(data) -> Optional[str]:
    """What is wrong with a plan JSON, naming the field, or None: the published schema first,
    then what no schema says (a control character or a lone surrogate in a text)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_plan_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        return f"{_json_path(error.absolute_path) or 'the plan'}: {error.message[:200]}"
    for where, text in _strings(data, ()):
        if any(ord(c) < 32 and c not in "\t\n" or 0xD800 <= ord(c) <= 0xDFFF for c in text):
            return f"{_json_path(where)}: holds a control character or a lone surrogate"
    return None


@functools.lru_cache(maxsize=1)
def _plan_schema() -> dict:
    return json.loads((Path(__file__).with_name("data") / "plan.schema.json").read_text(encoding="utf-8"))


def _strings(value, where: tuple):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, where + (k,))
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _strings(v, where + (n,))


def _json_path(parts) -> str:
    """tasks, 3, departments, 0, name -> tasks[3].departments[0].name"""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def read_bytes(data: bytes, name: str = "<input>") -> Document:
    """Read a circular from bytes; the kind comes from the content, then the name's suffix.

    Control characters in the text (Word's manual line break \v pasted into a title, a stray
    \x0c) become spaces, one for one: they are no part of the words, and no XML may hold them.
    """
    document = _read(data, name)
    lines = tuple(dataclasses.replace(l, text=l.text.translate(CONTROLS),
                                      cells=None if l.cells is None else tuple(c.translate(CONTROLS) for c in l.cells))
                  for l in document.lines)
    lines, notice = _visible(lines)
    return dataclasses.replace(document, lines=lines, notices=document.notices + notice)


def _visible(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], tuple[Notice, ...]]:
    """The lines without invisible format characters (zero-width spaces and joiners, direction
    controls, soft hyphens, a BOM inside the text), and a notice saying which were removed.
    Web pages carry zero-width spaces: one inside 办公室 moved tasks out of that unit's letter
    under a name that looked the same, and a right-to-left override made a folder ‮fdp.exe
    read as exe.pdf.

    >>> _visible((Line(1, "办\u200b公室牵头"),))[0][0].text
    '办公室牵头'
    """
    found: collections.Counter = collections.Counter()
    where: list[int] = []
    out = []
    for line in lines:
        texts = (line.text,) + (line.cells or ())
        if not any(INVISIBLE.search(t) for t in texts):
            out.append(line)
            continue
        for t in texts[:1] if line.cells is None else texts[1:]:
            found.update(INVISIBLE.findall(t))
        where.append(line.number)
        out.append(dataclasses.replace(line, text=INVISIBLE.sub("", line.text),
                                       cells=None if line.cells is None else tuple(INVISIBLE.sub("", c) for c in line.cells)))
    if not where:
        return lines, ()
    kinds = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'FORMAT CHARACTER')}" for c, _ in found.most_common(3))
    more = ", …" if len(found) > 3 else ""
    return tuple(out), (Notice("invisible-characters", where[0],
                               f"{sum(found.values())} invisible or direction-control character(s) ({kinds}{more}) "
                               f"on {len(where)} line(s) removed: names that look the same are the same"),)


def _read(data: bytes, name: str) -> Document:
    if not data.strip():
        raise SourceError(f"{name}: the file is empty")
    suffix = Path(name).suffix.lower()
    sha = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04" or suffix in DOCX_SUFFIXES:
        lines = _docx_lines(data, name)
        return Document(lines, SourceInfo(name, sha, "docx", None))
    if data[:5] == b"%PDF-" or suffix in PDF_SUFFIXES:
        return Document(_pdf_lines(data, name), SourceInfo(name, sha, "pdf", None))
    if data[:8] != OLE_MAGIC and suffix in LEGACY_SUFFIXES and not data.lstrip()[:5] == b"{\\rtf":
        # LibreOffice converts anything: a 45 MB text named .doc took 24 s and 723 MB, and was
        # then refused for a word/document.xml the user never gave
        raise SourceError(f"{name}: named {suffix} but {_what_it_is(data)}, not a Word 97-2003 or WPS document "
                          f"(give it its own suffix)")
    if data[:8] == OLE_MAGIC or suffix in LEGACY_SUFFIXES:
        return Document(_docx_lines(_converted_to_docx(data, name), name), SourceInfo(name, sha, "doc", None))
    text, encoding = decode_text(data, name)
    if suffix in HTML_SUFFIXES or _looks_like_html(text):
        lines, kind = _html_lines(text, name), "html"
    elif suffix not in TEXT_SUFFIXES and suffix not in {".csv", ".log"}:
        raise SourceError(f"{name}: unsupported kind of file '{suffix}'; give a {KINDS} circular")
    else:
        lines, kind = tuple(Line(i, t) for i, t in enumerate(_split_lines(text), 1)), "txt"
    return Document(lines, SourceInfo(name, sha, kind, encoding), _mended(lines, encoding))


def _what_it_is(data: bytes) -> str:
    """What a file's first bytes say it is, for a message."""
    head = data[:512].lstrip()
    if head.lower().startswith((b"<!doctype html", b"<html")):
        return "it is a web page (.html)"
    if b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                data[:4096].decode(encoding)
                return "it is plain text (.txt)"
            except UnicodeDecodeError as exc:
                if exc.start > 4090:      # a character cut at the end of the sample
                    return "it is plain text (.txt)"
    return "it is of no kind plandoc reads"


def _mended(lines: tuple[Line, ...], encoding: str) -> tuple[Notice, ...]:
    """A warning for the bytes the decoding replaced (shown as �), at the first line holding one."""
    bad = [(line.number, line.text.count(REPLACED)) for line in lines if REPLACED in line.text]
    if not bad:
        return ()
    count = sum(n for _, n in bad)
    return (Notice("undecodable-bytes", bad[0][0],
                   f"{count} byte sequence(s) on {len(bad)} line(s) are not valid {encoding}; shown as {REPLACED}"),)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode text bytes, detecting the encoding: UTF-8 (BOM or not), UTF-16 with BOM, GB18030.

    Raises SourceError when the bytes are not text in any of them.
    """
    if data.startswith(codecs.BOM_UTF8):
        # the BOM says UTF-8: a bad byte in it is damage, mended and warned of, not another encoding
        return _checked(data[3:].decode("utf-8", errors="replace"), name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), name), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise SourceError(f"{name}: binary data, not a text circular (give a {KINDS} file)")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), name), encoding
        except UnicodeDecodeError:
            continue
    # a few bad bytes (a file cut mid-character, one damaged byte) do not make a text binary:
    # the encoding that needs the fewest replacements, when they are few, mended and warned of
    encoding, text = min(((e, data.decode(e, errors="replace")) for e in ("utf-8", "gb18030")),
                         key=lambda et: et[1].count(REPLACED))
    if text.count(REPLACED) <= max(4, len(text) // 1000):
        return _checked(text, name), encoding
    from charset_normalizer import from_bytes  # only for the rare file that is neither

    best = from_bytes(data).best()
    if best is None:
        raise SourceError(f"{name}: not text in any known encoding (give a {KINDS} file)")
    return _checked(str(best), name), best.encoding


def _checked(text: str, name: str) -> str:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f\v")
    if controls > max(8, len(text) // 100):
        raise SourceError(f"{name}: binary data, not a text circular (give a {KINDS} file)")
    return text


def _split_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


# --- .pdf and .doc --------------------------------------------------------------------------

@dataclass
class _PdfLine:
    text: str
    top: float
    bottom: float
    right: float
    lead: float = 0.0       # the width of its first word (a run of Latin letters or digits, or one character)
    left: float = 0.0
    starts: tuple[float, ...] = ()     # where each of its cells begins (tabs part them)


def _pdf_lines(data: bytes, name: str) -> tuple[Line, ...]:
    """The text layer of a PDF, line by line in reading order; a line that runs to the right
    margin without closing punctuation was wrapped by the layout and is joined to the next."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise SourceError(f"{name}: not a readable PDF ({exc})") from None
    rows: list[_PdfLine] = []
    work = 0
    try:
        if len(pdf) > MAX_PDF_PAGES:        # a page tree that names one page a million times
            raise SourceError(f"{name}: refused: {len(pdf):,} pages, more than the {MAX_PDF_PAGES:,} a circular "
                              "may have (a damaged or hostile PDF)")
        for number in range(len(pdf)):
            try:
                page = pdf[number]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:     # a page tree that loops back on itself
                raise SourceError(f"{name}: page {number + 1} cannot be read ({exc}; a damaged PDF)") from None
            # each piece's text is looked up among all the page's characters: pieces × characters
            # is the cost, which a page of 100,000 tiny text objects made run for minutes
            cost = textpage.count_rects() * textpage.count_chars()
            work += cost
            if cost > MAX_PAGE_WORK or work > MAX_PDF_WORK:
                raise SourceError(f"{name}: refused: page {number + 1} holds {textpage.count_rects():,} pieces of "
                                  "text, more than the pages of a circular do (a damaged or hostile PDF)")
            rows.extend(_page_lines(textpage))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if not any(r.text.strip() for r in rows):
        raise SourceError(f"{name}: the PDF has no text layer (a scan?); run it through OCR first, "
                          "or give the circular as .docx or .txt")
    # a line that runs to the right margin was wrapped there by the layout, unless it ends its
    # sentence there: then parser/unwrap.py decides from the next line, as for any wrapped text
    margin = max(r.right for r in rows)
    lines: list[Line] = []
    wrapped = False
    row: Optional[_PdfLine] = None       # the last row of a table's cells (parted by tabs)
    row_gap = 0.0                        # the space above that row
    for k, r in enumerate(rows):
        gap = rows[k - 1].bottom - r.top if k else 0.0
        placed = _in_cells(row, row_gap, r, gap) if row is not None and not wrapped else None
        if placed is not None:
            # the text of cells that wrap inside them, under their starts, between rows
            cells = lines[-1].text.split("\t")
            for column, piece in placed:
                cells[column] += piece
            lines[-1] = Line(lines[-1].number, "\t".join(cells))
            continue
        row, row_gap = (r, gap) if "\t" in r.text.strip() else (None, 0.0)
        if wrapped:
            lines[-1] = Line(lines[-1].number, lines[-1].text + r.text)
        else:
            lines.append(Line(len(lines) + 1, r.text))
        if row is not None:
            wrapped = False       # a row ends where its cells do, at the margin or not
            continue
        text = r.text.rstrip()
        # short of the margin by less than two characters and a half, or than the next line's
        # first word: a word of digits (9500元) is not cut, and waits for the next line whole
        room = max(2.5 * (r.top - r.bottom), rows[k + 1].lead + 0.5 * (r.top - r.bottom) if k + 1 < len(rows) else 0)
        full = bool(text) and r.right >= margin - room
        wrapped = full and text[-1] not in PDF_LINE_ENDS
        if full and not wrapped:
            lines[-1] = Line(lines[-1].number, lines[-1].text, full=True)
    return tuple(Line(l.number, l.text, full=bool(l.full)) for l in lines)


def _in_cells(row: "_PdfLine", row_gap: float, line: "_PdfLine", gap: float) -> Optional[list[tuple[int, str]]]:
    """Where the pieces of `line` go among the cells of the table row above it, as (cell, text),
    when it holds text those cells wrap onto: closer under the row than the row is under what
    came before it (rows are parted by their cells' padding), or, where the two are alike, one
    piece under a cell after the first that fits its column.  None when it begins a line of its own."""
    if not line.text.strip() or gap < 0:
        return None     # a new page
    height = (row.top - row.bottom) or 1.0
    pieces = [p.strip() for p in line.text.split("\t")]
    starts = line.starts if len(line.starts) == len(pieces) else (line.left,)

    def cell(x: float) -> Optional[int]:
        near = [k for k, start in enumerate(row.starts) if start - 0.6 * height <= x]
        return near[-1] if near and abs(row.starts[near[-1]] - x) <= 0.6 * height else None

    if gap < row_gap - 0.3 * height:
        columns = [cell(x) for x in starts]
        if None not in columns and columns == sorted(set(columns)):
            return [(c, p) for c, p in zip(columns, pieces)]
        return None
    if len(pieces) == 1:
        column = cell(line.left)
        end = row.starts[column + 1] if column is not None and column + 1 < len(row.starts) else None
        if column and (end is None or line.right <= end):
            return [(column, pieces[0])]
    return None


PDF_LINE_ENDS = "。；;！!？?：:）)]］】〕》」』”|｜"   # and a table cell's bar
MAX_PDF_PAGES = 3000        # a circular of a thousand pages, with room
# pieces of text × characters, the cost of reading a page's text (see _pdf_lines): a dense page
# of a circular is ~40 pieces × 1,600 characters (a dense English manual: 0.6 million); the
# document's bound is about 8 s of it
MAX_PAGE_WORK = 20_000_000
MAX_PDF_WORK = 300_000_000


def _page_lines(textpage) -> list[_PdfLine]:
    """The page's characters grouped into lines, each character once and in the order of its
    place on the line (not of the content stream, where a quotation mark set in another font
    comes after its line: read by the boxes of text runs, which overlap, it came twice or apart).
    The spaces pdfium makes up are left out; a gap between two characters wider than
    `SPACE_GAPS` of the line's height is a space, wider than `CELL_GAP` a tab (the cells of a
    table, which parser/outline.py reads as cells); the narrow gap a layout leaves between
    Chinese and a digit (2016 年) is neither."""
    import ctypes

    import pypdfium2.raw as raw

    text = textpage.get_text_range()
    box = raw.FS_RECTF()
    chars: list[tuple[float, float, float, float, str]] = []      # (top, bottom, left, right, char)
    for i, ch in enumerate(text[:textpage.count_chars()]):
        if ch in "\r\n" or raw.FPDFText_IsGenerated(textpage.raw, i) == 1:
            continue
        # the glyph's advance and the font's height, not its ink: a comma's ink is a dot at
        # the left of the space it takes, which would read as a gap after it
        raw.FPDFText_GetLooseCharBox(textpage.raw, i, ctypes.byref(box))
        chars.append((box.top, box.bottom, box.left, box.right, ch))
    chars.sort(key=lambda c: (-c[0], c[2]))
    groups: list[list[tuple]] = []
    bands: list[list[float]] = []      # each line's [top, bottom], from its glyphs
    for c in chars:
        top, bottom = c[0], c[1]
        band = bands[-1] if bands else None
        # a glyph shares half its height with the line (a comma's or a quotation mark's small
        # box too); a space's box is its baseline, inside the band
        if band and (min(band[0], top) - max(band[1], bottom) > 0.5 * (top - bottom) if top > bottom
                     else band[1] <= top <= band[0]):
            groups[-1].append(c)
        else:
            groups.append([c])
            bands.append([top, bottom])
    out = []
    for g, (top, bottom) in zip(groups, bands):
        g.sort(key=lambda c: c[2])
        height = (top - bottom) or 1.0
        pieces = []
        starts = [g[0][2]]
        for k, c in enumerate(g):
            if k and not c[4].isspace() and not g[k - 1][4].isspace():
                gap = c[2] - g[k - 1][3]
                if gap > CELL_GAP * height:
                    pieces.append("\t")
                    starts.append(c[2])
                elif gap > SPACE_GAPS[bool(HAN.match(c[4])) + bool(HAN.match(g[k - 1][4]))] * height:
                    pieces.append(" ")
            pieces.append(c[4])
        word = next((k for k, c in enumerate(g) if not WORD_CHAR.match(c[4])), len(g))
        lead = g[max(word, 1) - 1][3] - g[0][2]
        first = next((c for c in g if not c[4].isspace()), g[0])
        out.append(_PdfLine("".join(pieces), top, bottom, max(c[3] for c in g), lead, first[2], tuple(starts)))
    return out


WORD_CHAR = regex.compile(r"[0-9A-Za-z.,%]")     # a Latin word or a figure, which a layout does not cut
HAN = regex.compile(r"\p{Han}")
# the gap that is a space, of a line's height, by how many of the two characters are Chinese:
# Latin letters and digits touch; between Chinese and Latin a layout leaves 0.22 of its own
# (2016 年), which is no space, while a space set there measures 0.35; Chinese characters touch
SPACE_GAPS = (0.15, 0.3, 0.2)
CELL_GAP = 0.9      # wider than any gap inside a sentence: the space between two cells of a table


def _converted_to_docx(data: bytes, name: str) -> bytes:
    """A .doc or .wps file converted to .docx by LibreOffice, headless, in a folder of its own."""
    import shutil
    import subprocess
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SourceError(f"{name}: reading .doc and .wps files needs LibreOffice (Debian package "
                          "libreoffice-writer-nogui); or save the file as .docx")
    with tempfile.TemporaryDirectory(prefix="plandoc-") as tmp:
        source = Path(tmp) / ("circular" + (Path(name).suffix.lower() or ".doc"))
        source.write_bytes(data)
        argv = [soffice, "--headless", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
                "--convert-to", "docx", "--outdir", str(Path(tmp, "out")), str(source)]
        # a session of its own, so that on a timeout its whole process group is killed: soffice
        # starts soffice.bin, which went on running after plandoc gave up
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=CONVERT_SECONDS)
        except BaseException as exc:          # the timeout, or Ctrl-C while it converts
            _kill_group(proc)
            if isinstance(exc, subprocess.TimeoutExpired):
                raise SourceError(f"{name}: LibreOffice took more than {CONVERT_SECONDS} s to convert it") from None
            raise
        _kill_group(proc)                     # what it left running behind it
        converted = Path(tmp, "out", "circular.docx")
        if not converted.is_file():
            raise SourceError(f"{name}: LibreOffice could not convert it to .docx (a damaged file?)")
        return converted.read_bytes()


def _kill_group(proc) -> None:
    """End the process and every process of its group (Linux; elsewhere the process alone)."""
    import signal
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        try:
            proc.kill()
        except OSError:
            pass
    proc.wait()


# --- .docx -------------------------------------------------------------------------------

def _docx_lines(data: bytes, name: str) -> tuple[Line, ...]:
    _check_inflation(data, name)
    try:
        import docx
        from docx.oxml.ns import qn
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(f"{name}: not a readable .docx file ({exc})") from None
    except Exception as exc:  # lxml and python-docx raise many kinds on a corrupt package
        raise SourceError(f"{name}: not a readable .docx file ({type(exc).__name__})") from None
    lines: list[Line] = []
    body = document.element.body
    numbering = _AutoNumbering(document)
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Line(len(lines) + 1, numbering.numeral(child) + _paragraph_text(child)))
        elif child.tag == qn("w:tbl"):
            above: list[str] = []
            for row in child.iter(qn("w:tr")):
                cells = _row_cells(row, above, qn)
                above = cells
                lines.append(Line(len(lines) + 1, " | ".join(cells), tuple(cells)))
    return tuple(lines)


def _row_cells(row, above: list[str], qn) -> list[str]:
    """A table row's cells, one per grid column: a cell merged across columns (gridSpan) stands
    in each of them, and one merged down from the row above (vMerge) repeats that row's text, so
    that every row reads as the table shows it (a unit given once for a group of rows)."""
    cells: list[str] = []
    for tc in row.iterchildren(qn("w:tc")):
        props = tc.find(qn("w:tcPr"))
        span = props.find(qn("w:gridSpan")) if props is not None else None
        merge = props.find(qn("w:vMerge")) if props is not None else None
        try:
            width = max(1, min(int(span.get(qn("w:val"), "1")), MAX_SPAN)) if span is not None else 1
        except ValueError:
            width = 1
        if merge is not None and merge.get(qn("w:val"), "continue") == "continue":
            text = above[len(cells)] if len(cells) < len(above) else ""
        else:
            paras = [_paragraph_text(p) for p in tc.iter(qn("w:p"))]
            text = "\n".join(p for p in paras if p.strip()).strip()
        cells.extend([text] * width)
    return cells


def _check_inflation(data: bytes, name: str, limit_mb: float = None, what: str = ".docx") -> None:
    """Refuse a zip package (.docx) whose parts inflate beyond reason, before anything parses
    them.  The parts are inflated here, a chunk at a time, and the bytes counted as they come:
    what the zip's headers say is not believed (a 1 MB file whose headers lied was refused only
    after 1.99 GB), and no more than the limit is ever inflated.  Raises SourceError."""
    limit = int((MAX_INFLATED_MB if limit_mb is None else limit_mb) * MB)
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_PARTS:
                raise SourceError(f"{name}: refused: {len(infos)} parts in the package, more than the "
                                  f"{MAX_PARTS} a {what} holds (a damaged or hostile {what})")
            for info in infos:
                size = 0
                with z.open(info) as part:
                    while chunk := part.read(CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if total > limit:
                            raise SourceError(
                                f"{name}: refused: its parts inflate to more than {limit // MB} MB "
                                f"(a thousand pages of text are about {TEXT_MB} MB; a damaged or hostile {what})")
                        if size > MB and size > MAX_RATIO * max(info.compress_size, 1):
                            raise SourceError(f"{name}: refused: {info.filename[:80]} inflates more than "
                                              f"{MAX_RATIO} times (a damaged or hostile {what})")
    except SourceError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
            RuntimeError) as exc:         # RuntimeError: an encrypted part
        raise SourceError(f"{name}: not a readable {what} file ({str(exc)[:120] or type(exc).__name__})") from None
    except Exception as exc:          # zlib.error and the like from a corrupt stream
        raise SourceError(f"{name}: not a readable {what} file ({type(exc).__name__})") from None


CN_DIGITS = "零一二三四五六七八九"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


class _AutoNumbering:
    """Word's automatic list numbers, which are not in the paragraph text: rebuilt from
    numbering.xml (the level's format and text such as "%1." or "（%1）") so that an item keeps
    the numeral the reader sees."""

    def __init__(self, document):
        from docx.oxml.ns import qn
        self.qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        self.styles = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for an in root.iter(qn("w:abstractNum")):
            lvls = {}
            for lvl in an.iter(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                level = _level(lvl.get(qn("w:ilvl")))
                if level is None:
                    continue          # a level Word would not show either
                lvls[level] = (
                    (fmt.get(qn("w:val")) if fmt is not None else None) or "decimal",
                    (text.get(qn("w:val")) if text is not None else None) or "",
                    _start(start.get(qn("w:val")) if start is not None else None))
            abstract[an.get(qn("w:abstractNumId"))] = lvls
        for num in root.iter(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None and ref.get(qn("w:val")) in abstract:
                self.levels[num.get(qn("w:numId"))] = abstract[ref.get(qn("w:val"))]
        for style in document.styles.element.iter(qn("w:style")):
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                self.styles[style.get(qn("w:styleId"))] = num_pr

    def numeral(self, p) -> str:
        if not self.levels:
            return ""
        qn = self.qn
        ppr = p.find(W_PPR)
        if ppr is None:
            return ""
        num_pr = ppr.find(W_NUMPR)
        if num_pr is None:
            style = ppr.find(qn("w:pStyle"))
            num_pr = self.styles.get(style.get(qn("w:val"))) if style is not None else None
        if num_pr is None:
            return ""
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        num_id = num_id.get(qn("w:val")) if num_id is not None else None
        level = _level(ilvl.get(qn("w:val")) if ilvl is not None else None)
        levels = self.levels.get(num_id)
        if not levels or level not in levels:
            return ""
        if level is None:
            return ""
        counters = self.counters.setdefault(num_id, [0] * MAX_LEVELS)
        counters[level] += 1
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        fmt, text, _ = levels[level]
        if fmt in ("bullet", "none"):
            return ""
        for k in range(level, -1, -1):
            if f"%{k + 1}" in text and k in levels:
                kfmt, _, start = levels[k]
                text = text.replace(f"%{k + 1}", _format(counters[k] + start - 1, kfmt))
        return text


MAX_LEVELS = 9            # Word's list levels are 0-8


def _level(text: Optional[str]) -> Optional[int]:
    """A list level of numbering.xml (0-8), or None when it is not one (ilvl="abc", level 20):
    a malformed file numbers nothing rather than crash."""
    try:
        value = int(text) if text is not None else 0
    except ValueError:
        return None
    return value if 0 <= value < MAX_LEVELS else None


def _start(text: Optional[str]) -> int:
    """A list's first number (start="x" or a huge one: 1)."""
    try:
        value = int(text) if text is not None else 1
    except ValueError:
        return 1
    return value if 0 <= value < 10_000 else 1


def _format(n: int, fmt: str) -> str:
    """A list counter in Word's number format.

    >>> [_format(n, "chineseCounting") for n in (1, 6, 10, 12, 20, 23, 100)]
    ['一', '六', '十', '十二', '二十', '二十三', '100']
    >>> _format(3, "decimalEnclosedCircle"), _format(3, "decimal"), _format(2, "lowerLetter")
    ('③', '3', 'b')
    """
    if fmt.startswith(("chinese", "ideograph", "japanese", "taiwanese")) and 0 <= n < 100:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    if fmt == "decimalEnclosedCircle" and 1 <= n <= len(CIRCLED):
        return CIRCLED[n - 1]
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter if fmt == "lowerLetter" else letter.upper()
    return str(n)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# the tags a paragraph's text is read from, spelled out once: docx's qn() for each of a
# million paragraphs was a third of the time a large .docx took to read
W_T, W_TAB, W_BR, W_PPR, W_NUMPR = W + "t", W + "tab", W + "br", W + "pPr", W + "numPr"
PARAGRAPH_PIECES = {W_TAB: "\t", W_BR: "\n"}


def _paragraph_text(p) -> str:
    return "".join((node.text or "") if node.tag == W_T else PARAGRAPH_PIECES[node.tag]
                   for node in p.iter(W_T, W_TAB, W_BR))


# --- .html -------------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
          "article", "ul", "ol", "dd", "dt", "blockquote", "pre", "center", "hr", "tbody"}
_SKIP = {"script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select",
         "button", "template", "svg", "head", "aside"}
_CHROME = re.compile(r"nav|menu|footer|header|breadcrumb|crumb|share|sidebar|toolbar|copyright|banner", re.I)
_CONTENT = re.compile(r"content|article|zoom|trs_?editor|detail|main-?text|zw|text", re.I)


class _HtmlText(HTMLParser):
    """Collects text blocks, table rows with cells, and which blocks sit inside the article."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, Optional[tuple[str, ...]], bool]] = []
        self.stack: list[tuple[str, bool, bool]] = []   # (tag, skipped, content)
        self.buf: list[str] = []
        self.row: Optional[list[str]] = None
        self.cell: Optional[list[str]] = None
        self.title: str = ""
        self._in_title = False
        # how many open tags skip or mark content, and how many of each tag are open: kept as
        # counts so that a page of 100,000 unclosed <span> costs what it is long, not its square
        self._skipped = 0
        self._content = 0
        self._open: collections.Counter = collections.Counter()
        self._below: dict[int, tuple[str, int]] = {}      # column -> (text, rows it still spans)
        self._span = (1, 1)

    def _take_spanned(self, everything: bool = False) -> None:
        """Put in the row the cells that rows above span down into, where the row has got to
        their column (all that remain, at the row's end)."""
        while self.row is not None:
            col = len(self.row)
            held = self._below.get(col)
            if held is None:
                if everything and any(c > col for c in self._below):
                    self.row.append("")
                    continue
                return
            text, left = held
            if left > 1:
                self._below[col] = (text, left - 1)
            else:
                del self._below[col]
            self.row.append(text)

    def _skipping(self) -> bool:
        return self._skipped > 0

    def _in_content(self) -> bool:
        return self._content > 0

    def _push(self, tag: str, skipped: bool, content: bool) -> None:
        self.stack.append((tag, skipped, content))
        self._skipped += skipped
        self._content += content
        self._open[tag] += 1

    def _pop_to(self, tag: str) -> None:
        """Close tag and what is open inside it; an end tag that closes nothing open is ignored."""
        if not self._open[tag]:
            return
        while self.stack:
            t, skipped, content = self.stack.pop()
            self._skipped -= skipped
            self._content -= content
            self._open[t] -= 1
            if t == tag:
                break

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        marker = f"{a.get('id', '')} {a.get('class', '')}"
        if tag == "title":
            self._in_title = True
        if tag in ("br", "hr", "img", "meta", "link", "input"):
            if tag in ("br", "hr"):
                self._flush()
            return
        skipped = tag in _SKIP or bool(_CHROME.search(marker) and not _CONTENT.search(marker))
        self._push(tag, skipped, bool(_CONTENT.search(marker)) and tag in ("div", "article", "section", "td"))
        if tag == "tr":
            self._flush()
            self.row = []
            self._take_spanned()
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self._span = (_span(a.get("colspan")), _span(a.get("rowspan")))
        elif tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            text = re.sub(r"\s+", " ", "".join(self.cell)).strip()
            self._take_spanned()
            across, down = self._span
            for _ in range(across):
                if down > 1:        # the cell stands in the rows below too (a unit for a group)
                    self._below[len(self.row)] = (text, down - 1)
                self.row.append(text)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self._take_spanned(everything=True)
            if any(self.row) and not self._skipping():
                self.blocks.append((" | ".join(self.row), tuple(self.row), self._in_content()))
            self.row = None
        elif tag in _BLOCK:
            self._flush()
        self._pop_to(tag)

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if self._skipping():
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.buf.append(data)

    def _flush(self):
        text = re.sub(r"[ \t\r\n]+", " ", "".join(self.buf)).strip()
        self.buf = []
        if text and not self._skipping():
            self.blocks.append((text, None, self._in_content()))

    def close(self):
        super().close()
        self._flush()


def _span(value: Optional[str]) -> int:
    """A colspan or rowspan attribute: 1 unless a sensible number."""
    try:
        return max(1, min(int(value or 1), MAX_SPAN))
    except ValueError:
        return 1


def _html_lines(text: str, name: str) -> tuple[Line, ...]:
    parser = _HtmlText()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; this is a last resort
        raise SourceError(f"{name}: not readable as HTML ({exc})") from None
    blocks = parser.blocks
    content = [b for b in blocks if b[2]]
    if sum(len(b[0]) for b in content) > 200:
        blocks = content
        title = parser.title.strip()
        if title and not any(title.startswith(b[0]) or b[0].startswith(title) for b in blocks[:3]):
            blocks = [(title, None, True)] + blocks
    if not blocks:
        raise SourceError(f"{name}: the page has no article text")
    return tuple(Line(i, t, cells) for i, (t, cells, _) in enumerate(blocks, 1))
