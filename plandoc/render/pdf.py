"""PDF through WeasyPrint from the HTML/CSS Jinja templates.

Two things keep it fast and repeatable: WeasyPrint subsets each font with HarfBuzz when
libharfbuzz-subset is installed (fontTools instead takes seconds per CJK font, per PDF), and the
PDF's dates and file identifier come from the plan, so the same plan gives the same bytes.
"""
from __future__ import annotations

import ctypes.util
import hashlib
import json
from pathlib import Path
from typing import Optional

from markupsafe import Markup

from ..errors import FontError

from . import Meta, justify
from .fonts import PreparedFonts, load_fonts
from .templates import html_environment, render_html, search_path, url_fetcher

HARFBUZZ_PACKAGE = "libharfbuzz-subset0"


class PdfRenderer:
    template_suffix = ".html"
    needs_fonts = True
    packets = True             # a letter and its attachment in one document (packet.html)

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

    @staticmethod
    def slow_subsetting() -> bool:
        """True when WeasyPrint will fall back to fontTools for subsetting (seconds per PDF): it
        looks for the same library, and importing WeasyPrint here would slow every build."""
        return ctypes.util.find_library("harfbuzz-subset") is None

    def render(self, kind: str, context: dict, meta: Meta) -> bytes:
        template = kind + self.template_suffix
        landscape = meta.landscape
        timestamp = meta.created.strftime("%Y-%m-%dT%H:%M:%SZ")
        page = dict(context, fonts=self.fonts, font_faces=self.font_faces, landscape=landscape,
                    timestamp=timestamp, doc_title=meta.title)
        html = render_html(self.env, template, page)
        # from the content, not the HTML, which holds the font cache's path on this machine
        content = json.dumps([template, context, landscape, timestamp], ensure_ascii=False, sort_keys=True)
        identifier = hashlib.sha256(content.encode("utf-8")).hexdigest()[:32].encode("ascii")
        # images and stylesheets a template links to are found beside the templates
        options = {} if self.fetcher is None else {"url_fetcher": self.fetcher}
        document = self._weasyprint.HTML(string=html, base_url=self.base_url, **options).render()
        return document.write_pdf(pdf_identifier=identifier)
