"""Where templates are looked for, and how large one may be: what a build's digest of its
templates reads (see plandoc/inputs.py), without importing Jinja."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from ..errors import TemplateError

MAX_TEMPLATE_MB = 10       # a template with its images and fonts; the default letter.docx is 40 KB


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
