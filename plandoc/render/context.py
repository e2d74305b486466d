"""The one context every template reads: plain dicts and strings built from the plan model.

Both formats (DOCX through docxtpl, PDF through WeasyPrint) are fed from these functions, so the
two can never say different things.  Every word comes from `plandoc.wording` (letters.toml,
overridden by the profile's [letters] table); dates and numbers become text only here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from parser.model import ROLES, Plan
from parser.profile import Profile

from ..assemble import Assignment, Assignments, Entry, Ref
from ..wording import Wording, cn_numeral, fill, texts
from .titles import title_lines


class Sentences:
    """The sentences of one build (letters.toml with the profile's own in place), filled in with
    errors that name the file a sentence came from."""

    def __init__(self, wording: Wording, profile: Optional[Profile], issued: Optional[date] = None,
                 number: Optional[str] = None):
        """`issued`: the date the letters bear (default: the circular's); `number`: their
        发文字号, in place of the wording's or the profile's."""
        self.wording, self.profile, self.issued = wording, profile, issued
        self.text = texts(wording, profile)
        if number is not None:
            self.text["number"] = number

    def __getitem__(self, key: str):
        return self.text[key]

    def fill(self, key: str, fields: dict) -> str:
        if self.profile is not None and key in self.profile.letters:
            return fill(self.text[key], fields, f"letters.{key}", str(self.profile.path))
        return fill(self.text[key], fields, f"text.{key}", self.wording.source)


def titled(ctx: dict, title: str, plan: Plan, s: Sentences, landscape: bool = False) -> dict:
    """The context with its title, and the title's lines as printed (broken between words when
    it does not fit on one line; the plan's unit names are words)."""
    def units() -> set[str]:
        names = {d.canonical or d.name for t in plan.tasks for d in t.departments}
        return names | set(s.profile.units) if s.profile is not None else names
    chars = s.wording.title_chars["landscape" if landscape else "portrait"]
    return dict(ctx, title=title, title_lines=title_lines(title, chars, units))


def common(plan: Plan, s: Sentences) -> dict:
    """What every document says about the circular."""
    issuer = (s.profile.issuer if s.profile and s.profile.issuer else None) or plan.issuer or ""
    return {
        "issuer": issuer,
        "mark": s.text.get("mark") or issuer,             # 发文机关标志, printed in red
        "circular": plan.title or "",
        "circular_number": s.wording.label("circular_number", number=plan.number) if plan.number else "",
        "plan": s.wording.plan_name_of(plan.title),
        "year": plan.year or "",
        "date": s.wording.date(plan.date),
        "issued": s.wording.date(s.issued or plan.date),     # the date the document bears
        "number": "",
        "signature_lines": list(s["signature_lines"]),
    }


def letter(plan: Plan, a: Assignment, s: Sentences, n: int = 1) -> dict:
    """A unit's letter; `n`, its place among the letters (the {n} of its 发文字号)."""
    w = s.wording
    ctx = common(plan, s)
    counts = w.labels["role_count_separator"].join(
        w.label("role_count", role=w.roles[r], count=len(a.by_role(r))) for r in ROLES if a.by_role(r))
    fields = dict(ctx, unit=a.unit, total=len(a.entries), counts=counts)
    sections = []
    for role in ROLES:
        entries = a.by_role(role)
        if entries:
            heading = w.label("role_heading", numeral=cn_numeral(len(sections) + 1),
                              heading=w.role_headings[role], count=len(entries))
            sections.append({"heading": heading, "groups": by_part(entries, w)})
    requirements = [s.fill(k, fields) for k in ("feedback", "contact") if s[k]]
    if s["feedback"] and a.unit in s["feedback"]:      # the unit the sentence sends the reports to
        requirements[0] = s.fill("feedback_collector", fields)
    title = "title" if ctx["year"] else "title_without_year"
    opening = "opening" if ctx["circular"] else "opening_without_circular"
    return dict(
        titled(ctx, s.fill(title, fields), plan, s), unit=a.unit,
        number=s.fill("number", dict(fields, n=n)) if s["number"] else "",
        opening=s.fill(opening, fields),
        sections=sections,
        requirements_heading=w.label("requirements_heading", numeral=cn_numeral(len(sections) + 1),
                                     heading=s["requirements_heading"]),
        requirements=requirements,
        attachment=s.fill("attachment", fields),
        task_ids=[i for e in a.entries for i in e.task_ids],
    )


def checklist(plan: Plan, a: Assignment, s: Sentences) -> dict:
    ctx = common(plan, s)
    return dict(titled(ctx, s.fill("checklist_title", dict(ctx, unit=a.unit)), plan, s, landscape=True), unit=a.unit,
                columns=columns(s.wording, "checklist"),
                rows=[entry(e, n, s.wording, Due.of(plan, s.wording)) for n, e in enumerate(a.entries, 1)],
                task_ids=[i for e in a.entries for i in e.task_ids])


def packet(letter_context: dict, checklist_context: dict, s: Sentences) -> dict:
    """The letter with its checklist as its attachment, in one document: the letter's context,
    the checklist's under `annex`."""
    return dict(letter_context, annex=checklist_context, annex_label=s["annex_label"])


def overview(plan: Plan, assignments: Assignments, s: Sentences) -> dict:
    ctx = common(plan, s)
    w = s.wording
    due = Due.of(plan, w)
    units = []
    for a in assignments.units:
        units.append({"unit": a.unit, "rows": [entry(e, n, w, due) for n, e in enumerate(a.entries, 1)],
                      "heading": w.label("unit_group", unit=a.unit, count=len(a.entries)),
                      "counts": [len(a.by_role(r)) for r in ROLES], "total": len(a.entries)})
    return dict(titled(ctx, s.fill("overview_title", ctx), plan, s, landscape=True),
                columns=columns(w, "overview"),
                unit_column=w.labels["unit_column"], total_column=w.labels["total_column"],
                role_names=[w.roles[r] for r in ROLES],
                units=units, idle=list(assignments.idle), outside=list(assignments.outside),
                no_tasks=s["no_tasks"], task_ids=[t.id for t in plan.tasks])


def by_part(entries: tuple[Entry, ...], w: Wording) -> list[dict]:
    """A role's entries under level-two headings, one per part of the circular they come from
    (（一）工作目标任务分解方案); no heading when they all come from one part.  Numbers run on."""
    parts: dict[str, list[dict]] = {}
    for n, e in enumerate(entries, 1):
        parts.setdefault(w.part_title(e.refs[0].part), []).append(entry(e, n, w))
    if len(parts) == 1:
        return [{"heading": "", "entries": next(iter(parts.values()))}]
    return [{"heading": w.label("part_heading", numeral=cn_numeral(i), title=title or w.labels["untitled_part"],
                                count=len(rows)),
             "entries": rows}
            for i, (title, rows) in enumerate(parts.items(), 1)]


@dataclass(frozen=True)
class Due:
    """What the 完成时限 column needs of the plan: its year, and when a task with no deadline is
    due (the year's end for one year's plan, else unknown)."""
    year: Optional[int] = None
    year_end: Optional[date] = None

    @classmethod
    def of(cls, plan: Plan, w: Wording) -> "Due":
        return cls(plan.year, w.year_end(plan.title, plan.year))

    def text(self, e: Entry, w: Wording) -> str:
        if e.deadline is not None:
            return w.due_text(e.deadline.text, e.deadline.date, self.year)
        return w.due_text("", self.year_end, self.year)


def entry(e: Entry, n: int, w: Wording, due: Due = Due()) -> dict:
    partners = w.labels["partner_separator"].join(w.label("partner", unit=u, role=w.roles[r]) for u, r in e.partners)
    refs = w.labels["reference_separator"].join(reference(r, w) for r in e.refs)
    deadline = e.deadline.text if e.deadline else ""
    targets = w.labels["target_separator"].join(t.text for t in e.targets)
    # 来源：分解方案第13项；完成时限：年内；牵头单位：办公室；配合单位：市场监管处
    by_role: dict[str, list[str]] = {}
    for u, r in e.partners:
        by_role.setdefault(r, []).append(u)
    groups = w.labels["partner_group_separator"].join(
        w.label("partner_group", role=w.roles[r], units=w.labels["partner_separator"].join(by_role[r]))
        for r in ROLES if r in by_role)
    source = (w.label("item_source", refs=refs) + (w.label("item_deadline", deadline=deadline) if deadline else "")
              + (w.label("item_partners", groups=groups) if groups else ""))
    text = e.text
    if len(text) > w.longest_text:
        text = text[:w.longest_text] + w.label("text_cut", count=len(e.text), line=e.refs[0].line)
    return {
        "n": n,
        "text": text,
        "role": w.roles[e.role],
        "refs": refs,
        "targets": [t.text for t in e.targets],
        "targets_text": targets,
        "targets_line": w.label("item_targets", targets=targets) if targets else "",
        "source_line": source,
        "deadline": deadline,
        "due": due.text(e, w),
        "deadline_date": e.deadline.date.isoformat() if e.deadline and e.deadline.date else "",
        "partners": partners,
        "checkbox": w.labels["checkbox"],
        "blank": "",
        "task_ids": list(e.task_ids),
    }


def columns(w: Wording, table: str) -> list[dict]:
    return [{"field": c.field, "heading": c.heading, "share": c.share, "center": c.center}
            for c in w.columns[table]]


def reference(r: Ref, w: Wording) -> str:
    """分解方案第13项 when numbers run through the part; 民生实事四.1 when they restart per section;
    分解方案第11行 for an item with no number."""
    part = w.part_name(r.part)
    if r.number is None:
        return w.line_reference[0 if part else 1].format(part=part, line=r.line)
    if r.section_number and r.restarts:
        return w.label("section_item_reference", part=part, section=r.section_number, number=r.number)
    return w.label("item_reference", part=part, number=r.number)


def notice(plan: Plan, changes, s: Sentences, restarts: frozenset = frozenset()) -> dict:
    """A change notice's context: `changes` is a notices.UnitChanges of the new version `plan`;
    `restarts` the parts whose item numbers restart in each section (民生实事四.1)."""
    w = s.wording
    ctx = common(plan, s)
    fields = dict(ctx, unit=changes.unit, added=len(changes.added), removed=len(changes.removed),
                  changed=len(changes.changed))
    sections = []
    for key, tasks in (("notice_added", changes.added), ("notice_removed", changes.removed)):
        if tasks:
            sections.append({"heading": w.label("requirements_heading", numeral=cn_numeral(len(sections) + 1),
                                                heading=w.labels[key]),
                             "entries": [_notice_item(t, n, w, restarts, changes.unit) for n, t in enumerate(tasks, 1)]})
    changed = []
    for n, (old, new, aspects) in enumerate(changes.changed, 1):
        names = w.labels["aspect_separator"].join(w.labels[f"aspect_{a}"] for a in aspects)
        changed.append({"n": n, "what": w.label("notice_aspects", aspects=names),
                        "before": _notice_item(old, n, w, restarts, changes.unit),
                        "after": _notice_item(new, n, w, restarts, changes.unit)})
    opening = "notice_opening" if ctx["circular"] else "notice_opening_without_circular"
    return dict(titled(ctx, s.fill("notice_title", fields), plan, s), unit=changes.unit,
                opening=s.fill(opening, fields),
                sections=sections, changed=changed,
                changed_heading=w.label("requirements_heading", numeral=cn_numeral(len(sections) + 1),
                                        heading=w.labels["notice_changed"]) if changed else "",
                before_label=w.labels["notice_before"], after_label=w.labels["notice_after"],
                task_ids=list(dict.fromkeys(t.id for t in changes.added + changes.removed
                                            + [x[1] for x in changes.changed])))


def _notice_item(task, n: int, w: Wording, restarts: frozenset, unit: str) -> dict:
    """A task as a notice prints it: as a letter's entry does, the other units as partners."""
    roles = {(u.canonical or u.name): u.role for u in task.departments}
    ref = Ref(task.id, task.part, task.section_number, task.number, task.line, task.part in restarts)
    e = Entry(task.text, roles.get(unit, task.departments[0].role if task.departments else ROLES[0]), (ref,),
              task.targets, task.deadline, tuple((u, r) for u, r in roles.items() if u != unit))
    return entry(e, n, w)
