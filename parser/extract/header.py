"""The circular's header: title, issuer (发文机关), 主送 recipients, 成文日期, publication note, year."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

import regex

from ..normalize import split_folded
from ..rules import Rules
from .clauses import _looks_like_unit
from .tables import column_kind

TITLE_SEARCH_LINES = 8     # a title starts within the first non-empty lines
TITLE_MAX_LINES = 4
TITLE_LINE_MAX = 60
TITLE_MIN = 8              # shorter is a heading or a table's header cell (进展情况), not a title


@dataclass
class Header:
    title: Optional[str] = None
    issuer: Optional[str] = None
    recipients: tuple[str, ...] = ()
    date: Optional[date] = None
    year: Optional[int] = None
    publication: Optional[str] = None
    number: Optional[str] = None        # the circular's own 文号
    consumed: set[int] = field(default_factory=set)   # indexes of lines that belong to the header


def read_header(orig: list[str], folded: list[str], rules: Rules) -> Header:
    """Header facts from the lines (original and folded, same indexes)."""
    h = Header()
    doc = rules.doc
    meta_keys = tuple(doc["issuer_keys"]) + tuple(doc["date_keys"]) + ("索引号",)
    nonblank = [i for i, f in enumerate(folded) if f.strip()]
    # metadata lines of a published page: 发布机构 区政府办公室 发文日期 2024-05-27
    for i in nonblank[:TITLE_SEARCH_LINES]:
        f = folded[i]
        if not any(k in f for k in meta_keys):
            continue
        h.consumed.add(i)
        for key in doc["issuer_keys"]:
            m = regex.search(rf"{regex.escape(key)}\s*[:]?\s*(\S+)", f)
            if m and not h.issuer and _looks_like_unit(m.group(1), rules):
                h.issuer = orig[i][m.start(1):m.end(1)]
        for key in doc["date_keys"]:
            m = regex.search(rf"{regex.escape(key)}\s*[:]?\s*", f)
            d = m and rules.iso_date.match(f, m.end())
            if d and not h.date:
                h.date = _date(d)
    # the circular's own 文号: alone on a line, or after its label, among the first lines
    for i in nonblank[:TITLE_SEARCH_LINES]:
        m = rules.doc_number.search(folded[i])
        if m:
            group = "alone" if m.group("alone") else "labelled"
            h.number = orig[i][m.start(group):m.end(group)].strip()
            if group == "alone":
                h.consumed.add(i)
            break
    # title: consecutive short lines ending with 通知 / 方案 …
    # (a table's header cells, one a line, are not a title: 序号 / 内容与要求 / 进展情况)
    candidates = [i for i in nonblank[:TITLE_SEARCH_LINES]
                  if i not in h.consumed and column_kind(folded[i], rules) is None]
    for n, i in enumerate(candidates):
        block = []
        for j in candidates[n:n + TITLE_MAX_LINES]:
            if j != (block[-1] + 1 if block else j) or len(folded[j].strip()) > TITLE_LINE_MAX or "。" in folded[j]:
                break
            block.append(j)
            text = "".join(folded[k].strip() for k in block)
            if text.endswith(tuple(doc["title_endings"])) and len(text) >= TITLE_MIN:
                h.title = "".join(orig[k].strip() for k in block)
                h.consumed.update(block)
                break
        if h.title:
            break
    if h.title:
        before = h.title.find(doc["issuer_before"])
        if before > 1 and _looks_like_unit(h.title[:before], rules):
            h.issuer = h.title[:before]
    # 主送, signature and date
    for i in nonblank:
        f = folded[i].strip()
        if not h.recipients and rules.recipients_line.match(f) and i < (nonblank[0] + 12) and ("、" in f or "," in f):
            names = split_folded(orig[i], folded[i].rstrip().rstrip(":"), "、,;")
            h.recipients = tuple(n.strip() for n, _ in names if n.strip())
            h.consumed.add(i)
        d = rules.date_line.match(f)
        if d and h.date is None:
            h.date = _date(d)
            h.consumed.add(i)
            prev = [k for k in nonblank if k < i][-1:] 
            if prev and len(folded[prev[0]].strip()) <= 30 and _looks_like_unit(folded[prev[0]].strip(), rules):
                h.consumed.add(prev[0])
                h.issuer = h.issuer or orig[prev[0]].strip()
        if h.publication is None and rules.publication_note.match(f):
            h.publication = orig[i].strip()
            h.consumed.add(i)
    h.year = _year(h, folded, rules)
    return h


def _date(m) -> Optional[date]:
    try:
        return date(int(m.group("year")), int(m.group("month")), int(m.group("day")))
    except ValueError:
        return None


def _year(h: Header, folded: list[str], rules: Rules) -> Optional[int]:
    """The document year: from the title, else the date, else the document number (〔2016〕3号),
    else the first year the text names."""
    if h.title:
        m = rules.year_re.search(h.title)
        if m:
            return int(m.group("year"))
    if h.date:
        return h.date.year
    for f in folded:
        m = rules.doc_number_year.search(f)
        if m:
            return int(m.group("year"))
    for f in folded:
        m = rules.year_re.search(f)
        if m:
            return int(m.group("year"))
    return None
