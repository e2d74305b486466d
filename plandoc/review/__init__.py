"""The review page: one self-contained HTML file for a person to check a parse before any letter
goes out (the circular's text with what was taken from each line marked in place, the tasks'
fields, the warnings, a task table, a chart of tasks per unit, the diff from a previous version).

It is rendered from `templates/review.html` in the same Jinja sandbox as the letters; the page
loads nothing (its Content-Security-Policy allows no request and only its own script, by hash).
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from markupsafe import Markup

from parser.errors import SourceError
from parser.model import Plan
from parser.sources import Line, read_document

from ..render.templates import html_environment, render_html
from ..wording import load_wording
from .page import page_context

if TYPE_CHECKING:
    from ..diff import Diff

REVIEW_FILE = "review.html"
TEMPLATE = "review.html"

__all__ = ["render_review", "source_lines", "REVIEW_FILE"]


def render_review(plan: Plan, lines: Optional[Iterable[Line]] = None, *, changes: Optional["Diff"] = None,
                  follows: Optional[str] = None, templates: Optional[Path] = None, trusted: bool = False) -> str:
    """The review page of a plan.  `lines`: the circular's lines as the parse read them (None:
    sought with `source_lines`, else the tasks stand in for the text); `changes`: the diff from
    the version named `follows`.  Raises TemplateError for a template that does not render."""
    if lines is None:
        lines = source_lines(plan)
    env = html_environment(templates, trusted)
    env.filters["csp_hash"] = csp_hash
    # the tasks reach the page's script as JSON: Chinese as it is, not six bytes a character
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return render_html(env, TEMPLATE, page_context(plan, lines, load_wording(), changes=changes, follows=follows))


def source_lines(plan: Plan) -> Optional[tuple[Line, ...]]:
    """The lines of the circular a plan was read from, when it is still where the plan says and
    holds the same bytes (a plan JSON read back); None otherwise."""
    path = Path(plan.source.path)
    if not plan.source.sha256 or plan.source.format == "json" or not path.is_file():
        return None
    try:
        document = read_document(path)
    except SourceError:
        return None
    return document.lines if document.info.sha256 == plan.source.sha256 else None


def csp_hash(script: str) -> Markup:
    """`{{ script|csp_hash }}`: the Content-Security-Policy source that allows exactly this
    inline script, and so no script a circular's text could smuggle in."""
    digest = hashlib.sha256(str(script).encode("utf-8")).digest()
    return Markup(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
