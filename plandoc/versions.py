"""Versions of a plan's documents: each build in a folder of its own, never overwritten.

    output/suzhou-post-2022/
        latest -> 2022-03-01-5be0c2a1     the newest version (a small text file holding its name
                                          where the file system takes no symbolic link)
        2022-03-01-5be0c2a1/              named from the circular's date and a digest of what its
            manifest.json                 documents were made from; the manifest names the version
            plan.json                     it follows and the diff between them
            任务分解总表.docx …
        2022-01-20-09f3aa17/              an earlier version, as it was sent (and edited by hand)

A version is made in a hidden folder beside the others and renamed into place when it is
complete: a build that is interrupted leaves the versions there were and no half-made one.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .output import OutputError

LATEST = "latest"
PLAN_FILE = "plan.json"
STAGING = ".building-"
# the long overview's laid-out PDF pieces, kept for the next version to take the unchanged ones
PIECES = ".pieces"
# what a version's name may be: what plandoc makes, and nothing a hand-edited `latest` could
# turn into a path out of the plan's folder
NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,79}")


def version_name(date: Optional[str], digests: Iterable[str]) -> str:
    """`2022-03-01-5be0c2a1`: the circular's date, then 8 hex digits of what the documents are
    made from (the same plan, profile, templates and formats give the same name)."""
    content = hashlib.sha256("\n".join(sorted(digests)).encode("utf-8")).hexdigest()[:8]
    return f"{date or 'undated'}-{content}"


def free_name(folder: Path, name: str) -> str:
    """`name`, or `name-2`, `name-3`… when a version of that name is there already (a forced
    rebuild of the same content never replaces the one that was sent)."""
    candidate, n = name, 1
    while (folder / candidate).exists() or (folder / candidate).is_symlink():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def read_latest(folder: Path) -> Optional[str]:
    """The name of the newest version, or None when there is none (or `latest` names no version
    folder of this plan: it is then left alone and replaced by the next build)."""
    link = folder / LATEST
    try:
        name = os.readlink(link) if link.is_symlink() else link.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not NAME.fullmatch(name):
        return None
    target = folder / name
    return name if target.is_dir() and not target.is_symlink() else None


def set_latest(folder: Path, name: str) -> None:
    """Point `latest` at version `name`, atomically: a symbolic link, or where links cannot be
    made, a text file holding the name."""
    link = folder / LATEST
    if link.exists() and not link.is_symlink() and not link.is_file():
        raise OutputError(f"{link} is a folder; plandoc names the newest version there (move it away)")
    tmp = folder / f".{LATEST}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.symlink(name, tmp)
        except (OSError, NotImplementedError):
            tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, link)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{link}: cannot write ({exc.strerror})") from None


@contextlib.contextmanager
def staging(folder: Path, name: str) -> Iterator[Path]:
    """A hidden folder to make version `name` in; renamed to folder/name when the block ends
    without an error, removed when it does not."""
    tmp = folder / f"{STAGING}{name}-{os.getpid()}"
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{tmp}: cannot make the new version's folder ({exc.strerror})") from None
    try:
        yield tmp
        os.rename(tmp, folder / name)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{folder / name}: cannot make the new version ({exc.strerror}); it was not made") \
            from None
    except OutputError as exc:      # named as the version would have been, not the hidden folder
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(str(exc).replace(str(tmp), str(folder / name)) + "; the new version was not made") \
            from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def clear_staging(folder: Path) -> None:
    """Remove the half-made versions a killed build left (called with the plan's folder locked)."""
    for leftover in folder.glob(f"{STAGING}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def carry(source: Path, target: Path) -> None:
    """Copy a document into the new version as it is in the old one (edits by hand included).
    A copy, not a hard link: a document edited in place in one version must not change in the
    other, the one that was sent."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target, follow_symlinks=False)
    except OSError as exc:        # a full disk, most likely: one line, and the staging folder goes
        raise OutputError(f"{target.name}: cannot copy it into the new version ({exc.strerror})") from None
