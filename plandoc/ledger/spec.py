"""The ledger's words and columns, read from data/ledger.toml: headings, widths, status words,
colours, and the wording of the 催办通知.

    >>> s = load_spec()
    >>> s.headings["status"], s.statuses, s.done
    ('完成状态', ('未启动', '推进中', '已完成', '滞后', '已销号'), ('已完成', '已销号'))
    >>> s.progress_headings("quarter")
    ('一季度进展情况', '二季度进展情况', '三季度进展情况', '四季度进展情况')
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from parser.errors import RuleFileError

from ..wording import DATA_DIR, cn_numeral

LEDGER = DATA_DIR / "ledger.toml"
# the columns staff type in, in the order they follow the plan's own columns
STATIC = ("n", "source", "text", "lead", "responsible", "support", "leaders", "targets", "value", "unit",
          "comparator", "due")
HEADING_KEYS = STATIC + ("month", "quarter", "status", "done_on", "note", "id")
WIDTH_KEYS = STATIC + ("progress", "status", "done_on", "note", "id")
TEXT_KEYS = ("title", "unit_title", "main_note", "unit_note", "copy_note", "withdrawn_note", "stats_note",
             "changed", "unit_role", "unit_column", "total", "blank_status", "overdue", "stats_all", "chart_title")
SHEET_KEYS = ("main", "stats", "withdrawn")
COLOUR_KEYS = ("red", "yellow", "green", "changed", "header")
REMINDER_KEYS = ("file", "title", "opening", "opening_without_circular", "overdue_count", "due_soon_count",
                 "count_separator", "overdue_heading", "due_soon_heading", "overdue_line", "due_soon_line")
PERIODS = ("month", "quarter")


@dataclass(frozen=True)
class Spec:
    file: str
    sheets: Mapping[str, str]
    text: Mapping[str, str]
    headings: Mapping[str, str]
    widths: Mapping[str, float]
    comparators: Mapping[str, str]
    statuses: tuple[str, ...]
    done: tuple[str, ...]
    colours: Mapping[str, str]
    reminder: Mapping[str, str]
    typed_date: re.Pattern

    def date_of(self, value) -> Optional[dt.date]:
        """A cell's value as a date: a date, or a text that reads as one (typed_date).

        >>> s = load_spec()
        >>> s.date_of("2022年10月31日"), s.date_of("年底前"), s.date_of("2022年2月30日")
        (datetime.date(2022, 10, 31), None, None)
        """
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        m = self.typed_date.match(value) if isinstance(value, str) else None
        if m is None:
            return None
        try:
            return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return None

    def progress_headings(self, by: str) -> tuple[str, ...]:
        if by == "quarter":
            return tuple(self.headings["quarter"].format(numeral=cn_numeral(n)) for n in range(1, 5))
        return tuple(self.headings["month"].format(n=n) for n in range(1, 13))

    def tracking(self, by: str) -> tuple[str, ...]:
        """The headings of the columns staff type in."""
        h = self.headings
        return self.progress_headings(by) + (h["status"], h["done_on"], h["note"])


@functools.lru_cache(maxsize=4)
def load_spec(path: Path = LEDGER) -> Spec:
    """Raises RuleFileError naming the file and the key that is missing or wrong."""
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(where, "", str(exc)) from None

    def table(key: str, keys: tuple[str, ...], kind=str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            raise RuleFileError(where, key, "missing table")
        for k in keys:
            if not isinstance(value.get(k), kind) or isinstance(value.get(k), bool):
                raise RuleFileError(where, f"{key}.{k}", "missing, or not a " + getattr(kind, "__name__", "number"))
        unknown = set(value) - set(keys) if keys else set()
        if unknown:
            raise RuleFileError(where, f"{key}.{sorted(unknown)[0]}", "unknown key")
        return value

    statuses = data.get("status")
    if not isinstance(statuses, list) or not statuses or not all(
            isinstance(s, dict) and isinstance(s.get("word"), str) and s["word"] for s in statuses):
        raise RuleFileError(where, "status", "a list of [[status]] tables, each with a word")
    words = tuple(s["word"] for s in statuses)
    if len(set(words)) != len(words) or any("," in w or '"' in w for w in words):
        raise RuleFileError(where, "status", "status words must differ and hold no comma or quote")
    if len(",".join(words)) > 255:        # Excel's most for a drop-down's list: more, and it repairs the file
        raise RuleFileError(where, "status", "the status words, joined by commas, are over 255 characters "
                                             "(the most a drop-down list holds in Excel)")
    if not isinstance(data.get("file"), str):
        raise RuleFileError(where, "file", "missing")
    headings = table("headings", HEADING_KEYS)
    if len(set(headings.values())) != len(headings):
        raise RuleFileError(where, "headings", "two columns with one heading: a ledger is read by its headings")
    return Spec(file=data["file"], typed_date=_typed_date(data.get("typed_date"), where), sheets=table("sheets", SHEET_KEYS), text=table("text", TEXT_KEYS),
                headings=headings, widths=table("widths", WIDTH_KEYS, (int, float)),
                comparators=table("comparators", ()), statuses=words,
                done=tuple(s["word"] for s in statuses if s.get("done") is True),
                colours=table("colours", COLOUR_KEYS), reminder=table("reminder", REMINDER_KEYS))


def _typed_date(table, where: str) -> re.Pattern:
    """The pattern of [typed_date], compiled, with groups y, m and d, and matching its examples."""
    if not isinstance(table, dict) or not isinstance(table.get("pattern"), str):
        raise RuleFileError(where, "typed_date.pattern", "missing")
    try:
        pattern = re.compile(table["pattern"])
    except re.error as exc:
        raise RuleFileError(where, "typed_date.pattern", f"not a regular expression ({exc})") from None
    if not {"y", "m", "d"} <= set(pattern.groupindex):
        raise RuleFileError(where, "typed_date.pattern", "needs the groups (?P<y>…), (?P<m>…) and (?P<d>…)")
    for example in table.get("examples") or ():
        if not isinstance(example, str) or not pattern.match(example):
            raise RuleFileError(where, "typed_date.examples", f"{example!r} does not match the pattern")
    return pattern
