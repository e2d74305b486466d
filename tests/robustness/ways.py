"""The ways a circular's page arrives, as transformations of its plain text (and of its gold).

Each `Way` re-lays a document the way a real copy of it comes in: cut by a PDF's or an e-mail's
line width, in full-width or half-width forms, in traditional characters, with Windows line
ends and a BOM, indented, with blank lines added or removed, with its table rows joined some
other way, with pinyin reading aids, inside a web page's chrome.  The tasks parsed from every
way must be the tasks parsed from the plain text; `tests/robustness/` checks that, and
`benchmarks/bench_robustness.py` prints the figures.

    >>> WAYS["wrap-20"].text("一二三四五六七八九十一二三四五六七八九十一二\\n短行")
    '一二三四五六七八九十一二三四五六七八九十\\n一二\\n短行'
    >>> WAYS["halfwidth"].text("（办公室牵头），１２项")
    '(办公室牵头),12项'
    >>> WAYS["table-tabs"].text("重点任务 | 工作内容 | 负责科室 |\\n正文，不是表格。")
    '重点任务\\t工作内容\\t负责科室\\n正文，不是表格。'
"""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
WRAP_WIDTHS = (20, 31, 45)

# full-width forms of ASCII punctuation and digits; letters stay (a page that widens them is rare)
_ASCII_MARKS = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalpha())
TO_FULL = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in _ASCII_MARKS})
TO_HALF = str.maketrans({chr(ord(c) + 0xFEE0): c for c in _ASCII_MARKS} | {"\u3000": " "})

# a table row as the corpus prints it: at least two cells between `|`
_ROW = re.compile(r"^[^|\n]*\|[^|\n]*\|")

# reading aids as a site puts them after a character (發(fā)); these characters are frequent in
# the corpus, and 发 and 会 sit inside unit names (发改委, 委员会), 和 between two (A和B)
READING_AIDS = {"发": "fā", "發": "fā", "重": "zhòng", "行": "xíng", "长": "zhǎng", "長": "zhǎng",
                "调": "diào", "調": "diào", "和": "hé", "会": "huì", "會": "huì"}

# a web copy's page around the article: breadcrumbs, the 索引号 row, print and close links
CHROME_BEFORE = ("首页 > 政务公开 > 通知公告",
                 "索引号：11330424002556141X/2022-00031　发布机构：县政府办公室　公开方式：主动公开",
                 "【字体：大 中 小】　打印本页　关闭窗口")
CHROME_AFTER = ("打印本页 关闭窗口", "首页 > 政务公开 > 通知公告")


@dataclass(frozen=True)
class Way:
    """One way a page arrives: what it does to the text, and to the gold (the same words in
    another script must be expected in that script)."""
    name: str
    text: Callable[[str], str]
    gold: Callable[[dict], dict] = lambda g: g
    stage: float = 1        # the order ways combine in: tables, script and forms, indentation, blank lines, chrome, wraps, bytes


def wrap(text: str, width: int) -> str:
    """Every line cut into pieces of `width` characters, as a PDF's text layer or an e-mail
    gives a paragraph."""
    out = []
    for line in text.split("\n"):
        out.extend([line[k:k + width] for k in range(0, len(line), width)] or [""])
    return "\n".join(out)


@functools.lru_cache(maxsize=1)
def s2t() -> dict[int, str]:
    pairs = {}
    for raw in (HERE / "s2t.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            s, t = raw.split()
            pairs[ord(s)] = t
    return pairs


def traditional(text: str) -> str:
    return text.translate(s2t())


def traditional_gold(gold: dict) -> dict:
    """The gold of a document turned traditional: the names and text starts as it now prints them."""
    out = copy.deepcopy(gold)
    for task in out["tasks"]:
        task["text_start"] = traditional(task.get("text_start", ""))
        if task.get("section"):
            task["section"] = traditional(task["section"])
        for unit in task.get("departments", []):
            unit["name"] = traditional(unit["name"])
    out["not_targets"] = [traditional(t) for t in out.get("not_targets", [])]
    return out


def indent(text: str) -> str:
    return "\n".join("\u3000\u3000" + line if line.strip() else line for line in text.split("\n"))


def blank_lines_added(text: str) -> str:
    return "\n\n".join(text.split("\n"))


def blank_lines_removed(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


def crlf_bom(text: str) -> str:
    return "\ufeff" + text.replace("\n", "\r\n")


def reading_aids(text: str) -> str:
    return "".join(ch + f"({READING_AIDS[ch]})" if ch in READING_AIDS else ch for ch in text)


def chrome(text: str) -> str:
    return "\n".join(CHROME_BEFORE) + "\n\n" + text.rstrip("\n") + "\n\n" + "\n".join(CHROME_AFTER) + "\n"


def table_rows(text: str) -> list[int]:
    """Indexes of the lines that are table rows (`a | b | c |`)."""
    return [k for k, line in enumerate(text.split("\n")) if _ROW.match(line)
            and sum(1 for c in line.split("|") if c.strip()) >= 2]


def rejoined(text: str, how: str) -> str:
    """Table rows (`a | b | c |`) with their cells joined another way: by a tab, by a run of
    spaces, or one cell a line."""
    lines = text.split("\n")
    for k in reversed(table_rows(text)):
        cells = [c.strip() for c in lines[k].split("|")]
        while cells and not cells[-1]:
            cells.pop()
        joiner = {"tabs": "\t", "spaces": "    ", "cells": "\n"}[how]
        if how == "cells":
            cells = [c for c in cells if c]     # a flattened table loses its empty cells
        lines[k] = joiner.join(cells)
    return "\n".join(lines)


def _ways() -> dict[str, Way]:
    ways = [Way("plain", lambda t: t, stage=0)]
    ways += [Way(f"wrap-{w}", functools.partial(wrap, width=w), stage=3) for w in WRAP_WIDTHS]
    ways += [Way("fullwidth", lambda t: t.translate(TO_FULL)),
             Way("halfwidth", lambda t: t.translate(TO_HALF)),
             Way("traditional", traditional, traditional_gold),
             Way("reading-aids", reading_aids),
             Way("table-tabs", functools.partial(rejoined, how="tabs"), stage=0),
             Way("table-spaces", functools.partial(rejoined, how="spaces"), stage=0),
             Way("table-cells", functools.partial(rejoined, how="cells"), stage=0),
             Way("indent", indent, stage=2),
             Way("blank-added", blank_lines_added, stage=2.2),
             Way("blank-removed", blank_lines_removed, stage=2.1),
             Way("chrome", chrome, stage=2.5),
             Way("crlf-bom", crlf_bom, stage=5)]
    return {w.name: w for w in ways}


WAYS = _ways()
TABLE_WAYS = ("table-tabs", "table-spaces", "table-cells")


def combined(names) -> Way:
    """Several ways at once, applied in the order pages meet them: the site converts and lays
    out the article and puts its chrome around it; the page is then printed to PDF or mailed
    (wrapped); the bytes come last."""
    chosen = sorted((WAYS[n] for n in names), key=lambda w: w.stage)

    def text(t: str) -> str:
        for w in chosen:
            t = w.text(t)
        return t

    def gold(g: dict) -> dict:
        for w in chosen:
            g = w.gold(g)
        return g

    return Way("+".join(w.name for w in chosen), text, gold)
