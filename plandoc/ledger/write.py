"""Writing the 督办台账 workbook: 总台账 (the one place of record), one sheet per unit showing its
rows of 总台账 by formulas, 统计 with a chart, 已撤销任务, and copies to hand out to units.

The workbook is made in memory and returned as bytes whose only inputs are the plan and what
staff typed (the zip's times and the document's dates come from the plan), so the same ledger
is the same file.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import gc
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Iterable, Optional

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter
from xml.sax.saxutils import escape

from parser.model import ROLES, Plan, Task
from parser.profile import Profile
from parser.rules import load_rules

from ..assemble import Assignments, Ref, assemble, restarting_parts
from ..render.context import reference
from ..wording import Wording, load_wording
from .model import FIRST_ROW, HEAD_ROW, META_MARK, META_SHEET, Typed
from .spec import STATIC, Spec, load_spec

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MAX_CELL = 32_767                 # characters an Excel cell holds
SHEET_NAME = 31                   # characters a sheet name holds
FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
CENTERED = ("n", "status", "value", "unit", "comparator", "due", "done_on", "role")


@dataclass(frozen=True)
class Options:
    by: str = "month"                 # month | quarter: the 进展情况 columns
    warn_days: int = 30               # yellow this many days before the deadline


@dataclass(frozen=True)
class Units:
    order: list[str]                        # the units with tasks, in the letters' order
    per_task: dict[str, list[list[str]]]    # task id -> [[unit, role], …]


def task_units(plan: Plan, profile: Optional[Profile], assignments: Optional[Assignments] = None) -> Units:
    """The units with tasks, in the letters' order (the profile's first), and for each task id
    the units it names with their roles, groups expanded (各处室 gives each member its row).
    A ledger records them, so that collecting or updating it needs no profile to make the same
    sheets.  `assignments`: the plan's, when the caller has them (assemble) already."""
    if assignments is None:
        assignments = assemble(plan, profile, load_rules().same_work_similarity)
    per_task: dict[str, list[list[str]]] = {t.id: [] for t in plan.tasks}
    for a in assignments.units:
        for e in a.entries:
            for tid in e.task_ids:
                per_task[tid].append([a.unit, e.role])
    return Units([a.unit for a in assignments.units], per_task)


def _collector_paused(make):
    """Python's cyclic garbage collector paused while a workbook is made, and restored as it
    was: openpyxl's 100,000 cells and styles of a 2,000-task ledger set it off again and again
    for nothing (2.46 s with it, 2.04 s without, medians of 3, bench_ledger's plan)."""
    @functools.wraps(make)
    def paused(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            return make(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return paused


@_collector_paused
def render_ledger(plan: Plan, units: Units, options: Options = Options(), typed: Optional[Typed] = None,
                  *, changed: Optional[dict[str, dict[str, str]]] = None,
                  withdrawn: Iterable[dict] = (), withdrawn_headings: Iterable[str] = (),
                  spec: Optional[Spec] = None, wording: Optional[Wording] = None) -> bytes:
    """The office's ledger of `plan` as xlsx bytes.  `units`: from `task_units` (or a ledger's
    record of them); `typed`: cells staff typed, by task id and heading (from an earlier
    ledger); `changed`: per task id and column key, the old text of each column a revision
    changed (kept in a comment); `withdrawn`: rows for 已撤销任务."""
    spec, wording = spec or load_spec(), wording or load_wording()
    typed = typed or Typed()
    changed = changed or {}
    order, units = units.order, units.per_task
    wb = Workbook()
    main = wb.active
    main.title = spec.sheets["main"]
    rows = static_rows(plan, spec, wording)
    headings = _headings(spec, options, typed.extra)
    title = spec.text["title"].format(plan=_plan_name(plan, wording))
    _fill_main(main, spec, options, headings, rows, typed, changed, title, spec.text["main_note"])
    names = _sheet_names(order, reserved=[*spec.sheets.values(), META_SHEET])
    unit_sheets = []
    tasks_of: dict[str, list] = {unit: [] for unit in order}       # in the plan's order
    for t in plan.tasks:
        for u, role in units[t.id]:
            if u in tasks_of:
                tasks_of[u].append((t, role))
    for unit in order:
        mine = tasks_of[unit]
        ws = wb.create_sheet(names[unit])
        unit_sheets.append((unit, ws, len(mine)))
        _fill_unit(ws, main, spec, options, headings, mine, spec.text["unit_title"].format(
            plan=_plan_name(plan, wording), unit=unit), wording)
    _fill_stats(wb.create_sheet(spec.sheets["stats"]), main, spec, headings, unit_sheets, len(rows))
    withdrawn = list(withdrawn)
    if withdrawn:
        _fill_withdrawn(wb.create_sheet(spec.sheets["withdrawn"]), spec, list(withdrawn_headings), withdrawn)
    _write_meta(wb, {"kind": "office", "by": options.by, "warn_days": options.warn_days, "title": plan.title or "",
                     "plan": plan.to_dict(), "units": units, "unit_order": order, "changed": changed})
    return _save(wb, plan)


@_collector_paused
def render_copy(plan: Plan, units: Units, unit: str, options: Options = Options(),
                typed: Optional[Typed] = None, *, spec: Optional[Spec] = None,
                wording: Optional[Wording] = None) -> bytes:
    """The copy of the ledger handed out to `unit`: its tasks only, as values, to type into and
    send back (`plandoc ledger collect`).  It records the tracking cells as handed out, so that
    collecting tells the unit's changes from the office's."""
    spec, wording = spec or load_spec(), wording or load_wording()
    typed = typed or Typed()
    units = units.per_task
    ids = [t.id for t in plan.tasks if any(u == unit for u, _ in units[t.id])]
    rows = [r for r in static_rows(plan, spec, wording) if r["id"] in ids]
    headings = _headings(spec, options, [])
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_names([unit], reserved=[META_SHEET])[unit]
    title = spec.text["unit_title"].format(plan=_plan_name(plan, wording), unit=unit)
    _fill_main(ws, spec, options, headings, rows, Typed(typed.cells), {}, title,
               spec.text["copy_note"].format(unit=unit))
    tracking = spec.tracking(options.by)
    base = {tid: {h: _plain(typed.cells.get(tid, {}).get(h)) for h in tracking
                  if typed.cells.get(tid, {}).get(h) not in (None, "")} for tid in ids}
    _write_meta(wb, {"kind": "unit", "unit": unit, "by": options.by, "warn_days": options.warn_days,
                     "title": plan.title or "", "units": {tid: units[tid] for tid in ids}, "base": base})
    return _save(wb, plan)


def static_rows(plan: Plan, spec: Spec, wording: Wording) -> list[dict]:
    """Each task's cells that come from the plan, by column key."""
    restarting = restarting_parts(plan)
    year_end = wording.year_end(plan.title, plan.year)
    out = []
    for n, t in enumerate(plan.tasks, 1):
        by_role = {r: "、".join(dict.fromkeys(u.canonical or u.name for u in t.departments if u.role == r))
                   for r in ROLES}
        first = t.targets[0] if t.targets else None
        due = (t.deadline.date if t.deadline and t.deadline.date else
               (t.deadline.text if t.deadline else year_end))
        out.append({
            "n": n,
            "source": reference(Ref(t.id, t.part, t.section_number, t.number, t.line, t.part in restarting), wording),
            "text": t.text,
            **by_role,
            "leaders": "、".join(t.leaders),
            "targets": "；".join(x.text for x in t.targets),
            "value": (int(first.value) if float(first.value).is_integer() else first.value) if first else None,
            "unit": first.unit if first else "",
            "comparator": spec.comparators.get(first.comparator, first.comparator) if first else "",
            "due": due or "",
            "id": t.id,
        })
    return out


def _headings(spec: Spec, options: Options, extra: list[str]) -> list[tuple[str, str]]:
    """(key, heading) of every column of the main sheet, in order; added columns have key extra."""
    h = spec.headings
    ours = [(k, h[k]) for k in STATIC] + [("progress", x) for x in spec.progress_headings(options.by)] + [
        (k, h[k]) for k in ("status", "done_on", "note")]
    taken = {x for _, x in ours} | {h["id"]}
    return ours + [("extra", x) for x in extra if x not in taken] + [("id", h["id"])]


def _fill_main(ws, spec: Spec, options: Options, headings, rows, typed: Typed, changed, title: str, note: str):
    last = len(headings)
    _title(ws, title, note, last)
    _header(ws, spec, headings)
    col = {x: i for i, (_, x) in enumerate(headings, 1)}
    keys = {x: k for k, x in headings}
    changed_fill = PatternFill("solid", start_color=spec.colours["changed"])
    for r, row in enumerate(rows, FIRST_ROW):
        mine = typed.cells.get(row["id"], {})
        old = changed.get(row["id"], {})
        shown = []
        for heading, c in col.items():
            key = keys[heading]
            if key == "id":
                value = row["id"]
            elif key in STATIC:      # a plan's cell staff corrected (typed holds it) stays corrected
                value = mine.get(heading, row.get(key))
            else:
                value = mine.get(heading)
            cell = ws.cell(r, c)
            _put(cell, value)
            _style(cell, key)
            shown.append((key, value))
            if key in old:
                cell.comment = Comment(spec.text["changed"].format(old=old[key])[:MAX_CELL], "plandoc")
                cell.fill = changed_fill
        ws.row_dimensions[r].height = _height(spec, shown)
    # rows staff added (a task of their own, a line of notes): below the tasks, as they were
    for r, row in enumerate(typed.rows, FIRST_ROW + len(rows)):
        for heading, c in col.items():
            _put(ws.cell(r, c), row.get(heading))
            _style(ws.cell(r, c), keys[heading])
        ws.row_dimensions[r].height = _height(spec, [(keys[h], row.get(h)) for h in col])
    end = FIRST_ROW + max(len(rows), 1) - 1
    _columns(ws, spec, headings)
    ws.freeze_panes = ws.cell(FIRST_ROW, 4)        # headings and 序号 来源 任务内容 stay in view
    ws.auto_filter.ref = f"A{HEAD_ROW}:{get_column_letter(last)}{end}"
    status = get_column_letter(col[spec.headings["status"]])
    words = ",".join(spec.statuses)
    dv = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True, showErrorMessage=True,
                        errorTitle=spec.headings["status"], error=words)
    dv.add(f"{status}{FIRST_ROW}:{status}{end}")
    ws.add_data_validation(dv)
    done_on = get_column_letter(col[spec.headings["done_on"]])
    dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                           showErrorMessage=True, errorTitle=spec.headings["done_on"], error=DATE_FORMAT)
    dates.add(f"{done_on}{FIRST_ROW}:{done_on}{end}")
    ws.add_data_validation(dates)
    _lights(ws, spec, options, get_column_letter(col[spec.headings["due"]]), status, last, end)
    _print(ws)


def _fill_unit(ws, main, spec: Spec, options: Options, headings, mine: list[tuple[Task, str]], title: str,
               wording: Wording):
    """A unit's rows of 总台账, each cell a formula that finds its task's row there by task id
    (so a row sorted or inserted in 总台账 is still found)."""
    shown = [(k, x) for k, x in headings if k not in ("n", "id")]
    cols = [("n", spec.headings["n"]), ("role", spec.text["unit_role"])] + shown + [
        ("id", spec.headings["id"]), ("row", "")]
    last = len(cols)
    _title(ws, title, spec.text["unit_note"], last - 1)
    _header(ws, spec, cols)
    src = quote_sheetname(main.title)
    main_col = {x: i for i, (_, x) in enumerate(headings, 1)}
    id_main = get_column_letter(main_col[spec.headings["id"]])
    id_here, row_here = get_column_letter(last - 1), get_column_letter(last)
    main_rows = _rows_of(main, main_col[spec.headings["id"]])
    # The rows are written as the sheet's XML, not as openpyxl cells: 4,000 rows of 30 formulas
    # each (a 2,000-task plan) took 7 of its 9 s as cells.  The same XML openpyxl writes.
    letters = [get_column_letter(c) for c in range(1, last + 1)]
    styles = [_style_id(ws, key) for key, _ in cols]
    looked_up = [(escape(f"INDEX({src}!${get_column_letter(main_col[heading])}:${get_column_letter(main_col[heading])},"
                         f"${row_here}"), styles[c - 1]) for c, (_, heading) in enumerate(shown, 3)]
    rows = []
    for r, (t, role) in enumerate(mine, FIRST_ROW):
        at_end = f"{r})"
        cells = [f'<c r="A{r}" s="{styles[0]}" t="n"><v>{r - FIRST_ROW + 1}</v></c>',
                 f'<c r="B{r}" s="{styles[1]}" t="inlineStr"><is><t>{escape(wording.roles[role])}</t></is></c>']
        for c, (index, style) in enumerate(looked_up, 3):
            at = index + at_end
            cells.append(f'<c r="{letters[c - 1]}{r}" s="{style}"><f>IFERROR(IF({at}="","",{at}),"")</f><v></v></c>')
        cells.append(f'<c r="{id_here}{r}" s="{styles[-2]}" t="inlineStr"><is><t>{escape(t.id)}</t></is></c>')
        cells.append(f'<c r="{row_here}{r}" s="{styles[-1]}"><f>MATCH(${id_here}{r},'
                     f'{escape(src)}!${id_main}:${id_main},0)</f><v></v></c>')
        height = main.row_dimensions[main_rows[t.id]].height
        rows.append(f'<row r="{r}" ht="{height}" customHeight="1">{"".join(cells)}</row>')
    ws._plandoc_rows = "".join(rows)
    end = FIRST_ROW + max(len(mine), 1) - 1
    _columns(ws, spec, cols)
    ws.column_dimensions[row_here].hidden = True
    ws.freeze_panes = ws.cell(FIRST_ROW, 5)
    ws.auto_filter.ref = f"A{HEAD_ROW}:{get_column_letter(last - 2)}{end}"
    index = {x: i for i, (_, x) in enumerate(cols, 1)}
    _lights(ws, spec, options, get_column_letter(index[spec.headings["due"]]),
            get_column_letter(index[spec.headings["status"]]), last - 2, end)
    # a view: typing here would be lost at the next formula; filters and sorting stay allowed
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    _print(ws)


def _fill_stats(ws, main, spec: Spec, headings, unit_sheets, total_tasks: int):
    t = spec.text
    head = [t["unit_column"], *spec.statuses, t["blank_status"], t["total"], t["overdue"]]
    ws.cell(1, 1, t["stats_note"]).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws.row_dimensions[1].height = 36
    for c, x in enumerate(head, 1):
        cell = ws.cell(2, c, x)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color=spec.colours["header"])
        cell.border, cell.alignment = BORDER, CENTER
    index = {x: i for i, (_, x) in enumerate(headings, 1)}

    def counts(r: int, sheet: str, status_col: str, due_col: str, first: int, end: int, n: int):
        status, due = f"{sheet}!${status_col}${first}:${status_col}${end}", f"{sheet}!${due_col}${first}:${due_col}${end}"
        for c, word in enumerate(spec.statuses, 2):
            ws.cell(r, c, f'=COUNTIF({status},"{word}")')
        s = len(spec.statuses)
        ws.cell(r, s + 3, n)
        ws.cell(r, s + 2, f"={get_column_letter(s + 3)}{r}-SUM(B{r}:{get_column_letter(s + 1)}{r})")
        not_done = "*".join(f'({status}<>"{w}")' for w in spec.done)
        ws.cell(r, s + 4, f"=SUMPRODUCT(ISNUMBER({due})*({due}<TODAY())*{not_done})")
        for c in range(1, s + 5):
            ws.cell(r, c).border = BORDER

    r = 3
    for unit, sheet, n in unit_sheets:
        cols = {x: i for i, (_, x) in enumerate(
            [("n", ""), ("role", "")] + [(k, x) for k, x in headings if k not in ("n", "id")], 1)}
        ws.cell(r, 1, unit)
        counts(r, quote_sheetname(sheet.title), get_column_letter(cols[spec.headings["status"]]),
               get_column_letter(cols[spec.headings["due"]]), FIRST_ROW, FIRST_ROW + max(n, 1) - 1, n)
        r += 1
    last_unit = r - 1
    ws.cell(r, 1, t["stats_all"]).font = Font(bold=True)
    counts(r, quote_sheetname(main.title), get_column_letter(index[spec.headings["status"]]),
           get_column_letter(index[spec.headings["due"]]), FIRST_ROW, FIRST_ROW + max(total_tasks, 1) - 1,
           total_tasks)
    ws.column_dimensions["A"].width = 16
    for c in range(2, len(head) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 10
    if unit_sheets:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title = t["chart_title"]
        chart.height, chart.width = max(7.5, 0.8 * len(unit_sheets) + 3), 18
        data = Reference(ws, min_col=2, max_col=len(spec.statuses) + 2, min_row=2, max_row=last_unit)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last_unit))
        ws.add_chart(chart, f"A{r + 2}")
    _print(ws, title_rows=False)


def _fill_withdrawn(ws, spec: Spec, headings: list[str], rows: list[dict]):
    _title(ws, spec.text["withdrawn_note"], "", len(headings))
    for c, x in enumerate(headings, 1):
        cell = ws.cell(HEAD_ROW, c, x)
        cell.font, cell.border, cell.alignment = Font(bold=True), BORDER, CENTER
        cell.fill = PatternFill("solid", start_color=spec.colours["header"])
    keys = {v: k for k, v in spec.headings.items()}
    for r, row in enumerate(rows, FIRST_ROW):
        for c, x in enumerate(headings, 1):
            cell = ws.cell(r, c)
            _put(cell, row.get(x))
            _style(cell, keys.get(x, "extra"))
        ws.row_dimensions[r].height = _height(spec, [(keys.get(x, "extra"), row.get(x)) for x in headings])
    for c, x in enumerate(headings, 1):
        key = keys.get(x)
        width = spec.widths.get(key, spec.widths["progress"]) if key else spec.widths["progress"]
        ws.column_dimensions[get_column_letter(c)].width = width + 2
    if spec.headings["id"] in headings:
        ws.column_dimensions[get_column_letter(headings.index(spec.headings["id"]) + 1)].hidden = True
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    _print(ws)


def _title(ws, title: str, note: str, last: int):
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(last, 1))
    if note:
        ws.cell(2, 1, note).alignment = Alignment(wrap_text=True, vertical="center")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(last, 1))
        ws.row_dimensions[2].height = 30


def _header(ws, spec: Spec, cols):
    made = ws.parent.__dict__.setdefault("_plandoc_styles", {})
    for c, (_, x) in enumerate(cols, 1):
        cell = ws.cell(HEAD_ROW, c, x)
        if "header" in made:          # as in _style: styles made once, then copied
            cell._style = copy.copy(made["header"])
            continue
        cell.font, cell.border, cell.alignment = Font(bold=True), BORDER, CENTER
        cell.fill = PatternFill("solid", start_color=spec.colours["header"])
        made["header"] = copy.copy(cell._style)


def _columns(ws, spec: Spec, cols):
    for c, (key, _) in enumerate(cols, 1):
        width = spec.widths.get(key) or spec.widths.get("progress" if key == "extra" else key) or 8
        ws.column_dimensions[get_column_letter(c)].width = width + 2      # room for the filter button
        if key in ("id", "row"):
            ws.column_dimensions[get_column_letter(c)].hidden = True
    # the months (or quarters) as one outline group: folded with one click, the months not
    # wanted are left out of the print, which fits the page's width at a larger scale
    progress = [c for c, (key, _) in enumerate(cols, 1) if key == "progress"]
    if progress:
        for c in progress:
            ws.column_dimensions[get_column_letter(c)].outlineLevel = 1
        ws.sheet_properties.outlinePr.summaryRight = True


LINE_HEIGHT = 14.5      # points a line of 11-point text takes in a row


def _height(spec: Spec, cells: list[tuple[str, object]]) -> float:
    """A row's height: enough lines for its longest wrapped text in its column's width (neither
    Excel nor LibreOffice fits the height of a row it did not lay out itself: a printed ledger
    showed one line of every task).  A CJK character is two widths of the digit 0.

    >>> _height(load_spec(), [("text", "字" * 50), ("n", 1)])
    47.5
    """
    lines = 1
    for key, value in cells:
        if not isinstance(value, str) or not value or key == "id":
            continue
        room = max(int(spec.widths.get("progress" if key == "extra" else key) or spec.widths["progress"]), 1)
        lines = max(lines, sum(max(-(-_width(part) // room), 1) for part in value.split("\n")))
    return min(LINE_HEIGHT * lines + 4, 409)        # 409 points: the most a row may be


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lights(ws, spec: Spec, options: Options, due: str, status: str, last: int, end: int):
    """Red: the deadline passed and not done; yellow: due within warn_days; green: done.  As
    conditional formats, so they follow the date and what staff select."""
    first = FIRST_ROW
    done = ",".join(f'${status}{first}="{w}"' for w in spec.done)
    is_done = f"OR({done})"
    dated = f"ISNUMBER(${due}{first})"
    area = f"A{first}:{get_column_letter(last)}{end}"
    colour = spec.colours
    ws.conditional_formatting.add(area, FormulaRule(
        formula=[is_done], fill=PatternFill(bgColor=colour["green"]), stopIfTrue=True))
    ws.conditional_formatting.add(area, FormulaRule(
        formula=[f"AND({dated},${due}{first}<TODAY(),NOT({is_done}))"], fill=PatternFill(bgColor=colour["red"]),
        stopIfTrue=True))
    ws.conditional_formatting.add(area, FormulaRule(
        formula=[f"AND({dated},${due}{first}>=TODAY(),${due}{first}-TODAY()<={options.warn_days},NOT({is_done}))"],
        fill=PatternFill(bgColor=colour["yellow"]), stopIfTrue=True))


def _print(ws, title_rows: bool = True):
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = f"{HEAD_ROW}:{HEAD_ROW}"


def _style(cell, key: str):
    """Border, alignment and number format of a column's cells.  Set once per workbook and key,
    then copied: setting them cell by cell hashes openpyxl's style objects each time, which
    was 29 of 39 s (profiled) of a 2,000-task ledger."""
    kind = key if key in CENTERED or key in ("due", "done_on") else "wrap"
    made = cell.parent.parent.__dict__.setdefault("_plandoc_styles", {})
    if kind in made:
        cell._style = copy.copy(made[kind])
        return
    cell.border = BORDER
    cell.alignment = CENTER if key in CENTERED else WRAP
    if key in ("due", "done_on"):
        cell.number_format = DATE_FORMAT
    made[kind] = copy.copy(cell._style)


def _rows_of(main, id_column: int) -> dict[str, int]:
    """Task id -> its row in 总台账, found once for all the unit sheets."""
    if getattr(main, "_plandoc_rows_of", None) is None:
        main._plandoc_rows_of = {main.cell(r, id_column).value: r for r in range(FIRST_ROW, main.max_row + 1)}
    return main._plandoc_rows_of


def _style_id(ws, key: str) -> int:
    """The workbook's style number of a column's cells (as `_style` makes it), for cells written
    as XML."""
    cell = Cell(ws)
    _style(cell, key)
    return ws.parent._cell_styles.add(cell._style)


def _put(cell, value):
    """A value into a cell: text cleaned of what xlsx cannot hold, and a text beginning with =
    kept as text (a task text is never a formula)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"
        return
    cell.value = value


def _plain(value):
    """A cell value as JSON keeps it (dates as ISO text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _sheet_names(units: list[str], reserved: list[str]) -> dict[str, str]:
    """A sheet name for each unit: without the characters Excel refuses, at most 31 long,
    distinct (case aside) from each other and from the ledger's own sheets."""
    taken = {r.casefold() for r in reserved}
    out = {}
    for unit in units:
        base = unit.translate(FORBIDDEN).strip("'") or "_"
        name, n = base[:SHEET_NAME], 1
        while name.casefold() in taken:
            n += 1
            name = f"{base[:SHEET_NAME - len(str(n)) - 1]}-{n}"
        taken.add(name.casefold())
        out[unit] = name
    return out


def _plan_name(plan: Plan, wording: Wording) -> str:
    return wording.plan_name_of(plan.title) if plan.title else ""


def _write_meta(wb: Workbook, meta: dict):
    """The plan and options in a very hidden sheet, in pieces a cell can hold."""
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "veryHidden"
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True, default=_plain)
    ws.cell(1, 1, META_MARK)
    for n, start in enumerate(range(0, len(text), 30_000), 2):
        cell = ws.cell(n, 1)
        cell.value = text[start:start + 30_000]
        cell.data_type = "s"


def _save(wb: Workbook, plan: Plan) -> bytes:
    """The workbook's bytes: its dates and the zip's times from the plan, not the clock."""
    stamp = dt.datetime.combine(plan.date, dt.time()) if plan.date else dt.datetime(1980, 1, 1)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "plandoc"
    out = io.BytesIO()
    with _FixedZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # the rows a sheet holds as XML (_fill_unit), by the part openpyxl writes the sheet to
        archive.rows = {f"xl/worksheets/sheet{n}.xml": ws._plandoc_rows for n, ws in enumerate(wb.worksheets, 1)
                        if getattr(ws, "_plandoc_rows", None)}
        ExcelWriter(wb, archive).save()         # not save_workbook(), which stamps the clock's time
    return out.getvalue()


class _FixedZip(zipfile.ZipFile):
    """A zip whose entries bear a fixed time, so that the same workbook is the same bytes."""

    rows: dict[str, str] = {}

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        rows = self.rows.get(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        if rows:
            data = _with_rows(data if isinstance(data, bytes) else data.encode("utf-8"), rows)
        if not isinstance(name, zipfile.ZipInfo):
            entry = zipfile.ZipInfo(name, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            name = entry
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:          # openpyxl writes each sheet to a temporary file first
            self.writestr(arcname or str(filename), fh.read(), compress_type, compresslevel)


def _with_rows(xml: bytes, rows: str) -> bytes:
    """A sheet's XML with `rows` after the rows openpyxl wrote (the title and headings), and its
    dimension reaching the last of them."""
    text = xml.decode("utf-8")
    at = text.index("</sheetData>")
    text = text[:at] + rows + text[at:]
    last = rows[rows.rindex('<row r="') + 8:]
    last_row = last[:last.index('"')]
    return re.sub(r'<dimension ref="([A-Z]+\d+):([A-Z]+)\d+"/>', rf'<dimension ref="\1:\g<2>{last_row}"/>', text,
                  count=1).encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_names(units: list[str]) -> list[str]:
    """The file names of the units' copies: <unit>.xlsx, safe and distinct."""
    from ..output import distinct_names
    return [f"{n}.xlsx" for n in distinct_names(units)]
