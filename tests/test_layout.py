"""The layout the code promises: `parser` reads and imports nothing of the application."""
from __future__ import annotations

import ast
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
