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
from .weasy import import_weasyprint

HARFBUZZ_PACKAGE = "libharfbuzz-subset0"
# An overview longer than PIECED_FROM task rows is laid out in pieces of about PIECE_ROWS rows:
# WeasyPrint holds a document's pages until it is written (memory), and a revision lays out
# again only the pieces holding the units it concerns.  The 2,000-task plan's one-task
# revision (2 units of 60) laid its overview out in 9.4 s with pieces of 300 rows and 4.2 s
# with pieces of 100 (a unit a piece there); the largest process of its full build held 344 MB
# and 301 MB.  The price: every piece embeds its own font subsets (that overview 4.5 MB
# instead of 2.2; 9 KB a page).  Below PIECED_FROM rows, one piece: the sample's overview is
# laid out as it always was.
PIECED_FROM = 300
PIECE_ROWS = 100


def _pages_of(source, pages: range, meta: Meta) -> bytes:
    """Some pages of a PDF (opened with pikepdf) as a PDF of their own, with its own title."""
    import pikepdf
    with pikepdf.new() as out:
        out.pages.extend(source.pages[n] for n in pages)
        return _written(out, meta)


def _written(pdf, meta: Meta) -> bytes:
    """A PDF made of others' pages (pikepdf), with the document's properties, its identifier
    from its content: the same bytes for the same input."""
    pdf.docinfo["/Title"] = meta.title
    pdf.docinfo["/Author"] = meta.author
    pdf.docinfo["/Creator"] = "plandoc"
    pdf.docinfo["/CreationDate"] = meta.created.strftime("D:%Y%m%d%H%M%SZ")
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _opened(data: bytes):
    """A PDF's bytes opened with pikepdf (which reads the file's objects as they are needed:
    the bytes stay with it)."""
    import pikepdf
    return pikepdf.open(io.BytesIO(data))


def _kept_piece(path: Path):
    """A piece laid out before, opened (its time set to now, so that the build keeps it), or
    None when there is none that reads."""
    import pikepdf
    try:
        piece = _opened(path.read_bytes())
        len(piece.pages)
        os.utime(path)
    except (OSError, pikepdf.PdfError, ValueError, KeyError):
        return None
    return piece


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
    packets = True             # a letter and its attachment in one document (packet.html)
    keeps_pieces = True        # a long overview's pieces kept from build to build (render's `kept`)

    def __init__(self, templates: Optional[Path], fonts: Optional[PreparedFonts], trusted: bool = False):
        try:
            weasyprint = import_weasyprint()     # slow to import: only when PDFs are asked for
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
        import pikepdf
        joined, page, opened = pikepdf.new(), 1, []
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
                reader = _opened(data)
            page += len(reader.pages)
            joined.pages.extend(reader.pages)
            opened.append(reader)       # a piece's page contents are read from it when written
        try:
            return _written(joined, meta)
        finally:
            for reader in [joined, *opened]:
                reader.close()

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
        # the file opened once for both cuts
        with _opened(whole) as source:
            letter, checklist = (_pages_of(source, chosen, part)
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
