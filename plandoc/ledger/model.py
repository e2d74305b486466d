"""What a ledger holds besides the plan: the cells staff typed, by task id and heading, and the
ledger's own record of what it was made from (kept in a very hidden sheet)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from parser.errors import SourceError
from parser.model import Plan

META_SHEET = "_plandoc"          # very hidden: the plan and the options the ledger was made with
META_MARK = "plandoc-ledger 1"   # its first cell: a workbook without it is not a plandoc ledger
HEAD_ROW = 3                     # title, note, then the headings
FIRST_ROW = HEAD_ROW + 1


class LedgerError(SourceError):
    """A workbook that cannot be used as a ledger: not an xlsx, corrupt, password-protected,
    open in Excel, not a ledger, the ledger of another plan.  Exit 2, one line."""


@dataclass
class Typed:
    """What staff typed: per task id, each tracking or added column's value by its heading,
    and the added columns' headings in their order."""
    cells: dict[str, dict[str, object]] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)     # rows staff added in 总台账 (no task id)


@dataclass(frozen=True)
class Ledger:
    """A ledger as staff left it."""
    path: Path
    kind: str                                   # office | unit (a copy handed out to one unit)
    plan: Optional[Plan]                        # the plan it was made from (office ledgers)
    title: str                                  # the plan's title, to tell plans apart
    unit: Optional[str]                         # the unit of a copy
    by: str                                     # month | quarter
    warn_days: int
    units: dict[str, list[list[str]]]           # task id -> [[unit, role], …], groups expanded
    headings: tuple[str, ...]                   # the main sheet's headings as found, in order
    rows: dict[str, dict[str, object]]          # task id -> heading -> value, every cell of the row
    typed: Typed                                # tracking and added columns only
    withdrawn: tuple[dict[str, object], ...]    # rows of 已撤销任务 by heading
    withdrawn_headings: tuple[str, ...]
    base: dict[str, dict[str, object]]          # a copy: its tracking cells as handed out
    unit_order: tuple[str, ...] = ()            # the units' sheets, in order
    changed: dict[str, dict[str, str]] = field(default_factory=dict)   # marks of the last revision
