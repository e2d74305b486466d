"""Bringing the cells units typed in their copies back into the office's ledger, matched by task
id.  A cell both the unit and the office changed since the copy was handed out is reported and
left as the office has it, never silently overwritten."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from ..wording import load_wording
from .model import Ledger, LedgerError, Typed
from .spec import Spec, load_spec
from .write import Options, Units, render_ledger


@dataclass(frozen=True)
class Conflict:
    copy: str            # the copy's file name
    unit: str
    task_id: str
    n: object            # the task's 序号 in the office's ledger
    heading: str
    office: object
    theirs: object


@dataclass
class CollectReport:
    taken: int = 0                                   # cells taken from the copies
    conflicts: list[Conflict] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)   # (copy, task id) not in the office's ledger


def collect(office: Ledger, copies: list[Ledger], spec: Optional[Spec] = None) -> tuple[bytes, CollectReport]:
    """The office's ledger with the copies' typed cells in it.  Raises LedgerError for a copy of
    another plan, or an office ledger that is a copy."""
    spec = spec or load_spec()
    if office.kind != "office" or office.plan is None:
        raise LedgerError(f"{office.path}: a copy handed out to {office.unit}, not the office's ledger")
    from .update import static_edits
    cells = {tid: dict(v) for tid, v in office.typed.cells.items()}
    for tid, edits in static_edits(office, spec, load_wording()).items():
        cells.setdefault(tid, {}).update(edits)      # the plan's cells staff corrected stay so
    report = CollectReport()
    for copy in copies:
        if copy.kind != "unit":
            raise LedgerError(f"{copy.path}: an office's ledger, not a copy handed out to a unit "
                              "(`plandoc ledger SOURCE --per-unit DIR` writes those)")
        if copy.title != office.title or not set(copy.rows) & set(office.rows):
            raise LedgerError(f"{copy.path} is a copy of the ledger of 《{copy.title}》, not of 《{office.title}》")
        for tid, row in copy.rows.items():
            if tid not in office.rows:
                report.unknown.append((copy.path.name, tid))
                continue
            base = copy.base.get(tid, {})
            mine = cells.setdefault(tid, {})
            for heading in spec.tracking(copy.by):
                theirs, was, now = row.get(heading), base.get(heading), mine.get(heading)
                if same(theirs, was) or same(theirs, now):
                    continue                     # the unit left it as handed out, or it is in already
                if same(now, was):
                    if theirs in (None, ""):
                        mine.pop(heading, None)
                    else:
                        mine[heading] = theirs
                    report.taken += 1
                    continue
                report.conflicts.append(Conflict(copy.path.name, copy.unit or "", tid,
                                                 office.rows[tid].get(spec.headings["n"]), heading, now, theirs))
    typed = Typed({tid: v for tid, v in cells.items() if v}, list(office.typed.extra), list(office.typed.rows))
    data = render_ledger(office.plan, Units(list(office.unit_order), office.units), Options(office.by, office.warn_days),
                         typed, changed=office.changed, withdrawn=office.withdrawn,
                         withdrawn_headings=office.withdrawn_headings, spec=spec)
    return data, report


def _norm(value):
    """A cell's value for comparison: a date as its day, text without surrounding spaces."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        try:
            return dt.date.fromisoformat(value[:10]).isoformat() if len(value) >= 10 and value[4] == "-" and \
                value[10:] in ("", "T00:00:00") else value
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def same(a, b) -> bool:
    """Whether two cells hold the same: a date and its day, 3 and 3.0, blank and empty text."""
    a, b = _norm(a), _norm(b)
    return (a in (None, "") and b in (None, "")) or a == b
