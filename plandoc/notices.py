"""Change notices (任务调整通知): for each unit a revision concerns, what it gains, what it no
longer does, and what changed, old and new side by side.  Built from a `Diff` and written with
the same renderers and layout as the letters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from parser.model import Task
from parser.profile import Profile

from .diff import Diff


@dataclass
class UnitChanges:
    """What one revision means for one unit."""
    unit: str
    added: list[Task] = field(default_factory=list)             # tasks it now has (new version)
    removed: list[Task] = field(default_factory=list)           # tasks it no longer has (old version)
    changed: list[tuple[Task, Task, tuple[str, ...]]] = field(default_factory=list)   # (old, new, aspects)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


def changes_by_unit(d: Diff, profile: Optional[Profile]) -> list[UnitChanges]:
    """Each unit a change concerns, groups expanded (各处室), in the profile's order then by name."""
    out: dict[str, UnitChanges] = {}

    def at(unit: str) -> UnitChanges:
        return out.setdefault(unit, UnitChanges(unit))

    for c in d.changes:
        before = _units(c.old, profile)
        after = _units(c.new, profile)
        for unit in after - before:
            at(unit).added.append(c.new)
        for unit in before - after:
            at(unit).removed.append(c.old)
        for unit in before & after:
            at(unit).changed.append((c.old, c.new, c.aspects))
    known = list(profile.units) if profile is not None else []
    return sorted(out.values(), key=lambda u: (u.unit not in known, known.index(u.unit) if u.unit in known else 0,
                                              u.unit))


def _units(task: Optional[Task], profile: Optional[Profile]) -> set[str]:
    if task is None:
        return set()
    names = set()
    for u in task.departments:
        name = u.canonical or u.name
        names.update(profile.expand(name) if profile is not None else (name,))
    return names
