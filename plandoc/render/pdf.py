"""PDF through WeasyPrint from the HTML/CSS Jinja templates.

Two things keep it fast and repeatable: WeasyPrint subsets each font with HarfBuzz when
libharfbuzz-subset is installed (fontTools instead takes seconds per CJK font, per PDF), and the
PDF's dates and file identifier come from the plan, so the same plan gives the same bytes.
"""
from __future__ import annotations

import ctypes.util
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Optional

from markupsafe import Markup

from ..errors import FontError
from ..output import write_atomic

from . import Meta, justify
from .fonts import PreparedFonts, load_fonts
from .templates import html_environment, render_html, search_path, url_fetcher

HARFBUZZ_PACKAGE = "libharfbuzz-subset0"
# An overview longer than PIECED_FROM task rows is laid out in pieces of about PIECE_ROWS rows:
# WeasyPrint holds a document's pages until it is written (memory), and a revision lays out
# again only the pieces holding the units it concerns.  Smaller pieces do not pay: at 100 rows
# the 2,000-task plan's one-task revision laid out its overview in 5.2 s instead of 12.5, but
# the revision still took 10 s (the ledger's update in the build's own process bounds it), and
# every piece embeds its own font subsets (that overview 4.5 MB instead of 2.2, its largest
# process 325 MB instead of 281).
PIECED_FROM = 300
PIECE_ROWS = 300


def _pages_of(reader, pages: range, meta: Meta) -> bytes:
    """Some pages of a PDF (a pypdf reader of it) as a PDF of their own, with its own title."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    for n in pages:
        writer.add_page(reader.pages[n])
    return _written(writer, meta)


def _written(writer, meta: Meta) -> bytes:
    """A pypdf writer's PDF with the document's properties (pypdf: the same bytes for the same
    input)."""
    writer.add_metadata({"/Title": meta.title, "/Author": meta.author, "/Creator": "plandoc",
                         "/CreationDate": meta.created.strftime("D:%Y%m%d%H%M%SZ")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _kept_piece(path: Path):
    """A pypdf reader of a piece laid out before (its time set to now, so that the build keeps
    it), or None."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        len(reader.pages)
        os.utime(path)
    except (OSError, PyPdfError, ValueError, KeyError):
        return None
    return reader


def _pieces(context: dict) -> list[dict]:
    """An overview's pieces: the summary with the first units' tables, then the other units'
    tables, each piece about PIECE_ROWS rows (a unit's table is never split between two)."""
    units = context.get("units") or []
    if sum(len(u["rows"]) for u in units) <= PIECED_FROM:
        return [{"summary": True, "units": units}]
    pieces, current, rows = [], [], 0
    for u in units:
        if current and rows + len(u["rows"]) > PIECE_ROWS:
            pieces.append(current)
            current, rows = [], 0
        current.append(u)
        rows += len(u["rows"])
    pieces.append(current)
    return [{"summary": n == 0, "units": p} for n, p in enumerate(pieces)]


class PdfRenderer:
    template_suffix = ".html"
    needs_fonts = True
    packets = True             # a letter and its attachment in one document (packet.html)
    keeps_pieces = True        # a long overview's pieces kept from build to build (render's `kept`)

    def __init__(self, templates: Optional[Path], fonts: Optional[PreparedFonts], trusted: bool = False):
        try:
            import weasyprint    # slow to import: only when PDFs are asked for
        except OSError as exc:   # Pango, fontconfig or HarfBuzz missing: WeasyPrint loads them on import
            packages = " ".join(load_fonts().packages)
            raise FontError(f"WeasyPrint cannot load its system libraries ({exc}); "
                            f"install the packages {packages}") from None
        self._weasyprint = weasyprint
        justify.install()        # Chinese lines justified between their characters
        self.env = html_environment(templates, trusted)
        self.base_url = search_path(templates)[0].resolve().as_uri() + "/"
        # images and stylesheets a template links to come from beside the templates, the fonts
        # from their cache; a trusted template may fetch what it likes
        self.fetcher = None if trusted else url_fetcher(search_path(templates) + fonts.folders)
        # font-family lists go into <style>, where HTML entities are not decoded: no escaping
        if fonts is None:
            raise FontError("PDF needs the prepared fonts (plandoc.render.fonts.prepare)")
        self.fonts = {k: Markup(v) for k, v in fonts.families.items()}
        self.font_faces = Markup(fonts.font_faces)
        # the @font-face rules loaded once for every document this renderer lays out, not from
        # each document's own <style> (fontconfig read each prepared font again: the sample's
        # build took 6.50 s of CPU that way, 6.23 s this way)
        from weasyprint.text.fonts import FontConfiguration
        self._font_config = FontConfiguration()
        options = {} if self.fetcher is None else {"url_fetcher": self.fetcher}
        self._font_css = weasyprint.CSS(string=fonts.font_faces, base_url=self.base_url,
                                        font_config=self._font_config, **options)

    @staticmethod
    def slow_subsetting() -> bool:
        """True when WeasyPrint will fall back to fontTools for subsetting (seconds per PDF): it
        looks for the same library, and importing WeasyPrint here would slow every build."""
        return ctypes.util.find_library("harfbuzz-subset") is None

    def render(self, kind: str, context: dict, meta: Meta, kept: Optional[Path] = None, key: str = "") -> bytes:
        """`kept`: a folder where a long overview's pieces are kept from build to build, `key` a
        digest of the templates, fonts and code they are made by (see _render_in_pieces)."""
        pieces = _pieces(context) if kind == "overview" else []
        if len(pieces) > 1:
            return self._render_in_pieces(kind, context, meta, pieces, kept, key)
        return self._write(self._layout(kind, context, meta), kind, context, meta)

    def _render_in_pieces(self, kind: str, context: dict, meta: Meta, pieces: list[dict],
                          kept: Optional[Path] = None, key: str = "") -> bytes:
        """A long overview laid out piece by piece, each written before the next is laid out,
        then joined: WeasyPrint holds every laid-out page of a document until it is written
        (a 4,000-row overview took 721 MB in one piece).  With `kept`, a piece laid out before
        (the same HTML, so the same units' rows starting on the same page, by the same `key`,
        fonts and WeasyPrint release) is taken from there, and one laid out now is kept there:
        a revision lays out again only the pieces holding the units it concerns."""
        from pypdf import PdfReader, PdfWriter
        writer, page = PdfWriter(), 1
        identifier = self._identifier(kind, context, meta)      # the pieces' own are not kept
        for piece in pieces:
            html = self._html(kind, context, meta, piece, page)
            path = reader = None
            if kept is not None:
                name = hashlib.sha256(f"{key}\n{self._weasyprint.__version__}\n{self.font_faces}\n{html}"
                                      .encode("utf-8")).hexdigest()
                path = kept / f"{name}.pdf"
                reader = _kept_piece(path)
                # the piece's own identifier: its bytes follow from the piece alone
                identifier = name[:32].encode("ascii")
            if reader is None:
                document = self._layout_html(html)
                data = document.write_pdf(pdf_identifier=identifier)
                del document
                if path is not None:
                    write_atomic(path, data)
                reader = PdfReader(io.BytesIO(data))
            page += len(reader.pages)
            writer.append(reader)
        return _written(writer, meta)

    def render_packet(self, context: dict, meta: Meta, parts: tuple[Meta, Meta]) -> tuple[bytes, bytes, bytes]:
        """The letter with its attachment (packet.html), and the two as documents of their own:
        the packet's pages up to the first landscape one, and from it (the attachment, its
        pages numbered on from the letter's).  Laid out and written once (layout and writing
        are all the time), the two cut from the written file."""
        document = self._layout("packet", context, meta)
        pages = document.pages
        annex = next((n for n, p in enumerate(pages) if p.width > p.height), len(pages))
        whole = self._write(document, "packet", context, meta)
        del document
        # one reader for both cuts: reading the written file is most of a cut's time
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(whole))
        letter, checklist = (_pages_of(reader, chosen, part)
                             for chosen, part in ((range(annex), parts[0]), (range(annex, len(pages)), parts[1])))
        return whole, letter, checklist

    def _layout(self, kind: str, context: dict, meta: Meta, piece: Optional[dict] = None, page_start: int = 1):
        return self._layout_html(self._html(kind, context, meta, piece, page_start))

    def _html(self, kind: str, context: dict, meta: Meta, piece: Optional[dict] = None, page_start: int = 1) -> str:
        page = dict(context, fonts=self.fonts, font_faces=Markup(""), landscape=meta.landscape,
                    timestamp=self._timestamp(meta), doc_title=meta.title, piece=piece, page_start=page_start)
        return render_html(self.env, kind + self.template_suffix, page)

    def _layout_html(self, html: str):
        # images and stylesheets a template links to are found beside the templates
        options = {} if self.fetcher is None else {"url_fetcher": self.fetcher}
        return self._weasyprint.HTML(string=html, base_url=self.base_url, **options).render(
            stylesheets=[self._font_css], font_config=self._font_config)

    def _write(self, document, kind: str, context: dict, meta: Meta) -> bytes:
        return document.write_pdf(pdf_identifier=self._identifier(kind, context, meta))

    def _identifier(self, kind: str, context: dict, meta: Meta) -> bytes:
        """The file identifier, from the content, not the HTML, which holds the font cache's
        path on this machine: the same content gives the same bytes."""
        content = json.dumps([kind + self.template_suffix, context, meta.landscape, self._timestamp(meta)],
                             ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:32].encode("ascii")

    @staticmethod
    def _timestamp(meta: Meta) -> str:
        return meta.created.strftime("%Y-%m-%dT%H:%M:%SZ")
