"""The 催办通知: to each unit with tasks overdue or due soon, a notice listing them with their
status and days, laid out as the change notices and the letters are (templates/notice.*, the
same renderers, fonts and GB/T 9704 layout); its words are in data/ledger.toml [reminder]."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Iterable, Optional

from parser.model import Deadline, Plan, Task
from parser.profile import Profile

from ..assemble import restarting_parts
from ..render import FORMATS
from ..render import context
from ..wording import cn_numeral, fill, load_wording
from .model import Ledger, LedgerError
from .remind import Item, UnitReminder
from .spec import LEDGER, Spec, load_spec


def notice_context(plan: Plan, r: UnitReminder, on: dt.date, warn_days: int, s: context.Sentences,
                   spec: Spec) -> dict:
    """The context of one unit's 催办通知, read by templates/notice.html and notice.docx as a
    change notice's is: its sections are the tasks overdue and those due soon."""
    w, words = s.wording, spec.reminder
    ctx = context.common(plan, s)
    fields = {"circular": ctx["circular"], "date": w.date(on), "overdue": len(r.overdue),
              "due_soon": len(r.due_soon), "warn_days": warn_days}
    fields["counts"] = words["count_separator"].join(
        fill(words[f"{key}_count"], fields, f"reminder.{key}_count", LEDGER.name)
        for key, items in (("overdue", r.overdue), ("due_soon", r.due_soon)) if items)
    restarts = restarting_parts(plan)
    tasks = {t.id: t for t in plan.tasks}
    sections = []
    for key, items in (("overdue", r.overdue), ("due_soon", r.due_soon)):
        if items:
            heading = w.label("requirements_heading", numeral=cn_numeral(len(sections) + 1),
                              heading=words[f"{key}_heading"])
            sections.append({"heading": heading, "entries": [
                _entry(tasks[i.id], i, n, key, r.unit, restarts, s, words) for n, i in enumerate(items, 1)]})
    opening = "opening" if ctx["circular"] else "opening_without_circular"
    return dict(context.titled(ctx, words["title"], plan, s), unit=r.unit,
                opening=fill(words[opening], fields, f"reminder.{opening}", LEDGER.name),
                sections=sections, changed=[], changed_heading="", before_label="", after_label="",
                task_ids=[i.id for i in r.overdue + r.due_soon])


def _entry(task: Task, item: Item, n: int, key: str, unit: str, restarts, s: context.Sentences, words) -> dict:
    """A task as a letter prints it, with the deadline as 完成时限 reads in the ledger now, and its
    status and days after its source."""
    if task.deadline is None or task.deadline.date != item.due:
        task = dataclasses.replace(task, deadline=Deadline(s.wording.date(item.due), item.due, task.line))
    e = context._notice_item(task, n, s.wording, restarts, unit)
    status = item.status or load_spec().text["blank_status"]
    line = fill(words[f"{key}_line"], {"status": status, "days": abs(item.days)}, f"reminder.{key}_line",
                LEDGER.name)
    return dict(e, source_line=e["source_line"] + line)


def write_reminder_notices(ledger: Ledger, result: list[UnitReminder], on: dt.date, warn_days: int,
                           folder: Path, *, profile: Optional[Profile] = None, formats: Iterable[str] = FORMATS,
                           templates: Optional[Path] = None, trust_templates: bool = False) -> list[Path]:
    """<folder>/<unit>/催办通知.docx and .pdf for each unit in `result`.  Returns the files
    written.  As with the change notices, a notice there edited by hand since plandoc wrote it
    is kept and the new one written beside it.  Raises LedgerError for a unit's copy (it does
    not hold the plan), OutputError for a folder that cannot take the files."""
    from .. import build as B
    from ..output import safe_name, unique_names

    if ledger.plan is None:
        raise LedgerError(f"{ledger.path}: a copy handed out to {ledger.unit}: the notices are written from "
                          "the office's ledger, which holds the plan")
    spec, formats = load_spec(), tuple(formats)
    s = context.Sentences(load_wording(), profile, on)          # a notice bears the day it reminds of
    folders = unique_names([r.unit for r in result], (B.NOTICES_RECORD,))
    jobs = []
    for r in result:
        ctx = notice_context(ledger.plan, r, on, warn_days, s, spec)
        for fmt in formats:
            jobs.append(B.Job("notice", r.unit, f"{folders[r.unit]}/{safe_name(spec.reminder['file'])}.{fmt}", fmt,
                              ctx, tuple(ctx["task_ids"])))
    if not jobs:
        return []
    stamp = dt.datetime(on.year, on.month, on.day, tzinfo=dt.timezone.utc)
    return B.write_notice_jobs(folder, jobs, stamp, formats, templates, trust_templates)
