"""Lines broken by a hard wrap joined again, before the outline is built, with their source lines.

A PDF's text layer, an e-mail or a page copied at a fixed width cuts every paragraph into lines
of one width.  Read as they are, a cut item loses its clause to the next line, a cut row its
cells, and a cut heading looks like a short line that closes itself.  This module finds the
document's wrap width (`find_width`), joins each line at that width to the next unless the
sequence or the punctuation says the next line begins a line of its own (`join_wrapped`), and
after the plan is built puts back, on every task, item and part, the source line of its first
character (`unwrapped`).  Its rules are in data/wraps.toml; the numerals and labels that begin a
line of their own are those of numbering.toml and roles.toml.

The outline numbers a joined line with the number of its first source line: a task that begins
on a later line of the join gets its own line back afterwards, found by its text in the join.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import regex

from .extract.clauses import clause_line
from .extract.numbering import match_numeral
from .model import EVIDENCE_TEXT, Evidence, Plan
from .normalize import fold
from .rules import DATA_DIR, Rules, compile_pattern, load_table
from .sources import Line


@dataclass(frozen=True)
class WrapRules:
    min_width: int
    min_lines: int
    min_share: float
    max_longer_share: float
    column_tolerance: int
    line_ends: tuple[str, ...]
    brackets: tuple[str, ...]       # pairs, opening then closing: ()
    indent: regex.Pattern           # a paragraph's first line begins so
    row_number: regex.Pattern       # a table row's bare number, group `n`
    indented_share: float           # without a width: this share of lines indented makes a page of indents


@functools.lru_cache(maxsize=2)
def load_wrap_rules(folder: Path = DATA_DIR) -> WrapRules:
    """data/wraps.toml, checked.  Raises RuleFileError naming the key that is missing, unknown
    or of the wrong kind."""
    t = load_table(folder, "wraps.toml")
    width, join, widthless = t.table("width"), t.table("join"), t.table("without_width")
    rules = WrapRules(width.get("min_width", int), width.get("min_lines", int),
                      width.get("min_share", float), width.get("max_longer_share", float),
                      width.get("column_tolerance", int), join.words("line_ends"), join.words("brackets"),
                      compile_pattern(join.get("indent", str), "wraps.toml", "join.indent"),
                      compile_pattern(join.get("row_number", str), "wraps.toml", "join.row_number"),
                      widthless.get("indented_share", float))
    if any(len(pair) != 2 for pair in rules.brackets):
        raise join.error("brackets", "must be pairs of two characters, opening then closing")
    for table, key in ((width, "min_share"), (width, "max_longer_share"), (widthless, "indented_share")):
        if not 0 < getattr(rules, key) <= 1:
            raise table.error(key, "must be a share between 0 and 1")
    t.check()
    return rules


@dataclass(frozen=True)
class Width:
    """A document's wrap width: `size` characters, or columns when `columns`, within `tolerance`."""
    size: int
    columns: bool
    tolerance: int

    def measure(self, text: str) -> int:
        return display_columns(text) if self.columns else len(text)

    def reached(self, line: Line) -> bool:
        return self.size - self.tolerance <= self.measure(line.text) <= self.size

    def exact(self, line: Line) -> bool:
        return self.measure(line.text) == self.size

    def indented(self, line: Line) -> bool:
        return False      # a text's indent is data/wraps.toml's `indent`

    def ends(self, line: Line, rules: Rules, wraps: WrapRules) -> bool:
        """Whether the line ends as a sentence or clause does (data/wraps.toml's `line_ends`)."""
        return fold(line.text.rstrip(), rules.fold).endswith(wraps.line_ends)


class Margin:
    """The width of a PDF, whose lines say themselves whether they end their sentence at the
    right margin (`Line.full`; the reader joined those that end elsewhere at the margin)."""

    def reached(self, line: Line) -> bool:
        return bool(line.full)

    exact = reached

    def indented(self, line: Line) -> bool:
        """A PDF's line that begins with a space begins indented: the text layer gives the
        indent of a paragraph's first line as one."""
        return line.text[:1].isspace()

    def ends(self, line: Line, rules: Rules, wraps: WrapRules) -> bool:
        return True       # the reader joined the lines that end elsewhere at the margin


def display_columns(text: str) -> int:
    """Columns a text fills: a wide character (Chinese, full-width forms) counts two.

    >>> display_columns("1.加强监管")
    10
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def find_width(texts: Sequence[str], wraps: WrapRules) -> Optional[Width]:
    """The width the lines were wrapped at, or None when they were not.

    >>> w = load_wrap_rules()
    >>> find_width(["一二三四五六七八九十一二三四五"] * 4 + ["短行", "十一个字的一行文字啊"], w)
    Width(size=15, columns=False, tolerance=0)
    >>> find_width(["长短不一的一行文字", "另一行长一些的文字内容在这里", "第三行"], w) is None
    True
    """
    best = None
    all_sizes = {columns: [display_columns(t) if columns else len(t) for t in texts] for columns in (False, True)}
    for columns, tolerance in ((False, 0), (True, wraps.column_tolerance)):
        sizes = all_sizes[columns]
        floor = wraps.min_width * (2 if columns else 1)
        sizes = [n for n in sizes if n >= floor]
        if not sizes:
            continue
        counts = collections.Counter(sizes)
        # the width with the most lines at it (within the tolerance); the widest of equals
        at, size = max((sum(counts[k] for k in range(w - tolerance, w + 1)), w) for w in counts)
        longer = sum(c for k, c in counts.items() if k > size)
        near = sum(c for k, c in counts.items() if size / 2 <= k <= size)
        share = at / near
        # a wrap cuts lines wherever the width falls, mostly inside a sentence; lines of one
        # length that end their sentence or clause (做好第1项工作。（办公室牵头）, one a paragraph
        # of a .docx) are a list of like items, not a wrapped text
        ends = tuple(wraps.line_ends) + tuple(b[1] for b in wraps.brackets)
        closed = sum(1 for t, n in zip(texts, all_sizes[columns]) if size - tolerance <= n <= size
                     and unicodedata.normalize("NFKC", t.rstrip()[-1:]).endswith(ends))
        if closed > 0.5 * at:
            continue
        if at >= wraps.min_lines and share >= wraps.min_share and longer <= wraps.max_longer_share * at:
            if best is None or share > best[0]:
                best = (share, Width(size, columns, tolerance))
    return best[1] if best else None


@dataclass(frozen=True)
class Joined:
    """A logical line made of several source lines: its text, and the source line of each of
    its characters."""
    text: str
    lines: tuple[int, ...]

    def line_at(self, offset: int) -> int:
        return self.lines[min(max(offset, 0), len(self.lines) - 1)]


def join_wrapped(lines: Sequence[Line], rules: Rules,
                 wraps: Optional[WrapRules] = None) -> tuple[list[Line], dict[int, Joined]]:
    """The lines with those a hard wrap broke joined again, and the joins by the number they
    carry (their first source line).  Lines with real cells (a .docx row) are never joined.

    >>> from parser.rules import load_rules
    >>> src = ["1.深入推进政策解读，创新解读形式，注重以图", "表解读等形式进行解读。（综合科负责）",
    ...        "2.注重回应关切，对群众普遍关注的社会热点问", "题及时回应。", "牵头单位：办公室",
    ...        "3.加强重点领域信息公开工作。注重政务服务办", "理流程、办理结果等信息发布。（各科室负责）"]
    >>> out, joins = join_wrapped([Line(i, t) for i, t in enumerate(src, 1)], load_rules())
    >>> [(l.number, l.text) for l in out]      # doctest: +NORMALIZE_WHITESPACE
    [(1, '1.深入推进政策解读，创新解读形式，注重以图表解读等形式进行解读。（综合科负责）'),
     (3, '2.注重回应关切，对群众普遍关注的社会热点问题及时回应。'), (5, '牵头单位：办公室'),
     (6, '3.加强重点领域信息公开工作。注重政务服务办理流程、办理结果等信息发布。（各科室负责）')]
    >>> joins[6].line_at(joins[6].text.index("理流程"))
    7
    """
    wraps = wraps or load_wrap_rules()
    # rows of cells parted by tabs (a copy out of a spreadsheet) have the lengths of their cells,
    # not of a width: a few such rows alone would seem wrapped at the longest
    if any(l.full is not None for l in lines):
        width: Width | Margin | None = Margin()
    else:
        width = find_width([l.text for l in lines if l.cells is None and "\t" not in l.text.strip()], wraps)
    if width is None:
        return _without_width(lines, rules, wraps)
    out, joins = _join(lines, width, rules, wraps, _Seen(bars=-1))
    # a row ending at the width with a bar is complete when it has the bars of the table's
    # rows: the first reading gives their number, the second uses it from the header on
    bars = collections.Counter(l.text.count("|") for l in out if l.text.count("|") >= 2)
    if bars:
        out, joins = _join(lines, width, rules, wraps, _Seen(bars=bars.most_common(1)[0][0]))
    return out, joins


def _join(lines: Sequence[Line], width: Width, rules: Rules, wraps: WrapRules,
          seen: "_Seen") -> tuple[list[Line], dict[int, Joined]]:
    out: list[Line] = []
    joins: dict[int, Joined] = {}
    pieces: list[Line] = []
    opened = [0] * len(wraps.brackets)    # brackets the pieces leave open, per pair
    for k, line in enumerate(lines):
        if line.cells is not None:
            out.append(line)
            continue
        if not pieces:
            seen.begin(line.text, rules, wraps)
            opened = [0] * len(wraps.brackets)
        pieces.append(line)
        opened = [o + b for o, b in zip(opened, _balance(line.text, rules, wraps))]
        if not _continues(pieces, lines, k + 1, width, rules, wraps, seen, opened):
            out.append(_joined(pieces, joins))
            seen.done(out[-1].text)
            pieces = []
    return out, joins


def _without_width(lines: Sequence[Line], rules: Rules, wraps: WrapRules) -> tuple[list[Line], dict[int, Joined]]:
    """Joins when too few lines were wrapped to tell a width (data/wraps.toml, [without_width]):
    a line that ends with an opening bracket goes on on the next (严重( / zhòng) |, a reading aid
    cut from its character), and on a page whose lines begin indented, a line goes on on a next
    line that does not (污染严 / 重 |), unless it ends a sentence or the next begins an item."""
    opening = tuple(pair[0] for pair in wraps.brackets)
    texts = [l.text for l in lines if l.cells is None and l.text.strip()]
    indented = sum(1 for t in texts if wraps.indent.match(t))
    by_indent = bool(texts) and indented >= wraps.indented_share * len(texts)

    def goes_on(line: Line, nxt: Optional[Line]) -> bool:
        if nxt is None or nxt.cells is not None or not nxt.text.strip():
            return False
        end = fold(line.text.rstrip(), rules.fold)
        if end.endswith(opening):
            return True
        bare = _bare(nxt.text, rules)
        return (by_indent and not wraps.indent.match(nxt.text) and not end.endswith(wraps.line_ends)
                and _numeral(bare, rules, wraps) is None and not rules.key_re.match(bare))

    out: list[Line] = []
    joins: dict[int, Joined] = {}
    pieces: list[Line] = []
    for k, line in enumerate(lines):
        if line.cells is not None:
            out.append(line)
            continue
        pieces.append(line)
        if not goes_on(line, lines[k + 1] if k + 1 < len(lines) else None):
            out.append(_joined(pieces, joins))
            pieces = []
    return out, joins


def _joined(pieces: list[Line], joins: dict[int, Joined]) -> Line:
    if len(pieces) == 1:
        return pieces[0]
    text = "".join(p.text for p in pieces)
    joins[pieces[0].number] = Joined(text, tuple(p.number for p in pieces for _ in p.text))
    return Line(pieces[0].number, text)


def _continues(pieces: list[Line], lines: Sequence[Line], k: int, width: Width, rules: Rules, wraps: WrapRules,
               seen: "_Seen", opened: list[int]) -> bool:
    """Whether the line being joined goes on on line `k` (the rules: data/wraps.toml)."""
    text, nxt = pieces[-1].text, lines[k] if k < len(lines) else None
    if nxt is None or nxt.cells is not None or not nxt.text.strip() or not width.reached(pieces[-1]):
        return False
    ends = width.ends(pieces[-1], rules, wraps)
    if ends and (not width.exact(pieces[-1]) or wraps.indent.match(nxt.text) or width.indented(nxt)):
        return False
    bare = _bare(nxt.text, rules)
    if rules.attachment.match(bare) and len(bare) > 2:
        return False
    if any(o > 0 for o in opened):
        return True
    if ends and not width.reached(nxt) and _clause_alone(nxt.text, rules):
        return False
    if text.rstrip().endswith("|") and (seen.complete_row("".join(p.text for p in pieces))
                                        or seen.row_begins(_run(lines, k, width))):
        return False
    if not seen.in_list:
        return True
    numeral = _numeral(bare, rules, wraps)
    if numeral is not None and (numeral[1] == 1 or numeral[1] == seen.last.get(numeral[0], 0) + 1):
        return False
    return not rules.key_re.match(bare)


def _clause_alone(text: str, rules: Rules) -> bool:
    """A whole line that names units in charge without brackets (市财政局牵头落实): a clause
    on a line of its own, under the item it ends."""
    stripped = text.strip()
    clause = clause_line(text, fold(text, rules.fold), rules) if stripped[:1] not in "(（[【" else None
    return clause is not None and bool(clause.units)


def _run(lines: Sequence[Line], k: int, width: Width) -> str:
    """Lines from `k` on as long as they are at the width, and the one after them."""
    run = []
    for line in lines[k:]:
        if line.cells is not None:
            break
        run.append(line.text)
        if not width.reached(line):
            break
    return "".join(run)


@dataclass
class _Seen:
    """What the lines joined so far say about the next: what began the line being joined and
    the one before (a numeral's style, "label" or None), the last line-opening numeral of each
    style, the bars of the last table row (a | b | c |)."""
    bars: int = 0
    head: Optional[str] = None
    previous: Optional[str] = None
    last: dict = dataclasses.field(default_factory=dict)

    @property
    def in_list(self) -> bool:
        """In a list of items on lines of their own (an item's numeral or a label began this
        line or the one before): not in a paragraph of items run together."""
        return self.head is not None or self.previous is not None

    def begin(self, text: str, rules: Rules, wraps: WrapRules) -> None:
        bare = _bare(text, rules)
        numeral = _numeral(bare, rules, wraps)
        if numeral is not None:
            self.last[numeral[0]] = numeral[1]
        self.head = numeral[0] if numeral else "label" if rules.key_re.match(bare) else None

    def complete_row(self, text: str) -> bool:
        """A row with as many bars as the row before it, ending with one, is complete (on the
        first reading, when the rows' bars are not known yet, any row ending with one is)."""
        return text.rstrip().endswith("|") and (self.bars < 0 or self.bars >= 2 and text.count("|") == self.bars)

    def row_begins(self, text: str) -> bool:
        """Lines that hold a whole row of their own begin one (a title with a bar before them)."""
        return self.bars >= 2 and text.count("|") >= self.bars and text.rstrip().endswith("|")

    def done(self, text: str) -> None:
        self.previous = self.head
        if text.count("|") >= 2:
            self.bars = text.count("|")


def _numeral(bare: str, rules: Rules, wraps: WrapRules) -> Optional[tuple[str, int]]:
    """The (style, value) of the numeral opening a line: an item's, or a table row's bare
    number (1 居民消费价格涨幅3%左右 发展改革委)."""
    numeral = match_numeral(bare, rules)
    if numeral is not None and numeral.value is not None:
        return numeral.style, numeral.value
    m = wraps.row_number.match(bare)
    return ("row", int(m.group("n"))) if m else None


def _balance(text: str, rules: Rules, wraps: WrapRules) -> tuple[int, ...]:
    """Brackets a line opens less those it closes, per pair, added up as the join grows (counted
    again on the whole join at every line, a paragraph of thousands of lines took their square)."""
    folded = fold(text, rules.fold)
    return tuple(folded.count(a) - folded.count(b) for a, b in wraps.brackets)


def _bare(text: str, rules: Rules) -> str:
    return fold(text, rules.fold).lstrip().lstrip(rules.leading_junk).lstrip()


# --- the plan's lines put back on the source lines -----------------------------------------------

def unwrapped(build: Callable[..., Plan]) -> Callable[..., Plan]:
    """`build(lines, info, rules)` on the lines with hard wraps joined, its plan's lines put back
    on the source lines."""
    def build_joined(lines, info, rules: Rules) -> Plan:
        joined, joins = join_wrapped(lines, rules)
        plan = build(joined, info, rules)
        return at_source_lines(plan, joins, rules) if joins else plan
    return build_joined


def at_source_lines(plan: Plan, joins: dict[int, Joined], rules: Rules) -> Plan:
    """Every task, list item, part and plan target of a join on the line its text begins on."""
    finder = _Finder(joins, rules)
    tasks = tuple(_task_at(t, finder) for t in plan.tasks)
    items = tuple(dataclasses.replace(i, line=finder.line(i.line, i.text)) for i in plan.items)
    parts = tuple(dataclasses.replace(p, line=finder.line(p.line, p.title)) for p in plan.parts)
    targets = tuple(dataclasses.replace(t, line=finder.line(t.line, t.text)) for t in plan.targets)
    return dataclasses.replace(plan, tasks=tasks, items=items, parts=parts, targets=targets)


def _task_at(task, finder: "_Finder"):
    start = finder.offset(task.line, task.text)
    if start is None:
        return task
    line = finder.joins[task.line].line_at(start)

    def own(obj, text):   # a target, deadline or evidence the outline put on the task's line
        if obj.line != task.line:
            return obj
        return dataclasses.replace(obj, line=finder.line(task.line, text, start, line))

    deadline = task.deadline and own(task.deadline, task.deadline.text)
    targets = tuple(own(t, t.text) for t in task.targets)
    evidence = tuple(own(e, e.text) for e in task.evidence)
    join = finder.joins[task.line]
    if join.line_at(start + len(task.text.strip()) - 1) != line:
        # the task's text was joined from lines a wrap broke: a weak signal, quoted as its first line holds it
        first = next((k for k in range(start, len(join.lines)) if join.lines[k] != line), len(join.lines))
        evidence += (Evidence("joined-lines", join.text[start:min(first, start + EVIDENCE_TEXT)], line),)
    return dataclasses.replace(task, line=line, deadline=deadline, targets=targets, evidence=evidence)


class _Finder:
    """Finds a text of the plan in the join its line names.  The outline dropped reading aids
    (發(fā)) from the text it cut the plan's texts from: they are dropped here too."""

    def __init__(self, joins: dict[int, Joined], rules: Rules):
        self.joins, self.rules = joins, rules
        self._texts: dict[int, tuple[str, list[int]]] = {}

    def _text(self, number: int) -> tuple[str, list[int]]:
        if number not in self._texts:
            j = self.joins[number]
            keep = [True] * len(j.text)
            for m in self.rules.reading_aid.finditer(j.text):
                keep[m.start():m.end()] = [False] * (m.end() - m.start())
            text = "".join(ch for ch, k in zip(j.text, keep) if k)
            self._texts[number] = (text, [n for n, k in enumerate(keep) if k])
        return self._texts[number]

    def offset(self, number: int, text: str, after: int = 0) -> Optional[int]:
        """Offset in the join (its own text) where `text` begins, searched from `after`."""
        if number not in self.joins or not text.strip():
            return None
        plain, where = self._text(number)
        k = plain.find(text.strip()[:8], next((k for k, n in enumerate(where) if n >= after), len(where)))
        return where[k] if k >= 0 else None

    def line(self, number: int, text: str, after: int = 0, default: Optional[int] = None) -> int:
        offset = self.offset(number, text, after)
        if offset is None:
            return number if default is None else default
        return self.joins[number].line_at(offset)
