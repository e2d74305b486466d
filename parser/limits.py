"""How much of an input plandoc reads, and the bounded reader every input goes through.

Light on purpose: a rebuild that finds its documents made already reads its inputs through
here and imports nothing else of the parser.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import SourceError

MB = 1024 * 1024
MAX_INPUT_MB = 50         # a circular of a thousand pages is 5 MB of text; larger is a mistake or an attack
MAX_PROFILE_MB = 5        # a profile of ten thousand units with their aliases is under 1 MB


def read_limited(path: Path | str, max_mb: float = MAX_INPUT_MB, what: str = "an input",
                 hint: str = " (--max-input-mb raises the limit)") -> bytes:
    """The bytes of `path`, at most `max_mb` megabytes of them: a regular file is measured
    first and refused unread; anything else (/dev/zero, a pipe, a terminal) is read up to the
    limit and refused when it goes on (a device read whole ran to 23 GB).

    Raises SourceError for a missing, unreadable or too large input, or a folder.
    """
    path = Path(path)
    limit = int(max_mb * MB)
    too_large = f"{path}: more than the {max_mb:g} MB {what} may be{hint}"
    try:
        # O_NONBLOCK: a FIFO nobody writes to is opened at once (and reads as empty) instead of
        # hanging the command; it is cleared again below so that a pipe being written is waited for
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(f"{path}: is a directory, not a file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise SourceError(f"{path}: {info.st_size / MB:.1f} MB, more than the {max_mb:g} MB {what} may be{hint}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(MB, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise SourceError(too_large)
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
