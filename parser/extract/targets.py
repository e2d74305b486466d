"""Quantitative targets: 新建15个绿色网点, 快递业务量完成27.81亿件, 同比增长12.5%, 三个.

Never a target: numbers in quotations and titles (“9921工程”, “四个100%”), dates and years
(no measure word for them is listed), codes (1号线, 第十二小学), range ends, and qualifiers
(人员到位率低于80%的县级机构).
"""
from __future__ import annotations

import math
import unicodedata
from decimal import Decimal

from ..model import Target
from ..normalize import chinese_number
from ..rules import Rules

MAX_DIGITS = 15           # more digits than a float holds exactly: not a quantity anyone targets


def find_targets(orig: str, folded: str, rules: Rules, line: int) -> list[Target]:
    """Targets in an item's text (without its unit clause).

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> s = "年内采购使用符合标准的包装材料比例达到90%、使用可循环快递箱20万个、回收复用瓦楞纸箱1000万个。"
    >>> [(t.value, t.unit, t.comparator) for t in find_targets(s, s, r, 1)]
    [(90.0, '%', '>='), (200000.0, '个', '='), (10000000.0, '个', '=')]
    >>> s = "推动人员到位率低于80%的县级机构加快配备人员，按照“四个100%”要求，开通12345热线。"
    >>> find_targets(s, s, r, 1)
    []
    >>> s = "深入落实中央八项规定，年内建成三个示范点"
    >>> [(t.value, t.unit) for t in find_targets(s, s, r, 1)]
    [(3.0, '个')]
    """
    quoted = _quoted_spans(folded, rules)
    out: list[Target] = []
    taken: list[tuple[int, int]] = []
    for m in rules.target_re.finditer(folded):
        start, end = m.start(), m.end()
        # the measure word as printed (full width made half): a traditional circular keeps its 項
        unit = _printed(orig, m, "unit") if m.group("unit") else None
        value = Decimal(m.group("num"))
        if m.group("mult"):
            value *= rules.multipliers[m.group("mult")]
        value = float(value)  # via Decimal: 299.9亿 is 29990000000, not 29989999999.999996
        if not math.isfinite(value) or len(m.group("num")) > MAX_DIGITS:
            continue          # a code or a serial number, not a quantity (and JSON has no Infinity)
        if not unit:
            unit = _unit_before(folded, start, rules) if m.group("mult") else None
            if not unit:
                continue
        if _excluded(folded, start, end, quoted, rules) or _names_a_project(folded, end, m.group("unit"), rules) \
                or _a_place(folded, start, end, m.group("unit"), rules):
            continue
        out.append(_target(orig, folded, start, end, value, unit, rules, line))
        taken.append((start, end))
    for m in rules.cn_target_re.finditer(folded):
        value = chinese_number(m.group("num"), rules.cn_digits, rules.cn_multipliers)
        start, end = m.start(), m.end()
        if not value or value < 2 or m.group("num")[0] in rules.cn_multipliers and len(m.group("num")) == 1:
            continue
        if folded[start - 1:start] in rules.cn_digits or any(s <= start < e for s, e in taken):
            continue
        if _excluded(folded, start, end, quoted, rules) or folded.startswith(rules.chinese_name_after, end) \
                or folded.startswith(tuple(q for q, _ in rules.quotes), end):
            # 三个“一号工程”: a count of named things (a slogan), not an amount to reach
            continue
        out.append(_target(orig, folded, start, end, float(value), _printed(orig, m, "unit"), rules, line))
    out.sort(key=lambda t: orig.find(t.text))
    return out


def _excluded(folded: str, start: int, end: int, quoted, rules: Rules) -> bool:
    if any(s < start < e for s, e in quoted):
        return True
    before = folded[start - 1:start]
    if before and before in rules.before_chars:
        return True
    after = folded[end:end + 1]
    if after and after in rules.after_chars:
        return True
    if before.isascii() and before.isalpha():
        return True  # A1类, IO(X): a code, not a count
    # 4个结构性指标: a count of indicators; 14个工作日: a duration
    if any(w in folded[end:end + 8] for w in rules.counted_names) or folded.startswith(rules.durations, end):
        return True
    # 投资5000万元以上的项目: a threshold that qualifies what follows
    if folded.startswith(rules.qualifiers_after, end):
        return True
    # 下调费率50%: a rate a policy sets
    phrase_start = max((folded.rfind(d, 0, start) for d in rules.delimiters), default=-1) + 1
    if any(p in folded[phrase_start:start] for p in rules.parameters):
        return True
    # a qualifier: 低于80%的, 超1000万件的
    rest = folded[end:end + 3]
    for w in rules.comparators_after:
        if rest.startswith(w):
            rest = rest[len(w):]
            break
    if rest.startswith("的"):
        head = folded[max(0, start - 4):start]
        if any(head.endswith(q) for q in rules.qualifiers_before):
            return True
    return False


def _a_place(folded: str, start: int, end: int, unit, rules: Rules) -> bool:
    """往西150米处, 周边200米范围内: a distance that says where, not how much.

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> _a_place("交叉口往西150米处", 5, 9, "米", r), _a_place("新建绿道50公里", 4, 8, "公里", r)
    (True, False)
    """
    if unit not in rules.distances:
        return False
    return folded[:start].endswith(rules.directions) or folded.startswith(rules.place_after, end)


def _printed(orig: str, m, group: str) -> str:
    return unicodedata.normalize("NFKC", orig[m.start(group):m.end(group)])


def _names_a_project(folded: str, end: int, unit: str, rules: Rules) -> bool:
    """25万吨己二酸项目: a capacity followed straight by what is made names the project.

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> _names_a_project("重点抓好25万吨己二酸", 9, "吨", r), _names_a_project("吞吐量3.2亿吨，", 8, "吨", r)
    (True, False)
    """
    if unit not in rules.capacity_units:
        return False
    after = folded[end:end + 2]
    return bool(after) and "\u4e00" <= after[0] <= "\u9fff" and after[0] != "的" \
        and not any(folded.startswith(w, end) for w in rules.comparators_after)


def _unit_before(folded: str, start: int, rules: Rules):
    """服务人次达200万以上: the measure word stands before the number."""
    head = folded[max(0, start - 8):start]
    for word, _ in rules.comparators_before:
        if head.endswith(word):
            head = head[:-len(word)]
            break
    return next((u for u in rules.target_units if head.endswith(u)), None)


def _target(orig: str, folded: str, start: int, end: int, value: float, unit: str, rules: Rules, line: int) -> Target:
    s = start
    while s > 0 and folded[s - 1] not in rules.delimiters:
        s -= 1
    e = end
    while e < len(folded) and folded[e] not in rules.delimiters:
        e += 1
    head = folded[s:start]
    comparator = "="
    for word, cmp in rules.comparators_before:   # longest first: 不低于 before 低于
        if word in head:
            comparator = cmp
            break
    tail = folded[end:e]
    for word, cmp in rules.comparators_after.items():
        if tail.startswith(word):
            comparator = cmp
            tail = tail[len(word):]
            break
    indicator = orig[end + (len(folded[end:e]) - len(tail)):e].strip().lstrip("的")
    if len(indicator) < 2:
        indicator = orig[s:start]
        for word, _ in rules.comparators_before:
            if indicator.endswith(word):
                indicator = indicator[:-len(word)]
                break
        for word in rules.indicator_strip:
            if indicator.startswith(word):
                indicator = indicator[len(word):]
        indicator = indicator.strip()
    return Target(orig[s:e].strip(), indicator, value, unit, comparator, line)


def _quoted_spans(folded: str, rules: Rules) -> list[tuple[int, int]]:
    spans = []
    for open_, close in rules.quotes:
        i = 0
        while True:
            a = folded.find(open_, i)
            if a < 0:
                break
            b = folded.find(close, a + 1)
            if b < 0:
                break
            spans.append((a, b))
            i = b + 1
    return spans
