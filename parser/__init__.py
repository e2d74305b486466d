"""plandoc: read a work-plan circular into a typed plan (tasks, units, targets, deadlines).

    >>> from parser import parse_file
    >>> plan = parse_file("samples/suzhou-post-2022.txt")     # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import gc

from pathlib import Path
from typing import Optional

from .errors import PlandocError, RuleFileError, SourceError
from .model import Plan
from .profile import Profile, apply_profile, load_profile
from .rules import load_rules
from .sources import Document, read_bytes, read_document

__all__ = ["parse_file", "parse_text", "parse_document", "Plan", "Profile", "load_profile",
           "PlandocError", "SourceError", "RuleFileError"]
__version__ = "0.1.0"


def parse_file(path: Path | str, profile: Optional[Profile | Path | str] = None) -> Plan:
    """Parse a circular (.txt in UTF-8 or GB18030, .docx, .html).

    Raises SourceError for an input that cannot be read.
    """
    with _no_cyclic_gc():
        return parse_document(read_document(path), profile)


def parse_text(text: str, name: str = "<text>", profile: Optional[Profile | Path | str] = None) -> Plan:
    """Parse a circular given as text."""
    with _no_cyclic_gc():
        data = text.encode("utf-8")
        return parse_document(read_bytes(data, name if Path(name).suffix else name + ".txt"), profile)


def parse_document(document: Document, profile: Optional[Profile | Path | str] = None) -> Plan:
    from .outline import build_plan

    if profile is not None and not isinstance(profile, Profile):
        profile = load_profile(profile)
    rules = load_rules()
    with _no_cyclic_gc():
        plan = build_plan(list(document.lines), document.info, rules)
        return apply_profile(plan, profile, rules)


@contextlib.contextmanager
def _no_cyclic_gc():
    """A plan is many small objects without cycles; the cyclic collector's full passes over them
    grow with the document and made a 20,000-item plan cost 2.4x a 10,000-item one."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
