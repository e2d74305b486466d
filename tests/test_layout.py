"""The layout the code promises: `parser` reads and imports nothing of the application."""
from __future__ import annotations

import ast
import os
import subprocess
import sys

from .conftest import ROOT


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def test_the_parser_imports_nothing_of_the_application():
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.split(".")[0] == "plandoc")
                 for p in (ROOT / "parser").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_and_calling_the_library_changes_nothing_process_wide():
    # jieba sets its own logger's level when imported: the level it has then is the one to keep
    code = ("import gc, logging, jieba; jieba_level = logging.getLogger('jieba').level; "
            "from parser import parse_file; "
            "plan = parse_file('samples/suzhou-post-2022.txt', 'samples/suzhou-post.profile.toml'); "
            "print(len(plan.tasks), gc.isenabled(), logging.getLogger('jieba').level == jieba_level, "
            "logging.getLogger('weasyprint').level)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["96", "True", "True", "0"]


def test_a_rebuild_with_nothing_changed_imports_neither_the_parsing_nor_the_rendering(tmp_path):
    """`plandoc build` run again on the same inputs finds the version made from them by their
    digest (plandoc/inputs.py) and stops: the parser's readers, Jinja, the renderers and
    WeasyPrint stay unimported (they are most of such a run's time)."""
    args = ["build", "samples/suzhou-post-2022.txt", "--profile", "samples/suzhou-post.profile.toml",
            "--format", "docx", "-o", str(tmp_path), "-q"]
    heavy = ("parser.sources", "parser.outline", "parser.profile", "jieba", "jinja2", "docx", "weasyprint",
             "plandoc.build", "plandoc.render.docx", "plandoc.render.pdf", "openpyxl", "regex")
    code = ("import sys; from plandoc.cli import main; sys.argv = ['plandoc'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            f"print(code, [m for m in {heavy!r} if m in sys.modules])")
    first = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout.split(" ", 1)[0] == "0" and "plandoc.build" in first.stdout     # it built
    again = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "nothing changed" in again.stderr
    assert again.stdout.strip() == "0 []"


def test_weasyprint_imported_without_the_library_search_has_all_its_libraries():
    """plandoc.render.weasy answers WeasyPrint's library search "not found" while it imports:
    every library must still be loaded (HarfBuzz's subsetter too: without it each PDF takes
    seconds), nothing printed, and ctypes' search put back for everyone else."""
    code = ("import ctypes.util; searched = ctypes.util.find_library\n"
            "from plandoc.render.weasy import import_weasyprint\n"
            "import_weasyprint(); from weasyprint.text import ffi\n"
            "libraries = (ffi.gobject, ffi.pango, ffi.harfbuzz, ffi.harfbuzz_subset, ffi.fontconfig, ffi.pangoft2)\n"
            "print(ctypes.util.find_library is searched, all(lib is not None for lib in libraries))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout == "True True\n", done.stdout + done.stderr


def test_a_system_whose_libraries_only_the_search_finds_gets_the_search(tmp_path):
    """A WeasyPrint that cannot load its libraries without ctypes' search is imported again with
    it, and the advice it printed the first time is not shown (here a stand-in WeasyPrint)."""
    stand_in = tmp_path / "weasyprint"
    stand_in.mkdir()
    (stand_in / "__init__.py").write_text(
        "import ctypes.util\n"
        "if ctypes.util.find_library('c') is None:\n"
        "    print('please install the libraries')\n"
        "    raise OSError('cannot load library')\n"
        "LOADED = True\n", encoding="utf-8")
    code = ("from plandoc.render.weasy import import_weasyprint\n"
            "print(import_weasyprint().LOADED)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": f"{tmp_path}:{ROOT}"})
    assert done.stdout == "True\n", done.stdout + done.stderr
