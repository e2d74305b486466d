"""The ledger a build writes into each version: made anew from the plan, with every cell typed
in the previous version's ledger carried over (so staff go on typing in `latest`)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from parser.model import Plan
from parser.profile import Profile

from ..assemble import Assignments
from .model import LedgerError
from .read import read_ledger
from .spec import load_spec
from .update import update_ledger
from .write import Options, render_ledger, task_units


def ledger_name() -> str:
    return f"{load_spec().file}.xlsx"


def ledger_for_build(plan: Plan, profile: Optional[Profile], previous: Optional[Path],
                     assignments: Optional[Assignments] = None) -> tuple[bytes, Optional[str]]:
    """The version's ledger, and a note for the build's report when the previous version's
    ledger (at `previous`) could not be read (open in Excel, damaged): the new one then starts
    empty, and the old one stays as it is in its version.  `assignments`: the build's of this
    plan (assembled again otherwise: 0.2 s for 2,000 tasks)."""
    def units_of(p: Plan):
        # the build's assignments are of `plan` itself, not of one the update gave other ids
        return task_units(p, profile, assignments if p is plan else None)
    if previous is not None and previous.is_file():
        try:
            data, _ = update_ledger(plan, units_of, read_ledger(previous))
            return data, None
        except LedgerError as exc:
            return render_ledger(plan, units_of(plan), Options()), (
                f"{exc}; the new version's ledger starts without its cells (the old one is kept as it is)")
    return render_ledger(plan, units_of(plan), Options()), None
