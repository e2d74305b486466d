"""A title too long for one line, broken between words into lines of even length.

GB/T 9704-2012 7.3.3: a title that runs over several lines is broken so that each line keeps
its words whole (词意完整), the lines even and symmetric (排列对称，长短适宜), in the shape of a
trapezoid or a diamond.  Left to itself a renderer breaks wherever the line is full:
「…和邮 / 政快递业…任务交 / 办函」.  Here the words come from jieba (its dictionary, with the
plan's unit names added), and the breaks are chosen among them so that the lines are as even
as they can be, none longer than the line holds.

    >>> title_lines("关于交办2022年重点工作任务的函", 20)
    ['关于交办2022年重点工作任务的函']
"""
from __future__ import annotations

import functools
from typing import Callable, Iterable

import regex

# no line starts with a closing mark, none ends with an opening one
NO_START = set("，。、；：？！）》」』”’〕】…%")
NO_END = set("（《「『“‘〔【")
WIDE = regex.compile(r"[\p{Han}\p{InCJK_Symbols_and_Punctuation}\p{InHalfwidth_and_Fullwidth_Forms}“”‘’…—]")


def width(text: str) -> float:
    """Width in characters of the title's size: a Chinese character or mark is one, a Latin
    letter or a digit half of one."""
    return sum(1.0 if WIDE.match(c) else 0.5 for c in text)


def title_lines(title: str, line_width: float, words: Callable[[], Iterable[str]] = tuple) -> list[str]:
    """The title's lines: one when it fits, else the fewest lines that hold it, broken between
    words, as even as can be (the upper lines the longer when they cannot all be equal).
    `words` gives the words to keep whole, asked for only when the title needs breaking."""
    if width(title) <= line_width:
        return [title]
    tokens = _tokens(title, tuple(sorted(set(words()))))
    cuts = [0]
    for t in tokens:
        cuts.append(cuts[-1] + len(t))
    allowed = [i for i in range(len(cuts)) if i in (0, len(cuts) - 1) or _may_break(title, cuts[i])]
    total = width(title)
    for lines in range(2, len(tokens) + 1):
        best = _even(title, cuts, allowed, lines, line_width, total / lines)
        if best is not None:
            return best
    return [title]


def _may_break(title: str, at: int) -> bool:
    return title[at] not in NO_START and title[at - 1] not in NO_END


def _even(title: str, cuts: list[int], allowed: list[int], lines: int, line_width: float,
          target: float) -> list[str] | None:
    """The best split into `lines` lines at allowed cuts: least squared distance from the mean
    length, then the longer lines first; None when no split fits the width."""
    @functools.lru_cache(maxsize=None)
    def best(start: int, left: int):
        if left == 1:
            w = width(title[cuts[start]:])
            return None if w > line_width else ((w - target) ** 2, (-w,), (len(cuts) - 1,))
        found = None
        for end in allowed:
            if end <= start or end >= len(cuts) - 1:
                continue
            w = width(title[cuts[start]:cuts[end]])
            if w > line_width:
                break
            rest = best(end, left - 1)
            if rest is None:
                continue
            candidate = ((w - target) ** 2 + rest[0], (-w,) + rest[1], (end,) + rest[2])
            if found is None or candidate[:2] < found[:2]:
                found = candidate
        return found

    result = best(0, lines)
    if result is None:
        return None
    ends = result[2]
    starts = (0,) + ends[:-1]
    return [title[cuts[a]:cuts[b]] for a, b in zip(starts, ends)]


def _tokens(title: str, words: tuple[str, ...]) -> list[str]:
    """The title's words: jieba's, with `words` (unit names, terms) kept whole, and a name in
    《》 as one word when it fits on a line."""
    tokenizer = _tokenizer(words)
    return [t for t in tokenizer.cut(title, HMM=True) if t]


@functools.lru_cache(maxsize=8)
def _tokenizer(words: tuple[str, ...]):
    import jieba
    tokenizer = jieba.Tokenizer()       # its own: the parser's jieba stays as the parser set it
    for w in words:
        if w:
            tokenizer.add_word(w, freq=10 ** 6)
    return tokenizer
