"""The rule cases kept as data (tests/cases/*.toml): each a small document and what its first
task must hold.  Adding a case is adding lines to a file there."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from parser import parse_text

CASES = Path(__file__).with_name("cases")
KEYS = {"id", "text", "units", "leaders", "evidence", "tasks", "text_start", "targets", "deadline"}


def load_cases():
    for path in sorted(CASES.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            assert set(case) <= KEYS and {"id", "text"} <= set(case), (path.name, case)
            yield pytest.param(case, id=f"{path.stem}: {case['id']}")


@pytest.mark.parametrize("case", list(load_cases()))
def test_case(case):
    plan = parse_text(case["text"])
    if "tasks" in case:
        assert len(plan.tasks) == case["tasks"]
    if not plan.tasks:
        assert case.get("tasks") == 0, "no task"
        return
    task = plan.tasks[0]
    if "units" in case:
        assert [[u.name, u.role] for u in task.departments] == case["units"]
    if "leaders" in case:
        assert list(task.leaders) == case["leaders"]
    assert [e.rule for e in task.evidence] == ([case["evidence"]] if "evidence" in case else [])
    if "text_start" in case:
        assert task.text.startswith(case["text_start"]), task.text
    if "targets" in case:
        assert [[t.value, t.unit] for t in task.targets] == case["targets"]
    if "deadline" in case:
        assert (task.deadline.date.isoformat() if task.deadline and task.deadline.date else "") == case["deadline"]
