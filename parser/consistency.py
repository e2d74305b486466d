"""The same work stated in two parts of a circular (分解方案 and 民生实事) with targets or
deadlines that disagree: a revision often updates one place and forgets the other."""
from __future__ import annotations

from .model import Notice, Task
from .normalize import letters_only
from .similar import same_work


def inconsistencies(tasks: list[Task], threshold: float) -> list[Notice]:
    """A warning for each target and deadline on which two statements of one task disagree,
    at the later one's line, naming the other's."""
    if len({t.part for t in tasks}) < 2:
        return []
    out = []
    for group in same_work([(t.part, t.text) for t in tasks], threshold):
        first = tasks[group[0]]
        for k in group[1:]:
            other = tasks[k]
            targets = {_key(x): x for x in first.targets}
            for x in other.targets:
                y = targets.get(_key(x))
                if y is not None and y.value != x.value:
                    out.append(Notice("inconsistent-target", other.line,
                                      f"{x.indicator or x.unit}: “{x.text}” here, but “{y.text}” at line {first.line} "
                                      "for the same work"))
            a, b = first.deadline, other.deadline
            if a and b and a.date and b.date and a.date != b.date:
                out.append(Notice("inconsistent-deadline", other.line,
                                  f"deadline “{b.text}” ({b.date.isoformat()}) here, but “{a.text}” "
                                  f"({a.date.isoformat()}) at line {first.line} for the same work"))
    return out


def _key(t) -> tuple[str, str]:
    return letters_only(t.indicator), t.unit
