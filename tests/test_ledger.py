"""The 督办台账 (plandoc/ledger): written from the sample with the real parser and read back with
openpyxl (values and types, the drop-down, traffic lights, panes, print settings, unit sheets
by formula, 统计 and its chart), opened by LibreOffice as a real consumer, and the cycles staff
go through: typing into it, a revised plan (--update), copies handed out and collected, the
reminders at a fixed date and their 催办通知; every bad input refused in one line, exit 2,
nothing written."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from plandoc.cli import main
from plandoc.ledger import load_spec

from .conftest import PROFILE, SAMPLE

SPEC = load_spec()
H = SPEC.headings
MAIN = SPEC.sheets["main"]
UNITS = ("办公室", "普遍服务处", "市场监管处")        # the profile's units that have tasks, in its order
DAY = dt.datetime


# --- circulars made from the sample -------------------------------------------------------
# Lines of the sample: 30 is item 1 (办公室牵头), 31-33 items 2-4, 74-75 items 41-42 (市场监管处牵头).

def _lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").split("\n")


def _base_lines() -> list[str]:
    """The sample with five deadlines written in, for the reminders to find."""
    lines = _lines()
    for n, words in ((31, "6月底前完成"), (32, "2022年9月30日前完成"), (33, "5月底前完成"),
                     (74, "2022年10月10日前完成"), (75, "8月底前完成")):
        before = lines[n - 1]
        lines[n - 1] = re.sub(r"。（(\S+牵头)）$", rf"，{words}。（\1）", before)
        assert lines[n - 1] != before, n
    return lines


NEW_TASK = "建立机关理论学习台账，按月通报学习情况。"


def _revised_lines() -> list[str]:
    """The base revised: item 41 reassigned to 普遍服务处, item 42 deleted, item 43 reworded, a new
    item 2 inserted (items 2-41 renumbered 3-42, as an office renumbers them)."""
    lines = _base_lines()
    lines[73] = lines[73].replace("（市场监管处牵头）", "（普遍服务处牵头）")
    assert "基本完成塑料污染治理" in lines[75]
    lines[75] = lines[75].replace("基本完成塑料污染治理", "全面完成塑料污染治理")      # item 43 reworded
    for i in range(30, 74):
        lines[i] = re.sub(r"^(\d+)\. ", lambda m: f"{int(m.group(1)) + 1}. ", lines[i])
    del lines[74]
    lines.insert(30, f"2. {NEW_TASK}（办公室牵头）")
    return lines


@pytest.fixture(scope="module")
def circulars(tmp_path_factory):
    folder = tmp_path_factory.mktemp("circulars")
    base, revised, other = folder / "base.txt", folder / "revised.txt", folder / "other.txt"
    base.write_text("\n".join(_base_lines()), encoding="utf-8")
    revised.write_text("\n".join(_revised_lines()), encoding="utf-8")
    other.write_text("某某局关于印发2023年安全生产工作要点的通知\n\n"
                     "1. 开展安全生产大检查，排查整治重大隐患。（办公室牵头）\n"
                     "2. 组织应急演练，提升应急处置能力。（市场监管处牵头）\n", encoding="utf-8")
    return {"base": base, "revised": revised, "other": other}


def run(*args, code: int = 0):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    return result


def write_ledger(source: Path, out: Path, *extra) -> Path:
    run("ledger", source, "--profile", PROFILE, "-o", out, *extra)
    return out


@pytest.fixture(scope="module")
def office(circulars, tmp_path_factory) -> Path:
    """The base circular's ledger as plandoc writes it (never typed into: copy it first)."""
    return write_ledger(circulars["base"], tmp_path_factory.mktemp("office") / "台账.xlsx")


@pytest.fixture(scope="module")
def plan(circulars):
    from parser import load_plan, load_profile
    return load_plan(circulars["base"], load_profile(PROFILE))


# --- reading a ledger as a person's spreadsheet does -------------------------------------

def headings(ws, row: int = 3) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def rows_by_id(ws) -> dict[str, int]:
    """Task id -> row, from the hidden id column."""
    col = headings(ws)[H["id"]]
    return {ws.cell(r, col).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, col).value}


def row_of(ws, text_part: str) -> int:
    col = headings(ws)[H["text"]]
    found = [r for r in range(4, ws.max_row + 1) if text_part in str(ws.cell(r, col).value or "")]
    assert len(found) == 1, (text_part, found)
    return found[0]


def cell(ws, row: int, heading: str):
    return ws.cell(row, headings(ws)[heading]).value


def type_cells(path: Path, cells: dict[str, dict[str, object]], sheet: str = MAIN) -> None:
    """Type values into the rows of each task id, by heading, as a person would."""
    wb = load_workbook(path)
    ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
    for tid, values in cells.items():
        r = row_at(ws, tid)
        for heading, value in values.items():
            ws.cell(r, headings(ws)[heading]).value = value
    wb.save(path)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def task_id(plan, number: str) -> str:
    """The id of the task numbered `number` in the plan's first part (the 民生实事 part repeats
    some of its texts)."""
    tasks = [t for t in plan.tasks if t.number == number and t.part == plan.tasks[0].part]
    assert len(tasks) == 1
    return tasks[0].id


def row_at(ws, tid: str) -> int:
    return rows_by_id(ws)[tid]


# --- the workbook as written ---------------------------------------------------------------

def test_main_sheet_values_and_types(office, plan):
    wb = load_workbook(office)
    assert wb.sheetnames[:5] == [MAIN, *UNITS, SPEC.sheets["stats"]]
    ws = wb[MAIN]
    head = headings(ws)
    expected = ([H[k] for k in ("n", "source", "text", "lead", "responsible", "support", "leaders", "targets",
                                "value", "unit", "comparator", "due")]
                + [f"{n}月进展情况" for n in range(1, 13)] + [H["status"], H["done_on"], H["note"], H["id"]])
    assert list(head) == expected
    ids = rows_by_id(ws)
    assert list(ids) == [t.id for t in plan.tasks]
    assert [cell(ws, r, H["n"]) for r in ids.values()] == list(range(1, 97))
    # dates are dates, numbers are numbers
    dues = [cell(ws, r, H["due"]) for r in ids.values()]
    assert all(isinstance(d, DAY) for d in dues)
    assert ws.cell(ids[plan.tasks[1].id], head[H["due"]]).number_format.startswith("yyyy")
    assert dues[1] == DAY(2022, 6, 30) and dues[3] == DAY(2022, 5, 31) and dues[0] == DAY(2022, 12, 31)
    r = ids[next(t.id for t in plan.tasks if t.number == "44" and t.part == plan.tasks[0].part)]
    assert cell(ws, r, H["value"]) == 90 and isinstance(cell(ws, r, H["value"]), int)
    assert cell(ws, r, H["unit"]) == "%" and cell(ws, r, H["comparator"]) == SPEC.comparators[">="]
    assert "包装材料比例达到90%" in cell(ws, r, H["targets"])
    assert cell(ws, r, H["lead"]) == "市场监管处"
    assert cell(ws, ids[plan.tasks[0].id], H["source"]) == "分解方案第1项"
    # the id column is hidden, and so is nothing else
    hidden = [k for k, d in ws.column_dimensions.items() if d.hidden]
    assert hidden == [ws.cell(3, head[H["id"]]).column_letter]
    assert "_plandoc" in wb.sheetnames and wb["_plandoc"].sheet_state == "veryHidden"


def test_status_drop_down_lists_the_words_of_ledger_toml(office):
    ws = load_workbook(office)[MAIN]
    status = ws.cell(3, headings(ws)[H["status"]]).column_letter
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"未启动,推进中,已完成,滞后,已销号"'
    assert str(lists[0].sqref) == f"{status}4:{status}99"
    assert lists[0].showErrorMessage
    dates = [dv for dv in ws.data_validations.dataValidation if dv.type == "date"]
    done_on = ws.cell(3, headings(ws)[H["done_on"]]).column_letter
    assert [str(d.sqref) for d in dates] == [f"{done_on}4:{done_on}99"]


@pytest.mark.parametrize("sheet", [MAIN, "市场监管处"])
def test_traffic_lights_are_conditional_formats(office, sheet):
    ws = load_workbook(office)[sheet]
    due = ws.cell(3, headings(ws)[H["due"]]).column_letter
    status = ws.cell(3, headings(ws)[H["status"]]).column_letter
    rules = [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]
    assert len(rules) == 3
    (area, green), (_, red), (_, yellow) = sorted(rules, key=lambda x: x[1].priority)
    assert area.startswith("A4:")
    done = f'OR(${status}4="已完成",${status}4="已销号")'
    assert green.formula == [done] and green.dxf.fill.bgColor.rgb.endswith(SPEC.colours["green"])
    assert red.formula == [f"AND(ISNUMBER(${due}4),${due}4<TODAY(),NOT({done}))"]
    assert red.dxf.fill.bgColor.rgb.endswith(SPEC.colours["red"])
    assert red.formula[0] != yellow.formula[0] and f"${due}4-TODAY()<=30" in yellow.formula[0]
    assert yellow.dxf.fill.bgColor.rgb.endswith(SPEC.colours["yellow"])


def test_warn_days_and_quarters(circulars, tmp_path):
    path = write_ledger(circulars["base"], tmp_path / "q.xlsx", "--by", "quarter", "--warn-days", "10")
    ws = load_workbook(path)[MAIN]
    head = list(headings(ws))
    assert head[12:16] == ["一季度进展情况", "二季度进展情况", "三季度进展情况", "四季度进展情况"]
    assert not any("月进展情况" in h for h in head)
    yellow = [r for cf in ws.conditional_formatting for r in cf.rules if "-TODAY()<=" in r.formula[0]]
    assert len(yellow) == 1 and "-TODAY()<=10," in yellow[0].formula[0]


@pytest.mark.parametrize("sheet", [MAIN, "办公室", "统计"])
def test_panes_and_print_settings(office, sheet):
    ws = load_workbook(office)[sheet]
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", int(ws.PAPERSIZE_A4))
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
    if sheet == "统计":
        return
    assert ws.print_title_rows == "$3:$3"
    assert ws.freeze_panes == ("D4" if sheet == MAIN else "E4")
    assert ws.auto_filter.ref.startswith("A3:")
    # columns wide enough and text wrapped
    text = ws.cell(3, headings(ws)[H["text"]]).column_letter
    assert ws.column_dimensions[text].width >= 40
    assert ws.cell(4, headings(ws)[H["text"]]).alignment.wrap_text


def test_unit_sheets_show_main_rows_by_formula(office, plan):
    from parser import load_profile
    from plandoc.ledger import task_units
    units = task_units(plan, load_profile(PROFILE))
    wb = load_workbook(office)
    main_ids = rows_by_id(wb[MAIN])
    for unit in UNITS:
        ws = wb[unit]
        head = headings(ws)
        assert list(head)[:2] == [H["n"], SPEC.text["unit_role"]]
        mine = [tid for tid, pairs in units.per_task.items() if any(u == unit for u, _ in pairs)]
        assert list(rows_by_id(ws)) == mine and mine
        r = 4
        formula = ws.cell(r, head[H["status"]]).value
        assert formula.startswith("=") and f"'{MAIN}'!" in formula
        # the hidden column finds the task's row in 总台账 by its id
        match = ws.cell(r, head[H["id"]] + 1).value
        assert match == f"=MATCH($" + ws.cell(3, head[H["id"]]).column_letter + f"4,'{MAIN}'!$AB:$AB,0)"
        assert ws.column_dimensions[ws.cell(3, head[H["id"]] + 1).column_letter].hidden
        assert ws.cell(r, head[H["id"]]).value in main_ids
        assert ws.protection.sheet           # a view: typed cells would be lost to the formulas
        assert SPEC.text["unit_note"] in ws.cell(2, 1).value
    assert SPEC.text["main_note"] in wb[MAIN].cell(2, 1).value


def test_stats_sheet_and_chart(office):
    wb = load_workbook(office)
    ws = wb["统计"]
    assert [c.value for c in ws[2]] == ["单位", *SPEC.statuses, "未填", "合计", "逾期未完成"]
    assert [ws.cell(r, 1).value for r in range(3, 7)] == [*UNITS, MAIN]
    assert [ws.cell(r, 8).value for r in range(3, 7)] == [33, 29, 50, 96]
    assert ws.cell(3, 2).value == "=COUNTIF('办公室'!$Z$4:$Z$36,\"未启动\")"
    # openpyxl reads no charts back: the chart is read from the file's own XML
    with zipfile.ZipFile(office) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    assert '<barDir val="bar"/>' in xml and '<grouping val="stacked"/>' in xml
    assert xml.count("<ser>") == len(SPEC.statuses) + 1
    assert "'统计'!$A$3:$A$5" in xml


def test_same_plan_same_bytes(circulars, office, tmp_path):
    again = write_ledger(circulars["base"], tmp_path / "again.xlsx")
    assert again.read_bytes() == office.read_bytes()


# --- LibreOffice, a real consumer -----------------------------------------------------------

def soffice(args: list[str], tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", *args], check=True,
                          capture_output=True, timeout=180)
    # LibreOffice without Calc says so on stdout and exits 0, writing nothing
    assert b"could not be loaded" not in done.stdout + done.stderr, \
        "LibreOffice cannot open .xlsx here: install libreoffice-calc-nogui (Debian) beside libreoffice-writer-nogui"


def test_libreoffice_recalculates_unit_sheets_and_stats(office, tmp_path, plan):
    typed = tmp_path / "typed.xlsx"
    shutil.copy(office, typed)
    first, fourth = plan.tasks[0].id, plan.tasks[3].id
    type_cells(typed, {first: {H["status"]: "已完成", H["done_on"]: DAY(2022, 3, 15), "3月进展情况": "已学习3次"},
                       fourth: {H["status"]: "滞后"}})
    soffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(typed)], tmp_path)
    wb = load_workbook(tmp_path / "lo" / "typed.xlsx", data_only=True)
    ws = wb["办公室"]
    r = row_at(ws, first)
    assert cell(ws, r, H["status"]) == "已完成"
    assert cell(ws, r, "3月进展情况") == "已学习3次"
    assert cell(ws, r, H["done_on"]) == DAY(2022, 3, 15)
    assert cell(ws, r, H["due"]) == DAY(2022, 12, 31)
    assert cell(ws, r, H["lead"]) == "办公室"
    assert cell(ws, r, "4月进展情况") in (None, "")
    assert cell(ws, row_at(ws, fourth), H["status"]) == "滞后"
    stats = {ws_row[0]: ws_row for ws_row in wb["统计"].iter_rows(min_row=3, max_row=6, values_only=True)}
    words = list(SPEC.statuses)
    office_row = stats["办公室"]
    assert office_row[1 + words.index("已完成")] == 1 and office_row[1 + words.index("滞后")] == 1
    assert office_row[1 + len(words)] == 31                    # 未填
    assert stats[MAIN][1 + words.index("已完成")] == 1
    # every deadline is in 2022: all but the finished task are overdue, whatever today is
    assert office_row[len(words) + 3] == 32 and stats[MAIN][len(words) + 3] == 95


def test_libreoffice_prints_it(office, tmp_path):
    soffice(["--convert-to", "pdf", "--outdir", str(tmp_path), str(office)], tmp_path)
    import pdfplumber
    with pdfplumber.open(tmp_path / f"{office.stem}.pdf") as pdf:
        first = pdf.pages[0]
        assert first.width > first.height                      # landscape
        assert abs(first.width - 842) < 2 and abs(first.height - 595) < 2
        text = "".join(p.extract_text() or "" for p in pdf.pages[:3])
    assert "完成状态" in text and "任务内容" in text


# --- the full cycle: typed, revised, updated ------------------------------------------------

EXTRA = "督查意见"
ADDED_ROW = "领导交办：筹备年中督查推进会。"


@pytest.fixture(scope="module")
def cycle(circulars, office, plan, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cycle")
    old = folder / "old.xlsx"
    shutil.copy(office, old)
    t1, t2, t41, t42, t43 = (task_id(plan, n) for n in ("1", "2", "41", "42", "43"))
    typed = {
        t1: {"1月进展情况": "1月学习2次", "2月进展情况": "2月学习1次", H["status"]: "已完成",
             H["done_on"]: DAY(2022, 2, 28), H["note"]: "按期完成"},
        t2: {"3月进展情况": "已部署", H["status"]: "推进中"},
        t41: {"6月进展情况": "专项整治3次", H["status"]: "滞后", H["note"]: "待督办"},
        t42: {"4月进展情况": "已开展摸底", H["status"]: "推进中", H["done_on"]: DAY(2022, 5, 1)},
        t43: {"12月进展情况": "新建15个", H["status"]: "已销号"},
    }
    wb = load_workbook(old)
    ws = wb[MAIN]
    # staff add a column of their own after 备注, and move 备注 before 完成状态
    head = headings(ws)
    ws.insert_cols(head[H["id"]])
    ws.cell(3, head[H["id"]]).value = EXTRA
    status, done_on, note = head[H["status"]], head[H["done_on"]], head[H["note"]]
    for r in range(3, ws.max_row + 1):
        s, d, n = (ws.cell(r, c).value for c in (status, done_on, note))
        ws.cell(r, status).value, ws.cell(r, done_on).value, ws.cell(r, note).value = n, s, d
    assert [c.value for c in ws[3]][24:29] == [H["note"], H["status"], H["done_on"], EXTRA, H["id"]]
    for text, values in typed.items():
        r = row_at(ws, text)
        for heading, value in values.items():
            ws.cell(r, headings(ws)[heading]).value = value
    for text in (t1, t42):
        ws.cell(row_at(ws, text), headings(ws)[EXTRA]).value = f"意见：{text[-4:]}"
    # and a row of their own below the tasks: a task a leader gave them, with no id
    below = ws.max_row + 1
    for heading, value in ((H["text"], ADDED_ROW), (H["lead"], "办公室"), (H["status"], "推进中"),
                           (H["done_on"], DAY(2022, 7, 1)), (EXTRA, "领导交办")):
        ws.cell(below, headings(ws)[heading]).value = value
    wb.save(old)
    before = sha(old)
    new = folder / "new.xlsx"
    result = run("ledger", circulars["revised"], "--profile", PROFILE, "--update", old, "-o", new)
    return {"old": old, "new": new, "typed": typed, "before": before, "stderr": result.stderr,
            "texts": (t1, t2, t41, t42, t43)}


def test_update_keeps_every_typed_cell_where_it_belongs(cycle):
    wb = load_workbook(cycle["new"])
    ws = wb[MAIN]
    t1, t2, t41, t42, t43 = cycle["texts"]
    head = list(headings(ws))
    assert head[-2:] == [EXTRA, H["id"]]            # the column staff added, carried over
    assert head.index(H["status"]) < head.index(H["done_on"]) < head.index(H["note"])
    for text, values in cycle["typed"].items():
        if text == t42:
            continue
        r = row_at(ws, text)
        for heading, value in values.items():
            assert cell(ws, r, heading) == value, (text, heading)
    assert cell(ws, row_at(ws, t1), EXTRA) == f"意见：{t1[-4:]}"
    # the renumbered task kept its cells and is numbered anew; the new one is blank
    assert cell(ws, row_at(ws, t2), H["source"]) == "分解方案第3项"
    new = row_of(ws, NEW_TASK)
    tracking = SPEC.tracking("month") + (EXTRA,)
    assert all(cell(ws, new, h) is None for h in tracking)
    assert len(rows_by_id(ws)) == 96
    # nothing typed sits on a row it does not belong to
    typed_rows = {row_at(ws, t) for t in (t1, t2, t41, t43)} | {row_of(ws, ADDED_ROW)}
    for r in range(4, ws.max_row + 1):
        if r not in typed_rows:
            assert all(cell(ws, r, h) is None for h in tracking), r
    assert "1 new, 1 withdrawn" in cycle["stderr"] and "4 with cells typed" in cycle["stderr"]


def test_update_keeps_a_row_staff_added(cycle, circulars, tmp_path):
    run("ledger", circulars["revised"], "--profile", PROFILE, "--update", cycle["new"], "-o", tmp_path / "again.xlsx")
    for path in (cycle["new"], tmp_path / "again.xlsx"):
        ws = load_workbook(path)[MAIN]
        r = row_of(ws, ADDED_ROW)
        assert r == 4 + 96                         # below the tasks
        assert (cell(ws, r, H["lead"]), cell(ws, r, H["status"]), cell(ws, r, H["done_on"]), cell(ws, r, EXTRA)) == \
            ("办公室", "推进中", DAY(2022, 7, 1), "领导交办")
        assert cell(ws, r, H["id"]) is None and cell(ws, r, H["n"]) is None
    data = json.loads(run("remind", cycle["new"], "--date", "2022-09-15", "--format", "json").stdout)
    assert ADDED_ROW not in json.dumps(data, ensure_ascii=False)


def test_update_marks_the_changed_task_with_its_old_value(cycle):
    ws = load_workbook(cycle["new"])[MAIN]
    t41 = cycle["texts"][2]
    r = row_at(ws, t41)
    lead = ws.cell(r, headings(ws)[H["lead"]])
    assert lead.value == "普遍服务处"
    assert lead.comment is not None and lead.comment.text == SPEC.text["changed"].format(old="市场监管处")
    assert lead.fill.start_color.rgb.endswith(SPEC.colours["changed"])
    source = ws.cell(r, headings(ws)[H["source"]])
    assert source.value == "分解方案第42项" and source.comment.text == SPEC.text["changed"].format(old="分解方案第41项")
    # the reworded task: its text marked, the old wording in the comment
    text = ws.cell(row_at(ws, cycle["texts"][4]), headings(ws)[H["text"]])
    assert "全面完成塑料污染治理" in text.value and "基本完成塑料污染治理" in text.comment.text
    # only the changed tasks are marked: tasks renumbered by the insertion are no change
    marked = [c.coordinate for row in ws.iter_rows(min_row=4) for c in row if c.comment is not None]
    assert sorted(marked) == sorted([source.coordinate, lead.coordinate, text.coordinate])


def test_update_reassigned_task_moves_to_its_new_unit(cycle):
    wb = load_workbook(cycle["new"])
    t41 = cycle["texts"][2]
    ws_new = wb["普遍服务处"]
    assert row_at(ws_new, t41)
    assert t41 not in rows_by_id(wb["市场监管处"]) and t41 in rows_by_id(wb[MAIN])


def test_update_puts_the_deleted_task_on_withdrawn_sheet(cycle):
    wb = load_workbook(cycle["new"])
    ws = wb[SPEC.sheets["withdrawn"]]
    t42 = cycle["texts"][3]
    r = row_at(ws, t42)
    for heading, value in cycle["typed"][t42].items():
        assert cell(ws, r, heading) == value, heading
    assert cell(ws, r, EXTRA) == f"意见：{t42[-4:]}"
    assert cell(ws, r, H["lead"]) == "市场监管处"
    assert ws.max_row == 4
    assert t42 not in rows_by_id(wb[MAIN])


def test_update_never_changes_old(cycle):
    assert sha(cycle["old"]) == cycle["before"]


def test_update_again_keeps_withdrawn_and_marks(cycle, circulars, tmp_path):
    """A second revision (here: the same) keeps 已撤销任务 and every cell."""
    again = tmp_path / "again.xlsx"
    run("ledger", circulars["revised"], "--profile", PROFILE, "--update", cycle["new"], "-o", again)
    a, b = load_workbook(cycle["new"]), load_workbook(again)
    for name in (MAIN, SPEC.sheets["withdrawn"]):
        assert [[c.value for c in row] for row in a[name].iter_rows()] == \
            [[c.value for c in row] for row in b[name].iter_rows()], name


# --- per-unit copies, collected back --------------------------------------------------------

def test_per_unit_cycle_reports_the_one_conflict(circulars, plan, tmp_path):
    office = tmp_path / "office.xlsx"
    write_ledger(circulars["base"], office, "--per-unit", tmp_path / "units")
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == sorted(f"{u}.xlsx" for u in UNITS)
    t1, t3, t41 = task_id(plan, "1"), task_id(plan, "3"), task_id(plan, "41")
    copy_ws = load_workbook(tmp_path / "units" / "办公室.xlsx").worksheets[0]
    assert len(rows_by_id(copy_ws)) == 33 and SPEC.text["copy_note"].format(unit="办公室") in copy_ws.cell(2, 1).value
    type_cells(tmp_path / "units" / "办公室.xlsx", {
        t1: {"3月进展情况": "单位填写", H["status"]: "已完成", H["done_on"]: DAY(2022, 3, 20)},
        t3: {"3月进展情况": "已组建"}})
    type_cells(tmp_path / "units" / "市场监管处.xlsx", {t41: {H["status"]: "推进中", H["note"]: "已整治"}})
    type_cells(office, {t1: {"3月进展情况": "办公室填写"}, t3: {H["note"]: "办公室备注"}})
    wb = load_workbook(office)
    wb[MAIN].cell(wb[MAIN].max_row + 1, headings(wb[MAIN])[H["text"]]).value = ADDED_ROW
    wb.save(office)
    result = run("ledger", "collect", office, tmp_path / "units" / "办公室.xlsx", tmp_path / "units" / "市场监管处.xlsx",
                 code=1)
    conflicts = [line for line in result.stderr.splitlines() if line.startswith("conflict:")]
    assert len(conflicts) == 1
    assert "办公室.xlsx" in conflicts[0] and "3月进展情况" in conflicts[0] and "task 1 " in conflicts[0]
    assert "办公室填写" in conflicts[0] and "单位填写" in conflicts[0]
    assert "5 cells taken" in result.stderr
    ws = load_workbook(office)[MAIN]
    assert cell(ws, row_at(ws, t1), "3月进展情况") == "办公室填写"       # never overwritten
    assert cell(ws, row_at(ws, t1), H["status"]) == "已完成"
    assert cell(ws, row_at(ws, t1), H["done_on"]) == DAY(2022, 3, 20)
    assert cell(ws, row_at(ws, t3), "3月进展情况") == "已组建"
    assert cell(ws, row_at(ws, t3), H["note"]) == "办公室备注"
    assert cell(ws, row_at(ws, t41), H["status"]) == "推进中" and cell(ws, row_at(ws, t41), H["note"]) == "已整治"
    assert row_of(ws, ADDED_ROW) == 4 + 96               # the office's own row, kept
    # collected again: nothing new taken, the same conflict
    again = run("ledger", "collect", office, tmp_path / "units" / "办公室.xlsx", code=1)
    assert "0 cells taken" in again.stderr and again.stderr.count("conflict:") == 1


# --- reminders ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reminded(office, plan, tmp_path_factory):
    """The base ledger with statuses typed: item 2 (6-30) done, 3 (9-30) under way, 4 (5-31)
    untouched, 41 (10-10) under way, 42 (8-31) late, 43 (12-31) late."""
    path = tmp_path_factory.mktemp("remind") / "台账.xlsx"
    shutil.copy(office, path)
    type_cells(path, {task_id(plan, "2"): {H["status"]: "已完成"}, task_id(plan, "3"): {H["status"]: "推进中"},
                      task_id(plan, "41"): {H["status"]: "推进中"}, task_id(plan, "42"): {H["status"]: "滞后"},
                      task_id(plan, "43"): {H["status"]: "滞后"}})
    return path


def test_remind_json_lists_exactly_overdue_and_due_soon(reminded):
    result = run("remind", reminded, "--date", "2022-09-15", "--format", "json")
    data = json.loads(result.stdout)
    assert data["date"] == "2022-09-15" and data["warn_days"] == 30
    got = {u["unit"]: ([(i["n"], i["days"], i["status"]) for i in u["overdue"]],
                       [(i["n"], i["days"], i["status"]) for i in u["due_soon"]]) for u in data["units"]}
    assert got == {"办公室": ([(4, -107, "")], [(3, 15, "推进中")]),
                   "市场监管处": ([(42, -15, "滞后")], [(41, 25, "推进中")])}
    assert [u["unit"] for u in data["units"]] == ["办公室", "市场监管处"]


def test_remind_warn_days_and_year_end(reminded):
    data = json.loads(run("remind", reminded, "--date", "2022-09-15", "--warn-days", "20", "--format", "json").stdout)
    assert {u["unit"]: [i["n"] for i in u["due_soon"]] for u in data["units"]} == {"办公室": [3], "市场监管处": []}
    # at the year's end every task not done is overdue: 96 less item 2 (done) in all
    data = json.loads(run("remind", reminded, "--date", "2023-01-01", "--format", "json").stdout)
    assert {u["unit"]: len(u["overdue"]) for u in data["units"]} == {"办公室": 32, "普遍服务处": 29, "市场监管处": 50}
    assert all(not u["due_soon"] for u in data["units"])


def test_remind_table(reminded):
    out = run("remind", reminded, "--date", "2022-09-15").stdout
    assert out.splitlines()[0] == "2022-09-15: 2 overdue, 2 due within 30 days, 2 units"
    blocks = out.split("\n\n")[1:]
    assert [b.splitlines()[0] for b in blocks] == ["== 办公室", "== 市场监管处"]
    lines = blocks[0].splitlines()[1:]
    assert len(lines) == 2 and lines[0].split()[:3] == ["overdue", "4", "2022-05-31"]
    assert "107 days late" in lines[0] and lines[1].split()[:3] == ["due", "soon", "3"]


def test_remind_reads_statuses_staff_changed_since(reminded, tmp_path):
    path = tmp_path / "l.xlsx"
    shutil.copy(reminded, path)
    wb = load_workbook(path)
    ws = wb[MAIN]
    ws.cell(row_of(ws, "规范邮票品集中交易市场经营秩序"), headings(ws)[H["status"]]).value = "已销号"
    wb.save(path)
    data = json.loads(run("remind", path, "--date", "2022-09-15", "--format", "json").stdout)
    assert [i["n"] for u in data["units"] if u["unit"] == "市场监管处" for i in u["due_soon"]] == []


def test_remind_notices_docx_and_pdf(reminded, tmp_path, font_cache):
    folder = tmp_path / "notices"
    result = run("remind", reminded, "--date", "2022-09-15", "--notices", folder)
    made = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert made == ["notices.json", "办公室/催办通知.docx", "办公室/催办通知.pdf", "市场监管处/催办通知.docx",
                    "市场监管处/催办通知.pdf"]
    assert "wrote 4 reminder notices" in result.stderr
    import docx
    import pdfplumber
    doc = docx.Document(folder / "市场监管处" / "催办通知.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "催办通知" in text and "市场监管处" in text
    assert "截至2022年9月15日，你单位承担的任务中，1项已过完成时限仍未完成，1项将在30日内到期。" in text
    assert "完成状态：滞后；已逾期15天" in text and "完成状态：推进中；距完成时限25天" in text
    assert "规范邮票品集中交易市场经营秩序" in text and "根据省局要求，推进邮政业用品用具改革" in text
    assert "坚持党组会议" not in text
    with pdfplumber.open(folder / "办公室" / "催办通知.pdf") as pdf:
        page = pdf.pages[0]
        assert abs(page.width - 595) < 2                       # A4 portrait, as the letters
        ptext = "".join(p.extract_text() or "" for p in pdf.pages).replace("\n", "")
    assert "催办通知" in ptext and "完成机关党支部换届选举工作" in ptext and "加快组建党建联盟" in ptext
    assert "深入学习宣传贯彻" not in ptext                        # done: no reminder


# --- bad input: one line, exit 2, nothing written -------------------------------------------

def refused(args: list, folder: Path, *, says: str) -> str:
    before = sorted((p.name, p.stat().st_size, sha(p)) for p in folder.rglob("*") if p.is_file())
    result = run(*args, code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0], lines[0]
    assert result.stdout == ""
    after = sorted((p.name, p.stat().st_size, sha(p)) for p in folder.rglob("*") if p.is_file())
    assert after == before
    return lines[0]


def commands(ledger: Path, circulars, folder: Path) -> list[list]:
    return [["remind", ledger, "--date", "2022-09-15"],
            ["remind", ledger, "--date", "2022-09-15", "--notices", folder / "notices"],
            ["ledger", circulars["base"], "--profile", PROFILE, "--update", ledger, "-o", folder / "new.xlsx"],
            ["ledger", "collect", ledger, ledger, "-o", folder / "collected.xlsx"]]


def _not_a_ledger(path: Path) -> None:
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "序号"
    wb.save(path)


def _corrupt(path: Path, office: Path) -> None:
    data = office.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_part(path: Path, office: Path) -> None:
    with zipfile.ZipFile(office) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data[:100] if item.filename == "xl/worksheets/sheet1.xml" else data)


def _encrypted(path: Path, office: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(office.read_bytes())).encrypt("secret", out)
    path.write_bytes(out.getvalue())
    assert msoffcrypto


@pytest.mark.parametrize("kind, says", [
    ("not-a-ledger", "not a ledger"),
    ("text", "not an .xlsx"),
    ("corrupt", "not an .xlsx"),
    ("damaged-part", "corrupt"),
    ("encrypted", "password-protected"),
    ("lock-libreoffice", "is open in Excel"),
    ("lock-excel", "is open in Excel"),
])
def test_bad_ledger_refused(kind, says, office, circulars, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "台账.xlsx"
    if kind == "not-a-ledger":
        _not_a_ledger(path)
    elif kind == "text":
        path.write_text("序号,任务内容\n1,x\n", encoding="utf-8")
    elif kind == "corrupt":
        _corrupt(path, office)
    elif kind == "damaged-part":
        _damaged_part(path, office)
    elif kind == "encrypted":
        _encrypted(path, office)
    else:
        shutil.copy(office, path)
        lock = folder / (".~lock.台账.xlsx#" if kind == "lock-libreoffice" else "~$台账.xlsx")
        lock.write_text("someone,host,2022-09-15", encoding="utf-8")
        says = f"{says} or another spreadsheet program (lock file {lock.name}"
    for args in commands(path, circulars, folder):
        refused(args, folder, says=says)


def test_ledger_of_another_plan_says_which(circulars, office, tmp_path):
    other = write_ledger(circulars["other"], tmp_path / "other.xlsx")
    folder = tmp_path
    line = refused(["ledger", circulars["base"], "--profile", PROFILE, "--update", other, "-o", tmp_path / "n.xlsx"],
                   folder, says="《某某局关于印发2023年安全生产工作要点的通知》")
    assert "not an earlier version of this plan" in line
    write_ledger(circulars["other"], tmp_path / "o2.xlsx", "--per-unit", tmp_path / "their")
    line = refused(["ledger", "collect", office, tmp_path / "their" / "办公室.xlsx", "-o", tmp_path / "c.xlsx"],
                   folder, says="《某某局关于印发2023年安全生产工作要点的通知》")
    assert "苏州市邮政管理局" in line


def test_output_open_elsewhere_writes_nothing(circulars, office, tmp_path):
    target = tmp_path / "台账.xlsx"
    shutil.copy(office, target)
    (tmp_path / ".~lock.台账.xlsx#").write_text("x", encoding="utf-8")
    refused(["ledger", circulars["base"], "--profile", PROFILE, "-o", target, "--force"], tmp_path,
            says="is open in Excel")


def test_copy_is_not_an_office_ledger(circulars, tmp_path):
    write_ledger(circulars["base"], tmp_path / "o.xlsx", "--per-unit", tmp_path / "u")
    refused(["ledger", circulars["base"], "--profile", PROFILE, "--update", tmp_path / "u" / "办公室.xlsx",
             "-o", tmp_path / "n.xlsx"], tmp_path, says="not the office's ledger")
    refused(["ledger", "collect", tmp_path / "o.xlsx", tmp_path / "o.xlsx", "-o", tmp_path / "n.xlsx"], tmp_path,
            says="not a copy handed out")
    # a copy lists its own reminders, but the notices are the office's to send
    assert "== 办公室" in run("remind", tmp_path / "u" / "办公室.xlsx", "--date", "2022-09-15").stdout
    refused(["remind", tmp_path / "u" / "办公室.xlsx", "--date", "2022-09-15", "--notices", tmp_path / "n"], tmp_path,
            says="the notices are written from the office's ledger")


# --- the data file ---------------------------------------------------------------------------

def test_ledger_toml_is_validated(tmp_path):
    from parser.errors import RuleFileError
    from plandoc.ledger.spec import LEDGER
    text = LEDGER.read_text(encoding="utf-8")
    for broken, key in ((text.replace('status = "完成状态"', 'status = "备注"'), "headings"),
                        (text.replace('word = "滞后"', 'word = "推进中"'), "status"),
                        (text.replace("progress = 10", 'progress = "wide"'), "widths.progress"),
                        (text.replace('main = "总台账"', 'main = "总台账"\nextra = "x"'), "sheets.extra"),
                        (text.replace('"2022.10.31", ', '"2022年10月", '), "typed_date.examples"),
                        (text.replace("(?P<d>", "(?P<day>"), "typed_date.pattern"),
                        (text + "".join(f'[[status]]\nword = "状态{n:03}"\n' for n in range(40)), "status")):
        path = tmp_path / "ledger.toml"
        path.write_text(broken, encoding="utf-8")
        load_spec.cache_clear()
        with pytest.raises(RuleFileError, match=re.escape(key)):
            load_spec(path)
    load_spec.cache_clear()


def test_renamed_heading_and_added_status_need_no_code(circulars, tmp_path, monkeypatch):
    from plandoc.ledger import spec as spec_module
    text = spec_module.LEDGER.read_text(encoding="utf-8")
    text = text.replace('month = "{n}月进展情况"', 'month = "{n}月工作进展"')
    text = text.replace('[[status]]\nword = "已销号"', '[[status]]\nword = "暂缓"\n[[status]]\nword = "已销号"')
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    load_spec.cache_clear()
    monkeypatch.setattr(spec_module.load_spec.__wrapped__, "__defaults__", (path,))
    try:
        out = write_ledger(circulars["base"], tmp_path / "l.xlsx")
        ws = load_workbook(out)[MAIN]
        assert "3月工作进展" in headings(ws)
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert lists[0].formula1 == '"未启动,推进中,已完成,滞后,暂缓,已销号"'
    finally:
        load_spec.cache_clear()


def test_remind_boundaries(reminded):
    """Due in exactly --warn-days days is due soon, a day more is not; due today is due soon,
    not overdue; a day after, overdue."""
    def soon_and_late(day: str, warn: int) -> dict:
        data = json.loads(run("remind", reminded, "--date", day, "--warn-days", warn, "--format", "json").stdout)
        return {u["unit"]: ([i["n"] for i in u["overdue"]], [(i["n"], i["days"]) for i in u["due_soon"]])
                for u in data["units"] if u["unit"] == "市场监管处"}
    assert soon_and_late("2022-09-10", 30) == {"市场监管处": ([42], [(41, 30)])}
    assert soon_and_late("2022-09-10", 29) == {"市场监管处": ([42], [])}
    assert soon_and_late("2022-08-31", 0) == {"市场监管处": ([], [(42, 0)])}
    assert soon_and_late("2022-09-01", 0) == {"市场监管处": ([42], [])}


def test_corrected_plan_cells_survive_update_and_collect(circulars, office, plan, tmp_path):
    """A deadline staff put off in 总台账 (a plan's column, not a tracking one) is what they typed:
    kept by --update where the revision left that column alone, by collect always; where the
    revision changed it, the circular's new value, the correction in the comment."""
    old = tmp_path / "old.xlsx"
    shutil.copy(office, old)
    t3, t41, t5 = task_id(plan, "3"), task_id(plan, "41"), task_id(plan, "5")
    type_cells(old, {t3: {H["due"]: DAY(2022, 11, 30)}, t41: {H["lead"]: "办公室"},
                     t5: {H["support"]: "普遍服务处"}})
    new = tmp_path / "new.xlsx"
    run("ledger", circulars["revised"], "--profile", PROFILE, "--update", old, "-o", new)
    ws = load_workbook(new)[MAIN]
    assert cell(ws, row_at(ws, t3), H["due"]) == DAY(2022, 11, 30)
    assert cell(ws, row_at(ws, t5), H["support"]) == "普遍服务处"
    lead = ws.cell(row_at(ws, t41), headings(ws)[H["lead"]])
    assert lead.value == "普遍服务处" and lead.comment.text == SPEC.text["changed"].format(old="办公室")
    # the remind reads the corrected deadline
    data = json.loads(run("remind", new, "--date", "2022-11-15", "--format", "json").stdout)
    office_soon = [i for u in data["units"] if u["unit"] == "办公室" for i in u["due_soon"]]
    assert [(i["id"], i["due"]) for i in office_soon if i["id"] == t3] == [(t3, "2022-11-30")]
    # collect keeps them too
    write_ledger(circulars["base"], tmp_path / "o.xlsx", "--per-unit", tmp_path / "u")
    type_cells(tmp_path / "o.xlsx", {t3: {H["due"]: DAY(2022, 11, 30)}})
    type_cells(tmp_path / "u" / "办公室.xlsx", {t3: {H["status"]: "推进中"}})
    run("ledger", "collect", tmp_path / "o.xlsx", tmp_path / "u" / "办公室.xlsx")
    ws = load_workbook(tmp_path / "o.xlsx")[MAIN]
    assert cell(ws, row_at(ws, t3), H["due"]) == DAY(2022, 11, 30)
    assert cell(ws, row_at(ws, t3), H["status"]) == "推进中"


def test_update_from_a_ledger_saved_by_libreoffice(cycle, circulars, tmp_path):
    """Staff save the ledger in their spreadsheet program: the update reads it as it read the
    ledger openpyxl saved, cell for cell."""
    soffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(cycle["old"])], tmp_path)
    saved = tmp_path / "lo" / cycle["old"].name
    assert saved.read_bytes() != cycle["old"].read_bytes()
    new = tmp_path / "new.xlsx"
    run("ledger", circulars["revised"], "--profile", PROFILE, "--update", saved, "-o", new)
    a, b = load_workbook(cycle["new"]), load_workbook(new)
    for name in (MAIN, SPEC.sheets["withdrawn"]):
        assert [[c.value for c in row] for row in a[name].iter_rows()] == \
            [[c.value for c in row] for row in b[name].iter_rows()], name


def test_build_carries_the_previous_versions_ledger(circulars, plan, tmp_path):
    """What every build writes (plandoc/ledger/versioned.py): the version's ledger, with what staff
    typed in the previous version's; when that one is open in Excel, a note, and a new one."""
    from parser import load_plan, load_profile
    from plandoc.ledger.versioned import ledger_for_build, ledger_name
    profile = load_profile(PROFILE)
    data, note = ledger_for_build(plan, profile, None)
    assert note is None and ledger_name() == "督办台账.xlsx"
    before = tmp_path / "v1" / ledger_name()
    before.parent.mkdir()
    before.write_bytes(data)
    t1 = task_id(plan, "1")
    type_cells(before, {t1: {H["status"]: "已完成", "2月进展情况": "已完成学习"}})
    revised = load_plan(circulars["revised"], profile)
    data, note = ledger_for_build(revised, profile, before)
    assert note is None
    (tmp_path / "v2.xlsx").write_bytes(data)
    ws = load_workbook(tmp_path / "v2.xlsx")[MAIN]
    assert cell(ws, row_at(ws, t1), H["status"]) == "已完成" and cell(ws, row_at(ws, t1), "2月进展情况") == "已完成学习"
    assert SPEC.sheets["withdrawn"] in load_workbook(tmp_path / "v2.xlsx").sheetnames
    (tmp_path / "v1" / f"~${ledger_name()}").write_text("x", encoding="utf-8")
    data, note = ledger_for_build(revised, profile, before)
    assert "is open in Excel" in note and "starts without its cells" in note


def test_remind_reads_a_deadline_typed_as_text(reminded, plan, tmp_path):
    path = tmp_path / "l.xlsx"
    shutil.copy(reminded, path)
    t1, t5 = task_id(plan, "1"), task_id(plan, "5")
    type_cells(path, {t1: {H["due"]: "2022年9月20日"}, t5: {H["due"]: "2022.9.1"}})
    data = json.loads(run("remind", path, "--date", "2022-09-15", "--format", "json").stdout)
    office_unit = next(u for u in data["units"] if u["unit"] == "办公室")
    assert [(i["id"], i["due"], i["days"]) for i in office_unit["due_soon"]] == \
        [(t1, "2022-09-20", 5), (task_id(plan, "3"), "2022-09-30", 15)]
    assert [i["id"] for i in office_unit["overdue"]] == [task_id(plan, "4"), t5]


def test_id_column_deleted_is_refused(office, circulars, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    path = folder / "台账.xlsx"
    wb = load_workbook(office)
    wb[MAIN].delete_cols(headings(wb[MAIN])[H["id"]])
    wb.save(path)
    for args in commands(path, circulars, folder):
        refused(args, folder, says=f"has no heading {H['id']}")


def test_a_withdrawn_task_brought_back_takes_its_cells_back(cycle, circulars, plan, tmp_path):
    """v2 deleted item 42 (its cells went to 已撤销任务); v3, the base circular again, restores it."""
    back = tmp_path / "v3.xlsx"
    result = run("ledger", circulars["base"], "--profile", PROFILE, "--update", cycle["new"], "-o", back)
    wb = load_workbook(back)
    ws = wb[MAIN]
    t42 = cycle["texts"][3]
    assert t42 == task_id(plan, "42")
    for heading, value in cycle["typed"][t42].items():
        assert cell(ws, row_at(ws, t42), heading) == value, heading
    assert cell(ws, row_at(ws, t42), EXTRA) == f"意见：{t42[-4:]}"
    # 已撤销任务 now holds only the task v2 inserted, which v3 does not have
    withdrawn = wb[SPEC.sheets["withdrawn"]]
    assert t42 not in rows_by_id(withdrawn) and len(rows_by_id(withdrawn)) == 1
    assert row_of(withdrawn, NEW_TASK) == 4
    assert "1 withdrawn to 已撤销任务, 1 back from it with their cells" in result.stderr


def test_updated_unit_sheets_show_the_carried_cells_in_libreoffice(cycle, tmp_path):
    """After --update, the reassigned task's typed cells show on its new unit's sheet (formulas
    recalculated by LibreOffice), and on no sheet of its old unit."""
    soffice(["--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(cycle["new"])], tmp_path)
    wb = load_workbook(tmp_path / "lo" / cycle["new"].name, data_only=True)
    t1, _, t41, _, _ = cycle["texts"]
    ws = wb["普遍服务处"]
    r = row_at(ws, t41)
    assert (cell(ws, r, H["status"]), cell(ws, r, H["note"]), cell(ws, r, "6月进展情况")) == ("滞后", "待督办", "专项整治3次")
    assert cell(ws, r, H["lead"]) == "普遍服务处" and cell(ws, r, EXTRA) in (None, "")
    ws = wb["办公室"]
    r = row_at(ws, t1)
    assert cell(ws, r, EXTRA) == f"意见：{t1[-4:]}" and cell(ws, r, H["done_on"]) == DAY(2022, 2, 28)
    assert t41 not in rows_by_id(wb["市场监管处"])
