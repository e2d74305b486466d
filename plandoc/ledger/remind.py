"""Reminders (催办): from a ledger as staff left it, each unit's tasks that are overdue or due
soon and not done, at a given date."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Optional

from .model import Ledger
from .spec import Spec, load_spec


@dataclass(frozen=True)
class Item:
    id: str
    n: object                 # 序号 in the ledger
    source: str
    text: str
    due: dt.date
    status: str               # as selected, "" when none
    role: str
    days: int                 # days from the date to the deadline: negative when overdue


@dataclass
class UnitReminder:
    unit: str
    overdue: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)


def reminders(ledger: Ledger, on: dt.date, warn_days: Optional[int] = None,
              spec: Optional[Spec] = None) -> list[UnitReminder]:
    """Per unit (the ledger's order), its tasks not done whose deadline (as 完成时限 says now)
    has passed by `on`, and those due within `warn_days` of it (default: the ledger's)."""
    spec = spec or load_spec()
    h = spec.headings
    warn = ledger.warn_days if warn_days is None else warn_days
    out: dict[str, UnitReminder] = {u: UnitReminder(u) for u in ledger.unit_order}
    for tid, row in ledger.rows.items():
        due = spec.date_of(row.get(h["due"]))
        status = str(row.get(h["status"]) or "").strip()
        if due is None or status in spec.done:
            continue
        days = (due - on).days
        if days > warn:
            continue
        units = ledger.units.get(tid) or [[u, "lead"] for u in _names(row.get(h["lead"]))]
        for unit, role in units:
            item = Item(tid, row.get(h["n"]), str(row.get(h["source"]) or ""), str(row.get(h["text"]) or ""),
                        due, status, role, days)
            r = out.setdefault(unit, UnitReminder(unit))
            (r.overdue if days < 0 else r.due_soon).append(item)
    for r in out.values():
        r.overdue.sort(key=_order)
        r.due_soon.sort(key=_order)
    return [r for r in out.values() if r.overdue or r.due_soon]


def _order(i: Item) -> tuple:
    """Soonest first, then by 序号 as a number (2 before 10)."""
    n = i.n
    return (i.due, 0 if isinstance(n, (int, float)) else 1, n if isinstance(n, (int, float)) else 0, str(n))


def _names(text) -> list[str]:
    return [x for x in str(text or "").split("、") if x]


def to_json(result: list[UnitReminder], on: dt.date, warn_days: int) -> str:
    def item(i: Item) -> dict:
        return {"id": i.id, "n": i.n, "source": i.source, "text": i.text, "due": i.due.isoformat(),
                "status": i.status, "role": i.role, "days": i.days}
    data = {"date": on.isoformat(), "warn_days": warn_days,
            "units": [{"unit": r.unit, "overdue": [item(i) for i in r.overdue],
                       "due_soon": [item(i) for i in r.due_soon]} for r in result]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_table(result: list[UnitReminder], on: dt.date, warn_days: int, roles: dict[str, str]) -> str:
    overdue = sum(len(r.overdue) for r in result)
    soon = sum(len(r.due_soon) for r in result)
    lines = [f"{on.isoformat()}: {overdue} overdue, {soon} due within {warn_days} days, "
             f"{len(result)} units"]
    for r in result:
        lines.append("")
        lines.append(f"== {r.unit}")
        for label, items in (("overdue", r.overdue), ("due soon", r.due_soon)):
            for i in items:
                when = f"{-i.days} days late" if i.days < 0 else f"in {i.days} days"
                lines.append(f"  {label:<8} {i.n!s:>4} {i.due.isoformat()} ({when}) "
                             f"[{roles.get(i.role, i.role)}] {i.status or '-'}  {i.source}  {i.text[:50]}")
    return "\n".join(lines) + "\n"
