"""Who does what: a plan's tasks regrouped per unit of the issuer, ready for any document.

Groups (各处室) are expanded to their members, aliases to the profile's name, and the same work
listed in two parts (分解方案 and 民生实事) becomes one entry that cites both places.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import regex

from ..errors import RuleFileError
from ..model import Plan, Task
from ..normalize import letters_only
from ..profile import Profile

ROLES = ("lead", "responsible", "support")     # strongest first
DATA = Path(__file__).resolve().parent.parent / "data" / "letters.toml"


@dataclass(frozen=True)
class Wording:
    roles: dict[str, str]
    role_headings: dict[str, str]
    part_names: tuple[tuple[regex.Pattern, str], ...]
    drop_before_year: bool
    same_task_similarity: float
    files: dict[str, str]
    text: dict[str, object]
    plan_name: regex.Pattern
    line_reference: tuple[str, str]      # with a part, without one


@functools.lru_cache(maxsize=None)
def load_wording(path: Path = DATA) -> Wording:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        names = tuple((regex.compile(p["pattern"]), p["name"]) for p in data["part_names"])
        wording = Wording(data["roles"], data["role_headings"], names, bool(data["drop_before_year"]),
                          float(data["same_task_similarity"]), data["files"], data["text"],
                          regex.compile(data["plan_name"]),
                          (data["line_reference"], data["line_reference_without_part"]))
    except KeyError as exc:
        raise RuleFileError(str(path), str(exc.args[0]), "missing") from None
    except (tomllib.TOMLDecodeError, regex.error) as exc:
        raise RuleFileError(str(path), "-", str(exc)) from None
    for table in ("roles", "role_headings"):
        if set(getattr(wording, table)) != set(ROLES):
            raise RuleFileError(str(path), table, f"needs exactly {', '.join(ROLES)}")
    return wording


@dataclass(frozen=True)
class Ref:
    """One place where the circular states a task: 分解方案第13项, 民生实事四.1."""
    task_id: str
    part: str          # the short name of the part
    label: str
    line: int
    part_title: str    # the part's title, shortened: 工作目标任务分解方案


@dataclass(frozen=True)
class Entry:
    """A unit's share of one piece of work (one task, or the same task stated in two parts)."""
    text: str
    role: str                       # lead | responsible | support
    refs: tuple[Ref, ...]
    targets: tuple[str, ...]        # as printed
    deadline: Optional[str]         # as printed: 年内
    deadline_date: Optional[str]    # ISO date
    partners: tuple[tuple[str, str], ...]   # the other units of the task and their roles

    @property
    def task_ids(self) -> tuple[str, ...]:
        return tuple(r.task_id for r in self.refs)


@dataclass(frozen=True)
class Assignment:
    unit: str
    entries: tuple[Entry, ...]      # by role (strongest first), then in document order

    def by_role(self, role: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.role == role)


@dataclass(frozen=True)
class Assignments:
    units: tuple[Assignment, ...]           # every unit with tasks, profile order first
    idle: tuple[str, ...]                   # units of the profile that have no task
    outside: tuple[str, ...]                # units named by tasks but not in the profile (no letter)


def assign(plan: Plan, profile: Optional[Profile], wording: Optional[Wording] = None) -> Assignments:
    wording = wording or load_wording()
    restarting = _restarting_parts(plan)
    refs = {t.id: _ref(t, t.part in restarting, wording) for t in plan.tasks}
    per_unit: dict[str, dict[str, tuple[str, Task]]] = {}    # unit -> task id -> (role, task)
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
            units.append(Assignment(unit, _entries(unit, per_unit[unit], position, profile, refs, wording)))
    return Assignments(
        units=tuple(units),
        idle=tuple(u for u in known if u not in per_unit),
        outside=tuple(u for u in order if known and u not in known and u in per_unit))


def _units_of(task: Task, profile: Optional[Profile]) -> list[tuple[str, str]]:
    """(unit, role) for each unit a task names, groups expanded, names made canonical."""
    out = []
    for u in task.departments:
        name = u.canonical or u.name
        members = profile.expand(name) if profile is not None else (name,)
        out.extend((m, u.role) for m in members)
    return out


def _entries(unit, held: dict, position: dict, profile, refs, wording: Wording) -> tuple[Entry, ...]:
    """One entry per piece of work; a task that repeats one from another part joins it.
    `position` is each task's place in the plan."""
    pairs = {tid: _bigrams(task.text) for tid, (_, task) in held.items()}
    groups: list[list[tuple[str, Task]]] = []
    for tid in sorted(held, key=position.__getitem__):
        role, task = held[tid]
        for g in groups:
            first = g[0][1]
            if first.part != task.part and all(x.part != task.part for _, x in g) \
                    and _jaccard(pairs[first.id], pairs[tid]) >= wording.same_task_similarity:
                g.append((role, task))
                break
        else:
            groups.append([(role, task)])
    entries = []
    for g in groups:
        role = min((r for r, _ in g), key=ROLES.index)
        first = g[0][1]
        targets = list(dict.fromkeys(x.text for _, t in g for x in t.targets))
        deadline = next((t.deadline for _, t in g if t.deadline), None)
        partners = {}
        for _, t in g:
            for other, r in _units_of(t, profile):
                if other != unit and (other not in partners or ROLES.index(r) < ROLES.index(partners[other])):
                    partners[other] = r
        entries.append(Entry(first.text, role, tuple(refs[t.id] for _, t in g), tuple(targets),
                             deadline.text if deadline else None,
                             deadline.date.isoformat() if deadline and deadline.date else None,
                             tuple(partners.items())))
    entries.sort(key=lambda e: ROLES.index(e.role))     # stable: document order within a role
    return tuple(entries)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams, punctuation ignored.

    >>> round(similarity("宣贯省政府关于加快农村寄递物流体系建设的实施意见", "贯彻落实省政府关于加快农村寄递物流体系建设的实施意见"), 2)
    0.78
    """
    return _jaccard(_bigrams(a), _bigrams(b))


def _jaccard(x: frozenset, y: frozenset) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def _bigrams(text: str) -> frozenset:
    s = letters_only(text)
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def part_name(title: Optional[str], wording: Wording) -> str:
    """The short name of a part in references: 分解方案, 民生实事, or the shortened title."""
    if not title:
        return ""
    for pattern, name in wording.part_names:
        if pattern.search(title):
            return name
    return part_title(title, wording)


def part_title(title: Optional[str], wording: Wording) -> str:
    """A part's title without what comes before its year: 苏州市邮政管理局2022年工作目标任务分解方案
    -> 工作目标任务分解方案 (the letter's own title names the year and the issuer)."""
    if not title:
        return ""
    if wording.drop_before_year:
        m = regex.search(r"(?:19|20)\d{2}年度?", title)
        if m and title[m.end():]:
            return title[m.end():]
    return title


def _ref(task: Task, restarts: bool, wording: Wording) -> Ref:
    """分解方案第13项 when numbers run through the part; 民生实事四.1 when they restart per section."""
    part = part_name(task.part, wording)
    if task.number is None:
        label = wording.line_reference[0 if part else 1].format(part=part, line=task.line)
    elif task.section_number and restarts:
        label = f"{part}{task.section_number}.{task.number}"
    else:
        label = f"{part}第{task.number}项"
    return Ref(task.id, part, label, task.line, part_title(task.part, wording))


def _restarting_parts(plan: Plan) -> frozenset:
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
