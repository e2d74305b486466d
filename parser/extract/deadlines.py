"""Deadlines: 年内, 6月底前, 三季度末, 2022年6月30日前 -> an ISO date in the document year."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Optional

from ..normalize import chinese_number
from ..rules import Rules

QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    date: Optional[date]


def find_deadlines(folded: str, rules: Rules, year: Optional[int], *, cell: bool = False) -> list[Found]:
    """Every deadline phrase in folded text, left to right, without overlaps.

    `cell` also tries the phrases only valid in a deadline column (9月投入使用).

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> [(f.date.isoformat()) for f in find_deadlines("力争年内新建15个绿色网点", r, 2022)]
    ['2022-12-31']
    >>> [f.date.isoformat() for f in find_deadlines("6月底前完成，三季度末验收", r, 2022)]
    ['2022-06-30', '2022-09-30']
    >>> [f.date for f in find_deadlines("年底前", r, None)]
    [None]
    """
    hits: list[Found] = []
    ignored: list[tuple[int, int]] = []   # 实施期限至2025年底: no part of it is a deadline
    for phrase in rules.deadlines:
        if phrase.scope == "cell" and not cell:
            continue
        for m in phrase.pattern.finditer(folded):
            if any(folded[:m.start()].endswith(w) for w in rules.deadline_ignored_before):
                ignored.append((m.start(), m.end()))
                continue
            hits.append(Found(m.start(), m.end(), _date(m, phrase.meaning, year, rules)))
    hits.sort(key=lambda f: (f.start, -(f.end - f.start)))
    out: list[Found] = []
    for h in hits:
        if out and h.start < out[-1].end or any(a < h.end and h.start < b for a, b in ignored):
            continue
        out.append(h)
    return out


def pick_deadline(found: list[Found]) -> Optional[Found]:
    """The completion deadline among several: the latest date, else the last phrase."""
    dated = [f for f in found if f.date]
    if dated:
        return max(dated, key=lambda f: (f.date, f.start))
    return found[-1] if found else None


def _date(m, meaning: str, year: Optional[int], rules: Rules) -> Optional[date]:
    g = m.groupdict()
    y = int(g["year"]) if g.get("year") else year
    if y is None:
        return None
    try:
        if meaning == "year-end":
            return date(y, 12, 31)
        month = _month(g.get("month"), rules)
        if meaning == "month-end" and month:
            return date(y, month, calendar.monthrange(y, month)[1])
        if meaning == "day" and month:
            return date(y, month, int(g["day"]))
        if meaning == "quarter-end":
            q = QUARTERS[g["quarter"]]
            return date(y, q * 3, calendar.monthrange(y, q * 3)[1])
        if meaning == "half-end":
            return date(y, 6, 30) if g["half"] == "上" else date(y, 12, 31)
    except ValueError:  # 2月30日: not a date
        return None
    return None


def _month(text: Optional[str], rules: Rules) -> Optional[int]:
    if not text:
        return None
    value = int(text) if text.isdigit() else chinese_number(text, rules.cn_digits, rules.cn_multipliers)
    return value if value and 1 <= value <= 12 else None
