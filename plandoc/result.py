"""What a build made: the answer of build.build, and of inputs.made_already when the latest
version holds the documents already."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .diff import Diff


@dataclass
class BuildResult:
    folder: Path                          # the version's folder (or the one holding the same documents)
    version: str = ""
    follows: Optional[str] = None         # the version it was made after, if any
    made: list[Path] = field(default_factory=list)          # rendered now
    carried: list[Path] = field(default_factory=list)       # copied as they were from `follows`
    same_as: Optional[str] = None         # nothing changed: this version holds these documents already
    changes: Optional["Diff"] = None      # from `follows` to this plan
    redone_after_edit: list[Path] = field(default_factory=list)   # edited by hand in `follows`, made anew here
    idle: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    manifest: Optional[Path] = None
    font_notes: list[str] = field(default_factory=list)     # PDF faces substituted
    notes: list[str] = field(default_factory=list)          # anything else the build has to say
