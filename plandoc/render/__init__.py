"""The renderers, one per output format, behind one registry and one signature.

    renderer = make_renderer("pdf", templates=None, fonts=prepared)
    data = renderer.render("letter", context, meta)          # -> bytes

Adding a format is one module with a class like `DocxRenderer` (a `template_suffix`, whether it
makes `packets`, and `render(kind, context, meta) -> bytes`) and one entry in RENDERERS.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional, Protocol

from .fonts import PreparedFonts

# format -> ("module:class", whether its documents embed the prepared fonts).  The module is
# imported only when a build makes the format (WeasyPrint is slow to load, and both renderers
# import Jinja); whether it needs the fonts is known without it (a build's digest, inputs.py).
RENDERERS = {
    "docx": ("plandoc.render.docx:DocxRenderer", False),    # a DOCX names the fonts; Word finds them
    "pdf": ("plandoc.render.pdf:PdfRenderer", True),
}
FORMATS = tuple(RENDERERS)


@dataclass(frozen=True)
class Meta:
    """What a document says about itself: its properties, and the page orientation."""
    title: str
    author: str
    created: datetime          # UTC; from the plan, so a rebuild gives the same bytes
    landscape: bool


class Renderer(Protocol):
    template_suffix: str       # the kind's template is templates/<kind><suffix>
    packets: bool              # whether it makes a letter and its attachment as one document
    keeps_pieces: bool         # whether render takes `kept` and `key`: a long document's pieces kept between builds

    def __init__(self, templates: Optional[Path], fonts: Optional[PreparedFonts], trusted: bool = False) -> None:
        """`trusted`: the templates run outside Jinja's sandbox and may fetch any URL."""

    def render(self, kind: str, context: dict, meta: Meta) -> bytes: ...


def renderer_class(fmt: str) -> type[Renderer]:
    """The class of a format.  Raises KeyError for a format that is not in RENDERERS."""
    module, name = RENDERERS[fmt][0].split(":")
    return getattr(importlib.import_module(module), name)


def needs_fonts(fmt: str) -> bool:
    """Whether a format's documents embed the prepared PDF fonts (plandoc.render.fonts.prepare).
    Raises KeyError for a format that is not in RENDERERS."""
    return RENDERERS[fmt][1]


def make_renderer(fmt: str, templates: Optional[Path], fonts: Optional[PreparedFonts],
                  trusted: bool = False) -> Renderer:
    return renderer_class(fmt)(templates, fonts, trusted)
