"""Where the document templates are, and Jinja set up so that errors name the template and line.

The defaults are the project's templates/ folder (installed as share/plandoc/templates);
`--templates DIR` puts an office's own copies first, and a file it lacks falls back to the default.
"""
from __future__ import annotations

import contextlib
import shutil
import signal
import threading
import traceback
from urllib.parse import unquote, urlparse
from pathlib import Path
from typing import Optional

import jinja2
from markupsafe import Markup, escape
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError, TemplateLimitError
from .folders import MAX_TEMPLATE_MB, default_dir, search_path  # noqa: F401  (theirs: a build's digest)

NAMES = ("base.html", "columns.html", "parts.html", "letter.html", "checklist_body.html", "checklist.html",
         "packet.html", "overview.html", "notice.html",
         "letter.docx", "checklist.docx", "overview.docx", "notice.docx")


def find(name: str, custom: Optional[Path]) -> Path:
    for folder in search_path(custom):
        if (folder / name).is_file():
            return folder / name
    raise TemplateError(name, None, "not found")


MAX_TEMPLATE_INFLATED_MB = 40   # a Word template's parts inflated (a 3.2 MB one inflated to 2 GB)
MAX_RANGE = 10_000         # items a sandboxed range() may give (Jinja's own bound is 100,000)
MAX_REPEATED = 1_000_000   # characters or items a sandboxed `*` may make ("x" * 10**10)
MAX_POWER = 10 ** 12       # the largest number a sandboxed `**` may give
RENDER_SECONDS = 10        # one template's rendering (two nested range(100000) ran on past 120 s)


class BoundExceeded(SecurityError):
    """A sandbox bound was reached: the template is refused as an input past a limit is."""


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with bounds on what a template can make: range() of at most MAX_RANGE
    items, `*` repeating a string or list to at most MAX_REPEATED, `**` to at most MAX_POWER.
    A template that asks for more is refused with a line naming the bound, not a MemoryError."""
    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.globals["range"] = _bounded_range

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple, Markup)) and isinstance(times, int) \
                        and len(seq) * max(times, 0) > MAX_REPEATED:
                    raise BoundExceeded(f"a template may repeat to {MAX_REPEATED:,} items at most")
            return left * right
        if operator == "**":
            if isinstance(left, (int, float)) and isinstance(right, (int, float)) and abs(left) > 1 and (
                    right > 64 or abs(left) ** min(right, 64) > MAX_POWER):
                raise BoundExceeded(f"a template may compute numbers up to {MAX_POWER:,}")
            return left ** right
        return super().call_binop(context, operator, left, right)


def _bounded_range(*args) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise BoundExceeded(f"range() in a template gives {MAX_RANGE:,} items at most")
    return r


class FolderLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, which reads a template through the bounded reader (a template
    given as /dev/zero is refused at MAX_TEMPLATE_MB) and, unless the templates are trusted,
    never through a link out of its folder: `footer.html -> /etc/shadow` then
    `{% include "footer.html" %}` put root's password hash into the PDF."""

    def __init__(self, searchpath: list[str], trusted: bool):
        super().__init__(searchpath)
        self.trusted = trusted

    def get_source(self, environment, template):
        from jinja2.loaders import split_template_path
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if not path.is_file():
                continue
            checked = checked_template(path, Path(folder), self.trusted)
            source = read_template(checked).decode("utf-8-sig", errors="replace")
            mtime = path.stat().st_mtime
            return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime
        raise jinja2.TemplateNotFound(template)


def word_template(name: str, custom: Optional[Path], trusted: bool) -> tuple[Path, bytes]:
    """A Word template's path and bytes, found as `find` finds it and checked as an input is
    (bounded, inflation counted, no link out of its folder unless trusted)."""
    for folder in search_path(custom):
        path = folder / name
        if path.is_file():
            checked_template(path, folder, trusted)
            return path, read_template(path, "a Word template")
    raise TemplateError(name, None, "not found")


def checked_template(path: Path, folder: Path, trusted: bool) -> Path:
    """`path`, refused (TemplateError) when untrusted templates would reach out of `folder`
    through a symbolic link."""
    if not trusted and not path.resolve().is_relative_to(folder.resolve()):
        raise TemplateError(str(path), None, "is a link out of its folder; plandoc follows none "
                                             "(copy the file in, or give --trust-templates)")
    return path


def read_template(path: Path, what: str = "a template") -> bytes:
    """A template's bytes, at most MAX_TEMPLATE_MB of them; a Word template's parts are checked
    for inflation as an input .docx is.  Raises TemplateError (a template error: exit 1)."""
    from parser.errors import SourceError
    from parser.sources import _check_inflation, read_limited
    try:
        data = read_limited(path, MAX_TEMPLATE_MB, what, "")
        if path.suffix.lower() == ".docx":
            _check_inflation(data, str(path), MAX_TEMPLATE_INFLATED_MB, "Word template")
    except SourceError as exc:
        message = str(exc).removeprefix(f"{path}: ")      # the template error names the file once
        kind = "Word template" if path.suffix.lower() == ".docx" else "template"
        raise TemplateError(str(path), None, f"not a usable {kind}: {message}") from None
    return data


def environment(loader: Optional[jinja2.BaseLoader], trusted: bool) -> jinja2.Environment:
    """Jinja for the templates.  A template is code: unless trusted, it runs in Jinja's sandbox,
    where it reaches no attribute of Python's internals (no os.popen through a global) and
    makes nothing beyond the sandbox's bounds."""
    cls = jinja2.Environment if trusted else BoundedSandbox
    return cls(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def html_environment(custom: Optional[Path], trusted: bool = False) -> jinja2.Environment:
    env = environment(FolderLoader([str(p) for p in search_path(custom)], trusted), trusted)
    env.filters["breaks"] = html_breaks
    return env


@contextlib.contextmanager
def time_limit(seconds: float, template: str):
    """Rendering that takes longer than `seconds` stops with a TemplateError.  A timer signal,
    so only where it can be had (the main thread of a process on a Unix); elsewhere unlimited."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TemplateLimitError(template, None, f"rendering took more than {seconds:g} s (a loop without end?)")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
        with time_limit(RENDER_SECONDS, name):
            return env.get_template(name).render(context)
    except (MemoryError, OverflowError, RecursionError) as exc:
        raise TemplateLimitError(name, None, f"the template asks for more than it may ({type(exc).__name__})") \
            from None
    except BoundExceeded as exc:
        template, line = _template_frame(exc, name)
        raise TemplateLimitError(template, line, str(exc)) from None
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
