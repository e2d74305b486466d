"""The review page's context: the circular's lines with every piece the parse took from them
marked in place, the tasks' fields, the warnings, the diff from a previous version, the chart.

Pieces are found again in the lines by their text as printed (the parse cuts its output from
the original at the offsets it matched, so every numeral, unit, clause, target and deadline is a
substring of its line).  What the parse does not record is computed here, conservatively:

- a line that opens with an item numeral (the parser's own numbering rules) but holds no task,
  no unit-less list item and no section heading (a section of the plan, or a short line with
  no sentence in it) is marked as a numbered line that gave no task;
- a number (Arabic digits) on a line a task was read from that is no target's value, no
  deadline and no numeral is marked as a number the parse did not take as a target; inside a
  target's phrase, the numbers other than its value are its qualifiers (超1000万件的3个).
  Years (2022年) are left unmarked: a year is never a target.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional

from parser.extract.numbering import match_numeral
from parser.model import ROLES, Plan, Target, Task
from parser.normalize import fold, letters_only
from parser.rules import load_rules
from parser.sources import Line

from ..assemble import restarting_parts
from .chart import unit_chart, unit_counts

if TYPE_CHECKING:
    from ..diff import Diff
    from ..wording import Wording

NUMBER = re.compile(r"\d+(?:\.\d+)?[万亿千百]*%?")
YEAR = re.compile(r"(?:1[89]|20)\d\d$")          # a year when 年 follows
MULTIPLIERS = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
COMPARATORS = {">=": "≥", "<=": "≤", "<": "<", ">": ">", "=": "=", "~": "约"}
HEAD = 12                    # characters of a task's text that find it in its line
HEADING = 20                 # characters a heading holds at most
SENTENCE = re.compile(r"[。；;！!？?]")
LABEL_LINES = 8              # lines after an item where its units may be named on labelled lines
MARKED = re.compile(r"〔-(.*?)-〕|〔\+(.*?)\+〕", re.S)


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    cls: str
    tip: str = ""
    task: str = ""           # the task this piece belongs to (the panel shows it)


class Labels:
    """The page's words that the code puts together (the template holds the rest)."""
    evidence = {"bracket-list": "括号内的单位列表", "in-sentence": "句中的分工条款",
                "spaced-columns": "按空格分列、自右读出的列", "row-span": "跨行的单元格",
                "run-together": "连在一起的单元格", "unit-label": "以单位名为标签的行",
                "by-sentence": "条目下“由……负责”的句子",
                "unnumbered": "无编号的段落，仅凭分工条款认作任务", "joined-lines": "由断行拼接的文字"}
    # rules that say how the task itself was found, not where its units came from
    task_signals = ("unnumbered", "joined-lines")
    kinds = {"added": "新增", "removed": "删除", "changed": "变更"}
    aspects = {"units": "单位", "targets": "指标", "deadline": "时限", "text": "文字", "section": "所属部分"}
    moved = {"earlier": "提前", "later": "推后", "set": "新定", "dropped": "取消"}
    change = {"raised": "提高", "lowered": "降低", "added": "新增", "removed": "删除"}


def page_context(plan: Plan, lines: Optional[Iterable[Line]], wording: "Wording", *,
                 changes: Optional["Diff"] = None, follows: Optional[str] = None) -> dict:
    """Everything review.html shows.  `lines`: the circular's lines (None: the plan's tasks
    stand in for them); `changes`: the diff from the version `follows` to this plan."""
    roles = dict(wording.roles)
    rules = load_rules()
    from_source = lines is not None
    text = {l.number: l.text for l in (lines if from_source else _lines_from_plan(plan))}
    marks: dict[int, list[Mark]] = {n: [] for n in text}
    task_lines: dict[int, list[str]] = {}
    scanned: set[int] = set()               # lines whose other numbers are shown as not targets
    cursor: dict[int, int] = {}             # run-together items: where the next one is sought
    starts = sorted({t.line for t in plan.tasks} | {i.line for i in plan.items} | {p.line for p in plan.parts})
    for task in plan.tasks:
        task_lines.setdefault(task.line, []).append(task.id)
        after = bisect.bisect_right(starts, task.line)
        following = starts[after] if after < len(starts) else task.line + 1 + LABEL_LINES
        scanned.update(_mark_task(task, text, marks, cursor, roles, range(task.line + 1, following)))
    for t in plan.targets:
        found = _place(marks, text, t.line, t.text, "target plan", f"全文目标：{_target_tip(t)}")
        _mark_value(t, text, marks, "", found)
        scanned.update(found)
    for n in scanned:
        _mark_numbers(text.get(n, ""), marks.setdefault(n, []))

    items = {i.line for i in plan.items}
    sections = {letters_only(s) for t in plan.tasks for s in (t.section, t.part) if s}
    parts = {p.line for p in plan.parts}
    warned: dict[int, list[str]] = {}
    for w in plan.warnings:
        warned.setdefault(w.line, []).append(f"{w.message} [{w.code}]")
    delta = _changes_by_line(plan, changes, roles)

    out_lines, missed = [], 0
    for n in sorted(text):
        classes, badges = [], []
        if n in task_lines:
            classes.append("task")
        elif n in items:
            classes.append("listitem")
            badges.append(("listitem", "列项：无单位，未成任务"))
        elif n in parts:
            classes.append("heading")
        elif _numbered(text[n], rules):
            rest = _after_numeral(text[n], rules)
            if letters_only(rest) in sections or _heading_like(rest):
                classes.append("heading")
            else:
                classes.append("missed")
                badges.append(("missed", "有编号，未成任务"))
                missed += 1
        if n in warned:
            classes.append("warned")
            badges += [("warned", "警告")]
        notes = []
        for kind, label, note in delta.get(n, ()):
            classes.append(kind)
            badges.append((kind, label))
            if note:
                notes.append(note)
        out_lines.append({"n": n, "segs": _segments(text[n], marks.get(n, [])), "cls": " ".join(classes),
                          "tasks": " ".join(task_lines.get(n, ())), "badges": badges, "notes": notes,
                          "warnings": warned.get(n, [])})

    counts = unit_counts(plan)
    chart = unit_chart(counts)
    by_key = {_key(c.new): c for c in changes.changes if c.new is not None} if changes else {}
    restarting = restarting_parts(plan)
    tasks = [_task_data(t, roles, wording, t.part in restarting, by_key.get(_key(t))) for t in plan.tasks]
    return {
        "title": plan.title or plan.source.path,
        "source": plan.source.path,
        "issuer": plan.issuer or "",
        "date": plan.date.isoformat() if plan.date else "",
        "number": plan.number or "",
        "from_source": from_source,
        "lines": out_lines,
        "tasks": tasks,
        "roles": [(r, roles[r]) for r in ROLES],
        "units": [b.unit for b in chart.bars],
        "chart": chart,
        "warnings": [{"line": w.line, "code": w.code, "message": w.message} for w in plan.warnings],
        "summary": {"tasks": len(plan.tasks), "units": len(counts), "warnings": len(plan.warnings),
                    "list_items": len(plan.items), "missed": missed, "lines": len(text)},
        "diff": _diff_summary(changes, follows, roles),
    }


def _lines_from_plan(plan: Plan) -> list[Line]:
    """When the circular is not at hand (a plan JSON whose source is elsewhere or changed):
    each task's numeral, text and clause at its line, the parts and list items at theirs."""
    found: dict[int, list[str]] = {}
    for p in plan.parts:
        found.setdefault(p.line, []).append(p.title)
    for i in plan.items:
        found.setdefault(i.line, []).append(f"{i.number}. {i.text}" if i.number else i.text)
    for t in plan.tasks:
        found.setdefault(t.line, []).append((f"{t.number}. " if t.number else "") + t.text + (t.clause or ""))
        for e in t.evidence:
            if e.line != t.line:
                found.setdefault(e.line, []).append(e.text)
    return [Line(n, " ".join(texts)) for n, texts in sorted(found.items())]


def _mark_task(task: Task, text: dict[int, str], marks: dict[int, list[Mark]], cursor: dict[int, int],
               roles: dict, after: range) -> set[int]:
    """Mark one task's numeral, units, clause, evidence, targets and deadline; the lines used.
    `after`: the lines between it and the next item, where labelled lines name its units
    (牵头责任单位：省发展改革委。) when the plan records no clause."""
    line = text.get(task.line)
    used = {task.line}
    if line is None:
        return set()
    tid = task.id
    start = _find_text(line, task.text, cursor.get(task.line, 0))
    if start is None:
        span = (cursor.get(task.line, 0), len(line))
    else:
        end = start + len(task.text) if line.startswith(task.text, start) else len(line)
        span = (start, end)
        cursor[task.line] = end
        if task.number:
            at = line.rfind(task.number, max(0, start - len(task.number) - 4), start)
            if at >= 0:
                end = at + len(task.number)
                while end < start and not line[end].isspace():      # its 、 or . but not the spaces after
                    end += 1
                marks[task.line].append(Mark(at, end, "numeral", f"编号 {task.number}", tid))
    marks[task.line].append(Mark(span[0], max(span[1], span[0] + 1), "tasktext", "", tid))

    places: list[tuple[int, int, int]] = []         # where units are sought: (line, start, end)
    if task.clause:
        for first in range(task.line, task.line + 7):       # on the item's line, or a line of its own
            found = _locate(text, first, task.clause, span[0] if first == task.line else 0)
            if found:
                break
        for n, a, b in found:
            marks[n].append(Mark(a, b, "clause", f"单位出处：分工条款「{task.clause}」", tid))
            places.append((n, a, b))
            used.add(n)
    for e in task.evidence:
        for n, a, b in _locate(text, e.line if e.line in text else task.line, e.text):
            what = "任务出处" if e.rule in Labels.task_signals else "单位出处"
            marks[n].append(Mark(a, b, "evidence", f"{what}（{Labels.evidence.get(e.rule, e.rule)}，"
                                                  f"确定度低，请核对）：「{e.text}」", tid))
            places.append((n, a, b))
            used.add(n)
    places.append((task.line, span[0], len(line)))
    places += [(n, 0, len(text[n])) for n in after if n in text and n - task.line <= LABEL_LINES]
    taken: dict[int, list[tuple[int, int]]] = {}
    for u in task.departments:
        tip = f"{u.name}" + (f"（即{u.canonical}）" if u.canonical and u.canonical != u.name else "") + \
              f"：{roles.get(u.role, u.role)}"
        for n, a, b in places:
            at = _free(text[n], u.name, a, b, taken.setdefault(n, []))
            if at is not None:
                marks[n].append(Mark(at, at + len(u.name), f"unit r-{u.role}", tip, tid))
                taken[n].append((at, at + len(u.name)))
                used.add(n)
                break
    if task.deadline:
        d = task.deadline
        used.update(_place(marks, text, d.line, d.text, "deadline",
                           f"完成时限：{d.text}" + (f" → {d.date.isoformat()}" if d.date else "（日期未定）"), tid,
                           start=span[0] if d.line == task.line else 0))
    for t in task.targets:
        found = _place(marks, text, t.line, t.text, "target", f"量化指标：{_target_tip(t)}", tid,
                       start=span[0] if t.line == task.line else 0)
        if found:
            _mark_value(t, text, marks, tid, found)
            used.update(found)
    return {n for n in used if task.line <= n}


def _find_text(line: str, task_text: str, start: int) -> Optional[int]:
    """Where a task's text begins in its line, from `start`; its first characters suffice."""
    for size in (HEAD, 6, 3):
        head = task_text[:size].strip()
        if head:
            at = line.find(head, start)
            if at >= 0:
                return at
    return None


def _locate(text: dict[int, str], n: int, phrase: str, start: int = 0,
            lines_after: int = 3) -> list[tuple[int, int, int]]:
    """Where a phrase is printed from line n on, as (line, start, end) pieces: one piece, or
    several where it runs over the ends of lines wrapped by hand (the parse joins those)."""
    if n not in text or not phrase:
        return []
    at = text[n].find(phrase, start)
    if at < 0 and start:
        at = text[n].find(phrase)
    if at >= 0:
        return [(n, at, at + len(phrase))]
    joined, pieces = text[n], [(n, 0, 0)]          # (line, offset in joined, spaces dropped)
    for k in range(n + 1, n + lines_after + 1):
        if k not in text:
            break
        lead = len(text[k]) - len(text[k].lstrip())
        pieces.append((k, len(joined), lead))
        joined += text[k][lead:]
    at = joined.find(phrase, start)
    if at < 0 or at >= len(text[n]):
        return []
    out, end = [], at + len(phrase)
    for k, off, lead in pieces:
        a, b = max(at, off), min(end, off + len(text[k]) - lead)
        if a < b:
            out.append((k, a - off + lead, b - off + lead))
    return out


def _free(line: str, name: str, a: int, b: int, taken: list[tuple[int, int]]) -> Optional[int]:
    """The first occurrence of a unit's name within line[a:b] not inside a unit marked already
    (监管处 inside 市场监管处)."""
    at = line.find(name, a, b)
    while at >= 0:
        if not any(x < at + len(name) and at < y for x, y in taken):
            return at
        at = line.find(name, at + 1, b)
    return None


def _place(marks: dict[int, list[Mark]], text: dict[int, str], n: int, phrase: str, cls: str, tip: str,
           task: str = "", start: int = 0) -> list[int]:
    """Mark a phrase where it is printed from line n on; the lines it is on."""
    found = _locate(text, n, phrase, start)
    for k, a, b in found:
        marks[k].append(Mark(a, b, cls, tip, task))
    return [k for k, _, _ in found]


def _mark_value(t: Target, text: dict[int, str], marks: dict[int, list[Mark]], task: str, on: list[int]) -> None:
    """Within a target's phrase (on one line), its value (the number that expands to it) and
    its qualifiers; a phrase run over a wrapped line is left as a whole."""
    if len(on) != 1:
        return
    line = text[on[0]]
    where = next(m for m in reversed(marks[on[0]]) if "target" in m.cls and line[m.start:m.end] == t.text)
    numbers = list(NUMBER.finditer(t.text))
    if not numbers:
        return
    value = next((m for m in reversed(numbers) if _same(_value(m.group()), t.value)), numbers[-1])
    for m in numbers:
        a, b = where.start + m.start(), where.start + m.end()
        if m is value:
            marks[on[0]].append(Mark(a, b, "value", f"指标值 {_number(t.value)}{t.unit}", task))
        else:
            marks[on[0]].append(Mark(a, b, "qualifier", "指标的限定条件，不是指标值", task))


def _mark_numbers(line: str, marks: list[Mark]) -> None:
    """Numbers on a task's line that the parse took for nothing: shown, so a missed target shows."""
    claimed = [(m.start, m.end) for m in marks if m.cls in ("numeral", "deadline", "value", "qualifier")]
    for m in NUMBER.finditer(line):
        a, b = m.span()
        if YEAR.match(m.group()) and line.startswith("年", b):
            continue
        if any(x < b and a < y for x, y in claimed):
            continue
        marks.append(Mark(a, b, "nottarget", "数字，未判为指标"))


def _value(number: str) -> Optional[float]:
    """20万 -> 200000.0; 90% -> 90.0."""
    digits = re.match(r"[\d.]+", number)
    try:
        value = float(digits.group()) if digits else None
    except ValueError:
        return None
    for c in number[digits.end():] if digits else "":
        value *= MULTIPLIERS.get(c, 1)
    return value


def _same(a: Optional[float], b: float) -> bool:
    return a is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _target_tip(t: Target) -> str:
    return f"{t.indicator} {COMPARATORS.get(t.comparator, t.comparator)} {_number(t.value)}{t.unit}"


def _numbered(line: str, rules) -> bool:
    return match_numeral(_bare(line, rules), rules) is not None


def _bare(line: str, rules) -> str:
    return fold(line, rules.fold).lstrip().lstrip(rules.leading_junk).lstrip()


def _after_numeral(line: str, rules) -> str:
    bare = _bare(line, rules)
    numeral = match_numeral(bare, rules)
    return bare[numeral.end:] if numeral else bare


def _heading_like(rest: str) -> bool:
    """A short numbered line with no sentence in it is a heading (一、工作目标), not an item that
    was missed.

    >>> _heading_like("工作目标"), _heading_like("加强组织领导,固化工作机制。")
    (True, False)
    """
    return len(rest.strip()) <= HEADING and not SENTENCE.search(rest)


def _segments(line: str, marks: list[Mark]) -> list[tuple[str, str, str, str]]:
    """The line cut where any mark starts or ends: (text, classes, tooltip, task) per piece, so
    that overlapping marks (a deadline inside a target) need no nesting."""
    if not marks:
        return [(line, "", "", "")]
    cuts = sorted({0, len(line), *(m.start for m in marks), *(m.end for m in marks)})
    cuts = [c for c in cuts if 0 <= c <= len(line)]
    out = []
    # a sweep over the cuts: the marks covering a piece are those begun and not yet ended
    # (every start and end is a cut), kept in the order given (a 2,000-task page spent 0.8 s
    # testing every mark against every piece)
    waiting = sorted(range(len(marks)), key=lambda i: marks[i].start)
    covering: list[int] = []
    for a, b in zip(cuts, cuts[1:]):
        while waiting and marks[waiting[0]].start <= a:
            bisect.insort(covering, waiting.pop(0))
        covering = [i for i in covering if marks[i].end > a]
        on = [marks[i] for i in covering]
        cls = " ".join(dict.fromkeys(c for m in on for c in m.cls.split()))
        tip = " · ".join(dict.fromkeys(m.tip for m in reversed(on) if m.tip))
        task = next((m.task for m in on if m.task), "")
        if out and out[-1][1:] == (cls, tip, task):
            out[-1] = (out[-1][0] + line[a:b], cls, tip, task)
        else:
            out.append((line[a:b], cls, tip, task))
    return out


def _key(t: Task) -> tuple:
    return (t.line, t.number, t.text)


def _changes_by_line(plan: Plan, changes: Optional["Diff"], roles: dict) -> dict[int, list]:
    """line -> (class, badge, note) for each change shown in place."""
    out: dict[int, list] = {}
    if changes is None:
        return out
    for c in changes.changes:
        if c.new is None:
            continue
        if c.kind == "added":
            out.setdefault(c.new.line, []).append(("added", "新增任务", None))
        else:
            label = "变更：" + "、".join(Labels.aspects[a] for a in c.aspects)
            out.setdefault(c.new.line, []).append(("changed", label, _details(c.details, roles)))
    for old, new in changes.renumbered:
        out.setdefault(new.line, []).append(("renumbered", f"仅重新编号（原 {old.number or '-'}）", None))
    return out


def _details(d: dict, roles: dict) -> list[tuple[str, str]]:
    """A change's details as pieces (kind, text): kind '' plain, 'del' old, 'ins' new."""
    out: list[tuple[str, str]] = []

    def say(*pieces):
        if out:
            out.append(("", "；"))
        out.extend(pieces)
    if "units" in d:
        u = d["units"]
        for x in u["added"]:
            say(("", "增加单位 "), ("ins", f"{x['name']}（{roles[x['role']]}）"))
        for x in u["removed"]:
            say(("", "去掉单位 "), ("del", f"{x['name']}（{roles[x['role']]}）"))
        for x in u["role_changed"]:
            say(("", f"{x['name']} "), ("del", roles[x["old"]]), ("", " → "), ("ins", roles[x["new"]]))
    for x in d.get("targets", []):
        say(("", f"指标 {x['indicator']} "), ("del", x["old_text"] or "无"), ("", " → "),
            ("ins", x["new_text"] or "无"), ("", f"（{Labels.change.get(x['change'], x['change'])}）"))
    if "deadline" in d:
        x = d["deadline"]
        say(("", "时限 "), ("del", x["old"] or "无"), ("", " → "), ("ins", x["new"] or "无"),
            ("", f"（{Labels.moved.get(x['moved'], x['moved'])}）"))
    if "text" in d:
        pieces = [("", "文字 ")]
        marked, at = d["text"]["marked"], 0
        for m in MARKED.finditer(marked):
            if m.start() > at:
                pieces.append(("", marked[at:m.start()]))
            pieces.append(("del", m.group(1)) if m.group(1) is not None else ("ins", m.group(2)))
            at = m.end()
        pieces.append(("", marked[at:]))
        say(*pieces)
    if "section" in d:
        x = d["section"]
        say(("", "所属部分 "), ("del", x["old"] or "无"), ("", " → "), ("ins", x["new"] or "无"))
    return out


def _diff_summary(changes: Optional["Diff"], follows: Optional[str], roles: dict) -> Optional[dict]:
    if changes is None:
        return None
    kinds = [c.kind for c in changes.changes]
    removed = [{"number": c.old.number or "", "line": c.old.line, "text": c.old.text,
                "units": "、".join(f"{u.canonical or u.name}（{roles[u.role]}）" for u in c.old.departments)}
               for c in changes.changes if c.kind == "removed"]
    moved = [{"line": c.new.line, "number": c.new.number or "", "label": Labels.kinds[c.kind]}
             for c in changes.changes if c.new is not None]
    return {"follows": follows or "", "added": kinds.count("added"), "removed": kinds.count("removed"),
            "changed": kinds.count("changed"), "renumbered": len(changes.renumbered),
            "unchanged": changes.unchanged, "removed_tasks": removed, "in_place": moved}


def _task_data(t: Task, roles: dict, wording: "Wording", restarts: bool, delta_for=None) -> dict:
    """A task's fields as the panel and the table show them (JSON, read by the page's script).
    `restarts`: its part numbers items anew in each section, so its number alone is ambiguous
    (民生实事四.1, where 分解方案 says 13)."""
    return {
        "id": t.id, "number": t.number or "",
        "place": (f"{t.section_number}.{t.number}" if restarts and t.section_number else t.number) or "", "part": t.part or "", "part_short": wording.part_name(t.part),
        "section": t.section or "", "section_number": t.section_number or "", "line": t.line, "text": t.text,
        "units": [{"name": u.name, "unit": u.canonical or u.name, "canonical": u.canonical or "", "role": u.role,
                   "role_name": roles.get(u.role, u.role)} for u in t.departments],
        "clause": t.clause or "",
        "evidence": [{"rule": Labels.evidence.get(e.rule, e.rule), "text": e.text, "line": e.line} for e in t.evidence],
        "targets": [{"text": g.text, "indicator": g.indicator, "comparator": COMPARATORS.get(g.comparator, g.comparator),
                     "value": _number(g.value), "unit": g.unit, "line": g.line} for g in t.targets],
        "deadline": None if t.deadline is None else {"text": t.deadline.text, "line": t.deadline.line,
                                                    "date": t.deadline.date.isoformat() if t.deadline.date else ""},
        "mentions": list(t.mentions), "leaders": list(t.leaders),
        "change": None if delta_for is None else {
            "kind": Labels.kinds[delta_for.kind],
            "aspects": [Labels.aspects[a] for a in delta_for.aspects],
            "details": _details(delta_for.details, roles)},
    }
