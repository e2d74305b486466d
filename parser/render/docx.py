"""DOCX through docxtpl from the Word templates (templates/*.docx, Jinja tags in the text).

Same input, same bytes: the core properties take the plan's date, and the zip is rewritten with
fixed entry times (python-docx stamps each entry with the current time).
"""
from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Optional

import jinja2
import regex

from ..errors import TemplateError
from .templates import find

FIXED_TIME = (1980, 1, 1, 0, 0, 0)      # the earliest time a zip entry can hold


class DocxRenderer:
    def __init__(self, templates: Optional[Path]):
        from docxtpl import DocxTemplate      # imported here: only builds that ask for DOCX pay for it
        self._template_class = DocxTemplate
        self.templates = templates
        self.env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)

    def render(self, name: str, context: dict, *, created: datetime, title: str, author: str) -> bytes:
        path = find(name, self.templates)
        try:
            tpl = self._template_class(str(path))
            tpl.render(context, jinja_env=self.env, autoescape=True)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(str(path), None, f"{exc.message} (near “{_near(exc)}”)") from None
        except jinja2.TemplateError as exc:
            raise TemplateError(str(path), None, str(exc)) from None
        except (KeyError, zipfile.BadZipFile, ValueError) as exc:
            raise TemplateError(str(path), None, f"not a usable Word template: {exc}") from None
        props = tpl.docx.core_properties
        props.created = props.modified = props.last_printed = created
        props.revision = 1
        props.title = title
        props.author = props.last_modified_by = author
        return fixed_zip(tpl.docx)


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
