"""What a build reads, as digests: whether the latest version already holds the documents a
build would make, known before anything is parsed.

Light on purpose: a rebuild with nothing changed reads its inputs, digests them, finds the
version made from them and stops, and imports nothing of the parser's reading nor of the
renderers (parser/limits.py, render/folders.py): the sample's whole command 0.11–0.17 s.
"""
from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from parser.limits import MAX_INPUT_MB, MAX_PROFILE_MB, MB, read_limited

from .output import MANIFEST, OutputError, inside, read_manifest, safe_name, sha256
from .render import needs_fonts
from .render.folders import MAX_TEMPLATE_MB, search_path
from .render.fonts import font_identity
from .result import BuildResult
from .versions import read_latest


def renderer_digest(fmt: str, templates: Optional[Path], trusted: bool) -> str:
    """A digest of what a format's documents are made by besides their content: plandoc's
    code, the templates (the office's and the defaults), whether they run trusted, the fonts."""
    parts = [code_digest(), fmt, f"trusted={trusted}"]
    for folder in search_path(templates):
        for path in sorted(folder.iterdir()):
            # only regular files, and none larger than a template may be (a link to a huge file
            # beside the templates is refused if used, and never read here)
            if path.is_file() and path.stat().st_size <= MAX_TEMPLATE_MB * MB:
                parts.append(f"{path.name}:{sha256(path.read_bytes())}")
    if needs_fonts(fmt):
        parts.append(font_identity())
    return sha256("\n".join(parts).encode("utf-8"))


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """The modules and rule data of plandoc and of the parser: a document made by other code is
    not taken over."""
    import parser
    parts = []
    for root in (Path(__file__).parent, Path(parser.__file__).parent):
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in (".py", ".toml", ".json", ".txt"):
                parts.append(f"{root.name}/{p.relative_to(root).as_posix()}:{sha256(p.read_bytes())}")
    return sha256("\n".join(parts).encode("utf-8"))


def inputs_key(source: Path, profile: Optional[Path], formats: Iterable[str], only: Optional[list[str]],
               templates: Optional[Path], trusted: bool, issued: Optional[date] = None,
               number: Optional[str] = None, max_mb: Optional[float] = None) -> str:
    """A digest of everything a build reads: the source's and the profile's bytes, the options,
    the templates, the fonts and the code.  The latest version made from the same key holds
    the documents this build would make, so it need not even parse (see `made_already`).
    Inputs are read through the bounded reader (a device given as the source is refused at
    `max_mb`, not read until memory runs out): raises SourceError."""
    formats = tuple(formats)
    what = "a plan" if source.suffix.lower() == ".json" else "a circular"
    parts = [sha256(read_limited(source, max_mb or MAX_INPUT_MB, what)),
             sha256(read_limited(profile, MAX_PROFILE_MB, "a profile", "")) if profile else "-",
             ",".join(formats), ",".join(only or []), f"trusted={trusted}",
             f"issued={issued.isoformat() if issued else '-'}", f"number={number if number is not None else '-'}"]
    parts += [renderer_digest(fmt, templates, trusted) for fmt in formats]
    return sha256("\n".join(parts).encode("utf-8"))


def made_already(out_root: Path, name: str, key: str) -> Optional[BuildResult]:
    """The latest version of the plan folder `name`, when it was made from inputs with this key
    and holds all its documents; None otherwise."""
    plan_folder = out_root / safe_name(name)
    version = read_latest(plan_folder) if plan_folder.is_dir() and not plan_folder.is_symlink() else None
    if version is None:
        return None
    folder = plan_folder / version
    recorded = read_manifest(folder)
    if recorded.get("inputs") != key or not complete(folder):
        return None
    info = recorded.get("plan") if isinstance(recorded.get("plan"), dict) else {}

    def names(key: str) -> tuple[str, ...]:       # a hand-edited manifest may hold anything
        value = info.get(key)
        return tuple(u for u in value if isinstance(u, str)) if isinstance(value, list) else ()
    return BuildResult(folder, version, same_as=version, manifest=folder / MANIFEST,
                       idle=names("idle_units"), outside=names("outside_units"))


def file_in(folder: Path, rel: str) -> bool:
    try:
        path = inside(folder, folder / rel)
    except (OutputError, ValueError):
        return False
    return path.is_file()


def complete(folder: Path) -> bool:
    """A version folder whose every document (as its manifest lists them) is there."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    files = read_manifest(folder).get("files", [])
    return bool(files) and all(isinstance(f, dict) and isinstance(f.get("path"), str) and file_in(folder, f["path"])
                               for f in files)
