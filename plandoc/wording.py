"""Every word a reader of the documents sees: sentences, labels, headings and role names, read
from data/letters.toml and overridden by a profile's [letters] table.

    >>> w = load_wording()
    >>> w.roles["lead"], cn_numeral(12), w.date(date(2022, 3, 31))
    ('牵头', '十二', '2022年3月31日')
"""
from __future__ import annotations

import functools
import string
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Mapping, Optional

import regex

from parser.errors import RuleFileError
from parser.model import ROLES
from parser.profile import Profile

DATA_DIR = Path(__file__).resolve().with_name("data")
LETTERS = DATA_DIR / "letters.toml"
CN_NUMERALS = "零一二三四五六七八九十"
PROFILE_ONLY = ("mark",)      # [letters] keys with no default: 发文机关标志 defaults to the issuer
_KEYS = {"drop_before_year", "plan_name", "line_reference", "line_reference_without_part",
         "roles", "role_headings", "part_names", "files", "text", "labels", "columns",
         "longest_text", "due", "title_chars"}
FIELDS = ("n", "refs", "text", "role", "targets_text", "deadline", "due", "checkbox", "blank")


@dataclass(frozen=True)
class Column:
    field: str          # what the column shows of an entry: one of FIELDS
    heading: str
    share: float        # per cent of the table's width
    center: bool


@dataclass(frozen=True)
class Wording:
    roles: Mapping[str, str]
    role_headings: Mapping[str, str]
    part_names: tuple[tuple[regex.Pattern, str], ...]
    drop_before_year: bool
    longest_text: int
    files: Mapping[str, str]
    text: Mapping[str, object]
    labels: Mapping[str, str]
    columns: Mapping[str, tuple["Column", ...]]     # checklist, overview
    plan_name: regex.Pattern
    line_reference: tuple[str, str]      # with a part, without one
    due: Mapping[str, regex.Pattern]     # specific, annual, not_annual
    title_chars: Mapping[str, float]     # portrait, landscape
    source: str                          # the file it was read from, for error messages

    def label(self, key: str, **fields) -> str:
        return fill(self.labels[key], fields, f"labels.{key}", self.source)

    def date(self, d: Optional[date]) -> str:
        return self.label("date", year=d.year, month=d.month, day=d.day) if d else ""

    def part_name(self, title: Optional[str]) -> str:
        """The short name of a part in references: 分解方案, 民生实事, or the shortened title."""
        if not title:
            return ""
        for pattern, name in self.part_names:
            if pattern.search(title):
                return name
        return self.part_title(title)

    def part_title(self, title: Optional[str]) -> str:
        """A part's title without what comes before its year: 苏州市邮政管理局2022年工作目标任务分解方案
        -> 工作目标任务分解方案 (the letter's own title names the year and the issuer)."""
        if not title:
            return ""
        if self.drop_before_year:
            m = regex.search(r"(?:19|20)\d{2}年度?", title)
            if m and title[m.end():]:
                return title[m.end():]
        return title

    def year_end(self, circular: Optional[str], year: Optional[int]) -> Optional[date]:
        """When a task with no deadline is due: the end of the plan's year, for a circular that
        hands down one year's plan; None otherwise."""
        title = circular or ""
        if year and self.due["annual"].search(title) and not self.due["not_annual"].search(title):
            return date(year, 12, 31)
        return None

    def due_text(self, phrase: str, when: Optional[date], year: Optional[int]) -> str:
        """What the 完成时限 column says: 6月底前 as written, 年内 as 12月底前."""
        if phrase and (when is None or self.due["specific"].search(phrase)):
            return phrase
        if when is None:
            return ""
        key = "due" if when.year == year else "due_other_year"
        if (when + timedelta(days=1)).month != when.month:
            key += "_month_end"
        return self.label(key, year=when.year, month=when.month, day=when.day)

    def plan_name_of(self, circular: Optional[str]) -> str:
        """苏州市邮政管理局关于印发2022年工作目标任务分解方案…的通知 -> 2022年工作目标任务分解方案…;
        empty when the circular does not hand down a plan."""
        m = self.plan_name.search(circular or "")
        return m.group("plan") if m else ""


@functools.lru_cache(maxsize=None)
def load_wording(path: Path = LETTERS) -> Wording:
    """Read letters.toml.  Raises RuleFileError naming the file and the key that is wrong."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(where, "-", str(exc)) from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise RuleFileError(where, unknown[0], "not a key of this file")
    try:
        names = []
        for n, p in enumerate(data["part_names"]):
            names.append((_compile(p["pattern"], where, f"part_names[{n}]"), str(p["name"])))
        columns = {table: _columns(data["columns"][table], where, f"columns.{table}")
                   for table in ("checklist", "overview")}
        wording = Wording(data["roles"], data["role_headings"], tuple(names), bool(data["drop_before_year"]),
                          int(data["longest_text"]), data["files"],
                          data["text"], data["labels"],
                          columns, _compile(data["plan_name"], where, "plan_name"),
                          (data["line_reference"], data["line_reference_without_part"]),
                          {k: _compile(data["due"][k], where, f"due.{k}") for k in ("specific", "annual", "not_annual")},
                          {k: float(data["title_chars"][k]) for k in ("portrait", "landscape")},
                          where)
    except KeyError as exc:
        raise RuleFileError(where, str(exc.args[0]), "missing") from None
    except (TypeError, ValueError) as exc:
        raise RuleFileError(where, "-", str(exc)) from None
    for table in ("roles", "role_headings"):
        if set(getattr(wording, table)) != set(ROLES):
            raise RuleFileError(where, table, f"needs exactly {', '.join(ROLES)}")
    return wording


def _columns(specs, where: str, key: str) -> tuple[Column, ...]:
    try:
        columns = tuple(Column(str(c["field"]), str(c["heading"]), float(c["share"]), bool(c["center"]))
                        for c in specs)
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(where, key, f"each column needs field, heading, share and center ({exc})") from None
    bad = [c.field for c in columns if c.field not in FIELDS]
    if bad:
        raise RuleFileError(where, key, f'"{bad[0]}" is not a field ({", ".join(FIELDS)})')
    if abs(sum(c.share for c in columns) - 100) > 0.5:
        raise RuleFileError(where, key, f"the shares add up to {sum(c.share for c in columns):g}, not 100")
    return columns


def _compile(pattern: str, where: str, key: str) -> regex.Pattern:
    try:
        return regex.compile(pattern)
    except (regex.error, TypeError) as exc:
        raise RuleFileError(where, key, f"bad regex {pattern!r}: {exc}") from None


def texts(wording: Wording, profile: Optional[Profile]) -> dict:
    """The sentences, with the profile's own wording in place of the defaults."""
    out = dict(wording.text)
    if profile is not None:
        unknown = sorted(k for k in profile.letters if k not in out and k not in PROFILE_ONLY)
        if unknown:
            raise RuleFileError(str(profile.path), f"letters.{unknown[0]}",
                                f"not a setting of the letters (settings: {', '.join(sorted(out) + list(PROFILE_ONLY))})")
        out.update(profile.letters)
    return out


def fill(template: str, fields: dict, key: str, where: str) -> str:
    """A sentence with its {fields} filled in; a field that does not exist is an error of the file
    the sentence came from (`where`: letters.toml or the profile).  Only plain {name} fields:
    a format spec or a conversion ({unit:>999999999}, {unit!r}) is refused, since a sentence is
    text an office writes, not a program.

    >>> fill("{unit}任务清单", {"unit": "办公室"}, "checklist_title", "letters.toml")
    '办公室任务清单'
    """
    out = []
    try:
        for literal, name, spec, conversion in string.Formatter().parse(template):
            out.append(literal)
            if name is None:
                continue
            if spec or conversion or name not in fields:
                problem = (f"{{{name}}} is not a field" if name not in fields
                           else f"{{{name}:{spec}}} holds a format or conversion; write {{{name}}}")
                raise RuleFileError(where, key, f"{problem}; fields: {', '.join(sorted(fields))}")
            out.append(str(fields[name]))
    except ValueError as exc:
        raise RuleFileError(where, key, f"cannot be filled in ({exc})") from None
    return "".join(out)


def cn_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (headings 一、二、).

    >>> [cn_numeral(n) for n in (1, 10, 12, 20, 21)]
    ['一', '十', '十二', '二十', '二十一']
    """
    if n <= 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")
