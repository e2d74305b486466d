"""Task tables: rows with real cells (.docx, .html, `a | b | c` lines) and tables flattened to
one cell per line (a web page copied by hand), read by their header row."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import regex

from ..model import ROLES
from ..normalize import SPACES, Piece, fold
from ..rules import Rules
from .clauses import _looks_like_unit, clean_name, split_names
from .deadlines import find_deadlines
from .numbering import match_numeral

UNIT_KINDS = ROLES
BARE_NUMBER = regex.compile(r"^\s*(\d{1,3})\s*[.、]?\s*$")
CLOSING = "。；;!?！？)）」』”%"
CUT_MIN = 20              # shorter text that lacks a closing mark is a whole cell, not one cut off
DIGIT = regex.compile(r"\d")
ALIAS = regex.compile(r"\([^()]{1,12}\)$")
SPACED_ROW = regex.compile(r"^\s*(\d{1,3})\s+(?=\S)")      # 1 加强水资源保护 …


Cell = Piece   # a table cell: its line, as printed, folded


@dataclass
class Row:
    """One task read from a table, before it becomes a model Task."""
    number: Optional[str]
    text: Cell
    group: Optional[str] = None
    units: list[tuple[Cell, str]] = field(default_factory=list)   # (cell, role)
    deadline: Optional[Cell] = None
    text_override: Optional[str] = None   # the row as printed, for one-line `a | b` rows
    leaders: list[str] = field(default_factory=list)               # a person column's names
    rule: Optional[str] = None            # row-span, spaced-columns: units found with low certainty
    cut: bool = False                     # the document ends inside the row, after its units
    more_deadlines: list[Cell] = field(default_factory=list)   # times of rows spanned by this one


def column_kind(folded: str, rules: Rules) -> Optional[str]:
    """The kind of column a header cell names, or None.

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> [column_kind(c, r) for c in ["序号", "责任科室", "时限要求", "形象进度(%)", "办公室"]]
    ['number', 'responsible', 'deadline', 'ignore', None]
    """
    name = SPACES.sub("", folded)
    if not name or len(name) > 12:
        return None
    exact = _exact_kind(name, rules)
    if exact:
        return exact
    best = None
    for kind, words in rules.columns.items():
        for w in words:
            if name.endswith(w) and len(w) >= 2 and (best is None or len(w) > best[1]):
                best = (kind, len(w))
    m = rules.label_end_re.search(name)
    if m and len(m.group()) >= 2 and (best is None or len(m.group()) > best[1]):
        best = (rules.role_words[m.group("role")], len(m.group()))
    return best[0] if best else None


def _exact_kind(folded: str, rules: Rules) -> Optional[str]:
    """The kind of a header cell that is exactly a column's name: 序号, 牵头单位, 分管领导."""
    name = SPACES.sub("", folded)
    kind = next((kind for kind, words in rules.columns.items() if name in words), None)
    return kind or rules.label_role(name)


def header_kinds(cells: list[str], rules: Rules) -> Optional[list[Optional[str]]]:
    """Column kinds of a header row, merging a header split over two cells (牵头 / 市领导)."""
    kinds: list[Optional[str]] = []
    i = 0
    while i < len(cells):
        if i + 1 < len(cells):
            merged = _exact_kind(cells[i] + cells[i + 1], rules)
            if merged:
                kinds.append(merged)
                i += 2
                continue
        kinds.append(column_kind(cells[i], rules))
        i += 1
    return kinds


def is_header(kinds: list[Optional[str]]) -> bool:
    """Whether column kinds make a task table's header: a text column (or a group column, the
    only text there is: 主要任务 | 责任单位 | 完成时限) and a unit column."""
    known = [k for k in kinds if k]
    return (len(known) >= 2 and len(known) >= len(kinds) - 1
            and ("text" in known or "group" in known) and any(k in UNIT_KINDS for k in known))


def assign_text_columns(kinds: list[Optional[str]]) -> list[Optional[str]]:
    """With two text-like columns, the first is the group: 工作任务 | 具体要求 -> group, text."""
    texts = [i for i, k in enumerate(kinds) if k == "text"]
    out = list(kinds)
    for i in texts[:-1]:
        out[i] = "group"
    if not texts and "group" in out:
        out[out.index("group")] = "text"
    return out


# --- rows with real cells --------------------------------------------------------------------

TAB_SEPARATOR = regex.compile(r"[ \u3000]*\t[ \t\u3000]*")


def rows_from_cells(rows: list[tuple[int, str, list[str], list[str]]], rules: Rules) -> list[Row]:
    """Rows given as (line, printed line, cells, folded cells), the printed line's cells parted by
    one character (a bar, a tab).  The first header row sets the columns; rows before it and
    repeated header rows are skipped.  A row's task text is the row as printed up to its first
    unit cell, whether the cells came from a text file or a Word or web table."""
    kinds = None
    out: list[Row] = []
    group = None
    for line, printed, cells, fcells in rows:
        hk = header_kinds(fcells, rules)
        if is_header(hk):
            kinds = assign_text_columns(hk)
            continue
        if kinds is None:
            continue
        row = Row(None, Cell(line, "", ""))
        first_unit_col = None
        row_kinds = kinds
        filled = sum(1 for f in fcells if f.strip())
        if kinds[0] == "group" and group is not None and _numbered_item(fcells[0], rules) and filled < len(kinds):
            # a row under a group cell that spans it (一、… on the first row only): a flattened
            # table drops the empty cell, so the row starts at the text column
            row_kinds = kinds[1:]
        row_kinds = _realigned(row_kinds, cells, fcells, filled, line, rules) or row_kinds
        for i, kind in enumerate(row_kinds[:len(cells)]):
            cell = Cell(line, cells[i].strip(), fcells[i].strip())
            if not cell.orig:
                continue
            if kind == "number":
                m = BARE_NUMBER.match(cell.folded)
                row.number = m.group(1) if m else cell.orig
            elif kind == "text":
                row.text = cell
            elif kind == "group":
                group = _group_label(cell, rules)
            elif kind in UNIT_KINDS:
                first_unit_col = i if first_unit_col is None else first_unit_col
                row.units.append((cell, kind))
            elif kind == "deadline":
                row.deadline = cell
            elif kind == "person":
                row.leaders.append(cell.orig)
        row.group = group
        if not row.text.orig:
            if out and (row.units or row.deadline) and "text" not in row_kinds[:len(cells)]:
                # 2021.8 | 城投集团: a row of only a time and a unit, under a text that spans it
                out[-1].units.extend(row.units)
                out[-1].more_deadlines.extend([row.deadline] if row.deadline else [])
            continue
        spans_group = "group" in kinds and "group" not in row_kinds[:len(cells)]
        numeral = match_numeral(row.text.folded, rules) if row.number is None else None
        if numeral is not None and numeral.style == "arabic":
            # the text cell numbers its item itself: 1.积极推进本中心预算…
            row.number = numeral.text
            row.text = Cell(row.text.line, row.text.orig[numeral.end:], row.text.folded[numeral.end:])
        elif first_unit_col:
            # cells are the line cut at one-character separators: the row as printed up to
            # the first unit cell ends where that cell's separator stands
            cut = sum(len(c) for c in cells[:first_unit_col]) + first_unit_col - 1
            # and begins after its number cell (序号), which is the task's number, not its text
            lead = next((i for i in range(first_unit_col) if row_kinds[i] != "number"), first_unit_col)
            begin = sum(len(c) for c in cells[:lead]) + lead
            # \u3000 indentation too; cells parted by tabs (a copy out of a spreadsheet) read as
            # the same row parted by bars, as a Word table's cells are joined
            row.text_override = TAB_SEPARATOR.sub(" | ", printed[begin:cut].strip())
            row.group = None   # the group cell is part of the text now; the heading above is the section
            numeral = match_numeral(fold(row.text_override, rules.fold), rules) if row.number is None else None
            if numeral is not None and numeral.style == "arabic":
                # 1.城市人居环境提升项目 | 对人民中路…: the group cell numbers the row
                row.number = numeral.text
                row.text_override = row.text_override[numeral.end:].strip()
        if row.number is None and spans_group and out and out[-1].number:
            row.number = out[-1].number     # a row under a numbered group cell that spans it
        out.append(row)
    return out


def _realigned(kinds: list, cells: list[str], fcells: list[str], filled: int, line: int,
               rules: Rules) -> Optional[list]:
    """Column kinds for a row with fewer cells than its header (a merged cell is dropped by the
    copy: 2 | 扎实做好… | 疾控处 | 长期推进 under 序号 | 工作任务 | 细化分工 | 责任处室 | 完成时限),
    when the header's unit column holds no units: the units are the first cell after the text
    that reads as units, and the columns after the unit column follow it in order.  None when
    the row needs no realigning.  `filled`: how many of its cells hold something."""
    unit_cols = [i for i, k in enumerate(kinds) if k in UNIT_KINDS]
    if "text" not in kinds or not unit_cols or filled >= len(kinds):
        return None
    first = unit_cols[0]

    def cell(i: int) -> Cell:
        return Cell(line, cells[i].strip(), fcells[i].strip())

    if first < len(fcells) and _unit_cell(cell(first), rules):
        return None
    found = next((i for i in range(len(fcells)) if fcells[i].strip() and _unit_cell(cell(i), rules)), None)
    if found is None or found == first:
        return None
    # before the units: a number, deadlines by what they read as, and the texts; fewer texts
    # than the header has text columns are the last of them (the group cell spans the row)
    head: list = [None] * found
    texts = []
    for i in range(found):
        if not fcells[i].strip():
            continue
        if i == 0 and kinds[0] == "number" and BARE_NUMBER.match(fcells[i]):
            head[i] = "number"
        elif "deadline" in kinds and _deadline_like(cell(i), rules):
            head[i] = "deadline"
        else:
            texts.append(i)
    columns = [k for k in kinds[:first] if k in ("group", "text")]
    for i, k in zip(reversed(texts), reversed(columns)):
        head[i] = k
    return head + kinds[first:]


# --- tables flattened to one cell per line ----------------------------------------------------

def find_flat_header(cells: list[Cell], rules: Rules) -> Optional[tuple[int, int, list[str]]]:
    """(start, end, kinds) of a header run of cells, one column name a cell, or None."""
    i = 0
    while i < len(cells):
        j = i
        while j < len(cells) and (column_kind(cells[j].folded, rules) or
                                  (j + 1 < len(cells) and column_kind(cells[j].folded + cells[j + 1].folded, rules))):
            j += 1
        if j - i >= 3:
            kinds = header_kinds([c.folded for c in cells[i:j]], rules)
            if is_header(kinds):
                return i, j, assign_text_columns(kinds)
        i = max(j, i + 1)
    return None


def find_spaced_header(cells: list[Cell], rules: Rules) -> Optional[tuple[int, list[str]]]:
    """(index, kinds) of a header written on one line, its column names separated by spaces
    (序号 类别 主要任务 细化措施 牵头单位 参与单位 责任单位), or None."""
    for i, c in enumerate(cells):
        tokens = _spaced_out(c.folded.split())
        if len(tokens) >= 3:
            kinds = header_kinds(tokens, rules)
            if len(kinds) == len(tokens) and all(kinds) and is_header(kinds):
                return i, assign_text_columns(kinds)
    return None


def _spaced_out(tokens: list[str]) -> list[str]:
    """A header's column name spaced out letter by letter (工 作 任 务) as one token.

    >>> _spaced_out(["序号", "工", "作", "任", "务", "牵头部门"])
    ['序号', '工作任务', '牵头部门']
    """
    out: list[str] = []
    run = False
    for t in tokens:
        single = len(t) == 1
        if single and run:
            out[-1] += t
        else:
            out.append(t)
        run = single
    return out


def rows_from_spaced(cells: list[Cell], kinds: list[str], rules: Rules) -> list[Row]:
    """Rows of a table whose cells a copy separated by spaces, which also stand inside wrapped
    cells (加强水资源保 护): a row starts with its number (1, 2, 3 …); its last cells are read from
    the right as the header's columns after the text (units, a deadline); what is left is the
    text.  A row whose last cell is not what its column holds was cut off, and is left out."""
    tail = kinds[max(i for i, k in enumerate(kinds) if k == "text") + 1:]
    out: list[Row] = []
    expected = 1
    for c in cells:
        m = SPACED_ROW.match(c.folded)
        if not m or int(m.group(1)) != expected:
            continue
        expected += 1
        tokens = [(t.start(), t.end()) for t in regex.finditer(r"\S+", c.folded, pos=m.end())]
        row = Row(m.group(1), Cell(c.line, "", ""), rule="spaced-columns")
        k = len(tokens)
        for kind in reversed(tail):
            if k == 0:
                break
            s, e = tokens[k - 1]
            cell = Cell(c.line, c.orig[s:e], c.folded[s:e])
            if kind in UNIT_KINDS and _unit_cell(cell, rules):
                row.units.insert(0, (cell, kind))
            elif kind == "deadline" and _deadline_like(cell, rules):
                row.deadline = cell
            elif k == len(tokens):
                break          # the last cell is not its column's: the row is cut off
            else:
                continue       # an empty cell: the column is absent from this row
            k -= 1
        if row.units and k:
            end = tokens[k - 1][1]
            row.text = Cell(c.line, c.orig[m.end():end], c.folded[m.end():end])
            out.append(row)
    return out


def rows_from_labelled(cells: list[Cell], rules: Rules) -> Optional[tuple[int, list[Row]]]:
    """(index of the first label, rows) of tasks given as labelled cells, one a line — a label
    (具体任务, 责任单位, 配合单位, 完成时限 …) and under it its value — or None.  A text label
    starts each task; a task needs a unit."""
    rows: list[Row] = []
    first = None
    i = 0
    while i + 1 < len(cells):
        kind = _exact_kind(cells[i].folded, rules)
        value = cells[i + 1]
        if kind not in ("text", "person", "deadline", *UNIT_KINDS) or _exact_kind(value.folded, rules):
            i += 1
            continue
        if kind == "text":
            rows.append(Row(None, value))
            first = i if first is None else first
        elif rows and kind in UNIT_KINDS:
            rows[-1].units.append((value, kind))
        elif rows and kind == "deadline":
            rows[-1].deadline = value
        elif rows and kind == "person":
            rows[-1].leaders.append(value.orig)
        i += 2
    rows = [r for r in rows if r.units]
    return (first, rows) if rows else None


def rows_from_flat(cells: list[Cell], kinds: list[str], rules: Rules) -> list[Row]:
    """Rows of a flattened table: a row starts at a bare number cell (1, 2, 3 …); its cells are
    then read in header order, a column of units taking as many unit-like cells as follow."""
    starts = []
    expected = 1
    for i, c in enumerate(cells):
        m = BARE_NUMBER.match(c.folded)
        if m and int(m.group(1)) == expected:
            starts.append(i)
            expected += 1
    if not starts:
        return []
    cols = [k for k in kinds if k not in ("number", "group")]
    has_group = "group" in kinds
    # 序号 | 路段名称 | 问题描述 | 责任单位: the group column after the number is a cell of each
    # row that has it (a merged cell only of the first row of its span)
    in_row = has_group and "number" in kinds and kinds.index("number") < kinds.index("group") < kinds.index("text")
    unit_cols = [j for j, k in enumerate(cols) if k in UNIT_KINDS]
    out: list[Row] = []
    group = " ".join(c.orig for c in cells[:starts[0]]).strip() or None if has_group and not in_row else None
    for n, s in enumerate(starts):
        e = starts[n + 1] if n + 1 < len(starts) else len(cells)
        number = BARE_NUMBER.match(cells[s].folded).group(1)
        body = cells[s + 1:e]
        if in_row and unit_cols and len(body) >= unit_cols[-1] + 2:
            group, body = _group_label(body[0], rules), body[1:]
        rows, next_group = _read_row(number, body, cols, has_group, rules, last=n == len(starts) - 1)
        for r in rows:
            r.group = group
        out.extend(rows)
        if next_group:
            group = next_group
    return out


def rows_by_columns(header: list[Cell], cells: list[Cell], kinds: list[str], rules: Rules) -> list[Row]:
    """Rows of a table flattened one cell a line with no number column to start its rows
    (重点任务 / 工作内容 / 负责科室 / 政策解读 / 对… / 综合科 / …), its empty cells dropped.  A
    cell goes to the first column after the last one's that can hold it — units to a unit
    column, a cell that names a time to a deadline column, any other cell to a text column
    or a column of another kind — and a cell that no later column can hold starts the next
    row.  The rows so cut are read as the rows of an `a | b | c` table, the header first."""
    def fits(cell: Cell, kind: Optional[str]) -> bool:
        if kind in UNIT_KINDS:
            return _unit_cell(cell, rules)
        if kind == "deadline":   # a time, or a cell that names times (1、…7月1日投入试运营 2、…)
            return bool(find_deadlines(cell.folded, rules, 2000, cell=True)) and not _unit_cell(cell, rules)
        if kind == "number":
            return bool(BARE_NUMBER.match(cell.folded))
        if kind in ("text", "group"):
            return not _unit_cell(cell, rules)
        return not _unit_cell(cell, rules) and not _deadline_like(cell, rules)

    rows: list[list[Cell]] = []
    at = len(kinds)
    for cell in cells:
        col = next((j for j in range(at + 1, len(kinds)) if fits(cell, kinds[j])), None)
        if col is None:
            rows.append([])
            col = next((j for j in range(len(kinds)) if fits(cell, kinds[j])), 0)
        rows[-1].append(cell)
        at = col
    table = [header, *rows]
    # each row as a line of tab-parted cells, which is how rows_from_cells cuts a row's text
    return rows_from_cells([(r[0].line, "\t".join(c.orig for c in r), [c.orig for c in r], [c.folded for c in r])
                            for r in table], rules)


def _read_row(number: str, body: list[Cell], cols: list[str], has_group: bool, rules: Rules, *,
              last: bool = False):
    rows: list[Row] = []
    next_group = None
    if not body or "text" not in cols:
        return rows, None
    i = 0
    while i < len(body):
        row = Row(number, body[i])
        if rows:  # a sub-row shares the number and, by row-span, the units
            row.units = list(rows[0].units)
            row.rule = "row-span"
        rows.append(row)
        i += 1
        j = cols.index("text") + 1
        while i < len(body) and j < len(cols):
            cell, kind = body[i], cols[j]
            if kind in UNIT_KINDS:
                if _deadline_like(cell, rules) and "deadline" in cols[j:]:
                    j = cols.index("deadline", j)
                    continue
                if _unit_cell(cell, rules):
                    row.units.append((cell, kind))
                    i += 1
                    continue
                j += 1
            elif kind == "deadline":
                if _deadline_like(cell, rules) or len(cell.folded) <= 12:
                    row.deadline = cell if _deadline_like(cell, rules) else None
                    i += 1
                j += 1
            elif kind == "person":
                if _unit_cell(cell, rules):
                    j += 1
                    continue
                row.leaders.append(cell.orig)
                i += 1
                j += 1
            elif any(k in UNIT_KINDS or k == "deadline" for k in cols[j + 1:]):
                # a progress or remarks cell with the units' columns after it (进展情况 | 责任单位);
                # a cell of units there is the units' own, its column left empty and dropped
                if not (_unit_cell(cell, rules) and any(k in UNIT_KINDS for k in cols[j + 1:])):
                    i += 1
                j += 1
            else:  # progress, remarks: the rest of the row
                # the document's last row holding fewer of them than the header has columns,
                # its last cell stopping mid-sentence, was cut off by the end of the document
                row.cut = last and len(body) - i < len(cols) - j and mid_sentence(body[-1].folded)
                i = len(body)
        # what is left: a sub-row (text then its own deadline) or the next row's group label
        rest = body[i:]
        if not rest:
            break
        if has_group and len(rest) == 1:
            next_group = rest[0].orig
            break
        if len(rest) >= 2 and _deadline_like(rest[1], rules):
            continue
        break
    return rows, next_group


def mid_sentence(folded: str) -> bool:
    """Text that stops mid-sentence: long (a short cell such as 已完成 or 80% is whole) and not
    ending with a closing mark."""
    text = folded.strip()
    return len(text) >= CUT_MIN and not text.endswith(tuple(CLOSING))


def _numbered_item(folded: str, rules: Rules) -> bool:
    numeral = match_numeral(folded.strip(), rules)
    return numeral is not None and numeral.style == "arabic"


def _group_label(cell: Cell, rules: Rules) -> str:
    """A group cell as a section: without its numeral and final stop (一、做好财政信息公开。)."""
    numeral = match_numeral(cell.folded, rules)
    text = cell.orig[numeral.end:] if numeral else cell.orig
    return text.strip().rstrip("。.;；")


def _deadline_like(cell: Cell, rules: Rules) -> bool:
    return len(cell.folded) <= 20 and bool(find_deadlines(cell.folded, rules, 2000, cell=True))


def _without_role(name: str, rules: Rules) -> str:
    """A name without the role word or verb after it: 办公室牵头 -> 办公室."""
    verb = next((v for v in (*(v for v, _ in rules.verbs), *rules.role_words)
                 if name.endswith(v) and len(name) > len(v)), None)
    return name[:-len(verb)] if verb else name


def _unit_cell(cell: Cell, rules: Rules) -> bool:
    folded = cell.folded.rstrip(" 。.")
    spans = split_names(folded, 0, len(folded), rules)
    # 规划信息处(爱卫办): a name with its other name in brackets after it; 办公室牵头，各科室配合,
    # 应急处、疾控处等按职责分工负责: units with their roles, a clause in a cell
    names = [ALIAS.sub("", clean_name(n, n, rules)) for s, e in spans if (n := _without_role(folded[s:e], rules))]
    # a figure makes a count, not a name: 新建城市口袋公园2处 ends like a unit (处) but is a task
    return bool(names) and len(cell.folded) <= 60 and all(
        _looks_like_unit(n, rules) and len(n) <= rules.max_name_length and not DIGIT.search(n) for n in names)
