"""The plandoc command: outputs, exit codes and messages."""
from __future__ import annotations

import json
import subprocess
import sys

from plandoc.cli import main

from .conftest import PROFILE, SAMPLE


def test_parse_prints_json(runner):
    result = runner.invoke(main, ["parse", str(SAMPLE), "-q"])
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["schema_version"] == 1 and len(plan["tasks"]) == 96
    assert result.stderr == ""


def test_warnings_go_to_stderr_with_file_and_line(runner):
    result = runner.invoke(main, ["parse", str(SAMPLE)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {SAMPLE}:78: section numeral 六 repeats line 59; the one at line 59 probably stands for "
        "the missing number 5 [section-number-repeated]"]


def test_strict_fails_on_warnings(runner):
    assert runner.invoke(main, ["parse", str(SAMPLE), "--strict", "-q"]).exit_code == 1


def test_output_file_and_table_view(runner, tmp_path):
    out = tmp_path / "sub" / "plan.txt"
    result = runner.invoke(main, ["parse", str(SAMPLE), "--profile", str(PROFILE), "--format", "table", "-q", "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "96 tasks, 1 warnings" in text
    assert "  44  L77   实施行业生态环保“9921工程”" in text
    assert "target: 使用可循环快递箱20万个  (= 200000 个)" in text
    assert "line 78: section numeral 六 repeats line 59" in text
    assert not list(out.parent.glob(".*.tmp"))


def test_schema_command_prints_json_schema(runner):
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["properties"]["schema_version"] == {"const": 1}


def test_bad_profile_is_a_clear_error(runner, tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text("[units]\n\"办公室\" = 3\n", encoding="utf-8")
    result = runner.invoke(main, ["parse", str(SAMPLE), "--profile", str(profile)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {profile}: units.办公室: must be a table, e.g. {{ aliases = [...] }}\n"


def test_python_dash_m_is_the_same_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "plandoc", "parse", str(SAMPLE), "-q"], capture_output=True, text=True)
    assert proc.returncode == 0 and len(json.loads(proc.stdout)["tasks"]) == 96
    proc = subprocess.run([sys.executable, "-m", "plandoc", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("Usage: plandoc")


def test_a_document_with_no_task_says_so(runner, tmp_path):
    """Never a silent zero: numbered items without units, or nothing numbered, is a warning that
    points at what may be a label or a table the parser did not understand."""
    path = tmp_path / "plan.txt"
    path.write_text("一、加强监管\n1.做好统计工作。\n经办科室：综合科\n2.做好宣传工作。\n", encoding="utf-8")
    result = runner.invoke(main, ["parse", str(path), "--format", "table"])
    assert result.exit_code == 0
    assert "0 tasks, 1 warnings" in result.stdout
    assert f"warning: {path}:1: 3 numbered items but no unit assigned to any; lines that look like a label " \
           "or a table not understood: 3 [no-assignments]" in result.stderr
    result = runner.invoke(main, ["parse", str(path), "--strict", "-q"])
    assert result.exit_code == 1
