"""The one context every template reads: plain dicts and strings built from the plan model.

Both formats (DOCX through docxtpl, PDF through WeasyPrint) are fed from these functions, so the
two can never say different things.  Sentences come from data/letters.toml, overridden by the
profile's [letters] table.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from ..errors import RuleFileError
from ..model import Plan
from ..profile import Profile
from .assign import ROLES, Assignment, Assignments, Entry, Wording

CN_NUMERALS = "零一二三四五六七八九十"


PROFILE_ONLY = ("mark",)      # [letters] keys with no default: 发文机关标志 defaults to the issuer


def texts(wording: Wording, profile: Optional[Profile]) -> dict:
    """The sentences, with the profile's own wording in place of the defaults."""
    out = dict(wording.text)
    if profile is not None:
        unknown = sorted(k for k in profile.letters if k not in out and k not in PROFILE_ONLY)
        if unknown:
            raise RuleFileError(str(profile.path), f"letters.{unknown[0]}",
                                f"not a setting of the letters (settings: {', '.join(sorted(out) + list(PROFILE_ONLY))})")
        out.update(profile.letters)
    return out


def fill(template: str, fields: dict, key: str, profile: Optional[Profile]) -> str:
    """A sentence with its {fields} filled in; a field that does not exist is the profile's error."""
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        where = str(profile.path) if profile is not None and profile.path else "parser/data/letters.toml"
        problem = f"{{{exc.args[0]}}} is not a field" if isinstance(exc, KeyError) else f"cannot be filled in ({exc})"
        raise RuleFileError(where, f"letters.{key}", f"{problem}; fields: {', '.join(sorted(fields))}") from None


def common(plan: Plan, profile: Optional[Profile], wording: Wording, t: dict) -> dict:
    """What every document says about the circular; `t` is texts(wording, profile)."""
    issuer = (profile.issuer if profile and profile.issuer else None) or plan.issuer or ""
    return {
        "issuer": issuer,
        "mark": t.get("mark") or issuer,                  # 发文机关标志, printed in red
        "circular": plan.title or "",
        "plan": plan_name(plan, wording),
        "year": plan.year or "",
        "date": cn_date(plan.date),
        "signature_lines": list(t["signature_lines"]),
    }


def letter(plan: Plan, a: Assignment, profile: Optional[Profile], wording: Wording) -> dict:
    t = texts(wording, profile)
    ctx = common(plan, profile, wording, t)
    counts = "、".join(f"{wording.roles[r]}{len(a.by_role(r))}项" for r in ROLES if a.by_role(r))
    fields = dict(ctx, unit=a.unit, total=len(a.entries), counts=counts)
    sections = []
    for role in ROLES:
        entries = a.by_role(role)
        if entries:
            heading = f"{cn_numeral(len(sections) + 1)}、{wording.role_headings[role]}（{len(entries)}项）"
            sections.append({"heading": heading, "groups": by_part(entries, wording)})
    requirements = [k for k in ("feedback", "contact") if t[k]]
    title = "title" if ctx["plan"] else "title_by_circular" if ctx["circular"] else "title_without_plan"
    opening = ("opening" if ctx["circular"] and ctx["issuer"] and ctx["date"] else
               "opening_by_circular" if ctx["circular"] else "opening_without_circular")
    return dict(
        ctx, unit=a.unit,
        title=fill(t[title], fields, title, profile),
        opening=fill(t[opening], fields, opening, profile),
        sections=sections,
        requirements_heading=f"{cn_numeral(len(sections) + 1)}、{t['requirements_heading']}",
        requirements=[fill(t[k], fields, k, profile) for k in requirements],
        attachment=fill(t["attachment"], fields, "attachment", profile),
        task_ids=[i for e in a.entries for i in e.task_ids],
    )


def checklist(plan: Plan, a: Assignment, profile: Optional[Profile], wording: Wording) -> dict:
    t = texts(wording, profile)
    ctx = common(plan, profile, wording, t)
    return dict(ctx, unit=a.unit, title=fill(t["checklist_title"], dict(ctx, unit=a.unit), "checklist_title", profile),
                rows=[entry(e, n, wording) for n, e in enumerate(a.entries, 1)],
                task_ids=[i for e in a.entries for i in e.task_ids])


def overview(plan: Plan, assignments: Assignments, profile: Optional[Profile], wording: Wording) -> dict:
    t = texts(wording, profile)
    ctx = common(plan, profile, wording, t)
    units = []
    for a in assignments.units:
        units.append({"unit": a.unit, "rows": [entry(e, n, wording) for n, e in enumerate(a.entries, 1)],
                      "counts": [len(a.by_role(r)) for r in ROLES], "total": len(a.entries)})
    return dict(ctx, title=fill(t["overview_title"], ctx, "overview_title", profile),
                role_names=[wording.roles[r] for r in ROLES],
                units=units, idle=list(assignments.idle), outside=list(assignments.outside),
                no_tasks=t["no_tasks"], task_ids=[t.id for t in plan.tasks])


def by_part(entries: tuple[Entry, ...], wording: Wording) -> list[dict]:
    """A role's entries under level-two headings, one per part of the circular they come from
    (（一）工作目标任务分解方案); no heading when they all come from one part.  Numbers run on."""
    parts: dict[str, list[dict]] = {}
    for n, e in enumerate(entries, 1):
        parts.setdefault(e.refs[0].part_title, []).append(entry(e, n, wording))
    if len(parts) == 1:
        return [{"heading": "", "entries": next(iter(parts.values()))}]
    return [{"heading": f"（{cn_numeral(i)}）{title or '其他'}（{len(rows)}项）", "entries": rows}
            for i, (title, rows) in enumerate(parts.items(), 1)]


def entry(e: Entry, n: int, wording: Wording) -> dict:
    partners = "、".join(f"{u}（{wording.roles[r]}）" for u, r in e.partners)
    return {
        "n": n,
        "text": e.text,
        "role": wording.roles[e.role],
        "refs": "、".join(r.label for r in e.refs),
        "targets": list(e.targets),
        "targets_text": "；".join(e.targets),
        "deadline": e.deadline or "",
        "deadline_date": e.deadline_date or "",
        "partners": partners,
        "task_ids": list(e.task_ids),
    }


def plan_name(plan: Plan, wording: Wording) -> str:
    """苏州市邮政管理局关于印发2022年工作目标任务分解方案…的通知 -> 2022年工作目标任务分解方案…;
    empty when the circular does not hand down a plan."""
    title = plan.title or ""
    m = wording.plan_name.search(title)
    return m.group("plan") if m else ""


def cn_date(d: Optional[date]) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def cn_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (headings 一、二、).

    >>> [cn_numeral(n) for n in (1, 10, 12, 20, 21)]
    ['一', '十', '十二', '二十', '二十一']
    """
    if n <= 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")
