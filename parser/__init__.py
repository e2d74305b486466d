"""The parsing library: read a work-plan circular into a typed plan (tasks, units, targets, deadlines).

    >>> from parser import parse_file
    >>> plan = parse_file("samples/suzhou-post-2022.txt")     # doctest: +SKIP

The modules behind these names are imported when first used: a command that only checks
whether its documents are made already (a rebuild with nothing changed) pays for none of them.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .errors import PlandocError, RuleFileError, SourceError
from .limits import MAX_INPUT_MB

if TYPE_CHECKING:
    from .model import Plan
    from .profile import Profile
    from .sources import Document

__all__ = ["parse_file", "parse_text", "parse_document", "load_plan", "Plan", "Profile", "load_profile",
           "PlandocError", "SourceError", "RuleFileError"]

_LAZY = {"Plan": "model", "Profile": "profile", "load_profile": "profile"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_file(path: Path | str, profile: Optional[Profile | Path | str] = None, *,
               max_mb: float = MAX_INPUT_MB) -> Plan:
    """Parse a circular (.txt in UTF-8 or GB18030, .docx, .html, .pdf, .doc).

    Raises SourceError for an input that cannot be read, or is larger than `max_mb` megabytes.
    """
    from .sources import read_document
    return parse_document(read_document(path, max_mb), profile)


def parse_text(text: str, name: str = "<text>", profile: Optional[Profile | Path | str] = None) -> Plan:
    """Parse a circular given as text."""
    from .sources import read_bytes
    data = text.encode("utf-8")
    return parse_document(read_bytes(data, name if Path(name).suffix else name + ".txt"), profile)


def load_plan(path: Path | str, profile: Optional[Profile | Path | str] = None, *,
              max_mb: float = MAX_INPUT_MB) -> Plan:
    """A plan JSON written by `plandoc parse` (read as it is), or a circular (parsed now)."""
    if Path(path).suffix.lower() == ".json":
        from .sources import read_plan_json
        return read_plan_json(path, max_mb)
    return parse_file(path, profile, max_mb=max_mb)


def parse_document(document: Document, profile: Optional[Profile | Path | str] = None) -> Plan:
    import dataclasses

    from .outline import build_plan
    from .profile import Profile, apply_profile, load_profile
    from .rules import load_rules
    from .unwrap import unwrapped

    if profile is not None and not isinstance(profile, Profile):
        profile = load_profile(profile)
    rules = load_rules()
    plan = unwrapped(build_plan)(list(document.lines), document.info, rules)   # hard wraps joined first
    if document.notices:
        plan = dataclasses.replace(plan, warnings=tuple(sorted(document.notices + plan.warnings,
                                                                key=lambda w: w.line)))
    return apply_profile(plan, profile, rules)
