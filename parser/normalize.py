"""Length-preserving text folding, so rules match whatever form the document uses.

`fold()` maps full-width ASCII to half-width, ideographic space to a space and traditional
characters to simplified, one character for one, so an offset in the folded text is the same
offset in the original: rules match folded text, output slices the original.
"""
from __future__ import annotations

from dataclasses import dataclass
import unicodedata
from typing import Mapping

import regex

SPACES = regex.compile(r"\s+")
SPACES_AND_PUNCTUATION = regex.compile(r"[\s\p{P}]+")


@dataclass
class Piece:
    """A source line, or a part of one (a cell, an item run on inline), as printed and folded."""
    line: int
    orig: str
    folded: str


def fold_table(t2s: Mapping[str, str]) -> dict[int, str]:
    """The translation table for `fold`.

    >>> fold("（办公室牵头）", fold_table({}))
    '(办公室牵头)'
    >>> fold("負責科室", fold_table({"負": "负", "責": "责"}))
    '负责科室'
    >>> fold("1﹒全省﹙牵头﹚", fold_table({}))
    '1.全省(牵头)'
    """
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}  # ！..～ -> !..~
    # small and vertical forms of punctuation (1﹒ ﹙牵头﹚ ︰), which some sites and PDF text
    # layers use: as their plain character, where that is one character (offsets must hold)
    for cp in (*range(0xFE10, 0xFE1A), *range(0xFE30, 0xFE6C)):
        plain = unicodedata.normalize("NFKC", chr(cp))
        if len(plain) == 1 and plain != chr(cp):
            table[cp] = plain.translate(table)
    table[0x3000] = " "
    table[0xA0] = " "
    table[ord("．")] = "."
    for trad, simp in t2s.items():
        table[ord(trad)] = simp
    return table


def fold(text: str, table: dict[int, str]) -> str:
    folded = text.translate(table)
    assert len(folded) == len(text)  # offsets must survive folding
    return folded


def split_folded(orig: str, folded: str, seps: str) -> list[tuple[str, str]]:
    """Split at separators found in the folded text; each piece as (original, folded).

    >>> split_folded("各县级市邮政管理局，机关各处室", "各县级市邮政管理局,机关各处室", ",")
    [('各县级市邮政管理局', '各县级市邮政管理局'), ('机关各处室', '机关各处室')]
    >>> split_folded("政策解讀｜綜合科", "政策解读|综合科", "|")
    [('政策解讀', '政策解读'), ('綜合科', '综合科')]
    """
    cuts = [-1] + [k for k, ch in enumerate(folded) if ch in seps] + [len(folded)]
    return [(orig[a + 1:b], folded[a + 1:b]) for a, b in zip(cuts, cuts[1:])]


def chinese_number(text: str, digits: Mapping[str, int], multipliers: Mapping[str, int]) -> int | None:
    """Value of a Chinese numeral of up to four digits, or None.

    >>> d = {"一": 1, "二": 2, "两": 2, "三": 3, "五": 5, "六": 6, "零": 0, "九": 9}
    >>> m = {"十": 10, "百": 100, "千": 1000}
    >>> [chinese_number(s, d, m) for s in ["六", "十", "十五", "二十三", "一百零九", "x"]]
    [6, 10, 15, 23, 109, None]
    """
    if not text:
        return None
    total, current = 0, None
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in multipliers:
            total += (1 if current is None else current) * multipliers[ch]
            current = None
        else:
            return None
    return total + (current or 0)


def letters_only(text: str) -> str:
    """The text without spaces or punctuation: what stays the same when only those change.

    >>> letters_only("推动落实《意见》， 加强 保护。")
    '推动落实意见加强保护'
    """
    return SPACES_AND_PUNCTUATION.sub("", text)
