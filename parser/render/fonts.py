"""The font map (data/fonts.toml): one place that says which typeface each format uses."""
from __future__ import annotations

import functools
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import RuleFileError

DATA = Path(__file__).resolve().parent.parent / "data" / "fonts.toml"
FACES = ("fangsong", "xiaobiaosong", "heiti", "kaiti", "songti")


@dataclass(frozen=True)
class Face:
    docx: str
    pdf: tuple[str, ...]

    @property
    def css(self) -> str:
        """A CSS font-family list: the preferred free fonts, then the generic family."""
        return ", ".join(f"'{f}'" for f in self.pdf) + ", serif"


@dataclass(frozen=True)
class FontMap:
    faces: dict[str, Face]
    latin: str
    packages: tuple[str, ...]

    def css(self) -> dict[str, str]:
        return {name: face.css for name, face in self.faces.items()}

    def docx(self) -> dict[str, str]:
        return {name: face.docx for name, face in self.faces.items()}

    def missing_pdf_faces(self) -> list[str]:
        """Faces none of whose PDF fonts is installed (empty when fontconfig cannot tell)."""
        installed = installed_families()
        if installed is None:
            return []
        return [name for name, face in self.faces.items() if not any(f in installed for f in face.pdf)]


@functools.lru_cache(maxsize=None)
def load_fonts(path: Path = DATA) -> FontMap:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        faces = {name: Face(spec["docx"], tuple(spec["pdf"])) for name, spec in data["faces"].items()}
        fonts = FontMap(faces, data["latin"], tuple(data["packages"]))
    except KeyError as exc:
        raise RuleFileError(str(path), str(exc.args[0]), "missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(str(path), "-", str(exc)) from None
    if set(faces) != set(FACES):
        raise RuleFileError(str(path), "faces", f"needs exactly {', '.join(FACES)}")
    return fonts


@functools.lru_cache(maxsize=None)
def installed_families() -> frozenset[str] | None:
    """Font families fontconfig knows (what WeasyPrint will find), or None without fc-list."""
    if shutil.which("fc-list") is None:
        return None
    out = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True, text=True).stdout
    return frozenset(f.strip() for line in out.splitlines() for f in line.split(","))
