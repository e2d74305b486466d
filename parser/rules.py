"""Loads the rule data in parser/data into one frozen, compiled `Rules` object.

Every regex is compiled here, once; every extractor takes `Rules` as an argument.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import regex

from .errors import RuleFileError
from .normalize import fold_table

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Style:
    name: str
    pattern: regex.Pattern


@dataclass(frozen=True)
class DeadlinePhrase:
    pattern: regex.Pattern
    meaning: str
    scope: str


@dataclass(frozen=True)
class Rules:
    fold: dict
    # unit clauses
    clause_keys: Mapping[str, str]          # key word -> role
    person_keys: tuple[str, ...]
    deadline_keys: tuple[str, ...]
    stop_keys: tuple[str, ...]
    key_re: regex.Pattern                   # any key followed by a colon
    verbs: tuple[tuple[str, str], ...]      # (verb, role), longest first
    inline_markers: Mapping[str, str]
    first_listed_leads: tuple[regex.Pattern, ...]
    unit_suffixes: tuple[str, ...]
    unit_separators: str
    conjunctions: tuple[str, ...]
    leading_words: tuple[str, ...]
    max_name_length: int
    # numbering
    styles: tuple[Style, ...]
    cn_digits: Mapping[str, int]
    cn_multipliers: Mapping[str, int]
    circled: str
    # targets
    target_re: regex.Pattern
    cn_target_re: regex.Pattern
    multipliers: Mapping[str, int]
    comparators_before: tuple[tuple[str, str], ...]
    comparators_after: Mapping[str, str]
    qualifiers_before: tuple[str, ...]
    quotes: tuple[tuple[str, str], ...]
    before_chars: str
    after_chars: str
    delimiters: str
    indicator_strip: tuple[str, ...]
    target_units: tuple[str, ...]           # longest first
    chinese_name_after: tuple[str, ...]
    # deadlines
    deadlines: tuple[DeadlinePhrase, ...]
    deadline_ignored_before: tuple[str, ...]
    # document
    doc: Mapping
    chrome: tuple[regex.Pattern, ...]
    date_line: regex.Pattern
    iso_date: regex.Pattern
    year_re: regex.Pattern
    recipients_line: regex.Pattern
    publication_note: regex.Pattern
    attachment: regex.Pattern
    # tables
    columns: Mapping[str, tuple[str, ...]]


def _load(name: str) -> dict:
    path = DATA_DIR / name
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(name, "-", str(exc)) from exc


def _compile(pattern: str, where: str, key: str, flags=0) -> regex.Pattern:
    try:
        return regex.compile(pattern, flags)
    except regex.error as exc:
        raise RuleFileError(where, key, f"bad regex {pattern!r}: {exc}") from exc


def _alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _read_t2s() -> dict[str, str]:
    pairs = {}
    for n, raw in enumerate((DATA_DIR / "t2s.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) != 1:
            raise RuleFileError("t2s.txt", f"line {n}", f"expected 'T S' with one character each, got {raw!r}")
        pairs[parts[0]] = parts[1]
    return pairs


@functools.lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Read and compile parser/data.  Raises RuleFileError naming the file and key."""
    roles = _load("roles.toml")
    units = _load("units.toml")
    numbering = _load("numbering.toml")
    targets = _load("targets.toml")
    deadlines = _load("deadlines.toml")
    doc = _load("document.toml")
    tables = _load("tables.toml")

    keys = dict(roles["keys"])
    other = roles["other_keys"]
    all_keys = list(keys) + other["person"] + other["deadline"] + other["stop"]
    key_re = _compile(rf"(?P<key>{_alternation(all_keys)})\s*[:]", "roles.toml", "keys")
    verbs = tuple(sorted(roles["verbs"].items(), key=lambda kv: len(kv[0]), reverse=True))
    for role in list(keys.values()) + [r for _, r in verbs]:
        if role not in ("lead", "responsible", "support"):
            raise RuleFileError("roles.toml", role, "role must be lead, responsible or support")

    styles = tuple(Style(s["name"], _compile(s["pattern"], "numbering.toml", s["name"]))
                   for s in numbering["styles"])

    unit_words = targets["units"]
    mult = targets["multipliers"]
    approx = "".join(targets["approximators"])
    target_re = _compile(
        rf"(?P<num>\d+(?:\.\d+)?)\s*(?P<mult>{_alternation(mult)})?[{approx}]?\s*(?P<unit>{_alternation(unit_words)})?",
        "targets.toml", "units")
    cn = numbering["numerals"]
    cn_chars = "".join(cn["digits"]) + "".join(cn["multipliers"])
    cn_target_re = _compile(
        rf"(?P<num>[{cn_chars}]{{1,4}})(?P<unit>{_alternation(targets['chinese_units'])})",
        "targets.toml", "chinese_units")

    phrases = []
    for i, p in enumerate(deadlines["phrases"]):
        phrases.append(DeadlinePhrase(_compile(p["pattern"], "deadlines.toml", f"phrases[{i}]"),
                                      p["meaning"], p.get("scope", "text")))

    columns = {kind: tuple(words) for kind, words in tables["columns"].items()}
    return Rules(
        fold=fold_table(_read_t2s()),
        clause_keys=keys,
        person_keys=tuple(other["person"]),
        deadline_keys=tuple(other["deadline"]),
        stop_keys=tuple(other["stop"]),
        key_re=key_re,
        verbs=verbs,
        inline_markers=roles["inline_markers"],
        first_listed_leads=tuple(_compile(p, "roles.toml", "document_rules")
                                 for p in roles["document_rules"]["first_listed_leads"]),
        unit_suffixes=tuple(sorted(units["suffixes"], key=len, reverse=True)),
        unit_separators="".join(units["separators"]),
        conjunctions=tuple(sorted(units["conjunctions"], key=len, reverse=True)),
        leading_words=tuple(units["leading_words"]),
        max_name_length=int(units["max_name_length"]),
        styles=styles,
        cn_digits=cn["digits"],
        cn_multipliers=cn["multipliers"],
        circled=cn["circled"],
        target_re=target_re,
        cn_target_re=cn_target_re,
        multipliers=mult,
        comparators_before=tuple(sorted(targets["comparators"]["before"].items(), key=lambda kv: len(kv[0]), reverse=True)),
        comparators_after=targets["comparators"]["after"],
        qualifiers_before=tuple(sorted(targets["qualifiers"]["before"], key=len, reverse=True)),
        quotes=tuple(tuple(q) for q in targets["excluded"]["quotes"]),
        before_chars=targets["excluded"]["before_chars"],
        after_chars=targets["excluded"]["after_chars"],
        delimiters=targets["text"]["delimiters"],
        indicator_strip=tuple(sorted(targets["text"]["indicator_strip"], key=len, reverse=True)),
        target_units=tuple(sorted(unit_words, key=len, reverse=True)),
        chinese_name_after=tuple(targets["chinese_name_after"]),
        deadlines=tuple(phrases),
        deadline_ignored_before=tuple(deadlines["ignored"]["before"]),
        doc=doc,
        chrome=tuple(_compile(p, "document.toml", "chrome") for p in doc["chrome"]),
        date_line=_compile(doc["date_line"], "document.toml", "date_line"),
        iso_date=_compile(doc["iso_date"], "document.toml", "iso_date"),
        year_re=_compile(doc["year"], "document.toml", "year"),
        recipients_line=_compile(doc["recipients_line"], "document.toml", "recipients_line"),
        publication_note=_compile(doc["publication_note"], "document.toml", "publication_note"),
        attachment=_compile(doc["attachment"], "document.toml", "attachment"),
        columns=columns,
    )
