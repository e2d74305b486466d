"""Tables whose cells run together with no separator at all (a Word table copied as one string):

    序号项目名称主要内容区政府分管领导牵头单位配合单位1增加教育资源供给……4580个。何海平教育局经开区…

The header is a run of column names from the vocabulary; rows start at their numbers (1, 2, 3 …
in turn); a row's text runs to a full stop, and what follows the stop, up to the next text,
is its cells: a person's name (the person column, found with jieba's part-of-speech tags) and
unit names (cut where a unit noun ends a name).  Every unit found so is of low certainty.
"""
from __future__ import annotations

from typing import Optional

import regex

from ..rules import Rules
from .clauses import _looks_like_unit
from .tables import UNIT_KINDS, Cell, Row, column_kind

MIN_COLUMNS = 4          # a run of at least this many column names is a header
LONGEST_NAME = 12        # a unit name in a run is at most this long, brackets left out
STOPS = "。;；"
HAN_NAME = regex.compile(r"[\p{Han}()]+")


def find_run_header(folded: str, rules: Rules) -> Optional[tuple[int, int, list[str]]]:
    """(start, end, kinds) of a header whose column names run together, or None.

    >>> from parser.rules import load_rules
    >>> s = "分解表序号项目名称主要内容区政府分管领导牵头单位配合单位1增加"
    >>> start, end, kinds = find_run_header(s, load_rules())
    >>> s[start:end], kinds
    ('序号项目名称主要内容区政府分管领导牵头单位配合单位', ['number', 'group', 'text', 'person', 'lead', 'support'])
    """
    for m in regex.finditer(_alternation(rules.columns["number"]), folded):
        pos, kinds = m.start(), []
        while pos < len(folded):
            name = _column_at(folded, pos, rules)
            if name is None:
                break
            kinds.append(column_kind(name, rules))
            pos += len(name)
        if len(kinds) >= MIN_COLUMNS and "text" in kinds and any(k in UNIT_KINDS for k in kinds):
            return m.start(), pos, kinds
    return None


def _column_at(folded: str, pos: int, rules: Rules) -> Optional[str]:
    """The longest column name that starts at pos."""
    for end in range(min(len(folded), pos + 12), pos + 1, -1):
        name = folded[pos:end]
        if column_kind(name, rules) and (name in _words(rules) or rules.label_end_re.fullmatch(name)):
            return name
    return None


def _words(rules: Rules) -> set[str]:
    return {w for words in rules.columns.values() for w in words}


def _alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def rows_from_run(cells: list[Cell], header: str, kinds: list[str], rules: Rules) -> list[Row]:
    """The rows after a run-together header.  `cells` are the lines from the header's line on,
    already folded; `header` is the header as printed in them (a repeated header is skipped)."""
    orig, folded, lines = _joined(cells)
    body = folded.find(header)
    if body < 0:
        return []
    unit_kinds = [k for k in kinds if k in UNIT_KINDS]
    has_person = "person" in kinds
    starts = _row_starts(folded, body + len(header), rules)
    out: list[Row] = []
    for n, (number, start) in enumerate(starts):
        end = starts[n + 1][1] - len(str(starts[n + 1][0])) if n + 1 < len(starts) else len(folded)
        parts, tail = _sub_rows(folded, start, end, header, rules, has_person)
        for k, (text, run) in enumerate(parts):
            names = _unit_names(folded[run[0]:run[1]], rules, has_person)
            if not names:
                continue
            if k == len(parts) - 1 and tail:
                # text after the last cells is the row's too (its cells cover the lines below them)
                text = (text[0], text[1]), tail
            spans = text if isinstance(text[0], tuple) else (text,)
            row = Row(str(number), Cell(lines[spans[0][0]], "".join(orig[a:b] for a, b in spans).strip(),
                                        "".join(folded[a:b] for a, b in spans).strip()), rule="run-together")
            # the first name is the lead column's, the others the next unit column's (配合单位)
            for k, (s, e) in enumerate(names):
                kind = unit_kinds[0] if k == 0 or len(unit_kinds) == 1 else unit_kinds[1]
                a, b = run[0] + s, run[0] + e
                row.units.append((Cell(lines[a], orig[a:b], folded[a:b]), kind))
            if has_person and names[0][0] > 0:
                row.leaders.append(orig[run[0]:run[0] + names[0][0]])
            out.append(row)
    return out


def _joined(cells: list[Cell]) -> tuple[str, str, list[int]]:
    """The lines as one text, the line of each character, and page labels dropped: a copied
    Word table starts each page's line with 1、 2、 3、 … even inside a cell (高新园(邹区镇 / 2、)各街道)."""
    orig, folded, lines = [], [], []
    page = 1
    for c in cells:
        o, f = c.orig, c.folded
        m = regex.match(rf"\s*{page}、", f)
        if m:
            o, f, page = o[m.end():], f[m.end():], page + 1
        orig.append(o)
        folded.append(f)
        lines.extend([c.line] * len(f))
    return "".join(orig), "".join(folded), lines


def _row_starts(folded: str, pos: int, rules: Rules) -> list[tuple[int, int]]:
    """(number, offset after it) of each row: 1, 2, 3 … in turn, a number standing alone after
    the end of a cell (a full stop, a bracket, a unit's name) and before text."""
    out, expected = [], 1
    for m in regex.finditer(r"(?<!\d)(\d{1,3})(?!\d)(?=\p{Han})", folded, pos=pos):
        if int(m.group(1)) != expected:
            continue
        before = folded[pos:m.start()].rstrip()
        if expected > 1 and not (before.endswith(tuple(STOPS + ")")) or _looks_like_unit(before[-8:], rules)
                                 or before.endswith(rules.unit_suffixes)):
            continue
        out.append((expected, m.end()))
        expected += 1
    return out


def _sub_rows(folded: str, start: int, end: int, header: str, rules: Rules, has_person: bool):
    """[(text span, cells span)] of the parts of a row — text up to a full stop, then the cells
    that follow it up to where text resumes (a row may hold several: 3 完成…。何海平文体旅局…
    推进…。芮春祥…) — and the span of text after the last cells, if any."""
    stop = folded.find(header, start, end)
    end = stop if stop >= 0 else end
    text_start, parts = start, []
    for m in regex.finditer(rf"[{STOPS}]", folded[start:end]):
        cut = start + m.end()
        run_end = _run_end(folded, cut, end, rules, has_person)
        if run_end > cut:
            parts.append(((text_start, cut), (cut, run_end)))
            text_start = run_end
    tail = (text_start, end) if parts and regex.search(r"\p{Han}", folded[text_start:end]) else None
    return parts, tail


def _run_end(folded: str, start: int, end: int, rules: Rules, has_person: bool) -> int:
    """Where the cells after a full stop end: a person's name (when the table has a person
    column, every row names one) and unit names; `start` when there are none."""
    run = folded[start:end]
    if has_person and not _person_end(run):
        return start
    names = _unit_names(run, rules, has_person, whole=False)
    return start + names[-1][1] if names else start


def _unit_names(run: str, rules: Rules, has_person: bool, whole: bool = True) -> list[tuple[int, int]]:
    """Spans of the unit names a run of cells holds, after a person's name when the table has a
    person column: 何海平教育局经开区高新园(邹区镇)各街道 -> 教育局, 经开区, 高新园(邹区镇), 各街道.
    With `whole`, the run must be names to its end."""
    pos = _person_end(run) if has_person else 0
    spans = []
    while pos < len(run):
        end = _name_end(run, pos, rules)
        if end is None:
            break
        spans.append((pos, end))
        pos = end
    if whole and pos < len(run.rstrip(STOPS + " ")):
        return []
    return spans


def _name_end(run: str, pos: int, rules: Rules) -> Optional[int]:
    """The end of the shortest unit name at pos (at least two characters, a bracket after it
    kept: 高新园(邹区镇)), unless a longer unit noun runs across that end (委|员会)."""
    for end in range(pos + 2, min(len(run), pos + LONGEST_NAME) + 1):
        name = run[pos:end]
        if not HAN_NAME.fullmatch(name):
            return None          # a digit or a stop: text, not a name
        if not name.endswith(rules.unit_suffixes) or "(" in name and ")" not in name:
            continue
        if any(run.startswith(s, p) and p + len(s) > end for s in rules.unit_suffixes
               for p in range(max(pos, end - len(s) + 1), end)):
            continue
        rest = run[end:]
        if rest.startswith(rules.unit_suffixes) and not rest.startswith(rules.name_starts + rules.group_starts):
            continue             # 人社|局: what follows cannot begin a name
        if len(name) > 4 and _starts_with_verb(name):
            return None          # 推进大庙弄核心区改造: text, not a name
        if run.startswith("(", end):
            close = run.find(")", end)
            end = close + 1 if close > 0 else end
        return end
    return None


def _starts_with_verb(name: str) -> bool:
    """A unit's name does not begin with a verb of two characters or more (推进, 完成)."""
    import jieba.posseg

    first = next(iter(jieba.posseg.cut(name)), None)
    return first is not None and first.flag.startswith("v") and len(first.word) >= 2


def _person_end(run: str) -> int:
    """Where a person's name at the start of a run ends (jieba tags it nr), or 0."""
    import jieba.posseg

    first = next(iter(jieba.posseg.cut(run[:8])), None)
    return len(first.word) if first is not None and first.flag == "nr" and run.startswith(first.word) else 0
