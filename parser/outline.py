"""From numbered lines to a plan: parts, sections, items, tasks and the document's warnings.

Reads the lines in order and keeps, for every text it joins, the line each character came
from, so a task's `line` is the line of its first character.
"""
from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from dataclasses import dataclass, field
from typing import Optional

import regex

from .consistency import inconsistencies
from .extract.clauses import Clause, by_sentences, clean_name, clause_line, find_clause, parse_clause, split_names
from .extract.deadlines import find_deadlines, pick_deadline
from .extract.header import read_header
from .extract.numbering import Numeral, match_numeral
from .extract.runtogether import find_run_header, rows_from_run
from .extract.tables import (CLOSING, Cell, Row, mid_sentence, find_flat_header, find_spaced_header, header_kinds, is_header,
                             rows_by_columns, rows_from_cells, rows_from_flat, rows_from_labelled, rows_from_spaced)
from .extract.targets import find_targets
from .model import EVIDENCE_TEXT, Deadline, Evidence, ListItem, Notice, Part, Plan, SourceInfo, Target, Task, Unit
from .normalize import SPACES, Piece, chinese_number, fold, letters_only, split_folded
from .rules import Rules
from .sources import Line

TERMINAL = "。；;!?！？"
WORDS = regex.compile(r"[\p{L}\p{N}]")
HEADING_MAX = 40          # a numbered line this short with no full stop closes itself (一、深化党建引领)
INLINE_MIN = 120          # only lines this long are searched for items run together on one line
INLINE_ITEM = regex.compile(r"""
    (?:(?<=^)|(?<=[\s。;；!?]))                # at the start, or after a space or a full stop
    (?:(?P<arabic>\d{1,3})[.、](?!\d)          # 1.  12、
      |(?P<cn>[一二三四五六七八九十]{1,3})、)   # 一、 (a heading: the items below restart at 1)
    """, regex.VERBOSE)

# a line under an item that starts with a label (整改措施：) or with 由: it may say who does the item
SPACE_RUN = regex.compile(r"[ \u3000]{2,}")   # cells of a table laid out in columns
MEASURE_LINE = regex.compile(r"^\s*(?:\p{Han}{2,8}\s*:|由)")


Seg = Piece    # a line, or an item run on inline within one


@dataclass
class Node:
    """A numbered item or an unnumbered paragraph, possibly over several lines."""
    segs: list[Seg]
    numeral: Optional[Numeral] = None
    clause: Optional[Clause] = None
    attached: bool = False             # the clause came on a line of its own
    closed: bool = False
    row: Optional[Row] = None          # set when the node is a table row

    @property
    def orig(self) -> str:
        return "".join(s.orig for s in self.segs)

    @property
    def folded(self) -> str:
        return "".join(s.folded for s in self.segs)

    def line_at(self, offset: int) -> int:
        for s in self.segs:
            if offset < len(s.orig):
                return s.line
            offset -= len(s.orig)
        return self.segs[-1].line


def build_plan(lines: list[Line], info: SourceInfo, rules: Rules) -> Plan:
    """The whole plan from a document's lines."""
    # pinyin reading aids (發(fā)) are not the document's words
    orig = [rules.reading_aid.sub("", l.text).rstrip() if "(" in l.text or "（" in l.text else l.text.rstrip()
            for l in lines]
    folded = [fold(t, rules.fold) for t in orig]
    header = read_header(orig, folded, rules)
    whole = "\n".join(folded)
    # 列第一位的为牵头单位，下同: from the line that says so on (None: the document does not)
    said = [m.start() for p in rules.first_listed_leads if (m := p.search(whole))]
    first_leads = lines[whole.count("\n", 0, min(said))].number if said and lines else None

    segs: list[tuple[Seg, Optional[tuple]]] = []   # (line or part of one, its table cells)
    in_columns = False      # among the rows of a table laid out in columns (cells parted by spaces)
    carried = None          # the numerals items run together on the line before go on with
    for i, line in enumerate(lines):
        if i in header.consumed or any(p.search(folded[i]) for p in rules.chrome):
            segs.append((Seg(line.number, "", ""), None))
            in_columns, carried = False, None
            continue
        seg = Seg(line.number, orig[i], folded[i])
        in_columns = line.cells is None and _column_cuts(seg, rules, in_columns) is not None
        pieces, carried = ([seg], None) if in_columns else _split_inline(seg, rules, carried)
        segs.extend((piece, line.cells) for piece in pieces)
    nodes = _nodes(segs, rules)
    return _assemble(nodes, header, info, rules, first_leads)


# --- lines to nodes --------------------------------------------------------------------------

def _split_inline(seg: Seg, rules: Rules, carried: Optional[tuple] = None) -> tuple[list[Seg], Optional[tuple]]:
    """Items run together on one long line (a page copied as one paragraph): ` 1.… 2.… 3.…`;
    and the numerals (item, heading) the next line's would go on with, when this line's items
    were run together.  `carried`: those of the line before (a paragraph a layout broke into
    lines goes on with its numbering: 1.… on one line, its 责任单位：… and 2.… on the next)."""
    if len(seg.folded) < INLINE_MIN or seg.folded.count("|") >= 2 or "\t" in seg.folded.strip():
        return [seg], None   # short, or a table row (cells by bars or tabs): 1、… 2、… in a cell are the cell's own list
    cuts = []
    expected, expected_heading = carried or (None, 1)
    for m in INLINE_ITEM.finditer(seg.folded):
        if m.group("cn"):
            if chinese_number(m.group("cn"), rules.cn_digits, rules.cn_multipliers) == expected_heading:
                cuts.append(m.start())
                expected_heading += 1
                expected = None
            continue
        v = int(m.group("arabic"))
        if expected is None and v == 1 or v == expected:
            cuts.append(m.start())
            expected = v + 1
    if len(cuts) < (1 if carried else 2):
        return [seg], None
    bounds = ([0] if cuts[0] > 0 else []) + cuts + [len(seg.folded)]
    pieces = [Seg(seg.line, seg.orig[a:b], seg.folded[a:b]) for a, b in zip(bounds, bounds[1:]) if b > a]
    return pieces, (expected, expected_heading)


def _nodes(segs, rules: Rules) -> list[Node]:
    nodes: list[Node] = []
    table_rows: list = []
    current: Optional[Node] = None

    def flush_table():
        nonlocal table_rows
        if table_rows:
            rows = rows_from_cells([r[:4] for r in table_rows], rules)
            if rows:
                nodes.extend(_row_node(r) for r in rows)
            else:  # not a task table after all: keep its lines as text
                nodes.extend(Node([Seg(r[0], r[4], fold(r[4], rules.fold))], closed=True) for r in table_rows)
        table_rows = []

    flat = _flat_table(segs, rules)
    stop = flat[0] if flat else len(segs)
    for seg, cells in segs[:stop]:
        row_cells = _cells(seg, cells, rules, in_table=bool(table_rows))
        if row_cells is not None:
            if current:
                current.closed = True
                current = None
            table_rows.append((seg.line, row_cells[2], row_cells[0], row_cells[1], seg.orig))
            continue
        f = seg.folded.strip()
        if table_rows and (not f or f == "|"):
            continue       # a blank or a lone | between a table's rows does not end the table
        flush_table()
        if not f or f == "|":
            if current and _complete(current):
                current.closed = True
            continue
        # ■1. / ??1. / ·1.: marks before the numeral are no part of the item
        bare = seg.folded.lstrip().lstrip(rules.leading_junk).lstrip()
        numeral = match_numeral(bare, rules)
        if numeral:
            lead = len(seg.folded) - len(bare)
            seg = Seg(seg.line, seg.orig[lead:], seg.folded[lead:])
            current = Node([seg], numeral)
            nodes.append(current)
            continue
        last = nodes[-1] if nodes else None
        if _attach_clause_line(last, seg, rules):
            current = None
            continue
        if current is not None and not current.closed and not _complete(current):
            current.segs.append(seg)
            continue
        if _details(last, seg, rules):
            # 1.地区生产总值增长12%。 / 全市生产总值达到3260亿元……（市发改委）: the line under an
            # item restates and details it, and ends with the item's clause
            last.segs.append(seg)
            current = last
            continue
        current = Node([seg])
        nodes.append(current)
    flush_table()
    if flat:
        nodes.extend(flat[1])
    return nodes


def _attach_clause_line(last: Optional[Node], seg: Seg, rules: Rules) -> bool:
    """牵头单位：… / 配合单位：… / 完成时限：… may each stand on a line of their own under the
    item: such a line joins the item's clause.  Returns whether it did."""
    if last is None or last.row is not None or (last.clause is not None and not last.attached):
        return False
    c = clause_line(seg.orig, seg.folded, rules)
    if c is None and MEASURE_LINE.match(seg.folded):
        # 整改措施：由县住建局负责修复。 — a line of its own under the item, saying who does it
        c = by_sentences(seg.orig, seg.folded, rules)
    # 牵头负责领导：刘惠 — a labelled person joins the item as a deadline does, the units after it
    if c is None or not (c.units or (c.deadline or c.leaders) and (
            last.clause or last.numeral is not None and rules.key_re.match(seg.folded.strip()))):
        return False
    # a short numbered line takes a clause line only when it is labelled (责任单位:…): a bare
    # verb phrase under a heading is the heading's first sentence
    if _is_heading_like(last) and rules.key_re.match(seg.folded.strip()) is None:
        return False
    last.clause = c if last.clause is None else Clause(
        0, last.clause.units + c.units, c.deadline or last.clause.deadline, leaders=last.clause.leaders + c.leaders)
    last.attached = True
    last.closed = True
    return True


def _details(last: Optional[Node], seg: Seg, rules: Rules) -> bool:
    """Whether an unnumbered line belongs to the numbered item above it: the item has no clause
    and is not a heading, and the line ends with a clause."""
    if last is None or last.numeral is None or last.row is not None or last.clause is not None \
            or _is_heading_like(last) or not _trailing_clause_candidate(seg.folded):
        return False
    if find_clause(seg.orig, seg.folded, rules) is None:
        return False
    # the item above must lack a clause of its own (its clause is only read later, in _item)
    body = slice(last.numeral.end, None)
    return find_clause(last.orig[body], last.folded[body], rules) is None


def _cells(seg: Seg, cells, rules: Rules, in_table: bool = False):
    """Cells of a table row: real cells, or an `a | b | c` line of a text file.  `in_table`: the
    line comes after rows of a table, where two cells parted by one tab are a row too (a copy
    out of a spreadsheet drops a row's empty cells at its end, and their tabs with them)."""
    if cells is not None:
        # a Word or web table's row reads as the same row of a text file parted by bars: its text
        # is the row up to its first unit cell (cut at one-character separators, then shown with bars)
        return list(cells), [fold(c, rules.fold) for c in cells], "\t".join(cells)
    tabs = seg.folded.strip().count("\t")
    bar = "|" if seg.folded.count("|") >= 2 else "\t" if tabs >= 2 or in_table and tabs else None
    if bar:
        # ｜ folds to |: cut the original there too; a copy out of a spreadsheet parts cells by tabs
        pieces = split_folded(seg.orig, seg.folded, bar)
        while pieces and not pieces[-1][1].strip():
            pieces.pop()
        if sum(1 for _, f in pieces if f.strip()) >= 2:
            return [o for o, _ in pieces], [f for _, f in pieces], seg.orig
        return None
    bounds = _column_cuts(seg, rules, in_table)
    if bounds is None:
        return None
    pieces = [(seg.orig[a:b], seg.folded[a:b]) for a, b in zip(bounds[::2], bounds[1::2])]
    # printed as a tab-separated row: the text of a row is cut at one-character separators
    return [o for o, _ in pieces], [f for _, f in pieces], "\t".join(o for o, _ in pieces)


def _column_cuts(seg: Seg, rules: Rules, in_table: bool) -> Optional[list[int]]:
    """Where the cells of a line begin and end (start, end, start, end …) when a page that laid
    its table out in columns, copied as text, parted them by runs of spaces: a header so parted
    starts such a table, and a line with a run after it is one of its rows.  None otherwise."""
    body = seg.folded.strip()
    if "  " not in body and "\u3000" not in body:
        return None
    lead = len(seg.folded) - len(seg.folded.lstrip())
    cuts = [(m.start() + lead, m.end() + lead) for m in SPACE_RUN.finditer(body)]
    if not cuts or not in_table and (len(cuts) < 2 or not is_header(header_kinds(SPACE_RUN.split(body), rules))):
        return None
    return [lead, *(x for cut in cuts for x in cut), lead + len(body)]


def _flat_table(segs, rules: Rules):
    """A table flattened to one cell a line: (index of its first segment, row nodes) or None."""
    cells, where = [], []
    for k, (seg, cells_) in enumerate(segs):
        # a cell a line may keep its separator: 责任单位 | (a pipe table flattened by a copy);
        # the original is cut where the folded cell was, so both strip the same characters
        head = seg.folded.lstrip().lstrip("|").lstrip()
        f = head.rstrip().rstrip("|").rstrip()
        if f and cells_ is None:
            lead = len(seg.folded) - len(head)
            cells.append(Cell(seg.line, seg.orig[lead:lead + len(f)], f))
            where.append(k)
    found = find_flat_header(cells, rules)
    if found:
        start, end, kinds = found
        rows = rows_from_flat(cells[end:], kinds, rules) or rows_by_columns(cells[start:end], cells[end:], kinds, rules)
    elif spaced := find_spaced_header(cells, rules):
        start, kinds = spaced
        rows = rows_from_spaced(cells[start + 1:], kinds, rules)
    elif (labelled := rows_from_labelled(cells, rules)) and not any(
            match_numeral(c.folded, rules) for c in cells[labelled[0]:]):
        start, rows = labelled       # a page of labelled cells, no numbered items after them
    else:
        run = next(((k, found) for k, c in enumerate(cells) if (found := find_run_header(c.folded, rules))), None)
        if run is None:
            return None
        start, (a, b, kinds) = run
        rows = rows_from_run(cells[start:], cells[start].folded[a:b], kinds, rules)
    if not rows:
        return None
    return where[start], [_row_node(r) for r in rows]


def _row_node(row: Row) -> Node:
    return Node([row.text], row=row, closed=True)


def _complete(node: Node) -> bool:
    f = node.folded.rstrip()
    if node.clause is not None or not f:
        return True
    if f[-1] in TERMINAL or f.endswith((":", ")")):
        return True
    return len(f) <= HEADING_MAX


def _is_heading_like(node: Node) -> bool:
    return node.numeral is not None and node.numeral.style in ("cn", "cn-paren") and len(node.folded) <= HEADING_MAX


# --- nodes to the plan -----------------------------------------------------------------------

@dataclass
class _Reading:
    """Where the reading of the nodes stands, and what it has found so far."""
    part: Optional[str] = None
    parts: list[Part] = field(default_factory=list)
    stack: list[tuple[str, str, Optional[str]]] = field(default_factory=list)   # (style, heading, numeral)
    after_attachment: bool = False
    tasks: list[Task] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    plan_targets: list[Target] = field(default_factory=list)
    # (node, is_heading, (part index, headings above)) for the numbering checks
    numbered: list[tuple[Node, bool, tuple]] = field(default_factory=list)
    last_task_node: Optional[int] = None    # the node the last task came from

    def new_part(self, title: str, line: int) -> None:
        self.part = title
        self.parts.append(Part(title, line))
        self.stack = []

    def place(self) -> tuple:
        return len(self.parts), tuple(self.stack)


def _assemble(nodes: list[Node], header, info: SourceInfo, rules: Rules, first_leads: Optional[int]) -> Plan:
    r = _Reading()
    year = header.year
    for n, node in enumerate(nodes):
        if node.row is not None:
            task = _row_task(node.row, r.part, r.stack, rules, year)
            if task:
                r.tasks.append(task)
                r.last_task_node = n
            continue
        if node.numeral is None and node.clause is None and not node.attached:
            node.clause = find_clause(node.orig, node.folded, rules) if _trailing_clause_candidate(node.folded) else None
        if node.numeral is None and node.clause is None:
            _plain_line(nodes, n, r, rules)
            continue
        _item(nodes, n, r, rules, year)

    warnings = _numbering_warnings(r.numbered) + _unitless_warnings(r.numbered)
    if r.last_task_node == len(nodes) - 1 and _cut_off(nodes[-1]) or r.tasks and _measure_cut_off(nodes, r.last_task_node):
        # an excerpt of a page that ends inside its last item: the units are there, but not
        # all of the item; it is left out, and said so
        cut = r.tasks.pop()
        name = f"item {cut.number}" if cut.number else "the last item"
        warnings.append(Notice("item-cut-off", cut.line,
                               f"{name} is cut off by the end of the document after its units; left out"))
    tasks = r.tasks
    if first_leads is not None:
        # the rule holds for the task whose text or clause states it, and every task after it
        # (下同): the first task of its line, else the last to begin before it
        same = [k for k, t in enumerate(tasks) if t.line == first_leads]
        before = [k for k, t in enumerate(tasks) if t.line < first_leads]
        since = same[0] if same else before[-1] if before else 0
        tasks = tasks[:since] + [_first_listed_leads(t) for t in tasks[since:]]
    if not tasks and nodes:
        warnings.append(_no_assignments(nodes, r.numbered))
    warnings += inconsistencies(tasks, rules.same_work_similarity)
    warnings.sort(key=lambda w: w.line)
    return Plan(info, header.title, header.issuer, header.recipients, header.date, year, header.publication,
                tuple(r.parts), tuple(r.plan_targets), tuple(r.items), tuple(_with_ids(tasks)), tuple(warnings),
                header.number)


def _cut_off(last: Node) -> bool:
    """Whether the document ends inside the task of its last node, after the task's units: in a
    table row's later cells, or in text run on after its labelled fields (配合单位：… 鄞州 海曙 合计)."""
    if last.row is not None:
        return last.row.cut
    c = last.clause
    if c is None or c.tail is None:
        return False
    # what runs on is a table or a report cut short (鄞州 海曙 江东 … 合计), not a last field
    # such as 电话：12345678
    trailing = last.folded[c.tail:].strip()
    return mid_sentence(trailing) or len(trailing.split()) >= 3 and not trailing.endswith(tuple(CLOSING))


def _measure_cut_off(nodes: list[Node], last_task: Optional[int]) -> bool:
    """(1)…(牵头单位：扶贫办) / 整改措施：一是…严格对标政策，规范搬迁对象 — the document ends inside
    the labelled paragraph that follows its last item and belongs to it: the item is cut off."""
    if last_task is None or last_task != len(nodes) - 2:
        return False
    last = nodes[-1]
    return last.numeral is None and last.clause is None and last.row is None \
        and bool(MEASURE_LINE.match(last.folded)) and mid_sentence(last.folded)


def _plain_line(nodes: list[Node], n: int, r: _Reading, rules: Rules) -> None:
    """An unnumbered line with no clause: 附件, a part's title, the plan's own targets, or prose."""
    node, doc = nodes[n], rules.doc
    orig, text = node.orig, node.folded.strip()
    if rules.attachment.match(text):
        r.after_attachment = True
        rest = rules.attachment.sub("", text)
        if rest and _part_title(rest, doc, True):
            r.new_part(orig.strip()[len(text) - len(rest):], node.segs[0].line)
        return
    if _part_title(text, doc, r.after_attachment):
        prev = nodes[n - 1] if n else None
        title, line = orig.strip(), node.segs[0].line
        # a title broken over two lines: 苏州市邮政管理局2022年工作 / 目标任务分解方案
        if prev is not None and prev.numeral is None and prev.clause is None and prev.row is None \
                and len(prev.folded.strip()) <= 30 and not prev.folded.strip().endswith(tuple(TERMINAL + ":")) \
                and prev.segs[-1].line == node.segs[0].line - 1:
            title, line = prev.orig.strip() + title, prev.segs[0].line
        r.new_part(title, line)
        r.after_attachment = False
        return
    if any(text.startswith(k) for k in doc["plan_target_keys"]):
        r.plan_targets.extend(find_targets(orig, node.folded, rules, node.segs[0].line))


def _item(nodes: list[Node], n: int, r: _Reading, rules: Rules, year: Optional[int]) -> None:
    """A numbered item (a heading, a list item, or a task) or an unnumbered paragraph with a clause."""
    node = nodes[n]
    orig, folded, numeral = node.orig, node.folded, node.numeral
    start = numeral.end if numeral else len(orig) - len(orig.lstrip())
    label = rules.text_label.match(folded, start) if numeral is None else None
    if label:
        start = label.end()     # 具体任务：建成10个口袋公园 — the label is not the task's text
    if node.clause is None and numeral is not None:
        c = find_clause(orig[start:], folded[start:], rules)
        if c:
            node.clause = dataclasses.replace(c, start=c.start + start, end=None if c.end is None else c.end + start,
                                              tail=None if c.tail is None else c.tail + start)
    if node.clause is None:
        if _heading(nodes, n):
            _push(r.stack, numeral.style, _heading_text(orig[start:]), numeral.text)
            r.numbered.append((node, True, r.place()))
        else:
            r.items.append(ListItem(numeral.text, r.part, _section(r.stack), orig[start:].strip(), node.segs[0].line))
            r.numbered.append((node, False, r.place()))
        return
    if numeral is not None:
        r.numbered.append((node, False, r.place()))
    c = node.clause
    text_end = c.start if not node.attached else len(orig)
    # a clause inside the text (专项整治，由公安部门负责。要……) is cut out of it
    rest = slice(c.end, None) if c.end is not None and not node.attached else slice(0, 0)
    text = (orig[start:text_end] + orig[rest]).strip()
    if not WORDS.search(text):
        return         # a clause with nothing to do: （办公室牵头） alone, or after a stray |
    ftext = (folded[start:text_end] + folded[rest]).strip()
    lead = len(orig[start:text_end]) - len(orig[start:text_end].lstrip())
    clause_text = None if node.attached else orig[c.start:c.end].strip()
    task = _task(numeral.text if numeral else None, r.part, _section(r.stack), text, ftext, c,
                 clause_text, node.line_at(start + lead), rules, year)
    if numeral is None and label is None:
        # a paragraph told a task by its clause alone, no numeral or label opening it
        task = dataclasses.replace(task, evidence=task.evidence + (Evidence("unnumbered", text[:EVIDENCE_TEXT], task.line),))
    r.tasks.append(dataclasses.replace(task, section_number=_section_number(r.stack)))
    r.last_task_node = n


def _trailing_clause_candidate(folded: str) -> bool:
    f = folded.rstrip(" 。;；,，")
    return f.endswith(")")


def _part_title(text: str, doc, after_attachment: bool) -> bool:
    t = SPACES.sub("", text)
    if not t or len(t) > doc["part_max_length"] or any(ch in t for ch in TERMINAL + ",:，"):
        return False
    return t.endswith(tuple(doc["part_endings"])) or (after_attachment and len(t) >= 6)


def _heading(nodes: list[Node], n: int) -> bool:
    """A numbered line without a clause heads a section when the next numbered line is of
    another style (一、 over 1.), or when it is a short 一、/（一） line."""
    node = nodes[n]
    nxt = next((nodes[k] for k in range(n + 1, len(nodes))
                if nodes[k].numeral is not None or nodes[k].row is not None or nodes[k].clause is not None), None)
    prev = next((nodes[k] for k in range(n - 1, -1, -1) if nodes[k].numeral is not None), None)
    in_list = prev is not None and prev.numeral.style == node.numeral.style and prev.clause is None
    if nxt is not None and (nxt.numeral is None or nxt.numeral.style != node.numeral.style) and not in_list:
        return True
    return _is_heading_like(node)


def _heading_text(text: str) -> str:
    return text.strip().rstrip("。：:；;").strip()


def _push(stack: list, style: str, text: str, number: Optional[str]) -> None:
    for i, (s, _, _) in enumerate(stack):
        if s == style:
            del stack[i:]
            break
    stack.append((style, text, number))


def _section(stack) -> Optional[str]:
    return stack[-1][1] if stack else None


def _section_number(stack) -> Optional[str]:
    return stack[-1][2] if stack else None


def _task(number, part, section, text, ftext, clause: Clause, clause_text, line, rules: Rules, year) -> Task:
    deadline = None
    if clause.deadline:   # a stated 完成时限 is the deadline, whatever dates the text mentions
        deadline = _deadline(clause.deadline, rules, year, line, cell=True)
    deadline = deadline or _deadline(text, rules, year, line)
    targets = find_targets(text, ftext, rules, line)
    evidence = (Evidence(clause.rule, clause_text or text, line),) if clause.rule else ()
    return Task("", number, part, section, text, clause.units, deadline, tuple(targets), line, clause_text,
                leaders=clause.leaders, evidence=evidence)


def _deadline(text: str, rules: Rules, year, line: int, *, cell: bool = False) -> Optional[Deadline]:
    """The completion deadline a text states (the latest of several), or None."""
    pick = pick_deadline(find_deadlines(fold(text, rules.fold), rules, year, cell=cell))
    return Deadline(text[pick.start:pick.end], pick.date, line) if pick else None


def _row_task(row: Row, part, stack, rules: Rules, year) -> Optional[Task]:
    units: list[Unit] = []
    for cell, role in row.units:
        said = parse_clause(cell.orig, cell.folded, rules)
        if said is not None and said.units:
            units.extend(said.units)   # the cell gives the roles itself: 办公室牵头，各科室配合
            continue
        for s, e in split_names(cell.folded, 0, len(cell.folded), rules):
            name = clean_name(cell.orig[s:e], cell.folded[s:e], rules)
            if name:
                units.append(Unit(name, role))
    if not units:
        return None
    text = row.text_override or row.text.orig
    ftext = fold(text, rules.fold)
    deadline = None
    # a row's own time, and those of rows of only a time and a unit under it: the latest
    stated = [d for d in (_deadline(c.orig, rules, year, c.line, cell=True)
                          for c in ([row.deadline] if row.deadline else []) + row.more_deadlines) if d]
    if stated:
        # as pick_deadline does for the phrases of a text: the latest date, else the last stated
        deadline = max(enumerate(stated), key=lambda k_d: (k_d[1].date is not None, k_d[1].date or date.min, k_d[0]))[1]
    deadline = deadline or _deadline(text, rules, year, row.text.line)
    section = row.group or _section(stack)
    targets = find_targets(text, ftext, rules, row.text.line)
    cells = " / ".join(c.orig for c, _ in row.units)
    evidence = (Evidence(row.rule, cells, row.units[0][0].line),) if row.rule else ()
    return Task("", row.number, part, section, text, tuple(units), deadline, tuple(targets), row.text.line,
                cells, section_number=None if row.group else _section_number(stack),
                leaders=tuple(row.leaders), evidence=evidence)


def _first_listed_leads(task: Task) -> Task:
    """The document says the unit listed first leads (列第一位的为牵头单位, 下同): so it does, in a
    clause that names no lead."""
    units = task.departments
    if not units or any(u.role == "lead" for u in units):
        return task
    return dataclasses.replace(task, departments=(dataclasses.replace(units[0], role="lead"),) + units[1:])


def _with_ids(tasks: list[Task]) -> list[Task]:
    """Stable ids from the task's own text: renumbering or adding other tasks keeps them."""
    seen: dict[str, int] = {}
    out = []
    for t in tasks:
        key = letters_only(t.text)
        base = "t" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
        seen[base] = seen.get(base, 0) + 1
        out.append(dataclasses.replace(t, id=base if seen[base] == 1 else f"{base}-{seen[base]}"))
    return out


# --- warnings about the document itself ---------------------------------------------------------

def _numbering_warnings(numbered) -> list[Notice]:
    """Repeated or skipped numerals: within a part, per numeral style and parent heading."""
    raw: list[tuple[str, Node, Node]] = []   # (kind, node, previous)
    last: dict = {}
    parents: dict = {}
    heading_of: dict = {}
    for node, is_heading, (part, _) in numbered:
        style, value = node.numeral.style, node.numeral.value
        if value is None:
            continue
        key = (part, style)
        parent = tuple(sorted((s, id(h)) for s, h in heading_of.items() if s != style and (part, s) in last))
        if is_heading:
            heading_of[style] = node
        prev = last.get(key)
        if prev is not None:
            pv = prev.numeral.value
            same_parent = parents.get(key) == parent
            if value == pv:
                raw.append(("repeated", node, prev))
            elif value > pv + 1 and (same_parent or value != 1):
                raw.append(("skipped", node, prev))
            elif value < pv and same_parent and value != 1:
                raw.append(("repeated", node, prev))
        last[key] = node
        parents[key] = parent
    heading_nodes = {id(n) for n, h, _ in numbered if h}
    out: list[Notice] = []
    skip_next = set()
    for k, (kind, node, prev) in enumerate(raw):
        if id(node) in skip_next:
            continue
        what = "section" if id(node) in heading_nodes else "item"
        nxt = raw[k + 1] if k + 1 < len(raw) else None
        if kind == "skipped" and nxt and nxt[0] == "repeated" and nxt[2] is node \
                and node.numeral.value == prev.numeral.value + 2:
            # 四、 六、 六、: the first 六 stands where 五 belongs — one misprint, one warning
            skip_next.add(id(nxt[1]))
            out.append(Notice(f"{what}-number-repeated", nxt[1].segs[0].line,
                               f"{what} numeral {nxt[1].numeral.text} repeats line {node.segs[0].line}; "
                               f"the one at line {node.segs[0].line} probably stands for the missing number "
                               f"{prev.numeral.value + 1}"))
            continue
        if kind == "repeated":
            out.append(Notice(f"{what}-number-repeated", node.segs[0].line,
                               f"{what} numeral {node.numeral.text} repeats the numeral of line {prev.segs[0].line}"))
        else:
            out.append(Notice(f"{what}-number-skipped", node.segs[0].line,
                               f"{what} numeral {node.numeral.text} follows {prev.numeral.text} (line "
                               f"{prev.segs[0].line}); a number is missing"))
    return out


LABEL_LIKE = regex.compile(r"^\s*\S{2,8}\s*:\s*\S|\|.*\||\t")   # 主办科室：… / a | b | c / cells in tabs


def _no_assignments(nodes: list[Node], numbered) -> Notice:
    """Numbered items but not one unit in charge: say so, and where a label or table that was
    not understood may stand, rather than give an empty plan without a word."""
    suspects = [n.segs[0].line for n in nodes if n.segs and LABEL_LIKE.search(n.folded)][:3]
    where = f"; lines that look like a label or a table not understood: {', '.join(map(str, suspects))}" \
        if suspects else ""
    if not numbered:
        return Notice("no-assignments", nodes[0].segs[0].line,
                      f"no numbered item and no task table found, so no task{where}")
    return Notice("no-assignments", numbered[0][0].segs[0].line,
                  f"{len(numbered)} numbered items but no unit assigned to any{where}")


def _unitless_warnings(numbered) -> list[Notice]:
    """An item with no unit clause in a run of items where the others have one."""
    out = []
    runs: dict = {}
    for node, is_heading, place in numbered:
        if is_heading:
            continue
        runs.setdefault((place, node.numeral.style), []).append(node)
    for run in runs.values():
        with_clause = [n for n in run if n.clause is not None]
        if len(run) >= 3 and len(with_clause) >= 0.6 * len(run):
            for n in run:
                if n.clause is None:
                    out.append(Notice("item-without-unit", n.segs[0].line,
                                       f"item {n.numeral.text} names no unit, unlike the other items of its list"))
    return out
