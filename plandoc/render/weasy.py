"""WeasyPrint imported without its slow search for its libraries.

WeasyPrint asks for each of its libraries (GObject, Pango, HarfBuzz, fontconfig...) under
Windows' and macOS's names before Linux's.  cffi answers a name dlopen() cannot open by asking
`ctypes.util.find_library`, which on Linux starts ldconfig, gcc and ld for it: 22 names, 0.3 s
of a worker's 0.7 s import, every build.  The Linux names in WeasyPrint's lists (`libpango-
1.0.so.0`) open with dlopen() itself, so while WeasyPrint is imported the other names are
answered "not found" at once.  A system whose libraries only that search finds gets the
search: the import is tried again as WeasyPrint does it."""

from __future__ import annotations

import contextlib
import io
import sys
from types import ModuleType


def import_weasyprint() -> ModuleType:
    """`import weasyprint`, without the library search on Linux.  Raises what the import
    raises (OSError: a system library missing)."""
    if "weasyprint" not in sys.modules and sys.platform.startswith("linux"):
        import ctypes.util

        searched = ctypes.util.find_library
        ctypes.util.find_library = _not_found
        try:
            # WeasyPrint prints its own advice before it fails; it prints it on the second try
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint
            return weasyprint
        except OSError:
            pass
        finally:
            ctypes.util.find_library = searched
    import weasyprint
    return weasyprint


def _not_found(name: str) -> None:
    return None


__all__ = ["import_weasyprint"]
