"""What changed between two versions of a plan, task by task, and for whom.

Tasks are aligned by content and place, not by number, in three passes:

1. the same text (spaces and punctuation aside), in order (difflib's longest matching blocks);
2. between two such anchors, the most alike texts in order (an alignment that maximises the sum
   of rapidfuzz's similarity, each pair at least `SIMILAR`): a reworded sentence, a raised target;
3. what is left, the most alike pairs whatever their order: a task moved to another section.

A task matched across versions keeps its id: the id of the older version (ids are first made
from a task's own text, see parser/outline.py, and carried on from version to version).
Renumbering alone is no change: such tasks are listed apart.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass, field
from typing import Optional

from rapidfuzz import fuzz, process

from parser.model import Plan, Target, Task, task_dict
from parser.normalize import letters_only

from .wording import load_wording

SIMILAR = 60.0           # rapidfuzz ratio (0-100) from which two texts are one task reworded
ASPECTS = ("units", "targets", "deadline", "text", "section")
LARGEST_STRETCH = 250_000   # old × new tasks between two anchors aligned in order; more is paired as left over
EXHAUSTIVE = 1_000_000     # left-over old × new tasks compared every one with every other; more go by their pairs
RARE_PAIRS = 8             # a left-over text is compared with those sharing one of its 8 rarest character pairs
COMMON_PAIR = 200          # a pair in more texts than this says nothing of which (年底, 推进…)


@dataclass(frozen=True)
class Change:
    kind: str                          # added | removed | changed
    old: Optional[Task]
    new: Optional[Task]
    aspects: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return (self.old or self.new).id

    @property
    def units_concerned(self) -> tuple[str, ...]:
        """Every unit the task names in either version: each has something to learn."""
        names = [u.canonical or u.name for t in (self.old, self.new) if t for u in t.departments]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Diff:
    changes: tuple[Change, ...]
    renumbered: tuple[tuple[Task, Task], ...]     # (old, new): only the number moved
    unchanged: int
    ids: dict[str, str]                          # new task id -> the id it keeps (the old one)

    @property
    def empty(self) -> bool:
        return not self.changes


def diff(old: Plan, new: Plan, retired: frozenset[str] = frozenset()) -> Diff:
    """The changes from `old` to `new`.  An added task that carries the id of other work (a task
    of `old` it was not matched with, or one of the `retired` ids of tasks removed in earlier
    versions) is given an id of its own: an id is never reused for other work (a plan edited by
    hand gave a new task a removed one's id, and the diff listed that id removed and added)."""
    pairs = align(old.tasks, new.tasks)
    matched_old = {i for i, _ in pairs}
    matched_new = {j for _, j in pairs}
    changes, renumbered, unchanged = [], [], 0
    for i, j in sorted(pairs, key=lambda p: p[1]):
        a, b = old.tasks[i], dataclasses.replace(new.tasks[j], id=old.tasks[i].id)   # it keeps its id
        aspects, details = compare(a, b)
        if aspects:
            changes.append(Change("changed", a, b, aspects, details))
        elif a.number != b.number or a.section_number != b.section_number:
            renumbered.append((a, b))
        else:
            unchanged += 1
    changes += [Change("removed", t, None) for i, t in enumerate(old.tasks) if i not in matched_old]
    ids = {new.tasks[j].id: old.tasks[i].id for i, j in pairs}
    others = {t.id for t in old.tasks} | set(retired)
    taken = others | {t.id for t in new.tasks}
    for j, t in enumerate(new.tasks):
        if j in matched_new:
            continue
        if t.id in others:
            ids[t.id] = fresh = _fresh_id(t.id, taken)
            taken.add(fresh)
            t = dataclasses.replace(t, id=fresh)
        changes.append(Change("added", None, t))
    return Diff(tuple(changes), tuple(renumbered), unchanged, ids)


def _fresh_id(base: str, taken: set[str]) -> str:
    """`base` numbered on (t…-2, t…-3) to the first id not taken; a number it had is replaced,
    so that the id keeps the schema's shape (t + 10 hex digits, then -N).

    >>> _fresh_id("t1", {"t1", "t1-2"}), _fresh_id("t1-2", {"t1-2"})
    ('t1-3', 't1-3')
    """
    base = base.rsplit("-", 1)[0] if base.rsplit("-", 1)[-1].isdigit() and "-" in base else base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def align(old: tuple[Task, ...], new: tuple[Task, ...]) -> list[tuple[int, int]]:
    """(index in old, index in new) of the tasks that are the same task."""
    a = [letters_only(t.text) for t in old]
    b = [letters_only(t.text) for t in new]
    pairs: list[tuple[int, int]] = []
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    i0 = j0 = 0
    for block in blocks:
        pairs += _in_order(a, b, range(i0, block.a), range(j0, block.b))
        pairs += [(block.a + k, block.b + k) for k in range(block.size)]
        i0, j0 = block.a + block.size, block.b + block.size
    paired_a, paired_b = {p for p, _ in pairs}, {q for _, q in pairs}
    left_a = [i for i in range(len(a)) if i not in paired_a]
    left_b = [j for j in range(len(b)) if j not in paired_b]
    pairs += _best_pairs(a, b, left_a, left_b)
    return pairs


def _in_order(a: list[str], b: list[str], rows: range, cols: range) -> list[tuple[int, int]]:
    """The order-keeping alignment of two stretches that maximises the summed similarity."""
    if not rows or not cols:
        return []
    n, m = len(rows), len(cols)
    if n * m > LARGEST_STRETCH:
        return []          # a stretch rewritten whole: left to the pairing that ignores order
    sim = _scores([a[i] for i in rows], [b[j] for j in cols])
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        for y in range(m - 1, -1, -1):
            take = sim[x][y] + best[x + 1][y + 1] if sim[x][y] >= SIMILAR else -1.0
            best[x][y] = max(take, best[x + 1][y], best[x][y + 1])
    out, x, y = [], 0, 0
    while x < n and y < m:
        if sim[x][y] >= SIMILAR and best[x][y] == sim[x][y] + best[x + 1][y + 1]:
            out.append((rows[x], cols[y]))
            x, y = x + 1, y + 1
        elif best[x][y] == best[x + 1][y]:
            x += 1
        else:
            y += 1
    return out


def _best_pairs(a: list[str], b: list[str], rows: list[int], cols: list[int]) -> list[tuple[int, int]]:
    """Pairs among what is left, most alike first, whatever their order (a moved task).

    Few left over are each compared with all the others.  Many (two plans with no text in common:
    20,000 × 20,000 comparisons ran past 120 s) are compared only with the texts that share one of
    their rarest character pairs: a task reworded so that it is still 60 alike keeps most of its
    pairs, so the cost grows with the number of tasks, not its square."""
    choices = {j: b[j] for j in cols if b[j]}
    if len(rows) * len(choices) <= EXHAUSTIVE:
        candidates = lambda i: choices                                  # noqa: E731
    else:
        index: dict[str, list[int]] = {}
        for j, text in choices.items():
            for pair in {text[k:k + 2] for k in range(len(text) - 1)} or {text}:
                index.setdefault(pair, []).append(j)

        def candidates(i: int) -> dict[int, str]:
            pairs = sorted(({a[i][k:k + 2] for k in range(len(a[i]) - 1)} or {a[i]}) & index.keys(),
                           key=lambda p: (len(index[p]), p))
            near = {j for p in pairs[:RARE_PAIRS] if len(index[p]) <= COMMON_PAIR for j in index[p]}
            return {j: choices[j] for j in near}
    scored = sorted(((score, i, j) for i in rows if a[i]
                     for _, score, j in process.extract(a[i], candidates(i), scorer=fuzz.ratio, processor=None,
                                                         score_cutoff=SIMILAR, limit=5)), reverse=True)
    used_i, used_j, out = set(), set(), []
    for _, i, j in scored:
        if i not in used_i and j not in used_j:
            out.append((i, j))
            used_i.add(i)
            used_j.add(j)
    return out


def _scores(xs: list[str], ys: list[str]) -> list[list[float]]:
    """Every pair's similarity, 0-100; 0 for an empty text."""
    return [[fuzz.ratio(x, y) if x and y else 0.0 for y in ys] for x in xs]


def compare(a: Task, b: Task) -> tuple[tuple[str, ...], dict]:
    """The aspects in which task b differs from task a, and what changed in each."""
    details: dict = {}
    ua = {(u.canonical or u.name): u.role for u in a.departments}
    ub = {(u.canonical or u.name): u.role for u in b.departments}
    if ua != ub:
        details["units"] = {
            "added": [{"name": n, "role": r} for n, r in ub.items() if n not in ua],
            "removed": [{"name": n, "role": r} for n, r in ua.items() if n not in ub],
            "role_changed": [{"name": n, "old": ua[n], "new": ub[n]} for n in ua if n in ub and ua[n] != ub[n]],
        }
    targets = _targets(a.targets, b.targets)
    if targets:
        details["targets"] = targets
    da = a.deadline.date if a.deadline else None
    db = b.deadline.date if b.deadline else None
    if da != db or (a.deadline and b.deadline and a.deadline.text != b.deadline.text and not (da and db)):
        details["deadline"] = {"old": a.deadline.text if a.deadline else None,
                               "new": b.deadline.text if b.deadline else None,
                               "old_date": da.isoformat() if da else None, "new_date": db.isoformat() if db else None,
                               "moved": "earlier" if da and db and db < da else "later" if da and db and db > da
                               else "set" if db else "dropped"}
    if _wording(a) != _wording(b):
        details["text"] = {"marked": marked(a.text, b.text)}
    if (a.part, a.section) != (b.part, b.section):
        details["section"] = {"old": a.section, "new": b.section, "old_part": a.part, "new_part": b.part}
    return tuple(x for x in ASPECTS if x in details), details


def _wording(t: Task) -> str:
    """A task's words without its targets and deadline, which are compared on their own: a
    target raised from 15 to 20 is a change of target, not of wording."""
    text = t.text
    for phrase in [x.text for x in t.targets] + ([t.deadline.text] if t.deadline else []):
        text = text.replace(phrase, "")
    return letters_only(text)


def _targets(old: tuple[Target, ...], new: tuple[Target, ...]) -> list[dict]:
    """Each target that appeared, went, or changed value, matched by what it counts."""
    def key(t: Target) -> tuple[str, str]:
        return (letters_only(t.indicator), t.unit)
    a, b = {key(t): t for t in old}, {key(t): t for t in new}
    out = []
    for k in dict.fromkeys([*a, *b]):
        x, y = a.get(k), b.get(k)
        if x and y and x.value == y.value:
            continue
        change = ("raised" if y.value > x.value else "lowered") if x and y else "added" if y else "removed"
        out.append({"indicator": (y or x).indicator, "unit": (y or x).unit, "old": x.value if x else None,
                    "new": y.value if y else None, "old_text": x.text if x else None, "new_text": y.text if y else None,
                    "change": change})
    return out


def marked(old: str, new: str) -> str:
    """The new text with what changed marked: 〔-old-〕〔+new+〕.

    >>> marked("力争年内新建15个绿色网点", "年内新建20个绿色网点")
    '〔-力争-〕年内新建〔-15-〕〔+20+〕个绿色网点'
    """
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(new[j1:j2])
            continue
        if i2 > i1:
            out.append(f"〔-{old[i1:i2]}-〕")
        if j2 > j1:
            out.append(f"〔+{new[j1:j2]}+〕")
    return "".join(out)


def to_json(result: Diff) -> str:
    """The changes as JSON: each with both versions of its task, the renumbered, the unchanged."""
    data = {
        "changes": [{"kind": c.kind, "id": c.id, "old": task_dict(c.old) if c.old else None,
                     "new": task_dict(c.new) if c.new else None, "aspects": list(c.aspects),
                     "units_concerned": list(c.units_concerned), "details": c.details} for c in result.changes],
        "renumbered": [{"id": a.id, "old_number": a.number, "new_number": b.number, "line": b.line}
                       for a, b in result.renumbered],
        "unchanged": result.unchanged,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_table(result: Diff) -> str:
    """The changes for people: one block a change, then the renumbered tasks in one line."""
    roles = load_wording().roles
    lines = [f"{len(result.changes)} changes, {len(result.renumbered)} renumbered, {result.unchanged} unchanged"]
    for c in result.changes:
        t = c.new or c.old
        where = f"{t.number or '-'} L{t.line}"
        lines.append("")
        lines.append(f"{c.kind:<8} {c.id}  {where}  {t.text[:60]}")
        d = c.details
        if "units" in d:
            u = d["units"]
            lines.append("         units: " + "；".join(
                [f"+{x['name']}[{roles[x['role']]}]" for x in u["added"]]
                + [f"-{x['name']}[{roles[x['role']]}]" for x in u["removed"]]
                + [f"{x['name']} {roles[x['old']]}→{roles[x['new']]}" for x in u["role_changed"]]))
        for x in d.get("targets", []):
            lines.append(f"         target: {x['indicator']} {_number(x['old'])} → {_number(x['new'])} ({x['change']})")
        if "deadline" in d:
            x = d["deadline"]
            lines.append(f"         deadline: {x['old'] or '-'} → {x['new'] or '-'} ({x['moved']})")
        if "text" in d:
            lines.append(f"         text: {d['text']['marked']}")
        if "section" in d:
            lines.append(f"         section: {d['section']['old'] or '-'} → {d['section']['new'] or '-'}")
        if c.kind != "changed" or "units" not in d:
            lines.append("         concerns: " + "、".join(c.units_concerned))
    if result.renumbered:
        lines.append("")
        lines.append("renumbered only: " + "，".join(f"{a.number}→{b.number}" for a, b in result.renumbered))
    return "\n".join(lines) + "\n"


def _number(value) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else str(value)
