"""A ledger for a revised plan that keeps what staff typed in the old one: tasks matched as
`plandoc diff` matches them (plandoc/diff.py), so a renumbered or reworded task keeps its cells;
what a revision changed is marked with the old value in a comment; a task that is gone goes to
已撤销任务 with its cells."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from parser.model import Plan

from ..diff import diff
from ..wording import Wording, load_wording
from .model import Ledger, LedgerError, Typed
from .spec import STATIC, Spec, load_spec
from .write import Options, Units, render_ledger, static_rows


@dataclass
class UpdateReport:
    kept: int = 0                  # tasks matched in the old ledger
    typed: int = 0                 # of them, tasks with cells typed, carried over
    changed: list[str] = field(default_factory=list)      # ids of matched tasks the revision changed
    added: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)    # ids moved to 已撤销任务
    restored: list[str] = field(default_factory=list)     # ids back from 已撤销任务, with their cells
    plan: Optional[Plan] = None    # the new plan under the ids it keeps


def update_ledger(plan: Plan, units_of, old: Ledger, options: Optional[Options] = None,
                  spec: Optional[Spec] = None, wording: Optional[Wording] = None) -> tuple[bytes, UpdateReport]:
    """The ledger of `plan` with everything typed in `old` carried over.  `units_of(plan)` gives
    the new plan's units (write.task_units with the profile).  `options` default to the old
    ledger's.  Raises LedgerError for a unit's copy, or a ledger of another plan."""
    spec, wording = spec or load_spec(), wording or load_wording()
    if old.kind != "office" or old.plan is None:
        raise LedgerError(f"{old.path}: a copy handed out to {old.unit}, not the office's ledger: "
                          "collect it into the office's ledger (`plandoc ledger collect`), then update that")
    d = diff(old.plan, plan)
    if old.plan.tasks and plan.tasks and not d.ids:
        raise LedgerError(f"{old.path} is the ledger of 《{old.title}》, which has no task in common with "
                          f"《{plan.title or plan.source.path}》: not an earlier version of this plan")
    new_ids = [d.ids.get(t.id, t.id) for t in plan.tasks]
    if len(set(new_ids)) == len(new_ids):        # each matched task under the id it had
        plan = dataclasses.replace(plan, tasks=tuple(dataclasses.replace(t, id=i)
                                                     for t, i in zip(plan.tasks, new_ids)))
    options = options or Options(old.by, old.warn_days)
    report = UpdateReport(plan=plan)
    kept = set(d.ids.values())
    typed = Typed(extra=list(old.typed.extra), rows=list(old.typed.rows))
    layout = set(spec.tracking(options.by))
    for tid in kept:
        cells = old.typed.cells.get(tid)
        if cells:
            typed.cells[tid] = dict(cells)
            report.typed += 1
            # a column typed in the old layout that the new one lacks (--by quarter on a
            # monthly ledger) is carried as a column staff added: nothing typed is lost
            typed.extra += [h for h in cells if h not in layout and h not in typed.extra]
    report.kept = len(kept)
    old_rows = {r["id"]: r for r in static_rows(old.plan, spec, wording)}
    new_rows = {r["id"]: r for r in static_rows(plan, spec, wording)}
    edits = static_edits(old, spec, wording, old_rows)
    changed: dict[str, dict[str, str]] = {}
    for c in d.changes:
        if c.kind == "changed":
            a, b, mine = old_rows[c.old.id], new_rows[c.old.id], edits.get(c.old.id, {})
            # the cell as it read in OLD: what staff wrote over the plan's, if they did
            marks = {k: _text(mine.get(spec.headings[k], a[k])) for k in STATIC if k != "n" and a[k] != b[k]}
            if marks:
                changed[c.old.id] = marks
                report.changed.append(c.old.id)
        elif c.kind == "added":
            report.added.append(c.new.id)
    for tid, cells in edits.items():
        # a plan's cell staff corrected (a deadline put off) stays corrected, unless the
        # revision changed that column: then the circular's new value, the correction in the comment
        kept_edits = {h: v for h, v in cells.items() if tid in kept and
                      next(k for k in STATIC if spec.headings[k] == h) not in changed.get(tid, {})}
        if kept_edits:
            typed.cells.setdefault(tid, {}).update(kept_edits)
    gone = [t.id for t in old.plan.tasks if t.id not in kept]
    # a task withdrawn before that the revision brings back (the same text, so the same id)
    # takes its cells back from 已撤销任务
    id_heading, ours = spec.headings["id"], set(STATIC) | {"id"}
    plan_headings = {spec.headings[k] for k in ours}
    back = {str(row.get(id_heading)): row for row in old.withdrawn
            if str(row.get(id_heading) or "") in report.added}
    for tid, row in back.items():
        cells = {h: v for h, v in row.items() if h not in plan_headings and v not in (None, "")}
        if cells:
            typed.cells[tid] = cells
            typed.extra += [h for h in cells if h not in layout and h not in typed.extra]
        report.restored.append(tid)
    withdrawn = [row for row in old.withdrawn if str(row.get(id_heading) or "") not in back] + \
        [old.rows[tid] for tid in gone if tid in old.rows]
    report.withdrawn = [tid for tid in gone if tid in old.rows]
    headings = list(dict.fromkeys([*old.withdrawn_headings, *(old.headings if report.withdrawn else ())]))
    data = render_ledger(plan, units_of(plan), options, typed, changed=changed, withdrawn=withdrawn,
                         withdrawn_headings=headings, spec=spec, wording=wording)
    return data, report


def static_edits(ledger: Ledger, spec: Spec, wording: Wording,
                 rows: Optional[dict[str, dict]] = None) -> dict[str, dict[str, object]]:
    """Per task id, the cells of the plan's columns (完成时限, 责任单位 …) that staff wrote over in
    `ledger`, by heading: those that differ from what its plan gives.  序号 and the id are not
    among them (renumbering the rows is no edit)."""
    from .collect import same
    if ledger.plan is None:
        return {}
    rows = rows or {r["id"]: r for r in static_rows(ledger.plan, spec, wording)}
    present = [k for k in STATIC if k != "n" and spec.headings[k] in ledger.headings]
    out: dict[str, dict[str, object]] = {}
    for tid, row in ledger.rows.items():
        plan_row = rows.get(tid)
        if plan_row is None:
            continue
        cells = {spec.headings[k]: row.get(spec.headings[k]) for k in present
                 if not same(row.get(spec.headings[k]), plan_row[k])}
        if cells:
            out[tid] = cells
    return out


def _text(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None else str(value)


__all__ = ["update_ledger", "UpdateReport", "Units"]
