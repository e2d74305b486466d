"""Where a build writes: safe file names, atomic writes and the manifest.

    >>> safe_name("../x"), safe_name("a/b"), safe_name("CON"), safe_name("市场监管处"), safe_name("\u202efdp.exe")
    ('_x', 'a_b', '_CON', '市场监管处', 'fdp.exe')
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Optional

from parser.errors import PlandocError

MANIFEST = "manifest.json"
LOCK_WAIT = 10.0          # seconds a second build waits for the first one to finish
# Windows refuses these names with any extension; Linux refuses '/' and NUL
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
MAX_BYTES = 150     # well under the 255 bytes a Linux file name may hold, with room for a suffix


def safe_name(name: str) -> str:
    """A file or folder name that means the same on Windows and Linux and stays in its folder."""
    # format characters (Unicode category Cf) are invisible: two folders would both read
    # 市场监管处, and a right-to-left override shows ‮fdp.exe as exe.pdf
    s = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c) != "Cf")
    s = UNSAFE.sub("_", s).strip(" .")      # a leading dot hides a file; a trailing one Windows drops
    if not s:
        s = "_"
    if s.split(".")[0].upper() in RESERVED:
        s = "_" + s
    while len(s.encode("utf-8")) > MAX_BYTES:
        s = s[:-1]
    return s


def unique_names(names: list[str], reserved: tuple[str, ...] = ()) -> dict[str, str]:
    """Safe names for a list of names, distinct even when two names make the same safe name
    (a/b and a_b) or differ only in case (Windows folders ignore case), and none of `reserved`
    (the files beside them)."""
    return dict(zip(names, distinct_names(list(dict.fromkeys(names)), reserved)))


def distinct_names(names: list[str], reserved: tuple[str, ...] = ()) -> list[str]:
    """Safe names for `names`, in order, numbered where two would be the same (x, x-2).

    >>> distinct_names(["x", "a/b", "x", "a_b"])
    ['x', 'a_b', 'x-2', 'a_b-2']
    """
    out, taken = [], {r.casefold() for r in reserved}
    for name in names:
        base = safe_name(name)
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


class OutputError(PlandocError):
    """Where the documents would go cannot take them: a link out of the output folder, a folder
    that cannot be written."""


def inside(folder: Path, path: Path) -> Path:
    """`path`, checked to lie inside `folder` with no symbolic link on the way from the folder
    to it (a linked plan or unit folder would lead the writes elsewhere).  Raises OutputError."""
    rel = path.relative_to(folder) if path.is_relative_to(folder) else None
    if rel is None or ".." in rel.parts:
        raise OutputError(f"{path} is outside {folder}")
    step = folder
    for part in rel.parts:
        step = step / part
        if step.is_symlink():
            raise OutputError(f"{step} is a symbolic link; plandoc writes only inside {folder}, "
                              "never through a link (remove it, or build elsewhere)")
    return path


def check_writable(folder: Path) -> None:
    """Fail early, before any document is made, when `folder` cannot be created or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".plandoc-", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write there ({exc.strerror})") from None


@contextlib.contextmanager
def locked(folder: Path):
    """One build at a time in a plan's folder: a second one waits up to LOCK_WAIT seconds, then
    gives up saying so (two builds at once left a manifest that was wrong).  Once the lock is
    held, the caller clears what it knows it made (never files by a pattern: that deleted
    other programs' temporary files, and through a linked folder files outside)."""
    try:
        import fcntl
    except ImportError:         # no flock here (Windows): one build at a time is up to the user
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)     # the folder itself is locked: no lock file to leave behind
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(f"{folder}: another build is writing there; "
                                      "try again when it has finished") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)            # closing the file releases the lock


def write_atomic(path: Path, data: bytes) -> bool:
    """Write through a temporary file in the same folder, then rename: never a half-written file.
    Returns False (and leaves the file and its time alone) when it already holds these bytes.

    A path that names a device or a pipe (-o /dev/stdout) is written to, never replaced; a
    symbolic link is refused.  A new file gets the mode the umask gives; a rewritten one keeps
    its own.  Raises OutputError when the file cannot be written.
    """
    try:
        if path.is_symlink():
            raise OutputError(f"{path} is a symbolic link; give the file it points to")
        if path.exists() and not path.is_file():
            if path.is_dir():
                raise OutputError(f"{path} is a folder")
            with open(path, "wb") as fh:        # /dev/null, a FIFO: written to, not replaced
                fh.write(data)
            return True
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
        mode = path.stat().st_mode & 0o7777 if path.is_file() else 0o666 & ~_umask()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _umask() -> int:
    mask = os.umask(0)      # the only way to read it; set back at once
    os.umask(mask)
    return mask


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("files"), list) else {}
    except (OSError, ValueError):
        return {}


def read_record(path: Path) -> dict[str, str]:
    """A record of what plandoc wrote into a folder (notices.json, .plandoc-parse.json): file
    name -> its sha256 as written, to tell a file edited by hand since.  {} when there is none
    or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def record_bytes(files: dict[str, str]) -> bytes:
    """The record `read_record` reads."""
    return (json.dumps({"files": files}, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def manifest_bytes(plan_info: dict, files: list[dict], history: Optional[dict] = None) -> bytes:
    """The manifest: the plan, the version's place in the history (which one it follows, the diff
    from it), and every file with its sha256, size, unit and task ids."""
    files = sorted(files, key=lambda f: f["path"])
    data = {"plan": plan_info, **(history or {}), "files": files}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
