"""Who does what: a plan's tasks regrouped per unit of the issuer, ready for any document.

Groups (各处室) are expanded to their members, aliases to the profile's name, and the same work
listed in two parts (分解方案 and 民生实事) becomes one entry that cites both places.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from parser.model import ROLES, Deadline, Plan, Role, Target, Task
from parser.profile import Profile
from parser.similar import same_work


@dataclass(frozen=True)
class Ref:
    """One place where the circular states a task: its part, section and item numerals as printed
    (分解方案第13项, 民生实事四.1 once worded)."""
    task_id: str
    part: Optional[str]              # the part's title as printed
    section_number: Optional[str]
    number: Optional[str]
    line: int
    restarts: bool                   # item numbers restart in each section of this part


@dataclass(frozen=True)
class Entry:
    """A unit's share of one piece of work (one task, or the same task stated in two parts)."""
    text: str
    role: Role
    refs: tuple[Ref, ...]
    targets: tuple[Target, ...]      # of every task of the entry, each text once
    deadline: Optional[Deadline]
    partners: tuple[tuple[str, Role], ...]   # the other units of the task and their roles

    @property
    def task_ids(self) -> tuple[str, ...]:
        return tuple(r.task_id for r in self.refs)


@dataclass(frozen=True)
class Assignment:
    """One unit's packet: its entries by role (strongest first), then in document order."""
    unit: str
    entries: tuple[Entry, ...]

    def by_role(self, role: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.role == role)


@dataclass(frozen=True)
class Assignments:
    units: tuple[Assignment, ...]           # every unit with tasks, profile order first
    idle: tuple[str, ...]                   # units of the profile that have no task
    outside: tuple[str, ...]                # units named by tasks but not in the profile (no letter)


def assemble(plan: Plan, profile: Optional[Profile], same_work_similarity: float) -> Assignments:
    """Each unit's share of the plan.  Two tasks of different parts whose texts share at least
    `same_work_similarity` of their character pairs are one entry."""
    restarting = restarting_parts(plan)
    refs = {t.id: Ref(t.id, t.part, t.section_number, t.number, t.line, t.part in restarting)
            for t in plan.tasks}
    per_unit: dict[str, dict[str, tuple[Role, Task]]] = {}    # unit -> task id -> (role, task)
    for t in plan.tasks:
        for unit, role in _units_of(t, profile):
            held = per_unit.setdefault(unit, {}).get(t.id)
            if held is None or ROLES.index(role) < ROLES.index(held[0]):
                per_unit[unit][t.id] = (role, t)
    known = tuple(profile.units) if profile is not None and profile.units else ()
    order = list(known) + sorted(u for u in per_unit if u not in known)
    position = {t.id: n for n, t in enumerate(plan.tasks)}
    units = []
    for unit in order:
        if unit in per_unit:
            units.append(Assignment(unit, _entries(unit, per_unit[unit], position, profile, refs, same_work_similarity)))
    return Assignments(
        units=tuple(units),
        idle=tuple(u for u in known if u not in per_unit),
        outside=tuple(u for u in order if known and u not in known and u in per_unit))


def _units_of(task: Task, profile: Optional[Profile]) -> list[tuple[str, Role]]:
    """(unit, role) for each unit a task names, groups expanded, names made canonical."""
    out = []
    for u in task.departments:
        name = u.canonical or u.name
        members = profile.expand(name) if profile is not None else (name,)
        out.extend((m, u.role) for m in members)
    return out


def _entries(unit, held: dict, position: dict, profile, refs, threshold: float) -> tuple[Entry, ...]:
    """One entry per piece of work; a task that repeats one from another part joins it.
    `position` is each task's place in the plan."""
    order = sorted(held, key=position.__getitem__)
    grouped = same_work([(held[tid][1].part, held[tid][1].text) for tid in order], threshold)
    groups = [[held[order[k]] for k in g] for g in grouped]
    entries = []
    for g in groups:
        role = min((r for r, _ in g), key=ROLES.index)
        first = g[0][1]
        targets: dict[str, Target] = {}       # each text once, first stated first
        for _, t in g:
            for x in t.targets:
                targets.setdefault(x.text, x)
        deadline = next((t.deadline for _, t in g if t.deadline), None)
        partners = {}
        for _, t in g:
            for other, r in _units_of(t, profile):
                if other != unit and (other not in partners or ROLES.index(r) < ROLES.index(partners[other])):
                    partners[other] = r
        entries.append(Entry(first.text, role, tuple(refs[t.id] for _, t in g), tuple(targets.values()),
                             deadline, tuple(partners.items())))
    entries.sort(key=lambda e: ROLES.index(e.role))     # stable: document order within a role
    return tuple(entries)


def restarting_parts(plan: Plan) -> frozenset:
    """Parts whose item numbers restart in each section (1. 2. under 一、 and again under 二、)."""
    seen: dict = {}
    out = set()
    for t in plan.tasks:
        if t.number is None:
            continue
        key = (t.part, t.number)
        if key in seen and seen[key] != t.section_number:
            out.add(t.part)
        seen.setdefault(key, t.section_number)
    return frozenset(out)
