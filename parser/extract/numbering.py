"""Item numerals at the start of a line: 一、 （一） 1. 1、 （1） ① 第一条."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..normalize import chinese_number
from ..rules import Rules


@dataclass(frozen=True)
class Numeral:
    style: str
    text: str        # as printed, without punctuation: 13, 六
    value: Optional[int]
    end: int         # offset of the item's text after the numeral and its spaces


def match_numeral(folded: str, rules: Rules) -> Optional[Numeral]:
    """The numeral opening folded text, or None.

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> n = match_numeral("13. 推动市政府出台", r); (n.style, n.text, n.value, n.end)
    ('arabic', '13', 13, 4)
    >>> n = match_numeral("(三)强化", r); (n.style, n.value)
    ('cn-paren', 3)
    >>> match_numeral("2022年邮政业", r) is None
    True
    """
    for style in rules.styles:
        m = style.pattern.match(folded)
        if m:
            text = m.group("n")
            end = m.end()
            while end < len(folded) and folded[end] in " \t":
                end += 1
            return Numeral(style.name, text, numeral_value(text, rules), end)
    return None


def numeral_value(text: str, rules: Rules) -> Optional[int]:
    if text.isdigit() and text.isascii():
        return int(text)
    if len(text) == 1 and text in rules.circled:
        return rules.circled.index(text) + 1
    return chinese_number(text, rules.cn_digits, rules.cn_multipliers)
