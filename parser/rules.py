"""Loads the rule data in parser/data into one frozen, compiled `Rules` object.

Every regex is compiled here, once; every extractor takes `Rules` as an argument.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import regex

from .errors import RuleFileError
from .model import ROLES
from .normalize import fold_table

DATA_DIR = Path(__file__).with_name("data")
_MISSING = object()


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
    # the vocabulary of assignments (roles.toml)
    role_words: Mapping[str, str]           # 牵头 -> lead; 配合 -> support
    label_re: regex.Pattern                 # a unit label, whole: 主要责任单位 (group `role`: its first role word)
    label_end_re: regex.Pattern             # a unit label or role word at the end of a header cell
    person_keys: tuple[str, ...]
    person_heads: tuple[str, ...]           # a label ending so names persons: 分管省领导
    person_suffixes: tuple[str, ...]        # a name ending so is a person's: 胡春华同志
    clause_heads: tuple[str, ...]           # a label ending so holds a clause: 部门分工
    deadline_keys: tuple[str, ...]
    stop_keys: tuple[str, ...]
    key_re: regex.Pattern                   # any label followed by a colon
    verbs: tuple[tuple[str, str], ...]      # (verb, role), longest first
    first_listed_leads: tuple[regex.Pattern, ...]
    unit_suffixes: tuple[str, ...]
    unit_separators: str
    conjunctions: tuple[str, ...]
    leading_words: tuple[str, ...]
    trailing_words: tuple[str, ...]         # 等部门: not part of the name before it
    note_words: tuple[str, ...]             # （…，下同）: a note after a name
    group_starts: tuple[str, ...]           # 各, 有关: a group of units (各处室)
    name_starts: tuple[str, ...]            # 市, 区: may begin a name as well as end one
    shared_organs: tuple[str, ...]          # 各市(县)、区政府: one organ after a list of places
    max_name_length: int
    # numbering
    styles: tuple[Style, ...]
    leading_junk: str                       # ■ ? · before a numeral
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
    qualifiers_after: tuple[str, ...]
    parameters: tuple[str, ...]
    durations: tuple[str, ...]
    distances: tuple[str, ...]              # 米, 公里: with a direction or 处 after, a place
    directions: tuple[str, ...]
    place_after: tuple[str, ...]
    quotes: tuple[tuple[str, str], ...]
    before_chars: str
    after_chars: str
    delimiters: str
    indicator_strip: tuple[str, ...]
    target_units: tuple[str, ...]           # longest first
    chinese_name_after: tuple[str, ...]
    capacity_units: tuple[str, ...]
    counted_names: tuple[str, ...]
    # deadlines
    deadlines: tuple[DeadlinePhrase, ...]
    deadline_ignored_before: tuple[str, ...]
    # document
    doc: Mapping
    chrome: tuple[regex.Pattern, ...]
    date_line: regex.Pattern
    iso_date: regex.Pattern
    year_re: regex.Pattern
    doc_number_year: regex.Pattern
    doc_number: regex.Pattern
    same_work_similarity: float
    reading_aid: regex.Pattern
    recipients_line: regex.Pattern
    publication_note: regex.Pattern
    attachment: regex.Pattern
    # tables: header words of the columns that are not units (number, text, group, person,
    # deadline, ignore); unit columns are named by label_re / label_end_re
    columns: Mapping[str, tuple[str, ...]]
    text_label: regex.Pattern               # 具体任务：… — a text column's name as a label

    def label_role(self, label: str) -> Optional[str]:
        """The role a unit label or a role word names: 主要责任单位 -> responsible, 牵头 -> lead.

        >>> r = load_rules()
        >>> r.label_role("协同配合单位"), r.label_role("分管领导"), r.label_role("协同责任单位"), r.label_role("牵头责任单位")
        ('support', None, 'responsible', 'lead')
        """
        m = self.label_end_re.fullmatch(label)
        if not m:
            return None
        roles = [self.role_words[w] for w in (m.group("role"), m.group("role2")) if w]
        return "lead" if "lead" in roles else roles[-1]

    def is_person_key(self, key: str) -> bool:
        """Whether a label names persons: 牵头领导, 分管省领导, 项目负责人."""
        return key in self.person_keys or key.endswith(self.person_heads)


DEADLINE_MEANINGS = ("year-end", "month-end", "day", "quarter-end", "half-end", "none")


class _Table:
    """A table of a rule file read key by key: a missing key, a value of the wrong kind, or a
    key that no reader asks for (a typo) is a RuleFileError naming the file and the key."""

    def __init__(self, data: dict, file: str, prefix: str = ""):
        self.data, self.file, self.prefix = data, file, prefix
        self.used: set[str] = set()
        self.children: list[_Table] = []

    def error(self, key: str, message: str) -> RuleFileError:
        return RuleFileError(self.file, self.prefix + key, message)

    def get(self, key: str, kind=None, default=_MISSING):
        if key not in self.data:
            if default is not _MISSING:
                return default
            raise self.error(key, "missing")
        self.used.add(key)
        value = self.data[key]
        if kind is not None and not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float):
            raise self.error(key, f"must be {getattr(kind, '__name__', kind)}, not {type(value).__name__}")
        return value

    def table(self, key: str) -> "_Table":
        child = _Table(self.get(key, dict), self.file, f"{self.prefix}{key}.")
        self.children.append(child)
        return child

    def words(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list)
        if not all(isinstance(w, str) and w for w in value):
            raise self.error(key, "must be a list of non-empty strings")
        return tuple(value)

    def tables(self, key: str) -> list["_Table"]:
        out = []
        for n, item in enumerate(self.get(key, list)):
            if not isinstance(item, dict):
                raise self.error(f"{key}[{n}]", "must be a table")
            out.append(_Table(item, self.file, f"{self.prefix}{key}[{n}]."))
        self.children.extend(out)
        return out

    def mapping(self, key: str, kind) -> dict:
        value = self.get(key, dict)
        for k, v in value.items():
            if not isinstance(v, kind) or isinstance(v, bool):
                raise self.error(f"{key}.{k}", f"must be {kind.__name__}")
        return dict(value)

    def check(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], "not a key of this file (a typo?)")
        for child in self.children:
            child.check()


def load_table(folder: Path, name: str) -> _Table:
    """A rule file of `folder`, to be read key by key (every reader of a rule file uses it)."""
    path = folder / name
    try:
        with open(path, "rb") as fh:
            return _Table(tomllib.load(fh), name)
    except OSError as exc:
        raise RuleFileError(name, "-", f"cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(name, "-", str(exc)) from exc


def compile_pattern(pattern: str, where: str, key: str, flags=0) -> regex.Pattern:
    """A rule file's pattern compiled, or a RuleFileError naming the file and the key."""
    try:
        return regex.compile(pattern, flags)
    except (regex.error, TypeError) as exc:
        raise RuleFileError(where, key, f"bad regex {pattern!r}: {exc}") from exc


def _alternation(words) -> str:
    """Words as a regex alternation, escaped, longest first (so 牵头单位 wins over 牵头)."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


def _read_t2s(folder: Path) -> dict[str, str]:
    pairs = {}
    for n, raw in enumerate((folder / "t2s.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) != 1:
            raise RuleFileError("t2s.txt", f"line {n}", f"expected 'T S' with one character each, got {raw!r}")
        pairs[parts[0]] = parts[1]
    return pairs


def _roles(t: _Table) -> dict:
    """roles.toml: the one vocabulary of role words, unit labels and other labels."""
    words = t.table("role_words")
    role_words: dict[str, str] = {}
    for role in ROLES:
        for w in words.words(role):
            if role_words.setdefault(w, role) != role:
                raise words.error(role, f'"{w}" is also a word of {role_words[w]}')
    labels = t.table("labels")
    nouns, mods = labels.words("unit_nouns"), labels.words("modifiers")
    person, deadline, report = labels.words("person"), labels.words("deadline"), labels.words("report")
    examples = labels.words("examples")
    rw = _alternation(role_words)
    # [modifier] role word [role word]: 主要责任, 牵头责任, 协同配合; then the unit noun
    words_re = rf"(?:{_alternation(mods)})?(?P<role>{rw})(?P<role2>{rw})?"
    label_re = compile_pattern(rf"{words_re}(?:{_alternation(nouns)})", "roles.toml", "labels")
    label_end_re = compile_pattern(rf"{words_re}(?:{_alternation(nouns)})?$", "roles.toml", "labels")
    for example in examples:
        if not label_re.fullmatch(example):
            raise labels.error("examples", f'"{example}" is not a label of this vocabulary')
    others = _alternation(person + deadline + report)
    heads = labels.words("person_heads")
    clause_heads = labels.words("clause_heads")
    # a key: a label, or a role word alone (牵头：市发改委；配合：市财政局), or another label,
    # or a person's label by its last word (牵头负责领导：), not begun inside a word; then a colon
    key_re = compile_pattern(rf"(?P<key>{words_re}(?:{_alternation(nouns)})?|{others}|(?<!\p{{Han}})\p{{Han}}{{0,6}}?(?:{_alternation(heads + clause_heads)}))\s*[:]",
                      "roles.toml", "labels")
    not_verbs = set(labels.words("not_verbs"))
    verbs = t.mapping("verbs", str)
    verbs.update({w: r for w, r in role_words.items() if w not in not_verbs})
    objects = labels.words("verb_objects")
    verbs.update({v + o: r for v, r in list(verbs.items()) for o in objects})
    for verb, role in verbs.items():
        if role not in ROLES:
            raise t.error(f"verbs.{verb}", f"role must be one of {', '.join(ROLES)}")
    rules_ = t.table("document_rules")
    leads = tuple(compile_pattern(p, "roles.toml", "document_rules.first_listed_leads")
                  for p in rules_.words("first_listed_leads"))
    for example in rules_.words("first_listed_leads_example"):
        if not any(p.search(example) for p in leads):
            raise rules_.error("first_listed_leads_example", f'"{example}" matches no pattern')
    return dict(role_words=role_words, label_re=label_re, label_end_re=label_end_re, person_keys=person,
                person_heads=heads, person_suffixes=labels.words("person_suffixes"), clause_heads=clause_heads,
                deadline_keys=deadline, stop_keys=report, key_re=key_re,
                verbs=tuple(sorted(verbs.items(), key=lambda kv: len(kv[0]), reverse=True)),
                first_listed_leads=leads)


def _units(t: _Table) -> dict:
    """units.toml: what a unit's name looks like, for splitting lists and judging names."""
    return dict(unit_suffixes=_longest_first(t.words("suffixes")),
                unit_separators="".join(t.words("separators")),
                conjunctions=_longest_first(t.words("conjunctions")),
                leading_words=t.words("leading_words"),
                trailing_words=_longest_first(t.words("trailing_words")),
                note_words=t.words("note_words"),
                group_starts=t.words("group_starts"),
                name_starts=t.words("name_starts"), shared_organs=t.words("shared_organs"),
                max_name_length=t.get("max_name_length", int))


def _numbering(t: _Table) -> dict:
    """numbering.toml: the item numerals' styles (each pattern checked on its examples)."""
    styles = []
    for st in t.tables("styles"):
        name = st.get("name", str)
        pattern = compile_pattern(st.get("pattern", str), "numbering.toml", f"styles.{name}")
        for example in st.words("examples"):
            if not pattern.match(example):
                raise st.error("examples", f'"{example}" does not match the pattern')
        styles.append(Style(name, pattern))
    cn = t.table("numerals")
    return dict(styles=tuple(styles), cn_digits=cn.mapping("digits", int), cn_multipliers=cn.mapping("multipliers", int),
                circled=cn.get("circled", str), leading_junk=t.get("leading_junk", str))


def _targets(t: _Table, cn_digits: Mapping[str, int], cn_multipliers: Mapping[str, int]) -> dict:
    """targets.toml: measure words, multipliers, comparators and what is never a target."""
    unit_words = t.words("units")
    mult = t.mapping("multipliers", int)
    approx = "".join(regex.escape(a) for a in t.words("approximators"))
    target_re = compile_pattern(
        rf"(?P<num>\d+(?:\.\d+)?)\s*(?P<mult>{_alternation(mult)})?[{approx}]?\s*(?P<unit>{_alternation(unit_words)})?",
        "targets.toml", "units")
    cn_chars = regex.escape("".join(cn_digits) + "".join(cn_multipliers))
    cn_target_re = compile_pattern(rf"(?P<num>[{cn_chars}]{{1,4}})(?P<unit>{_alternation(t.words('chinese_units'))})",
                            "targets.toml", "chinese_units")
    comparators, qualifiers = t.table("comparators"), t.table("qualifiers")
    excluded, text = t.table("excluded"), t.table("text")
    quotes = excluded.get("quotes", list)
    if not all(isinstance(q, list) and len(q) == 2 and all(isinstance(c, str) for c in q) for q in quotes):
        raise excluded.error("quotes", "must be a list of [open, close] pairs")
    qualifiers.words("examples")       # checked by the tests against the extractor
    return dict(
        target_re=target_re, cn_target_re=cn_target_re, multipliers=mult,
        comparators_before=tuple(sorted(comparators.mapping("before", str).items(), key=lambda kv: len(kv[0]),
                                        reverse=True)),
        comparators_after=comparators.mapping("after", str),
        qualifiers_before=_longest_first(qualifiers.words("before")),
        qualifiers_after=_longest_first(qualifiers.words("after")), parameters=qualifiers.words("parameters"),
        durations=qualifiers.words("durations"), distances=qualifiers.words("distances"),
        directions=qualifiers.words("directions"), place_after=qualifiers.words("place_after"),
        quotes=tuple(tuple(q) for q in quotes),
        before_chars=excluded.get("before_chars", str), after_chars=excluded.get("after_chars", str),
        delimiters=text.get("delimiters", str), indicator_strip=_longest_first(text.words("indicator_strip")),
        target_units=_longest_first(unit_words), chinese_name_after=t.words("chinese_name_after"),
        capacity_units=_longest_first(t.words("capacity_units")), counted_names=t.words("counted_names"))


def _deadlines(t: _Table) -> dict:
    """deadlines.toml: deadline phrases with their meaning, and what only looks like one."""
    phrases = []
    for n, p in enumerate(t.tables("phrases")):
        meaning, scope = p.get("meaning", str), p.get("scope", str, "text")
        if meaning not in DEADLINE_MEANINGS:
            raise p.error("meaning", f'"{meaning}" is not one of {", ".join(DEADLINE_MEANINGS)}')
        if scope not in ("text", "cell"):
            raise p.error("scope", f'"{scope}" is not text or cell')
        pattern = compile_pattern(p.get("pattern", str), "deadlines.toml", f"phrases[{n}]")
        for example in p.words("examples"):
            if not pattern.search(example):
                raise p.error("examples", f'"{example}" does not match the pattern')
        phrases.append(DeadlinePhrase(pattern, meaning, scope))
    ignored = t.table("ignored")
    for example in ignored.words("examples"):
        if not any(w in example for w in ignored.words("before")):
            raise ignored.error("examples", f'"{example}" holds none of the words before')
    return dict(deadlines=tuple(phrases), deadline_ignored_before=ignored.words("before"))


def _document(t: _Table) -> dict:
    """document.toml: the header, parts and page chrome around the tasks."""
    def pattern(key: str) -> regex.Pattern:
        return compile_pattern(t.get(key, str), "document.toml", key)

    words = {k: t.words(k) for k in ("title_endings", "issuer_keys", "date_keys", "part_endings", "plan_target_keys")}
    document = dict(words, issuer_before=t.get("issuer_before", str), part_max_length=t.get("part_max_length", int))
    return dict(doc=document,
                chrome=tuple(compile_pattern(p, "document.toml", "chrome") for p in t.words("chrome")),
                date_line=pattern("date_line"), iso_date=pattern("iso_date"), year_re=pattern("year"),
                doc_number_year=pattern("doc_number_year"), doc_number=_doc_number(t),
                reading_aid=pattern("reading_aid"),
                same_work_similarity=_share(t, "same_work_similarity"),
                recipients_line=pattern("recipients_line"),
                publication_note=pattern("publication_note"), attachment=pattern("attachment"))


def _doc_number(t: _Table) -> regex.Pattern:
    """The circular's own 文号, checked on its examples (full-width folded as the parser reads
    lines)."""
    from .normalize import fold
    pattern = compile_pattern(t.get("doc_number", str), "document.toml", "doc_number")
    for example in t.words("doc_number_examples"):
        if not pattern.search(fold(example, fold_table({}))):
            raise t.error("doc_number_examples", f'"{example}" is not matched by doc_number')
    return pattern


def _share(t: _Table, key: str) -> float:
    value = t.get(key, (int, float))
    if not 0 < value <= 1:
        raise t.error(key, f"must be a share between 0 and 1, not {value}")
    return float(value)


def _tables(t: _Table, vocabulary: dict) -> dict:
    """tables.toml: the header words of the number, text and group columns; the person,
    deadline and report columns are named by the vocabulary of roles.toml."""
    columns = t.table("columns")
    words = {kind: columns.words(kind) for kind in ("number", "text", "group")}
    words.update(person=vocabulary["person_keys"] + vocabulary["person_heads"], deadline=vocabulary["deadline_keys"],
                 ignore=vocabulary["stop_keys"])
    text_label = compile_pattern(rf"\s*(?:{_alternation(words['text'])})\s*:\s*", "tables.toml", "columns.text")
    return dict(columns=words, text_label=text_label)


@functools.lru_cache(maxsize=2)
def load_rules(folder: Path = DATA_DIR) -> Rules:
    """Read, check and compile the rule data (parser/data).  Raises RuleFileError naming the
    file and the key: missing, unknown, of the wrong kind, a regex that does not compile, an
    example its pattern does not match."""
    files = {name: load_table(folder, f"{name}.toml")
             for name in ("roles", "units", "numbering", "targets", "deadlines", "document", "tables")}
    vocabulary = _roles(files["roles"])
    numbering = _numbering(files["numbering"])
    rules = Rules(fold=fold_table(_read_t2s(folder)), **vocabulary, **_units(files["units"]), **numbering,
                  **_targets(files["targets"], numbering["cn_digits"], numbering["cn_multipliers"]),
                  **_deadlines(files["deadlines"]), **_document(files["document"]),
                  **_tables(files["tables"], vocabulary))
    for table in files.values():
        table.check()
    return rules
