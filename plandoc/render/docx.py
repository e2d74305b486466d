"""DOCX through docxtpl from the Word templates (templates/*.docx, Jinja tags in the text).

Same input, same bytes: the core properties take the plan's date, and the zip is rewritten with
fixed entry times (python-docx stamps each entry with the current time).
"""
from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path
from typing import Optional

import jinja2
import regex
from jinja2.exceptions import SecurityError

from ..errors import TemplateError, TemplateLimitError

from . import Meta
from .fonts import PreparedFonts
from .templates import RENDER_SECONDS, BoundExceeded, environment, lines_of, time_limit, word_template

FIXED_TIME = (1980, 1, 1, 0, 0, 0)      # the earliest time a zip entry can hold
CORE_PROPERTY_MAX = 255


class DocxRenderer:
    template_suffix = ".docx"
    packets = False            # Word prints the letter and the checklist as the two files
    keeps_pieces = False       # a Word file is made whole

    def __init__(self, templates: Optional[Path], fonts: Optional[PreparedFonts] = None, trusted: bool = False):
        # imported here: only builds that make a DOCX pay for python-docx (a build that finds
        # every document made already does not import this module at all)
        from docx.opc.exceptions import PackageNotFoundError
        from docxtpl import Listing
        self._template_class = _template_class()
        self._unusable = (KeyError, zipfile.BadZipFile, ValueError, PackageNotFoundError)
        self.templates = templates
        self.trusted = trusted
        self.env = environment(None, trusted)
        # `{{ title_lines|breaks }}`: a line break (w:br) between the lines, in the paragraph's style
        self.env.filters["breaks"] = lambda value: Listing("\n".join(lines_of(value)))

    def render(self, kind: str, context: dict, meta: Meta) -> bytes:
        path, data = word_template(kind + self.template_suffix, self.templates, self.trusted)
        try:
            tpl = self._template_class(io.BytesIO(data))
            with time_limit(RENDER_SECONDS, str(path)):
                tpl.render(context, jinja_env=self.env, autoescape=True)
        except jinja2.TemplateSyntaxError as exc:
            found = _locate(path, self.env)
            where = f"paragraph {found[0]}: " if found else ""
            text = found[1] if found else _near(exc)
            raise TemplateError(str(path), None, f"{where}{exc.message} (in “{text}”)") from None
        except BoundExceeded as exc:
            raise TemplateLimitError(str(path), None, str(exc)) from None
        except (jinja2.TemplateError, SecurityError) as exc:
            raise TemplateError(str(path), None, str(exc)) from None
        except self._unusable as exc:
            raise TemplateError(str(path), None, f"not a usable Word template: {exc or 'not a .docx'}") from None
        except (TypeError, AttributeError) as exc:        # {% include %} in a Word template: there is no loader
            raise TemplateError(str(path), None, f"cannot be rendered: {exc}") from None
        except (MemoryError, OverflowError, RecursionError) as exc:
            raise TemplateLimitError(str(path), None,
                                     f"the template asks for more than it may ({type(exc).__name__})") from None
        props = tpl.docx.core_properties
        props.created = props.modified = props.last_printed = meta.created.replace(tzinfo=None)
        props.revision = 1
        # Word's core properties hold 255 characters at most
        props.title = meta.title[:CORE_PROPERTY_MAX]
        props.author = props.last_modified_by = meta.author[:CORE_PROPERTY_MAX]
        return fixed_zip(tpl.docx)


# a paragraph with a tab, line break, new paragraph or page break inside a run's text: what
# docxtpl's Listing turns into Word's own elements
_LISTED = regex.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")
_PARAGRAPH = regex.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", regex.DOTALL)


@functools.lru_cache(maxsize=1)
def _template_class():
    """docxtpl's DocxTemplate, resolving its Listings only in the paragraphs that hold one: it
    runs three nested regular expressions over every run of the document otherwise (the
    2,000-task overview took 1.17 s that way, 1.02 s this way; the paragraphs without one come
    out the same, character for character)."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        def resolve_listing(self, xml):
            resolve = super().resolve_listing
            return _PARAGRAPH.sub(lambda m: resolve(m.group(0)) if _LISTED.search(m.group(0)) else m.group(0), xml)
    return Template


def _locate(path: Path, env: jinja2.Environment) -> Optional[tuple[int, str]]:
    """(paragraph number, its text) of the first Word paragraph with a Jinja syntax error.

    The paragraphs' texts, one a line in document order (table cells included), with docxtpl's
    {%p / {%tr / {%tc / {%r marks taken off, make a template of their own: where Jinja stops in
    it is the paragraph to look at (counted from 1, a table cell's paragraphs included)."""
    from docx import Document
    from docx.oxml.ns import qn

    texts = ["".join(t.text or "" for t in p.iter(qn("w:t")))
             for p in Document(str(path)).element.body.iter(qn("w:p"))]
    source = "\n".join(regex.sub(r"\{%\s*(?:p|tr|tc|r)\s", "{% ", t) for t in texts)
    try:
        env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        if exc.lineno and exc.lineno <= len(texts):
            return exc.lineno, texts[exc.lineno - 1].strip()[:80]
    return None


def _near(exc: jinja2.TemplateSyntaxError) -> str:
    """The text of the Word paragraph where Jinja stopped (its line numbers are those of the XML)."""
    source = exc.source or ""
    lines = source.splitlines()
    if not exc.lineno or exc.lineno > len(lines):
        return ""
    text = regex.sub(r"<[^>]+>", "", lines[exc.lineno - 1])
    return text.strip()[:80]


def fixed_zip(document) -> bytes:
    """Save a python-docx Document as a zip whose bytes depend only on its content."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
