"""Where the document templates are, and Jinja set up so that errors name the template and line.

The defaults are the project's templates/ folder (installed as share/plandoc/templates);
`--templates DIR` puts an office's own copies first, and a file it lacks falls back to the default.
"""
from __future__ import annotations

import shutil
from urllib.parse import unquote, urlparse
import sys
import traceback
from pathlib import Path
from typing import Optional

import jinja2
from markupsafe import Markup, escape
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError

NAMES = ("base.html", "columns.html", "parts.html", "letter.html", "checklist_body.html", "checklist.html",
         "packet.html", "overview.html", "notice.html",
         "letter.docx", "checklist.docx", "overview.docx", "notice.docx")


def default_dir() -> Path:
    """The templates shipped with plandoc: the source tree's, else the installed copy."""
    here = Path(__file__).resolve().parents[2] / "templates"
    if (here / "letter.html").exists():
        return here
    installed = Path(sys.prefix) / "share" / "plandoc" / "templates"
    if (installed / "letter.html").exists():
        return installed
    raise TemplateError("templates/", None, "the default templates are not installed with plandoc")


def search_path(custom: Optional[Path]) -> list[Path]:
    if custom is not None and not custom.is_dir():
        raise TemplateError(str(custom), None, "no such folder")
    return ([custom] if custom is not None else []) + [default_dir()]


def find(name: str, custom: Optional[Path]) -> Path:
    for folder in search_path(custom):
        if (folder / name).is_file():
            return folder / name
    raise TemplateError(name, None, "not found")


def environment(loader: Optional[jinja2.BaseLoader], trusted: bool) -> jinja2.Environment:
    """Jinja for the templates.  A template is code: unless trusted, it runs in Jinja's sandbox,
    where it reaches no attribute of Python's internals (no os.popen through a global)."""
    cls = jinja2.Environment if trusted else SandboxedEnvironment
    return cls(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def html_environment(custom: Optional[Path], trusted: bool = False) -> jinja2.Environment:
    env = environment(jinja2.FileSystemLoader([str(p) for p in search_path(custom)]), trusted)
    env.filters["breaks"] = html_breaks
    return env


def lines_of(value) -> list[str]:
    """A title's lines, given as a list of lines or as one string."""
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def html_breaks(value) -> Markup:
    """`{{ title_lines|breaks }}`: the lines, each escaped, with <br> between them."""
    return Markup("<br>").join(escape(line) for line in lines_of(value))


def url_fetcher(allowed: list[Path]):
    """A WeasyPrint URL fetcher that fetches data: URLs and files inside the allowed folders
    (the templates', the prepared fonts'), and nothing else: no /etc/shadow, no http://127.0.0.1."""
    import weasyprint.urls as urls

    roots = [a.resolve() for a in allowed]

    def permitted(url: str) -> bool:
        if url.startswith("data:"):
            return True
        if not url.startswith("file:"):
            return False
        path = Path(unquote(urlparse(url).path)).resolve()
        return any(path.is_relative_to(r) for r in roots)

    def refuse(url: str):
        raise ValueError(f"plandoc fetches nothing outside the templates and fonts: {url[:120]}")

    if hasattr(urls, "URLFetcher"):             # WeasyPrint 68 and later: a fetcher is an object
        class Fetcher(urls.URLFetcher):
            def fetch(self, url, headers=None):
                return super().fetch(url, headers) if permitted(url) else refuse(url)
        return Fetcher()

    def fetch(url: str, *args, **kwargs):       # earlier: a function
        return urls.default_url_fetcher(url, *args, **kwargs) if permitted(url) else refuse(url)
    return fetch


def render_html(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.filename or name, exc.lineno, exc.message or str(exc)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(str(exc), None, "not found") from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, SecurityError) as exc:
        template, line = _template_frame(exc, name)
        raise TemplateError(template, line, str(exc)) from None


def _template_frame(exc: BaseException, name: str) -> tuple[str, Optional[int]]:
    """Jinja rewrites tracebacks so that template lines appear as frames: take the innermost."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml")):
            return frame.filename, frame.lineno
    return name, None


def export(target: Path, overwrite: bool = False) -> list[Path]:
    """Copy the default templates into `target` for an office to edit.  Never overwrites unless asked."""
    source = default_dir()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in NAMES:
        dest = target / name
        if dest.exists() and not overwrite:
            continue
        shutil.copyfile(source / name, dest)
        written.append(dest)
    return written
