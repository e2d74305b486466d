"""The font map (data/fonts.toml): one place that says which typeface each format uses, and the
prepared font subsets the PDF embeds.

WeasyPrint reads a whole font file into memory for every PDF and subsets it there; the CJK
collections are 20-27 MB each, so a letter cost ~450 MB.  Each face is therefore cut once to the
GB 2312 characters plus the plan's own (HarfBuzz), kept in a cache folder, and given to
WeasyPrint through @font-face; the system fonts stay behind it as fallbacks.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from parser.errors import RuleFileError

from ..errors import FontError

DATA = Path(__file__).resolve().parent.parent / "data" / "fonts.toml"
FACES = ("fangsong", "xiaobiaosong", "heiti", "kaiti", "songti")
PREPARED_VERSION = "1"      # bump when the way subsets are made changes


@dataclass(frozen=True)
class Face:
    docx: str
    pdf: tuple[str, ...]
    bold: bool = False
    own: int = 1            # how many of `pdf` are this face; the others stand in for it


@dataclass(frozen=True)
class FontMap:
    faces: dict[str, Face]
    latin: str
    packages: tuple[str, ...]

    def docx(self) -> dict[str, str]:
        return {name: face.docx for name, face in self.faces.items()}

    def missing_pdf_faces(self) -> list[str]:
        """Faces none of whose PDF fonts is installed (empty when fontconfig cannot tell)."""
        installed = installed_fonts()
        if installed is None:
            return []
        families = {f for (_, _, fams, *_) in installed for f in fams}
        return [name for name, face in self.faces.items() if not any(f in families for f in face.pdf)]


    def require_pdf_faces(self) -> None:
        missing = self.missing_pdf_faces()
        if missing:
            raise FontError(f"no font installed for {', '.join(missing)} (PDF needs one of: "
                            + "; ".join(", ".join(self.faces[m].pdf) for m in missing)
                            + f"); install the packages {' '.join(self.packages)}")


def substitutions(fonts: FontMap, chars: Iterable[str]) -> list[str]:
    """What the PDF would set in another face than the one asked for, one sentence each: a face
    whose first font is not installed, and the characters of the documents the body's face
    (仿宋) has no glyph for.  Empty when every face is its own."""
    notes = []
    for name, face in fonts.faces.items():
        found = locate(face, _weights(name, face)[0])
        if found is not None and found[2] not in face.pdf[:face.own]:
            notes.append(f"{name}: none of {', '.join(face.pdf[:face.own])} is installed, {found[2]} stands in")
    body = locate(fonts.faces["fangsong"], False)
    covered = _covered(body[0], body[1]) if body is not None else frozenset()
    if covered:
        missing = sorted({c for c in chars if c.strip() and ord(c) > 0x7F and ord(c) not in covered})
        if missing:
            notes.append(f"fangsong: {len(missing)} character(s) are not in {body[2]} and are set in a "
                         f"fallback face: {''.join(missing[:20])}{'…' if len(missing) > 20 else ''}")
    return notes


def _family_list(families: Iterable[str]) -> str:
    return ", ".join("'{}'".format(f.replace("'", "")) for f in families) + ", serif"


@functools.lru_cache(maxsize=None)
def load_fonts(path: Path = DATA) -> FontMap:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        faces = {name: Face(spec["docx"], tuple(spec["pdf"]), bool(spec.get("bold", False)), int(spec.get("own", 1)))
                 for name, spec in data["faces"].items()}
        fonts = FontMap(faces, data["latin"], tuple(data["packages"]))
    except KeyError as exc:
        raise RuleFileError(str(path), str(exc.args[0]), "missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(str(path), "-", str(exc)) from None
    if set(faces) != set(FACES):
        raise RuleFileError(str(path), "faces", f"needs exactly {', '.join(FACES)}")
    for name, face in faces.items():
        if not 1 <= face.own <= len(face.pdf):
            raise RuleFileError(str(path), f"faces.{name}.own", f"must be 1 to {len(face.pdf)}, the fonts in pdf")
    return fonts


@functools.lru_cache(maxsize=None)
def installed_fonts() -> Optional[tuple[tuple[str, int, tuple[str, ...], int, bool], ...]]:
    """(file, index in the collection, families, weight, bold by its style name) of every font
    fontconfig knows — what WeasyPrint finds — or None without fc-list.  The style name counts
    too: Fandol's bold files declare the regular weight."""
    if shutil.which("fc-list") is None:
        return None
    out = subprocess.run(["fc-list", "--format", "%{file}|%{index}|%{family}|%{weight}|%{style}\n"],
                         capture_output=True, text=True).stdout
    fonts = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 5 and parts[1].isdigit() and parts[3].isdigit():
            bold = any(s.strip().lower() in ("bold", "heavy", "black") for s in parts[4].split(","))
            fonts.append((parts[0], int(parts[1]), tuple(f.strip() for f in parts[2].split(",")), int(parts[3]),
                          bold))
    return tuple(sorted(fonts))


def font_identity() -> str:
    """Which font files the PDF faces would be set in now (file, size, time): a document made
    with other fonts is made again."""
    fonts = load_fonts()
    found = []
    for name, face in sorted(fonts.faces.items()):
        for bold in (False, True):
            where = locate(face, bold)
            if where:
                stat = os.stat(where[0])
                found.append(f"{name}:{bold}:{where[0]}:{where[1]}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(found)


def locate(face: Face, bold: bool) -> Optional[tuple[str, int, str]]:
    """(file, index, family) of the first of the face's PDF fonts that is installed, in the
    weight asked for (fontconfig weights: 80 regular, 200 bold)."""
    want = 200 if bold else 80
    for family in face.pdf:
        found = [(abs(w - want), named_bold != bold, file, index)
                 for file, index, fams, w, named_bold in installed_fonts() or () if family in fams]
        if found:
            *_, file, index = min(found)
            return file, index, family
    return None


@functools.lru_cache(maxsize=1)
def base_characters() -> frozenset[str]:
    """GB 2312 (every character a Chinese official document is expected to use), ASCII, and the
    CJK and general punctuation blocks."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0x2000, 0x2070)} | {chr(c) for c in range(0x3000, 0x3040)}
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)} | {"□", "☐", "●", "○", "※", "№"}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


@dataclass(frozen=True)
class PreparedFonts:
    """CSS for the PDF templates: @font-face rules for the prepared subsets and the family lists."""
    font_faces: str
    families: dict[str, str]
    folders: list[Path] = field(default_factory=list)      # where the prepared subsets are


def cache_dir() -> Path:
    root = os.environ.get("PLANDOC_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "plandoc" / "fonts"


def prepare(fonts: FontMap, chars: Iterable[str], folder: Optional[Path] = None) -> PreparedFonts:
    """Cut each face's font to the characters needed (once: later builds find it in the cache)."""
    folder = folder or cache_dir()
    base = base_characters()
    chars = {c for c in chars if c.strip()}
    extra = chars - base
    wanted = base | extra
    rules, families = [], {}
    for name, face in fonts.faces.items():
        made = []
        for bold in _weights(name, face):
            found = locate(face, bold)
            if found is None:
                continue
            path = _subset(found[0], found[1], wanted, extra, folder)
            weight = "bold" if bold else "normal"
            # the font's own family name, so the PDF names the face it was set in
            rules.append(f"@font-face {{ font-family: '{found[2]}'; font-weight: {weight}; "
                         f"src: url('{path.as_uri()}'); }}")
            made.append(found[2])
            # the documents' characters this font lacks (a traditional one, where Fandol has GB
            # 2312) are cut from the next font of the face that has them: left to find them
            # itself, WeasyPrint loads a whole 20 MB CJK collection (550 MB for a 2-task letter)
            need = frozenset(c for c in chars if ord(c) > 0x7F and ord(c) not in _covered(found[0], found[1]))
            rest = Face(face.docx, face.pdf[face.pdf.index(found[2]) + 1:], face.bold)
            more = locate(rest, bold) if need and rest.pdf else None
            if more is not None:
                # under a name of its own: under the installed font's name, fontconfig would
                # match the installed collection for it as well
                alias = f"{more[2]} plandoc"
                path = _subset(more[0], more[1], need, set(need), folder)
                rules.append(f"@font-face {{ font-family: '{alias}'; font-weight: {weight}; "
                             f"src: url('{path.as_uri()}'); }}")
                made.append(alias)
        # the prepared fonts only, when there are: an installed font's name in the list would
        # let WeasyPrint load that whole collection for a character none of them has
        families[name] = _family_list(tuple(dict.fromkeys(made)) if made else face.pdf)
    return PreparedFonts("\n".join(rules), families, [folder])


def _weights(name: str, face: Face) -> list[bool]:
    """The weights a face is prepared in (bold or not), the one its text mostly uses first."""
    # 小标宋 has no free counterpart: the PDF sets it in a bold Song, so only bold is prepared
    return [True] if name == "xiaobiaosong" else [False, True] if face.bold else [False]


@functools.lru_cache(maxsize=32)
def _covered(file: str, index: int) -> frozenset[int]:
    """The code points a font has glyphs for (empty when it cannot be read)."""
    import uharfbuzz as hb
    try:
        return frozenset(hb.Face(hb.Blob.from_file_path(file), index).unicodes)
    except (OSError, hb.HarfBuzzError):
        return frozenset()


def _subset(file: str, index: int, chars: frozenset[str], extra: set[str], folder: Path) -> Path:
    stat = os.stat(file)
    key = hashlib.sha256("|".join([PREPARED_VERSION, file, str(index), str(stat.st_size), str(stat.st_mtime_ns),
                                   "".join(sorted(extra))]).encode("utf-8")).hexdigest()[:20]
    # a collection of CFF fonts (.ttc) cuts to an OpenType font; a TrueType file stays TrueType
    suffix = ".ttf" if Path(file).suffix.lower() == ".ttf" else ".otf"
    target = folder / f"{Path(file).stem}-{index}-{key}{suffix}"
    if target.is_file():
        return target
    import uharfbuzz as hb
    # HarfBuzz's subsetter (the one WeasyPrint uses): 0.15 s for a CJK collection, where
    # fontTools takes about 15 s
    try:
        face = hb.Face(hb.Blob.from_file_path(file), index)
        request = hb.SubsetInput()
        for c in chars:
            request.unicode_set.add(ord(c))
        request.flags = hb.SubsetFlags.NO_HINTING
        data = hb.subset(face, request).blob.data
    except (OSError, hb.HarfBuzzError) as exc:
        raise FontError(f"{file}: cannot prepare this font for PDF: {exc}") from None
    if not data:
        raise FontError(f"{file}: HarfBuzz could not cut this font to the document's characters")
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        raise FontError(f"the font cache {folder} cannot be written ({exc.strerror}); "
                        "set PLANDOC_CACHE to a folder plandoc may write") from None
    return target
